use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{ApiError, Page};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// How far a long operation has come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Progress {
    /// What is being done now, e.g. "reading", "converting", "profiling".
    pub phase: String,
    #[ts(type = "number")]
    pub done: u64,
    /// 0 when unknown.
    #[ts(type = "number")]
    pub total: u64,
    /// What `done` and `total` count: "bytes", "rows", "columns".
    pub unit: String,
}

/// A long operation (import, profile) running in the server; follow it with its event stream.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct TaskInfo {
    pub id: String,
    pub kind: String,
    /// What the task works on, for the UI ("adult.csv").
    pub title: String,
    pub state: TaskState,
    pub progress: Progress,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<ApiError>,
    /// The operation's result when it succeeded (a Dataset for an import, a Profile for a profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    #[ts(type = "number")]
    pub started_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub ended_at: Option<i64>,
}

/// One server-sent event on `GET /api/tasks/{id}/events`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TaskEvent {
    Progress {
        progress: Progress,
    },
    /// A first look at the data while the import goes on.
    Preview {
        page: Page,
    },
    Succeeded {
        #[ts(type = "unknown")]
        #[schema(value_type = Object)]
        result: serde_json::Value,
    },
    Failed {
        error: ApiError,
    },
    Cancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct TaskStarted {
    pub task_id: String,
}
