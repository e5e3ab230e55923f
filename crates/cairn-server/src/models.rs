//! The model registry over HTTP: groups, versions, approval, aliases, history, model cards and
//! comparisons; thin adapters to Studio operations. The MLflow registry API serves the same state.

use axum::extract::State;
use cairn_types::*;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{Answer, blocking};
use crate::extract::{Json, Path, Query};
use crate::params::ProjectPath;

/// `/api/projects/{pid}/models/{group}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GroupPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The model group's name.
    pub group: String,
}

/// `/api/projects/{pid}/models/{group}/versions/{version}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct VersionPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The model group's name.
    pub group: String,
    /// The version's number (from 1).
    pub version: i64,
}

/// `/api/projects/{pid}/models/{group}/aliases/{alias}`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AliasPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The model group's name.
    pub group: String,
    /// Letters, digits, `_` and `-` (not `latest`, not `v<number>`).
    pub alias: String,
}

/// Who makes a change that has no body; absent: the user running Cairn.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActorQuery {
    actor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The first version.
    a: i64,
    /// The second version.
    b: i64,
}

#[utoipa::path(get, path = "/api/projects/{pid}/models", params(ProjectPath), responses((status = 200, body = Vec<ModelGroup>)))]
pub async fn groups(State(s): State<AppState>, Path(ProjectPath { pid }): Path<ProjectPath>) -> Answer<Vec<ModelGroup>> {
    Ok(Json(blocking(move || s.studio.model_groups(&pid)).await?))
}

/// Registers a run's model as the next version of a group (made on first use), pending approval.
#[utoipa::path(post, path = "/api/projects/{pid}/models", params(ProjectPath), request_body = RegisterModel, responses((status = 200, body = ModelVersionInfo)))]
pub async fn register(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<RegisterModel>,
) -> Answer<ModelVersionInfo> {
    Ok(Json(blocking(move || s.studio.register_model(&pid, &req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/models/{group}", params(GroupPath), responses((status = 200, body = ModelGroup)))]
pub async fn group(State(s): State<AppState>, Path(GroupPath { pid, group }): Path<GroupPath>) -> Answer<ModelGroup> {
    Ok(Json(blocking(move || s.studio.model_group(&pid, &group)).await?))
}

/// Deletes a group with its versions and aliases (its history stays); refused while an endpoint serves it.
#[utoipa::path(delete, path = "/api/projects/{pid}/models/{group}", params(GroupPath, ActorQuery), responses((status = 200, description = "The group was deleted (an empty object).", body = Object)))]
pub async fn delete_group(
    State(s): State<AppState>,
    Path(GroupPath { pid, group }): Path<GroupPath>,
    Query(q): Query<ActorQuery>,
) -> Answer<serde_json::Value> {
    blocking(move || s.studio.delete_model_group(&pid, &group, q.actor.as_deref())).await?;
    Ok(Json(serde_json::json!({})))
}

/// A version's model card: intended use, held-out metrics, training data lineage, status and history.
#[utoipa::path(get, path = "/api/projects/{pid}/models/{group}/versions/{version}", params(VersionPath), responses((status = 200, body = ModelCard)))]
pub async fn card(State(s): State<AppState>, Path(VersionPath { pid, group, version }): Path<VersionPath>) -> Answer<ModelCard> {
    Ok(Json(blocking(move || s.studio.model_card(&pid, &group, version)).await?))
}

/// Deletes a version (its number is never reused); refused while an endpoint serves the group.
#[utoipa::path(delete, path = "/api/projects/{pid}/models/{group}/versions/{version}", params(VersionPath, ActorQuery), responses((status = 200, description = "The version was deleted (an empty object).", body = Object)))]
pub async fn delete_version(
    State(s): State<AppState>,
    Path(VersionPath { pid, group, version }): Path<VersionPath>,
    Query(q): Query<ActorQuery>,
) -> Answer<serde_json::Value> {
    blocking(move || s.studio.delete_model_version(&pid, &group, version, q.actor.as_deref())).await?;
    Ok(Json(serde_json::json!({})))
}

/// Approves or rejects a version: 409 INVALID_TRANSITION when it already has that status; rejecting,
/// and approving a rejected version, need a reason.
#[utoipa::path(post, path = "/api/projects/{pid}/models/{group}/versions/{version}/approval", params(VersionPath), request_body = SetApproval, responses((status = 200, body = ModelVersionInfo)))]
pub async fn approval(
    State(s): State<AppState>,
    Path(VersionPath { pid, group, version }): Path<VersionPath>,
    Json(req): Json<SetApproval>,
) -> Answer<ModelVersionInfo> {
    Ok(Json(blocking(move || s.studio.set_approval(&pid, &group, version, req.status, req.actor.as_deref(), req.reason.as_deref())).await?))
}

/// Edits the model card's intended use.
#[utoipa::path(put, path = "/api/projects/{pid}/models/{group}/versions/{version}/intended-use", params(VersionPath), request_body = SetIntendedUse, responses((status = 200, body = ModelVersionInfo)))]
pub async fn intended_use(
    State(s): State<AppState>,
    Path(VersionPath { pid, group, version }): Path<VersionPath>,
    Json(req): Json<SetIntendedUse>,
) -> Answer<ModelVersionInfo> {
    Ok(Json(blocking(move || s.studio.set_intended_use(&pid, &group, version, &req.text, req.actor.as_deref())).await?))
}

/// Points an alias at a version, moving it if it named another.
#[utoipa::path(put, path = "/api/projects/{pid}/models/{group}/aliases/{alias}", params(AliasPath), request_body = SetAlias, responses((status = 200, body = ModelVersionInfo)))]
pub async fn set_alias(
    State(s): State<AppState>,
    Path(AliasPath { pid, group, alias }): Path<AliasPath>,
    Json(req): Json<SetAlias>,
) -> Answer<ModelVersionInfo> {
    Ok(Json(blocking(move || s.studio.set_alias(&pid, &group, &alias, req.version, req.actor.as_deref())).await?))
}

#[utoipa::path(delete, path = "/api/projects/{pid}/models/{group}/aliases/{alias}", params(AliasPath, ActorQuery), responses((status = 200, description = "The alias was removed (an empty object).", body = Object)))]
pub async fn remove_alias(
    State(s): State<AppState>,
    Path(AliasPath { pid, group, alias }): Path<AliasPath>,
    Query(q): Query<ActorQuery>,
) -> Answer<serde_json::Value> {
    blocking(move || s.studio.remove_alias(&pid, &group, &alias, q.actor.as_deref())).await?;
    Ok(Json(serde_json::json!({})))
}

/// Every change to the group (registered, status, aliases, deletions), oldest first.
#[utoipa::path(get, path = "/api/projects/{pid}/models/{group}/history", params(GroupPath), responses((status = 200, body = Vec<RegistryEvent>)))]
pub async fn history(State(s): State<AppState>, Path(GroupPath { pid, group }): Path<GroupPath>) -> Answer<Vec<RegistryEvent>> {
    Ok(Json(blocking(move || s.studio.model_history(&pid, &group)).await?))
}

/// Two versions side by side.
#[utoipa::path(get, path = "/api/projects/{pid}/models/{group}/compare", params(GroupPath, CompareQuery), responses((status = 200, body = VersionComparison)))]
pub async fn compare(
    State(s): State<AppState>,
    Path(GroupPath { pid, group }): Path<GroupPath>,
    Query(q): Query<CompareQuery>,
) -> Answer<VersionComparison> {
    Ok(Json(blocking(move || s.studio.compare_versions(&pid, &group, q.a, q.b)).await?))
}
