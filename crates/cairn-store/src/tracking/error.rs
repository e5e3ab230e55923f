use cairn_types::{ApiError, ErrorCode};

use crate::error::StoreError;

/// What can go wrong in the tracking store. Messages name the experiment, run or key; `code()` is
/// Cairn's stable code and `mlflow_error_code()` the one MLflow's REST API answers with.
#[derive(Debug, thiserror::Error)]
pub enum TrackingError {
    #[error("no experiment with id {0}")]
    ExperimentNotFound(String),
    #[error("no run with id {0}")]
    RunNotFound(String),
    #[error("an experiment named `{0}` already exists (deleted experiments keep their names)")]
    ExperimentExists(String),
    #[error("param `{key}` of run {run_id} was already logged with value `{old}`; it cannot change to `{new}`")]
    ParamChanged { run_id: String, key: String, old: String, new: String },
    #[error("the {kind} {id} is deleted; it must be active for this")]
    NotActive { kind: &'static str, id: String },
    #[error("no tag `{key}` on {kind} {id}")]
    TagNotFound { kind: &'static str, id: String, key: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    #[error("invalid page token `{token}`: {reason}")]
    InvalidPageToken { token: String, reason: String },
    /// MLflow's INVALID_STATE: the operation does not apply to the thing in its current state.
    #[error("{0}")]
    InvalidState(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T, E = TrackingError> = std::result::Result<T, E>;

impl TrackingError {
    pub fn code(&self) -> ErrorCode {
        match self {
            TrackingError::ExperimentNotFound(_) => ErrorCode::ExperimentNotFound,
            TrackingError::RunNotFound(_) => ErrorCode::RunNotFound,
            TrackingError::ExperimentExists(_) | TrackingError::ParamChanged { .. } => ErrorCode::AlreadyExists,
            TrackingError::InvalidFilter(_) => ErrorCode::InvalidFilter,
            TrackingError::NotActive { .. }
            | TrackingError::TagNotFound { .. }
            | TrackingError::InvalidInput(_)
            | TrackingError::InvalidPageToken { .. }
            | TrackingError::InvalidState(_) => ErrorCode::InvalidInput,
            TrackingError::Store(e) => e.code(),
        }
    }

    /// MLflow's `error_code` for the same failure, for the MLflow-compatible API.
    pub fn mlflow_error_code(&self) -> &'static str {
        match self {
            TrackingError::ExperimentNotFound(_) | TrackingError::RunNotFound(_) | TrackingError::TagNotFound { .. } => {
                "RESOURCE_DOES_NOT_EXIST"
            }
            TrackingError::ExperimentExists(_) => "RESOURCE_ALREADY_EXISTS",
            TrackingError::ParamChanged { .. }
            | TrackingError::NotActive { .. }
            | TrackingError::InvalidInput(_)
            | TrackingError::InvalidFilter(_)
            | TrackingError::InvalidPageToken { .. } => "INVALID_PARAMETER_VALUE",
            TrackingError::InvalidState(_) => "INVALID_STATE",
            TrackingError::Store(e) if e.code() == ErrorCode::ProjectReadOnly => "PERMISSION_DENIED",
            TrackingError::Store(_) => "INTERNAL_ERROR",
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            TrackingError::ExperimentNotFound(_) => "pick one of the project's experiments".into(),
            TrackingError::RunNotFound(_) => "check the run id (32 hexadecimal characters)".into(),
            TrackingError::ExperimentExists(_) => "choose another name, or restore the deleted experiment".into(),
            TrackingError::ParamChanged { .. } => "params are write-once: log the new value under another key, or start a new run".into(),
            TrackingError::NotActive { kind, .. } => format!("restore the {kind} first"),
            TrackingError::TagNotFound { .. } => "list the tags first; nothing was deleted".into(),
            TrackingError::InvalidInput(_) | TrackingError::InvalidState(_) => return None,
            TrackingError::InvalidFilter(_) => "a filter is clauses joined by AND, e.g. \
                metrics.auc > 0.8 and params.model = 'gbm' and tags.`mlflow.source.type` = 'LOCAL'; \
                quote keys with special characters in backticks"
                .into(),
            TrackingError::InvalidPageToken { .. } => {
                "pass back the next_page_token of the previous page unchanged, or no token for the first page".into()
            }
            // The project error carries its own hint, added when it becomes an ApiError.
            TrackingError::Store(_) => return None,
        })
    }
}

impl From<TrackingError> for ApiError {
    fn from(e: TrackingError) -> Self {
        match e {
            TrackingError::Store(s) => ApiError::from(s),
            other => {
                let mut err = ApiError::new(other.code(), other.to_string());
                err.hint = other.hint();
                err
            }
        }
    }
}
