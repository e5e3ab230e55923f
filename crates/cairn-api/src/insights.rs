//! The insights report of a dataset for a target, computed as a task and saved under the project's
//! artifacts: `.cairn/artifacts/insights/<dataset version>/<target key>/insights.{json,html}`.

use std::path::PathBuf;
use std::sync::Arc;

use cairn_data::Observer;
use cairn_store::{Project, cache_write};
use cairn_types::{ApiError, Dataset, ErrorCode, INSIGHTS_FORMAT, InsightsReport, InsightsRequest, TaskStarted};

use crate::Studio;
use crate::datasets::ImportObserver;

/// The folder of one report: by dataset version, then by a readable, collision-free target key.
fn report_dir(project: &Project, ds: &Dataset, req: &InsightsRequest) -> Result<PathBuf, ApiError> {
    let mut h = blake3::Hasher::new();
    h.update(serde_json::to_string(req).unwrap_or_default().as_bytes());
    let readable: String = match &req.equals {
        Some(v) => format!("{}={v}", req.target),
        None => req.target.clone(),
    }
    .chars()
    .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '=' { c } else { '_' })
    .take(60)
    .collect();
    let key = format!("{readable}-{}", &h.finalize().to_hex()[..10]);
    Ok(project.artifacts("insights")?.join(&ds.version).join(key))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

impl Studio {
    /// The saved report of a dataset for a target, or NOT_COMPUTED.
    pub fn insights(&self, pid: &str, did: &str, req: &InsightsRequest) -> Result<InsightsReport, ApiError> {
        let project = self.project(pid)?;
        let ds = project.get_dataset(did)?;
        let path = report_dir(&project, &ds, req)?.join("insights.json");
        let cached = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<InsightsReport>(&b).ok());
        match cached.filter(|r| r.format == INSIGHTS_FORMAT) {
            Some(mut r) => {
                r.dataset_id = ds.id;
                r.dataset_name = ds.name;
                Ok(r)
            }
            None => Err(ApiError::new(
                ErrorCode::NotComputed,
                format!("dataset `{}` has no insights report for `{}` yet", ds.name, target_label(req)),
            )
            .with_hint("run it (POST …/insights, or `cairn insights`)")),
        }
    }

    /// The saved report's HTML page; rendered from the saved JSON when the page itself is missing.
    pub fn insights_html(&self, pid: &str, did: &str, req: &InsightsRequest) -> Result<String, ApiError> {
        let project = self.project(pid)?;
        let ds = project.get_dataset(did)?;
        let path = report_dir(&project, &ds, req)?.join("insights.html");
        match std::fs::read_to_string(&path) {
            Ok(html) => Ok(html),
            Err(_) => Ok(cairn_insights::render_html(&self.insights(pid, did, req)?)),
        }
    }

    /// Computes the report now (profiling first if needed), saves it, and returns it with its folder.
    pub fn insights_now(
        &self,
        pid: &str,
        did: &str,
        req: &InsightsRequest,
        obs: &dyn Observer,
    ) -> Result<(InsightsReport, Option<PathBuf>), ApiError> {
        let project = self.project(pid)?;
        let ds = project.get_dataset(did)?;
        let profile = self.profile_now(pid, &ds.id, obs)?;
        let frame = self.frame(&project, &ds)?;
        let dref = cairn_insights::DatasetRef { id: &ds.id, name: &ds.name, version: &ds.version };
        let report = cairn_insights::report(&frame, &profile, dref, req, obs)?;
        let saved = save(&project, &ds, req, &report);
        Ok((report, saved))
    }

    /// Computes the report as a task; its result is the report.
    pub fn start_insights(self: &Arc<Self>, pid: &str, did: &str, req: InsightsRequest) -> Result<TaskStarted, ApiError> {
        let project = self.project(pid)?;
        let ds = project.get_dataset(did)?;
        let studio = self.clone();
        let (pid, did) = (pid.to_string(), ds.id.clone());
        let title = format!("{} → {}", ds.name, target_label(&req));
        let task_id = self.tasks.spawn("insights", &title, self.now(), self.clock.clone(), move |task| {
            let obs = ImportObserver { task: Some(task), on_progress: None };
            let (report, _) = studio.insights_now(&pid, &did, &req, &obs)?;
            serde_json::to_value(report).map_err(internal)
        });
        Ok(TaskStarted { task_id })
    }
}

fn target_label(req: &InsightsRequest) -> String {
    match &req.equals {
        Some(v) => format!("{} = {v}", req.target),
        None => req.target.clone(),
    }
}

/// Saves the JSON and the HTML page; a read-only project still gets its report, just not kept.
fn save(project: &Project, ds: &Dataset, req: &InsightsRequest, report: &InsightsReport) -> Option<PathBuf> {
    if project.is_read_only() {
        return None;
    }
    let dir = report_dir(project, ds, req).ok()?;
    if let Err(e) = std::fs::create_dir_all(&dir) {
        tracing::warn!("cannot create {}: {e}", dir.display());
        return None;
    }
    let json = serde_json::to_vec_pretty(report).ok()?;
    let html = cairn_insights::render_html(report);
    for (name, bytes) in [("insights.json", json.as_slice()), ("insights.html", html.as_bytes())] {
        if let Err(e) = cache_write(&dir.join(name), bytes) {
            tracing::warn!("cannot save {}: {e}", dir.join(name).display());
            return None;
        }
    }
    Some(dir)
}
