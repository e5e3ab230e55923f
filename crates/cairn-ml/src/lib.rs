//! Machine learning for Cairn: checking a training spec against a frame, training linfa and forust
//! models with seeded validation, evaluating them, and saving them as versioned model files.
//!
//! `check` refuses what can be refused before any fit; `train` checks, fits and evaluates, reporting
//! through a `Reporter`; `Model::predict` takes raw rows and repeats the training's preprocessing.

mod check;
pub mod columns;
mod error;
mod evaluate;
mod matrix;
mod metrics;
mod model;
mod models;
mod params;
mod partial;
mod preprocess;
mod rows;
mod session;
mod split;
mod table;
mod target_stats;
mod train;

pub use check::{Checked, check};
pub use error::MlError;
pub use model::{FeatureKind, FeatureValues, MODEL_FORMAT, Model, Predicted};
pub use models::Scores;
pub use params::catalog;
pub use partial::{PD_MAX_POINTS, PD_MAX_ROWS};
pub use session::TrainingData;
pub use table::similar_names;
pub use train::{Trained, cross_validate, fit_all, train};

/// Receives what a training does while it runs; all methods have no-op defaults. Called from worker threads.
pub trait Reporter: Sync {
    /// A point of a per-step series: boosting round, fold.
    fn metric(&self, _key: &str, _value: f64, _step: i64) {}
    /// A human-readable log line ("fitting fold 2/5").
    fn log(&self, _line: &str) {}
    fn progress(&self, _phase: &str, _done: u64, _total: u64) {}
    /// Checked between steps; true stops the training with `MlError::Cancelled`.
    fn cancelled(&self) -> bool {
        false
    }
}

/// A reporter that ignores everything.
pub struct Silent;

impl Reporter for Silent {}

/// Metric functions, public for their tests and for callers that score predictions themselves.
pub mod score {
    pub use crate::evaluate::mean_metrics;
    pub use crate::metrics::{average_precision, roc_auc};

    /// Classification metrics of row-major probabilities `p[r * k + class]`, scoring `positive` when binary.
    pub fn classification(y: &[usize], p: &[f64], k: usize, positive: usize) -> std::collections::BTreeMap<String, f64> {
        crate::metrics::classification(y, p, k, positive)
    }

    /// Regression metrics (`mape` skips rows whose actual value is 0).
    pub fn regression(y: &[f64], p: &[f64]) -> std::collections::BTreeMap<String, f64> {
        crate::metrics::regression(y, p)
    }
}
