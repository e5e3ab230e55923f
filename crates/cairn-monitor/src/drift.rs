//! Per-column data drift with Evidently 0.7.23's `DataDriftPreset` defaults, and the dataset drift share.
//!
//! The test for a column follows `_get_default_stattest` (evidently/legacy/calculations/stattests/registry.py):
//!
//! | column type (from the current data) | reference ≤ 1000 values | reference > 1000 values |
//! |---|---|---|
//! | numerical, > 5 distinct values in reference + current | `ks` (p ≤ 0.05) | `wasserstein` normed (≥ 0.1) |
//! | numerical, ≤ 5 distinct | `chisquare` (3–5 values), `z` (≤ 2), p < 0.05 | `jensenshannon` (≥ 0.1) |
//! | categorical | `chisquare` (> 2 values), `z` (≤ 2), p < 0.05 | `jensenshannon` (≥ 0.1) |
//! | text | `perc_text_content_drift` | `abs_text_content_drift` |
//!
//! The column type comes from the current data only, as `evidently.core.datasets.infer_column_type`: floats are
//! numerical; integers are categorical with at most 10 distinct values, else numerical (and an integer column with
//! missing values is numerical, as pandas reads it as floats); booleans are categorical; strings are text when
//! their distinct values exceed half the non-missing rows, else categorical. Null, NaN and ±inf are dropped from
//! both sides before testing; "reference size" is the count left.
//!
//! Not done: Evidently's text test trains a domain classifier (TF-IDF and a linear model from scikit-learn), which
//! is not reproduced; a text column is reported with its test name and no score, and is left out of the drift
//! share. Everything else is computed from [`ColumnSummary`]s, so a stored baseline gives the same values as the
//! reference rows it was made from.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MonitorError;
use crate::stattests::{self, joint_counts};
use crate::summary::{ColumnSummary, Storage, Values};

/// Evidently's `INTEGER_CARDINALITY_LIMIT`.
const INTEGER_CARDINALITY_LIMIT: usize = 10;

/// How a column is tested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Numbers compared as a distribution.
    Numerical,
    /// Values compared as categories.
    Categorical,
    /// Free text.
    Text,
}

/// A drift test, named as Evidently names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatTest {
    /// Two-sample Kolmogorov–Smirnov p-value.
    #[serde(rename = "ks")]
    Ks,
    /// Wasserstein distance divided by the reference's standard deviation.
    #[serde(rename = "wasserstein")]
    Wasserstein,
    /// Chi-square p-value.
    #[serde(rename = "chisquare")]
    ChiSquare,
    /// Two-proportion Z-test p-value.
    #[serde(rename = "z")]
    Z,
    /// Jensen–Shannon distance (natural log).
    #[serde(rename = "jensenshannon")]
    JensenShannon,
    /// Population stability index (only on request).
    #[serde(rename = "psi")]
    Psi,
    /// Evidently's text classifier test on a small reference (not computed here).
    #[serde(rename = "perc_text_content_drift")]
    PercTextContent,
    /// Evidently's text classifier test on a large reference (not computed here).
    #[serde(rename = "abs_text_content_drift")]
    AbsTextContent,
}

impl StatTest {
    /// Evidently's name for the test.
    pub fn name(self) -> &'static str {
        match self {
            StatTest::Ks => "ks",
            StatTest::Wasserstein => "wasserstein",
            StatTest::ChiSquare => "chisquare",
            StatTest::Z => "z",
            StatTest::JensenShannon => "jensenshannon",
            StatTest::Psi => "psi",
            StatTest::PercTextContent => "perc_text_content_drift",
            StatTest::AbsTextContent => "abs_text_content_drift",
        }
    }

    /// Evidently's default threshold.
    pub fn default_threshold(self) -> f64 {
        match self {
            StatTest::Ks | StatTest::ChiSquare | StatTest::Z => 0.05,
            StatTest::Wasserstein | StatTest::JensenShannon | StatTest::Psi => 0.1,
            StatTest::PercTextContent | StatTest::AbsTextContent => 0.95,
        }
    }

    /// Whether the score is a p-value (drift when small) rather than a distance (drift when large).
    pub fn is_p_value(self) -> bool {
        matches!(self, StatTest::Ks | StatTest::ChiSquare | StatTest::Z)
    }

    fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            // KS uses `<=`, chi-square and Z `<`: copied from each test's source.
            StatTest::Ks => score <= threshold,
            StatTest::ChiSquare | StatTest::Z => score < threshold,
            _ => score >= threshold,
        }
    }
}

/// What to override of the defaults.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DriftOptions {
    /// One test for every numerical and categorical column (e.g. [`StatTest::Psi`]); `None` picks per column.
    pub method: Option<StatTest>,
    /// One threshold for every column; `None` uses each test's default.
    pub threshold: Option<f64>,
    /// The share of drifted columns at which the dataset counts as drifted (Evidently: 0.5).
    pub drift_share: f64,
}

impl Default for DriftOptions {
    fn default() -> Self {
        Self { method: None, threshold: None, drift_share: 0.5 }
    }
}

/// One column's drift result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// The column.
    pub column: String,
    /// How it was typed (from the current data); `None` when it could not be (e.g. dates).
    pub kind: Option<ColumnKind>,
    /// The test run.
    pub test: Option<StatTest>,
    /// The score (p-value or distance); `None` when not computed.
    pub score: Option<f64>,
    /// The threshold applied.
    pub threshold: Option<f64>,
    /// Whether the column drifted.
    pub drifted: bool,
    /// Why no score was computed, naming the column and what to do.
    pub error: Option<String>,
}

/// The drift of every column and of the dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// One entry per column of the current data (and per reference column missing from it).
    pub columns: Vec<ColumnDrift>,
    /// Columns with a score.
    pub tested_columns: usize,
    /// Of those, the drifted ones.
    pub drifted_columns: usize,
    /// `drifted_columns / tested_columns` (0 when nothing was tested).
    pub share_of_drifted_columns: f64,
    /// Whether the share reached `drift_share`.
    pub dataset_drift: bool,
    /// The share threshold used.
    pub drift_share: f64,
}

/// The type Evidently gives a column, from the current data's summary.
pub fn infer_kind(current: &ColumnSummary) -> Option<ColumnKind> {
    match current.storage {
        Storage::Float => Some(ColumnKind::Numerical),
        Storage::Int if current.missing > 0 => Some(ColumnKind::Numerical),
        Storage::Int if current.distinct() <= INTEGER_CARDINALITY_LIMIT => Some(ColumnKind::Categorical),
        Storage::Int => Some(ColumnKind::Numerical),
        Storage::Bool => Some(ColumnKind::Categorical),
        Storage::String if current.distinct() as f64 > current.present() as f64 * 0.5 => Some(ColumnKind::Text),
        Storage::String => Some(ColumnKind::Categorical),
        Storage::Other => None,
    }
}

/// Drift of one column from the summaries of its reference and current values.
pub fn column_drift(reference: &ColumnSummary, current: &ColumnSummary, options: &DriftOptions) -> ColumnDrift {
    let name = current.name.clone();
    let kind = infer_kind(current);
    let fail = |kind, test, error: String| ColumnDrift {
        column: name.clone(),
        kind,
        test,
        score: None,
        threshold: None,
        drifted: false,
        error: Some(error),
    };
    let Some(kind) = kind else {
        return fail(None, None, format!("column '{name}' has a type drift is not measured on (dates, lists); leave it out"));
    };
    if matches!(reference.values, Values::Strings { .. }) != matches!(current.values, Values::Strings { .. }) {
        let (was, is) = if matches!(reference.values, Values::Strings { .. }) { ("text", "numbers") } else { ("numbers", "text") };
        return fail(
            Some(kind),
            None,
            format!(
                "column '{name}' changed type: the reference holds {was}, the current data {is}; convert it back or make a new baseline"
            ),
        );
    }
    if reference.present() == 0 {
        return fail(Some(kind), None, format!("column '{name}' has no values in the reference (all missing)"));
    }
    if current.present() == 0 {
        return fail(Some(kind), None, format!("column '{name}' has no values in the current data (all {} rows missing)", current.rows));
    }
    let n_ref = reference.present();
    let Some(counts) = joint_counts(&reference.values, &current.values) else {
        return fail(Some(kind), None, format!("column '{name}' changed type between reference and current data"));
    };
    let n_values = counts.len();
    let test = match (options.method, kind) {
        (_, ColumnKind::Text) => {
            let test = if n_ref > 1000 { StatTest::AbsTextContent } else { StatTest::PercTextContent };
            return fail(
                Some(kind),
                Some(test),
                format!("column '{name}' is text: Evidently's text drift test (a trained classifier) is not computed"),
            );
        }
        (Some(m), _) => m,
        (None, ColumnKind::Numerical) if n_ref <= 1000 => match n_values {
            0..=2 => StatTest::Z,
            3..=5 => StatTest::ChiSquare,
            _ => StatTest::Ks,
        },
        (None, ColumnKind::Categorical) if n_ref <= 1000 => {
            if n_values > 2 {
                StatTest::ChiSquare
            } else {
                StatTest::Z
            }
        }
        (None, ColumnKind::Numerical) if n_values > 5 => StatTest::Wasserstein,
        (None, _) => StatTest::JensenShannon,
    };
    let numeric = |v: &Values| match v {
        Values::Numbers { values, counts } => Some((values.clone(), counts.clone())),
        Values::Strings { .. } => None,
    };
    let score = match test {
        StatTest::ChiSquare => Some(stattests::chi_square(&counts)),
        StatTest::Z => Some(stattests::z_test(&counts)),
        StatTest::JensenShannon => Some(stattests::jensen_shannon(&counts)),
        StatTest::Psi => {
            let integer =
                reference.storage == Storage::Int && current.storage == Storage::Int && reference.missing == 0 && current.missing == 0;
            stattests::psi(&reference.values, &current.values, kind == ColumnKind::Numerical, integer)
        }
        StatTest::Ks | StatTest::Wasserstein => match (numeric(&reference.values), numeric(&current.values)) {
            (Some((rv, rc)), Some((cv, cc))) => {
                Some(if test == StatTest::Ks { stattests::ks(&rv, &rc, &cv, &cc) } else { stattests::wasserstein_norm(&rv, &rc, &cv, &cc) })
            }
            _ => None,
        },
        StatTest::PercTextContent | StatTest::AbsTextContent => None,
    };
    let Some(score) = score else {
        return fail(Some(kind), Some(test), format!("column '{name}': test {} needs numbers", test.name()));
    };
    let threshold = options.threshold.unwrap_or(test.default_threshold());
    ColumnDrift {
        column: name,
        kind: Some(kind),
        test: Some(test),
        score: Some(score),
        threshold: Some(threshold),
        drifted: test.drifted(score, threshold),
        error: None,
    }
}

/// Drift of every column of `current` against reference summaries (a stored baseline's or freshly made ones).
/// A reference column missing from the current data, or a current column the reference lacks, is reported with an
/// error naming it and not tested.
pub fn drift_from_summaries(reference: &[ColumnSummary], current: &[ColumnSummary], options: &DriftOptions) -> DriftReport {
    use rayon::prelude::*;
    let mut columns: Vec<ColumnDrift> = current
        .par_iter()
        .map(|cur| match reference.iter().find(|r| r.name == cur.name) {
            Some(r) => column_drift(r, cur, options),
            None => ColumnDrift {
                column: cur.name.clone(),
                kind: infer_kind(cur),
                test: None,
                score: None,
                threshold: None,
                drifted: false,
                error: Some(format!("column '{}' is not in the reference; add it to the baseline or drop it", cur.name)),
            },
        })
        .collect();
    for r in reference.iter().filter(|r| !current.iter().any(|c| c.name == r.name)) {
        columns.push(ColumnDrift {
            column: r.name.clone(),
            kind: None,
            test: None,
            score: None,
            threshold: None,
            drifted: false,
            error: Some(format!("column '{}' is missing from the current data", r.name)),
        });
    }
    finish(columns, options)
}

fn finish(columns: Vec<ColumnDrift>, options: &DriftOptions) -> DriftReport {
    let tested = columns.iter().filter(|c| c.score.is_some()).count();
    let drifted = columns.iter().filter(|c| c.drifted).count();
    let share = if tested == 0 { 0.0 } else { drifted as f64 / tested as f64 };
    DriftReport {
        columns,
        tested_columns: tested,
        drifted_columns: drifted,
        share_of_drifted_columns: share,
        dataset_drift: tested > 0 && share >= options.drift_share,
        drift_share: options.drift_share,
    }
}

/// Drift of `current` against `reference`, both in memory.
pub fn drift(reference: &DataFrame, current: &DataFrame, options: &DriftOptions) -> Result<DriftReport, MonitorError> {
    if current.height() == 0 {
        return Err(MonitorError::EmptyWindow);
    }
    let r = crate::summary::summarize(reference)?;
    let c = crate::summary::summarize(current)?;
    Ok(drift_from_summaries(&r, &c, options))
}

/// Column reads in flight at once in [`drift_lazy`] and [`summarize_lazy`]. Each read is parallel inside polars
/// already; this bounds memory (a 10M-row column pair is a few hundred MB) rather than sets speed.
const LAZY_COLUMNS_IN_FLIGHT: usize = 2;

/// Drift of two lazily read tables (e.g. `scan_parquet`), one column at a time, so memory holds a column pair per
/// worker rather than both tables: how 10M-row tables fit in a small budget.
pub fn drift_lazy(reference: LazyFrame, current: LazyFrame, options: &DriftOptions) -> Result<DriftReport, MonitorError> {
    let ref_names = schema_names(&reference)?;
    let cur_names = schema_names(&current)?;
    let height = current.clone().select([len()]).collect().ok().and_then(|d| d.columns().first()?.get(0).ok()?.extract::<u64>());
    if height.unwrap_or(0) == 0 {
        return Err(MonitorError::EmptyWindow);
    }
    // Each column pair is summarized, tested and dropped before the next: a numeric column's summary is as big as
    // its distinct values, so holding all of them for 10M rows would not fit. The current side's frame is dropped
    // before the reference side is read.
    let mut columns = per_column(&cur_names, |name| {
        let cur = [summarize_column(&current, name)?];
        if !ref_names.iter().any(|n| n == name) {
            return Ok(drift_from_summaries(&[], &cur, options).columns.remove(0));
        }
        let r = [summarize_column(&reference, name)?];
        Ok(drift_from_summaries(&r, &cur, options).columns.remove(0))
    })?;
    for name in ref_names.iter().filter(|n| !cur_names.contains(n)) {
        columns.push(ColumnDrift {
            column: name.clone(),
            kind: None,
            test: None,
            score: None,
            threshold: None,
            drifted: false,
            error: Some(format!("column '{name}' is missing from the current data")),
        });
    }
    Ok(finish(columns, options))
}

fn schema_names(frame: &LazyFrame) -> Result<Vec<String>, MonitorError> {
    let schema = frame.clone().collect_schema().map_err(|e| MonitorError::Data { column: String::new(), message: e.to_string() })?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// Summaries of a lazy table's columns, reading [`LAZY_COLUMNS_IN_FLIGHT`] columns at a time.
pub fn summarize_lazy(frame: &LazyFrame, names: &[String]) -> Result<Vec<ColumnSummary>, MonitorError> {
    per_column(names, |name| summarize_column(frame, name))
}

fn summarize_column(frame: &LazyFrame, name: &str) -> Result<ColumnSummary, MonitorError> {
    let df =
        frame.clone().select([col(name)]).collect().map_err(|e| MonitorError::Data { column: name.to_string(), message: e.to_string() })?;
    let column = df.columns().first().ok_or_else(|| MonitorError::MissingColumn(name.to_string()))?;
    ColumnSummary::from_series(column.as_materialized_series())
}

/// `f` over every name, in order, on at most [`LAZY_COLUMNS_IN_FLIGHT`] plain threads. Not rayon: a rayon worker
/// that waits for polars' own pool (every `collect` does) runs other queued items of its pool meanwhile, so a
/// `par_iter` over columns started every column's read at once (measured: all 50 of a 10M-row table in flight,
/// 5.8 GB, against 2 here).
fn per_column<T: Send>(names: &[String], f: impl Fn(&str) -> Result<T, MonitorError> + Sync) -> Result<Vec<T>, MonitorError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let workers = LAZY_COLUMNS_IN_FLIGHT.min(names.len()).max(1);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(name) = names.get(i) else { return Ok(done) };
            match f(name) {
                Ok(t) => done.push((i, t)),
                Err(e) => {
                    // The other worker stops at its next column rather than reading the rest for nothing.
                    next.store(names.len(), Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
    };
    let parts: Vec<Result<Vec<(usize, T)>, MonitorError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers).map(|_| s.spawn(work)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(MonitorError::Data {
                        column: String::new(),
                        message: "a column reader stopped unexpectedly (a bug in Cairn)".into(),
                    })
                })
            })
            .collect()
    });
    let mut all = Vec::with_capacity(names.len());
    for part in parts {
        all.extend(part?);
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, t)| t).collect())
}
