//! `cairn`: the command line. Arguments (clap) → one cairn-api operation → output. Nothing here knows
//! polars or SQL.

mod args;
mod automl;
mod batch;
mod cluster;
mod endpoint;
mod flow;
mod insights;
mod job;
mod model;
mod monitor;
mod output;
mod report;
mod train;

use std::path::Path;
use std::sync::Arc;

use cairn_api::{ImportObserver, Studio, default_config_dir, system_clock};
use cairn_types::{ApiError, ErrorCode, ImportOptions, ImportRequest, TypeOverride};
use clap::Parser;

use args::{Cli, Command, ImportArgs};

// polars allocates and frees at a high rate from many threads; mimalloc keeps flows and imports as fast
// as the Python wheels (which bring their own allocator) — measured in examples/flow_bench.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    cairn_server::mark_process_start();
    let cli = Cli::parse();
    if let Command::Worker { spec } = &cli.command {
        // A job's child process: no logging set-up, no studio; its stdout is the job's log.
        std::process::exit(cairn_api::run_worker(spec));
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("CAIRN_LOG").unwrap_or_else(|_| "cairn=info,warn".into()))
        .with_writer(std::io::stderr)
        .with_target(false)
        // Colours only on a terminal: an endpoint's stderr is its log file, shown in the studio.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Command::EndpointServe { config } = &cli.command {
        // Its own process, no studio: the model server of one endpoint, logging to stderr.
        if let Err(e) = cairn_serve::run(config) {
            output::print_error(&e);
            std::process::exit(1);
        }
        return;
    }
    let studio = Arc::new(Studio::new(&default_config_dir(), system_clock()));
    let result = run(cli.command, studio.clone());
    // Datasets' stored copies are written in the background; let them land before exiting.
    studio.flush();
    if let Err(e) = result {
        output::print_error(&e);
        std::process::exit(1);
    }
}

/// A path as the user gave it, made absolute against the current folder (the server resolves relative
/// paths against the project instead).
fn absolute(p: &Path) -> String {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).to_string_lossy().into_owned()
}

fn open(studio: &Studio, project: &Path) -> Result<String, ApiError> {
    studio.open_project(&absolute(project)).map(|p| p.id).map_err(|mut e| {
        if e.code == ErrorCode::NotAProject {
            e.hint = Some(format!("make it a project first: cairn new {}", project.display()));
        }
        e
    })
}

fn run(command: Command, studio: Arc<Studio>) -> Result<(), ApiError> {
    match command {
        Command::Serve { project, port, token } => serve(studio, project.as_deref(), port, token),
        Command::New { path, name } => {
            let p = studio.create_project(&absolute(&path), name.as_deref())?;
            say!("Created project {:?} in {}", p.name, p.path);
            Ok(())
        }
        Command::Demo { path } => {
            let p = studio.create_demo(&absolute(&path))?;
            say!("Demo project ready in {}", p.path);
            Ok(())
        }
        Command::Import(args) => import(&studio, args),
        Command::Datasets { project } => {
            let pid = open(&studio, &project)?;
            output::datasets(&studio.list_datasets(&pid)?);
            Ok(())
        }
        Command::Profile { project, dataset, json } => {
            let pid = open(&studio, &project)?;
            let profile = studio.profile_now(&pid, &dataset, &ImportObserver { task: None, on_progress: None })?;
            if json {
                say!("{}", serde_json::to_string_pretty(&profile).unwrap_or_default());
            } else {
                output::profile(&profile);
            }
            Ok(())
        }
        Command::Automl(a) => {
            let pid = open(&studio, &a.project)?;
            automl::run(&studio, &pid, &a)
        }
        Command::Train(a) => {
            let pid = open(&studio, &a.project)?;
            train::train(&studio, &pid, &a)
        }
        Command::Job(job::JobCommand::Run(a)) => {
            let pid = open(&studio, &a.project)?;
            let project = a.project.clone();
            job::run(&studio, &pid, &project, a)
        }
        Command::Cluster(cmd) => cluster::run(&studio, cmd),
        Command::Trust { folder, revoke } => cluster::trust(&studio, &folder, revoke),
        Command::Runs { project, experiment, filter, order_by, max, json } => {
            let pid = open(&studio, &project)?;
            train::runs(&studio, &pid, experiment.as_deref(), &filter, order_by, max, json)
        }
        Command::Predict { project, run, file, out, explain } => {
            let pid = open(&studio, &project)?;
            let run_id = resolve_run(&studio, &pid, &run)?;
            let mut df = studio.predict_explained(&pid, &run_id, &std::path::PathBuf::from(absolute(&file)), explain)?;
            match out {
                Some(path) => {
                    cairn_api::write_csv(&mut df, &path)?;
                    say!("wrote {} predictions to {}", df.height(), path.display());
                }
                None => print_csv(&mut df)?,
            }
            Ok(())
        }
        Command::BatchPredict(a) => {
            let pid = open(&studio, &a.project)?;
            batch::run(&studio, &pid, a)
        }
        Command::Report(a) => {
            let pid = open(&studio, &a.project)?;
            let run_id = resolve_run(&studio, &pid, &a.run)?;
            report::run(&studio, &pid, &run_id, &a)
        }
        Command::Insights(a) => {
            let pid = open(&studio, &a.project)?;
            insights::run(&studio, &pid, &a)
        }
        Command::Models => {
            train::models();
            Ok(())
        }
        Command::Model(cmd) => {
            let pid = open(&studio, cmd.project())?;
            model::run(&studio, &pid, cmd)
        }
        Command::Endpoint(cmd) => {
            let pid = open(&studio, cmd.project())?;
            endpoint::run(&studio, &pid, cmd)
        }
        Command::Monitor(cmd) => {
            let pid = open(&studio, cmd.project())?;
            monitor::run(&studio, &pid, cmd)
        }
        Command::Flow(cmd) => flow::run(cmd),
        Command::Worker { .. } | Command::EndpointServe { .. } => Ok(()),
        Command::Openapi => {
            say!("{}", cairn_server::openapi_json());
            Ok(())
        }
    }
}

fn import(studio: &Studio, a: ImportArgs) -> Result<(), ApiError> {
    let pid = open(studio, &a.project)?;
    let mut overrides = Vec::new();
    for t in &a.types {
        let (column, ty) = t.rsplit_once('=').ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidInput, format!("--type {t:?} must look like COLUMN=TYPE"))
                .with_hint("for example --type zip=string")
        })?;
        let dtype = cairn_types::DType::parse(ty).ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidInput, format!("--type {t:?}: unknown type {ty:?}"))
                .with_hint("types are int, float, bool, string, date, datetime")
        })?;
        overrides.push(TypeOverride { column: column.to_string(), dtype });
    }
    let options = ImportOptions {
        name: a.name,
        format: a.format.map(Into::into),
        delimiter: a.delimiter,
        has_header: if a.no_header { Some(false) } else { None },
        quote: a.quote,
        null_values: nulls(a.null),
        encoding: a.encoding.map(Into::into),
        overrides,
        infer_rows: None,
    };
    let req = ImportRequest { path: absolute(&a.file), options };
    let bar = output::ProgressLine::new();
    let report = |phase: &str, done: u64, total: u64| bar.update(phase, done, total);
    let obs = ImportObserver { task: None, on_progress: Some(&report) };
    let ds = studio.import_now(&pid, &req, &obs);
    bar.clear();
    let ds = ds.map_err(|mut e| {
        if let Some(h) = flag_hint(e.code) {
            e.hint = Some(h.into());
        }
        e
    })?;
    say!("Imported {:?}: {} rows × {} columns in {} ms (digest {})", ds.name, ds.rows, ds.columns.len(), ds.import_ms, &ds.digest[..16]);
    Ok(())
}

/// `--null` markers, with the blank one (empty cells and cells of only spaces) kept: naming `?` must
/// not make a numeric column with blank cells text.
fn nulls(given: Vec<String>) -> Option<Vec<String>> {
    if given.is_empty() {
        return None;
    }
    let mut v = given;
    if !v.iter().any(String::is_empty) {
        v.insert(0, String::new());
    }
    Some(v)
}

/// The import errors' hints in the command line's words: the API's name the import dialog's controls.
fn flag_hint(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        ErrorCode::DatasetExists => "choose another name with --name NAME",
        ErrorCode::TypeMismatch => {
            "if those values stand for missing values, name each with --null VALUE (it replaces the default markers NA, N/A, NULL, null, NaN, ?: repeat it for each you need); otherwise read the column as text with --type COLUMN=string"
        }
        ErrorCode::BadEncoding => "if the file came from Excel or an older Windows program, add --encoding latin1",
        ErrorCode::WrongFormat => "give the file's real format with --format csv|tsv|parquet|json|ndjson, or convert it",
        ErrorCode::RaggedRows => {
            "check the delimiter (--delimiter ';' or --delimiter tab) and the quoting on that line: a field containing the delimiter must be quoted"
        }
        ErrorCode::ParseError => "fix the file at that position, or try --quote '' (no quote character) or another --format",
        _ => return None,
    })
}

fn serve(studio: Arc<Studio>, project: Option<&Path>, port: u16, token: Option<String>) -> Result<(), ApiError> {
    if let Some(p) = project {
        let id = open(&studio, p)?;
        studio.set_initial_project(&id);
    }
    let token = token.filter(|t| !t.is_empty()).unwrap_or_else(cairn_server::random_token);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async move {
        let bound = cairn_server::bind(port).await.map_err(|e| {
            ApiError::new(ErrorCode::Io, format!("cannot listen on 127.0.0.1:{port}: {e}"))
                .with_hint("choose another port with --port, or 0 for any free port")
        })?;
        say!("Cairn is serving on {}", bound.addr);
        say!("  open: {}", bound.url(&token));
        if project.is_some() {
            // The MLflow API serves the project given here; Python scripts log into it with these.
            say!("  MLflow clients:");
            say!("    export MLFLOW_TRACKING_URI=http://127.0.0.1:{}", bound.addr.port());
            say!("    export MLFLOW_TRACKING_TOKEN={token}");
        }
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        bound.serve(studio, &token, shutdown).await.map_err(|e| ApiError::new(ErrorCode::Io, format!("the server stopped: {e}")))
    })
}

/// A run id, or a unique prefix of one, as people copy them from `cairn runs`.
fn resolve_run(studio: &Studio, pid: &str, run: &str) -> Result<String, ApiError> {
    if let Ok(r) = studio.run(pid, run) {
        return Ok(r.info.run_id);
    }
    let all = studio.experiments(pid, &Default::default())?.experiments.into_iter().map(|e| e.experiment_id).collect();
    let q = cairn_types::SearchRuns { experiment_ids: all, max_results: 50_000, ..Default::default() };
    let matches: Vec<String> = studio
        .search_runs(pid, &q)?
        .runs
        .into_iter()
        .filter(|r| r.info.run_id.starts_with(run) || r.info.run_name == run)
        .map(|r| r.info.run_id)
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(ApiError::new(ErrorCode::RunNotFound, format!("no run `{run}` in this project"))
            .with_hint("list runs with `cairn runs PROJECT`")),
        _ => {
            Err(ApiError::new(ErrorCode::InvalidInput, format!("`{run}` matches {} runs", matches.len()))
                .with_hint("give more of the run id"))
        }
    }
}

fn print_csv(df: &mut cairn_api::DataFrame) -> Result<(), ApiError> {
    let text = cairn_api::csv_string(df)?;
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(ApiError::new(ErrorCode::Io, format!("cannot write the predictions: {e}")));
    }
    Ok(())
}
