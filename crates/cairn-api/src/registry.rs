//! The model registry in the studio: register a run's model as a version of a group, approve or reject
//! it, point aliases at versions, read a group's history, a version's model card, two versions side by
//! side, and resolve `GROUP@VERSION`, `GROUP@ALIAS` or `GROUP` to a model file for serving.
//!
//! The state is the store's (MLflow's registry tables and the registry's history), so the MLflow API
//! sees the same groups, versions and aliases. Cairn serves its own model format only: a version's
//! files must hold a `model.cairn` (Cairn's training and AutoML write one; an mlflow client can log one
//! as an artifact). A version in another flavor (sklearn, pyfunc) can be registered through MLflow's
//! API but not resolved for serving.

use std::path::{Path, PathBuf};

use cairn_store::models_registry::{INTENDED_USE_TAG, ModelVersion, NewVersion};
use cairn_store::{Project, RegistryError, TrackingStore};
use cairn_types::{
    ApiError, ApprovalStatus, ErrorCode, KeyMetric, ModelAliasInfo, ModelGroup, ModelVersionInfo, RegisterModel, RegistryEvent, Run,
    RunStatus, Tag,
};

use crate::Studio;
use crate::training::user;
use crate::worker::{MODEL_FILE, artifact_dir};

pub(crate) mod card;

/// A registry spec resolved to the model file to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedModel {
    pub group: String,
    pub version: i64,
    /// The alias the spec named, if it named one.
    pub alias: Option<String>,
    pub run_id: String,
    /// The absolute path of the version's `model.cairn`.
    pub model_path: PathBuf,
}

/// How deep a run's (or logged model's) folders are searched for a `model.cairn`.
const SEARCH_DEPTH: usize = 4;

impl Studio {
    /// Resolves `GROUP@VERSION` (`3` or `v3`), `GROUP@ALIAS`, or `GROUP` (its highest Approved version)
    /// to the version and its model file. Groups may contain `@`: the last one splits.
    pub fn resolve_model(&self, pid: &str, spec: &str) -> Result<ResolvedModel, ApiError> {
        resolve_in(&*self.project(pid)?, spec)
    }
}

/// [`Studio::resolve_model`] on an open project (endpoint watchers resolve aliases again with it).
pub(crate) fn resolve_in(project: &Project, spec: &str) -> Result<ResolvedModel, ApiError> {
    let spec = spec.trim();
    let (group, selector) = match spec.rsplit_once('@') {
        Some((g, s)) if !g.is_empty() => (g, Some(s)),
        _ => (spec, None),
    };
    if group.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidInput, "the model to use is empty")
            .with_hint("name it GROUP@VERSION, GROUP@ALIAS or GROUP (its latest approved version)"));
    }
    let (version, alias) = match selector {
        Some("") => {
            return Err(ApiError::new(ErrorCode::InvalidInput, format!("`{spec}` names no version or alias after `@`"))
                .with_hint(format!("write {group}@3, {group}@champion, or {group} for its latest approved version")));
        }
        Some(s) => match version_number(s) {
            Some(n) => (project.get_model_version(group, &n.to_string())?, None),
            None => (project.model_version_by_alias(group, s)?, Some(s.to_string())),
        },
        None => (latest_approved(project, group)?, None),
    };
    let model_path = model_file(project, &version)?;
    crate::inference_flow::ensure(project, &version.run_id, &model_path)?;
    Ok(ResolvedModel { group: version.name.clone(), version: version.version, alias, run_id: version.run_id.clone(), model_path })
}

/// Who a change is recorded as: the name given, else the user running Cairn.
fn actor_or_user(actor: Option<&str>) -> String {
    actor.map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).unwrap_or_else(user)
}

impl Studio {
    /// Registers a run's model as the next version of `req.model` (created on first use), pending
    /// approval. The run must hold a `model.cairn`: a Cairn training, an AutoML search or trial, or an
    /// mlflow-logged run that saved one; an MLflow flavor (sklearn, pyfunc) is refused, saying why.
    pub fn register_model(&self, pid: &str, req: &RegisterModel) -> Result<ModelVersionInfo, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("registering a model")?;
        let group = req.model.trim();
        let run = project.get_run(req.run_id.trim())?;
        if matches!(run.info.status, RunStatus::Running | RunStatus::Scheduled) && !has_model(&project, &run) {
            return Err(ApiError::new(
                ErrorCode::NotComputed,
                format!("run `{}` is still training and has no model yet", run.info.run_name),
            )
            .with_hint("register it when it has finished"));
        }
        let dir = artifact_dir(&project, &run.info.artifact_uri);
        let Some(file) = find_model_file(&dir) else {
            return Err(no_model(&run, &dir));
        };
        // A file that does not load would only fail later, at deployment.
        let model = cairn_ml::Model::load(&file)?;
        // What the model takes is decided now, while the flow that made its data is at hand.
        crate::inference_flow::model_front(&project, &run, &file, &model)?;
        let rel = file.strip_prefix(&dir).map(|r| r.to_string_lossy().replace('\\', "/")).unwrap_or_else(|_| MODEL_FILE.into());
        let source = format!("runs:/{}/{rel}", run.info.run_id);
        let actor = actor_or_user(req.actor.as_deref());
        let now = self.now();
        match project.create_registered_model(group, &[], "", &actor, now) {
            Ok(_) | Err(RegistryError::ModelExists(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let tags: Vec<Tag> = req
            .intended_use
            .iter()
            .filter(|t| !t.trim().is_empty())
            .map(|t| Tag { key: INTENDED_USE_TAG.into(), value: t.clone() })
            .collect();
        let new = NewVersion {
            name: group,
            source: &source,
            run_id: &run.info.run_id,
            run_link: "",
            description: req.description.as_deref().unwrap_or(""),
            user_id: &actor,
            model_id: "",
            tags: &tags,
        };
        let v = project.create_model_version(&new, now)?;
        Ok(version_info(&project, &v))
    }

    /// Approves or rejects a version. Approving an approved version (or rejecting a rejected one) is
    /// INVALID_TRANSITION; rejecting needs a reason, and so does approving a rejected version.
    pub fn set_approval(
        &self,
        pid: &str,
        group: &str,
        version: i64,
        status: ApprovalStatus,
        actor: Option<&str>,
        reason: Option<&str>,
    ) -> Result<ModelVersionInfo, ApiError> {
        let project = self.project(pid)?;
        let v =
            project.set_approval_status(group, &version.to_string(), status, &actor_or_user(actor), reason.unwrap_or(""), self.now())?;
        Ok(version_info(&project, &v))
    }

    /// Points `alias` at a version (moving it from another one).
    pub fn set_alias(&self, pid: &str, group: &str, alias: &str, version: i64, actor: Option<&str>) -> Result<ModelVersionInfo, ApiError> {
        let project = self.project(pid)?;
        project.set_model_alias(group, alias, &version.to_string(), &actor_or_user(actor), self.now())?;
        Ok(version_info(&project, &project.get_model_version(group, &version.to_string())?))
    }

    /// Removes an alias; MODEL_NOT_FOUND when the group has no such alias.
    pub fn remove_alias(&self, pid: &str, group: &str, alias: &str, actor: Option<&str>) -> Result<(), ApiError> {
        let project = self.project(pid)?;
        project.model_version_by_alias(group, alias)?;
        Ok(project.delete_model_alias(group, alias, &actor_or_user(actor), self.now())?)
    }

    /// Edits the model card's intended use of a version.
    pub fn set_intended_use(
        &self,
        pid: &str,
        group: &str,
        version: i64,
        text: &str,
        actor: Option<&str>,
    ) -> Result<ModelVersionInfo, ApiError> {
        let project = self.project(pid)?;
        let v = project.set_intended_use(group, &version.to_string(), text, &actor_or_user(actor), self.now())?;
        Ok(version_info(&project, &v))
    }

    /// Every group with its versions (newest first), their status and aliases, by name.
    pub fn model_groups(&self, pid: &str) -> Result<Vec<ModelGroup>, ApiError> {
        let project = self.project(pid)?;
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = project.search_registered_models("", cairn_store::models_registry::MAX_MODELS_PER_PAGE, &[], token.as_deref())?;
            for m in &page.items {
                out.push(group_of(&project, m)?);
            }
            match page.next_page_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    pub fn model_group(&self, pid: &str, group: &str) -> Result<ModelGroup, ApiError> {
        let project = self.project(pid)?;
        group_of(&project, &project.get_registered_model(group)?)
    }

    pub fn model_version(&self, pid: &str, group: &str, version: i64) -> Result<ModelVersionInfo, ApiError> {
        let project = self.project(pid)?;
        Ok(version_info(&project, &project.get_model_version(group, &version.to_string())?))
    }

    /// Every change to a group, oldest first (a deleted group's history stays readable).
    pub fn model_history(&self, pid: &str, group: &str) -> Result<Vec<RegistryEvent>, ApiError> {
        Ok(self.project(pid)?.registry_history(group, None)?)
    }

    /// Deletes a group with its versions and aliases; ENDPOINT_LIVE while an endpoint serves it.
    pub fn delete_model_group(&self, pid: &str, group: &str, actor: Option<&str>) -> Result<(), ApiError> {
        let project = self.project(pid)?;
        project.get_registered_model(group)?;
        refuse_if_served(&project, group, None)?;
        Ok(project.delete_registered_model(group, &actor_or_user(actor), self.now())?)
    }

    /// Deletes a version (its number is never reused); ENDPOINT_LIVE while an endpoint serves the group.
    pub fn delete_model_version(&self, pid: &str, group: &str, version: i64, actor: Option<&str>) -> Result<(), ApiError> {
        let project = self.project(pid)?;
        project.get_model_version(group, &version.to_string())?;
        refuse_if_served(&project, group, Some(version))?;
        Ok(project.delete_model_version(group, &version.to_string(), &actor_or_user(actor), self.now())?)
    }
}

/// Refuses a change that would take `version` of `group` (any version when None) from under a running
/// endpoint: deleting or renaming it, through Cairn's API or MLflow's.
pub fn refuse_if_served(project: &Project, group: &str, version: Option<i64>) -> Result<(), ApiError> {
    let live = crate::endpoints::serving_in(project, group, version)?;
    if live.is_empty() {
        return Ok(());
    }
    let what = match version {
        Some(v) => format!("version {v} of model `{group}`"),
        None => format!("model `{group}`"),
    };
    Err(ApiError::new(ErrorCode::EndpointLive, format!("{what} is served by the running endpoint(s) {}", live.join(", ")))
        .with_hint("stop those endpoints (or move them to another model) first"))
}

fn has_model(project: &Project, run: &Run) -> bool {
    find_model_file(&artifact_dir(project, &run.info.artifact_uri)).is_some()
}

/// Why a run has nothing to register: no model at all, or a model in an MLflow flavor.
fn no_model(run: &Run, dir: &Path) -> ApiError {
    let flavors = mlflow_flavors(dir);
    let name = &run.info.run_name;
    if flavors.is_empty() {
        return ApiError::new(ErrorCode::NotComputed, format!("run `{name}` has no {MODEL_FILE} among its files"))
            .with_hint("register a run that finished training, or log a model.cairn as an artifact of the run");
    }
    ApiError::new(ErrorCode::InvalidInput, format!("run `{name}` holds an MLflow model in the flavor(s) {}, which Cairn does not serve", flavors.join(", ")))
        .with_hint("Cairn serves its own model format: train the model in Cairn (cairn train, cairn automl), or log its model.cairn as an artifact of the run")
}

fn group_of(project: &Project, m: &cairn_store::models_registry::RegisteredModel) -> Result<ModelGroup, ApiError> {
    let versions = project.model_versions(&m.name)?;
    Ok(ModelGroup {
        name: m.name.clone(),
        description: m.description.clone(),
        created_at: m.creation_timestamp,
        updated_at: m.last_updated_timestamp,
        aliases: m.aliases.iter().map(|a| ModelAliasInfo { alias: a.alias.clone(), version: a.version }).collect(),
        versions: versions.iter().rev().map(|v| version_info(project, v)).collect(),
    })
}

/// A version as lists show it, with its run's name, kind and key metric (blank when the run is gone).
pub(crate) fn version_info(project: &Project, v: &ModelVersion) -> ModelVersionInfo {
    let run = (!v.run_id.is_empty()).then(|| project.get_run(&v.run_id).ok()).flatten();
    let tag = |k: &str| run.as_ref().and_then(|r| r.data.tags.iter().find(|t| t.key == k).map(|t| t.value.clone()));
    ModelVersionInfo {
        group: v.name.clone(),
        version: v.version,
        run_id: v.run_id.clone(),
        run_name: run.as_ref().map(|r| r.info.run_name.clone()).unwrap_or_default(),
        created_at: v.creation_timestamp,
        registered_by: v.user_id.clone(),
        description: v.description.clone(),
        source: v.source.clone(),
        approval: v.approval.clone(),
        aliases: v.aliases.clone(),
        model_kind: tag("cairn.model").unwrap_or_default(),
        key_metric: run.as_ref().and_then(key_metric),
    }
}

/// Held-out metrics in the order Cairn ranks models by; an AutoML run's own `metric` param first.
const KEY_METRICS: [&str; 6] = ["roc_auc", "accuracy", "log_loss", "r2", "rmse", "mae"];

fn key_metric(run: &Run) -> Option<KeyMetric> {
    let metric =
        |k: &str| run.data.metrics.iter().find(|m| m.key == k && m.value.is_finite()).map(|m| KeyMetric { key: k.into(), value: m.value });
    let chosen = run.data.params.iter().find(|p| p.key == "metric").map(|p| p.value.as_str());
    chosen.into_iter().chain(KEY_METRICS).find_map(metric)
}

/// `3` or `v3` (MLflow reserves `v<number>` to name versions).
fn version_number(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['v', 'V']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

fn latest_approved(project: &Project, group: &str) -> Result<ModelVersion, ApiError> {
    let versions = project.model_versions(group)?;
    let count = versions.len();
    versions.into_iter().rev().find(|v| v.approval.status == ApprovalStatus::Approved).ok_or_else(|| {
        ApiError::new(ErrorCode::ModelNotFound, format!("model `{group}` has no approved version (it has {count} version(s))"))
            .with_hint(format!("approve one (cairn model approve PROJECT {group}@VERSION), or name a version: {group}@VERSION"))
    })
}

/// The `model.cairn` a version's source points at: a file, or the first found in its folder.
pub(crate) fn model_file(project: &Project, v: &ModelVersion) -> Result<PathBuf, ApiError> {
    let root = source_path(project, v)?;
    if root.is_file() {
        if root.file_name().is_some_and(|n| n == MODEL_FILE) {
            return Ok(root);
        }
    } else if let Some(found) = find_model_file(&root) {
        return Ok(found);
    }
    let what = format!("version {} of model `{}`", v.version, v.name);
    let flavors = mlflow_flavors(if root.is_file() { root.parent().unwrap_or(&root) } else { &root });
    let why = if flavors.is_empty() {
        format!("{what} has no {MODEL_FILE} at {}", root.display())
    } else {
        format!("{what} is an MLflow model in the flavor(s) {}, not a Cairn model", flavors.join(", "))
    };
    Err(ApiError::new(ErrorCode::NotComputed, why).with_hint(
        "Cairn serves its own model format: register a run trained by Cairn, or log the model.cairn file as an artifact \
         of the run with the mlflow client",
    ))
}

/// The file or folder a version's source names: `runs:/<run>/<path>`, a logged model, or a URI.
fn source_path(project: &Project, v: &ModelVersion) -> Result<PathBuf, ApiError> {
    if let Some(rest) = v.source.strip_prefix("runs:/") {
        let (run_id, rel) = rest.trim_start_matches('/').split_once('/').unwrap_or((rest, ""));
        let run = project.get_run(run_id)?;
        let dir = artifact_dir(project, &run.info.artifact_uri);
        let rel = rel.trim_matches('/');
        if rel.split('/').any(|part| part == "..") {
            return Err(ApiError::new(ErrorCode::InvalidInput, format!("the source `{}` leaves its run's folder", v.source)));
        }
        return Ok(if rel.is_empty() { dir } else { dir.join(rel) });
    }
    let logged = if !v.model_id.is_empty() {
        Some(v.model_id.as_str())
    } else {
        v.source.strip_prefix("models:/").filter(|id| id.starts_with("m-"))
    };
    if let Some(id) = logged {
        let model = project.get_logged_model(id.trim_end_matches('/'), true)?;
        return Ok(artifact_dir(project, &model.artifact_location));
    }
    Ok(artifact_dir(project, &v.source))
}

/// The shallowest `model.cairn` under `dir` (names sorted, so the same one every time).
pub(crate) fn find_model_file(dir: &Path) -> Option<PathBuf> {
    let mut level = vec![dir.to_path_buf()];
    for _ in 0..SEARCH_DEPTH {
        let mut next = Vec::new();
        for d in &level {
            let Ok(entries) = std::fs::read_dir(d) else { continue };
            let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            if let Some(f) = paths.iter().find(|p| p.is_file() && p.file_name().is_some_and(|n| n == MODEL_FILE)) {
                return Some(f.clone());
            }
            next.extend(paths.into_iter().filter(|p| p.is_dir()));
        }
        level = next;
    }
    None
}

/// The flavors an MLflow `MLmodel` file under `dir` declares (`sklearn`, `python_function`, …).
pub(crate) fn mlflow_flavors(dir: &Path) -> Vec<String> {
    let mut level = vec![dir.to_path_buf()];
    for _ in 0..SEARCH_DEPTH {
        let mut next = Vec::new();
        for d in &level {
            if let Ok(text) = std::fs::read_to_string(d.join("MLmodel")) {
                return flavors_of(&text);
            }
            if let Ok(entries) = std::fs::read_dir(d) {
                next.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
            }
        }
        level = next;
    }
    Vec::new()
}

/// The keys directly under `flavors:` in an MLmodel YAML file.
fn flavors_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut indent = None;
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let depth = line.len() - line.trim_start().len();
        if depth == 0 {
            inside = line.trim_end() == "flavors:";
            continue;
        }
        if inside
            && *indent.get_or_insert(depth) == depth
            && let Some(key) = line.trim().strip_suffix(':')
        {
            out.push(key.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_flavors() {
        assert_eq!(version_number("3"), Some(3));
        assert_eq!(version_number("v12"), Some(12));
        assert_eq!(version_number("champion"), None);
        assert_eq!(version_number("0"), None);
        assert_eq!(version_number("v"), None);
        let mlmodel = "artifact_path: model\nflavors:\n  python_function:\n    env: conda.yaml\n  sklearn:\n    pickled_model: m.pkl\nmodel_uuid: x\n";
        assert_eq!(flavors_of(mlmodel), ["python_function", "sklearn"]);
    }
}
