//! Training: what to train (a spec), what models exist (a catalog the train dialog renders), what a
//! finished run shows (an evaluation), and the job that runs it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    Classification,
    Regression,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Logistic regression (classification).
    Logistic,
    /// Ordinary least squares (regression).
    Linear,
    /// Elastic net (regression).
    ElasticNet,
    DecisionTree,
    RandomForest,
    Svm,
    /// Gaussian naive Bayes (classification).
    GaussianNb,
    Knn,
    /// Gradient-boosted trees.
    Gbm,
}

impl ModelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Logistic => "logistic",
            ModelKind::Linear => "linear",
            ModelKind::ElasticNet => "elastic_net",
            ModelKind::DecisionTree => "decision_tree",
            ModelKind::RandomForest => "random_forest",
            ModelKind::Svm => "svm",
            ModelKind::GaussianNb => "gaussian_nb",
            ModelKind::Knn => "knn",
            ModelKind::Gbm => "gbm",
        }
    }

    pub fn parse(s: &str) -> Option<ModelKind> {
        let all = [
            ModelKind::Logistic,
            ModelKind::Linear,
            ModelKind::ElasticNet,
            ModelKind::DecisionTree,
            ModelKind::RandomForest,
            ModelKind::Svm,
            ModelKind::GaussianNb,
            ModelKind::Knn,
            ModelKind::Gbm,
        ];
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        all.into_iter().find(|k| k.as_str() == s)
    }
}

/// How a model is validated. Classification splits are stratified by class. When the data has a split
/// column (a flow's `split` step: "train"/"test"), its test rows are never fitted on: `Auto` trains on
/// its train rows and tests on its test rows; a holdout or k-fold asked for divides its train rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, ToSchema, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Validation {
    /// The data's own split when it has one, otherwise a stratified holdout of a fifth of the rows.
    #[default]
    Auto,
    /// Train on `1 - test_fraction` of the rows, score on the rest.
    Holdout { test_fraction: f64 },
    /// Cross-validation: the metrics are the mean over folds; the saved model is fitted on all rows.
    KFold { folds: u32 },
}

/// Which rows a training fits on and which it scores on, in counts and in words (the train dialog and
/// the run show it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RowsPlan {
    /// "split" (the data's split column), "holdout" or "kfold".
    pub kind: String,
    /// The column marking train and test rows, when the data has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub split_column: Option<String>,
    /// Rows fitted on (k-fold: every fold's rows together).
    #[ts(type = "number")]
    pub train_rows: u64,
    /// Rows scored on (k-fold: each row once, by the fold that left it out).
    #[ts(type = "number")]
    pub test_rows: u64,
    /// Rows used for neither: no target value, or outside the split's train rows.
    #[ts(type = "number")]
    pub unused_rows: u64,
    /// One sentence for people, e.g. "trains on the 81,412 rows marked train in column split and tests on
    /// the 20,354 marked test".
    pub summary: String,
}

/// A column the training leaves out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct LeftOutColumn {
    pub column: String,
    pub reason: String,
}

/// What a training spec would do on its data, checked before anything runs: the train dialog shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct TrainCheck {
    pub task: Task,
    /// The feature columns used, in order.
    pub features: Vec<String>,
    /// Columns left out by default (identifiers, constant or empty columns, the split column), with why.
    pub left_out: Vec<LeftOutColumn>,
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub positive_class: Option<String>,
    pub rows: RowsPlan,
    pub warnings: Vec<String>,
}

/// What to train. Serializable and versioned: it is stored with the run and sent to the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct TrainSpec {
    /// Dataset id or name in the project.
    pub dataset: String,
    pub target: String,
    /// None: classification for text, boolean or few-valued integer targets, else regression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub task: Option<Task>,
    pub model: ModelKind,
    /// Hyperparameters by name, as strings (as MLflow logs params); unknown names are an error.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Feature columns; None: every column but the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub features: Option<Vec<String>>,
    #[serde(default)]
    pub validation: Validation,
    #[serde(default = "default_seed")]
    #[ts(type = "number")]
    pub seed: u64,
    /// Experiment name; None: "Default".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub experiment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub run_name: Option<String>,
    /// For binary classification: the class whose probability is scored (ROC, PR). None: the minority class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub positive_class: Option<String>,
}

fn default_seed() -> u64 {
    42
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    Int,
    Float,
    Choice,
    Bool,
}

/// One hyperparameter as the train dialog shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ParamSpec {
    pub name: String,
    pub label: String,
    pub kind: ParamType,
    pub default: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min: Option<f64>,
    /// The minimum itself is not allowed (a learning rate must be above 0).
    #[serde(default)]
    pub min_exclusive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max: Option<f64>,
    #[serde(default)]
    pub choices: Vec<String>,
    pub help: String,
}

/// A model the studio can train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ModelInfo {
    pub kind: ModelKind,
    pub label: String,
    pub tasks: Vec<Task>,
    pub params: Vec<ParamSpec>,
    pub description: String,
}

/// A curve as parallel arrays (ROC: x = false-positive rate, y = true-positive rate; PR: x = recall,
/// y = precision), downsampled to at most a few hundred points.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    #[serde(default)]
    pub thresholds: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ConfusionMatrix {
    pub labels: Vec<String>,
    /// `matrix[actual][predicted]` counts.
    #[ts(type = "number[][]")]
    pub matrix: Vec<Vec<u64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Importance {
    pub feature: String,
    pub importance: f64,
}

/// How a partial dependence's grid points are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum PdKind {
    /// Values on a number line (numbers, dates, times, booleans as 0/1): `grid` holds them.
    Numeric,
    /// Text levels, most frequent first: only `labels` names them.
    Categorical,
}

/// One output's mean prediction at each grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct PdLine {
    /// The class whose probability this is, or the target's name for a regression.
    pub label: String,
    /// One mean per grid point.
    pub values: Vec<f64>,
}

/// Partial dependence of a model on one feature: every sampled row is predicted with the feature set
/// to each grid point in turn, and the predictions are averaged, showing how the prediction moves with
/// the feature when everything else stays as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct PartialDependence {
    pub feature: String,
    pub kind: PdKind,
    /// Numeric: the grid's values, ascending (distinct quantiles of the observed values; dates as days
    /// and times as milliseconds since 1970). Empty for a categorical feature.
    #[serde(default)]
    pub grid: Vec<f64>,
    /// Each grid point in words: the level, or the value as a number, date or true/false.
    pub labels: Vec<String>,
    /// Regression: one line (the predicted value); binary classification: the positive class's
    /// probability; multiclass: one line per class.
    pub lines: Vec<PdLine>,
    /// The rows averaged at each grid point.
    #[ts(type = "number")]
    pub rows: u64,
}

/// What a finished training run shows beyond its metrics; stored as the run's `evaluation.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Evaluation {
    pub task: Task,
    /// Test metrics by key (`accuracy`, `roc_auc`, … or `rmse`, `r2`, …).
    pub metrics: BTreeMap<String, f64>,
    /// Classification: the classes in model order.
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub positive_class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub confusion: Option<ConfusionMatrix>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub roc: Option<Curve>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pr: Option<Curve>,
    /// Regression: a sample of (actual = x, predicted = y) pairs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub residuals: Option<Curve>,
    pub importances: Vec<Importance>,
    /// "model" when the model gives importances, "permutation" when they were measured.
    pub importance_kind: String,
    #[ts(type = "number")]
    pub train_rows: u64,
    #[ts(type = "number")]
    pub test_rows: u64,
    pub fit_seconds: f64,
    /// Which rows were fitted on and which scored (absent in runs made before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rows: Option<RowsPlan>,
    /// Columns the training left out, with why.
    #[serde(default)]
    pub left_out: Vec<LeftOutColumn>,
    /// Partial dependence of the prediction on the most important features (AutoML measures it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<PartialDependence>>", optional)]
    pub partial_dependence: Vec<PartialDependence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// A job: one training run executed by an executor (this computer now; a cluster later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct JobInfo {
    pub id: String,
    pub kind: String,
    pub run_id: String,
    pub experiment_id: String,
    pub executor: String,
    pub state: JobState,
    #[ts(type = "number")]
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub started_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub ended_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub exit_code: Option<i32>,
    /// Why it failed, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
    /// The run's name, for people (not stored with the job: read from the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub run_name: Option<String>,
    /// While it runs: what keeps it from being followed now (its cluster cannot be reached), in words.
    /// Not stored: it is what this Cairn sees at the moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub following: Option<String>,
}

/// The answer to starting a training: its job and run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct TrainStarted {
    pub job_id: String,
    pub run_id: String,
    pub experiment_id: String,
}

/// A file or folder among a run's artifacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ArtifactFile {
    /// Relative to the run's artifact folder, with `/` separators.
    pub path: String,
    pub is_dir: bool,
    #[ts(type = "number")]
    pub size: u64,
}

/// A slice of a job's log, from byte `offset` of the file to `next`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct JobLog {
    pub text: String,
    #[ts(type = "number")]
    pub next: u64,
    /// The job has ended and the log was read to its end.
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct RunUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    /// The run's note (stored as MLflow's `mlflow.note.content` tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateExperiment {
    pub name: String,
}

/// The metric, param and tag keys used by runs, for filter completion and the column picker.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct RunKeys {
    pub metrics: Vec<String>,
    pub params: Vec<String>,
    pub tags: Vec<String>,
}
