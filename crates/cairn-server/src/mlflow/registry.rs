//! The model registry: registered models, versions, tags, aliases, stages (MLflow's ModelRegistryService).

use axum::routing::{MethodRouter, delete, get, patch, post};
use cairn_store::models_registry::{NewVersion, Page};
use cairn_types::Tag;
use serde_json::{Value, json};

use super::request::Fields;
use super::{Ctx, MlError, Reply, json as wire, op};
use crate::AppState;

pub fn routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/registered-models/create", post(op!(create_model))),
        ("/registered-models/get", get(op!(get_model))),
        ("/registered-models/search", get(op!(search_models)).post(op!(search_models))),
        ("/registered-models/rename", post(op!(rename_model))),
        ("/registered-models/update", patch(op!(update_model))),
        ("/registered-models/delete", delete(op!(delete_model))),
        ("/registered-models/get-latest-versions", post(op!(latest_versions)).get(op!(latest_versions))),
        ("/registered-models/set-tag", post(op!(set_model_tag))),
        ("/registered-models/delete-tag", delete(op!(delete_model_tag))),
        ("/registered-models/alias", post(op!(set_alias)).delete(op!(delete_alias)).get(op!(by_alias))),
        ("/model-versions/create", post(op!(create_version))),
        ("/model-versions/get", get(op!(get_version))),
        ("/model-versions/update", patch(op!(update_version))),
        ("/model-versions/delete", delete(op!(delete_version))),
        ("/model-versions/search", get(op!(search_versions)).post(op!(search_versions))),
        ("/model-versions/transition-stage", post(op!(transition))),
        ("/model-versions/get-download-uri", get(op!(download_uri))),
        ("/model-versions/set-tag", post(op!(set_version_tag))),
        ("/model-versions/delete-tag", delete(op!(delete_version_tag))),
    ]
}

fn max_results(f: &Fields) -> Result<u32, MlError> {
    match f.opt_i64("max_results")? {
        None => Ok(0),
        Some(n) if n < 1 || n > u32::MAX as i64 => {
            Err(MlError::invalid(format!("Invalid value {n} for parameter 'max_results' supplied: it must be a positive integer")))
        }
        Some(n) => Ok(n as u32),
    }
}

fn page<T>(page: Page<T>, field: &str, to_json: impl Fn(&T) -> Value) -> Value {
    let mut out = json!({ field: page.items.iter().map(to_json).collect::<Vec<_>>() });
    if let Some(t) = page.next_page_token {
        out["next_page_token"] = json!(t);
    }
    out
}

/// Who an MLflow request's registry change is recorded as: the client sends no user with a bearer
/// token, so every change through MLflow's API is the `mlflow` actor in the history.
const ACTOR: &str = "mlflow";

fn tag(f: &Fields) -> Result<Tag, MlError> {
    Ok(Tag { key: f.str("key")?, value: f.str_present("value")? })
}

fn create_model(c: &Ctx, f: &Fields) -> Reply {
    let m = c.project.create_registered_model(&f.str("name")?, &f.tags("tags")?, &f.str_or_empty("description")?, "", c.now)?;
    Ok(json!({"registered_model": wire::registered_model(&m)}))
}

fn get_model(c: &Ctx, f: &Fields) -> Reply {
    Ok(json!({"registered_model": wire::registered_model(&c.project.get_registered_model(&f.str("name")?)?)}))
}

fn search_models(c: &Ctx, f: &Fields) -> Reply {
    let p = c.project.search_registered_models(
        &f.str_or_empty("filter")?,
        max_results(f)?,
        &f.str_list("order_by")?,
        f.opt_str("page_token")?.as_deref(),
    )?;
    Ok(page(p, "registered_models", wire::registered_model))
}

fn rename_model(c: &Ctx, f: &Fields) -> Reply {
    cairn_api::refuse_if_served(&c.project, &f.str("name")?, None)?;
    let m = c.project.rename_registered_model(&f.str("name")?, &f.str("new_name")?, ACTOR, c.now)?;
    Ok(json!({"registered_model": wire::registered_model(&m)}))
}

fn update_model(c: &Ctx, f: &Fields) -> Reply {
    let m = c.project.update_registered_model(&f.str("name")?, &f.str_or_empty("description")?, c.now)?;
    Ok(json!({"registered_model": wire::registered_model(&m)}))
}

fn delete_model(c: &Ctx, f: &Fields) -> Reply {
    cairn_api::refuse_if_served(&c.project, &f.str("name")?, None)?;
    c.project.delete_registered_model(&f.str("name")?, ACTOR, c.now)?;
    Ok(json!({}))
}

fn latest_versions(c: &Ctx, f: &Fields) -> Reply {
    let versions = c.project.latest_versions(&f.str("name")?, &f.str_list("stages")?)?;
    Ok(json!({"model_versions": versions.iter().map(wire::model_version).collect::<Vec<_>>()}))
}

fn set_model_tag(c: &Ctx, f: &Fields) -> Reply {
    c.project.set_registered_model_tag(&f.str("name")?, &tag(f)?, c.now)?;
    Ok(json!({}))
}

fn delete_model_tag(c: &Ctx, f: &Fields) -> Reply {
    c.project.delete_registered_model_tag(&f.str("name")?, &f.str("key")?)?;
    Ok(json!({}))
}

fn set_alias(c: &Ctx, f: &Fields) -> Reply {
    c.project.set_model_alias(&f.str("name")?, &f.str("alias")?, &f.str("version")?, ACTOR, c.now)?;
    Ok(json!({}))
}

fn delete_alias(c: &Ctx, f: &Fields) -> Reply {
    c.project.delete_model_alias(&f.str("name")?, &f.str("alias")?, ACTOR, c.now)?;
    Ok(json!({}))
}

fn by_alias(c: &Ctx, f: &Fields) -> Reply {
    let v = c.project.model_version_by_alias(&f.str("name")?, &f.str("alias")?)?;
    Ok(json!({"model_version": wire::model_version(&v)}))
}

fn create_version(c: &Ctx, f: &Fields) -> Reply {
    let (name, source, run_id) = (f.str("name")?, f.str("source")?, f.str_or_empty("run_id")?);
    let (run_link, description, model_id) = (f.str_or_empty("run_link")?, f.str_or_empty("description")?, f.str_or_empty("model_id")?);
    let tags = f.tags("tags")?;
    // The version's user is the run's, when it names one; it is who registered it in the history.
    let user_id = if run_id.is_empty() {
        String::new()
    } else {
        use cairn_store::TrackingStore;
        c.project.get_run(&run_id)?.info.user_id
    };
    let new = NewVersion {
        name: &name,
        source: &source,
        run_id: &run_id,
        run_link: &run_link,
        description: &description,
        user_id: &user_id,
        model_id: &model_id,
        tags: &tags,
    };
    let v = c.project.create_model_version(&new, c.now)?;
    super::logged_models::note_registration(c, &v)?;
    Ok(json!({"model_version": wire::model_version(&v)}))
}

fn get_version(c: &Ctx, f: &Fields) -> Reply {
    let v = c.project.get_model_version(&f.str("name")?, &f.str("version")?)?;
    Ok(json!({"model_version": wire::model_version(&v)}))
}

fn update_version(c: &Ctx, f: &Fields) -> Reply {
    let v = c.project.update_model_version(&f.str("name")?, &f.str("version")?, &f.str_or_empty("description")?, c.now)?;
    Ok(json!({"model_version": wire::model_version(&v)}))
}

fn delete_version(c: &Ctx, f: &Fields) -> Reply {
    if let Ok(v) = f.str("version")?.trim().parse::<i64>() {
        cairn_api::refuse_if_served(&c.project, &f.str("name")?, Some(v))?;
    }
    c.project.delete_model_version(&f.str("name")?, &f.str("version")?, ACTOR, c.now)?;
    Ok(json!({}))
}

fn search_versions(c: &Ctx, f: &Fields) -> Reply {
    let p = c.project.search_model_versions(
        &f.str_or_empty("filter")?,
        max_results(f)?,
        &f.str_list("order_by")?,
        f.opt_str("page_token")?.as_deref(),
    )?;
    Ok(page(p, "model_versions", wire::model_version))
}

fn transition(c: &Ctx, f: &Fields) -> Reply {
    let archive = f.opt_bool("archive_existing_versions")?.unwrap_or(false);
    let v = c.project.transition_model_version_stage(&f.str("name")?, &f.str("version")?, &f.str("stage")?, archive, c.now)?;
    Ok(json!({"model_version": wire::model_version(&v)}))
}

/// Where the version's files are: a logged model's artifact location, or the version's source.
fn download_uri(c: &Ctx, f: &Fields) -> Reply {
    let v = c.project.get_model_version(&f.str("name")?, &f.str("version")?)?;
    let uri = super::logged_models::download_uri(c, &v)?;
    Ok(json!({"artifact_uri": uri}))
}

fn set_version_tag(c: &Ctx, f: &Fields) -> Reply {
    c.project.set_model_version_tag(&f.str("name")?, &f.str("version")?, &tag(f)?, ACTOR, c.now)?;
    Ok(json!({}))
}

fn delete_version_tag(c: &Ctx, f: &Fields) -> Reply {
    c.project.delete_model_version_tag(&f.str("name")?, &f.str("version")?, &f.str("key")?)?;
    Ok(json!({}))
}
