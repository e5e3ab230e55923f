//! One error enum for flows. Every variant names where the problem is (file, step, parameter, column)
//! and maps to a stable wire code; `hint` says what to do.

use cairn_types::{ApiError, ErrorCode};

/// What is wrong with one step, before the step's position is known (operators return this).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// A parameter is missing, of the wrong kind, or out of range.
    #[error("parameter `{param}`: {message}")]
    Param { param: String, message: String },
    /// A parameter names a column the step's input does not have.
    #[error("parameter `{param}` names column {column:?}, which is not in the step's input (columns: {})", list(.available))]
    Column { param: String, column: String, available: Vec<String> },
    /// A column has a type the operation cannot work on.
    #[error("column {column:?} is {found}; {expected}")]
    ColumnType { column: String, found: String, expected: String },
    /// Some values cannot be converted.
    #[error("{count} of {rows} values in column {column:?} cannot be converted to {to}, e.g. {}", quoted(.examples))]
    Conversion { column: String, to: String, count: u64, rows: u64, examples: Vec<String> },
    /// polars refused the step (an engine message, kept verbatim).
    #[error("{0}")]
    Engine(String),
}

/// Anything that can go wrong with a flow.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The flow file cannot be read or is not a flow (JSON syntax, missing fields).
    #[error("flow file {path}: {message}")]
    BadFile { path: String, message: String },
    /// The flow file was written by a newer Cairn.
    #[error("flow file {path} has format {found}; this Cairn reads format {known} and older")]
    NewerFormat { path: String, found: u32, known: u32 },
    /// No flow with this name in the project.
    #[error("no flow {name:?} in {dir}")]
    NotFound { name: String, dir: String },
    /// A flow with this name is already in the project.
    #[error("the project already has a flow {name:?}")]
    Exists { name: String },
    /// A step names an operator this Cairn does not know.
    #[error("step {step}: unknown operator {op:?}")]
    UnknownOp { step: usize, op: String },
    /// A step was saved by a newer version of its operator.
    #[error("step {step} ({op}) is version {found} of the operator; this Cairn knows version {known}")]
    NewerOp { step: usize, op: String, found: u32, known: u32 },
    /// A source cannot be read.
    #[error("source {name:?} ({path}): {message}")]
    Source { name: String, path: String, message: String },
    /// A step is invalid for its input or failed on the data.
    #[error("step {step} ({op}): {problem}")]
    Step { step: usize, op: String, problem: Problem },
    /// The flow has no source to start from, or names a missing one.
    #[error("{0}")]
    Invalid(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl FlowError {
    /// The stable wire code.
    pub fn code(&self) -> ErrorCode {
        match self {
            FlowError::BadFile { .. } | FlowError::UnknownOp { .. } | FlowError::NewerOp { .. } => {
                ErrorCode::FlowInvalid
            }
            FlowError::NewerFormat { .. } => ErrorCode::SchemaTooNew,
            FlowError::NotFound { .. } => ErrorCode::FileNotFound,
            FlowError::Exists { .. } => ErrorCode::AlreadyExists,
            FlowError::Source { .. } => ErrorCode::FileUnreadable,
            FlowError::Step { problem, .. } => match problem {
                Problem::Column { .. } => ErrorCode::ColumnNotFound,
                Problem::Conversion { .. } | Problem::ColumnType { .. } => ErrorCode::TypeMismatch,
                Problem::Param { .. } | Problem::Engine(_) => ErrorCode::StepInvalid,
            },
            FlowError::Invalid(_) => ErrorCode::FlowInvalid,
            FlowError::Io { .. } => ErrorCode::Io,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            FlowError::UnknownOp { .. } => Some(
                "fix the op name (`cairn flow ops` lists them) or remove the step; the other steps are kept".into(),
            ),
            FlowError::NewerOp { .. } | FlowError::NewerFormat { .. } => {
                Some("open the flow with a newer Cairn, or remove the step; the file is left as it is".into())
            }
            FlowError::Step { problem: Problem::Column { .. }, .. } => {
                Some("an earlier step may have dropped or renamed it; edit this step or the earlier one".into())
            }
            FlowError::Exists { .. } => Some("pick another name, or rename or delete that flow first".into()),
            FlowError::Step { problem: Problem::Conversion { .. }, .. } => {
                Some("set \"on_error\": \"null\" to turn these values into missing values".into())
            }
            _ => None,
        }
    }

    /// The wire error.
    pub fn to_api(&self) -> ApiError {
        let e = ApiError::new(self.code(), self.to_string());
        match self.hint() {
            Some(h) => e.with_hint(h),
            None => e,
        }
    }
}

impl From<FlowError> for ApiError {
    fn from(e: FlowError) -> Self {
        e.to_api()
    }
}

fn list(names: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut s = names.iter().take(SHOWN).map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    s
}

fn quoted(values: &[String]) -> String {
    values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")
}
