//! The crate's one error type: each names the column or value at fault and says what to do.

use cairn_types::{ApiError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum InsightsError {
    #[error("the target column '{name}' does not exist{}", suggest(.close))]
    TargetNotFound { name: String, close: Vec<String> },

    #[error("'{value}' is not a value of '{column}'; its most frequent values are {}", quoted(.values))]
    ValueNotFound { column: String, value: String, values: Vec<String> },

    #[error("the target '{name}' is missing in every row")]
    TargetEmpty { name: String },

    #[error("the target '{name}' has one class only ('{class}'): there is nothing to tell apart")]
    OneClass { name: String, class: String },

    #[error("the target '{name}' holds {what}, which cannot be analysed as a target")]
    Unusable { name: String, what: String, hint: String },

    #[error("the dataset has no rows")]
    NoRows,

    #[error("cancelled")]
    Cancelled,

    /// A bug, or a library failing where it should not.
    #[error("internal error: {0}")]
    Internal(String),
}

fn suggest(close: &[String]) -> String {
    if close.is_empty() { String::new() } else { format!(" (did you mean {}?)", quoted(close)) }
}

fn quoted(v: &[String]) -> String {
    v.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
}

impl InsightsError {
    pub fn code(&self) -> ErrorCode {
        match self {
            InsightsError::TargetNotFound { .. } => ErrorCode::ColumnNotFound,
            InsightsError::ValueNotFound { .. }
            | InsightsError::TargetEmpty { .. }
            | InsightsError::OneClass { .. }
            | InsightsError::Unusable { .. }
            | InsightsError::NoRows => ErrorCode::InvalidInput,
            InsightsError::Cancelled => ErrorCode::Cancelled,
            InsightsError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            InsightsError::TargetNotFound { .. } => "pick the target among the dataset's columns (names are case-sensitive)".into(),
            InsightsError::ValueNotFound { .. } => "pick one of the column's values for `column = value`".into(),
            InsightsError::TargetEmpty { .. } => "choose a target column that has values".into(),
            InsightsError::OneClass { .. } => "choose another target, or another value for `column = value`".into(),
            InsightsError::Unusable { hint, .. } => hint.clone(),
            InsightsError::NoRows => "import a file with data rows".into(),
            InsightsError::Cancelled => return None,
            InsightsError::Internal(_) => "this is a bug in Cairn: please report it".into(),
        })
    }
}

impl From<InsightsError> for ApiError {
    fn from(e: InsightsError) -> Self {
        let mut err = ApiError::new(e.code(), e.to_string());
        err.hint = e.hint();
        err
    }
}

impl From<polars::prelude::PolarsError> for InsightsError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        InsightsError::Internal(format!("polars: {e}"))
    }
}

/// Column names close to `name`, for "did you mean".
pub(crate) fn close_names<'a>(names: impl Iterator<Item = &'a str>, name: &str) -> Vec<String> {
    cairn_ml::similar_names(names, name)
}
