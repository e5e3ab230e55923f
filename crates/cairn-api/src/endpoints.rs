//! Real-time endpoints: deploy registered models behind an HTTP endpoint served by a process of its own,
//! list, switch versions or weights, invoke, read metrics and logs, stop; ground truth for captured
//! requests. The process itself is `cairn-serve`'s; starting and watching it is `endpoint_process`'s.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cairn_store::{EndpointRecord, Project};
use cairn_types::{
    ApiError, CaptureConfig, CaptureSpec, DeployEndpoint, EndpointConfig, EndpointInfo, EndpointStatus, EndpointVariant, ErrorCode,
    InvokeEndpoint, InvokeResult, UpdateEndpoint, VariantConfig, VariantSpec,
};
use serde::{Deserialize, Serialize};

use crate::endpoint_process::{self as process, CONFIG_FILE, Supervise};
use crate::registry::resolve_in;
use crate::{Clock, Studio, lock};

/// Bodies larger than this are refused with 413 (a CSV of ~100k rows fits).
const MAX_BODY_BYTES: u64 = 64 << 20;

/// What is kept in the record: what the user asked for (aliases stay aliases).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Spec {
    variants: Vec<VariantSpec>,
    #[serde(default)]
    capture: Option<CaptureSpec>,
    #[serde(default)]
    port: Option<u16>,
}

/// Where an endpoint's files are: its config (with the key), state and log.
fn endpoint_dir(project: &Project, name: &str) -> Result<PathBuf, ApiError> {
    Ok(project.artifacts("endpoints")?.join(name))
}

/// Captured requests, in the project where the user sees them: `capture/<endpoint>/YYYY/MM/DD/HH/`.
pub(crate) fn capture_dir(project: &Project, name: &str) -> PathBuf {
    project.root().join("capture").join(name)
}

fn check_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        return Ok(());
    }
    Err(ApiError::new(ErrorCode::InvalidInput, format!("`{name}` cannot name an endpoint"))
        .with_hint("use up to 63 letters, digits, `-` and `_`, starting with a letter or digit"))
}

fn not_found(name: &str) -> ApiError {
    ApiError::new(ErrorCode::EndpointNotFound, format!("the project has no endpoint `{name}`"))
        .with_hint("deploy a model version to create it")
}

fn random_key() -> String {
    let mut b = [0u8; 24];
    if getrandom::fill(&mut b).is_err() {
        return crate::new_id("key") + &crate::new_id("k");
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The variants as served: each spec resolved to a version and its model file.
fn resolve_variants(project: &Project, variants: &[VariantSpec]) -> Result<Vec<VariantConfig>, ApiError> {
    if variants.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidInput, "an endpoint needs at least one model version to serve")
            .with_hint("name one as GROUP@VERSION, GROUP@ALIAS or GROUP"));
    }
    let mut out: Vec<VariantConfig> = Vec::new();
    for v in variants {
        if !(v.weight.is_finite() && v.weight > 0.0) {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!("the weight of `{}` is {}; weights are numbers above 0", v.model, v.weight),
            )
            .with_hint("give each variant a share of the traffic, e.g. 9 and 1 for a 10% canary"));
        }
        let r = resolve_in(project, &v.model)?;
        let name = v.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| match &r.alias {
            Some(a) => a.clone(),
            None => format!("v{}", r.version),
        });
        if out.iter().any(|o| o.name == name) {
            return Err(ApiError::new(ErrorCode::InvalidInput, format!("two variants are named `{name}`"))
                .with_hint("give the variants different names (e.g. `champion` and `canary`)"));
        }
        out.push(VariantConfig {
            name,
            model: r.group,
            version: r.version,
            model_path: r.model_path.to_string_lossy().into_owned(),
            weight: v.weight,
        });
    }
    Ok(out)
}

fn status_of(s: &str) -> EndpointStatus {
    match s {
        "starting" => EndpointStatus::Starting,
        "running" => EndpointStatus::Running,
        "restarting" => EndpointStatus::Restarting,
        "failed" => EndpointStatus::Failed,
        _ => EndpointStatus::Stopped,
    }
}

fn is_live(r: &EndpointRecord) -> bool {
    matches!(r.status.as_str(), "starting" | "running" | "restarting")
}

/// Re-resolves an endpoint's aliases for its watcher.
struct Refresher {
    clock: Clock,
}

impl Supervise for Refresher {
    fn refresh_config(&self, project: &Project, name: &str) -> Result<bool, ApiError> {
        let Some(record) = project.endpoint(name)? else { return Ok(false) };
        let spec: Spec = serde_json::from_str(&record.spec_json).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        if spec.variants.iter().all(|v| v.model.rsplit_once('@').is_some_and(|(_, s)| s.trim_start_matches('v').parse::<i64>().is_ok())) {
            return Ok(false); // Pinned versions never move.
        }
        let dir = endpoint_dir(project, name)?;
        let mut config = process::read_config(&dir)?;
        let variants = resolve_variants(project, &spec.variants)?;
        if variants == config.variants {
            return Ok(false);
        }
        let moved: Vec<String> = variants.iter().map(|v| format!("{} → {} v{}", v.name, v.model, v.version)).collect();
        process::log_line(&dir, &format!("an alias moved; now serving {}", moved.join(", ")));
        config.variants = variants;
        process::write_config(&dir, &config)?;
        Ok(true)
    }
    fn now(&self) -> i64 {
        (self.clock)()
    }
}

impl Studio {
    /// Starts an endpoint serving the given versions; returns once it answers.
    pub fn deploy_endpoint(&self, pid: &str, req: &DeployEndpoint) -> Result<EndpointInfo, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("an endpoint")?;
        let name = req.name.trim();
        check_name(name)?;
        if let Some(r) = project.endpoint(name)?
            && is_live(&r)
        {
            return Err(ApiError::new(ErrorCode::AlreadyExists, format!("the endpoint `{name}` is already running"))
                .with_hint("switch the models it serves, or stop it before deploying again under this name"));
        }
        if let Some(c) = &req.capture
            && !(0.0..=100.0).contains(&c.percent)
        {
            return Err(ApiError::new(ErrorCode::InvalidInput, format!("a capture of {}% of the requests is not possible", c.percent))
                .with_hint("give a percentage from 0 to 100"));
        }
        let variants = resolve_variants(&project, &req.variants)?;
        let dir = endpoint_dir(&project, name)?;
        // A redeploy keeps the key its clients already have.
        let key = process::read_config(&dir).map(|c| c.key).unwrap_or_else(|_| random_key());
        let config = EndpointConfig {
            name: name.to_string(),
            host: "127.0.0.1".into(),
            port: req.port.unwrap_or(0),
            key,
            variants,
            capture: req.capture.as_ref().map(|c| CaptureConfig {
                percent: c.percent,
                dir: capture_dir(&project, name).to_string_lossy().into_owned(),
                input: c.input,
                output: c.output,
            }),
            max_body_bytes: MAX_BODY_BYTES,
            state_file: dir.join(process::STATE_FILE).to_string_lossy().into_owned(),
        };
        process::write_config(&dir, &config)?;
        let spec = Spec { variants: req.variants.clone(), capture: req.capture.clone(), port: req.port };
        let now = self.now();
        let record = EndpointRecord {
            name: name.to_string(),
            spec_json: serde_json::to_string(&spec).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
            status: "starting".into(),
            message: String::new(),
            pid: None,
            port: None,
            created_at: project.endpoint(name)?.map_or(now, |r| r.created_at),
            updated_at: now,
        };
        project.put_endpoint(&record)?;
        process::log_line(&dir, "starting");
        match process::start(&self.worker, &dir) {
            Ok(p) => {
                project.set_endpoint_status(name, "running", "", Some((p.pid, p.port)), self.now())?;
                process::log_line(&dir, &format!("serving as process {} on port {}", p.pid, p.port));
                self.watch_endpoint(&project, name, dir, Some(p));
            }
            Err(e) => {
                project.set_endpoint_status(name, "failed", &e.message, None, self.now())?;
                return Err(e);
            }
        }
        self.endpoint(pid, name)
    }

    fn watch_endpoint(&self, project: &Arc<Project>, name: &str, dir: PathBuf, p: Option<process::Process>) {
        let key = (project.id().to_string(), name.to_string());
        let mut watched = lock(&self.endpoint_watchers);
        watched.retain(|_, h: &mut std::thread::JoinHandle<()>| !h.is_finished());
        if watched.contains_key(&key) {
            // The watcher of an earlier process notices the new pid in the record and ends; this one
            // takes over below once it has.
            if let Some(h) = watched.remove(&key) {
                drop(watched);
                let _ = h.join();
                watched = lock(&self.endpoint_watchers);
            }
        }
        let sup: Arc<dyn Supervise> = Arc::new(Refresher { clock: self.clock.clone() });
        let (project, name_owned, program, life) = (project.clone(), name.to_string(), self.worker.clone(), Arc::downgrade(&self.life));
        if let Ok(h) = std::thread::Builder::new()
            .name(format!("cairn-endpoint-{name}"))
            .spawn(move || process::watch(sup, project, name_owned, dir, program, p, life))
        {
            watched.insert(key, h);
        }
    }

    /// After a restart: endpoints whose process still runs are watched again; those whose process died
    /// while no studio watched are started again (in their watcher's thread, so opening stays quick).
    pub(crate) fn recover_endpoints(&self, project: &Arc<Project>) {
        if project.is_read_only() {
            return;
        }
        let Ok(records) = project.list_endpoints() else { return };
        for r in records.into_iter().filter(is_live) {
            let Ok(dir) = endpoint_dir(project, &r.name) else { continue };
            if lock(&self.endpoint_watchers).get(&(project.id().to_string(), r.name.clone())).is_some_and(|h| !h.is_finished()) {
                continue;
            }
            let found = r.pid.and_then(|pid| process::adopt(&dir, pid));
            self.watch_endpoint(project, &r.name, dir, found);
        }
    }

    pub fn endpoints(&self, pid: &str) -> Result<Vec<EndpointInfo>, ApiError> {
        let project = self.project(pid)?;
        project.list_endpoints()?.iter().map(|r| info(&project, r)).collect()
    }

    pub fn endpoint(&self, pid: &str, name: &str) -> Result<EndpointInfo, ApiError> {
        let project = self.project(pid)?;
        let r = project.endpoint(name)?.ok_or_else(|| not_found(name))?;
        info(&project, &r)
    }

    /// Other versions, aliases or weights for an endpoint; a running one switches without dropping a request.
    pub fn update_endpoint(&self, pid: &str, name: &str, req: &UpdateEndpoint) -> Result<EndpointInfo, ApiError> {
        let project = self.project(pid)?;
        let r = project.endpoint(name)?.ok_or_else(|| not_found(name))?;
        let variants = resolve_variants(&project, &req.variants)?;
        let dir = endpoint_dir(&project, name)?;
        let previous = process::read_config(&dir)?;
        let config = EndpointConfig { variants, ..previous.clone() };
        let mut spec: Spec = serde_json::from_str(&r.spec_json).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        spec.variants = req.variants.clone();
        process::write_config(&dir, &config)?;
        if is_live(&r)
            && let Some(port) = r.port
            && let Err(e) = process::reload(port, &dir)
        {
            process::write_config(&dir, &previous)?;
            return Err(e);
        }
        project.set_endpoint_spec(
            name,
            &serde_json::to_string(&spec).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
            self.now(),
        )?;
        self.endpoint(pid, name)
    }

    /// Stops the endpoint's process; its record, key, log and captured data stay (deploy again to restart).
    pub fn stop_endpoint(&self, pid: &str, name: &str) -> Result<EndpointInfo, ApiError> {
        let project = self.project(pid)?;
        let r = project.endpoint(name)?.ok_or_else(|| not_found(name))?;
        let dir = endpoint_dir(&project, name)?;
        // First the record, so no watcher starts it again.
        project.set_endpoint_status(name, "stopped", "stopped by the user", None, self.now())?;
        if let Some(pid) = r.pid {
            // Also a process another studio started: found by its command line, not by a child handle.
            process::Process::adopted(pid).stop(&dir.join(CONFIG_FILE), Duration::from_secs(5));
        }
        process::log_line(&dir, "stopped by the user");
        if let Some(h) = lock(&self.endpoint_watchers).remove(&(project.id().to_string(), name.to_string())) {
            let _ = h.join();
        }
        self.endpoint(pid, name)
    }

    /// Stops the endpoint if it runs and forgets it; captured data stays in the project.
    pub fn delete_endpoint(&self, pid: &str, name: &str) -> Result<(), ApiError> {
        let project = self.project(pid)?;
        project.endpoint(name)?.ok_or_else(|| not_found(name))?;
        self.stop_endpoint(pid, name)?;
        project.delete_endpoint(name)?;
        let _ = std::fs::remove_dir_all(endpoint_dir(&project, name)?);
        Ok(())
    }

    /// Sends one request through the endpoint, as a client would (the endpoint page's test form).
    pub fn invoke_endpoint(&self, pid: &str, name: &str, req: &InvokeEndpoint) -> Result<InvokeResult, ApiError> {
        let (port, key) = self.live_port(pid, name)?;
        let start = std::time::Instant::now();
        let resp = http()?
            .post(format!("http://127.0.0.1:{port}/invocations"))
            .bearer_auth(key)
            .header("Content-Type", &req.content_type)
            .body(req.body.clone())
            .send()
            .map_err(|e| down(name, e))?;
        let status = resp.status().as_u16();
        let header = |h: &str| resp.headers().get(h).and_then(|v| v.to_str().ok()).map(str::to_string);
        let (content_type, variant) = (header("content-type").unwrap_or_default(), header("x-cairn-variant"));
        let body = resp.text().map_err(|e| down(name, e))?;
        Ok(InvokeResult { status, content_type, body, variant, millis: start.elapsed().as_secs_f64() * 1e3 })
    }

    /// The endpoint's live metrics (per variant: requests, errors, latency percentiles, per-second series).
    pub fn endpoint_stats(&self, pid: &str, name: &str) -> Result<cairn_types::EndpointStats, ApiError> {
        let (port, key) = self.live_port(pid, name)?;
        let resp = http()?.get(format!("http://127.0.0.1:{port}/_cairn/stats")).bearer_auth(key).send().map_err(|e| down(name, e))?;
        resp.json().map_err(|e| down(name, e))
    }

    /// The endpoint's log from byte `offset` (the process's own lines and the studio's).
    pub fn endpoint_log(&self, pid: &str, name: &str, offset: u64) -> Result<(String, u64), ApiError> {
        let project = self.project(pid)?;
        project.endpoint(name)?.ok_or_else(|| not_found(name))?;
        let bytes = std::fs::read(endpoint_dir(&project, name)?.join(process::LOG_FILE)).unwrap_or_default();
        let start = (offset as usize).min(bytes.len());
        Ok((String::from_utf8_lossy(&bytes[start..]).into_owned(), bytes.len() as u64))
    }

    fn live_port(&self, pid: &str, name: &str) -> Result<(u16, String), ApiError> {
        let project = self.project(pid)?;
        let r = project.endpoint(name)?.ok_or_else(|| not_found(name))?;
        let port = r.port.filter(|_| r.status == "running").ok_or_else(|| {
            ApiError::new(ErrorCode::EndpointDown, format!("the endpoint `{name}` is {}", r.status)).with_hint(
                if r.status == "restarting" { "it is being started again; try in a few seconds" } else { "deploy it again to start it" },
            )
        })?;
        Ok((port, process::read_config(&endpoint_dir(&project, name)?)?.key))
    }
}

fn http() -> Result<reqwest::blocking::Client, ApiError> {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
}

fn down(name: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::EndpointDown, format!("the endpoint `{name}` did not answer: {e}"))
        .with_hint("it may be restarting; see its log")
}

fn info(project: &Project, r: &EndpointRecord) -> Result<EndpointInfo, ApiError> {
    let dir = endpoint_dir(project, &r.name)?;
    let config = process::read_config(&dir).ok();
    let spec: Option<Spec> = serde_json::from_str(&r.spec_json).ok();
    let asked = spec.as_ref().map(|s| s.variants.clone()).unwrap_or_default();
    let variants = config
        .as_ref()
        .map(|c| {
            c.variants
                .iter()
                .enumerate()
                .map(|(i, v)| EndpointVariant {
                    name: v.name.clone(),
                    spec: asked.get(i).map_or_else(|| format!("{}@{}", v.model, v.version), |a| a.model.clone()),
                    model: v.model.clone(),
                    version: v.version,
                    weight: v.weight,
                })
                .collect()
        })
        .unwrap_or_default();
    // The record says running, but the process may have died since (while no studio watched it).
    let gone = r.status == "running" && !r.pid.is_some_and(|p| process::is_endpoint_process(p, &dir.join(CONFIG_FILE)));
    let running = r.status == "running" && !gone;
    let (status, message) = if gone {
        (EndpointStatus::Restarting, "the model server is not running; a studio with this project open starts it again".to_string())
    } else {
        (status_of(&r.status), r.message.clone())
    };
    Ok(EndpointInfo {
        name: r.name.clone(),
        status,
        message,
        url: r.port.filter(|_| running).map(|p| format!("http://127.0.0.1:{p}")),
        pid: r.pid.filter(|_| running),
        variants,
        capture: spec.and_then(|s| s.capture),
        key: config.map(|c| c.key).unwrap_or_default(),
        capture_dir: capture_dir(project, &r.name).to_string_lossy().into_owned(),
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// The names of the running endpoints of `project` that serve `version` of `group` (any version when
/// None). The MLflow registry API asks it too, having no studio.
pub fn serving_in(project: &Project, group: &str, version: Option<i64>) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for r in project.list_endpoints()?.iter().filter(|r| is_live(r)) {
        let Ok(dir) = endpoint_dir(project, &r.name) else { continue };
        if process::read_config(&dir).is_ok_and(|c| c.variants.iter().any(|v| v.model == group && version.is_none_or(|n| n == v.version))) {
            out.push(r.name.clone());
        }
    }
    Ok(out)
}
