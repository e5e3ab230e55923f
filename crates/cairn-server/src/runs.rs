//! Training, experiments, runs and jobs over HTTP: thin adapters to Studio operations.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cairn_types::*;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{Answer, Failure, blocking};

type Router = axum::Router<AppState>;

pub fn routes() -> Router {
    Router::new()
        .route("/api/models", get(models))
        .route("/api/projects/{pid}/train", post(train))
        .route("/api/projects/{pid}/train/check", post(check_training))
        .route("/api/projects/{pid}/experiments", post(create_experiment))
        .route("/api/projects/{pid}/experiments/search", post(search_experiments))
        .route("/api/projects/{pid}/runs/search", post(search_runs))
        .route("/api/projects/{pid}/runs/keys", post(run_keys))
        .route("/api/projects/{pid}/runs/{rid}", get(run).patch(update_run).delete(delete_run))
        .route("/api/projects/{pid}/runs/{rid}/evaluation", get(evaluation))
        .route("/api/projects/{pid}/runs/{rid}/metric", get(metric))
        .route("/api/projects/{pid}/runs/{rid}/tags", post(set_tag))
        .route("/api/projects/{pid}/runs/{rid}/tags/{key}", axum::routing::delete(delete_tag))
        .route("/api/projects/{pid}/runs/{rid}/artifacts", get(artifacts))
        .route("/api/projects/{pid}/runs/{rid}/artifacts/{*path}", get(artifact))
        .route("/api/projects/{pid}/runs/{rid}/job", get(run_job))
}

#[utoipa::path(get, path = "/api/models", responses((status = 200, body = Vec<ModelInfo>)))]
pub async fn models(State(s): State<AppState>) -> Json<Vec<ModelInfo>> {
    Json(s.studio.models())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TrainQuery {
    /// A cluster profile's name; absent: this computer.
    on: Option<String>,
}

#[utoipa::path(post, path = "/api/projects/{pid}/train", params(TrainQuery), request_body = TrainSpec, responses((status = 200, body = TrainStarted), (status = 422, body = ApiError), (status = 503, body = ApiError)))]
pub async fn train(State(s): State<AppState>, Path(pid): Path<String>, Query(q): Query<TrainQuery>, Json(spec): Json<TrainSpec>) -> Answer<TrainStarted> {
    let on = q.on.filter(|o| !o.is_empty() && o != "local");
    Ok(Json(blocking(move || s.studio.start_training_on(&pid, spec, on.as_deref())).await?))
}

/// What a training would do, without starting it: the features used and left out (with why), which rows
/// train and which test, the warnings; or why it would be refused.
#[utoipa::path(post, path = "/api/projects/{pid}/train/check", request_body = TrainSpec, responses((status = 200, body = TrainCheck), (status = 422, body = ApiError)))]
pub async fn check_training(State(s): State<AppState>, Path(pid): Path<String>, Json(spec): Json<TrainSpec>) -> Answer<TrainCheck> {
    Ok(Json(blocking(move || s.studio.check_training(&pid, spec)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/experiments", request_body = CreateExperiment, responses((status = 200, body = Experiment)))]
pub async fn create_experiment(State(s): State<AppState>, Path(pid): Path<String>, Json(req): Json<CreateExperiment>) -> Answer<Experiment> {
    Ok(Json(blocking(move || s.studio.create_experiment(&pid, &req.name)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/experiments/search", request_body = SearchExperiments, responses((status = 200, body = ExperimentsPage)))]
pub async fn search_experiments(State(s): State<AppState>, Path(pid): Path<String>, Json(q): Json<SearchExperiments>) -> Answer<ExperimentsPage> {
    Ok(Json(blocking(move || s.studio.experiments(&pid, &q)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/runs/search", request_body = SearchRuns, responses((status = 200, body = RunsPage), (status = 400, body = ApiError)))]
pub async fn search_runs(State(s): State<AppState>, Path(pid): Path<String>, Json(q): Json<SearchRuns>) -> Answer<RunsPage> {
    Ok(Json(blocking(move || s.studio.search_runs(&pid, &q)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct KeysRequest {
    #[serde(default)]
    experiment_ids: Vec<String>,
}

#[utoipa::path(post, path = "/api/projects/{pid}/runs/keys", request_body = KeysRequest, responses((status = 200, body = RunKeys)))]
pub async fn run_keys(State(s): State<AppState>, Path(pid): Path<String>, Json(q): Json<KeysRequest>) -> Answer<RunKeys> {
    Ok(Json(blocking(move || s.studio.run_keys(&pid, &q.experiment_ids)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}", responses((status = 200, body = Run), (status = 404, body = ApiError)))]
pub async fn run(State(s): State<AppState>, Path((pid, rid)): Path<(String, String)>) -> Answer<Run> {
    Ok(Json(blocking(move || s.studio.run(&pid, &rid)).await?))
}

#[utoipa::path(patch, path = "/api/projects/{pid}/runs/{rid}", request_body = RunUpdate, responses((status = 200, body = Run)))]
pub async fn update_run(State(s): State<AppState>, Path((pid, rid)): Path<(String, String)>, Json(u): Json<RunUpdate>) -> Answer<Run> {
    Ok(Json(blocking(move || s.studio.update_run(&pid, &rid, u.name.as_deref(), u.note.as_deref())).await?))
}

#[utoipa::path(delete, path = "/api/projects/{pid}/runs/{rid}", responses((status = 200)))]
pub async fn delete_run(State(s): State<AppState>, Path((pid, rid)): Path<(String, String)>) -> Answer<serde_json::Value> {
    blocking(move || s.studio.delete_run(&pid, &rid)).await?;
    Ok(Json(serde_json::json!({})))
}

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/evaluation", responses((status = 200, body = Evaluation), (status = 404, body = ApiError)))]
pub async fn evaluation(State(s): State<AppState>, Path((pid, rid)): Path<(String, String)>) -> Answer<Evaluation> {
    Ok(Json(blocking(move || s.studio.evaluation(&pid, &rid)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MetricQuery {
    key: String,
    /// At most 1000 points (the default).
    #[serde(default)]
    max_points: u32,
}

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/metric", params(MetricQuery), responses((status = 200, body = MetricSeries)))]
pub async fn metric(State(s): State<AppState>, Path((pid, rid)): Path<(String, String)>, Query(q): Query<MetricQuery>) -> Answer<MetricSeries> {
    Ok(Json(blocking(move || s.studio.metric_series(&pid, &rid, &q.key, q.max_points)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/runs/{rid}/tags", request_body = Tag, responses((status = 200, body = Run)))]
pub async fn set_tag(State(s): State<AppState>, Path((pid, rid)): Path<(String, String)>, Json(t): Json<Tag>) -> Answer<Run> {
    Ok(Json(blocking(move || s.studio.set_run_tag(&pid, &rid, &t)).await?))
}

#[utoipa::path(delete, path = "/api/projects/{pid}/runs/{rid}/tags/{key}", responses((status = 200, body = Run)))]
pub async fn delete_tag(State(s): State<AppState>, Path((pid, rid, key)): Path<(String, String, String)>) -> Answer<Run> {
    Ok(Json(blocking(move || s.studio.delete_run_tag(&pid, &rid, &key)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/artifacts", responses((status = 200, body = Vec<ArtifactFile>)))]
pub async fn artifacts(State(s): State<AppState>, Path((pid, rid)): Path<(String, String)>) -> Answer<Vec<ArtifactFile>> {
    Ok(Json(blocking(move || s.studio.artifacts(&pid, &rid)).await?))
}

/// Downloads one of a run's files.
#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/artifacts/{path}", responses((status = 200, description = "the file's bytes")))]
pub async fn artifact(State(s): State<AppState>, Path((pid, rid, rel)): Path<(String, String, String)>) -> Result<Response, Failure> {
    let path = blocking(move || s.studio.artifact_path(&pid, &rid, &rel)).await?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| Failure(ApiError::new(ErrorCode::Io, format!("cannot read {}: {e}", path.display()))))?;
    let stream = crate::files::chunks(file);
    let mime = if name.ends_with(".json") { "application/json" } else { "application/octet-stream" };
    Ok((
        [(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\""))],
        Body::from_stream(stream),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/job", responses((status = 200, body = JobInfo), (status = 404, body = ApiError)))]
pub async fn run_job(State(s): State<AppState>, Path((pid, rid)): Path<(String, String)>) -> Answer<JobInfo> {
    Ok(Json(blocking(move || s.studio.job_for_run(&pid, &rid)).await?))
}
