//! Text cells of a CSV chunk given their types without inferring them per chunk. A feature is read as
//! the model's training read it (numbers as f64, dates as days, text as written), a cell that cannot be
//! read failing its row only; a column copied to the output keeps its text in the chunk's part while what
//! its values allow is recorded (cairn-data's classifier, as an import infers it over a whole file), and
//! is typed when the output is assembled, once every chunk has been seen.

use cairn_ml::FeatureKind;
use cairn_types::DType;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// The layouts a datetime feature may be written in (one per value; an import needs one per column).
const DATETIME_FORMATS: &[&str] = &["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"];

/// What the values of a column seen so far allow: the bits of the types they all fit, the datetime
/// layouts seen, and whether any value was not missing (an import's column scan, merged over chunks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Inferred {
    pub mask: u8,
    pub layout: u8,
    pub seen: bool,
}

impl Inferred {
    pub const START: Inferred = Inferred { mask: u8::MAX, layout: 0, seen: false };

    pub fn observe(&mut self, ca: &StringChunked) {
        for v in ca.iter().flatten() {
            let (mask, layout) = cairn_data::classify(v.as_bytes().trim_ascii());
            self.mask &= mask;
            self.layout |= layout;
            self.seen = true;
        }
    }

    pub fn merge(&mut self, other: &Inferred) {
        self.mask &= other.mask;
        self.layout |= other.layout;
        self.seen |= other.seen;
    }

    /// The type an import of the whole file gives the column.
    pub fn dtype(&self) -> DType {
        match cairn_data::resolve(self.mask, self.seen) {
            // A datetime column that mixes layouts stays text rather than half-parsed.
            DType::Datetime if cairn_data::datetime_format(self.layout).is_none() => DType::String,
            d => d,
        }
    }

    /// The text column typed as `dtype`, as the import converts what its parser read as text.
    pub fn convert(&self, name: &str, dtype: DType) -> Option<Expr> {
        let trimmed = || col(name).str().strip_chars(lit(NULL));
        let strict = |format: &str| StrptimeOptions { format: Some(format.into()), strict: true, exact: true, cache: true };
        let e = match dtype {
            DType::Int => trimmed().strict_cast(DataType::Int64),
            DType::Float => trimmed().strict_cast(DataType::Float64),
            DType::Bool => {
                let t = trimmed().str().to_lowercase();
                when(t.clone().eq(lit("true")))
                    .then(lit(true))
                    .when(t.eq(lit("false")))
                    .then(lit(false))
                    .otherwise(lit(NULL).cast(DataType::Boolean))
            }
            DType::Date => trimmed().str().to_date(strict("%Y-%m-%d")),
            DType::Datetime => {
                let fmt = cairn_data::datetime_format(self.layout).unwrap_or("%Y-%m-%d %H:%M:%S%.f");
                trimmed().str().to_datetime(Some(TimeUnit::Milliseconds), None, strict(fmt), lit("raise"))
            }
            DType::String | DType::Other => return None,
        };
        Some(e.alias(name))
    }
}

/// A row that cannot be predicted, by its index in the chunk.
pub(crate) type Bad = std::collections::BTreeMap<usize, String>;

/// The model's features from a chunk's text columns, typed as training read them. A value that cannot
/// be read (a word in a number column, an infinite number, a malformed date) fails its row in `bad`.
pub(crate) fn features(text: &DataFrame, names: &[String], kinds: &[FeatureKind], bad: &mut Bad) -> PolarsResult<DataFrame> {
    let mut cols = Vec::with_capacity(names.len());
    for (name, kind) in names.iter().zip(kinds) {
        let ca = text.column(name)?.str()?;
        let column = match kind {
            FeatureKind::Number | FeatureKind::Bool => numbers(name, ca, bad).into_column(),
            FeatureKind::Text => ca.clone().into_column(),
            FeatureKind::Date | FeatureKind::Datetime => temporal(name, ca, *kind, bad)?,
        };
        cols.push(column.with_name(name.as_str().into()));
    }
    DataFrame::new(text.height(), cols)
}

/// Numbers as an import reads them (true and false as 1 and 0, as a boolean column is read), missing
/// as NaN; the model refuses infinite values, so they fail their row here.
fn numbers(name: &str, ca: &StringChunked, bad: &mut Bad) -> Float64Chunked {
    let mut out = Vec::with_capacity(ca.len());
    for (i, v) in ca.iter().enumerate() {
        let t = v.map(str::trim).unwrap_or("");
        let x = if t.is_empty() {
            f64::NAN
        } else if t.eq_ignore_ascii_case("true") {
            1.0
        } else if t.eq_ignore_ascii_case("false") {
            0.0
        } else {
            match t.parse::<f64>() {
                Ok(x) if x.is_infinite() => {
                    fail(bad, i, format!("the column '{name}' holds an infinite value ({t}), which the model cannot score"));
                    f64::NAN
                }
                Ok(x) => x,
                Err(_) => {
                    let shown: String = t.chars().take(60).collect();
                    fail(bad, i, format!("the column '{name}' should hold numbers, but has the value '{shown}'"));
                    f64::NAN
                }
            }
        };
        out.push(x);
    }
    Float64Chunked::from_vec(name.into(), out)
}

/// Dates (`YYYY-MM-DD`) or datetimes (with `T` or a space, to the minute, second or fraction).
fn temporal(name: &str, ca: &StringChunked, kind: FeatureKind, bad: &mut Bad) -> PolarsResult<Column> {
    let opts = |format: &str| StrptimeOptions { format: Some(format.into()), strict: false, exact: true, cache: true };
    let v = || col(name).str().strip_chars(lit(NULL));
    let expr = if kind == FeatureKind::Date {
        v().str().to_date(opts("%Y-%m-%d"))
    } else {
        let tries: Vec<Expr> =
            DATETIME_FORMATS.iter().map(|f| v().str().to_datetime(Some(TimeUnit::Milliseconds), None, opts(f), lit("raise"))).collect();
        coalesce(&tries)
    };
    let df = DataFrame::new(ca.len(), vec![ca.clone().into_column()])?.lazy().select([expr.alias(name)]).collect()?;
    let out = df.column(name)?.clone();
    let what = if kind == FeatureKind::Date { "dates (YYYY-MM-DD)" } else { "dates and times (YYYY-MM-DD HH:MM[:SS])" };
    for (i, (src, got)) in ca.iter().zip(out.as_materialized_series().iter()).enumerate() {
        if let (Some(s), AnyValue::Null) = (src, got) {
            let shown: String = s.chars().take(60).collect();
            fail(bad, i, format!("the column '{name}' should hold {what}, but has the value '{shown}'"));
        }
    }
    Ok(out)
}

/// Records the first reason a row fails.
pub(crate) fn fail(bad: &mut Bad, row: usize, reason: String) {
    bad.entry(row).or_insert(reason);
}
