//! Training, experiments, runs and jobs over HTTP: thin adapters to Studio operations.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cairn_types::*;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{Answer, Failure, blocking};
use crate::extract::{Json, Path, Query};
use crate::params::*;

#[utoipa::path(get, path = "/api/models", responses((status = 200, body = Vec<ModelInfo>)))]
pub async fn models(State(s): State<AppState>) -> Json<Vec<ModelInfo>> {
    Json(s.studio.models())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainQuery {
    /// A cluster profile's name; absent: this computer.
    on: Option<String>,
}

#[utoipa::path(post, path = "/api/projects/{pid}/train", params(ProjectPath, TrainQuery), request_body = TrainSpec, responses((status = 200, body = TrainStarted)))]
pub async fn train(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Query(q): Query<TrainQuery>,
    Json(spec): Json<TrainSpec>,
) -> Answer<TrainStarted> {
    let on = q.on.filter(|o| !o.is_empty() && o != "local");
    Ok(Json(blocking(move || s.studio.start_training_on(&pid, spec, on.as_deref())).await?))
}

/// What a training would do, without starting it: the features used and left out (with why), which rows
/// train and which test, the warnings; or why it would be refused.
#[utoipa::path(post, path = "/api/projects/{pid}/train/check", params(ProjectPath), request_body = TrainSpec, responses((status = 200, body = TrainCheck)))]
pub async fn check_training(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(spec): Json<TrainSpec>,
) -> Answer<TrainCheck> {
    Ok(Json(blocking(move || s.studio.check_training(&pid, spec)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/experiments", params(ProjectPath), request_body = CreateExperiment, responses((status = 200, body = Experiment)))]
pub async fn create_experiment(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<CreateExperiment>,
) -> Answer<Experiment> {
    Ok(Json(blocking(move || s.studio.create_experiment(&pid, &req.name)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/experiments/search", params(ProjectPath), request_body = SearchExperiments, responses((status = 200, body = ExperimentsPage)))]
pub async fn search_experiments(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(q): Json<SearchExperiments>,
) -> Answer<ExperimentsPage> {
    Ok(Json(blocking(move || s.studio.experiments(&pid, &q)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/runs/search", params(ProjectPath), request_body = SearchRuns, responses((status = 200, body = RunsPage)))]
pub async fn search_runs(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(q): Json<SearchRuns>,
) -> Answer<RunsPage> {
    Ok(Json(blocking(move || s.studio.search_runs(&pid, &q)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct KeysRequest {
    #[serde(default)]
    experiment_ids: Vec<String>,
}

#[utoipa::path(post, path = "/api/projects/{pid}/runs/keys", params(ProjectPath), request_body = KeysRequest, responses((status = 200, body = RunKeys)))]
pub async fn run_keys(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(q): Json<KeysRequest>,
) -> Answer<RunKeys> {
    Ok(Json(blocking(move || s.studio.run_keys(&pid, &q.experiment_ids)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}", params(RunPath), responses((status = 200, body = Run)))]
pub async fn run(State(s): State<AppState>, Path(RunPath { pid, rid }): Path<RunPath>) -> Answer<Run> {
    Ok(Json(blocking(move || s.studio.run(&pid, &rid)).await?))
}

#[utoipa::path(patch, path = "/api/projects/{pid}/runs/{rid}", params(RunPath), request_body = RunUpdate, responses((status = 200, body = Run)))]
pub async fn update_run(State(s): State<AppState>, Path(RunPath { pid, rid }): Path<RunPath>, Json(u): Json<RunUpdate>) -> Answer<Run> {
    Ok(Json(blocking(move || s.studio.update_run(&pid, &rid, u.name.as_deref(), u.note.as_deref())).await?))
}

#[utoipa::path(delete, path = "/api/projects/{pid}/runs/{rid}", params(RunPath), responses((status = 200, description = "The run was deleted (an empty object).", body = Object)))]
pub async fn delete_run(State(s): State<AppState>, Path(RunPath { pid, rid }): Path<RunPath>) -> Answer<serde_json::Value> {
    blocking(move || s.studio.delete_run(&pid, &rid)).await?;
    Ok(Json(serde_json::json!({})))
}

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/evaluation", params(RunPath), responses((status = 200, body = Evaluation)))]
pub async fn evaluation(State(s): State<AppState>, Path(RunPath { pid, rid }): Path<RunPath>) -> Answer<Evaluation> {
    Ok(Json(blocking(move || s.studio.evaluation(&pid, &rid)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// 1: ask the browser to save the page as `<run name>-report.html` instead of showing it.
    #[serde(default)]
    download: Option<u8>,
}

/// The run's explainability report as one self-contained HTML page (no scripts, nothing fetched):
/// overview, held-out metrics, a search's leaderboard and ensemble, quality charts, feature importance
/// and partial dependence. `NOT_COMPUTED` for a run without an evaluation.
#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/report.html", params(RunPath, ReportQuery), responses((status = 200, description = "The report as a self-contained HTML page.", content_type = "text/html", body = String)))]
pub async fn report(
    State(s): State<AppState>,
    Path(RunPath { pid, rid }): Path<RunPath>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, Failure> {
    let (name, html) = blocking(move || Ok((s.studio.run(&pid, &rid)?.info.run_name, s.studio.run_report(&pid, &rid)?))).await?;
    let disposition = match q.download {
        Some(1) => format!("attachment; filename=\"{}\"", cairn_api::report_file_name(&name)),
        _ => "inline".to_string(),
    };
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)], html).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricQuery {
    /// The metric's key.
    key: String,
    /// At most 1000 points (the default).
    #[serde(default)]
    max_points: u32,
}

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/metric", params(RunPath, MetricQuery), responses((status = 200, body = MetricSeries)))]
pub async fn metric(
    State(s): State<AppState>,
    Path(RunPath { pid, rid }): Path<RunPath>,
    Query(q): Query<MetricQuery>,
) -> Answer<MetricSeries> {
    Ok(Json(blocking(move || s.studio.metric_series(&pid, &rid, &q.key, q.max_points)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/runs/{rid}/tags", params(RunPath), request_body = Tag, responses((status = 200, body = Run)))]
pub async fn set_tag(State(s): State<AppState>, Path(RunPath { pid, rid }): Path<RunPath>, Json(t): Json<Tag>) -> Answer<Run> {
    Ok(Json(blocking(move || s.studio.set_run_tag(&pid, &rid, &t)).await?))
}

#[utoipa::path(delete, path = "/api/projects/{pid}/runs/{rid}/tags/{key}", params(RunTagPath), responses((status = 200, body = Run)))]
pub async fn delete_tag(State(s): State<AppState>, Path(RunTagPath { pid, rid, key }): Path<RunTagPath>) -> Answer<Run> {
    Ok(Json(blocking(move || s.studio.delete_run_tag(&pid, &rid, &key)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/artifacts", params(RunPath), responses((status = 200, body = Vec<ArtifactFile>)))]
pub async fn artifacts(State(s): State<AppState>, Path(RunPath { pid, rid }): Path<RunPath>) -> Answer<Vec<ArtifactFile>> {
    Ok(Json(blocking(move || s.studio.artifacts(&pid, &rid)).await?))
}

/// Downloads one of a run's files.
#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/artifacts/{path}", params(ArtifactPath), responses((status = 200, description = "The file's bytes: JSON for a `.json` file, else bytes.", content((serde_json::Value = "application/json"), (crate::openapi::FileBytes = "application/octet-stream")))))]
pub async fn artifact(
    State(s): State<AppState>,
    Path(ArtifactPath { pid, rid, path: rel }): Path<ArtifactPath>,
) -> Result<Response, Failure> {
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

#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/job", params(RunPath), responses((status = 200, body = JobInfo)))]
pub async fn run_job(State(s): State<AppState>, Path(RunPath { pid, rid }): Path<RunPath>) -> Answer<JobInfo> {
    Ok(Json(blocking(move || s.studio.job_for_run(&pid, &rid)).await?))
}
