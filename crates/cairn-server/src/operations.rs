//! Every operation of the API, registered once: the router is built from this table, the OpenAPI
//! description lists the same handlers, and each entry names the error codes its route can answer
//! (the description gives each code's HTTP status from `ErrorCode::http_status`, as the server does).
//! A route added here is served and described; the MLflow routes (`mlflow.rs`) are the only others.

use axum::extract::DefaultBodyLimit;
use cairn_types::ErrorCode::{self, *};
use utoipa::OpenApi;

use crate::{AppState, automl, batch, endpoints, flows, insights, jobs, models, openapi, routes, runs, sse};

/// One route of the table.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// Lower case: `get`, `post`, `put`, `patch`, `delete`.
    pub method: &'static str,
    /// As the router matches it: `{name}` parameters, `{*name}` for the rest of the path.
    pub path: &'static str,
    /// The codes of the errors it can answer beyond the ones every route can give (see `openapi.rs`).
    pub errors: &'static [&'static [ErrorCode]],
}

// Groups of error codes that many routes share.

/// Any route of a project: the id is unknown, or the recent project it names cannot be opened again
/// (moved, damaged, newer), or the blocking work it does failed.
const PROJECT: &[ErrorCode] = &[ProjectNotFound, FileNotFound, NotAProject, ProjectCorrupt, SchemaTooNew, ProjectReadOnly, Io, Internal];
/// Saving anything in the project.
const WRITES: &[ErrorCode] = &[ProjectReadOnly, Io];
/// Reading a file the user named (an import), or a dataset's source again when its stored copy is gone.
const READ_FILE: &[ErrorCode] = &[
    FileNotFound,
    FileUnreadable,
    InvalidInput,
    EmptyFile,
    BadEncoding,
    RaggedRows,
    WrongFormat,
    ParseError,
    TypeMismatch,
    ColumnNotFound,
    Internal,
];
/// A dataset's rows: its stored copy, or its source read again (refused when the source has changed).
const DATASET_ROWS: &[ErrorCode] = &[DatasetNotFound, SourceChanged];
/// Loading a flow file by name.
const FLOW_FILE: &[ErrorCode] = &[FileNotFound, FlowInvalid, SchemaTooNew];
/// Running a flow's steps (a preview, a chart, an export).
const FLOW_STEPS: &[ErrorCode] = &[FlowInvalid, DatasetNotFound, SourceChanged, ColumnNotFound, TypeMismatch, StepInvalid, FileUnreadable];
/// Checking a training spec against its data.
const TRAIN_SPEC: &[ErrorCode] = &[DatasetNotFound, SourceChanged, ColumnNotFound, InvalidInput, CannotTrain];
/// Reaching a Ray cluster: its profile, its token, its address, its version, what it accepts.
const CLUSTER: &[ErrorCode] =
    &[ClusterNotFound, ClusterAuth, ClusterUnreachable, ClusterVersion, NotAvailable, PackageTooLarge, InvalidInput, FileUnreadable];
/// Naming registered model versions to serve (`GROUP@VERSION|ALIAS`): the registry's answers.
const RESOLVE: &[ErrorCode] = &[ModelNotFound, InvalidInput, RunNotFound, NotComputed, FileNotFound, SchemaTooNew, ProjectCorrupt];
/// Cluster profiles as saved in the user's settings.
const PROFILES: &[ErrorCode] = &[FileUnreadable, Io, Internal];

macro_rules! operations {
    ($($method:ident $path:literal => $($handler:ident)::+ [$($errors:expr),* $(,)?] $(with $layer:expr)?;)*) => {
        /// Every route of the API that the OpenAPI description covers (the MLflow routes aside).
        pub const OPERATIONS: &[Operation] = &[
            $(Operation { method: stringify!($method), path: $path, errors: &[$($errors),*] },)*
        ];

        /// The router of the table's routes.
        pub(crate) fn router() -> axum::Router<AppState> {
            axum::Router::new()
                $(.route($path, axum::routing::$method($($handler)::+)$(.layer($layer))?))*
        }

        /// The handlers' own descriptions (parameters, bodies, success answers).
        #[derive(OpenApi)]
        #[openapi(paths($($($handler)::+),*))]
        pub(crate) struct Paths;
    };
}

operations! {
    get "/api/info" => routes::info [];
    get "/api/openapi.json" => openapi::document [];
    post "/api/ready" => routes::ready [];
    post "/api/shell/pick" => routes::pick [&[NotAvailable, Internal]];
    get "/api/projects/recent" => routes::recent_projects [&[Internal]];
    delete "/api/projects/recent/{pid}" => routes::forget_recent_project [&[ProjectNotFound, Io, Internal]];
    post "/api/projects" => routes::create_project [&[AlreadyAProject, ProjectCorrupt, ProjectReadOnly, FileNotFound, InvalidInput, Io, Internal]];
    post "/api/projects/open" => routes::open_project [&[FileNotFound, NotAProject, ProjectCorrupt, SchemaTooNew, ProjectReadOnly, InvalidInput, Io, Internal]];
    get "/api/projects/{pid}" => routes::project [PROJECT];
    get "/api/projects/{pid}/changes" => sse::project_changes [PROJECT];
    get "/api/projects/{pid}/datasets" => routes::datasets [PROJECT];
    post "/api/projects/{pid}/imports/preview" => routes::preview_import [PROJECT, READ_FILE];
    post "/api/projects/{pid}/imports" => routes::start_import [PROJECT, WRITES, &[InvalidInput, DatasetExists]];
    post "/api/projects/{pid}/uploads" => routes::upload [PROJECT, WRITES, &[InvalidInput]] with DefaultBodyLimit::disable();
    delete "/api/projects/{pid}/uploads" => routes::discard_upload [PROJECT, &[InvalidInput]];
    get "/api/projects/{pid}/datasets/{did}" => routes::dataset [PROJECT, &[DatasetNotFound]];
    delete "/api/projects/{pid}/datasets/{did}" => routes::delete_dataset [PROJECT, WRITES, &[DatasetNotFound]];
    get "/api/projects/{pid}/datasets/{did}/rows" => routes::rows [PROJECT, DATASET_ROWS, READ_FILE];
    get "/api/projects/{pid}/datasets/{did}/versions" => routes::dataset_versions [PROJECT, &[DatasetNotFound]];
    get "/api/projects/{pid}/datasets/{did}/profile" => routes::profile [PROJECT, &[DatasetNotFound, NotComputed]];
    post "/api/projects/{pid}/datasets/{did}/profile" => routes::start_profile [PROJECT, &[DatasetNotFound]];
    get "/api/projects/{pid}/datasets/{did}/insights" => insights::insights [PROJECT, &[DatasetNotFound, NotComputed]];
    post "/api/projects/{pid}/datasets/{did}/insights" => insights::start_insights [PROJECT, &[DatasetNotFound]];
    get "/api/projects/{pid}/datasets/{did}/insights/html" => insights::insights_html [PROJECT, &[DatasetNotFound, NotComputed]];
    get "/api/tasks" => routes::tasks [];
    get "/api/tasks/{tid}" => routes::task [&[TaskNotFound]];
    get "/api/tasks/{tid}/events" => sse::task_events [&[TaskNotFound]];
    post "/api/tasks/{tid}/cancel" => routes::cancel_task [&[TaskNotFound]];

    get "/api/models" => runs::models [];
    post "/api/projects/{pid}/train" => runs::train [PROJECT, WRITES, TRAIN_SPEC, READ_FILE, CLUSTER, &[AlreadyExists]];
    post "/api/projects/{pid}/train/check" => runs::check_training [PROJECT, TRAIN_SPEC, READ_FILE];
    post "/api/projects/{pid}/experiments" => runs::create_experiment [PROJECT, WRITES, &[InvalidInput, AlreadyExists]];
    post "/api/projects/{pid}/experiments/search" => runs::search_experiments [PROJECT, &[InvalidFilter, InvalidInput]];
    post "/api/projects/{pid}/runs/search" => runs::search_runs [PROJECT, &[InvalidFilter, InvalidInput, ExperimentNotFound]];
    post "/api/projects/{pid}/runs/keys" => runs::run_keys [PROJECT];
    get "/api/projects/{pid}/runs/{rid}" => runs::run [PROJECT, &[RunNotFound]];
    patch "/api/projects/{pid}/runs/{rid}" => runs::update_run [PROJECT, WRITES, &[RunNotFound, InvalidInput]];
    delete "/api/projects/{pid}/runs/{rid}" => runs::delete_run [PROJECT, WRITES, &[RunNotFound, InvalidInput]];
    get "/api/projects/{pid}/runs/{rid}/evaluation" => runs::evaluation [PROJECT, &[RunNotFound, NotComputed]];
    get "/api/projects/{pid}/runs/{rid}/report.html" => runs::report [PROJECT, &[RunNotFound, NotComputed]];
    get "/api/projects/{pid}/runs/{rid}/metric" => runs::metric [PROJECT, &[RunNotFound]];
    post "/api/projects/{pid}/runs/{rid}/tags" => runs::set_tag [PROJECT, WRITES, &[RunNotFound, InvalidInput]];
    delete "/api/projects/{pid}/runs/{rid}/tags/{key}" => runs::delete_tag [PROJECT, WRITES, &[RunNotFound, InvalidInput]];
    get "/api/projects/{pid}/runs/{rid}/artifacts" => runs::artifacts [PROJECT, &[RunNotFound]];
    get "/api/projects/{pid}/runs/{rid}/artifacts/{*path}" => runs::artifact [PROJECT, &[RunNotFound]];
    get "/api/projects/{pid}/runs/{rid}/job" => runs::run_job [PROJECT, &[JobNotFound]];
    // A search has no cluster to go to yet: this computer only, so none of CLUSTER's codes.
    post "/api/projects/{pid}/automl" => automl::start_automl [PROJECT, WRITES, TRAIN_SPEC, READ_FILE, &[AlreadyExists]];
    get "/api/projects/{pid}/runs/{rid}/automl" => automl::automl_result [PROJECT, &[RunNotFound]];

    // Batch predictions: a model over a file or a dataset in chunks, as a job (follow, cancel and re-run it under /jobs).
    post "/api/projects/{pid}/batch-predictions" => batch::start_batch [PROJECT, WRITES, READ_FILE, CLUSTER, &[ModelNotFound, RunNotFound, DatasetNotFound, SourceChanged, NotComputed, AlreadyExists]];
    get "/api/projects/{pid}/batch-predictions/{jid}" => batch::batch_status [PROJECT, &[JobNotFound]];

    // The model registry: a run's model registered as a version of a group, approved, aliased.
    get "/api/projects/{pid}/models" => models::groups [PROJECT];
    post "/api/projects/{pid}/models" => models::register [PROJECT, WRITES, &[RunNotFound, InvalidInput, NotComputed, AlreadyExists]];
    get "/api/projects/{pid}/models/{group}" => models::group [PROJECT, &[ModelNotFound, InvalidInput]];
    delete "/api/projects/{pid}/models/{group}" => models::delete_group [PROJECT, WRITES, &[ModelNotFound, InvalidInput, EndpointLive]];
    get "/api/projects/{pid}/models/{group}/versions/{version}" => models::card [PROJECT, &[ModelNotFound, InvalidInput, RunNotFound]];
    delete "/api/projects/{pid}/models/{group}/versions/{version}" => models::delete_version [PROJECT, WRITES, &[ModelNotFound, InvalidInput, EndpointLive]];
    post "/api/projects/{pid}/models/{group}/versions/{version}/approval" => models::approval [PROJECT, WRITES, &[ModelNotFound, InvalidInput, InvalidTransition]];
    put "/api/projects/{pid}/models/{group}/versions/{version}/intended-use" => models::intended_use [PROJECT, WRITES, &[ModelNotFound, InvalidInput]];
    put "/api/projects/{pid}/models/{group}/aliases/{alias}" => models::set_alias [PROJECT, WRITES, &[ModelNotFound, InvalidInput]];
    delete "/api/projects/{pid}/models/{group}/aliases/{alias}" => models::remove_alias [PROJECT, WRITES, &[ModelNotFound, InvalidInput]];
    get "/api/projects/{pid}/models/{group}/history" => models::history [PROJECT, &[ModelNotFound, InvalidInput]];
    get "/api/projects/{pid}/models/{group}/compare" => models::compare [PROJECT, &[ModelNotFound, InvalidInput, RunNotFound]];

    get "/api/projects/{pid}/endpoints" => endpoints::endpoints [PROJECT];
    post "/api/projects/{pid}/endpoints" => endpoints::deploy [PROJECT, WRITES, RESOLVE, &[AlreadyExists, EndpointDown]];
    get "/api/projects/{pid}/endpoints/{name}" => endpoints::endpoint [PROJECT, &[EndpointNotFound]];
    put "/api/projects/{pid}/endpoints/{name}" => endpoints::update [PROJECT, WRITES, RESOLVE, &[EndpointNotFound, EndpointDown]];
    delete "/api/projects/{pid}/endpoints/{name}" => endpoints::delete [PROJECT, WRITES, &[EndpointNotFound]];
    post "/api/projects/{pid}/endpoints/{name}/stop" => endpoints::stop [PROJECT, WRITES, &[EndpointNotFound]];
    post "/api/projects/{pid}/endpoints/{name}/invoke" => endpoints::invoke [PROJECT, &[EndpointNotFound, EndpointDown]];
    get "/api/projects/{pid}/endpoints/{name}/stats" => endpoints::stats [PROJECT, &[EndpointNotFound, EndpointDown]];
    get "/api/projects/{pid}/endpoints/{name}/log" => endpoints::log [PROJECT, &[EndpointNotFound]];
    post "/api/projects/{pid}/endpoints/{name}/ground-truth" => endpoints::ground_truth [PROJECT, WRITES, &[EndpointNotFound, ParseError, EmptyFile, PayloadTooLarge]];

    get "/api/projects/{pid}/jobs" => jobs::jobs [PROJECT];
    get "/api/projects/{pid}/jobs/{jid}" => jobs::job [PROJECT, &[JobNotFound]];
    post "/api/projects/{pid}/jobs/{jid}/cancel" => jobs::cancel_job [PROJECT, WRITES, CLUSTER, &[JobNotFound]];
    post "/api/projects/{pid}/jobs/{jid}/rerun" => jobs::rerun_job [PROJECT, WRITES, TRAIN_SPEC, READ_FILE, CLUSTER, &[JobNotFound, NotTrusted, AlreadyExists]];
    get "/api/projects/{pid}/jobs/{jid}/log" => jobs::job_log [PROJECT, &[JobNotFound]];
    get "/api/projects/{pid}/jobs/{jid}/log/stream" => jobs::job_log_stream [PROJECT, &[JobNotFound]];
    post "/api/projects/{pid}/commands" => jobs::start_command [PROJECT, WRITES, CLUSTER, &[InvalidInput, FileNotFound, NotTrusted, AlreadyExists]];
    get "/api/projects/{pid}/trust" => jobs::trust [PROJECT];
    put "/api/projects/{pid}/trust" => jobs::set_trust [PROJECT, &[FileNotFound]];
    get "/api/clusters" => jobs::clusters [PROFILES, &[ClusterAuth]];
    post "/api/clusters" => jobs::add_cluster [PROFILES, &[InvalidInput, ClusterAuth]];
    post "/api/clusters/test" => jobs::test_address [CLUSTER, &[Internal]];
    delete "/api/clusters/{name}" => jobs::remove_cluster [PROFILES, &[ClusterNotFound, InvalidInput]];
    post "/api/clusters/{name}/test" => jobs::test_cluster [PROFILES, CLUSTER];

    get "/api/flow-ops" => flows::flow_ops [];
    get "/api/projects/{pid}/flows" => flows::list_flows [PROJECT];
    post "/api/projects/{pid}/flows" => flows::create_flow [PROJECT, WRITES, &[DatasetNotFound, FlowInvalid, InvalidInput, AlreadyExists]];
    post "/api/projects/{pid}/flow-preview" => flows::preview_flow [PROJECT, FLOW_STEPS, READ_FILE];
    post "/api/projects/{pid}/flow-chart" => flows::flow_chart [PROJECT, FLOW_STEPS, READ_FILE, &[InvalidInput]];
    get "/api/projects/{pid}/flows/{name}" => flows::get_flow [PROJECT, FLOW_FILE, &[InvalidInput]];
    put "/api/projects/{pid}/flows/{name}" => flows::save_flow [PROJECT, WRITES, FLOW_FILE, &[InvalidInput]];
    delete "/api/projects/{pid}/flows/{name}" => flows::delete_flow [PROJECT, WRITES, FLOW_FILE, &[InvalidInput]];
    post "/api/projects/{pid}/flows/{name}/run" => flows::run_flow [PROJECT, WRITES, FLOW_FILE, &[InvalidInput]];
    post "/api/projects/{pid}/flows/{name}/rename" => flows::rename_flow [PROJECT, WRITES, FLOW_FILE, &[InvalidInput, AlreadyExists]];
    get "/api/projects/{pid}/flows/{name}/python" => flows::export_python [PROJECT, WRITES, FLOW_FILE, FLOW_STEPS, READ_FILE];
}
