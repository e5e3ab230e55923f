//! Batch predictions over HTTP: start one (a job with its run), then read how far it is and its result.
//! Follow, cancel and re-run it as any job (`/jobs/{jid}/…`); a re-run resumes from its finished chunks.
//! Thin adapters to Studio operations.

use axum::extract::State;
use cairn_types::*;

use crate::AppState;
use crate::error::{Answer, blocking};
use crate::extract::{Json, Path};
use crate::params::*;

/// Checks the request (model, input and its columns, output) before anything is recorded, then starts
/// the job here or on a cluster (`on`; the output must then be an absolute path the cluster can write).
/// Answers the job; its run is in the experiment "Batch predictions".
#[utoipa::path(
    post,
    path = "/api/projects/{pid}/batch-predictions",
    params(ProjectPath),
    request_body(
        content = BatchPredictRequest,
        example = json!({"model": "churn@champion", "file": "/data/customers.csv", "out": "/data/scores.parquet", "columns": ["customer_id"]})
    ),
    responses((status = 200, body = JobInfo))
)]
pub async fn start_batch(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(req): Json<BatchPredictRequest>,
) -> Answer<JobInfo> {
    Ok(Json(
        blocking(move || {
            let started = s.studio.start_batch_prediction(&pid, req)?;
            s.studio.job(&pid, &started.job_id)
        })
        .await?,
    ))
}

/// A batch job: its state, chunks done of all while it runs, and its result (rows scored and failed,
/// the first failed rows with why, the output and errors files) once it succeeded.
#[utoipa::path(get, path = "/api/projects/{pid}/batch-predictions/{jid}", params(JobPath), responses((status = 200, body = BatchStatus)))]
pub async fn batch_status(State(s): State<AppState>, Path(JobPath { pid, jid }): Path<JobPath>) -> Answer<BatchStatus> {
    Ok(Json(blocking(move || s.studio.batch_status(&pid, &jid)).await?))
}
