//! Model Monitor: baselines made from a dataset version and monitoring runs that check a dataset or a file
//! against one (SageMaker Model Monitor's six violation types, Evidently's default per-column drift).
//!
//! A baseline is a folder `<project>/monitoring/baselines/<name>/` holding SageMaker's `statistics.json` and
//! `constraints.json` (edit the latter to change what is checked) and Cairn's exact value counts. A run is a
//! folder `<project>/monitoring/runs/<UTC time>-<id>/` holding `constraint_violations.json`, `drift.json`
//! and `run.json` (the [`MonitorReport`]).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// A baseline just made (or made again) from a dataset's current version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct BaselineInfo {
    /// `<dataset name>-<first 8 characters of the version>`: what `--baseline` takes.
    pub name: String,
    /// The baseline's folder.
    pub path: String,
    /// The dataset's name.
    pub dataset: String,
    pub dataset_id: String,
    /// The dataset version the baseline describes.
    pub version: String,
    #[ts(type = "number")]
    pub rows: u64,
    /// The columns the baseline knows, in the dataset's order.
    pub columns: Vec<String>,
    /// The folder already held a `constraints.json` (perhaps edited by hand); it was kept as it was.
    pub constraints_kept: bool,
}

/// What a monitoring run checks: a dataset of the project (name or id; its current version) or a file
/// (CSV/TSV, Parquet or JSON; a path on this computer, relative paths from the project's folder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum MonitorData {
    Dataset(String),
    File(String),
}

/// One column's drift, with Evidently's default test for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ColumnDriftInfo {
    pub column: String,
    /// `numerical`, `categorical` or `text`, as Evidently types the current data; none for types drift is not
    /// measured on (dates).
    pub kind: Option<String>,
    /// Evidently's test name: `ks`, `wasserstein`, `chisquare`, `z`, `jensenshannon`, `psi`, or a text test.
    pub test: Option<String>,
    /// A p-value (`ks`, `chisquare`, `z`: drift when below the threshold) or a distance (drift when at or above).
    pub score: Option<f64>,
    pub threshold: Option<f64>,
    pub drifted: bool,
    /// Why no score was computed (a column missing on one side, all values missing, a changed type, text).
    pub error: Option<String>,
}

/// One SageMaker constraint violation, as `constraint_violations.json` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ViolationInfo {
    pub feature_name: String,
    /// `data_type_check`, `completeness_check`, `baseline_drift_check`, `missing_column_check`,
    /// `extra_column_check` or `categorical_values_check`.
    pub constraint_check_type: String,
    pub description: String,
}

/// A monitoring run's findings. Drift and violations are findings, not errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct MonitorReport {
    /// The run's folder name, `<YYYYMMDDTHHMMSSZ>-<id>`.
    pub run: String,
    /// The run's folder (constraint_violations.json, drift.json, run.json).
    pub path: String,
    /// The baseline's name and folder.
    pub baseline: String,
    pub baseline_path: String,
    /// What was checked: `dataset <name> (version …)` or the file's path.
    pub data: String,
    #[ts(type = "number")]
    pub rows: u64,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub created_at: i64,
    pub violations: Vec<ViolationInfo>,
    /// Every column of the current data, then the baseline's columns missing from it.
    pub columns: Vec<ColumnDriftInfo>,
    #[ts(type = "number")]
    pub tested_columns: u64,
    #[ts(type = "number")]
    pub drifted_columns: u64,
    /// Drifted columns / tested columns.
    pub share_of_drifted_columns: f64,
    /// The share reached `drift_share`.
    pub dataset_drift: bool,
    /// The share at which the dataset counts as drifted (Evidently's 0.5).
    pub drift_share: f64,
}
