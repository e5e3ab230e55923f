//! AutoML: what to search (a spec) and what a search found (its leaderboard).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{ModelKind, Task};

/// A search over models and their hyperparameters for one target, within a time and/or trial budget.
/// With a trial budget and a seed, the same data gives the same leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct AutomlSpec {
    /// Dataset id or name in the project.
    pub dataset: String,
    pub target: String,
    /// None: from the target, as for training.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub task: Option<Task>,
    /// The metric the search ranks by: `roc_auc`, `log_loss`, `accuracy`, `balanced_accuracy`, `f1`,
    /// `pr_auc`, `precision`, `recall` (classification); `rmse`, `mae`, `r2`, `mape` (regression).
    /// None: ROC AUC for two classes, log loss for more, RMSE for regression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub metric: Option<String>,
    /// Seconds the search may take, the final fit included. None with no trial budget: 60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub budget_seconds: Option<f64>,
    /// Trials at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max_trials: Option<u32>,
    #[serde(default = "default_seed")]
    #[ts(type = "number")]
    pub seed: u64,
    /// Model families to search; None: every family suited to the task and the data's size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub models: Option<Vec<ModelKind>>,
    /// Feature columns; None: every column but the target (identifiers and constants left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub features: Option<Vec<String>>,
    /// For binary classification: the class whose probability is scored. None: the minority class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub positive_class: Option<String>,
    /// Experiment name; None: "AutoML".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub experiment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub run_name: Option<String>,
    /// Where the trials run: a cluster profile's name or a Ray dashboard address; None: this computer.
    /// The search itself, the ensemble and the final fit stay on this computer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub on: Option<String>,
}

fn default_seed() -> u64 {
    42
}

/// One trial of a search, as the leaderboard lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct TrialSummary {
    /// 1-based, in the order trials were proposed.
    pub number: u32,
    /// The trial's nested run, when it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub run_id: Option<String>,
    pub model: ModelKind,
    pub params: std::collections::BTreeMap<String, String>,
    /// The ranking metric on held-out rows (mean over folds with cross-validation); None when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub score: Option<f64>,
    /// Per fold, with cross-validation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fold_scores: Vec<f64>,
    pub fit_seconds: f64,
    /// Seconds from the search's start to this trial's end.
    pub finished_at: f64,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

/// What a finished (or cancelled) search found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct AutomlResult {
    pub task: Task,
    pub metric: String,
    /// True when a larger value is better.
    pub greater_is_better: bool,
    /// "holdout" or "kfold", and its size.
    pub validation: String,
    /// Trials, best first; failed ones last.
    pub leaderboard: Vec<TrialSummary>,
    /// The ensemble's models and weights (one entry when a single model won).
    pub ensemble: Vec<EnsembleMember>,
    /// The final model's validation score (the ensemble's weights were chosen on these rows too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub score: Option<f64>,
    /// Wall seconds of the whole search, the final fit included.
    pub seconds: f64,
    /// Why it stopped: "budget", "trials", "cancelled".
    pub stopped: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct EnsembleMember {
    pub trial: u32,
    pub model: ModelKind,
    pub weight: f64,
}
