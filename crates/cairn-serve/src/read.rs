//! A request's cells to the model's features, read exactly as `cairn predict` reads a CSV file of the
//! same rows (cairn-data's import, then `Model::predict`), so the answers are the same to the bit.
//!
//! The import infers each column's type over all its cells, and the model then reads the typed column.
//! For the usual columns that comes down to a rule per cell, applied here without building a frame:
//! - a missing cell is an empty one, one of only spaces and tabs, or a default missing marker (`NA`, `?`…);
//! - a number feature: when every present cell is an integer (up to 18 digits) or every one is
//!   `true`/`false`, their values; otherwise each cell trimmed and parsed as a float (an error names
//!   a cell that does not parse). Integers differ from floats only in `-0`, read as 0 in an integer column;
//! - a text feature whose column has a cell that cannot be a number, boolean or date: the cells as given.
//!
//! Any other column (a text feature given numbers or dates, a date feature) is written with the other
//! features to a temporary CSV file that cairn-data imports, as `cairn predict` would.

use std::sync::atomic::{AtomicU64, Ordering};

use cairn_ml::{FeatureKind, FeatureValues, MlError, Predicted};
use cairn_types::{ApiError, DEFAULT_NULL_VALUES, ErrorCode, ImportOptions};

use crate::body::{Cell, Table};
use crate::endpoint::Loaded;
use crate::http::Failure;

type Cells<'a> = [Cell<'a>];

/// The cell's text when it is present, as the import decides: not empty, not only spaces and tabs,
/// not a missing marker.
fn present<'c>(cell: &'c Cell<'_>) -> Option<&'c str> {
    let t = cell.as_deref()?;
    let blank = t.bytes().all(|b| b == b' ' || b == b'\t');
    (!blank && !DEFAULT_NULL_VALUES.contains(&t)).then_some(t)
}

/// Spaces and tabs trimmed, as the import trims before typing a value.
fn trim(t: &str) -> &str {
    t.trim_matches([' ', '\t'])
}

/// An integer as the import reads one (optional sign, 1 to 18 digits).
fn int(t: &str) -> Option<i64> {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

fn boolean(t: &str) -> Option<bool> {
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// True when the import may type this value (number, boolean, date): it starts like a number or is a
/// word the import reads as a boolean or a float. False means certainly text.
fn may_be_typed(t: &str) -> bool {
    let t = trim(t);
    let first = t.as_bytes().first().copied().unwrap_or(b'x');
    first.is_ascii_digit()
        || matches!(first, b'-' | b'+' | b'.')
        || ["true", "false", "inf", "nan", "infinity"].iter().any(|w| t.eq_ignore_ascii_case(w))
}

/// A number feature's values, or the error `cairn predict` gives for the same cells.
fn numbers(name: &str, cells: &Cells<'_>) -> Result<Vec<f64>, Failure> {
    let mut all_int = true;
    let mut all_bool = true;
    let mut any = false;
    for t in cells.iter().filter_map(present).map(trim) {
        any = true;
        all_int &= int(t).is_some();
        all_bool &= boolean(t).is_some();
    }
    let value = |cell: &Cell<'_>, row: usize| -> Result<f64, Failure> {
        let Some(t) = present(cell) else { return Ok(f64::NAN) };
        if all_int {
            return Ok(int(trim(t)).map_or(f64::NAN, |i| i as f64));
        }
        if any && all_bool {
            return Ok(boolean(trim(t)).map_or(f64::NAN, |b| if b { 1.0 } else { 0.0 }));
        }
        let t = t.trim();
        if t.is_empty() {
            return Ok(f64::NAN);
        }
        t.parse::<f64>().map_err(|_| {
            Failure::bad(
                ErrorCode::TypeMismatch,
                format!("the column '{name}' should hold numbers, but row {} has the value '{t}'", row + 1),
                "send a number, or an empty value for a missing one",
            )
        })
    };
    cells.iter().enumerate().map(|(r, c)| value(c, r)).collect()
}

/// A text feature's values, when the import would keep them as text; None otherwise.
fn texts<'c>(cells: &'c Cells<'_>) -> Option<Vec<Option<&'c str>>> {
    // The import keeps a text column's values as given, spaces included.
    let values: Vec<Option<&'c str>> = cells.iter().map(present).collect();
    let typed = values.iter().flatten().all(|t| may_be_typed(t)) && values.iter().any(Option::is_some);
    (!typed).then_some(values)
}

/// An ML error as an answer: what the request holds is the client's fault, the rest the model's.
pub(crate) fn ml_failure(e: MlError) -> Failure {
    let client = matches!(e, MlError::InvalidInput { .. } | MlError::FeatureNotFound { .. } | MlError::Infinite { .. });
    let api = ApiError::from(e);
    if client { Failure::from_api(400, api) } else { Failure::from_api(500, api) }
}

/// Predicts the table's rows with the loaded model.
pub(crate) fn predict(loaded: &Loaded, table: &Table<'_>) -> Result<Predicted, Failure> {
    if table.rows == 0 {
        return Err(Failure::bad(ErrorCode::BadRequest, "the request holds no rows".into(), "send at least one row"));
    }
    if let Some(flow) = &loaded.flow {
        return through_flow(loaded, flow, table);
    }
    let features = loaded.model.features();
    let mut cols = Vec::with_capacity(features.len());
    let mut missing = Vec::new();
    for f in features {
        match table.column(f) {
            Some(c) => cols.push(c),
            None => missing.push(f.as_str()),
        }
    }
    if !missing.is_empty() {
        let shown = cairn_types::words::quoted_names(&missing);
        return Err(Failure::bad(
            ErrorCode::ColumnNotFound,
            format!("the request has no column {shown}, which the model was trained on"),
            "add the column; its values may be empty, they are treated as missing",
        ));
    }
    let mut values = Vec::with_capacity(features.len());
    for ((name, kind), cells) in features.iter().zip(&loaded.kinds).zip(&cols) {
        let v = match kind {
            FeatureKind::Number | FeatureKind::Bool => FeatureValues::Numbers(numbers(name, cells)?),
            FeatureKind::Text => match texts(cells) {
                Some(t) => FeatureValues::Texts(t),
                None => return via_file(loaded, &cols),
            },
            FeatureKind::Date | FeatureKind::Datetime => return via_file(loaded, &cols),
        };
        values.push(v);
    }
    loaded.model.predict_values(&values).map_err(ml_failure)
}

/// Raw rows of the flow's source: the request's columns as text, prepared by the flow, then predicted
/// from the prepared frame — the path `cairn predict` takes for the same model.
fn through_flow(loaded: &Loaded, flow: &cairn_flow::InferenceFlow, table: &Table<'_>) -> Result<Predicted, Failure> {
    let mut cols = Vec::with_capacity(table.names.len());
    for (i, name) in table.names.iter().enumerate() {
        // A column named twice: the first counts, as `Table::column` reads it.
        if table.names[..i].contains(name) {
            continue;
        }
        let cells: Vec<Option<&str>> = table.columns[i].iter().map(|c| c.as_deref()).collect();
        cols.push(polars::prelude::Column::new(name.as_ref().into(), cells));
    }
    let text = polars::prelude::DataFrame::new(table.rows, cols)
        .map_err(|e| Failure::new(500, ErrorCode::Internal, format!("the request's rows as a frame: {e}")))?;
    let prepared = flow.prepare(&text).map_err(|e| {
        let api = ApiError::from(e);
        let status = if api.code == ErrorCode::FlowInvalid || api.code == ErrorCode::Io { 500 } else { 400 };
        Failure::from_api(status, api)
    })?;
    loaded.model.predict_frame(&prepared).map_err(ml_failure)
}

/// A CSV field, quoted when it must be.
fn field(out: &mut String, t: &str) {
    if t.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&t.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(t);
    }
}

/// The exact path for columns read here no faster way: the features' cells as a CSV file, imported as
/// `cairn predict` imports its file, then predicted from the frame.
fn via_file(loaded: &Loaded, cols: &[&Cells<'_>]) -> Result<Predicted, Failure> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let features = loaded.model.features();
    let mut text = String::new();
    for (i, f) in features.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        field(&mut text, f);
    }
    text.push('\n');
    let rows = cols.first().map_or(0, |c| c.len());
    for r in 0..rows {
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            match c[r].as_deref() {
                // A lone empty field would make a blank line, which the import skips.
                Some("") | None if cols.len() == 1 => text.push_str("\"\""),
                Some(t) => field(&mut text, t),
                None => {}
            }
        }
        text.push('\n');
    }
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("cairn-endpoint-{}-{n}.csv", std::process::id()));
    let io = |e: std::io::Error| Failure::new(500, ErrorCode::Io, format!("cannot write the request's rows to {}: {e}", path.display()));
    std::fs::write(&path, text).map_err(io)?;
    let opts = ImportOptions { delimiter: Some(",".into()), has_header: Some(true), ..Default::default() };
    let read = cairn_data::read_file(&path, &opts, &Quiet);
    let _ = std::fs::remove_file(&path);
    let frame = read.map_err(|e| Failure::from_api(400, ApiError::from(e)))?.frame;
    loaded.model.predict_frame(&frame).map_err(ml_failure)
}

struct Quiet;
impl cairn_data::Observer for Quiet {}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[test]
    fn cells_as_the_import_types_them() {
        assert_eq!(int("+7"), Some(7));
        assert_eq!(int("-0"), Some(0));
        assert_eq!(int("1234567890123456789"), None);
        assert_eq!(int("1.0"), None);
        assert!(present(&Some(" \t ".into())).is_none());
        assert!(present(&Some("?".into())).is_none());
        assert!(present(&Some(" ?".into())).is_some());
        assert!(may_be_typed("2024-01-01") && may_be_typed(" 12") && may_be_typed("NaN") && may_be_typed("TRUE"));
        assert!(!may_be_typed("Bachelors") && !may_be_typed("n/a") && !may_be_typed("x1"));
        let cells: Vec<Option<Cow<'_, str>>> = vec![Some("-0".into()), Some("?".into()), Some(" 3 ".into())];
        let v = numbers("a", &cells).unwrap_or_default();
        assert_eq!(v[0].to_bits(), 0f64.to_bits());
        assert!(v[1].is_nan());
        assert_eq!(v[2], 3.0);
        let cells: Vec<Option<Cow<'_, str>>> = vec![Some("-0".into()), Some("1.5".into())];
        assert_eq!(numbers("a", &cells).unwrap_or_default()[0].to_bits(), (-0f64).to_bits());
    }
}
