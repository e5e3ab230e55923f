//! The insights report over HTTP: start it as a task, read the saved report, download its HTML page.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cairn_types::*;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{Answer, Failure, blocking};

type Router = axum::Router<AppState>;

pub fn routes() -> Router {
    Router::new()
        .route("/api/projects/{pid}/datasets/{did}/insights", get(insights).post(start_insights))
        .route("/api/projects/{pid}/datasets/{did}/insights/html", get(insights_html))
}

/// Which report: the target, and for a derived binary target the value it is compared with.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InsightsQuery {
    target: String,
    equals: Option<String>,
    task: Option<Task>,
}

impl From<InsightsQuery> for InsightsRequest {
    fn from(q: InsightsQuery) -> Self {
        InsightsRequest { target: q.target, equals: q.equals, task: q.task }
    }
}

#[utoipa::path(post, path = "/api/projects/{pid}/datasets/{did}/insights", request_body = InsightsRequest, responses((status = 200, body = TaskStarted), (status = 404, body = ApiError)))]
pub async fn start_insights(State(s): State<AppState>, Path((pid, did)): Path<(String, String)>, Json(req): Json<InsightsRequest>) -> Answer<TaskStarted> {
    Ok(Json(blocking(move || s.studio.start_insights(&pid, &did, req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/datasets/{did}/insights", params(InsightsQuery), responses((status = 200, body = InsightsReport), (status = 404, body = ApiError)))]
pub async fn insights(State(s): State<AppState>, Path((pid, did)): Path<(String, String)>, Query(q): Query<InsightsQuery>) -> Answer<InsightsReport> {
    let req = InsightsRequest::from(q);
    Ok(Json(blocking(move || s.studio.insights(&pid, &did, &req)).await?))
}

#[utoipa::path(get, path = "/api/projects/{pid}/datasets/{did}/insights/html", params(InsightsQuery), responses((status = 200, description = "the report as a self-contained HTML page"), (status = 404, body = ApiError)))]
pub async fn insights_html(State(s): State<AppState>, Path((pid, did)): Path<(String, String)>, Query(q): Query<InsightsQuery>) -> Result<Response, Failure> {
    let req = InsightsRequest::from(q);
    let html = blocking(move || s.studio.insights_html(&pid, &did, &req)).await?;
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
