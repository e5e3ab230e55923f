//! AutoML over HTTP: start a search (a job whose trials are nested runs) and read its leaderboard,
//! live while it runs. Thin adapters to Studio operations.

use axum::extract::State;
use cairn_types::*;

use crate::AppState;
use crate::error::{Answer, blocking};
use crate::extract::{Json, Path};
use crate::params::*;

/// Checks the spec against the data (bad input is refused before a run exists), records the search's
/// parent run and starts its job on this computer. Follow it with the run's job and its leaderboard.
#[utoipa::path(
    post,
    path = "/api/projects/{pid}/automl",
    params(ProjectPath),
    request_body(
        content = AutomlSpec,
        example = json!({"dataset": "readmissions", "target": "readmitted_30d", "budget_seconds": 10, "max_trials": 4, "seed": 42})
    ),
    responses((status = 200, body = TrainStarted))
)]
pub async fn start_automl(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
    Json(spec): Json<AutomlSpec>,
) -> Answer<TrainStarted> {
    Ok(Json(blocking(move || s.studio.start_automl(&pid, spec)).await?))
}

/// A search's leaderboard as its job last wrote it: rewritten after every trial while it runs (`stopped`
/// is `running`), final with the ensemble and its score once it ends. `FILE_NOT_FOUND` until the first
/// trial ends, and for a run that is not a search.
#[utoipa::path(get, path = "/api/projects/{pid}/runs/{rid}/automl", params(RunPath), responses((status = 200, body = AutomlResult)))]
pub async fn automl_result(State(s): State<AppState>, Path(RunPath { pid, rid }): Path<RunPath>) -> Answer<AutomlResult> {
    Ok(Json(blocking(move || s.studio.automl_result(&pid, &rid)).await?))
}
