//! Flows over HTTP (the wrangling page): thin adapters to Studio operations.

use axum::extract::State;
use cairn_types::*;

use crate::AppState;
use crate::error::{Answer, blocking};
use crate::extract::{Json, Path};
use crate::params::*;

#[utoipa::path(get, path = "/api/flow-ops", responses((status = 200, body = Vec<OpSpec>)))]
pub async fn flow_ops(State(s): State<AppState>) -> Json<Vec<OpSpec>> {
    Json(s.studio.flow_ops())
}

#[utoipa::path(get, path = "/api/projects/{pid}/flows", params(ProjectPath), responses((status = 200, body = Vec<FlowSummary>)))]
pub async fn list_flows(State(s): State<AppState>, Path(ProjectPath { pid }): Path<ProjectPath>) -> Answer<Vec<FlowSummary>> {
    Ok(Json(blocking(move || s.studio.list_flows(&pid)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flows", params(ProjectPath), request_body = CreateFlow, responses((status = 200, body = FlowDoc)))]
pub async fn create_flow(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<CreateFlow>,
) -> Answer<FlowDoc> {
    Ok(Json(blocking(move || s.studio.create_flow(&pid, &req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/flows/{name}", params(FlowPath), responses((status = 200, body = FlowDoc)))]
pub async fn get_flow(State(s): State<AppState>, Path(FlowPath { pid, name }): Path<FlowPath>) -> Answer<FlowDoc> {
    Ok(Json(blocking(move || s.studio.get_flow(&pid, &name)).await?))
}

#[utoipa::path(put, path = "/api/projects/{pid}/flows/{name}", params(FlowPath), request_body = FlowDoc, responses((status = 200, body = FlowDoc)))]
pub async fn save_flow(
    State(s): State<AppState>,
    Path(FlowPath { pid, name }): Path<FlowPath>,
    Json(doc): Json<FlowDoc>,
) -> Answer<FlowDoc> {
    Ok(Json(blocking(move || s.studio.save_flow(&pid, &name, &doc)).await?))
}

#[utoipa::path(delete, path = "/api/projects/{pid}/flows/{name}", params(FlowPath), responses((status = 200, body = FlowDoc)))]
pub async fn delete_flow(State(s): State<AppState>, Path(FlowPath { pid, name }): Path<FlowPath>) -> Answer<FlowDoc> {
    Ok(Json(blocking(move || s.studio.delete_flow(&pid, &name)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flows/{name}/rename", params(FlowPath), request_body = RenameFlow, responses((status = 200, body = FlowRenamed)))]
pub async fn rename_flow(
    State(s): State<AppState>,
    Path(FlowPath { pid, name }): Path<FlowPath>,
    Json(req): Json<RenameFlow>,
) -> Answer<FlowRenamed> {
    Ok(Json(blocking(move || s.studio.rename_flow(&pid, &name, &req)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flow-preview", params(ProjectPath), request_body = FlowPreviewRequest, responses((status = 200, body = FlowPreview)))]
pub async fn preview_flow(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<FlowPreviewRequest>,
) -> Answer<FlowPreview> {
    Ok(Json(blocking(move || s.studio.preview_flow(&pid, &req)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flow-chart", params(ProjectPath), request_body = ChartRequest, responses((status = 200, body = ChartData)))]
pub async fn flow_chart(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<ChartRequest>,
) -> Answer<ChartData> {
    Ok(Json(blocking(move || s.studio.flow_chart(&pid, &req)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/flows/{name}/run", params(FlowPath), request_body = FlowRunRequest, responses((status = 200, body = TaskStarted)))]
pub async fn run_flow(
    State(s): State<AppState>,
    Path(FlowPath { pid, name }): Path<FlowPath>,
    Json(req): Json<FlowRunRequest>,
) -> Answer<TaskStarted> {
    Ok(Json(blocking(move || s.studio.start_flow_run(&pid, &name, req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/flows/{name}/python", params(FlowPath), responses((status = 200, body = PythonScript)))]
pub async fn export_python(State(s): State<AppState>, Path(FlowPath { pid, name }): Path<FlowPath>) -> Answer<PythonScript> {
    Ok(Json(blocking(move || s.studio.export_flow_python(&pid, &name)).await?))
}
