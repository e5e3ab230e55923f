//! The OpenAPI description, generated from the Rust types and route annotations.

use utoipa::OpenApi;

use crate::flows;
use crate::insights;
use crate::jobs;
use crate::routes;
use crate::runs;
use crate::sse;

#[derive(OpenApi)]
#[openapi(
    info(title = "Cairn API", description = "The API the Cairn UI uses, in the desktop app and in the browser. \
        Every request needs `Authorization: Bearer <token>`; errors are `{code, message, hint}` with stable codes."),
    paths(
        routes::info, routes::ready, routes::pick, routes::recent_projects, routes::forget_recent_project, routes::create_project, routes::open_project,
        routes::project, routes::datasets, routes::preview_import, routes::start_import, routes::upload, routes::discard_upload, routes::dataset,
        routes::delete_dataset, routes::rows, routes::dataset_versions, routes::profile, routes::start_profile, routes::tasks, routes::task,
        routes::cancel_task, sse::task_events, sse::project_changes,
        runs::models, runs::train, runs::check_training, runs::create_experiment, runs::search_experiments, runs::search_runs, runs::run_keys,
        runs::run, runs::update_run, runs::delete_run, runs::evaluation, runs::metric, runs::set_tag, runs::delete_tag,
        runs::artifacts, runs::artifact, runs::run_job,
        jobs::jobs, jobs::job, jobs::cancel_job, jobs::rerun_job, jobs::job_log, jobs::job_log_stream, jobs::start_command,
        jobs::trust, jobs::set_trust, jobs::clusters, jobs::add_cluster, jobs::remove_cluster, jobs::test_cluster,
        jobs::test_address,
        insights::start_insights, insights::insights, insights::insights_html,
        flows::flow_ops, flows::list_flows, flows::create_flow, flows::get_flow, flows::save_flow, flows::delete_flow, flows::rename_flow, flows::preview_flow,
        flows::flow_chart, flows::run_flow, flows::export_python,
    ),
    components(schemas(cairn_types::ErrorCode, cairn_types::ApiError))
)]
struct ApiDoc;

/// The OpenAPI document as JSON.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
