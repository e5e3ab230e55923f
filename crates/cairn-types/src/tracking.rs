//! Experiment tracking, shaped like MLflow's data model so the same store can serve MLflow's REST API
//! unchanged: string ids, params as strings, metric points with timestamp and step, tags, artifact URIs,
//! nested runs through the `mlflow.parentRunId` tag.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    Running,
    Scheduled,
    Finished,
    Failed,
    Killed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "RUNNING",
            RunStatus::Scheduled => "SCHEDULED",
            RunStatus::Finished => "FINISHED",
            RunStatus::Failed => "FAILED",
            RunStatus::Killed => "KILLED",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        Some(match s {
            "RUNNING" => RunStatus::Running,
            "SCHEDULED" => RunStatus::Scheduled,
            "FINISHED" => RunStatus::Finished,
            "FAILED" => RunStatus::Failed,
            "KILLED" => RunStatus::Killed,
            _ => return None,
        })
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, RunStatus::Finished | RunStatus::Failed | RunStatus::Killed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum LifecycleStage {
    Active,
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ViewType {
    #[default]
    ActiveOnly,
    DeletedOnly,
    All,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
pub struct Param {
    pub key: String,
    pub value: String,
}

/// One point of a metric's series. `value` may be NaN or infinite (sent as "NaN", "Infinity").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Metric {
    pub key: String,
    #[serde(with = "crate::float")]
    #[ts(type = "number | string")]
    #[schema(schema_with = crate::float::schema)]
    pub value: f64,
    #[ts(type = "number")]
    pub timestamp: i64,
    #[ts(type = "number")]
    pub step: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Experiment {
    pub experiment_id: String,
    pub name: String,
    pub artifact_location: String,
    pub lifecycle_stage: LifecycleStage,
    #[ts(type = "number")]
    pub creation_time: i64,
    #[ts(type = "number")]
    pub last_update_time: i64,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RunInfo {
    pub run_id: String,
    pub run_name: String,
    pub experiment_id: String,
    pub user_id: String,
    pub status: RunStatus,
    #[ts(type = "number")]
    pub start_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub end_time: Option<i64>,
    /// Where the run's files are: `file:///…/.cairn/artifacts/runs/<run_id>`.
    pub artifact_uri: String,
    pub lifecycle_stage: LifecycleStage,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct RunData {
    /// The latest value of each metric (the highest step, then the latest timestamp).
    pub metrics: Vec<Metric>,
    pub params: Vec<Param>,
    pub tags: Vec<Tag>,
}

/// A data set a run read, as MLflow's `log_inputs` records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct DatasetRef {
    pub name: String,
    pub digest: String,
    pub source_type: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub profile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct DatasetInput {
    pub dataset: DatasetRef,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct RunInputs {
    #[serde(default)]
    pub dataset_inputs: Vec<DatasetInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Run {
    pub info: RunInfo,
    pub data: RunData,
    #[serde(default)]
    pub inputs: RunInputs,
}

/// A search over runs with MLflow's filter grammar, e.g. `metrics.roc_auc > 0.8 and params.model = 'gbm'`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
#[serde(default)]
pub struct SearchRuns {
    pub experiment_ids: Vec<String>,
    pub filter: String,
    pub run_view_type: ViewType,
    /// 0 means the default (1000).
    pub max_results: u32,
    /// e.g. `metrics.rmse ASC`, `params.lr DESC`, `start_time`.
    pub order_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub page_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RunsPage {
    pub runs: Vec<Run>,
    /// Present when more runs match; pass it back as `page_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub next_page_token: Option<String>,
    /// How many runs match in all (for the UI's scroll bar).
    #[ts(type = "number")]
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
#[serde(default)]
pub struct SearchExperiments {
    pub filter: String,
    pub view_type: ViewType,
    pub max_results: u32,
    pub order_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub page_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ExperimentsPage {
    pub experiments: Vec<Experiment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub next_page_token: Option<String>,
}

/// A metric's history for charts, downsampled on the server to at most `max_points` points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct MetricSeries {
    pub run_id: String,
    pub key: String,
    pub points: Vec<Metric>,
    /// Points in the full series before downsampling.
    #[ts(type = "number")]
    pub total_points: u64,
}
