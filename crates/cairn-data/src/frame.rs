//! DataFrame ↔ wire: column types and infos, and pages of rows as JSON cells.

use cairn_types::{ColumnInfo, DType, Page};
use polars::prelude::*;
use serde_json::Value;

/// Longest text a grid cell receives; the profile and exports still see the whole value.
pub const CELL_MAX_CHARS: usize = 1000;

pub fn dtype_of(dt: &DataType) -> DType {
    match dt {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => DType::Int,
        DataType::Float32 | DataType::Float64 => DType::Float,
        DataType::Boolean => DType::Bool,
        DataType::String | DataType::Categorical(_, _) | DataType::Enum(_, _) => DType::String,
        DataType::Date => DType::Date,
        DataType::Datetime(_, _) => DType::Datetime,
        _ => DType::Other,
    }
}

/// The polars type a user's type choice is stored as.
pub fn polars_type(dtype: DType) -> DataType {
    match dtype {
        DType::Int => DataType::Int64,
        DType::Float => DataType::Float64,
        DType::Bool => DataType::Boolean,
        DType::Date => DataType::Date,
        DType::Datetime => DataType::Datetime(TimeUnit::Milliseconds, None),
        DType::String | DType::Other => DataType::String,
    }
}

pub fn column_infos(df: &DataFrame) -> Vec<ColumnInfo> {
    df.columns()
        .iter()
        .map(|c| ColumnInfo {
            name: c.name().to_string(),
            dtype: dtype_of(c.dtype()),
            physical: c.dtype().to_string(),
            missing: c.null_count() as u64,
        })
        .collect()
}

fn cell(v: AnyValue<'_>) -> Value {
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(b),
        AnyValue::Int8(x) => x.into(),
        AnyValue::Int16(x) => x.into(),
        AnyValue::Int32(x) => x.into(),
        AnyValue::Int64(x) => x.into(),
        AnyValue::UInt8(x) => x.into(),
        AnyValue::UInt16(x) => x.into(),
        AnyValue::UInt32(x) => x.into(),
        AnyValue::UInt64(x) => x.into(),
        AnyValue::Float32(x) => float(x as f64),
        AnyValue::Float64(x) => float(x),
        AnyValue::String(s) => text(s),
        AnyValue::StringOwned(s) => text(s.as_str()),
        other => {
            let s = other.to_string();
            text(s.trim_matches('"'))
        }
    }
}

/// JSON has no NaN or infinity; the grid shows them as text.
fn float(x: f64) -> Value {
    serde_json::Number::from_f64(x).map(Value::Number).unwrap_or_else(|| Value::String(x.to_string()))
}

fn text(s: &str) -> Value {
    if s.len() <= CELL_MAX_CHARS {
        return Value::String(s.to_string());
    }
    let cut: String = s.chars().take(CELL_MAX_CHARS).collect();
    if cut.len() == s.len() {
        return Value::String(cut);
    }
    Value::String(format!("{cut}… ({} characters)", s.chars().count()))
}

/// Rows `[offset, offset + limit)` of `df` as a page; `total_rows` is the dataset's size.
pub fn page(df: &DataFrame, offset: u64, limit: u64, total_rows: u64) -> Page {
    let slice = df.slice(offset as i64, limit as usize);
    let cols = slice.columns();
    let rows = (0..slice.height()).map(|i| cols.iter().map(|c| c.get(i).map(cell).unwrap_or(Value::Null)).collect()).collect();
    Page { offset, total_rows, columns: df.get_column_names().iter().map(|n| n.to_string()).collect(), rows }
}

/// `left` with the columns of `right` appended (same height); a name already in `left` gets a suffix.
pub fn append_columns(left: &DataFrame, right: &DataFrame) -> PolarsResult<DataFrame> {
    let mut out = left.clone();
    for c in right.columns() {
        let mut c = c.clone();
        if out.get_column_index(c.name()).is_some() {
            let name = format!("{}_predicted", c.name());
            c.rename(name.into());
        }
        out.with_column(c)?;
    }
    Ok(out)
}
