//! The operations Cairn offers, as plain functions over the crates below. No HTTP, no Tauri: the server,
//! the desktop shell and the CLI are thin adapters over [`Studio`].

mod automl;
mod automl_remote;
mod automl_worker;
pub mod batch;
mod clusters;
mod command_job;
mod datasets;
mod demo;
mod endpoint_process;
mod endpoints;
mod flows;
mod frames;
mod ground_truth;
mod inference_flow;
mod insights;
mod monitor;
mod projects;
mod registry;
mod remote;
mod remote_worker;
mod report;
mod runs;
mod tasks;
mod training;
mod trust;
mod worker;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cairn_store::RecentProjects;
use cairn_types::{ApiError, ErrorCode, Millis, PickKind, ServerInfo};

pub use automl::RESULT_FILE as AUTOML_RESULT_FILE;
pub use cairn_data::DataFrame;
/// The insights report as a self-contained HTML page.
pub use cairn_insights::render_html as render_insights_html;
pub use cairn_jobs::Resources;
/// The models Cairn trains, their tasks and hyperparameters (no project needed).
pub use cairn_ml::catalog as model_catalog;
pub use command_job::CommandJob;
pub use datasets::ImportObserver;
pub use projects::ProjectWatch;
pub use registry::{ResolvedModel, refuse_if_served};
pub use report::report_file_name;
pub use tasks::{TaskHandle, Tasks};
pub use worker::run_worker;

/// Writes a frame (predictions, say) as CSV, atomically.
pub fn write_csv(df: &mut DataFrame, path: &Path) -> Result<(), ApiError> {
    Ok(cairn_data::write_csv(df, path)?)
}

/// A frame as CSV text.
pub fn csv_string(df: &mut DataFrame) -> Result<String, ApiError> {
    Ok(cairn_data::csv_string(df)?)
}

/// What only a desktop shell can do; the browser build has none.
pub trait Shell: Send + Sync {
    /// Shows a native dialog and blocks until the user picks something or closes it.
    fn pick(&self, kind: PickKind) -> Option<PathBuf>;
}

/// The clock, passed in so logic never calls `now()` itself.
pub type Clock = Arc<dyn Fn() -> Millis + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as Millis).unwrap_or(0))
}

/// Where Cairn keeps per-user settings (recent projects): `$CAIRN_CONFIG_DIR`, else the XDG config folder.
pub fn default_config_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CAIRN_CONFIG_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CONFIG_HOME") {
        return PathBuf::from(d).join("cairn");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    home.join(".config/cairn")
}

/// The studio: open projects, running tasks and cached data, shared by every request.
pub struct Studio {
    recent: RecentProjects,
    projects: Mutex<HashMap<String, Arc<cairn_store::Project>>>,
    tasks: Arc<Tasks>,
    frames: Arc<frames::Frames>,
    shell: Option<Arc<dyn Shell>>,
    initial_project: Mutex<Option<String>>,
    clock: Clock,
    /// The program that runs `worker SPEC` for local jobs (this binary, unless told otherwise).
    worker: PathBuf,
    /// Cluster tokens given this session, by dashboard address (see `set_cluster_token`).
    clusters: Mutex<HashMap<String, Option<String>>>,
    /// The user's saved clusters, with their tokens in the keyring or the encrypted file.
    cluster_profiles: cairn_clusters::Clusters,
    /// Remote jobs that cannot be followed at the moment, and why (shown with the job).
    following: remote::FollowNotes,
    /// Folders whose code the user trusts to run (custom commands).
    trust: trust::TrustStore,
    /// Held while this studio exists: threads following remote jobs stop when it is dropped (as they
    /// would when the app exits), so a new studio on the same project re-attaches alone.
    life: Arc<()>,
    /// The thread watching each endpoint this studio started or found running, by (project, name).
    endpoint_watchers: Mutex<HashMap<(String, String), std::thread::JoinHandle<()>>>,
}

impl Studio {
    pub fn new(config_dir: &Path, clock: Clock) -> Self {
        Self {
            recent: RecentProjects::new(config_dir),
            projects: Mutex::default(),
            tasks: Arc::default(),
            frames: Arc::new(frames::Frames::new(frames::DEFAULT_BUDGET)),
            shell: None,
            initial_project: Mutex::default(),
            clock,
            worker: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("cairn")),
            clusters: Mutex::default(),
            cluster_profiles: cairn_clusters::Clusters::new(config_dir),
            trust: trust::TrustStore::new(config_dir),
            following: Default::default(),
            life: Arc::new(()),
            endpoint_watchers: Mutex::default(),
        }
    }

    /// Sets the program local jobs run as `PROGRAM worker SPEC`.
    pub fn with_worker(mut self, program: PathBuf) -> Self {
        self.worker = program;
        self
    }

    /// Adds the desktop shell's native dialogs.
    pub fn with_shell(mut self, shell: Arc<dyn Shell>) -> Self {
        self.shell = Some(shell);
        self
    }

    pub fn now(&self) -> Millis {
        (self.clock)()
    }

    pub fn tasks(&self) -> &Arc<Tasks> {
        &self.tasks
    }

    pub fn server_info(&self) -> ServerInfo {
        ServerInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            desktop: self.shell.is_some(),
            native_dialogs: self.shell.is_some(),
            initial_project: lock(&self.initial_project).clone(),
        }
    }

    /// Marks the project the server was started on, so the UI opens it first.
    pub fn set_initial_project(&self, id: &str) {
        *lock(&self.initial_project) = Some(id.to_string());
    }

    /// Opens a native dialog through the desktop shell.
    pub fn pick(&self, kind: PickKind) -> Result<Option<String>, ApiError> {
        let shell = self.shell.as_ref().ok_or_else(|| {
            ApiError::new(ErrorCode::NotAvailable, "native file dialogs exist only in the desktop app")
                .with_hint("type the file's path, or upload it")
        })?;
        Ok(shell.pick(kind).map(|p| p.to_string_lossy().into_owned()))
    }
}

/// Locks a mutex, recovering the data if a thread panicked while holding it: the maps guarded here stay
/// consistent between statements, so a poisoned lock must not take the whole server down.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A random id with a prefix, e.g. `ds_1f3a9c0b7e21`.
pub(crate) fn new_id(prefix: &str) -> String {
    let mut b = [0u8; 6];
    if getrandom::fill(&mut b).is_err() {
        // Fall back on time and a counter; ids only need to be unique within a project.
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        return format!("{prefix}_{:012x}", (t as u64) ^ (n << 40));
    }
    format!("{prefix}_{}", b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}
