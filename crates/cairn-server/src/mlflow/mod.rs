//! MLflow's REST API over the project the server was started on, so a Python script that uses the
//! `mlflow` client logs into Cairn with `MLFLOW_TRACKING_URI` and `MLFLOW_TRACKING_TOKEN` set. Routes are
//! served under `/api/2.0/mlflow/…` and `/ajax-api/2.0/mlflow/…` (MLflow's UI prefix), the artifact proxy
//! under `/api/2.0/mlflow-artifacts/…`; errors are MLflow's `{error_code, message}` with its statuses.
//! Semantics live in cairn-store (tracking store, model registry); these modules only translate.

mod artifacts;
mod error;
mod experiments;
mod json;
mod logged_models;
mod metrics;
mod registry;
mod request;
mod runs;

use std::sync::Arc;

use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get, post};
use cairn_store::Project;
use serde_json::{Value, json};

use crate::AppState;
pub use error::MlError;
use request::{Fields, MAX_JSON_BODY};

type Router = axum::Router<AppState>;

/// What an operation gets: the project and the time of the request.
pub struct Ctx {
    pub project: Arc<Project>,
    pub now: i64,
}

pub type Reply = Result<Value, MlError>;
type Op = fn(&Ctx, &Fields) -> Reply;

/// The project MLflow's API serves: the one `cairn serve PROJECT` was started on, else the first one
/// opened in this session.
fn open(s: &AppState) -> Result<Ctx, MlError> {
    let pid = s.studio.server_info().initial_project.ok_or_else(|| {
        MlError::new(
            "BAD_REQUEST",
            "no project is open in this Cairn server, so it has no MLflow tracking store: \
             open or create one in Cairn first, or start it with `cairn serve PROJECT`",
        )
    })?;
    Ok(Ctx { project: s.studio.project(&pid)?, now: s.studio.now() })
}

/// Runs an operation off the async threads and answers its JSON or its MLflow error.
async fn call(s: AppState, fields: Fields, op: Op) -> Response {
    let res = tokio::task::spawn_blocking(move || op(&open(&s)?, &fields)).await;
    match res {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => e.into_response(),
        Err(_) => MlError::internal("the operation stopped on an internal error (a bug in Cairn)").into_response(),
    }
}

/// A handler for an operation.
macro_rules! op {
    ($f:path) => {
        |axum::extract::State(s): axum::extract::State<crate::AppState>, f: crate::mlflow::request::Fields| crate::mlflow::call(s, f, $f)
    };
}
pub(crate) use op;

/// Registers `path` under both API prefixes (`/api/2.0/mlflow…` and `/ajax-api/2.0/mlflow…`).
fn both(router: Router, path: &str, handler: MethodRouter<AppState>) -> Router {
    router.route(&format!("/api/2.0/mlflow{path}"), handler.clone()).route(&format!("/ajax-api/2.0/mlflow{path}"), handler)
}

/// What the client asks before choosing features: no workspaces, no multipart transfers unless asked.
async fn server_info() -> Json<Value> {
    Json(json!({
        "store_type": "SqlStore",
        "workspaces_enabled": false,
        "trace_archival_enabled": false,
        "multipart_uploads_enabled": false,
        "multipart_downloads_enabled": false,
        "presigned_upload_run_id_supported": false,
        "presigned_upload_model_id_supported": false,
        "features_enabled": {"gateway": false},
    }))
}

/// Every MLflow route.
pub fn routes() -> Router {
    let ops: Vec<(&str, MethodRouter<AppState>)> = vec![
        ("/experiments/create", post(op!(experiments::create))),
        ("/experiments/get", get(op!(experiments::get))),
        ("/experiments/get-by-name", get(op!(experiments::get_by_name))),
        ("/experiments/search", post(op!(experiments::search)).get(op!(experiments::search))),
        ("/experiments/list", get(op!(experiments::search))),
        ("/experiments/update", post(op!(experiments::update))),
        ("/experiments/delete", post(op!(experiments::delete))),
        ("/experiments/restore", post(op!(experiments::restore))),
        ("/experiments/set-experiment-tag", post(op!(experiments::set_tag))),
        ("/experiments/delete-experiment-tag", post(op!(experiments::delete_tag))),
        ("/runs/create", post(op!(runs::create))),
        ("/runs/get", get(op!(runs::get))),
        ("/runs/update", post(op!(runs::update))),
        ("/runs/delete", post(op!(runs::delete))),
        ("/runs/restore", post(op!(runs::restore))),
        ("/runs/search", post(op!(runs::search)).get(op!(runs::search))),
        ("/runs/log-metric", post(op!(runs::log_metric))),
        ("/runs/log-parameter", post(op!(runs::log_param))),
        ("/runs/set-tag", post(op!(runs::set_tag))),
        ("/runs/delete-tag", post(op!(runs::delete_tag))),
        ("/runs/log-batch", post(op!(runs::log_batch))),
        ("/runs/log-inputs", post(op!(runs::log_inputs))),
        ("/runs/log-model", post(op!(runs::log_model))),
        ("/metrics/get-history", get(op!(metrics::history))),
        ("/metrics/get-history-bulk-interval", get(op!(metrics::bulk_interval))),
        ("/artifacts/list", get(op!(artifacts::list_run))),
    ];
    let mut router = Router::new();
    for (path, handler) in ops.into_iter().chain(registry::routes()).chain(logged_models::routes()) {
        router = both(router, path, handler);
    }
    router
        .merge(artifacts::routes())
        .route("/api/3.0/mlflow/server-info", get(server_info))
        .route("/ajax-api/3.0/mlflow/server-info", get(server_info))
        .route("/health", get(|| async { "OK" }))
        .route("/version", get(|| async { env!("CARGO_PKG_VERSION") }))
        .route("/api/2.0/mlflow/{*rest}", any(error::endpoint_not_found))
        .route("/api/2.0/mlflow-artifacts/{*rest}", any(error::endpoint_not_found))
        .route("/api/3.0/{*rest}", any(error::endpoint_not_found))
        .route("/ajax-api/{*rest}", any(error::endpoint_not_found))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
}

/// Whether a path belongs to the MLflow API (for the guard's answers).
pub fn is_mlflow_path(path: &str) -> bool {
    path.starts_with("/api/2.0/mlflow")
        || path.starts_with("/api/3.0/")
        || path.starts_with("/ajax-api/")
        || path == "/health"
        || path == "/version"
}
