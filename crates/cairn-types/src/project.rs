use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::Millis;

/// An open project: a folder with `cairn.toml` and `.cairn/cairn.db`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ProjectInfo {
    /// Stable id derived from the folder's canonical path.
    pub id: String,
    pub name: String,
    pub path: String,
    #[ts(type = "number")]
    #[schema(value_type = i64)]
    pub created_at: Millis,
    /// True when the folder cannot be written: browsing works, saving does not.
    pub read_only: bool,
    pub schema_version: u32,
}

/// A project the user opened before, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RecentProject {
    pub id: String,
    pub name: String,
    pub path: String,
    #[ts(type = "number")]
    #[schema(value_type = i64)]
    pub opened_at: Millis,
    /// False when the folder has since been moved or deleted.
    pub exists: bool,
}

/// What a project holds, counted; sent on the project's change stream (`GET /api/projects/{pid}/changes`)
/// whenever something is committed to it — by the studio, a training worker, `cairn train` in a terminal
/// or a Python client — so the screens follow without a reload.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct ProjectChanges {
    /// Grows by one with each change seen on this stream (the first event is 1).
    #[ts(type = "number")]
    pub version: u64,
    #[ts(type = "number")]
    pub datasets: u64,
    /// Active experiments.
    #[ts(type = "number")]
    pub experiments: u64,
    /// Active runs in every active experiment.
    #[ts(type = "number")]
    pub runs: u64,
    /// Jobs queued or running.
    #[ts(type = "number")]
    pub jobs_active: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
#[schema(example = json!({"path": "readmission"}))]
pub struct OpenProjectRequest {
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
#[schema(example = json!({"path": "readmission", "name": "Readmission study"}))]
pub struct CreateProjectRequest {
    pub path: String,
    /// Defaults to the folder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
}

/// What the running server offers beyond the browser: the desktop app adds native dialogs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct ServerInfo {
    pub version: String,
    /// True inside the desktop app.
    pub desktop: bool,
    /// True when `POST /api/shell/pick` opens a native file dialog.
    pub native_dialogs: bool,
    /// The project the server was started on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub initial_project: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum PickKind {
    /// A data file to import.
    DataFile,
    /// A folder (to open or create a project).
    Folder,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
#[schema(example = json!({"kind": "data_file"}))]
pub struct PickRequest {
    pub kind: PickKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct PickResponse {
    /// Null when the user closed the dialog.
    pub path: Option<String>,
}
