//! axum's Json, Query and Path extractors, refusing a request the way every other error is refused:
//! `400 {code: BAD_REQUEST, message, hint}`, the message naming the field (axum's own rejections are
//! plain text, with statuses the API does not otherwise use). Json also serializes answers.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_types::{ApiError, ErrorCode};
use serde::Serialize;

use crate::error::Failure;

/// A JSON request body, or a JSON answer.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(Failure))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The query string, deserialized.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Failure))]
pub struct Query<T>(pub T);

/// The path's parameters, deserialized.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Failure))]
pub struct Path<T>(pub T);

/// A rejection as BAD_REQUEST with axum's explanation (which names the field and what is wrong with
/// it), unless it is axum reporting a bug of ours.
fn refused(status: StatusCode, text: String, hint: &str) -> Failure {
    if status.is_server_error() {
        return Failure(ApiError::new(ErrorCode::Internal, text));
    }
    Failure(ApiError::new(ErrorCode::BadRequest, text).with_hint(hint))
}

impl From<JsonRejection> for Failure {
    fn from(r: JsonRejection) -> Self {
        let hint = match &r {
            JsonRejection::MissingJsonContentType(_) => "send the body as JSON, with `Content-Type: application/json`",
            JsonRejection::BytesRejection(_) => "send a smaller body (JSON bodies are limited to 2 MB)",
            _ => "send a JSON body as /api/openapi.json describes it for this route",
        };
        refused(r.status(), r.body_text(), hint)
    }
}

impl From<QueryRejection> for Failure {
    fn from(r: QueryRejection) -> Self {
        refused(r.status(), r.body_text(), "give the query parameters /api/openapi.json lists for this route")
    }
}

impl From<PathRejection> for Failure {
    fn from(r: PathRejection) -> Self {
        refused(r.status(), r.body_text(), "check the ids in the address (percent-encoded UTF-8)")
    }
}
