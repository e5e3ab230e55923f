//! Jobs over HTTP (list, follow, stop, re-run), the user's own commands, the folder trust they need,
//! and cluster profiles: thin adapters to Studio operations.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use cairn_types::*;
use futures_util::Stream;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{Answer, Failure, blocking};

type Router = axum::Router<AppState>;

pub fn routes() -> Router {
    Router::new()
        .route("/api/projects/{pid}/jobs", get(jobs))
        .route("/api/projects/{pid}/jobs/{jid}", get(job))
        .route("/api/projects/{pid}/jobs/{jid}/cancel", post(cancel_job))
        .route("/api/projects/{pid}/jobs/{jid}/rerun", post(rerun_job))
        .route("/api/projects/{pid}/jobs/{jid}/log", get(job_log))
        .route("/api/projects/{pid}/jobs/{jid}/log/stream", get(job_log_stream))
        .route("/api/projects/{pid}/commands", post(start_command))
        .route("/api/projects/{pid}/trust", get(trust).put(set_trust))
        .route("/api/clusters", get(clusters).post(add_cluster))
        .route("/api/clusters/test", post(test_address))
        .route("/api/clusters/{name}", axum::routing::delete(remove_cluster))
        .route("/api/clusters/{name}/test", post(test_cluster))
}

#[utoipa::path(get, path = "/api/projects/{pid}/jobs", responses((status = 200, body = Vec<JobInfo>)))]
pub async fn jobs(State(s): State<AppState>, Path(pid): Path<String>) -> Answer<Vec<JobInfo>> {
    Ok(Json(blocking(move || s.studio.jobs(&pid)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/jobs/{jid}", responses((status = 200, body = JobInfo)))]
pub async fn job(State(s): State<AppState>, Path((pid, jid)): Path<(String, String)>) -> Answer<JobInfo> {
    Ok(Json(blocking(move || s.studio.job(&pid, &jid)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/jobs/{jid}/cancel", responses((status = 200, body = JobInfo)))]
pub async fn cancel_job(State(s): State<AppState>, Path((pid, jid)): Path<(String, String)>) -> Answer<JobInfo> {
    Ok(Json(blocking(move || s.studio.cancel_job(&pid, &jid)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LogQuery {
    #[serde(default)]
    offset: u64,
}

#[utoipa::path(get, path = "/api/projects/{pid}/jobs/{jid}/log", params(LogQuery), responses((status = 200, body = JobLog)))]
pub async fn job_log(State(s): State<AppState>, Path((pid, jid)): Path<(String, String)>, Query(q): Query<LogQuery>) -> Answer<JobLog> {
    let (text, next, done) = blocking(move || s.studio.job_log(&pid, &jid, q.offset)).await?;
    Ok(Json(JobLog { text, next, done }))
}

/// The log as server-sent events (`JobLog` each), following the file until the job ends.
#[utoipa::path(get, path = "/api/projects/{pid}/jobs/{jid}/log/stream", params(LogQuery), responses((status = 200, description = "text/event-stream of JobLog", body = JobLog)))]
pub async fn job_log_stream(
    State(s): State<AppState>,
    Path((pid, jid)): Path<(String, String)>,
    Query(q): Query<LogQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Failure> {
    {
        let (s, pid, jid) = (s.clone(), pid.clone(), jid.clone());
        blocking(move || s.studio.job(&pid, &jid)).await?;
    }
    let stream = futures_util::stream::unfold((s, pid, jid, q.offset, false), |(s, pid, jid, offset, ended)| async move {
        if ended {
            return None;
        }
        loop {
            let (s2, p2, j2) = (s.clone(), pid.clone(), jid.clone());
            let read = tokio::task::spawn_blocking(move || s2.studio.job_log(&p2, &j2, offset)).await;
            let (text, next, done) = match read {
                Ok(Ok(r)) => r,
                _ => return None,
            };
            if !text.is_empty() || done {
                let ev = Event::default().json_data(JobLog { text, next, done }).unwrap_or_default();
                return Some((Ok(ev), (s, pid, jid, next, done)));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[utoipa::path(post, path = "/api/projects/{pid}/jobs/{jid}/rerun", responses((status = 200, body = TrainStarted)))]
pub async fn rerun_job(State(s): State<AppState>, Path((pid, jid)): Path<(String, String)>) -> Answer<TrainStarted> {
    Ok(Json(blocking(move || s.studio.rerun_job(&pid, &jid)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/commands", request_body = StartCommand, responses((status = 200, body = TrainStarted), (status = 403, body = ApiError)))]
pub async fn start_command(State(s): State<AppState>, Path(pid): Path<String>, Json(req): Json<StartCommand>) -> Answer<TrainStarted> {
    Ok(Json(blocking(move || s.studio.start_command(&pid, req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/trust", responses((status = 200, body = Trust)))]
pub async fn trust(State(s): State<AppState>, Path(pid): Path<String>) -> Answer<Trust> {
    Ok(Json(blocking(move || s.studio.trust(&pid)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SetTrust {
    trusted: bool,
    /// A folder other than the project's (a command's own folder); relative to the project.
    #[serde(default)]
    folder: Option<String>,
}

#[utoipa::path(put, path = "/api/projects/{pid}/trust", request_body = SetTrust, responses((status = 200, body = Trust)))]
pub async fn set_trust(State(s): State<AppState>, Path(pid): Path<String>, Json(req): Json<SetTrust>) -> Answer<Trust> {
    Ok(Json(blocking(move || s.studio.set_trust(&pid, req.folder.as_deref(), req.trusted)).await?))
}

#[utoipa::path(get, path = "/api/clusters", responses((status = 200, body = Vec<ClusterProfile>)))]
pub async fn clusters(State(s): State<AppState>) -> Answer<Vec<ClusterProfile>> {
    Ok(Json(blocking(move || s.studio.list_clusters()).await?))
}

#[utoipa::path(post, path = "/api/clusters", request_body = AddCluster, responses((status = 200, body = ClusterProfile), (status = 422, body = ApiError)))]
pub async fn add_cluster(State(s): State<AppState>, Json(req): Json<AddCluster>) -> Answer<ClusterProfile> {
    Ok(Json(blocking(move || s.studio.add_cluster(&req)).await?))
}

#[utoipa::path(delete, path = "/api/clusters/{name}", responses((status = 200, body = ClusterProfile), (status = 404, body = ApiError)))]
pub async fn remove_cluster(State(s): State<AppState>, Path(name): Path<String>) -> Answer<ClusterProfile> {
    Ok(Json(blocking(move || s.studio.remove_cluster(&name)).await?))
}

#[utoipa::path(post, path = "/api/clusters/{name}/test", responses((status = 200, body = ClusterCheck), (status = 502, body = ApiError), (status = 503, body = ApiError)))]
pub async fn test_cluster(State(s): State<AppState>, Path(name): Path<String>) -> Answer<ClusterCheck> {
    Ok(Json(blocking(move || s.studio.test_cluster(&name)).await?))
}

#[utoipa::path(post, path = "/api/clusters/test", request_body = TestCluster, responses((status = 200, body = ClusterCheck), (status = 502, body = ApiError), (status = 503, body = ApiError)))]
pub async fn test_address(State(s): State<AppState>, Json(req): Json<TestCluster>) -> Answer<ClusterCheck> {
    Ok(Json(blocking(move || s.studio.test_address(&req)).await?))
}
