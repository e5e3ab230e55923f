//! SageMaker Model Monitor's six constraint checks over a current batch, written as `constraint_violations.json`.
//!
//! Distances are deequ's (`analyzers/Distance.scala`): `linf_simple` = max |CDF₁ − CDF₂| (numbers: over every
//! value of either batch, from the baseline's exact value counts rather than a KLL sketch; categories: over
//! relative frequencies) and `linf_robust` = max(0, linf_simple − 1.8·√((n+m)/(n·m))).
//!
//! Data types: the baseline type is met by a value of that type; `Fractional` is also met by integers, and a
//! whole-number float meets `Integral` (pandas and Parquet store an integer column with blanks as floats).
//! String values are typed by what they parse as, so a column whose type changed shows as a data type violation.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MonitorError;
use crate::baseline::Baseline;
use crate::sagemaker::{CategoricalDriftMethod, ComparisonMethod, InferredType, Toggle};
use crate::stattests::joint_counts;
use crate::summary::{ColumnSummary, Values};

/// One violation, as SageMaker writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    pub feature_name: String,
    pub constraint_check_type: CheckType,
    pub description: String,
}

/// SageMaker's check names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckType {
    DataTypeCheck,
    CompletenessCheck,
    BaselineDriftCheck,
    MissingColumnCheck,
    ExtraColumnCheck,
    CategoricalValuesCheck,
}

/// `constraint_violations.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Violations {
    pub violations: Vec<Violation>,
}

/// `linf_simple` of two numeric value-count summaries: the largest gap between their CDFs.
pub fn linf_numeric(a: &[f64], ac: &[u64], b: &[f64], bc: &[u64]) -> f64 {
    let (n, m) = (ac.iter().sum::<u64>() as f64, bc.iter().sum::<u64>() as f64);
    let (mut i, mut j, mut ca, mut cb, mut worst) = (0, 0, 0u64, 0u64, 0.0f64);
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(p), Some(q)) => p.min(*q),
            (Some(p), None) => *p,
            (None, Some(q)) => *q,
            (None, None) => break,
        };
        if a.get(i) == Some(&x) {
            ca += ac[i];
            i += 1;
        }
        if b.get(j) == Some(&x) {
            cb += bc[j];
            j += 1;
        }
        worst = worst.max((ca as f64 / n - cb as f64 / m).abs());
    }
    worst
}

/// `linf_simple` of two category-count lists aligned by category: the largest gap between relative frequencies.
pub fn linf_categorical(counts: &[(u64, u64)]) -> f64 {
    let (n, m) = counts.iter().fold((0u64, 0u64), |(x, y), (a, b)| (x + a, y + b));
    counts.iter().map(|(a, b)| (*a as f64 / n as f64 - *b as f64 / m as f64).abs()).fold(0.0, f64::max)
}

/// Two summaries' category counts aligned by category (`None` when one holds numbers and the other text).
pub fn joint_category_counts(reference: &Values, current: &Values) -> Option<Vec<(u64, u64)>> {
    joint_counts(reference, current)
}

/// deequ's robust correction of `linf_simple` for samples of `n` and `m` values.
pub fn linf_robust(linf_simple: f64, n: u64, m: u64) -> f64 {
    let (n, m) = (n as f64, m as f64);
    (linf_simple - 1.8 * ((n + m) / (n * m)).sqrt()).max(0.0)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Checks a current batch against a baseline's constraints.
pub fn check(baseline: &Baseline, current: &DataFrame) -> Result<Violations, MonitorError> {
    if current.height() == 0 {
        return Err(MonitorError::EmptyWindow);
    }
    Ok(check_summaries(baseline, &crate::summary::summarize(current)?))
}

/// Checks current column summaries against a baseline's constraints.
pub fn check_summaries(baseline: &Baseline, current: &[ColumnSummary]) -> Violations {
    let cfg = &baseline.constraints.monitoring_config;
    let mut out = Vec::new();
    let mut push = |name: &str, check: CheckType, description: String| {
        out.push(Violation { feature_name: name.to_string(), constraint_check_type: check, description })
    };
    if cfg.evaluate_constraints == Toggle::Disabled {
        return Violations::default();
    }
    let expected_cols = baseline.constraints.features.len();
    for f in &baseline.constraints.features {
        let Some(cur) = current.iter().find(|c| c.name == f.name) else {
            push(
                &f.name,
                CheckType::MissingColumnCheck,
                format!(
                    "There are missing columns in current dataset. Number of columns in current dataset: {}, Number of columns in baseline constraints: {expected_cols}. Column '{}' is missing.",
                    current.len(),
                    f.name
                ),
            );
            continue;
        };
        // Data type.
        let present = cur.present();
        if present > 0 && f.inferred_type != InferredType::Unknown {
            let matching = matching_type(cur, f.inferred_type);
            let share = matching as f64 / present as f64;
            if share < cfg.datatype_check_threshold {
                push(
                    &f.name,
                    CheckType::DataTypeCheck,
                    format!(
                        "Data type match requirement is not met. Expected data type: {}, Expected match: {}. Observed: Only {} of data is {}.",
                        f.inferred_type.as_str(),
                        pct(cfg.datatype_check_threshold),
                        pct(share),
                        f.inferred_type.as_str()
                    ),
                );
            }
        }
        // Completeness.
        if let Some(expected) = f.completeness {
            let observed = if cur.rows == 0 { 0.0 } else { present as f64 / cur.rows as f64 };
            if observed < expected {
                push(
                    &f.name,
                    CheckType::CompletenessCheck,
                    format!(
                        "Data completeness requirement is not met. Expected completeness: {}, Observed: Only {} of data is present ({} of {} rows missing).",
                        pct(expected),
                        pct(observed),
                        cur.missing,
                        cur.rows
                    ),
                );
            }
        }
        // Categorical domain.
        if let (Some(sc), Values::Strings { values, counts }) = (&f.string_constraints, &cur.values)
            && present > 0
        {
            let mut outside: Vec<(&String, u64)> = Vec::new();
            let mut inside = 0u64;
            for (v, k) in values.iter().zip(counts) {
                if sc.domains.binary_search(v).is_ok() || sc.domains.contains(v) {
                    inside += k;
                } else {
                    outside.push((v, *k));
                }
            }
            let share = inside as f64 / present as f64;
            if share < cfg.domain_content_threshold {
                outside.sort_by_key(|b| std::cmp::Reverse(b.1));
                let shown: Vec<String> = outside.iter().take(5).map(|(v, k)| format!("'{v}' ({k})")).collect();
                push(
                    &f.name,
                    CheckType::CategoricalValuesCheck,
                    format!(
                        "Value list requirement is not met. Expected: {} values in the domain, Observed: Only {} of values are in the domain. New values: {}{}.",
                        pct(cfg.domain_content_threshold),
                        pct(share),
                        shown.join(", "),
                        if outside.len() > 5 { format!(" and {} more", outside.len() - 5) } else { String::new() }
                    ),
                );
            }
        }
        // Baseline drift.
        let dc = &cfg.distribution_constraints;
        if dc.perform_comparison == Toggle::Enabled
            && present > 0
            && let Some(reference) = baseline.reference.iter().find(|r| r.name == f.name)
            && reference.present() > 0
        {
            let (n, m) = (reference.present(), present);
            let drift = match (&reference.values, &cur.values) {
                (Values::Numbers { values: a, counts: ac }, Values::Numbers { values: b, counts: bc }) => {
                    let simple = linf_numeric(a, ac, b, bc);
                    let d = match dc.comparison_method {
                        ComparisonMethod::Simple => simple,
                        ComparisonMethod::Robust => linf_robust(simple, n, m),
                    };
                    Some((d, dc.comparison_threshold))
                }
                (Values::Strings { .. }, Values::Strings { .. }) => joint_counts(&reference.values, &cur.values).map(|counts| {
                    match dc.categorical_drift_method {
                        CategoricalDriftMethod::LInfinity => (linf_categorical(&counts), dc.categorical_comparison_threshold),
                        // As a distance: 1 − p of the chi-square test, so "exceeds" still means drift.
                        CategoricalDriftMethod::ChiSquared => {
                            (1.0 - crate::stattests::chi_square(&counts), 1.0 - dc.categorical_comparison_threshold)
                        }
                    }
                }),
                _ => None,
            };
            if let Some((d, threshold)) = drift
                && d > threshold
            {
                push(&f.name, CheckType::BaselineDriftCheck, format!("Baseline drift distance: {d} exceeds threshold: {threshold}"));
            }
        }
    }
    for c in current.iter().filter(|c| !baseline.constraints.features.iter().any(|f| f.name == c.name)) {
        push(
            &c.name,
            CheckType::ExtraColumnCheck,
            format!(
                "There are extra columns in current dataset. Number of columns in current dataset: {}, Number of columns in baseline constraints: {expected_cols}. Column '{}' is not in the baseline.",
                current.len(),
                c.name
            ),
        );
    }
    Violations { violations: out }
}

/// How many present values of a column meet an expected SageMaker type.
fn matching_type(c: &ColumnSummary, expected: InferredType) -> u64 {
    match &c.values {
        Values::Numbers { values, counts } => match (expected, c.storage) {
            (InferredType::String, _) => 0,
            (InferredType::Fractional, _) => c.present(),
            (_, crate::summary::Storage::Float) => values.iter().zip(counts).filter(|(v, _)| v.fract() == 0.0).map(|(_, k)| k).sum(),
            _ => c.present(),
        },
        Values::Strings { values, counts } => values
            .iter()
            .zip(counts)
            .filter(|(v, _)| match expected {
                InferredType::Integral => v.trim().parse::<i64>().is_ok(),
                InferredType::Fractional => v.trim().parse::<f64>().is_ok(),
                _ => true,
            })
            .map(|(_, k)| k)
            .sum(),
    }
}
