//! The crate's one error type. Every variant names the column, parameter or file at fault, and carries
//! a hint that says what to do, so the UI can show it as is.

use std::path::PathBuf;

use cairn_types::{ApiError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum MlError {
    #[error("the target column '{name}' does not exist{}", close_names(.close))]
    TargetNotFound { name: String, close: Vec<String> },

    #[error("the feature column '{name}' does not exist{}", close_names(.close))]
    FeatureNotFound { name: String, close: Vec<String> },

    #[error("{model} has no hyperparameter '{name}'; it has: {}", .known.join(", "))]
    UnknownParam { model: String, name: String, known: Vec<String> },

    #[error("{name} = '{value}' is out of range: allowed {allowed}")]
    ParamOutOfRange { name: String, value: String, allowed: String },

    #[error("the column '{column}' holds {count} infinite value(s)")]
    Infinite { column: String, count: usize },

    /// The data or the spec cannot train this model (constant target, too few rows, wrong task …).
    #[error("{message}")]
    CannotTrain { message: String, hint: Option<String> },

    /// A value the user gave is inconsistent (a validation fraction, a positive class, a column type).
    #[error("{message}")]
    InvalidInput { message: String, hint: Option<String> },

    #[error("training was cancelled")]
    Cancelled,

    #[error("cannot {action} the model file {}: {source}", .path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },

    #[error("the model file {} is damaged: {reason}", .path.display())]
    Damaged { path: PathBuf, reason: String },

    #[error("the model file {} was written by a newer Cairn (format {found}; this one reads up to {supported})", .path.display())]
    TooNew { path: PathBuf, found: u32, supported: u32 },

    /// A bug, or a library failing where it should not: reported as is.
    #[error("internal error: {0}")]
    Internal(String),
}

fn close_names(close: &[String]) -> String {
    if close.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = close.iter().map(|c| format!("'{c}'")).collect();
        format!(" (did you mean {}?)", quoted.join(", "))
    }
}

impl MlError {
    pub fn cannot(message: impl Into<String>, hint: impl Into<String>) -> Self {
        MlError::CannotTrain { message: message.into(), hint: Some(hint.into()) }
    }

    pub fn invalid(message: impl Into<String>, hint: impl Into<String>) -> Self {
        MlError::InvalidInput { message: message.into(), hint: Some(hint.into()) }
    }

    /// The stable code the API answers with.
    pub fn code(&self) -> ErrorCode {
        match self {
            MlError::TargetNotFound { .. } | MlError::FeatureNotFound { .. } => ErrorCode::ColumnNotFound,
            MlError::UnknownParam { .. } | MlError::ParamOutOfRange { .. } | MlError::InvalidInput { .. } => ErrorCode::InvalidInput,
            MlError::Infinite { .. } | MlError::CannotTrain { .. } => ErrorCode::CannotTrain,
            MlError::Cancelled => ErrorCode::Cancelled,
            MlError::Io { .. } => ErrorCode::Io,
            MlError::Damaged { .. } => ErrorCode::ProjectCorrupt,
            MlError::TooNew { .. } => ErrorCode::SchemaTooNew,
            MlError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            MlError::TargetNotFound { .. } => Some("pick the target among the dataset's columns".into()),
            MlError::FeatureNotFound { .. } => Some("remove it from the features, or pick an existing column".into()),
            MlError::UnknownParam { .. } => Some("remove it, or use one of the names listed".into()),
            MlError::ParamOutOfRange { .. } => Some("give a value inside the allowed range".into()),
            MlError::Infinite { .. } => Some("replace or filter the infinite values in a flow, or leave the column out".into()),
            MlError::CannotTrain { hint, .. } | MlError::InvalidInput { hint, .. } => hint.clone(),
            MlError::Cancelled => None,
            MlError::Io { .. } => Some("check the disk has space and the project folder is writable".into()),
            MlError::Damaged { .. } => Some("train the model again to write a new file".into()),
            MlError::TooNew { .. } => Some("open it with the newer Cairn, or train the model again here".into()),
            MlError::Internal(_) => Some("this is a bug in Cairn: please report it".into()),
        }
    }
}

impl From<MlError> for ApiError {
    fn from(e: MlError) -> Self {
        ApiError { code: e.code(), message: e.to_string(), hint: e.hint() }
    }
}

impl From<polars::prelude::PolarsError> for MlError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        MlError::Internal(format!("polars: {e}"))
    }
}
