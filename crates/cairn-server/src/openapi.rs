//! The OpenAPI description, generated from the Rust types and route annotations.

use utoipa::OpenApi;

use crate::routes;
use crate::sse;

#[derive(OpenApi)]
#[openapi(
    info(title = "Cairn API", description = "The API the Cairn UI uses, in the desktop app and in the browser. \
        Every request needs `Authorization: Bearer <token>`; errors are `{code, message, hint}` with stable codes."),
    paths(
        routes::info, routes::ready, routes::pick, routes::recent_projects, routes::create_project, routes::open_project,
        routes::project, routes::datasets, routes::preview_import, routes::start_import, routes::upload, routes::dataset,
        routes::delete_dataset, routes::rows, routes::profile, routes::start_profile, routes::tasks, routes::task,
        routes::cancel_task, sse::task_events,
    ),
    components(schemas(cairn_types::ErrorCode, cairn_types::ApiError))
)]
struct ApiDoc;

/// The OpenAPI document as JSON.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
