//! The insights report: what a dataset holds for a chosen target, on the full data. Built by
//! cairn-insights, saved as `insights.json` (this type) and `insights.html`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{DType, Histogram, Importance, Task};

/// Bumped when the report's shape changes, so cached reports are recomputed.
pub const INSIGHTS_FORMAT: u32 = 1;

/// What to analyse: a target column, or a binary target derived as `column = value`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[schema(example = json!({"target": "readmitted", "equals": "<30"}))]
pub struct InsightsRequest {
    /// The target column.
    pub target: String,
    /// When given, the target is `target = equals` (true/false), e.g. `readmitted = <30`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub equals: Option<String>,
    /// None: classification for text, true/false and few-valued whole numbers; regression otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub task: Option<Task>,
}

/// Why a column deserves a look. Each flag comes with a reason in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum ColumnFlag {
    /// Missing in every row.
    Empty,
    /// Missing in at least half of the rows.
    MostlyMissing,
    /// Missing in some rows (at least 5%).
    Missing,
    /// One value in every row that has one.
    Constant,
    /// One value in at least 99% of the rows.
    NearConstant,
    /// Text with more distinct values than a model can one-hot encode.
    HighCardinality,
    /// A key: unique per row, or a key shared by a few rows each (a patient, a customer).
    Identifier,
    /// A numeric column with a long tail (|skewness| above 2).
    Skewed,
    /// Predicts the target almost perfectly on its own (AUC or R² above 0.95).
    Leakage,
    /// The column the target is derived from.
    TargetSource,
    /// Strongly collinear with other numeric columns (VIF above 10).
    Collinear,
    /// Text whose values are nearly all numbers: a few placeholders (`-`, `n/a`) kept it from being numeric.
    NumericAsText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlagReason {
    pub flag: ColumnFlag,
    pub reason: String,
}

/// One column's quality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ColumnQuality {
    pub name: String,
    pub dtype: DType,
    pub missing_pct: f64,
    #[ts(type = "number")]
    pub distinct: u64,
    /// Distinct values per non-missing row (1 for a key unique per row).
    pub distinct_ratio: f64,
    /// Share of the non-missing rows holding the most frequent value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub top_share: Option<f64>,
    /// Sample skewness of numeric columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub skewness: Option<f64>,
    pub flags: Vec<FlagReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ClassShare {
    pub value: String,
    #[ts(type = "number")]
    pub count: u64,
    pub share: f64,
}

/// The target and its distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct TargetSummary {
    /// As shown: `readmitted`, or `readmitted = <30` for a derived target.
    pub name: String,
    /// The column it is read from.
    pub column: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub equals: Option<String>,
    pub task: Task,
    /// Rows with a target value (the rows analysed).
    #[ts(type = "number")]
    pub rows: u64,
    /// Rows without one, left out.
    #[ts(type = "number")]
    pub missing: u64,
    /// Classification: classes with counts, most frequent first.
    pub classes: Vec<ClassShare>,
    /// Binary: the class scored (the derived target's `true`, else the minority class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub positive_class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub positive_rate: Option<f64>,
    /// Majority class count over minority class count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub imbalance_ratio: Option<f64>,
    /// The smallest class holds under 20% of the rows.
    pub imbalanced: bool,
    /// Regression: the target's histogram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub histogram: Option<Histogram>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub skewness: Option<f64>,
}

/// How well one feature alone predicts the target, measured on held-out folds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct LeakageScore {
    pub feature: String,
    /// `roc_auc` (classification; one-vs-rest mean for several classes) or `r2` (regression).
    pub metric: String,
    pub score: f64,
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CorrelationPair {
    pub a: String,
    pub b: String,
    pub r: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct VifScore {
    pub column: String,
    /// None when the column is an exact combination of the others (infinite VIF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub vif: Option<f64>,
    pub flagged: bool,
}

/// Pearson correlations between numeric columns (pairwise complete rows) and variance inflation factors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Correlations {
    pub columns: Vec<String>,
    /// Row-major, `columns.len()` squared; null where a pair has too few rows or a constant side.
    pub matrix: Vec<Option<f64>>,
    /// The strongest pairs by |r|, strongest first.
    pub top_pairs: Vec<CorrelationPair>,
    pub vif: Vec<VifScore>,
    /// Numeric columns left out of the matrix, with why.
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct LeftOut {
    pub column: String,
    pub reason: String,
}

/// A fast gradient-boosting baseline, cross-validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct QuickModel {
    pub model: String,
    pub folds: u32,
    /// The headline metric (`roc_auc`, `accuracy` for several classes, `r2`) and its mean over folds.
    pub metric: String,
    pub score: f64,
    pub metrics: BTreeMap<String, f64>,
    pub importances: Vec<Importance>,
    pub features: Vec<String>,
    pub left_out: Vec<LeftOut>,
    pub params: BTreeMap<String, String>,
    pub seconds: f64,
}

/// Rows equal to an earlier row: over every column, and ignoring identifier columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Duplicates {
    #[ts(type = "number")]
    pub rows: u64,
    pub share: f64,
    /// Duplicates when identifier columns are ignored (the same record under two keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub rows_ignoring_ids: Option<u64>,
    pub ignored: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct InsightsReport {
    pub format: u32,
    pub dataset_id: String,
    pub dataset_name: String,
    pub version: String,
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub columns_count: u64,
    pub target: TargetSummary,
    pub columns: Vec<ColumnQuality>,
    pub duplicates: Duplicates,
    /// Every feature, strongest first.
    pub leakage: Vec<LeakageScore>,
    pub correlations: Correlations,
    /// None when the baseline could not be fitted; `quick_model_error` says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub quick_model: Option<QuickModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub quick_model_error: Option<String>,
    /// Findings in words, most important first.
    pub summary: Vec<String>,
    #[ts(type = "number")]
    pub compute_ms: u64,
}
