//! The API's routes: each a thin adapter from HTTP to one Studio operation.

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use cairn_types::*;
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{Answer, Failure, blocking, failure};
use crate::extract::{Json, Path, Query};
use crate::params::*;

type Router = axum::Router<AppState>;

/// The described routes (the operations table), MLflow's, and `ROUTE_NOT_FOUND` for any other `/api/` path.
pub fn api() -> Router {
    crate::operations::router()
        .merge(crate::mlflow::routes())
        .route("/api", get(api_not_found))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
}

async fn api_not_found(uri: axum::http::Uri) -> Response {
    failure(ErrorCode::RouteNotFound, format!("no API route {}", uri.path()))
}

#[utoipa::path(get, path = "/api/info", responses((status = 200, body = ServerInfo)))]
pub async fn info(State(s): State<AppState>) -> Json<ServerInfo> {
    Json(s.studio.server_info())
}

/// The UI calls this once it shows data: start-up time is logged from the process start.
#[utoipa::path(post, path = "/api/ready", responses((status = 204)))]
pub async fn ready() -> StatusCode {
    if let Some(start) = crate::PROCESS_START.get() {
        tracing::info!("ui ready {} ms after start", start.elapsed().as_millis());
    }
    StatusCode::NO_CONTENT
}

#[utoipa::path(post, path = "/api/shell/pick", request_body = PickRequest, responses((status = 200, body = PickResponse)))]
pub async fn pick(State(s): State<AppState>, Json(req): Json<PickRequest>) -> Answer<PickResponse> {
    let path = blocking(move || s.studio.pick(req.kind)).await?;
    Ok(Json(PickResponse { path }))
}

#[utoipa::path(get, path = "/api/projects/recent", responses((status = 200, body = Vec<RecentProject>)))]
pub async fn recent_projects(State(s): State<AppState>) -> Answer<Vec<RecentProject>> {
    Ok(Json(blocking(move || Ok(s.studio.recent_projects())).await?))
}

/// Takes a project off the recent list (the folder is not touched); answers the entry as it was.
#[utoipa::path(delete, path = "/api/projects/recent/{pid}", params(ProjectPath), responses((status = 200, body = RecentProject)))]
pub async fn forget_recent_project(State(s): State<AppState>, Path(ProjectPath { pid }): Path<ProjectPath>) -> Answer<RecentProject> {
    Ok(Json(blocking(move || s.studio.forget_recent_project(&pid)).await?))
}

#[utoipa::path(post, path = "/api/projects", request_body = CreateProjectRequest, responses((status = 200, body = ProjectInfo)))]
pub async fn create_project(State(s): State<AppState>, Json(req): Json<CreateProjectRequest>) -> Answer<ProjectInfo> {
    Ok(Json(blocking(move || s.studio.create_project(&req.path, req.name.as_deref())).await?))
}

#[utoipa::path(post, path = "/api/projects/open", request_body = OpenProjectRequest, responses((status = 200, body = ProjectInfo)))]
pub async fn open_project(State(s): State<AppState>, Json(req): Json<OpenProjectRequest>) -> Answer<ProjectInfo> {
    Ok(Json(blocking(move || s.studio.open_project(&req.path)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}", params(ProjectPath), responses((status = 200, body = ProjectInfo)))]
pub async fn project(State(s): State<AppState>, Path(ProjectPath { pid }): Path<ProjectPath>) -> Answer<ProjectInfo> {
    Ok(Json(blocking(move || s.studio.project_info(&pid)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/datasets", params(ProjectPath), responses((status = 200, body = Vec<Dataset>)))]
pub async fn datasets(State(s): State<AppState>, Path(ProjectPath { pid }): Path<ProjectPath>) -> Answer<Vec<Dataset>> {
    Ok(Json(blocking(move || s.studio.list_datasets(&pid)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/imports/preview", params(ProjectPath), request_body = ImportRequest, responses((status = 200, body = ImportPreview)))]
pub async fn preview_import(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<ImportRequest>,
) -> Answer<ImportPreview> {
    Ok(Json(blocking(move || s.studio.preview_import(&pid, &req)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/imports", params(ProjectPath), request_body = ImportRequest, responses((status = 200, body = TaskStarted)))]
pub async fn start_import(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<ImportRequest>,
) -> Answer<TaskStarted> {
    Ok(Json(blocking(move || s.studio.start_import(&pid, req)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the user's browser gave it.
    name: String,
}

/// Streams the request body into the project, where it waits to be imported (a browser cannot hand over
/// a path); a successful import moves it into the data folder. A failed upload leaves nothing behind.
#[utoipa::path(post, path = "/api/projects/{pid}/uploads", params(ProjectPath, UploadQuery), request_body(content = crate::openapi::FileBytes, content_type = "application/octet-stream"), responses((status = 200, body = Uploaded)))]
pub async fn upload(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> Answer<Uploaded> {
    let target = blocking(move || s.studio.upload_target(&pid, &q.name)).await?;
    match receive(&target, body).await {
        Ok(bytes) => Ok(Json(Uploaded { path: target.to_string_lossy().into_owned(), bytes })),
        Err(e) => {
            // The upload has a folder of its own: remove it with whatever part arrived.
            if let Some(dir) = target.parent() {
                let _ = tokio::fs::remove_dir_all(dir).await;
            }
            Err(e)
        }
    }
}

/// Writes the body to a `.part` file beside `target`, then renames it, so a half-received file never
/// carries the real name.
async fn receive(target: &std::path::Path, body: Body) -> Result<u64, Failure> {
    let part = target.with_extension("part");
    let io = |e: std::io::Error| Failure(ApiError::new(ErrorCode::Io, format!("cannot save the upload to {}: {e}", part.display())));
    let mut file = tokio::fs::File::create(&part).await.map_err(io)?;
    let mut stream = body.into_data_stream();
    let mut bytes = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| Failure(ApiError::new(ErrorCode::BadRequest, format!("the upload was interrupted: {e}"))))?;
        bytes += chunk.len() as u64;
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.sync_all().await.map_err(io)?;
    tokio::fs::rename(&part, target).await.map_err(io)?;
    Ok(bytes)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiscardQuery {
    /// The path the upload answered.
    path: String,
}

/// Deletes an upload that was not imported (the import dialog closed, or another file was chosen).
#[utoipa::path(delete, path = "/api/projects/{pid}/uploads", params(ProjectPath, DiscardQuery), responses((status = 204)))]
pub async fn discard_upload(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Query(q): Query<DiscardQuery>,
) -> Result<StatusCode, Failure> {
    blocking(move || s.studio.discard_upload(&pid, &q.path)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/projects/{pid}/datasets/{did}", params(DatasetPath), responses((status = 200, body = Dataset)))]
pub async fn dataset(State(s): State<AppState>, Path(DatasetPath { pid, did }): Path<DatasetPath>) -> Answer<Dataset> {
    Ok(Json(blocking(move || s.studio.dataset(&pid, &did)).await?))
}

#[utoipa::path(delete, path = "/api/projects/{pid}/datasets/{did}", params(DatasetPath), responses((status = 200, body = Dataset)))]
pub async fn delete_dataset(State(s): State<AppState>, Path(DatasetPath { pid, did }): Path<DatasetPath>) -> Answer<Dataset> {
    Ok(Json(blocking(move || s.studio.delete_dataset(&pid, &did)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RowsQuery {
    /// The first row to answer, from 0.
    #[serde(default)]
    offset: u64,
    /// How many rows; at most 1000 are answered.
    #[serde(default = "default_limit")]
    #[param(default = 100)]
    limit: u64,
    /// Column to sort by.
    sort: Option<String>,
    /// Ascending unless told.
    #[param(inline)]
    order: Option<SortOrder>,
    /// An earlier version of the dataset (its history lists them); the current one when left out.
    version: Option<String>,
}

fn default_limit() -> u64 {
    100
}

#[utoipa::path(get, path = "/api/projects/{pid}/datasets/{did}/rows", params(DatasetPath, RowsQuery), responses((status = 200, body = Page)))]
pub async fn rows(
    State(s): State<AppState>,
    Path(DatasetPath { pid, did }): Path<DatasetPath>,
    Query(q): Query<RowsQuery>,
) -> Answer<Page> {
    Ok(Json(
        blocking(move || {
            let sort = q.sort.as_deref().map(|c| (c, q.order.unwrap_or(SortOrder::Asc)));
            s.studio.rows(&pid, &did, q.version.as_deref(), q.offset, q.limit, sort)
        })
        .await?,
    ))
}

#[utoipa::path(get, path = "/api/projects/{pid}/datasets/{did}/versions", params(DatasetPath), responses((status = 200, body = Vec<DatasetVersion>)))]
pub async fn dataset_versions(State(s): State<AppState>, Path(DatasetPath { pid, did }): Path<DatasetPath>) -> Answer<Vec<DatasetVersion>> {
    Ok(Json(blocking(move || s.studio.dataset_versions(&pid, &did)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/datasets/{did}/profile", params(DatasetPath), responses((status = 200, body = Profile)))]
pub async fn profile(State(s): State<AppState>, Path(DatasetPath { pid, did }): Path<DatasetPath>) -> Answer<Profile> {
    Ok(Json(blocking(move || s.studio.profile(&pid, &did)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/datasets/{did}/profile", params(DatasetPath), responses((status = 200, body = TaskStarted)))]
pub async fn start_profile(State(s): State<AppState>, Path(DatasetPath { pid, did }): Path<DatasetPath>) -> Answer<TaskStarted> {
    Ok(Json(blocking(move || s.studio.start_profile(&pid, &did)).await?))
}

#[utoipa::path(get, path = "/api/tasks", responses((status = 200, body = Vec<TaskInfo>)))]
pub async fn tasks(State(s): State<AppState>) -> Json<Vec<TaskInfo>> {
    Json(s.studio.tasks().list())
}

#[utoipa::path(get, path = "/api/tasks/{tid}", params(TaskPath), responses((status = 200, body = TaskInfo)))]
pub async fn task(State(s): State<AppState>, Path(TaskPath { tid }): Path<TaskPath>) -> Answer<TaskInfo> {
    Ok(Json(s.studio.tasks().handle(&tid)?.info()))
}

#[utoipa::path(post, path = "/api/tasks/{tid}/cancel", params(TaskPath), responses((status = 200, body = TaskInfo)))]
pub async fn cancel_task(State(s): State<AppState>, Path(TaskPath { tid }): Path<TaskPath>) -> Answer<TaskInfo> {
    Ok(Json(s.studio.tasks().cancel(&tid)?))
}
