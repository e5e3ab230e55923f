//! Polars columns in, plain vectors out: numbers as f64 with NaN for missing, text dictionary-encoded.
//! Every feature's source kind is recorded so prediction converts new rows exactly as training did.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MlError;

/// What a feature held at training time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SourceKind {
    Number,
    /// false/true as 0/1.
    Bool,
    /// Days since 1970-01-01.
    Date,
    /// Milliseconds since 1970-01-01 (durations: milliseconds).
    Datetime,
    Text,
}

/// Dictionary code of a missing text value.
pub(crate) const MISSING: u32 = u32::MAX;

/// One feature's values over the rows being used.
#[derive(Debug, Clone)]
pub(crate) enum RawColumn {
    /// NaN marks a missing value.
    Num(Vec<f64>),
    /// `codes[i]` indexes `dict`, or is `MISSING`.
    Text { dict: Vec<String>, codes: Vec<u32> },
}

impl RawColumn {
    /// The values at `order` (a subset or a permutation of the rows).
    pub fn take(&self, order: &[usize]) -> RawColumn {
        match self {
            RawColumn::Num(v) => RawColumn::Num(order.iter().map(|&r| v[r]).collect()),
            RawColumn::Text { dict, codes } => RawColumn::Text { dict: dict.clone(), codes: order.iter().map(|&r| codes[r]).collect() },
        }
    }

    pub fn len(&self) -> usize {
        match self {
            RawColumn::Num(v) => v.len(),
            RawColumn::Text { codes, .. } => codes.len(),
        }
    }
}

/// The kind a column of this type is used as, or None when it cannot be a feature.
pub(crate) fn kind_of(dtype: &DataType) -> Option<SourceKind> {
    match dtype {
        d if d.is_bool() => Some(SourceKind::Bool),
        d if d.is_primitive_numeric() => Some(SourceKind::Number),
        DataType::Date => Some(SourceKind::Date),
        DataType::Datetime(_, _) | DataType::Duration(_) => Some(SourceKind::Datetime),
        d if d.is_string() || d.is_categorical() || d.is_enum() => Some(SourceKind::Text),
        _ => None,
    }
}

fn series(frame: &DataFrame, name: &str) -> Result<Series, MlError> {
    frame
        .column(name)
        .map(|c| c.as_materialized_series().clone())
        .map_err(|_| MlError::FeatureNotFound { name: name.into(), close: close_names(frame, name) })
}

fn to_ms(unit: &TimeUnit) -> f64 {
    match unit {
        TimeUnit::Nanoseconds => 1e-6,
        TimeUnit::Microseconds => 1e-3,
        TimeUnit::Milliseconds => 1.0,
    }
}

fn f64_values(s: &Series) -> Result<Vec<f64>, MlError> {
    let f = s.cast(&DataType::Float64)?;
    Ok(f.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// Reads a column as the kind it had at training; a text column that should hold numbers is parsed,
/// and a value that does not parse is an error naming it.
pub(crate) fn read(frame: &DataFrame, name: &str, kind: SourceKind) -> Result<RawColumn, MlError> {
    let s = series(frame, name)?;
    let dtype = s.dtype().clone();
    let got = kind_of(&dtype);
    let mismatch = || {
        MlError::invalid(
            format!("the column '{name}' holds {dtype} values, but the model was trained on {kind:?} values"),
            "give the column the type it had when the model was trained (convert it in a flow)",
        )
    };
    match kind {
        SourceKind::Text => {
            let s = if dtype.is_string() { s } else { s.cast(&DataType::String)? };
            Ok(dictionary(s.str()?.iter()))
        }
        SourceKind::Number | SourceKind::Bool => match got {
            Some(SourceKind::Number | SourceKind::Bool) => Ok(RawColumn::Num(f64_values(&s)?)),
            Some(SourceKind::Text) if dtype.is_string() => parse_numbers(name, s.str()?),
            _ => Err(mismatch()),
        },
        SourceKind::Date => match dtype {
            DataType::Date => Ok(RawColumn::Num(f64_values(&s.to_physical_repr())?)),
            _ => Err(mismatch()),
        },
        SourceKind::Datetime => match &dtype {
            DataType::Datetime(unit, _) | DataType::Duration(unit) => {
                let scale = to_ms(unit);
                let mut v = f64_values(&s.to_physical_repr())?;
                v.iter_mut().for_each(|x| *x *= scale);
                Ok(RawColumn::Num(v))
            }
            _ => Err(mismatch()),
        },
    }
}

fn parse_numbers(name: &str, ca: &StringChunked) -> Result<RawColumn, MlError> {
    let mut out = Vec::with_capacity(ca.len());
    for v in ca.iter() {
        match v.map(str::trim) {
            None | Some("") => out.push(f64::NAN),
            Some(t) => match t.parse::<f64>() {
                Ok(x) => out.push(x),
                Err(_) => {
                    return Err(MlError::invalid(
                        format!("the column '{name}' should hold numbers, but has the value '{t}'"),
                        "fix or filter the value in a flow, or leave the column out",
                    ));
                }
            },
        }
    }
    Ok(RawColumn::Num(out))
}

/// Dictionary-encodes text values (None is missing); codes number the values in order of appearance.
pub(crate) fn dictionary<'a>(values: impl Iterator<Item = Option<&'a str>>) -> RawColumn {
    let mut index: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let mut dict: Vec<String> = Vec::new();
    let codes = values
        .map(|v| match v {
            None => MISSING,
            Some(t) => *index.entry(t).or_insert_with(|| {
                dict.push(t.to_string());
                (dict.len() - 1) as u32
            }),
        })
        .collect();
    RawColumn::Text { dict, codes }
}

/// Up to three column names close to `name` (case-insensitive edit distance, or containment).
pub(crate) fn close_names(frame: &DataFrame, name: &str) -> Vec<String> {
    similar_names(frame.get_column_names().into_iter().map(|c| c.as_str()), name)
}

/// Up to three of `names` close to `name` (a typo, other case, or one containing the other), closest
/// first: for "did you mean" in messages about a column that does not exist.
pub fn similar_names<'a>(names: impl Iterator<Item = &'a str>, name: &str) -> Vec<String> {
    let want = name.to_lowercase();
    let mut scored: Vec<(usize, String)> = names
        .filter_map(|c| {
            let lower = c.to_lowercase();
            let d = edit_distance(&want, &lower);
            let close = d <= (want.chars().count() / 3).max(2) || (!want.is_empty() && (lower.contains(&want) || want.contains(&lower)));
            close.then(|| (d, c.to_string()))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("class", "klass"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("age", "age"), 0);
    }
}
