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
    pub opened_at: Millis,
    /// False when the folder has since been moved or deleted.
    pub exists: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct OpenProjectRequest {
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
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
pub struct PickRequest {
    pub kind: PickKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct PickResponse {
    /// Null when the user closed the dialog.
    pub path: Option<String>,
}
