//! The path parameters of the API's routes, one struct per shape of path: each is both what the handler
//! extracts and what the OpenAPI description declares, so the two cannot disagree.

use serde::Deserialize;
use utoipa::IntoParams;

/// `/api/projects/{pid}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ProjectPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
}

/// `/api/projects/{pid}/datasets/{did}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DatasetPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The dataset's id or name.
    pub did: String,
}

/// `/api/projects/{pid}/runs/{rid}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RunPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The run's id.
    pub rid: String,
}

/// `/api/projects/{pid}/runs/{rid}/tags/{key}`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RunTagPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The run's id.
    pub rid: String,
    /// The tag's key.
    pub key: String,
}

/// `/api/projects/{pid}/runs/{rid}/artifacts/{path}`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArtifactPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The run's id.
    pub rid: String,
    /// The file's path in the run's folder, as `ArtifactFile.path` gives it (`/` may be sent as is).
    pub path: String,
}

/// `/api/projects/{pid}/jobs/{jid}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct JobPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The job's id.
    pub jid: String,
}

/// `/api/projects/{pid}/flows/{name}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FlowPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The flow's name (its file is `flows/NAME.flow.json`).
    pub name: String,
}

/// `/api/tasks/{tid}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TaskPath {
    /// The task's id (`TaskStarted.task_id`).
    pub tid: String,
}

/// `/api/clusters/{name}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ClusterPath {
    /// The cluster profile's name.
    pub name: String,
}
