//! Real-time endpoints over HTTP: deploy, list, switch models or weights, invoke, metrics, log, stop,
//! delete, ground truth; thin adapters to Studio operations. The endpoints themselves are served by
//! their own processes (`cairn endpoint-serve`), not by this server.

use axum::extract::State;
use cairn_types::*;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{Answer, blocking};
use crate::extract::{Json, Path, Query};
use crate::params::ProjectPath;

/// `/api/projects/{pid}/endpoints/{name}…`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EndpointPath {
    /// The project's id (`ProjectInfo.id`).
    pub pid: String,
    /// The endpoint's name.
    pub name: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OffsetQuery {
    /// The byte to read from: 0, or the `next` of the previous answer.
    #[serde(default)]
    offset: u64,
}

#[utoipa::path(get, path = "/api/projects/{pid}/endpoints", params(ProjectPath), responses((status = 200, body = Vec<EndpointInfo>)))]
pub async fn endpoints(State(s): State<AppState>, Path(ProjectPath { pid }): Path<ProjectPath>) -> Answer<Vec<EndpointInfo>> {
    Ok(Json(blocking(move || s.studio.endpoints(&pid)).await?))
}

/// Starts an endpoint serving registered versions; answers once it serves.
#[utoipa::path(post, path = "/api/projects/{pid}/endpoints", params(ProjectPath), request_body = DeployEndpoint, responses((status = 200, body = EndpointInfo)))]
pub async fn deploy(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<DeployEndpoint>,
) -> Answer<EndpointInfo> {
    Ok(Json(blocking(move || s.studio.deploy_endpoint(&pid, &req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/endpoints/{name}", params(EndpointPath), responses((status = 200, body = EndpointInfo)))]
pub async fn endpoint(State(s): State<AppState>, Path(EndpointPath { pid, name }): Path<EndpointPath>) -> Answer<EndpointInfo> {
    Ok(Json(blocking(move || s.studio.endpoint(&pid, &name)).await?))
}

/// Other versions, aliases or weights; a running endpoint switches without dropping a request.
#[utoipa::path(put, path = "/api/projects/{pid}/endpoints/{name}", params(EndpointPath), request_body = UpdateEndpoint, responses((status = 200, body = EndpointInfo)))]
pub async fn update(
    State(s): State<AppState>,
    Path(EndpointPath { pid, name }): Path<EndpointPath>,
    Json(req): Json<UpdateEndpoint>,
) -> Answer<EndpointInfo> {
    Ok(Json(blocking(move || s.studio.update_endpoint(&pid, &name, &req)).await?))
}

/// Stops the endpoint and forgets it; its captured data stays in the project.
#[utoipa::path(delete, path = "/api/projects/{pid}/endpoints/{name}", params(EndpointPath), responses((status = 200, body = bool)))]
pub async fn delete(State(s): State<AppState>, Path(EndpointPath { pid, name }): Path<EndpointPath>) -> Answer<bool> {
    blocking(move || s.studio.delete_endpoint(&pid, &name)).await?;
    Ok(Json(true))
}

#[utoipa::path(post, path = "/api/projects/{pid}/endpoints/{name}/stop", params(EndpointPath), responses((status = 200, body = EndpointInfo)))]
pub async fn stop(State(s): State<AppState>, Path(EndpointPath { pid, name }): Path<EndpointPath>) -> Answer<EndpointInfo> {
    Ok(Json(blocking(move || s.studio.stop_endpoint(&pid, &name)).await?))
}

/// One request through the endpoint, as a client sends it; the endpoint's answer, whatever its status.
#[utoipa::path(post, path = "/api/projects/{pid}/endpoints/{name}/invoke", params(EndpointPath), request_body = InvokeEndpoint, responses((status = 200, body = InvokeResult)))]
pub async fn invoke(
    State(s): State<AppState>,
    Path(EndpointPath { pid, name }): Path<EndpointPath>,
    Json(req): Json<InvokeEndpoint>,
) -> Answer<InvokeResult> {
    Ok(Json(blocking(move || s.studio.invoke_endpoint(&pid, &name, &req)).await?))
}

/// Live metrics per variant: totals and a per-second series of the last minutes.
#[utoipa::path(get, path = "/api/projects/{pid}/endpoints/{name}/stats", params(EndpointPath), responses((status = 200, body = EndpointStats)))]
pub async fn stats(State(s): State<AppState>, Path(EndpointPath { pid, name }): Path<EndpointPath>) -> Answer<EndpointStats> {
    Ok(Json(blocking(move || s.studio.endpoint_stats(&pid, &name)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/endpoints/{name}/log", params(EndpointPath, OffsetQuery), responses((status = 200, body = EndpointLog)))]
pub async fn log(
    State(s): State<AppState>,
    Path(EndpointPath { pid, name }): Path<EndpointPath>,
    Query(q): Query<OffsetQuery>,
) -> Answer<EndpointLog> {
    let (text, next) = blocking(move || s.studio.endpoint_log(&pid, &name, q.offset)).await?;
    Ok(Json(EndpointLog { text, next }))
}

/// Labels for captured requests, keyed by inference id (CSV `inference_id,label` or SageMaker's JSONL).
#[utoipa::path(post, path = "/api/projects/{pid}/endpoints/{name}/ground-truth", params(EndpointPath), request_body = GroundTruthUpload, responses((status = 200, body = GroundTruthReport)))]
pub async fn ground_truth(
    State(s): State<AppState>,
    Path(EndpointPath { pid, name }): Path<EndpointPath>,
    Json(req): Json<GroundTruthUpload>,
) -> Answer<GroundTruthReport> {
    Ok(Json(blocking(move || s.studio.upload_ground_truth(&pid, &name, &req)).await?))
}
