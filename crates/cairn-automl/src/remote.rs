//! Trials run elsewhere (a cluster's nodes): the search stays here and proposes, a [`Runner`] runs each
//! trial where it likes and hands back what the trial measured. A remote trial is the same computation
//! as a local one: [`run_trial`] rebuilds the search's validation plan from the same data and seed, so
//! a trial scores the same wherever it ran and the leaderboard of a seed and a trial budget is the same.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use cairn_ml::{MlError, Model, Scores, TrainingData};
use cairn_types::ModelKind;
use serde::{Deserialize, Serialize};

use crate::trial::{Measured, Plan};
use crate::{Fit, Metric, Observer, Quiet, Trainer};

/// One trial to run: everything but the data, which the runner ships once for the whole search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRequest {
    pub number: u32,
    pub model: ModelKind,
    pub params: BTreeMap<String, String>,
    /// The search's seed (the plan's folds and the fits' seed).
    pub seed: u64,
    /// The search's ranking metric (for the per-fold scores).
    pub metric: String,
    /// Rayon threads for the trial's fits.
    pub threads: usize,
    /// Seconds the trial may take from its start on the remote side; None: no limit.
    #[serde(default)]
    pub seconds: Option<f64>,
}

/// What a trial measured, as it travels back: predictions as the bytes of their `f64`s (exact, NaN
/// included, and a third of their JSON size) and the first part's model as its file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrialReport {
    pub metrics: BTreeMap<String, f64>,
    pub fold_scores: Vec<f64>,
    pub fit_seconds: f64,
    /// Classes per row for probabilities; None for values.
    pub classes: Option<usize>,
    /// Base64 of the predictions' little-endian `f64`s, in the plan's held-out order.
    pub scores: String,
    pub model: serde_json::Value,
}

impl TrialReport {
    fn from_measured(m: Measured) -> Result<TrialReport, MlError> {
        let (classes, values) = match &m.scores {
            Scores::Proba { k, p } => (Some(*k), p.as_slice()),
            Scores::Values(v) => (None, v.as_slice()),
        };
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let model = serde_json::to_value(&m.model).map_err(|e| MlError::Internal(format!("model to JSON: {e}")))?;
        Ok(TrialReport {
            metrics: m.metrics,
            fold_scores: m.fold_scores,
            fit_seconds: m.fit_seconds,
            classes,
            scores: base64::engine::general_purpose::STANDARD.encode(bytes),
            model,
        })
    }

    pub(crate) fn into_measured(self) -> Result<Measured, MlError> {
        let bad = |what: &str| MlError::Internal(format!("a remote trial's report is damaged: {what}"));
        let bytes = base64::engine::general_purpose::STANDARD.decode(&self.scores).map_err(|_| bad("predictions are not base64"))?;
        if bytes.len() % 8 != 0 {
            return Err(bad("predictions are cut short"));
        }
        let values: Vec<f64> = bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect();
        let scores = match self.classes {
            Some(k) => Scores::Proba { k, p: values },
            None => Scores::Values(values),
        };
        let model: Model = serde_json::from_value(self.model).map_err(|e| bad(&format!("model: {e}")))?;
        Ok(Measured { metrics: self.metrics, fold_scores: self.fold_scores, fit_seconds: self.fit_seconds, scores, model })
    }
}

/// Runs trials somewhere else than this process.
pub trait Runner: Sync {
    /// Trials that can run at once there.
    fn parallel(&self) -> usize;
    /// Runs one trial and waits for it; stops it and answers `Cancelled` when the observer cancels or
    /// `until` passes.
    fn run(&self, trial: &TrialRequest, until: Option<Instant>, observer: &dyn Observer) -> Result<TrialReport, MlError>;
    /// Why no more trials can run there (the cluster went away); the search then ends with the trials
    /// it has.
    fn gone(&self) -> Option<String> {
        None
    }
}

/// Runs one trial on `data` here: the remote side of a [`Runner`]. `data` must be the search's data
/// (same rows in the same order): the plan is rebuilt from it and the seed.
pub fn run_trial(data: &TrainingData, trial: &TrialRequest) -> Result<TrialReport, MlError> {
    let metric = Metric::for_task(Some(&trial.metric), data.task(), data.classes())?;
    let plan = Plan::new(data, trial.seed);
    let until = trial.seconds.map(|s| Instant::now() + std::time::Duration::from_secs_f64(s.max(0.0)));
    let trainer: Arc<dyn Trainer> = Arc::new(Fit);
    let threads = trial.threads.max(1);
    let measured = crate::detach::on_own_threads(threads, || {
        crate::trial::run(data, &plan, &trainer, trial.model, &trial.params, trial.seed, threads, &metric, &Quiet, until)
    })?;
    TrialReport::from_measured(measured)
}
