//! The insights report over HTTP: start it as a task, read the saved report, download its HTML page.

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

/// Which report: the target, and for a derived binary target the value it is compared with.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InsightsQuery {
    /// The target column.
    target: String,
    /// For a binary target derived from another column: the value that makes it true.
    equals: Option<String>,
    /// Classification or regression, when the column's type does not say.
    #[param(inline)]
    task: Option<Task>,
}

impl From<InsightsQuery> for InsightsRequest {
    fn from(q: InsightsQuery) -> Self {
        InsightsRequest { target: q.target, equals: q.equals, task: q.task }
    }
}

#[utoipa::path(post, path = "/api/projects/{pid}/datasets/{did}/insights", params(DatasetPath), request_body = InsightsRequest, responses((status = 200, body = TaskStarted)))]
pub async fn start_insights(
    State(s): State<AppState>,
    Path(DatasetPath { pid, did }): Path<DatasetPath>,
    Json(req): Json<InsightsRequest>,
) -> Answer<TaskStarted> {
    Ok(Json(blocking(move || s.studio.start_insights(&pid, &did, req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/datasets/{did}/insights", params(DatasetPath, InsightsQuery), responses((status = 200, body = InsightsReport)))]
pub async fn insights(
    State(s): State<AppState>,
    Path(DatasetPath { pid, did }): Path<DatasetPath>,
    Query(q): Query<InsightsQuery>,
) -> Answer<InsightsReport> {
    let req = InsightsRequest::from(q);
    Ok(Json(blocking(move || s.studio.insights(&pid, &did, &req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/datasets/{did}/insights/html", params(DatasetPath, InsightsQuery), responses((status = 200, description = "The report as a self-contained HTML page.", content_type = "text/html", body = String)))]
pub async fn insights_html(
    State(s): State<AppState>,
    Path(DatasetPath { pid, did }): Path<DatasetPath>,
    Query(q): Query<InsightsQuery>,
) -> Result<Response, Failure> {
    let req = InsightsRequest::from(q);
    let html = blocking(move || s.studio.insights_html(&pid, &did, &req)).await?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
