//! Flows over HTTP (the wrangling page): thin adapters to Studio operations.

use axum::Json;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use cairn_types::*;

use crate::AppState;
use crate::error::{Answer, blocking};

type Router = axum::Router<AppState>;

pub fn routes() -> Router {
    Router::new()
        .route("/api/flow-ops", get(flow_ops))
        .route("/api/projects/{pid}/flows", get(list_flows).post(create_flow))
        .route("/api/projects/{pid}/flow-preview", post(preview_flow))
        .route("/api/projects/{pid}/flow-chart", post(flow_chart))
        .route("/api/projects/{pid}/flows/{name}", get(get_flow).put(save_flow).delete(delete_flow))
        .route("/api/projects/{pid}/flows/{name}/run", post(run_flow))
        .route("/api/projects/{pid}/flows/{name}/rename", post(rename_flow))
        .route("/api/projects/{pid}/flows/{name}/python", get(export_python))
}

#[utoipa::path(get, path = "/api/flow-ops", responses((status = 200, body = Vec<OpSpec>)))]
pub async fn flow_ops(State(s): State<AppState>) -> Json<Vec<OpSpec>> {
    Json(s.studio.flow_ops())
}

#[utoipa::path(get, path = "/api/projects/{pid}/flows", responses((status = 200, body = Vec<FlowSummary>)))]
pub async fn list_flows(State(s): State<AppState>, Path(pid): Path<String>) -> Answer<Vec<FlowSummary>> {
    Ok(Json(blocking(move || s.studio.list_flows(&pid)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flows", request_body = CreateFlow, responses((status = 200, body = FlowDoc)))]
pub async fn create_flow(State(s): State<AppState>, Path(pid): Path<String>, Json(req): Json<CreateFlow>) -> Answer<FlowDoc> {
    Ok(Json(blocking(move || s.studio.create_flow(&pid, &req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/flows/{name}", responses((status = 200, body = FlowDoc), (status = 422, body = ApiError)))]
pub async fn get_flow(State(s): State<AppState>, Path((pid, name)): Path<(String, String)>) -> Answer<FlowDoc> {
    Ok(Json(blocking(move || s.studio.get_flow(&pid, &name)).await?))
}

#[utoipa::path(put, path = "/api/projects/{pid}/flows/{name}", request_body = FlowDoc, responses((status = 200, body = FlowDoc), (status = 422, body = ApiError)))]
pub async fn save_flow(State(s): State<AppState>, Path((pid, name)): Path<(String, String)>, Json(doc): Json<FlowDoc>) -> Answer<FlowDoc> {
    Ok(Json(blocking(move || s.studio.save_flow(&pid, &name, &doc)).await?))
}

#[utoipa::path(delete, path = "/api/projects/{pid}/flows/{name}", responses((status = 200, body = FlowDoc), (status = 404, body = ApiError)))]
pub async fn delete_flow(State(s): State<AppState>, Path((pid, name)): Path<(String, String)>) -> Answer<FlowDoc> {
    Ok(Json(blocking(move || s.studio.delete_flow(&pid, &name)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flows/{name}/rename", request_body = RenameFlow, responses((status = 200, body = FlowRenamed), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
pub async fn rename_flow(State(s): State<AppState>, Path((pid, name)): Path<(String, String)>, Json(req): Json<RenameFlow>) -> Answer<FlowRenamed> {
    Ok(Json(blocking(move || s.studio.rename_flow(&pid, &name, &req)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flow-preview", request_body = FlowPreviewRequest, responses((status = 200, body = FlowPreview)))]
pub async fn preview_flow(State(s): State<AppState>, Path(pid): Path<String>, Json(req): Json<FlowPreviewRequest>) -> Answer<FlowPreview> {
    Ok(Json(blocking(move || s.studio.preview_flow(&pid, &req)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flow-chart", request_body = ChartRequest, responses((status = 200, body = ChartData)))]
pub async fn flow_chart(State(s): State<AppState>, Path(pid): Path<String>, Json(req): Json<ChartRequest>) -> Answer<ChartData> {
    Ok(Json(blocking(move || s.studio.flow_chart(&pid, &req)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flows/{name}/run", request_body = FlowRunRequest, responses((status = 200, body = TaskStarted)))]
pub async fn run_flow(State(s): State<AppState>, Path((pid, name)): Path<(String, String)>, Json(req): Json<FlowRunRequest>) -> Answer<TaskStarted> {
    Ok(Json(blocking(move || s.studio.start_flow_run(&pid, &name, req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/flows/{name}/python", responses((status = 200, body = PythonScript)))]
pub async fn export_python(State(s): State<AppState>, Path((pid, name)): Path<(String, String)>) -> Answer<PythonScript> {
    Ok(Json(blocking(move || s.studio.export_flow_python(&pid, &name)).await?))
}
