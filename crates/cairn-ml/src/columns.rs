//! Which columns a model learns from by default, and why the others are left out: the data's split
//! column, identifiers (near-unique values, or a key's name shared by a few rows each), columns empty or
//! constant in every row, and types a model cannot use. A user's explicit feature list is honoured
//! instead, but for the split column, which never becomes a feature.

use cairn_types::LeftOutColumn;
use polars::prelude::*;

use crate::MlError;
use crate::table::{SourceKind, kind_of};

/// The values a split column holds.
pub const TRAIN: &str = "train";
pub const TEST: &str = "test";

/// Distinct values per row from which an integer or text column is a row key.
const UNIQUE_KEY: f64 = 0.95;
/// A key shared by rows: at least this many distinct values per row and this many values.
const SHARED_KEY_RATIO: f64 = 0.05;
const SHARED_KEY_MIN: usize = 100;
/// Fewer rows than this say nothing about uniqueness.
const KEY_MIN_ROWS: usize = 10;

/// Words that end a key's name: `encounter_id`, `patient_nbr`, `customerId`, `order_no`, `sku_code`.
const KEY_WORDS: &[&str] = &["id", "ids", "nbr", "no", "num", "number", "key", "uuid", "guid", "code", "ref"];

/// Whether a column's name ends in a key word (split at `_`, `-`, spaces and camelCase humps).
pub fn key_name(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.len() > 1 && words.last().is_some_and(|w| KEY_WORDS.contains(&w.as_str())) || name.eq_ignore_ascii_case("id")
}

/// What kind of key a column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A different value in (almost) every row.
    Unique,
    /// A key several rows share (one patient's encounters).
    Shared,
}

/// What a column holds, for the key rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyShape {
    Text,
    /// Whole numbers; `dense` when they fill their range (max - min + 1 close to the number of distinct
    /// values), as a row number or a counter does.
    Int {
        dense: bool,
    },
    /// Anything else: never a key.
    Other,
}

/// The key kind of a column with `distinct` values among `count` present ones. Text that is
/// (almost) unique per row is a key; so is a column with a key's name (`…_id`, `…_nbr`) holding many
/// values; whole numbers without such a name only when they also fill their range like a row number —
/// a near-unique measurement (a sampling weight, a lot area) is a feature.
pub fn key_kind(name: &str, shape: KeyShape, count: usize, distinct: usize) -> Option<Key> {
    if shape == KeyShape::Other || count < KEY_MIN_ROWS {
        return None;
    }
    let ratio = distinct as f64 / count as f64;
    let named = key_name(name);
    if ratio >= UNIQUE_KEY && (named || matches!(shape, KeyShape::Text | KeyShape::Int { dense: true })) {
        return Some(Key::Unique);
    }
    (ratio >= SHARED_KEY_RATIO && distinct >= SHARED_KEY_MIN && named).then_some(Key::Shared)
}

/// Whether whole numbers with these bounds fill their range (at most a tenth of it missing).
pub fn dense(min: f64, max: f64, distinct: usize) -> bool {
    distinct > 0 && (max - min + 1.0) <= distinct as f64 * 1.1
}

/// A count with thousands separators, as people read it.
pub(crate) fn int_commas(n: usize) -> String {
    cairn_types::words::thousands(n as u64)
}

/// The data's split column: a text column holding only "train" and "test" (a flow's `split` step), with
/// at least one train row. Of several, the one named `split`.
pub(crate) fn split_column(frame: &DataFrame, target: &str) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for c in frame.columns() {
        let name = c.name().as_str();
        if name == target || !(c.dtype().is_string() || c.dtype().is_categorical()) {
            continue;
        }
        let Ok(s) = c.as_materialized_series().cast(&DataType::String) else { continue };
        let Ok(ca) = s.str() else { continue };
        let (mut train, mut other) = (false, false);
        for v in ca.iter().flatten() {
            match v {
                TRAIN => train = true,
                TEST => {}
                _ => {
                    other = true;
                    break;
                }
            }
        }
        if train && !other {
            found.push(name.to_string());
        }
    }
    found.iter().find(|n| *n == "split").or(found.first()).cloned()
}

/// Why a column is left out by default, if it is; `kind` is None for a type models cannot use.
fn reason(s: &Series, kind: Option<SourceKind>) -> Result<Option<String>, MlError> {
    let name = s.name().as_str();
    let Some(kind) = kind else {
        return Ok(Some(format!("holds {} values, which a model cannot use", s.dtype())));
    };
    let present = if s.dtype().is_float() {
        let f = s.cast(&DataType::Float64)?;
        f.f64()?.iter().filter(|v| v.is_some_and(|x| !x.is_nan())).count()
    } else {
        s.len() - s.null_count()
    };
    if present == 0 {
        return Ok(Some("empty in every row".into()));
    }
    let distinct = s.drop_nulls().n_unique()?;
    if distinct == 1 && present == s.len() {
        let value = s.drop_nulls().cast(&DataType::String).ok().and_then(|v| v.str().ok().and_then(|c| c.get(0).map(String::from)));
        return Ok(Some(format!(
            "one value{} in every row: it carries no information",
            value.map(|v| format!(" ('{v}')")).unwrap_or_default()
        )));
    }
    let shape = if kind == SourceKind::Text {
        KeyShape::Text
    } else if s.dtype().is_integer() {
        let f = s.cast(&DataType::Float64)?;
        let ca = f.f64()?;
        KeyShape::Int { dense: dense(ca.min().unwrap_or(0.0), ca.max().unwrap_or(0.0), distinct) }
    } else {
        KeyShape::Other
    };
    Ok(key_kind(name, shape, present, distinct).map(|k| match k {
        Key::Unique => format!(
            "an identifier: {} distinct values in {} rows; a row key tells the model nothing about new rows",
            int_commas(distinct),
            int_commas(present)
        ),
        Key::Shared => format!(
            "an identifier: its name and {} distinct values in {} rows make it a key several rows share (one entity's records); a model would learn the entities, not the pattern",
            int_commas(distinct),
            int_commas(present)
        ),
    }))
}

/// The features chosen (by name and kind), and the columns left out with why.
type Chosen = (Vec<String>, Vec<SourceKind>, Vec<LeftOutColumn>);

/// The features to use and the columns left out (with why). With `given` features, those are used (the
/// split column excepted, which is an error) and only columns empty in every row are left out.
pub(crate) fn choose(
    frame: &DataFrame,
    target: &str,
    split: Option<&str>,
    given: Option<&[String]>,
    warnings: &mut Vec<String>,
) -> Result<Chosen, MlError> {
    let (mut features, mut kinds, mut left_out) = (Vec::new(), Vec::new(), Vec::new());
    let names: Vec<String> = match given {
        Some(f) => f.to_vec(),
        None => frame.get_column_names().into_iter().map(|c| c.to_string()).filter(|c| c != target).collect(),
    };
    let mut seen = std::collections::HashSet::new();
    for name in names {
        if name == target {
            return Err(MlError::invalid(format!("'{name}' is the target, so it cannot also be a feature"), "remove it from the features"));
        }
        if !seen.insert(name.clone()) {
            return Err(MlError::invalid(format!("the feature '{name}' is listed twice"), "list each feature once"));
        }
        if Some(name.as_str()) == split {
            if given.is_some() {
                return Err(MlError::invalid(
                    format!("'{name}' is the data's split column (it marks the train and test rows), so it cannot be a feature"),
                    "remove it from the features; training fits on its train rows and tests on its test rows",
                ));
            }
            left_out.push(LeftOutColumn { column: name, reason: "the split column: it marks which rows train and which test".into() });
            continue;
        }
        let s = frame
            .column(&name)
            .map_err(|_| MlError::FeatureNotFound { name: name.clone(), close: crate::table::close_names(frame, &name) })?
            .as_materialized_series();
        let kind = kind_of(s.dtype());
        if given.is_some() {
            let Some(kind) = kind else {
                if matches!(s.dtype(), DataType::Null) {
                    warnings.push(format!("'{name}' is empty in every row and was left out"));
                    left_out.push(LeftOutColumn { column: name, reason: "empty in every row".into() });
                    continue;
                }
                return Err(MlError::cannot(
                    format!("the column '{name}' holds {} values, which cannot be used as a feature", s.dtype()),
                    "leave it out of the features, or convert it in a flow",
                ));
            };
            if let Some(r) = reason(s, Some(kind))? {
                if r.starts_with("empty") {
                    warnings.push(format!("'{name}' is empty in every row and was left out"));
                    left_out.push(LeftOutColumn { column: name, reason: r });
                    continue;
                }
                if r.starts_with("an identifier") {
                    warnings.push(format!("'{name}' looks like {r}; it is used because it was chosen"));
                }
            }
            features.push(name);
            kinds.push(kind);
            continue;
        }
        match (reason(s, kind)?, kind) {
            (None, Some(kind)) => {
                features.push(name);
                kinds.push(kind);
            }
            (Some(reason), _) => left_out.push(LeftOutColumn { column: name, reason }),
            (None, None) => {}
        }
    }
    if features.is_empty() {
        let why = if left_out.is_empty() {
            String::new()
        } else {
            format!(" (left out: {})", left_out.iter().map(|l| format!("'{}' — {}", l.column, l.reason)).collect::<Vec<_>>().join("; "))
        };
        return Err(MlError::cannot(format!("there are no features to learn from{why}"), "choose at least one feature column"));
    }
    Ok((features, kinds, left_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names() {
        for n in ["encounter_id", "patient_nbr", "customerId", "order_no", "ID", "id"] {
            assert!(key_name(n), "{n}");
        }
        for n in ["idle", "width", "number_of_rooms", "paid"] {
            assert!(!key_name(n), "{n}");
        }
    }

    #[test]
    fn keys() {
        // A row number, a named id, a shared key, but not a near-unique measurement.
        assert_eq!(key_kind("row", KeyShape::Int { dense: true }, 1000, 1000), Some(Key::Unique));
        assert_eq!(key_kind("encounter_id", KeyShape::Int { dense: false }, 1000, 1000), Some(Key::Unique));
        assert_eq!(key_kind("patient_nbr", KeyShape::Int { dense: false }, 101_766, 71_518), Some(Key::Shared));
        assert_eq!(key_kind("fnlwgt", KeyShape::Int { dense: false }, 3000, 2990), None);
        assert_eq!(key_kind("LotArea", KeyShape::Int { dense: false }, 1460, 1073), None);
        assert_eq!(key_kind("name", KeyShape::Text, 60, 60), Some(Key::Unique));
        assert_eq!(key_kind("price", KeyShape::Other, 60, 60), None);
        assert!(dense(1.0, 1000.0, 1000) && !dense(12_522.0, 443_867_515.0, 101_766));
    }
}
