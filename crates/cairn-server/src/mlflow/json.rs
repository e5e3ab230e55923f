//! Cairn's entities as MLflow's JSON (protobuf's JSON mapping with snake_case names): what the Python
//! client parses. Non-finite metric values travel as "NaN", "Infinity", "-Infinity".

use cairn_store::Project;
use cairn_store::models_registry::{ModelVersion, RegisteredModel};
use cairn_types::{Experiment, LifecycleStage, Metric, Run, RunInfo, Tag};
use serde_json::{Value, json};

pub fn number(v: f64) -> Value {
    if v.is_nan() {
        json!("NaN")
    } else if v == f64::INFINITY {
        json!("Infinity")
    } else if v == f64::NEG_INFINITY {
        json!("-Infinity")
    } else {
        json!(v)
    }
}

pub fn tags(tags: &[Tag]) -> Value {
    Value::Array(tags.iter().map(|t| json!({"key": t.key, "value": t.value})).collect())
}

pub fn metric(m: &Metric) -> Value {
    json!({"key": m.key, "value": number(m.value), "timestamp": m.timestamp, "step": m.step})
}

fn stage(s: LifecycleStage) -> &'static str {
    match s {
        LifecycleStage::Active => "active",
        LifecycleStage::Deleted => "deleted",
    }
}

/// A run kept in the project's default place is shown with the proxy's URI, so the client uploads and
/// downloads through this server; the files land in the same folder either way.
pub fn run_artifact_uri(p: &Project, info: &RunInfo) -> String {
    if info.artifact_uri == p.default_run_artifact_uri(&info.run_id) {
        format!("mlflow-artifacts:/{}/{}/artifacts", info.experiment_id, info.run_id)
    } else {
        info.artifact_uri.clone()
    }
}

pub fn experiment(e: &Experiment) -> Value {
    // The default place inside the project is a file:// URI under .cairn/artifacts/experiments; shown as
    // the proxy's URI, which its runs' URIs extend.
    let location = if e.artifact_location.starts_with("file://")
        && e.artifact_location.ends_with(&format!("/.cairn/artifacts/experiments/{}", e.experiment_id))
    {
        format!("mlflow-artifacts:/{}", e.experiment_id)
    } else {
        e.artifact_location.clone()
    };
    json!({
        "experiment_id": e.experiment_id,
        "name": e.name,
        "artifact_location": location,
        "lifecycle_stage": stage(e.lifecycle_stage),
        "last_update_time": e.last_update_time,
        "creation_time": e.creation_time,
        "tags": tags(&e.tags),
    })
}

pub fn run_info(p: &Project, i: &RunInfo) -> Value {
    let mut v = json!({
        "run_id": i.run_id,
        "run_uuid": i.run_id,
        "run_name": i.run_name,
        "experiment_id": i.experiment_id,
        "user_id": i.user_id,
        "status": i.status.as_str(),
        "start_time": i.start_time,
        "artifact_uri": run_artifact_uri(p, i),
        "lifecycle_stage": stage(i.lifecycle_stage),
    });
    if let Some(end) = i.end_time {
        v["end_time"] = json!(end);
    }
    v
}

/// Logged models a run used and produced (MLflow 3), beside its data sets.
#[derive(Debug, Default, Clone)]
pub struct RunModels {
    pub inputs: Vec<String>,
    pub outputs: Vec<(String, i64)>,
}

pub fn run(p: &Project, r: &Run, models: &RunModels) -> Value {
    let datasets: Vec<Value> = r
        .inputs
        .dataset_inputs
        .iter()
        .map(|d| {
            let mut ds = json!({
                "name": d.dataset.name,
                "digest": d.dataset.digest,
                "source_type": d.dataset.source_type,
                "source": d.dataset.source,
            });
            if let Some(s) = &d.dataset.schema {
                ds["schema"] = json!(s);
            }
            if let Some(s) = &d.dataset.profile {
                ds["profile"] = json!(s);
            }
            json!({"tags": tags(&d.tags), "dataset": ds})
        })
        .collect();
    json!({
        "info": run_info(p, &r.info),
        "data": {
            "metrics": r.data.metrics.iter().map(metric).collect::<Vec<_>>(),
            "params": r.data.params.iter().map(|p| json!({"key": p.key, "value": p.value})).collect::<Vec<_>>(),
            "tags": tags(&r.data.tags),
        },
        "inputs": {
            "dataset_inputs": datasets,
            "model_inputs": models.inputs.iter().map(|m| json!({"model_id": m})).collect::<Vec<_>>(),
        },
        "outputs": {
            "model_outputs": models.outputs.iter().map(|(m, step)| json!({"model_id": m, "step": step})).collect::<Vec<_>>(),
        },
    })
}

pub fn model_version(v: &ModelVersion) -> Value {
    let mut out = json!({
        "name": v.name,
        "version": v.version.to_string(),
        "creation_timestamp": v.creation_timestamp,
        "last_updated_timestamp": v.last_updated_timestamp,
        "user_id": v.user_id,
        "current_stage": v.current_stage,
        "description": v.description,
        "source": v.source,
        "run_id": v.run_id,
        "status": v.status,
        "tags": tags(&v.tags),
        "run_link": v.run_link,
        "aliases": v.aliases,
    });
    if !v.status_message.is_empty() {
        out["status_message"] = json!(v.status_message);
    }
    if !v.model_id.is_empty() {
        out["model_id"] = json!(v.model_id);
    }
    out
}

pub fn registered_model(m: &RegisteredModel) -> Value {
    json!({
        "name": m.name,
        "creation_timestamp": m.creation_timestamp,
        "last_updated_timestamp": m.last_updated_timestamp,
        "user_id": m.user_id,
        "description": m.description,
        "latest_versions": m.latest_versions.iter().map(model_version).collect::<Vec<_>>(),
        "tags": tags(&m.tags),
        "aliases": m.aliases.iter().map(|a| json!({"alias": a.alias, "version": a.version.to_string()})).collect::<Vec<_>>(),
    })
}
