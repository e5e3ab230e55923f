//! AutoML for Cairn: a cost-aware search over model families and their hyperparameters within a time
//! or trial budget, then a greedy ensemble of the best trials refitted on every training row.
//!
//! The search sees only the rows the data lets fitting see; each trial fits its preprocessing and model
//! on its own training part and is scored on rows it never saw (a holdout, or k folds for smaller data).
//! What happens is reported through an [`Observer`] (the studio records trials as nested runs), and
//! fits go through a [`Trainer`] (the studio's is [`Fit`]; tests inject failures).

mod detach;
mod ensemble;
mod explain;
mod metric;
mod remote;
mod rng;
mod search;
mod space;
mod strategy;
mod trial;

use std::collections::BTreeMap;

use cairn_ml::{MlError, Model, Reporter, TrainingData};
use cairn_types::{AutomlResult, Evaluation, ModelKind, TrialSummary};

pub use metric::Metric;
pub use remote::{Runner, TrialReport, TrialRequest, run_trial};
pub use search::{search, search_on};

/// How a search runs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// See `AutomlSpec::metric`.
    pub metric: Option<String>,
    /// Seconds, the final fit included. None and no `max_trials`: 60.
    pub budget_seconds: Option<f64>,
    pub max_trials: Option<u32>,
    pub seed: u64,
    /// None: the default families for the task and data size.
    pub models: Option<Vec<ModelKind>>,
    /// Trials run at once; 0: one per core.
    pub parallel: usize,
}

/// Fits one model: the studio's is [`Fit`]; a test's may fail on purpose.
pub trait Trainer: Send + Sync + 'static {
    fn fit(
        &self,
        data: &TrainingData,
        kind: ModelKind,
        params: &BTreeMap<String, String>,
        rows: &[usize],
        seed: u64,
        reporter: &dyn Reporter,
    ) -> Result<Model, MlError>;
}

/// Fits with cairn-ml.
pub struct Fit;

impl Trainer for Fit {
    fn fit(
        &self,
        data: &TrainingData,
        kind: ModelKind,
        params: &BTreeMap<String, String>,
        rows: &[usize],
        seed: u64,
        reporter: &dyn Reporter,
    ) -> Result<Model, MlError> {
        data.fit(kind, params, rows, seed, reporter)
    }
}

/// Receives what a search does; called from the search's thread and its trials' threads.
pub trait Observer: Sync {
    fn log(&self, _line: &str) {}
    /// True stops the search: finished trials are kept, running ones are stopped.
    fn cancelled(&self) -> bool {
        false
    }
    /// A trial starts; the returned id (the studio's nested run) is put in its summary.
    fn trial_started(&self, _number: u32, _model: ModelKind, _params: &BTreeMap<String, String>) -> Option<String> {
        None
    }
    /// A trial ended (scored, or failed with its error); `metrics` are every metric of its held-out rows.
    fn trial_finished(&self, _trial: &TrialSummary, _metrics: &BTreeMap<String, f64>) {}
    /// A trial beat every earlier one: `model` (fitted on its training part) is the best so far.
    fn new_best(&self, _trial: &TrialSummary, _model: &Model) {}
}

/// An observer that ignores everything.
pub struct Quiet;

impl Observer for Quiet {}

/// What a search produced: its leaderboard, and unless it was cancelled the final model (refitted on
/// every training row) with its evaluation on the held-out rows the search scored.
#[derive(Debug)]
pub struct Outcome {
    pub result: AutomlResult,
    pub model: Option<Model>,
    pub evaluation: Option<Evaluation>,
}
