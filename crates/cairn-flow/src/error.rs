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
    /// A step that learns from data comes after a step that removed the split's column, so the train
    /// rows cannot be told from the test rows: fitting on every row would leak the test rows into it.
    #[error(
        "this step learns from the train rows, but column {column:?} that marks them (made by the split, step {split_step}) was removed by {removed_by}: keep {column:?} there (select it, or group by it too), or move this step above {removed_by}"
    )]
    NoTrainRows { column: String, split_step: usize, removed_by: String },
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
    /// A step is invalid for its input or failed on the data. Said in the words of the step's form:
    /// the operator and its parameters by the labels the user sees, never their names in the file.
    #[error("step {step} ({}): {}", crate::catalog::op_label(.op), .problem.worded(.op))]
    Step { step: usize, op: String, problem: Problem },
    /// The flow has no source to start from, or names a missing one.
    #[error("{0}")]
    Invalid(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    /// Rows sent to a model's flow do not fit its source (a missing column, a value of the wrong type),
    /// or the flow cannot stand in front of a model.
    #[error("{message}")]
    Input { code: ErrorCode, message: String, hint: String },
}

impl FlowError {
    /// The stable wire code.
    pub fn code(&self) -> ErrorCode {
        match self {
            FlowError::BadFile { .. } | FlowError::UnknownOp { .. } | FlowError::NewerOp { .. } => ErrorCode::FlowInvalid,
            FlowError::NewerFormat { .. } => ErrorCode::SchemaTooNew,
            FlowError::NotFound { .. } => ErrorCode::FileNotFound,
            FlowError::Exists { .. } => ErrorCode::AlreadyExists,
            FlowError::Source { .. } => ErrorCode::FileUnreadable,
            FlowError::Step { problem, .. } => match problem {
                Problem::Column { .. } => ErrorCode::ColumnNotFound,
                Problem::Conversion { .. } | Problem::ColumnType { .. } => ErrorCode::TypeMismatch,
                Problem::Param { .. } | Problem::Engine(_) | Problem::NoTrainRows { .. } => ErrorCode::StepInvalid,
            },
            FlowError::Invalid(_) => ErrorCode::FlowInvalid,
            FlowError::Io { .. } => ErrorCode::Io,
            FlowError::Input { code, .. } => *code,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            FlowError::UnknownOp { .. } => {
                Some("fix the op name (`cairn flow ops` lists them) or remove the step; the other steps are kept".into())
            }
            FlowError::NewerOp { .. } | FlowError::NewerFormat { .. } => {
                Some("open the flow with a newer Cairn, or remove the step; the file is left as it is".into())
            }
            FlowError::Step { problem: Problem::Column { .. }, .. } => {
                Some("an earlier step may have dropped or renamed it; edit this step or the earlier one".into())
            }
            FlowError::Exists { .. } => Some("pick another name, or rename or delete that flow first".into()),
            FlowError::Input { hint, .. } => Some(hint.clone()),
            FlowError::Step { op, problem: Problem::Conversion { .. }, .. } => {
                Some(format!("set {} to “null” to make these values missing", field(op, "on_error")))
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

// ---- wording: a problem in the words of the step's form ----

impl Problem {
    /// The form field the problem is about, when it is one of the operator's parameters.
    pub fn param(&self, op: &str) -> Option<&str> {
        match self {
            Problem::Param { param, .. } | Problem::Column { param, .. } => crate::catalog::field_label(op, param).map(|_| param.as_str()),
            _ => None,
        }
    }

    /// The problem as the user of `op`'s form reads it: each parameter named by its label (one lookup in
    /// the catalogue for every message, so no message names a parameter as the file spells it).
    pub fn worded(&self, op: &str) -> String {
        match self {
            Problem::Param { param, message } => param_message(op, param, message),
            Problem::Column { param, column, available } => {
                format!("{} names column {column:?}, which is not in the step's input (columns: {})", field(op, param), list(available))
            }
            other => other.to_string(),
        }
    }
}

/// A parameter as the form labels it, in quotes; `fit_on` is the flow's condition on the fit rows; one the
/// form does not know (a hand-edited file) keeps its name.
fn field(op: &str, param: &str) -> String {
    match crate::catalog::field_label(op, param) {
        Some(label) => format!("“{label}”"),
        None if param == "fit_on" => "the condition on the rows steps learn from".into(),
        None => format!("{param:?}"),
    }
}

/// What serde says of parameters that do not fit, in the form's words.
fn param_message(op: &str, param: &str, message: &str) -> String {
    let ticked = |m: &str| -> Vec<String> { m.split('`').skip(1).step_by(2).map(String::from).collect() };
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = ticked(rest).into_iter().next().unwrap_or_else(|| param.to_string());
        return format!("{} is required", field(op, &name));
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let name = ticked(rest).into_iter().next().unwrap_or_else(|| param.to_string());
        let known: Vec<String> = crate::catalog::field_labels(op).into_iter().map(|l| format!("“{l}”")).collect();
        return format!("{name:?} is not a setting of this step (its settings: {})", known.join(", "));
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let mut names = ticked(rest).into_iter();
        let value = names.next().unwrap_or_default();
        return format!("{value:?} is not a choice here (the choices: {})", names.collect::<Vec<_>>().join(", "));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "another kind of value"));
        let expected = match expected {
            "f64" | "f32" => "a number",
            "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "isize" => "a whole number",
            "a boolean" => "true or false",
            "a sequence" => "a list",
            "a string" => "a text",
            other => other,
        };
        let who = if crate::catalog::field_label(op, param).is_some() { field(op, param) } else { "a setting".into() };
        return format!("{who} must be {expected}, not {found}");
    }
    // Parameters a message names in backticks are named by their labels too.
    let mut text = String::new();
    for (i, part) in message.split('`').enumerate() {
        match crate::catalog::field_label(op, part) {
            Some(label) if i % 2 == 1 => text.push_str(&format!("“{label}”")),
            _ if i % 2 == 1 => text.push_str(&format!("`{part}`")),
            _ => text.push_str(part),
        }
    }
    let glue = if ["is ", "names ", "has "].iter().any(|w| text.starts_with(w)) { " " } else { ": " };
    format!("{}{glue}{text}", field(op, param))
}
