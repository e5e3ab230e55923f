//! Endpoints as the studio shows them: deploy requests, status, traffic split, capture, ground truth.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// `POST /api/projects/{pid}/endpoints`: serve registered models behind a new endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct DeployEndpoint {
    /// Letters, digits, `-` and `_`; unique in the project.
    pub name: String,
    /// At least one. Traffic is shared by weight.
    pub variants: Vec<VariantSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub capture: Option<CaptureSpec>,
    /// The port to listen on; absent: any free port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub port: Option<u16>,
}

/// One model behind an endpoint, named as the registry names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct VariantSpec {
    /// `GROUP@VERSION`, `GROUP@ALIAS` (the endpoint follows the alias when it moves) or `GROUP` (its
    /// latest approved version).
    pub model: String,
    /// Relative share of the traffic; default 1.
    #[serde(default = "one")]
    pub weight: f64,
    /// Shown in metrics; default: `v<version>`, or the alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
}

fn one() -> f64 {
    1.0
}

/// Data capture asked for: the share of requests kept, and which halves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CaptureSpec {
    /// 0–100.
    pub percent: f64,
    #[serde(default = "yes")]
    pub input: bool,
    #[serde(default = "yes")]
    pub output: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum EndpointStatus {
    /// The process was started and has not answered yet.
    Starting,
    Running,
    /// The process died and is being started again.
    Restarting,
    Stopped,
    /// It could not be started (the message says why).
    Failed,
}

/// A variant as served now: the version an alias or group resolved to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct EndpointVariant {
    pub name: String,
    /// What was asked: `GROUP@VERSION|ALIAS`.
    pub spec: String,
    pub model: String,
    #[ts(type = "number")]
    pub version: i64,
    pub weight: f64,
}

/// An endpoint of the project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct EndpointInfo {
    pub name: String,
    pub status: EndpointStatus,
    /// Why it is stopped or failed, or the last restart's cause.
    pub message: String,
    /// `http://127.0.0.1:PORT` while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pid: Option<u32>,
    pub variants: Vec<EndpointVariant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub capture: Option<CaptureSpec>,
    /// The key requests need (`Authorization: Bearer …`).
    pub key: String,
    /// Where captured requests are written (`YYYY/MM/DD/HH/*.jsonl` below it).
    pub capture_dir: String,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
}

/// `PUT /api/projects/{pid}/endpoints/{name}`: other variants or weights for a running endpoint; the
/// switch drops no request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct UpdateEndpoint {
    pub variants: Vec<VariantSpec>,
}

/// `POST …/endpoints/{name}/invoke`: one request through the endpoint, as a client would send it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct InvokeEndpoint {
    /// `text/csv` or `application/json`.
    pub content_type: String,
    pub body: String,
}

/// What the endpoint answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct InvokeResult {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    /// The variant that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub variant: Option<String>,
    pub millis: f64,
}

/// `POST …/endpoints/{name}/ground-truth`: labels for captured requests, keyed by inference id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct GroundTruthUpload {
    /// CSV with the columns `inference_id` and `label`, or SageMaker's ground-truth JSONL
    /// (`{"groundTruthData":{"data":…,"encoding":"CSV"},"eventMetadata":{"eventId":…},"eventVersion":"0"}`).
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct GroundTruthReport {
    /// Labels written.
    pub written: usize,
    /// Of those, how many name an inference id found in the endpoint's captured data.
    pub matched: usize,
    /// The file they were written to, relative to the project.
    pub file: String,
}

/// A piece of an endpoint's log (its process's lines and the studio's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct EndpointLog {
    pub text: String,
    /// The offset to ask for next.
    #[ts(type = "number")]
    pub next: u64,
}
