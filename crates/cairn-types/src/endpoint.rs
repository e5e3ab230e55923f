//! Real-time endpoints: what the studio tells an endpoint process to serve, and what it reports back.
//!
//! The studio writes an [`EndpointConfig`] as JSON into the endpoint's folder
//! (`.cairn/endpoints/<name>/config.json`) and starts `cairn endpoint-serve <config.json>`, a process of
//! its own so a crash of the model server never takes the studio down. The process writes its
//! [`EndpointState`] to `state_file` once it listens, and reads the config again on
//! `POST /_cairn/reload` (a new version or alias, other weights), swapping models without dropping a request.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// Everything an endpoint process needs; no project access (it reads only the model files named here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct EndpointConfig {
    /// The endpoint's name (also the KServe model name).
    pub name: String,
    /// The address to bind: `127.0.0.1` unless the user asked otherwise.
    pub host: String,
    /// 0: any free port (the one bound is written to `state_file`).
    pub port: u16,
    /// Requests (all but the health checks) need `Authorization: Bearer <key>`.
    pub key: String,
    /// The models served; traffic is shared by `weight`.
    pub variants: Vec<VariantConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub capture: Option<CaptureConfig>,
    /// Larger bodies are refused with 413.
    #[ts(type = "number")]
    pub max_body_bytes: u64,
    /// Where the process writes its [`EndpointState`] (atomically) once it listens.
    pub state_file: String,
}

/// One model behind an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct VariantConfig {
    /// `v3`, `canary`, …: unique within the endpoint; shown in metrics and the `X-Cairn-Variant` header.
    pub name: String,
    /// The registered model (group) name.
    pub model: String,
    #[ts(type = "number")]
    pub version: i64,
    /// The absolute path of the version's `model.cairn`.
    pub model_path: String,
    /// Relative share of the traffic (> 0).
    pub weight: f64,
}

/// Data capture, as SageMaker's: a sampled share of requests and responses as JSONL, in hourly files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CaptureConfig {
    /// 0–100: the share of requests captured.
    pub percent: f64,
    /// The folder under which `YYYY/MM/DD/HH/*.jsonl` files are written.
    pub dir: String,
    pub input: bool,
    pub output: bool,
}

/// What a running endpoint process reports in its `state_file`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct EndpointState {
    #[ts(type = "number")]
    pub pid: u32,
    pub port: u16,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub started_at: i64,
}

/// `GET /_cairn/stats` of an endpoint process (key required): per variant totals since the process
/// started, and a point per second over the last 10 minutes, for the endpoint page's charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct EndpointStats {
    pub name: String,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number")]
    pub now: i64,
    /// Requests refused for a missing or wrong key (no variant answers those).
    #[ts(type = "number")]
    pub unauthorized: u64,
    pub variants: Vec<VariantStats>,
}

/// One variant's traffic. Latencies are in milliseconds, measured from the request's arrival to its
/// answer, read from fixed logarithmic buckets (within 9 %; a second's points within 19 %); null before
/// the first request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct VariantStats {
    pub name: String,
    pub model: String,
    #[ts(type = "number")]
    pub version: i64,
    pub weight: f64,
    #[ts(type = "number")]
    pub requests: u64,
    /// Answers with a status of 400 or more.
    #[ts(type = "number")]
    pub errors: u64,
    /// Errors per status code (`"400"`, `"500"`, …; `"other"` for the rest).
    #[ts(type = "Record<string, number>")]
    pub errors_by_status: std::collections::BTreeMap<String, u64>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Requests written to the capture files.
    #[ts(type = "number")]
    pub captured: u64,
    /// Oldest first, one per second (seconds without traffic included).
    pub series: Vec<StatsSecond>,
}

/// One second of a variant's traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct StatsSecond {
    /// Seconds since the Unix epoch.
    #[ts(type = "number")]
    pub t: i64,
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub errors: u64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}
