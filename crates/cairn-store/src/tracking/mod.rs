//! Experiment tracking: experiments, runs, params, metrics, tags and dataset inputs with MLflow's
//! semantics (ids, defaults, limits, errors, the search grammar, ordering, pagination), so MLflow's REST
//! API can later be served from it unchanged.
//!
//! [`TrackingStore`] is the narrow trait: MLflow's operations are provided methods that validate once
//! and funnel into a few primitives; `impl TrackingStore for Project` (in `sqlite`) is the backend.

mod artifacts;
mod downsample;
mod error;
pub(crate) mod grammar;
mod names;
mod search;
mod sqlite;
pub(crate) use sqlite::SearchCache;
mod store;
pub(crate) mod token;
pub(crate) mod validate;

pub use artifacts::{BadArtifactPath, PROXY_SCHEME, artifact_parts};
pub use error::{Result, TrackingError};
pub use grammar::Op;
pub use names::{is_run_id, new_run_id, new_run_name};
pub use search::{
    DatasetField, ExperimentClause, ExperimentKey, ExperimentOrder, ExperimentQuery, RunAttr, RunClause, RunKey, RunOrder, RunQuery, Value,
};
pub use store::{DEFAULT_SERIES_POINTS, NewRun, TrackingStore};
pub use validate::{Batch, RUN_NAME_TAG};

/// MLflow's limits and defaults, for callers that check or split before sending.
pub mod limits {
    pub use super::validate::{
        DEFAULT_MAX_RESULTS, MAX_ENTITIES_PER_BATCH, MAX_KEY_LENGTH, MAX_METRICS_PER_BATCH, MAX_PARAM_VALUE_LENGTH,
        MAX_PARAMS_TAGS_PER_BATCH, MAX_RESULTS_LIMIT, MAX_TAG_VALUE_LENGTH,
    };
}
