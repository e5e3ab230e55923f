use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_types::{ApiError, ErrorCode};

/// An API error as an HTTP response: the status its code maps to, and `{code, message, hint}`.
pub struct Failure(pub ApiError);

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self.0)).into_response()
    }
}

pub fn failure(code: ErrorCode, message: impl Into<String>) -> Response {
    Failure(ApiError::new(code, message)).into_response()
}

pub type Answer<T> = Result<crate::extract::Json<T>, Failure>;

/// Runs blocking work (disk, polars) off the async threads.
pub async fn blocking<T, F>(f: F) -> Result<T, Failure>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(Failure),
        Err(_) => Err(Failure(ApiError::new(ErrorCode::Internal, "the operation stopped on an internal error (a bug in Cairn)"))),
    }
}
