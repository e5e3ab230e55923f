//! MLflow's error body, `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "…"}`, with the HTTP status
//! MLflow's server gives each code (`mlflow/exceptions.py`), so the client's handling of codes (a missing
//! experiment becomes None, an existing registered model is fine) works unchanged.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cairn_store::{RegistryError, TrackingError};
use cairn_types::{ApiError, ErrorCode};

/// An MLflow API failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlError {
    pub code: &'static str,
    pub message: String,
}

impl MlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> MlError {
        MlError { code, message: message.into() }
    }

    pub fn invalid(message: impl Into<String>) -> MlError {
        MlError::new("INVALID_PARAMETER_VALUE", message)
    }

    pub fn not_found(message: impl Into<String>) -> MlError {
        MlError::new("RESOURCE_DOES_NOT_EXIST", message)
    }

    pub fn internal(message: impl Into<String>) -> MlError {
        MlError::new("INTERNAL_ERROR", message)
    }

    /// MLflow's `ERROR_CODE_TO_HTTP_STATUS`.
    pub fn status(&self) -> StatusCode {
        let code = match self.code {
            "RESOURCE_DOES_NOT_EXIST" | "NOT_FOUND" | "ENDPOINT_NOT_FOUND" => 404,
            "INVALID_PARAMETER_VALUE" | "RESOURCE_ALREADY_EXISTS" | "BAD_REQUEST" => 400,
            "ALREADY_EXISTS" | "RESOURCE_CONFLICT" | "ABORTED" => 409,
            "PERMISSION_DENIED" => 403,
            "UNAUTHENTICATED" | "CUSTOMER_UNAUTHORIZED" => 401,
            "NOT_IMPLEMENTED" => 501,
            "TEMPORARILY_UNAVAILABLE" => 503,
            "REQUEST_LIMIT_EXCEEDED" | "RESOURCE_EXHAUSTED" => 429,
            // INTERNAL_ERROR, INVALID_STATE, DATA_LOSS
            _ => 500,
        };
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for MlError {
    fn into_response(self) -> Response {
        let status = self.status();
        (status, Json(serde_json::json!({"error_code": self.code, "message": self.message}))).into_response()
    }
}

impl From<TrackingError> for MlError {
    fn from(e: TrackingError) -> Self {
        MlError::new(e.mlflow_error_code(), e.to_string())
    }
}

impl From<RegistryError> for MlError {
    fn from(e: RegistryError) -> Self {
        MlError::new(e.mlflow_error_code(), e.to_string())
    }
}

/// Cairn's own errors (opening the project) in MLflow's terms.
impl From<ApiError> for MlError {
    fn from(e: ApiError) -> Self {
        let code = match e.code {
            ErrorCode::ProjectNotFound
            | ErrorCode::NotAProject
            | ErrorCode::FileNotFound
            | ErrorCode::RunNotFound
            | ErrorCode::ExperimentNotFound => "RESOURCE_DOES_NOT_EXIST",
            ErrorCode::ProjectReadOnly => "PERMISSION_DENIED",
            ErrorCode::InvalidInput | ErrorCode::InvalidFilter | ErrorCode::BadRequest => "INVALID_PARAMETER_VALUE",
            ErrorCode::AlreadyExists => "RESOURCE_ALREADY_EXISTS",
            // A change that would take a model from under a running endpoint: a conflict (409).
            ErrorCode::EndpointLive => "RESOURCE_CONFLICT",
            _ => "INTERNAL_ERROR",
        };
        let message = match e.hint {
            Some(h) => format!("{} ({h})", e.message),
            None => e.message,
        };
        MlError::new(code, message)
    }
}

/// An unknown route under an MLflow prefix.
pub async fn endpoint_not_found(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    MlError::new("ENDPOINT_NOT_FOUND", format!("no MLflow endpoint {method} {}", uri.path())).into_response()
}
