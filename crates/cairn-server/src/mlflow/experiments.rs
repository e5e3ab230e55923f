//! Experiments: create, get (by id or name), search, rename, delete, restore, tags.

use cairn_store::TrackingStore;
use cairn_types::{SearchExperiments, ViewType};
use serde_json::{Value, json};

use super::request::Fields;
use super::{Ctx, MlError, Reply, json as wire};

/// `view_type` / `run_view_type`: the enum's name, or its number (1, 2, 3).
pub fn view_type(f: &Fields, name: &str) -> Result<ViewType, MlError> {
    Ok(match f.opt_str(name)?.as_deref().map(str::trim) {
        None | Some("") | Some("ACTIVE_ONLY") | Some("1") => ViewType::ActiveOnly,
        Some("DELETED_ONLY") | Some("2") => ViewType::DeletedOnly,
        Some("ALL") | Some("3") => ViewType::All,
        Some(other) => {
            return Err(MlError::invalid(format!(
                "Invalid value '{other}' for parameter '{name}' supplied: use ACTIVE_ONLY, DELETED_ONLY or ALL"
            )));
        }
    })
}

/// `max_results` within 1..=limit (0 or absent means the store's default).
pub fn max_results(f: &Fields, limit: i64) -> Result<u32, MlError> {
    match f.opt_i64("max_results")? {
        None => Ok(0),
        Some(n) if n < 1 || n > limit => {
            Err(MlError::invalid(format!("Invalid value {n} for parameter 'max_results' supplied: it must be between 1 and {limit}")))
        }
        Some(n) => Ok(n as u32),
    }
}

pub fn create(c: &Ctx, f: &Fields) -> Reply {
    let name = f.str("name")?;
    let location = f.opt_str("artifact_location")?.filter(|l| !l.is_empty());
    if location.as_deref().is_some_and(|l| l.starts_with("runs:")) {
        return Err(MlError::invalid(format!("Artifact location cannot be a runs:/ URI. Given: '{}'", location.unwrap_or_default())));
    }
    let id = c.project.create_experiment(&name, location.as_deref(), &f.tags("tags")?, c.now)?;
    Ok(json!({"experiment_id": id}))
}

pub fn get(c: &Ctx, f: &Fields) -> Reply {
    let e = c.project.get_experiment(&f.str("experiment_id")?)?;
    Ok(json!({"experiment": wire::experiment(&e)}))
}

pub fn get_by_name(c: &Ctx, f: &Fields) -> Reply {
    let name = f.str("experiment_name")?;
    match c.project.get_experiment_by_name(&name)? {
        Some(e) => Ok(json!({"experiment": wire::experiment(&e)})),
        None => Err(MlError::not_found(format!("Could not find experiment with name '{name}'"))),
    }
}

pub fn search(c: &Ctx, f: &Fields) -> Reply {
    let req = SearchExperiments {
        filter: f.str_or_empty("filter")?,
        view_type: view_type(f, "view_type")?,
        max_results: max_results(f, cairn_store::tracking::limits::MAX_RESULTS_LIMIT as i64)?,
        order_by: f.str_list("order_by")?,
        page_token: f.opt_str("page_token")?,
    };
    let page = c.project.search_experiments(&req)?;
    let mut out = json!({"experiments": page.experiments.iter().map(wire::experiment).collect::<Vec<Value>>()});
    if let Some(t) = page.next_page_token {
        out["next_page_token"] = json!(t);
    }
    Ok(out)
}

pub fn update(c: &Ctx, f: &Fields) -> Reply {
    let id = f.str("experiment_id")?;
    let new_name = f.str("new_name")?;
    c.project.rename_experiment(&id, &new_name, c.now)?;
    Ok(json!({}))
}

pub fn delete(c: &Ctx, f: &Fields) -> Reply {
    c.project.delete_experiment(&f.str("experiment_id")?, c.now)?;
    Ok(json!({}))
}

pub fn restore(c: &Ctx, f: &Fields) -> Reply {
    c.project.restore_experiment(&f.str("experiment_id")?, c.now)?;
    Ok(json!({}))
}

pub fn set_tag(c: &Ctx, f: &Fields) -> Reply {
    c.project.set_experiment_tag(&f.str("experiment_id")?, &f.str("key")?, &f.str_present("value")?)?;
    Ok(json!({}))
}

pub fn delete_tag(c: &Ctx, f: &Fields) -> Reply {
    c.project.delete_experiment_tag(&f.str("experiment_id")?, &f.str("key")?)?;
    Ok(json!({}))
}
