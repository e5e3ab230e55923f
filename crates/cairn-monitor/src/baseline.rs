//! A baseline: SageMaker's statistics and suggested constraints of a reference table, plus the reference's exact
//! per-column value counts ([`ColumnSummary`]) so drift against the baseline needs no reference rows and gives
//! the same values as drift against them.
//!
//! On disk a baseline is a folder: `statistics.json` and `constraints.json` (SageMaker's files, each with a
//! `"cairn": {"format_version": N}` field), `cairn_baseline.json` (the version and each column's counts of rows and
//! missing values) and `reference.parquet` (the distinct values with counts, one row each, column by column). A
//! categorical column keeps its categories; a numeric one its distinct values (all of them: Evidently's KS and
//! Wasserstein need the exact CDF; a 1M-row float column is about 16 MB of Parquet).

use std::path::Path;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MonitorError;
use crate::drift::{ColumnKind, DriftOptions, DriftReport, drift_from_summaries, infer_kind};
use crate::sagemaker::*;
pub use crate::sagemaker::{Constraints, Statistics};
use crate::summary::{ColumnSummary, Storage, Values};

/// The baseline format this Cairn writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// Categorical columns with at most this many categories get a suggested domain.
const MAX_DOMAIN: usize = 1000;

/// A reference table's statistics, suggested constraints and exact value counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// `statistics.json`.
    pub statistics: Statistics,
    /// `constraints.json` (edit it to change what is checked).
    pub constraints: Constraints,
    /// Each reference column's exact value counts.
    pub reference: Vec<ColumnSummary>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    format_version: u32,
    columns: Vec<HeaderColumn>,
}

#[derive(Serialize, Deserialize)]
struct HeaderColumn {
    name: String,
    storage: Storage,
    rows: u64,
    missing: u64,
    non_finite: u64,
    strings: bool,
}

impl Baseline {
    /// Makes a baseline of an in-memory reference table.
    pub fn from_frame(reference: &DataFrame) -> Result<Self, MonitorError> {
        Ok(Self::from_summaries(crate::summary::summarize(reference)?))
    }

    /// Makes a baseline from column summaries (e.g. from [`crate::drift::summarize_lazy`] over a large file).
    pub fn from_summaries(reference: Vec<ColumnSummary>) -> Self {
        let item_count = reference.first().map_or(0, |c| c.rows);
        let meta = || Some(CairnMeta { format_version: FORMAT_VERSION });
        let statistics = Statistics {
            version: 0,
            cairn: meta(),
            dataset: DatasetStats { item_count, extra: Default::default() },
            features: reference.iter().map(feature_stats).collect(),
            extra: Default::default(),
        };
        let constraints = Constraints {
            version: 0,
            cairn: meta(),
            features: reference.iter().map(feature_constraints).collect(),
            monitoring_config: MonitoringConfig::default(),
            extra: Default::default(),
        };
        Self { statistics, constraints, reference }
    }

    /// Drift of a current batch against this baseline, with Evidently's tests (see [`crate::drift`]).
    pub fn drift(&self, current: &DataFrame, options: &DriftOptions) -> Result<DriftReport, MonitorError> {
        if current.height() == 0 {
            return Err(MonitorError::EmptyWindow);
        }
        let cur = crate::summary::summarize(current)?;
        Ok(drift_from_summaries(&self.reference, &cur, options))
    }

    /// Writes the baseline's four files into `dir` (created if needed).
    pub fn write_dir(&self, dir: &Path) -> Result<(), MonitorError> {
        let io = |what: &str, e: String| MonitorError::Invalid { what: format!("{}/{what}", dir.display()), message: e };
        std::fs::create_dir_all(dir).map_err(|e| io("", e.to_string()))?;
        let json = |name: &str, v: &dyn erased::Json| -> Result<(), MonitorError> {
            std::fs::write(dir.join(name), v.to_json().map_err(|e| io(name, e.to_string()))?).map_err(|e| io(name, e.to_string()))
        };
        json("statistics.json", &self.statistics)?;
        json("constraints.json", &self.constraints)?;
        let header = Header {
            format_version: FORMAT_VERSION,
            columns: self
                .reference
                .iter()
                .map(|c| HeaderColumn {
                    name: c.name.clone(),
                    storage: c.storage,
                    rows: c.rows,
                    missing: c.missing,
                    non_finite: c.non_finite,
                    strings: matches!(c.values, Values::Strings { .. }),
                })
                .collect(),
        };
        json("cairn_baseline.json", &header)?;
        let (mut col, mut num, mut text, mut count) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for c in &self.reference {
            match &c.values {
                Values::Numbers { values, counts } => {
                    for (v, n) in values.iter().zip(counts) {
                        col.push(c.name.as_str());
                        num.push(Some(*v));
                        text.push(None);
                        count.push(*n);
                    }
                }
                Values::Strings { values, counts } => {
                    for (v, n) in values.iter().zip(counts) {
                        col.push(c.name.as_str());
                        num.push(None);
                        text.push(Some(v.as_str()));
                        count.push(*n);
                    }
                }
            }
        }
        let mut df = DataFrame::new_infer_height(vec![
            Column::new("column".into(), col),
            Column::new("number".into(), num),
            Column::new("text".into(), text),
            Column::new("count".into(), count),
        ])
        .map_err(|e| io("reference.parquet", e.to_string()))?;
        let file = std::fs::File::create(dir.join("reference.parquet")).map_err(|e| io("reference.parquet", e.to_string()))?;
        ParquetWriter::new(file).finish(&mut df).map_err(|e| io("reference.parquet", e.to_string()))?;
        Ok(())
    }

    /// Reads a baseline folder written by [`Baseline::write_dir`]; a newer format is refused.
    pub fn read_dir(dir: &Path) -> Result<Self, MonitorError> {
        let path = |name: &str| dir.join(name);
        let header: Header = read_json(&path("cairn_baseline.json"))?;
        check_version(header.format_version)?;
        let statistics =
            read_statistics(&std::fs::read_to_string(path("statistics.json")).map_err(|e| invalid(&path("statistics.json"), e))?)?;
        let constraints =
            read_constraints(&std::fs::read_to_string(path("constraints.json")).map_err(|e| invalid(&path("constraints.json"), e))?)?;
        let pq = path("reference.parquet");
        let file = std::fs::File::open(&pq).map_err(|e| invalid(&pq, e))?;
        let df = ParquetReader::new(file).finish().map_err(|e| invalid(&pq, e))?;
        let get = |name: &str| df.column(name).map_err(|e| invalid(&pq, e));
        let (cols, nums, texts, counts) = (get("column")?.str(), get("number")?.f64(), get("text")?.str(), get("count")?.u64());
        let (cols, nums, texts, counts) = (
            cols.map_err(|e| invalid(&pq, e))?,
            nums.map_err(|e| invalid(&pq, e))?,
            texts.map_err(|e| invalid(&pq, e))?,
            counts.map_err(|e| invalid(&pq, e))?,
        );
        let mut reference: Vec<ColumnSummary> = header
            .columns
            .iter()
            .map(|h| ColumnSummary {
                name: h.name.clone(),
                storage: h.storage,
                rows: h.rows,
                missing: h.missing,
                non_finite: h.non_finite,
                values: if h.strings {
                    Values::Strings { values: vec![], counts: vec![] }
                } else {
                    Values::Numbers { values: vec![], counts: vec![] }
                },
            })
            .collect();
        let mut at = 0usize;
        for i in 0..df.height() {
            let name = cols.get(i).unwrap_or_default();
            if reference.get(at).is_none_or(|c| c.name != name) {
                at = reference.iter().position(|c| c.name == name).ok_or_else(|| MonitorError::Invalid {
                    what: pq.display().to_string(),
                    message: format!("values of column '{name}', which cairn_baseline.json does not list"),
                })?;
            }
            let n = counts.get(i).unwrap_or(0);
            match &mut reference[at].values {
                Values::Numbers { values, counts } => {
                    values.push(nums.get(i).unwrap_or(f64::NAN));
                    counts.push(n);
                }
                Values::Strings { values, counts } => {
                    values.push(texts.get(i).unwrap_or_default().to_string());
                    counts.push(n);
                }
            }
        }
        Ok(Self { statistics, constraints, reference })
    }
}

mod erased {
    pub trait Json {
        fn to_json(&self) -> serde_json::Result<String>;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> serde_json::Result<String> {
            serde_json::to_string_pretty(self)
        }
    }
}

fn invalid(path: &Path, e: impl std::fmt::Display) -> MonitorError {
    MonitorError::Invalid { what: path.display().to_string(), message: e.to_string() }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, MonitorError> {
    let text = std::fs::read_to_string(path).map_err(|e| invalid(path, e))?;
    // The version is checked before the rest is parsed: a newer format may not parse at all.
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(found) = v.get("format_version").and_then(|f| f.as_u64())
    {
        check_version(found as u32)?;
    }
    serde_json::from_str(&text).map_err(|e| invalid(path, e))
}

fn check_version(found: u32) -> Result<(), MonitorError> {
    if found > FORMAT_VERSION { Err(MonitorError::NewerBaseline { found, supported: FORMAT_VERSION }) } else { Ok(()) }
}

fn cairn_version(text: &str) -> Option<u32> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    v.get("cairn")?.get("format_version")?.as_u64().map(|v| v as u32)
}

/// Parses a `statistics.json` (SageMaker's or Cairn's); one from a newer Cairn is refused.
pub fn read_statistics(text: &str) -> Result<Statistics, MonitorError> {
    if let Some(v) = cairn_version(text) {
        check_version(v)?;
    }
    serde_json::from_str(text).map_err(|e| MonitorError::Invalid { what: "statistics.json".into(), message: e.to_string() })
}

/// Parses a `constraints.json` (SageMaker's or Cairn's); one from a newer Cairn is refused.
pub fn read_constraints(text: &str) -> Result<Constraints, MonitorError> {
    if let Some(v) = cairn_version(text) {
        check_version(v)?;
    }
    serde_json::from_str(text).map_err(|e| MonitorError::Invalid { what: "constraints.json".into(), message: e.to_string() })
}

/// SageMaker's type for a column: numbers by storage; strings by what their values parse as.
pub fn inferred_type(c: &ColumnSummary) -> InferredType {
    match (&c.values, c.storage) {
        (_, Storage::Other) => InferredType::Unknown,
        (Values::Numbers { .. }, Storage::Float) => InferredType::Fractional,
        (Values::Numbers { .. }, _) => InferredType::Integral,
        (Values::Strings { values, .. }, _) => {
            if values.is_empty() {
                InferredType::String
            } else if values.iter().all(|v| v.trim().parse::<i64>().is_ok()) {
                InferredType::Integral
            } else if values.iter().all(|v| v.trim().parse::<f64>().is_ok()) {
                InferredType::Fractional
            } else {
                InferredType::String
            }
        }
    }
}

fn feature_stats(c: &ColumnSummary) -> FeatureStats {
    let common = Common { num_present: c.present(), num_missing: c.missing };
    let inferred = inferred_type(c);
    let (numerical_statistics, string_statistics) = match &c.values {
        Values::Numbers { values, counts } if !values.is_empty() => {
            let n = c.present() as f64;
            let sum: f64 = values.iter().zip(counts).map(|(v, k)| v * *k as f64).sum();
            let std = crate::stattests::population_std(values, counts);
            let (min, max) = (values[0], values[values.len() - 1]);
            let buckets = kll_buckets(values, counts, min, max);
            let quantiles = (0..=100).map(|q| quantile(values, counts, q as f64 / 100.0)).collect();
            let sketch = KllSketch { parameters: KllParameters { c: 0.64, k: 2048.0 }, data: vec![quantiles] };
            let distribution = Some(NumericalDistribution { kll: Kll { buckets, sketch: Some(sketch) } });
            (Some(NumericalStats { common, mean: sum / n, sum, std_dev: std, min, max, distribution, extra: Default::default() }), None)
        }
        Values::Numbers { .. } => (
            Some(NumericalStats {
                common,
                mean: 0.0,
                sum: 0.0,
                std_dev: 0.0,
                min: 0.0,
                max: 0.0,
                distribution: None,
                extra: Default::default(),
            }),
            None,
        ),
        Values::Strings { values, counts } => {
            let buckets = values.iter().zip(counts).map(|(v, k)| CategoryBucket { value: v.clone(), count: *k }).collect();
            let distribution = Some(StringDistribution { categorical: Categorical { buckets } });
            (None, Some(StringStats { common, distinct_count: values.len() as f64, distribution, extra: Default::default() }))
        }
    };
    FeatureStats { name: c.name.clone(), inferred_type: inferred, numerical_statistics, string_statistics, extra: Default::default() }
}

/// Ten equal-width buckets over `[min, max]`, the last closed (deequ's KLL bucket layout).
fn kll_buckets(values: &[f64], counts: &[u64], min: f64, max: f64) -> Vec<KllBucket> {
    const N: usize = 10;
    let width = (max - min) / N as f64;
    let mut out: Vec<KllBucket> = (0..N)
        .map(|i| KllBucket {
            lower_bound: min + i as f64 * width,
            upper_bound: if i + 1 == N { max } else { min + (i + 1) as f64 * width },
            count: 0.0,
        })
        .collect();
    for (v, k) in values.iter().zip(counts) {
        let i = if width > 0.0 { (((v - min) / width) as usize).min(N - 1) } else { 0 };
        out[i].count += *k as f64;
    }
    out
}

/// The exact `q` quantile (the lower value at a rank, as a sketch reports it).
pub(crate) fn quantile(values: &[f64], counts: &[u64], q: f64) -> f64 {
    let n: u64 = counts.iter().sum();
    let rank = ((q * n as f64).ceil() as u64).max(1);
    let mut seen = 0;
    for (v, k) in values.iter().zip(counts) {
        seen += k;
        if seen >= rank {
            return *v;
        }
    }
    values.last().copied().unwrap_or(f64::NAN)
}

fn feature_constraints(c: &ColumnSummary) -> FeatureConstraints {
    let inferred = inferred_type(c);
    let completeness = if c.rows > 0 { Some(c.present() as f64 / c.rows as f64) } else { None };
    let num_constraints = match &c.values {
        Values::Numbers { values, .. } => Some(NumConstraints { is_non_negative: values.first().is_none_or(|v| *v >= 0.0) }),
        Values::Strings { .. } => None,
    };
    let string_constraints = match &c.values {
        Values::Strings { values, .. } if infer_kind(c) == Some(ColumnKind::Categorical) && values.len() <= MAX_DOMAIN => {
            Some(StringConstraints { domains: values.clone() })
        }
        _ => None,
    };
    FeatureConstraints {
        name: c.name.clone(),
        inferred_type: inferred,
        completeness,
        num_constraints,
        string_constraints,
        extra: Default::default(),
    }
}
