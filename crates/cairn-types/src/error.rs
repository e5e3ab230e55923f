use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// A stable error code. The UI and scripts match on these, never on message text.
/// Codes are only ever added, never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// The request lacked the session token or carried a wrong one.
    Unauthorized,
    /// The request's Host header is not the loopback address the server listens on.
    HostRefused,
    /// No such API route.
    RouteNotFound,
    /// The request body or query is malformed.
    BadRequest,
    /// A value the user gave is out of range or inconsistent.
    InvalidInput,
    /// A file or folder the user named does not exist.
    FileNotFound,
    /// A file exists but cannot be read (permissions, I/O).
    FileUnreadable,
    /// The file holds no data at all.
    EmptyFile,
    /// The file's bytes are not valid text in the chosen encoding.
    BadEncoding,
    /// A CSV record has a different number of fields than the header.
    RaggedRows,
    /// The file is not what its extension or the chosen format says.
    WrongFormat,
    /// The file's text does not parse (JSON syntax, CSV quoting).
    ParseError,
    /// A value cannot be converted to the column's chosen type.
    TypeMismatch,
    /// The folder is not a Cairn project.
    NotAProject,
    /// The folder already is a Cairn project.
    AlreadyAProject,
    /// The project is read-only on disk; nothing can be saved in it.
    ProjectReadOnly,
    /// The project was written by a newer Cairn.
    SchemaTooNew,
    /// The project's files are damaged.
    ProjectCorrupt,
    /// No open project has this id.
    ProjectNotFound,
    /// No dataset with this id or name.
    DatasetNotFound,
    /// A dataset with this name already exists.
    DatasetExists,
    /// No column with this name.
    ColumnNotFound,
    /// No task with this id.
    TaskNotFound,
    /// The profile has not been computed yet.
    NotComputed,
    /// The user cancelled the operation.
    Cancelled,
    /// A dataset's stored copy is gone and its source file has changed since the import.
    SourceChanged,
    /// No experiment with this id or name.
    ExperimentNotFound,
    /// No run with this id.
    RunNotFound,
    /// No job with this id.
    JobNotFound,
    /// The thing to create exists already (an experiment name, a param logged with another value).
    AlreadyExists,
    /// A search filter or order does not parse; the message says where.
    InvalidFilter,
    /// The data cannot train this model as asked (a constant target, one class, no rows …).
    CannotTrain,
    /// The operation needs the desktop app (a native dialog, say).
    NotAvailable,
    /// A file or database write failed.
    Io,
    /// A bug in Cairn: please report it.
    Internal,
    /// A flow file is not a flow this Cairn can run (syntax, an unknown operator, a newer version).
    FlowInvalid,
    /// A flow step's parameters do not fit its input (the message names the step, parameter and column).
    StepInvalid,
    /// No cluster profile with this name.
    ClusterNotFound,
    /// The cluster's address does not answer (down, wrong port, network); jobs on it are retried.
    ClusterUnreachable,
    /// The cluster wants a token and none was given, or it refused the one given.
    ClusterAuth,
    /// The cluster answers, but not as a Ray whose Jobs API this Cairn speaks (another version, not Ray).
    ClusterVersion,
    /// A job's package is over what the cluster accepts.
    PackageTooLarge,
    /// The folder's code would run, and the user has not trusted the folder.
    NotTrusted,
    /// No registered model (group) or version of that name, number or alias.
    ModelNotFound,
    /// A registry change that the version's state does not allow (approving an approved version).
    InvalidTransition,
    /// No endpoint of that name in the project.
    EndpointNotFound,
    /// The thing is in use by a running endpoint (deleting a model group it serves); stop it first.
    EndpointLive,
    /// An endpoint's model server did not start, or stopped answering.
    EndpointDown,
    /// A request body in a content type the route does not read.
    UnsupportedMediaType,
    /// A request body over the size the route accepts.
    PayloadTooLarge,
}

impl ErrorCode {
    /// The HTTP status this code is answered with.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            Unauthorized => 401,
            HostRefused | ProjectReadOnly => 403,
            RouteNotFound | FileNotFound | ProjectNotFound | DatasetNotFound | ColumnNotFound | TaskNotFound | NotComputed
            | ExperimentNotFound | RunNotFound | JobNotFound | ClusterNotFound => 404,
            // Never 401: that status means the session token, and the UI would lock itself.
            ClusterAuth | ClusterVersion => 502,
            ClusterUnreachable => 503,
            PackageTooLarge => 413,
            NotTrusted => 403,
            ModelNotFound | EndpointNotFound => 404,
            InvalidTransition | EndpointLive => 409,
            EndpointDown => 503,
            UnsupportedMediaType => 415,
            PayloadTooLarge => 413,
            AlreadyAProject | DatasetExists | AlreadyExists => 409,
            InvalidFilter => 400,
            FlowInvalid | StepInvalid => 422,
            CannotTrain => 422,
            SchemaTooNew => 409,
            BadRequest => 400,
            InvalidInput | EmptyFile | BadEncoding | RaggedRows | WrongFormat | ParseError | TypeMismatch | NotAProject
            | ProjectCorrupt => 422,
            SourceChanged => 410,
            Cancelled => 499,
            NotAvailable => 501,
            FileUnreadable | Io | Internal => 500,
        }
    }

    /// The wire spelling, e.g. `RAGGED_ROWS`.
    pub fn as_str(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }
}

/// The error every API answers with: a stable code, a sentence for people, and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    /// Names the thing (file, line, column, field) and what is wrong with it.
    pub message: String,
    /// What the user can do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hint: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}
