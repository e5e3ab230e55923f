//! `cairn worker SPEC`: one job in its own process. It logs into the run as it goes (metrics in batches,
//! lines on stdout, which is the job's log file), saves the model and its evaluation, and records how it
//! ended. A watchdog ends the run at once when the user cancels (KILLED) or when the app that started it
//! is gone (FAILED, with the reason): closing Cairn never leaves a training running unseen.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cairn_jobs::{CANCEL_MARKER, JobKind, JobSpec};
use cairn_store::{Project, TrackingStore};
use cairn_types::{JobState, Metric, Param, RunStatus, Tag, TrainSpec};

/// Metric points are sent in batches: at most this many, at least this often.
const BATCH_POINTS: usize = 500;
const BATCH_EVERY: Duration = Duration::from_millis(250);
const WATCH_EVERY: Duration = Duration::from_millis(200);

pub const MODEL_FILE: &str = "model.cairn";
pub const EVALUATION_FILE: &str = "evaluation.json";

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The folder behind a run's artifact URI: `file://…` (percent-decoded) or MLflow's `mlflow-artifacts:/…`.
pub fn artifact_dir(project: &Project, uri: &str) -> PathBuf {
    project.artifact_dir(uri)
}

/// Records the job's ending once, whoever gets there first (the training or the watchdog).
pub(crate) struct Ending<'a> {
    pub project: &'a Project,
    job_id: &'a str,
    pub run_id: &'a str,
    done: Mutex<bool>,
    /// Nested runs still running (an AutoML search's trials): they end with the job.
    pub children: Mutex<Vec<String>>,
    /// Called once when the job ends, however it ends (a search's trials on a cluster are stopped).
    pub on_end: Mutex<Vec<Box<dyn FnOnce() + Send>>>,
}

impl Ending<'_> {
    pub fn record(&self, state: JobState, reason: Option<&str>) {
        let code = match state {
            JobState::Succeeded => 0,
            JobState::Cancelled => 130,
            _ => 1,
        };
        self.record_code(state, code, reason);
    }

    fn record_code(&self, state: JobState, code: i32, reason: Option<&str>) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        if *done {
            return;
        }
        *done = true;
        for f in std::mem::take(&mut *self.on_end.lock().unwrap_or_else(|e| e.into_inner())) {
            f();
        }
        let now = now_ms();
        let status = match state {
            JobState::Succeeded => RunStatus::Finished,
            JobState::Cancelled => RunStatus::Killed,
            _ => RunStatus::Failed,
        };
        let children = std::mem::take(&mut *self.children.lock().unwrap_or_else(|e| e.into_inner()));
        for child in children {
            if let Some(r) = reason {
                let _ = self.project.set_tag(&child, "cairn.error", r);
            }
            let _ = self.project.update_run(&child, Some(status), Some(now), None);
        }
        if let Some(r) = reason {
            let _ = self.project.set_tag(self.run_id, "cairn.error", r);
        }
        // A search's leaderboard says how it ended, even when the watchdog ends it.
        crate::automl_worker::close_board(self.project, self.run_id, state);
        if let Err(e) = self.project.update_run(self.run_id, Some(status), Some(now), None) {
            eprintln!("error: cannot record the run's end: {e}");
        }
        if let Err(e) = self.project.job_ended(self.job_id, state, Some(code), reason, now) {
            eprintln!("error: cannot record the job's end: {e}");
        }
    }
}

pub(crate) fn parent_gone(parent: Option<u32>) -> bool {
    #[cfg(unix)]
    {
        parent.is_some_and(|p| std::os::unix::process::parent_id() != p)
    }
    #[cfg(not(unix))]
    {
        let _ = parent;
        false
    }
}

/// Sends metrics to the run in batches and tells the training when to stop.
struct RunLogger<'a> {
    project: &'a Project,
    run_id: &'a str,
    cancel: PathBuf,
    parent: Option<u32>,
    pending: Mutex<(Vec<Metric>, Instant)>,
}

impl RunLogger<'_> {
    fn flush(&self) {
        let batch = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            p.1 = Instant::now();
            std::mem::take(&mut p.0)
        };
        for chunk in batch.chunks(1000) {
            if let Err(e) = self.project.log_batch(self.run_id, chunk, &[], &[]) {
                eprintln!("warning: cannot log metrics: {e}");
            }
        }
    }
}

impl cairn_ml::Reporter for RunLogger<'_> {
    fn metric(&self, key: &str, value: f64, step: i64) {
        let due = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            p.0.push(Metric { key: key.into(), value, timestamp: now_ms(), step });
            p.0.len() >= BATCH_POINTS || p.1.elapsed() >= BATCH_EVERY
        };
        if due {
            self.flush();
        }
    }
    fn log(&self, line: &str) {
        println!("{line}");
    }
    fn progress(&self, phase: &str, done: u64, total: u64) {
        println!("[{phase}] {done}/{total}");
    }
    fn cancelled(&self) -> bool {
        self.cancel.exists() || parent_gone(self.parent)
    }
}

/// Runs the job described by `spec_path`; returns the process exit code.
pub fn run_worker(spec_path: &Path) -> i32 {
    let spec = match JobSpec::read(spec_path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    // On a cluster: no project, the data came with the job, the outcome goes home in the log.
    if let JobKind::Train { spec: train, data: Some(data) } = &spec.kind {
        let dir = spec_path.parent().unwrap_or(Path::new(".")).to_path_buf();
        return crate::remote_worker::run_remote(&spec, train, data, &dir);
    }
    if let JobKind::AutomlTrial { spec: search, trial, data } = &spec.kind {
        return crate::automl_remote::run_trial_here(&spec, search, trial, data);
    }
    if let JobKind::Batch { spec: batch, packed: Some(packed) } = &spec.kind {
        return crate::batch::run_remote(&spec, batch, packed);
    }
    let project = match Project::open(&spec.project) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot open the project: {e}");
            return 2;
        }
    };
    let dir = spec_path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let ending = Ending {
        project: &project,
        job_id: &spec.job_id,
        run_id: &spec.run_id,
        done: Mutex::new(false),
        children: Mutex::new(Vec::new()),
        on_end: Mutex::new(Vec::new()),
    };
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| watchdog(&ending, &dir, spec.parent_pid, &finished));
        let code = match &spec.kind {
            JobKind::Train { spec: train, .. } => run_training(&project, &spec, train, &dir, &ending),
            JobKind::Automl { spec: search, cluster } => {
                crate::automl_worker::run(&project, &spec, search, cluster.as_deref(), &dir, &ending)
            }
            JobKind::AutomlTrial { .. } => {
                eprintln!("error: an AutoML trial runs on a cluster, with its data");
                2
            }
            JobKind::Command { dir, command, env, .. } => run_command(&spec, dir, command, env, &ending),
            JobKind::Batch { spec: batch, .. } => crate::batch::run_local(&project, &spec, batch, &dir, &ending),
        };
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        code
    })
}

/// Ends the run as soon as the user cancels or the app that started it is gone, even in the middle of
/// a long fit that checks for cancellation only between steps.
fn watchdog(ending: &Ending<'_>, dir: &Path, parent: Option<u32>, finished: &std::sync::atomic::AtomicBool) {
    while !finished.load(std::sync::atomic::Ordering::Relaxed) {
        if dir.join(CANCEL_MARKER).exists() {
            println!("cancelled by the user");
            ending.record(JobState::Cancelled, Some("cancelled by the user"));
            std::process::exit(130);
        }
        if parent_gone(parent) {
            println!("Cairn was closed while this run trained; stopping");
            ending.record(JobState::Failed, Some("Cairn was closed while this run trained"));
            std::process::exit(1);
        }
        std::thread::sleep(WATCH_EVERY);
    }
}

/// The user's command, in their folder, through the shell; its output is the job's log (this process's
/// stdout). It is in this worker's process group, so a cancel stops it too. The run's ids are in its
/// environment, so an `mlflow` script can log into this very run.
fn run_command(job: &JobSpec, dir: &Path, command: &str, env: &std::collections::BTreeMap<String, String>, ending: &Ending<'_>) -> i32 {
    use std::io::Write;
    println!("$ {command}");
    println!("(in {})", dir.display());
    let _ = std::io::stdout().flush();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .envs(env)
        .env("MLFLOW_RUN_ID", &job.run_id)
        .env("MLFLOW_EXPERIMENT_ID", &job.experiment_id)
        .env("CAIRN_RUN_ID", &job.run_id)
        .stdin(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {
            println!("the command succeeded");
            ending.record_code(JobState::Succeeded, 0, None);
            0
        }
        Ok(s) => {
            let code = s.code().unwrap_or(1);
            let reason = match s.code() {
                Some(c) => format!("the command exited with code {c}"),
                None => "the command was killed by a signal".to_string(),
            };
            println!("{reason}");
            ending.record_code(JobState::Failed, code, Some(&reason));
            code
        }
        Err(e) => {
            let reason = format!("cannot start the shell for the command: {e}");
            println!("error: {reason}");
            ending.record_code(JobState::Failed, 127, Some(&reason));
            127
        }
    }
}

fn run_training(project: &Project, job: &JobSpec, spec: &TrainSpec, dir: &Path, ending: &Ending<'_>) -> i32 {
    let fail = |reason: String| {
        println!("error: {reason}");
        ending.record(JobState::Failed, Some(&reason));
        1
    };
    let ds = match project.get_dataset(&spec.dataset) {
        Ok(d) => d,
        Err(e) => return fail(e.to_string()),
    };
    println!("training {} on {} ({} rows) to predict {}", spec.model.as_str(), ds.name, ds.rows, spec.target);
    let frame = match crate::datasets::load_frame(project, &ds) {
        Ok(f) => f,
        Err(e) => return fail(e.message),
    };
    let logger = RunLogger {
        project,
        run_id: &job.run_id,
        cancel: dir.join(CANCEL_MARKER),
        parent: job.parent_pid,
        pending: Mutex::new((Vec::new(), Instant::now())),
    };
    let result = cairn_ml::train(&frame, spec, &logger);
    logger.flush();
    let trained = match result {
        Ok(t) => t,
        Err(e) => {
            let err: cairn_types::ApiError = e.into();
            if err.code == cairn_types::ErrorCode::Cancelled {
                // The fit stops for either reason the reporter gives; say which (the watchdog may not
                // have looked yet).
                if parent_gone(job.parent_pid) && !dir.join(CANCEL_MARKER).exists() {
                    println!("Cairn was closed while this run trained; stopping");
                    ending.record(JobState::Failed, Some("Cairn was closed while this run trained"));
                    return 1;
                }
                ending.record(JobState::Cancelled, Some("cancelled by the user"));
                return 130;
            }
            return fail(err.message);
        }
    };
    match save(project, &job.run_id, &trained) {
        Ok(()) => {
            println!("finished: {}", summary(&trained.evaluation.metrics));
            ending.record(JobState::Succeeded, None);
            0
        }
        Err(e) => fail(format!("the model trained but could not be saved: {e}")),
    }
}

pub(crate) fn summary(metrics: &std::collections::BTreeMap<String, f64>) -> String {
    metrics.iter().map(|(k, v)| format!("{k} {v:.4}")).collect::<Vec<_>>().join(", ")
}

/// Writes the model and its evaluation into the run's artifacts and logs the final metrics and params.
fn save(project: &Project, run_id: &str, trained: &cairn_ml::Trained) -> Result<(), String> {
    let run = project.get_run(run_id).map_err(|e| e.to_string())?;
    let dir = artifact_dir(project, &run.info.artifact_uri);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    trained.model.save(&dir.join(MODEL_FILE)).map_err(|e| e.to_string())?;
    let eval = serde_json::to_vec_pretty(&trained.evaluation).map_err(|e| e.to_string())?;
    cairn_store::atomic_write(&dir.join(EVALUATION_FILE), &eval).map_err(|e| e.to_string())?;
    let now = now_ms();
    let metrics: Vec<Metric> =
        trained.evaluation.metrics.iter().map(|(k, v)| Metric { key: k.clone(), value: *v, timestamp: now, step: 0 }).collect();
    // Params are write-once: log only those the run does not have yet.
    let known: std::collections::HashSet<&str> = run.data.params.iter().map(|p| p.key.as_str()).collect();
    let params: Vec<Param> = trained
        .params
        .iter()
        .filter(|(k, _)| !known.contains(k.as_str()))
        .map(|(k, v)| Param { key: k.clone(), value: v.clone() })
        .collect();
    let tags = vec![Tag { key: "cairn.model.file".into(), value: MODEL_FILE.into() }];
    for chunk in metrics.chunks(1000) {
        project.log_batch(run_id, chunk, &[], &[]).map_err(|e| e.to_string())?;
    }
    for chunk in params.chunks(100) {
        project.log_batch(run_id, &[], chunk, &[]).map_err(|e| e.to_string())?;
    }
    project.log_batch(run_id, &[], &[], &tags).map_err(|e| e.to_string())?;
    Ok(())
}
