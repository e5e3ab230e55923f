//! Per-column quality from the dataset's profile (missing, distinct, top values), plus skewness,
//! which the profile does not hold; and the identifier rule.

use cairn_types::{ColumnFlag, ColumnProfile, ColumnQuality, DType, FlagReason};
use polars::prelude::*;
use rayon::prelude::*;

use crate::fmt::{int, pct};
use crate::target::Target;

/// A text column with more distinct values than this is worth a word: models learn it from its
/// categories' target statistics or its most frequent values, and rare categories say little.
pub(crate) const MAX_CATEGORIES: u64 = 50;
/// A text column is numbers stored as text when at least this share of its values are numbers …
const NUMERIC_SHARE: f64 = 0.8;
/// … and the others are at most this many distinct placeholders (`-`, `n/a`), not codes like `V57`.
const PLACEHOLDERS: usize = 5;
const SKEWED: f64 = 2.0;
const NEAR_CONSTANT: f64 = 0.99;

// The identifier rule is training's (cairn-ml), so the report and the train dialog leave out the same columns.
pub(crate) use cairn_ml::columns::{Key, key_name};
use cairn_ml::columns::{KeyShape, dense};

pub(crate) fn key_kind(p: &ColumnProfile) -> Option<Key> {
    let shape = match p.dtype {
        DType::String => KeyShape::Text,
        DType::Int => {
            let (lo, hi) = p.numeric.as_ref().map_or((0.0, f64::INFINITY), |n| (n.min, n.max));
            KeyShape::Int { dense: dense(lo, hi, p.distinct as usize) }
        }
        _ => KeyShape::Other,
    };
    cairn_ml::columns::key_kind(&p.name, shape, p.count as usize, p.distinct as usize)
}

/// The key kind of a column already analysed (from its quality row).
pub(crate) fn key_kind_of(c: &ColumnQuality) -> Option<Key> {
    if !crate::has(c, ColumnFlag::Identifier) {
        None
    } else if c.distinct_ratio >= 0.95 {
        Some(Key::Unique)
    } else {
        Some(Key::Shared)
    }
}

/// Sample skewness of a numeric column, from the profile's mean and standard deviation.
fn skewness(s: &Series, p: &ColumnProfile) -> Option<f64> {
    let stats = p.numeric.as_ref()?;
    if stats.std == 0.0 || p.distinct <= 2 {
        return None;
    }
    let f = s.cast(&DataType::Float64).ok()?;
    let ca = f.f64().ok()?;
    let (mut n, mut m3) = (0.0f64, 0.0f64);
    for v in ca.iter().flatten().filter(|v| v.is_finite()) {
        let d = v - stats.mean;
        m3 += d * d * d;
        n += 1.0;
    }
    if n < 3.0 {
        return None;
    }
    // The profile's std is the sample one; skewness uses the population moment.
    let pop = stats.std * ((n - 1.0) / n).sqrt();
    Some(m3 / n / pop.powi(3))
}

fn is_number(v: &str) -> bool {
    let t = v.trim();
    !t.is_empty() && t.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The values of a text column that are not numbers, most frequent first, when nearly every other
/// value is one: a column a few placeholders kept from being numeric.
fn placeholders(s: &Series, p: &ColumnProfile) -> Option<Vec<(String, u64)>> {
    if p.dtype != DType::String || p.count == 0 {
        return None;
    }
    // The most frequent values rule most columns out without reading them all.
    let text_top: u64 = p.top.iter().filter(|t| !is_number(&t.value)).map(|t| t.count).sum();
    let text_kinds = p.top.iter().filter(|t| !is_number(&t.value)).count();
    if text_kinds > PLACEHOLDERS || text_top as f64 > (1.0 - NUMERIC_SHARE) * p.count as f64 || text_kinds == p.top.len() && p.other == 0 {
        return None;
    }
    let ca = s.str().ok()?;
    let mut others: Vec<(String, u64)> = Vec::new();
    let mut numbers = 0u64;
    for v in ca.iter().flatten() {
        if is_number(v) {
            numbers += 1;
        } else if let Some(o) = others.iter_mut().find(|o| o.0 == v) {
            o.1 += 1;
        } else if others.len() == PLACEHOLDERS {
            return None;
        } else {
            others.push((v.to_string(), 1));
        }
    }
    if others.is_empty() || (numbers as f64) < NUMERIC_SHARE * p.count as f64 {
        return None;
    }
    others.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Some(others)
}

fn flag(flags: &mut Vec<FlagReason>, flag: ColumnFlag, reason: String) {
    flags.push(FlagReason { flag, reason });
}

pub(crate) fn columns(df: &DataFrame, profile: &[ColumnProfile], target: &Target) -> Vec<ColumnQuality> {
    profile.par_iter().map(|p| column(df, p, target)).collect()
}

fn column(df: &DataFrame, p: &ColumnProfile, target: &Target) -> ColumnQuality {
    let rows = p.count + p.missing;
    let ratio = if p.count > 0 { p.distinct as f64 / p.count as f64 } else { 0.0 };
    let top_share = p.top.first().filter(|_| p.count > 0).map(|t| t.count as f64 / p.count as f64);
    let key = key_kind(p);
    let numeric = matches!(p.dtype, DType::Int | DType::Float);
    let skew = match (numeric, key, df.column(&p.name)) {
        (true, None, Ok(c)) => skewness(c.as_materialized_series(), p),
        _ => None,
    };
    let mut flags = Vec::new();
    if p.name == target.column {
        let reason = match &target.equals {
            Some(_) => format!("the target ({}) is derived from this column: it is left out of the analyses", target.name),
            None => "this is the target".to_string(),
        };
        flag(&mut flags, ColumnFlag::TargetSource, reason);
    }
    if p.count == 0 {
        flag(&mut flags, ColumnFlag::Empty, "missing in every row: drop it".into());
    } else if p.missing_pct >= 50.0 {
        flag(
            &mut flags,
            ColumnFlag::MostlyMissing,
            format!(
                "missing in {} of rows ({} of {}): drop it, or keep only whether it is present",
                pct(p.missing_pct / 100.0),
                int(p.missing),
                int(rows)
            ),
        );
    } else if p.missing_pct >= 5.0 {
        flag(
            &mut flags,
            ColumnFlag::Missing,
            format!(
                "missing in {} of rows ({}): impute, or let a model that handles missing values use it",
                pct(p.missing_pct / 100.0),
                int(p.missing)
            ),
        );
    }
    if p.count > 0 && p.distinct == 1 {
        let value = p.top.first().map(|t| format!(" ('{}')", t.value)).unwrap_or_default();
        flag(&mut flags, ColumnFlag::Constant, format!("one value in every row that has one{value}: it carries no information"));
    } else if let Some(share) = top_share.filter(|s| *s >= NEAR_CONSTANT) {
        let value = p.top.first().map(|t| t.value.clone()).unwrap_or_default();
        flag(
            &mut flags,
            ColumnFlag::NearConstant,
            format!("'{value}' in {} of the rows with a value: the other values are too rare to learn from", pct(share)),
        );
    } else if let Some(n) = p.numeric.as_ref().filter(|n| numeric && n.p01 == n.p99 && p.distinct > 1) {
        flag(
            &mut flags,
            ColumnFlag::NearConstant,
            format!("at least 98% of the rows with a value hold {}: the others are too rare to learn from", crate::fmt::num(n.median)),
        );
    }
    match key {
        Some(Key::Unique) => flag(
            &mut flags,
            ColumnFlag::Identifier,
            format!(
                "{} distinct values in {} rows ({}){}: a row key, not a feature",
                int(p.distinct),
                int(p.count),
                pct(ratio),
                if key_name(&p.name) { ", and an identifier's name" } else { "" }
            ),
        ),
        Some(Key::Shared) => flag(
            &mut flags,
            ColumnFlag::Identifier,
            format!(
                "{} distinct values in {} rows ({:.2} rows per value) and an identifier's name: a key several rows share (one entity's records); not a feature, and rows that share it should stay in the same split (group k-fold)",
                int(p.distinct),
                int(p.count),
                p.count as f64 / p.distinct.max(1) as f64
            ),
        ),
        None => {}
    }
    if key.is_none() && p.dtype == DType::String && p.distinct > MAX_CATEGORIES {
        flag(
            &mut flags,
            ColumnFlag::HighCardinality,
            format!(
                "{} distinct values: models learn it from each category's target mean on the training rows (trees) or its most frequent values (linear models); group rare values in a flow if they should count together",
                int(p.distinct)
            ),
        );
    }
    let text_numbers = if key.is_none() { df.column(&p.name).ok().and_then(|c| placeholders(c.as_materialized_series(), p)) } else { None };
    if let Some(others) = text_numbers {
        let listed = others.iter().map(|(v, n)| format!("'{v}' ({})", int(*n))).collect::<Vec<_>>().join(", ");
        let rest: u64 = others.iter().map(|o| o.1).sum();
        flag(
            &mut flags,
            ColumnFlag::NumericAsText,
            format!(
                "numbers stored as text: {} of its values are numbers, the others are {listed}. If those mean missing, read them as missing (Read as missing when importing, or a Treat values as missing step, then Change type) and the column becomes numeric",
                pct(1.0 - rest as f64 / p.count as f64)
            ),
        );
    }
    if let Some(s) = skew.filter(|s| s.abs() > SKEWED) {
        let side = if s > 0.0 { "right" } else { "left" };
        let fix = if s > 0.0 && p.numeric.as_ref().is_some_and(|n| n.min >= 0.0) { ": a log transform may help linear models" } else { "" };
        flag(&mut flags, ColumnFlag::Skewed, format!("skewness {s:.1}: a long {side} tail{fix}"));
    }
    ColumnQuality {
        name: p.name.clone(),
        dtype: p.dtype,
        missing_pct: p.missing_pct,
        distinct: p.distinct,
        distinct_ratio: ratio,
        top_share,
        skewness: skew,
        flags,
    }
}
