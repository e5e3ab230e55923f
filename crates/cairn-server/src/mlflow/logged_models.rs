//! MLflow 3's logged models: create, get, finalize, delete, search, tags, params, their files, and how
//! runs and registered versions refer to them (run inputs and outputs, metrics logged on a model, the
//! `mlflow.modelVersions` tag, download URIs of versions made from a model).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::routing::{MethodRouter, get, patch, post};
use cairn_store::models_registry::{LoggedModel, LoggedOrder, LoggedSearch, ModelMetric, ModelVersion, NewLoggedModel};
use cairn_types::{Metric, Tag};
use serde_json::{Value, json};

use super::json::{RunModels, metric as metric_json, tags as tags_json};
use super::request::Fields;
use super::{Ctx, MlError, Reply, call};
use crate::AppState;

/// The tag listing the registered versions made from a logged model.
const MODEL_VERSIONS_TAG: &str = "mlflow.modelVersions";

/// An operation whose URL carries fields too (`/logged-models/{model_id}`): they join the request's.
macro_rules! op_path {
    ($f:path) => {
        |State(s): State<AppState>, Path(p): Path<HashMap<String, String>>, f: Fields| call(s, f.with_all(p), $f)
    };
}

pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/logged-models", post(super::op!(create))),
        ("/logged-models/search", post(super::op!(search))),
        ("/logged-models/{model_id}", get(op_path!(get_model)).patch(op_path!(finalize)).delete(op_path!(delete))),
        ("/logged-models/{model_id}/tags", patch(op_path!(set_tags))),
        ("/logged-models/{model_id}/tags/{tag_key}", axum::routing::delete(op_path!(delete_tag))),
        ("/logged-models/{model_id}/params", post(op_path!(log_params))),
        ("/logged-models/{model_id}/artifacts/directories", get(op_path!(list_files))),
        ("/runs/outputs", post(super::op!(log_outputs))),
    ]
}

/// A model kept in the project's default place is shown with the proxy's URI.
fn artifact_uri(c: &Ctx, m: &LoggedModel) -> String {
    if m.artifact_location == c.project.default_logged_model_uri(&m.model_id) {
        format!("mlflow-artifacts:/{}/models/{}/artifacts", m.experiment_id, m.model_id)
    } else {
        m.artifact_location.clone()
    }
}

fn model_json(c: &Ctx, m: &LoggedModel) -> Value {
    let metrics: Vec<Value> = m
        .metrics
        .iter()
        .map(|mm| {
            let mut v = metric_json(&mm.metric);
            v["run_id"] = json!(mm.run_id);
            v["model_id"] = json!(m.model_id);
            if !mm.dataset_name.is_empty() {
                v["dataset_name"] = json!(mm.dataset_name);
                v["dataset_digest"] = json!(mm.dataset_digest);
            }
            v
        })
        .collect();
    let mut info = json!({
        "model_id": m.model_id,
        "experiment_id": m.experiment_id,
        "name": m.name,
        "creation_timestamp_ms": m.creation_timestamp_ms,
        "last_updated_timestamp_ms": m.last_updated_timestamp_ms,
        "artifact_uri": artifact_uri(c, m),
        "status": m.status,
        "tags": tags_json(&m.tags),
        "registrations": m.registrations.iter().map(|(n, v)| json!({"name": n, "version": v.to_string()})).collect::<Vec<_>>(),
    });
    for (key, value) in [("model_type", &m.model_type), ("source_run_id", &m.source_run_id), ("status_message", &m.status_message)] {
        if !value.is_empty() {
            info[key] = json!(value);
        }
    }
    json!({
        "info": info,
        "data": {
            "params": m.params.iter().map(|p| json!({"key": p.key, "value": p.value})).collect::<Vec<_>>(),
            "metrics": metrics,
        },
    })
}

fn create(c: &Ctx, f: &Fields) -> Reply {
    let experiment_id = f.str("experiment_id")?;
    let name = f.opt_str("name")?.filter(|n| !n.is_empty());
    let (model_type, source_run_id) = (f.str_or_empty("model_type")?, f.str_or_empty("source_run_id")?);
    let (params, tags) = (f.params("params")?, f.tags("tags")?);
    let new = NewLoggedModel {
        experiment_id: &experiment_id,
        name: name.as_deref(),
        model_type: &model_type,
        source_run_id: &source_run_id,
        params: &params,
        tags: &tags,
    };
    let m = c.project.create_logged_model(&new, c.now)?;
    Ok(json!({"model": model_json(c, &m)}))
}

fn get_model(c: &Ctx, f: &Fields) -> Reply {
    let allow_deleted = f.opt_bool("allow_deleted")?.unwrap_or(false);
    let m = c.project.get_logged_model(&f.str("model_id")?, allow_deleted)?;
    Ok(json!({"model": model_json(c, &m)}))
}

fn finalize(c: &Ctx, f: &Fields) -> Reply {
    let m = c.project.finalize_logged_model(&f.str("model_id")?, &f.str("status")?, c.now)?;
    Ok(json!({"model": model_json(c, &m)}))
}

fn delete(c: &Ctx, f: &Fields) -> Reply {
    c.project.delete_logged_model(&f.str("model_id")?, c.now)?;
    Ok(json!({}))
}

fn set_tags(c: &Ctx, f: &Fields) -> Reply {
    let id = f.str("model_id")?;
    c.project.set_logged_model_tags(&id, &f.tags("tags")?, c.now)?;
    Ok(json!({"model": model_json(c, &c.project.get_logged_model(&id, true)?)}))
}

fn delete_tag(c: &Ctx, f: &Fields) -> Reply {
    c.project.delete_logged_model_tag(&f.str("model_id")?, &f.str("tag_key")?)?;
    Ok(json!({}))
}

fn log_params(c: &Ctx, f: &Fields) -> Reply {
    c.project.log_logged_model_params(&f.str("model_id")?, &f.params("params")?)?;
    Ok(json!({}))
}

fn search(c: &Ctx, f: &Fields) -> Reply {
    let datasets = f
        .objects("datasets")?
        .iter()
        .map(|d| Ok((d.str_or_empty("dataset_name")?, d.opt_str("dataset_digest")?.filter(|s| !s.is_empty()))))
        .collect::<Result<_, MlError>>()?;
    let order_by = f
        .objects("order_by")?
        .iter()
        .map(|o| {
            Ok(LoggedOrder {
                field: o.str("field_name")?,
                ascending: o.opt_bool("ascending")?.unwrap_or(true),
                dataset_name: o.opt_str("dataset_name")?,
                dataset_digest: o.opt_str("dataset_digest")?,
            })
        })
        .collect::<Result<_, MlError>>()?;
    let max_results = match f.opt_i64("max_results")? {
        None => 0,
        Some(n) if n < 1 || n > u32::MAX as i64 => {
            return Err(MlError::invalid(format!("Invalid value {n} for parameter 'max_results' supplied: it must be positive")));
        }
        Some(n) => n as u32,
    };
    let search = LoggedSearch {
        experiment_ids: f.str_list("experiment_ids")?,
        filter: f.str_or_empty("filter")?,
        datasets,
        max_results,
        order_by,
        page_token: f.opt_str("page_token")?,
    };
    let page = c.project.search_logged_models(&search)?;
    let mut out = json!({"models": page.items.iter().map(|m| model_json(c, m)).collect::<Vec<_>>()});
    if let Some(t) = page.next_page_token {
        out["next_page_token"] = json!(t);
    }
    Ok(out)
}

/// The files under a folder of the model's artifacts.
fn list_files(c: &Ctx, f: &Fields) -> Reply {
    let m = c.project.get_logged_model(&f.str("model_id")?, false)?;
    let rel = f.str_or_empty("artifact_directory_path")?;
    let parts = cairn_store::tracking::artifact_parts(&rel).map_err(|e| MlError::invalid(e.to_string()))?;
    let dir = parts.iter().fold(c.project.artifact_dir(&m.artifact_location), |d, p| d.join(p));
    let prefix = if parts.is_empty() { String::new() } else { format!("{}/", parts.join("/")) };
    Ok(json!({"root_uri": artifact_uri(c, &m), "files": super::artifacts::entries(&dir, &prefix)}))
}

fn log_outputs(c: &Ctx, f: &Fields) -> Reply {
    let run_id = f.str("run_id")?;
    let models = f
        .objects("models")?
        .iter()
        .map(|m| Ok((m.str("model_id")?, m.opt_i64("step")?.unwrap_or(0))))
        .collect::<Result<Vec<_>, MlError>>()?;
    c.project.link_run_models(&run_id, &models, true)?;
    Ok(json!({}))
}

// ---- How runs and the registry see logged models. ----

pub fn run_models(c: &Ctx, run_id: &str) -> Result<RunModels, MlError> {
    Ok(runs_models(c, &[run_id.to_string()])?.pop().unwrap_or_default())
}

pub fn runs_models(c: &Ctx, run_ids: &[String]) -> Result<Vec<RunModels>, MlError> {
    Ok(c.project.run_model_links(run_ids)?.into_iter().map(|(inputs, outputs)| RunModels { inputs, outputs }).collect())
}

/// A metric logged with a `model_id` is also a point of that model's metrics.
pub fn link_metric(c: &Ctx, run_id: &str, f: &Fields, m: &Metric) -> Result<(), MlError> {
    let Some(model_id) = f.opt_str("model_id")?.filter(|s| !s.is_empty()) else { return Ok(()) };
    let point = ModelMetric {
        metric: m.clone(),
        run_id: run_id.to_string(),
        dataset_name: f.str_or_empty("dataset_name")?,
        dataset_digest: f.str_or_empty("dataset_digest")?,
    };
    Ok(c.project.log_logged_model_metrics(&[(model_id, point)])?)
}

/// The same for a batch: the points of `metrics` that carry a `model_id`.
pub fn link_batch_metrics(c: &Ctx, run_id: &str, f: &Fields, metrics: &[Metric]) -> Result<(), MlError> {
    if !f.any_object_has("metrics", "model_id") {
        return Ok(());
    }
    let raw = f.objects("metrics")?;
    let mut points = Vec::new();
    for (obj, m) in raw.iter().zip(metrics) {
        if let Some(model_id) = obj.opt_str("model_id")?.filter(|s| !s.is_empty()) {
            let point = ModelMetric {
                metric: m.clone(),
                run_id: run_id.to_string(),
                dataset_name: obj.str_or_empty("dataset_name")?,
                dataset_digest: obj.str_or_empty("dataset_digest")?,
            };
            points.push((model_id, point));
        }
    }
    Ok(c.project.log_logged_model_metrics(&points)?)
}

pub fn log_inputs(c: &Ctx, run_id: &str, ids: &[String]) -> Result<(), MlError> {
    let models: Vec<(String, i64)> = ids.iter().map(|id| (id.clone(), 0)).collect();
    Ok(c.project.link_run_models(run_id, &models, false)?)
}

/// The logged model a version was made from, if any: its `model_id`, or a `models:/m-…` source.
fn source_model(v: &ModelVersion) -> Option<String> {
    if !v.model_id.is_empty() {
        return Some(v.model_id.clone());
    }
    let id = v.source.strip_prefix("models:/")?.trim_end_matches('/');
    (id.starts_with("m-") && !id.contains('/')).then(|| id.to_string())
}

/// Records the new version on its logged model (`mlflow.modelVersions`, a JSON list), as MLflow does.
pub fn note_registration(c: &Ctx, v: &ModelVersion) -> Result<(), MlError> {
    let Some(model_id) = source_model(v) else { return Ok(()) };
    let Ok(model) = c.project.get_logged_model(&model_id, true) else { return Ok(()) };
    let mut list: Vec<Value> =
        model.tags.iter().find(|t| t.key == MODEL_VERSIONS_TAG).and_then(|t| serde_json::from_str(&t.value).ok()).unwrap_or_default();
    let entry = json!({"name": v.name, "version": v.version.to_string()});
    if !list.contains(&entry) {
        list.push(entry);
    }
    let tag = Tag { key: MODEL_VERSIONS_TAG.into(), value: Value::Array(list).to_string() };
    Ok(c.project.set_logged_model_tags(&model_id, &[tag], c.now)?)
}

/// Where a version's files are: its logged model's location, or its source.
pub fn download_uri(c: &Ctx, v: &ModelVersion) -> Result<String, MlError> {
    match source_model(v) {
        Some(id) => Ok(artifact_uri(c, &c.project.get_logged_model(&id, true)?)),
        None => Ok(v.source.clone()),
    }
}
