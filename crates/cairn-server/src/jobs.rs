//! Jobs over HTTP (list, follow, stop, re-run), the user's own commands, the folder trust they need,
//! and cluster profiles: thin adapters to Studio operations.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use cairn_types::*;
use futures_util::Stream;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{Answer, Failure, blocking};
use crate::extract::{Json, Path, Query};
use crate::params::*;

#[utoipa::path(get, path = "/api/projects/{pid}/jobs", params(ProjectPath), responses((status = 200, body = Vec<JobInfo>)))]
pub async fn jobs(State(s): State<AppState>, Path(ProjectPath { pid }): Path<ProjectPath>) -> Answer<Vec<JobInfo>> {
    Ok(Json(blocking(move || s.studio.jobs(&pid)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/jobs/{jid}", params(JobPath), responses((status = 200, body = JobInfo)))]
pub async fn job(State(s): State<AppState>, Path(JobPath { pid, jid }): Path<JobPath>) -> Answer<JobInfo> {
    Ok(Json(blocking(move || s.studio.job(&pid, &jid)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/jobs/{jid}/cancel", params(JobPath), responses((status = 200, body = JobInfo)))]
pub async fn cancel_job(State(s): State<AppState>, Path(JobPath { pid, jid }): Path<JobPath>) -> Answer<JobInfo> {
    Ok(Json(blocking(move || s.studio.cancel_job(&pid, &jid)).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// The byte to read from: 0, or the `next` of the previous answer.
    #[serde(default)]
    offset: u64,
}

#[utoipa::path(get, path = "/api/projects/{pid}/jobs/{jid}/log", params(JobPath, LogQuery), responses((status = 200, body = JobLog)))]
pub async fn job_log(State(s): State<AppState>, Path(JobPath { pid, jid }): Path<JobPath>, Query(q): Query<LogQuery>) -> Answer<JobLog> {
    let (text, next, done) = blocking(move || s.studio.job_log(&pid, &jid, q.offset)).await?;
    Ok(Json(JobLog { text, next, done }))
}

/// The log as server-sent events (`JobLog` each), following the file until the job ends.
#[utoipa::path(get, path = "/api/projects/{pid}/jobs/{jid}/log/stream", params(JobPath, LogQuery), responses((status = 200, description = "The log (`JobLog` each) as it grows, until the job ends.", content_type = "text/event-stream", body = JobLog)))]
pub async fn job_log_stream(
    State(s): State<AppState>,
    Path(JobPath { pid, jid }): Path<JobPath>,
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

#[utoipa::path(post, path = "/api/projects/{pid}/jobs/{jid}/rerun", params(JobPath), responses((status = 200, body = TrainStarted)))]
pub async fn rerun_job(State(s): State<AppState>, Path(JobPath { pid, jid }): Path<JobPath>) -> Answer<TrainStarted> {
    Ok(Json(blocking(move || s.studio.rerun_job(&pid, &jid)).await?))
}

#[utoipa::path(post, path = "/api/projects/{pid}/commands", params(ProjectPath), request_body = StartCommand, responses((status = 200, body = TrainStarted)))]
pub async fn start_command(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<StartCommand>,
) -> Answer<TrainStarted> {
    Ok(Json(blocking(move || s.studio.start_command(&pid, req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/trust", params(ProjectPath), responses((status = 200, body = Trust)))]
pub async fn trust(State(s): State<AppState>, Path(ProjectPath { pid }): Path<ProjectPath>) -> Answer<Trust> {
    Ok(Json(blocking(move || s.studio.trust(&pid)).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SetTrust {
    trusted: bool,
    /// A folder other than the project's (a command's own folder); relative to the project.
    #[serde(default)]
    folder: Option<String>,
}

#[utoipa::path(put, path = "/api/projects/{pid}/trust", params(ProjectPath), request_body = SetTrust, responses((status = 200, body = Trust)))]
pub async fn set_trust(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<SetTrust>,
) -> Answer<Trust> {
    Ok(Json(blocking(move || s.studio.set_trust(&pid, req.folder.as_deref(), req.trusted)).await?))
}

#[utoipa::path(get, path = "/api/clusters", responses((status = 200, body = Vec<ClusterProfile>)))]
pub async fn clusters(State(s): State<AppState>) -> Answer<Vec<ClusterProfile>> {
    Ok(Json(blocking(move || s.studio.list_clusters()).await?))
}

#[utoipa::path(post, path = "/api/clusters", request_body = AddCluster, responses((status = 200, body = ClusterProfile)))]
pub async fn add_cluster(State(s): State<AppState>, Json(req): Json<AddCluster>) -> Answer<ClusterProfile> {
    Ok(Json(blocking(move || s.studio.add_cluster(&req)).await?))
}

#[utoipa::path(delete, path = "/api/clusters/{name}", params(ClusterPath), responses((status = 200, body = ClusterProfile)))]
pub async fn remove_cluster(State(s): State<AppState>, Path(ClusterPath { name }): Path<ClusterPath>) -> Answer<ClusterProfile> {
    Ok(Json(blocking(move || s.studio.remove_cluster(&name)).await?))
}

#[utoipa::path(post, path = "/api/clusters/{name}/test", params(ClusterPath), responses((status = 200, body = ClusterCheck)))]
pub async fn test_cluster(State(s): State<AppState>, Path(ClusterPath { name }): Path<ClusterPath>) -> Answer<ClusterCheck> {
    Ok(Json(blocking(move || s.studio.test_cluster(&name)).await?))
}

#[utoipa::path(post, path = "/api/clusters/test", request_body = TestCluster, responses((status = 200, body = ClusterCheck)))]
pub async fn test_address(State(s): State<AppState>, Json(req): Json<TestCluster>) -> Answer<ClusterCheck> {
    Ok(Json(blocking(move || s.studio.test_address(&req)).await?))
}
