//! Runs: create, get, update, delete, restore, search, and logging into them (metrics, params, tags,
//! batches, data set inputs, MLmodel records).

use cairn_store::TrackingStore;
use cairn_types::{DatasetInput, DatasetRef, Metric, Param, RunStatus, SearchRuns, Tag};
use serde_json::{Value, json};

use super::experiments::{max_results, view_type};
use super::request::{Fields, missing};
use super::{Ctx, MlError, Reply, json as wire};

/// The tag the client reads a run's user from.
const USER_TAG: &str = "mlflow.user";
/// The tag `log-model` appends MLmodel summaries to.
const LOGGED_MODELS_TAG: &str = "mlflow.log-model.history";

fn run_reply(c: &Ctx, run_id: &str) -> Reply {
    let run = c.project.get_run(run_id)?;
    let models = super::logged_models::run_models(c, run_id)?;
    Ok(json!({"run": wire::run(&c.project, &run, &models)}))
}

pub fn create(c: &Ctx, f: &Fields) -> Reply {
    let tags = f.tags("tags")?;
    let user = match f.opt_str("user_id")?.filter(|u| !u.is_empty()) {
        Some(u) => u,
        None => tags.iter().find(|t| t.key == USER_TAG).map(|t| t.value.clone()).unwrap_or_default(),
    };
    let start_time = f.opt_i64("start_time")?.filter(|t| *t > 0).unwrap_or(c.now);
    let experiment_id = f.str_or_empty("experiment_id")?;
    let run_name = f.opt_str("run_name")?;
    let run = c.project.create_run(&experiment_id, run_name.as_deref(), &user, start_time, &tags)?;
    Ok(json!({"run": wire::run(&c.project, &run, &Default::default())}))
}

pub fn get(c: &Ctx, f: &Fields) -> Reply {
    run_reply(c, &f.run_id()?)
}

fn status(f: &Fields) -> Result<Option<RunStatus>, MlError> {
    match f.opt_str("status")? {
        None => Ok(None),
        Some(s) => match s.trim() {
            "1" => Ok(Some(RunStatus::Running)),
            "2" => Ok(Some(RunStatus::Scheduled)),
            "3" => Ok(Some(RunStatus::Finished)),
            "4" => Ok(Some(RunStatus::Failed)),
            "5" => Ok(Some(RunStatus::Killed)),
            t => RunStatus::parse(t).map(Some).ok_or_else(|| {
                MlError::invalid(format!(
                    "Invalid value '{s}' for parameter 'status' supplied: use RUNNING, SCHEDULED, FINISHED, FAILED or KILLED"
                ))
            }),
        },
    }
}

pub fn update(c: &Ctx, f: &Fields) -> Reply {
    let run_id = f.run_id()?;
    let info = c.project.update_run(&run_id, status(f)?, f.opt_i64("end_time")?, f.opt_str("run_name")?.as_deref())?;
    Ok(json!({"run_info": wire::run_info(&c.project, &info)}))
}

pub fn delete(c: &Ctx, f: &Fields) -> Reply {
    c.project.delete_run(&f.run_id()?, c.now)?;
    Ok(json!({}))
}

pub fn restore(c: &Ctx, f: &Fields) -> Reply {
    c.project.restore_run(&f.run_id()?, c.now)?;
    Ok(json!({}))
}

pub fn search(c: &Ctx, f: &Fields) -> Reply {
    let req = SearchRuns {
        experiment_ids: f.str_list("experiment_ids")?,
        filter: f.str_or_empty("filter")?,
        run_view_type: view_type(f, "run_view_type")?,
        max_results: max_results(f, cairn_store::tracking::limits::MAX_RESULTS_LIMIT as i64)?,
        order_by: f.str_list("order_by")?,
        page_token: f.opt_str("page_token")?,
    };
    let page = c.project.search_runs(&req)?;
    let models = super::logged_models::runs_models(c, &page.runs.iter().map(|r| r.info.run_id.clone()).collect::<Vec<_>>())?;
    let runs: Vec<Value> = page.runs.iter().zip(&models).map(|(r, m)| wire::run(&c.project, r, m)).collect();
    let mut out = json!({"runs": runs});
    if let Some(t) = page.next_page_token {
        out["next_page_token"] = json!(t);
    }
    Ok(out)
}

pub fn log_metric(c: &Ctx, f: &Fields) -> Reply {
    let run_id = f.run_id()?;
    let m = Metric { key: f.str("key")?, value: f.f64("value")?, timestamp: f.i64("timestamp")?, step: f.opt_i64("step")?.unwrap_or(0) };
    c.project.log_batch(&run_id, std::slice::from_ref(&m), &[], &[])?;
    super::logged_models::link_metric(c, &run_id, f, &m)?;
    Ok(json!({}))
}

pub fn log_param(c: &Ctx, f: &Fields) -> Reply {
    let p = Param { key: f.str("key")?, value: f.str_present("value")? };
    c.project.log_batch(&f.run_id()?, &[], &[p], &[])?;
    Ok(json!({}))
}

pub fn set_tag(c: &Ctx, f: &Fields) -> Reply {
    let t = Tag { key: f.str("key")?, value: f.str_present("value")? };
    c.project.log_batch(&f.run_id()?, &[], &[], &[t])?;
    Ok(json!({}))
}

pub fn delete_tag(c: &Ctx, f: &Fields) -> Reply {
    c.project.delete_tag(&f.str("run_id")?, &f.str("key")?)?;
    Ok(json!({}))
}

pub fn log_batch(c: &Ctx, f: &Fields) -> Reply {
    let run_id = f.run_id()?;
    let metrics = f.metrics("metrics")?;
    c.project.log_batch(&run_id, &metrics, &f.params("params")?, &f.tags("tags")?)?;
    super::logged_models::link_batch_metrics(c, &run_id, f, &metrics)?;
    Ok(json!({}))
}

pub fn log_inputs(c: &Ctx, f: &Fields) -> Reply {
    let run_id = f.run_id()?;
    let mut inputs = Vec::new();
    for (i, d) in f.objects("datasets")?.iter().enumerate() {
        let field = |n: &str| format!("datasets[{i}].dataset.{n}");
        let ds = d.object("dataset")?.ok_or_else(|| missing(&format!("datasets[{i}].dataset")))?;
        let need = |n: &str| ds.opt_str(n).map(|v| v.filter(|s| !s.is_empty())).and_then(|v| v.ok_or_else(|| missing(&field(n))));
        inputs.push(DatasetInput {
            dataset: DatasetRef {
                name: need("name")?,
                digest: need("digest")?,
                source_type: need("source_type")?,
                source: need("source")?,
                schema: ds.opt_str("schema")?,
                profile: ds.opt_str("profile")?,
            },
            tags: d.tags("tags")?,
        });
    }
    if !inputs.is_empty() {
        c.project.log_inputs(&run_id, &inputs)?;
    }
    let models = f.objects("models")?;
    if !models.is_empty() {
        let ids = models.iter().map(|m| m.str("model_id")).collect::<Result<Vec<_>, _>>()?;
        super::logged_models::log_inputs(c, &run_id, &ids)?;
    }
    if inputs.is_empty() && models.is_empty() {
        // Still an error for an unknown run, as in MLflow.
        c.project.get_run(&run_id)?;
    }
    Ok(json!({}))
}

/// Appends the model's summary to the run's `mlflow.log-model.history` tag (a JSON list), as MLflow's
/// `record_logged_model` does.
pub fn log_model(c: &Ctx, f: &Fields) -> Reply {
    let run_id = f.str("run_id")?;
    let text = f.str("model_json")?;
    let model: Value = serde_json::from_str(&text).map_err(|_| {
        MlError::invalid(format!("Malformed model info. \n {} \n is not a valid JSON.", text.chars().take(500).collect::<String>()))
    })?;
    let Value::Object(model) = model else { return Err(MlError::invalid("model_json must be a JSON object")) };
    let missing: Vec<&str> =
        ["artifact_path", "flavors", "utc_time_created", "run_id"].into_iter().filter(|k| !model.contains_key(*k)).collect();
    if !missing.is_empty() {
        return Err(MlError::invalid(format!("Model json is missing mandatory fields: {missing:?}")));
    }
    let mut summary = serde_json::Map::new();
    for key in ["run_id", "utc_time_created", "artifact_path", "model_uuid"] {
        if let Some(v) = model.get(key) {
            summary.insert(key.to_string(), v.clone());
        }
    }
    let flavors: serde_json::Map<String, Value> = model
        .get("flavors")
        .and_then(Value::as_object)
        .map(|fl| {
            fl.iter()
                .map(|(k, v)| {
                    let mut v = v.clone();
                    if let Value::Object(o) = &mut v {
                        o.remove("config");
                    }
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default();
    summary.insert("flavors".into(), Value::Object(flavors));
    let run = c.project.get_run(&run_id)?;
    let mut history: Vec<Value> =
        run.data.tags.iter().find(|t| t.key == LOGGED_MODELS_TAG).and_then(|t| serde_json::from_str(&t.value).ok()).unwrap_or_default();
    history.push(Value::Object(summary));
    let value = Value::Array(history).to_string();
    c.project.log_batch(&run_id, &[], &[], &[Tag { key: LOGGED_MODELS_TAG.into(), value }])?;
    Ok(json!({}))
}
