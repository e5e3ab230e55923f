//! A client for Ray's Jobs REST API (the dashboard, port 8265 by default): version, packages, jobs, logs,
//! stop. Every answer Ray can give is turned into a [`JobError`] that names the cluster, the token or the
//! job; nothing here panics on a misbehaving server.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::JobError;

/// The Jobs API version Cairn speaks (`GET /api/version` → `"version"`). Ray 2.x has answered 4 since 2.1.
pub const JOBS_API_VERSION: &str = "4";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A package of hundreds of MiB over a slow link takes a while.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long a submit waits for a just-started head's job agent.
const AGENT_WAIT: Duration = Duration::from_secs(30);

/// A job's state as Ray reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RayStatus {
    Pending,
    Running,
    Stopped,
    Succeeded,
    Failed,
}

impl RayStatus {
    pub fn is_terminal(self) -> bool {
        matches!(self, RayStatus::Stopped | RayStatus::Succeeded | RayStatus::Failed)
    }
}

/// `GET /api/jobs/<id>`: the fields Cairn reads.
#[derive(Debug, Clone, Deserialize)]
pub struct RayJob {
    pub status: RayStatus,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error_type: Option<String>,
    #[serde(default)]
    pub driver_exit_code: Option<i32>,
}

/// `POST /api/jobs/`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SubmitRequest {
    pub entrypoint: String,
    pub submission_id: String,
    pub runtime_env: serde_json::Value,
    pub metadata: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint_num_cpus: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint_num_gpus: Option<f64>,
    /// Bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint_memory: Option<u64>,
}

/// What `GET /api/version` said.
#[derive(Debug, Clone, Deserialize)]
pub struct RayVersion {
    pub version: String,
    #[serde(default)]
    pub ray_version: String,
}

pub struct RayClient {
    base: String,
    token: Option<String>,
    http: reqwest::blocking::Client,
}

/// The dashboard's HTTP address from what a user types: `ray://h:p` and `h:p` mean `http://h:p`.
pub fn normalize_address(address: &str) -> String {
    let a = address.trim().trim_end_matches('/');
    let a = a.strip_prefix("ray://").unwrap_or(a);
    if a.starts_with("http://") || a.starts_with("https://") { a.to_string() } else { format!("http://{a}") }
}

impl RayClient {
    pub fn new(address: &str, token: Option<String>) -> Result<Self, JobError> {
        let base = normalize_address(address);
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| JobError::Unreachable { url: base.clone(), detail: e.to_string() })?;
        Ok(Self { base, token: token.filter(|t| !t.is_empty()), http })
    }

    /// The dashboard's address, `http://host:port`.
    pub fn address(&self) -> &str {
        &self.base
    }

    fn send(
        &self,
        method: &'static str,
        path: &str,
        build: impl FnOnce(reqwest::blocking::RequestBuilder) -> reqwest::blocking::RequestBuilder,
    ) -> Result<(u16, String), JobError> {
        let url = format!("{}{path}", self.base);
        let mut req = match method {
            "PUT" => self.http.put(&url),
            "POST" => self.http.post(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.get(&url),
        };
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = build(req).send().map_err(|e| JobError::Unreachable { url: url.clone(), detail: root_cause(&e) })?;
        let status = resp.status().as_u16();
        let body = resp.text().map_err(|e| JobError::Unreachable { url: url.clone(), detail: root_cause(&e) })?;
        match status {
            401 => Err(JobError::TokenMissing { url: self.base.clone() }),
            403 => Err(JobError::TokenRefused { url: self.base.clone() }),
            _ => Ok((status, body)),
        }
    }

    fn fail(&self, method: &'static str, path: &str, status: u16, body: &str) -> JobError {
        // Ray answers errors as a traceback; its last line says what went wrong.
        let detail = body.trim().lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").chars().take(500).collect();
        JobError::Ray { method, url: format!("{}{path}", self.base), status, detail }
    }

    /// Checks that the address is a Ray dashboard whose Jobs API Cairn knows, and that the token is accepted.
    pub fn check(&self) -> Result<RayVersion, JobError> {
        let (status, body) = self.send("GET", "/api/version", |r| r)?;
        if status != 200 {
            return Err(self.fail("GET", "/api/version", status, &body));
        }
        let v: RayVersion = serde_json::from_str(&body)
            .map_err(|e| JobError::NotRay { url: self.base.clone(), detail: format!("its /api/version answer is not Ray's ({e})") })?;
        if v.version != JOBS_API_VERSION {
            return Err(JobError::RayVersion {
                url: self.base.clone(),
                found: v.version,
                ray: v.ray_version,
                known: JOBS_API_VERSION.into(),
            });
        }
        // /api/version answers without a token on some versions; listing jobs needs it everywhere.
        let (status, body) = self.send("GET", "/api/jobs/", |r| r)?;
        if status != 200 {
            return Err(self.fail("GET", "/api/jobs/", status, &body));
        }
        Ok(v)
    }

    /// True when the cluster holds the package `name` (`_ray_pkg_….zip`).
    pub fn has_package(&self, name: &str) -> Result<bool, JobError> {
        let path = format!("/api/packages/gcs/{name}");
        match self.send("GET", &path, |r| r)? {
            (200, _) => Ok(true),
            (404, _) => Ok(false),
            (s, body) => Err(self.fail("GET", &path, s, &body)),
        }
    }

    pub fn upload_package(&self, name: &str, bytes: Vec<u8>) -> Result<(), JobError> {
        let path = format!("/api/packages/gcs/{name}");
        match self.send("PUT", &path, |r| r.timeout(UPLOAD_TIMEOUT).body(bytes))? {
            (200, _) => Ok(()),
            (s, body) => Err(self.fail("PUT", &path, s, &body)),
        }
    }

    /// The job, or None when the cluster has no job with this submission id.
    pub fn job(&self, id: &str) -> Result<Option<RayJob>, JobError> {
        let path = format!("/api/jobs/{id}");
        match self.send("GET", &path, |r| r)? {
            (200, body) => serde_json::from_str(&body)
                .map(Some)
                .map_err(|e| self.fail("GET", &path, 200, &format!("an answer Cairn cannot read: {e}"))),
            (404, _) => Ok(None),
            (s, body) => Err(self.fail("GET", &path, s, &body)),
        }
    }

    /// Submits a job. A submission id the cluster has already is refused here, before Ray answers it
    /// with a 500 and a traceback.
    pub fn submit(&self, req: &SubmitRequest) -> Result<(), JobError> {
        if self.job(&req.submission_id)?.is_some() {
            return Err(JobError::AlreadySubmitted { id: req.submission_id.clone() });
        }
        // A head that has just started answers "No available agent" until its job agent registers
        // (seconds); the job was not created, so asking again is safe.
        let mut waited = Duration::ZERO;
        loop {
            match self.send("POST", "/api/jobs/", |r| r.json(req))? {
                (200, _) => return Ok(()),
                (500, body) if body.contains("No available agent") && waited < AGENT_WAIT => {
                    std::thread::sleep(Duration::from_millis(500));
                    waited += Duration::from_millis(500);
                }
                (s, body) => return Err(self.fail("POST", "/api/jobs/", s, &body)),
            }
        }
    }

    /// The job's whole log so far.
    pub fn logs(&self, id: &str) -> Result<String, JobError> {
        let path = format!("/api/jobs/{id}/logs");
        match self.send("GET", &path, |r| r)? {
            (200, body) => {
                #[derive(Deserialize)]
                struct Logs {
                    #[serde(default)]
                    logs: String,
                }
                serde_json::from_str::<Logs>(&body)
                    .map(|l| l.logs)
                    .map_err(|e| self.fail("GET", &path, 200, &format!("an answer Cairn cannot read: {e}")))
            }
            (404, _) => Err(JobError::UnknownJob { url: self.base.clone(), id: id.into() }),
            (s, body) => Err(self.fail("GET", &path, s, &body)),
        }
    }

    /// The CPUs of the cluster's live nodes (Ray's state API, `GET /api/v0/nodes`): how many one-core
    /// jobs can run at once.
    pub fn cpus(&self) -> Result<f64, JobError> {
        let path = "/api/v0/nodes";
        #[derive(Deserialize)]
        struct Node {
            #[serde(default)]
            state: String,
            #[serde(default)]
            resources_total: BTreeMap<String, f64>,
        }
        #[derive(Deserialize)]
        struct Listing {
            result: Vec<Node>,
        }
        #[derive(Deserialize)]
        struct Data {
            result: Listing,
        }
        #[derive(Deserialize)]
        struct Answer {
            data: Data,
        }
        match self.send("GET", path, |r| r)? {
            (200, body) => serde_json::from_str::<Answer>(&body)
                .map(|a| a.data.result.result.iter().filter(|n| n.state == "ALIVE").filter_map(|n| n.resources_total.get("CPU")).sum())
                .map_err(|e| self.fail("GET", path, 200, &format!("an answer Cairn cannot read: {e}"))),
            (s, body) => Err(self.fail("GET", path, s, &body)),
        }
    }

    /// Asks Ray to stop the job (SIGTERM to its driver, then SIGKILL after Ray's own grace period).
    pub fn stop(&self, id: &str) -> Result<(), JobError> {
        let path = format!("/api/jobs/{id}/stop");
        match self.send("POST", &path, |r| r)? {
            (200, _) => Ok(()),
            (404, _) => Err(JobError::UnknownJob { url: self.base.clone(), id: id.into() }),
            (s, body) => Err(self.fail("POST", &path, s, &body)),
        }
    }
}

/// reqwest's error text is "error sending request"; the cause (connection refused, timed out) is deeper.
fn root_cause(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if cause.to_string() == e.to_string() { e.to_string() } else { format!("{e} ({cause})") }
}
