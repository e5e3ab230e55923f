//! Batch predictions as jobs: a registered model version (or a run's model) over a file or a dataset, in
//! chunks, here or on a Ray cluster. Each is a job with a run of its own in the experiment "Batch
//! predictions" (its params say what and where; its metrics how many rows; `batch.json` among its files
//! is the result), listed, followed, cancelled and re-run like a training. The work folder beside the
//! output keeps the finished chunks, so re-running the job (or asking to resume) skips them.
//!
//! On a cluster the model and the input travel in the job's package; the output is written where the
//! cluster can write it: `out` must be an absolute path that the cluster's machines see (this computer
//! when the cluster runs here, or a shared file system).

mod csv;
mod run;
mod score;
mod source;
mod text;
mod work;

use std::path::{Path, PathBuf};

use cairn_jobs::result::{Point, RemoteOutcome, encode};
use cairn_jobs::{BatchPacked, CANCEL_MARKER, Executor, JobKind, JobSpec, SPEC_VERSION};
use cairn_store::{Project, TrackingStore};
use cairn_types::{
    ApiError, BatchFormat, BatchPredictRequest, BatchResult, BatchSpec, BatchStatus, ErrorCode, JobState, Metric, Param, Progress, Tag,
    TrainStarted,
};

pub use run::{BatchOptions, Cancelled, DEFAULT_CHUNK_ROWS, OnProgress, batch_predict, progress_of};

use crate::training::{finish_failed, job_record, job_record_for, user};
use crate::worker::{Ending, MODEL_FILE, artifact_dir, now_ms, parent_gone};
use crate::{Studio, new_id};

/// The experiment batch predictions are recorded in unless told otherwise.
pub const EXPERIMENT: &str = "Batch predictions";
/// The result, among the run's files.
pub const RESULT_FILE: &str = "batch.json";

impl Studio {
    /// Checks the request (the model, the input and its columns, the output), records a run and starts
    /// the job here or on the cluster `req.on`. Everything that can be refused is refused before a run
    /// exists.
    pub fn start_batch_prediction(&self, pid: &str, req: BatchPredictRequest) -> Result<TrainStarted, ApiError> {
        let project = self.project(pid)?;
        let on = req.on.as_deref().map(str::trim).filter(|o| !o.is_empty() && *o != "local");
        let model_path = self.batch_model(pid, &req.model)?;
        let (input, dataset) = match (req.file.as_deref().map(str::trim).filter(|f| !f.is_empty()), req.dataset.as_deref()) {
            (Some(f), None) => (under(project.root(), f), None),
            (None, Some(d)) => {
                let ds = project.get_dataset(d)?;
                let path = crate::datasets::data_path(&project, &ds.version)?;
                if !path.exists() {
                    // Rebuilt from its source (checked against its digest), and written before the job reads it.
                    self.frame(&project, &ds)?;
                    self.flush();
                }
                (path, Some(ds.name))
            }
            _ => {
                return Err(ApiError::new(ErrorCode::InvalidInput, "give either a file or a dataset to predict over")
                    .with_hint("e.g. {\"file\": \"/data/new.csv\"} or {\"dataset\": \"customers\"}"));
            }
        };
        if !input.is_file() {
            return Err(ApiError::new(ErrorCode::FileNotFound, format!("no file {}", input.display())));
        }
        let out = req.out.trim();
        if out.is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidInput, "the output path is empty").with_hint("e.g. predictions.parquet or out.csv"));
        }
        if on.is_some() && !Path::new(out).is_absolute() {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!("the output {out} is not an absolute path; on a cluster the job writes it on the cluster's own machines"),
            )
            .with_hint("give an absolute path the cluster can write: on this computer when the cluster runs here, else on a file system the cluster shares"));
        }
        let out = under(project.root(), out);
        if out == input {
            return Err(ApiError::new(ErrorCode::InvalidInput, "the output would overwrite the input")
                .with_hint("write the predictions to another file"));
        }
        let format = req.format.or_else(|| BatchFormat::of_path(&out.to_string_lossy())).unwrap_or(BatchFormat::Parquet);
        let spec = BatchSpec {
            model: req.model.trim().to_string(),
            model_path: model_path.to_string_lossy().into_owned(),
            input: input.to_string_lossy().into_owned(),
            dataset,
            out: out.to_string_lossy().into_owned(),
            format,
            columns: req.columns.clone(),
            chunk_rows: req.chunk_rows.unwrap_or(DEFAULT_CHUNK_ROWS),
            resume: req.resume,
        };
        self.start_batch_spec(pid, spec, on, req.experiment)
    }

    /// Starts a batch job from its spec (a new request, or a re-run that resumes).
    pub(crate) fn start_batch_spec(
        &self,
        pid: &str,
        spec: BatchSpec,
        on: Option<&str>,
        experiment: Option<String>,
    ) -> Result<TrainStarted, ApiError> {
        if spec.chunk_rows == 0 {
            return Err(ApiError::new(ErrorCode::InvalidInput, "chunks of 0 rows").with_hint("give at least 1 row per chunk, e.g. 100000"));
        }
        let input = PathBuf::from(&spec.input);
        let scorer = score::Scorer::load(Path::new(&spec.model_path))?;
        let source = source::Source::open(&input)?;
        let joined = run::joined_columns(source.names(), &spec.columns, &input)?;
        run::check_input(&scorer, source.names(), &joined, &input)?;
        let remote = on.map(|o| self.ray_executor(o)).transpose()?;
        let executor = remote.as_ref().map(|r| r.name()).unwrap_or_else(|| "local".into());
        let project = self.project(pid)?;
        project.ensure_writable("a batch prediction")?;
        // Two jobs on one output would share its work folder.
        for running in project.list_jobs(true, 1000)?.iter().filter(|j| j.info.kind == "batch") {
            if let Ok(JobKind::Batch { spec: other, .. }) = serde_json::from_str::<JobSpec>(&running.spec_json).map(|s| s.kind)
                && other.out == spec.out
            {
                return Err(ApiError::new(ErrorCode::AlreadyExists, format!("job {} is writing {} now", running.info.id, spec.out))
                    .with_hint("wait for it to end (or cancel it), or write to another file"));
            }
        }
        let now = self.now();
        let experiment = experiment.unwrap_or_else(|| EXPERIMENT.into());
        let experiment_id = match project.get_experiment_by_name(&experiment)? {
            Some(e) => e.experiment_id,
            None => project.create_experiment(&experiment, None, &[], now)?,
        };
        let tag = |k: &str, v: &str| Tag { key: k.into(), value: v.into() };
        let tags = vec![
            tag("mlflow.source.type", "LOCAL"),
            tag("mlflow.source.name", "cairn"),
            tag("mlflow.user", &user()),
            tag("cairn.kind", "batch"),
            tag("cairn.batch.model", &spec.model),
            tag("cairn.executor", &executor),
        ];
        let name = format!("batch {}", spec.model);
        let run = project.create_run(&experiment_id, Some(&name), &user(), now, &tags)?;
        let run_id = run.info.run_id.clone();
        let params: Vec<Param> = [
            ("model", spec.model.clone()),
            ("input", spec.dataset.clone().unwrap_or_else(|| spec.input.clone())),
            ("out", spec.out.clone()),
            ("format", format!("{:?}", spec.format).to_lowercase()),
            ("columns", joined.join(",")),
            ("chunk_rows", spec.chunk_rows.to_string()),
            ("resume", spec.resume.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| Param { key: k.into(), value: v.chars().take(6000).collect() })
        .collect();
        project.log_batch(&run_id, &[], &params, &[])?;

        let job_id = new_id("job");
        let ext = input.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
        let packed = remote.as_ref().map(|_| BatchPacked { model: MODEL_FILE.into(), input: format!("input{ext}") });
        let job = JobSpec {
            version: SPEC_VERSION,
            job_id: job_id.clone(),
            project: project.root().to_path_buf(),
            run_id: run_id.clone(),
            experiment_id: experiment_id.clone(),
            parent_pid: if remote.is_some() { None } else { Some(std::process::id()) },
            kind: JobKind::Batch { spec: spec.clone(), packed: packed.clone() },
        };
        project.insert_job(&job_record_for(&job, &executor, now))?;
        let Some(ex) = remote else {
            self.spawn_local(&project, &job)?;
            return Ok(TrainStarted { job_id, run_id, experiment_id });
        };
        let dir = project.artifacts("jobs")?.join(&job_id);
        let submitted = (|| {
            let inputs = dir.join(cairn_jobs::INPUTS_DIR);
            if let Some(p) = &packed {
                link_or_copy(Path::new(&spec.model_path), &inputs.join(&p.model))?;
                // The flow in front of the model travels beside it (its lookups are read by absolute path).
                let front = Path::new(&spec.model_path).with_file_name(cairn_flow::INFERENCE_FLOW_FILE);
                if front.is_file() {
                    link_or_copy(&front, &inputs.join(&p.model).with_file_name(cairn_flow::INFERENCE_FLOW_FILE))?;
                }
                link_or_copy(&input, &inputs.join(&p.input))?;
            }
            let submitted = ex.submit(&job, &dir);
            // The package is on the cluster now (or was refused); the local copies are not needed.
            let _ = std::fs::remove_dir_all(&inputs);
            let submitted = submitted?;
            project.job_submitted(&job_id, submitted.external_id.as_deref().unwrap_or_default(), self.now())?;
            Ok::<_, ApiError>(submitted)
        })();
        match submitted {
            Ok(s) => self.follow_remote(&project, ex, s, &job),
            Err(err) => {
                finish_failed(&project, &job_id, &run_id, None, &err.message, self.now());
                return Err(err);
            }
        }
        Ok(TrainStarted { job_id, run_id, experiment_id })
    }

    /// A re-run of a batch job: the same work, resuming from what its work folder holds.
    pub(crate) fn rerun_batch(
        &self,
        pid: &str,
        mut spec: BatchSpec,
        on: Option<&str>,
        experiment: Option<String>,
    ) -> Result<TrainStarted, ApiError> {
        spec.resume = true;
        self.start_batch_spec(pid, spec, on, experiment)
    }

    /// A batch job: its state, how far it is (chunks), and its result once it succeeded.
    pub fn batch_status(&self, pid: &str, job_id: &str) -> Result<BatchStatus, ApiError> {
        let project = self.project(pid)?;
        let record = job_record(&project, job_id)?;
        let spec = match serde_json::from_str::<JobSpec>(&record.spec_json).map(|s| s.kind) {
            Ok(JobKind::Batch { spec, .. }) => spec,
            _ => return Err(ApiError::new(ErrorCode::JobNotFound, format!("job `{job_id}` is not a batch prediction"))),
        };
        let result: Option<BatchResult> = project
            .get_run(&record.info.run_id)
            .ok()
            .and_then(|run| std::fs::read(artifact_dir(&project, &run.info.artifact_uri).join(RESULT_FILE)).ok())
            .and_then(|b| serde_json::from_slice(&b).ok());
        let counts = match &result {
            Some(r) => Some((r.chunks, r.chunks)),
            None => progress_of(Path::new(&spec.out)),
        };
        let progress = counts.map(|(done, total)| Progress { phase: "chunks".into(), done, total, unit: "chunks".into() });
        Ok(BatchStatus { job: self.job(pid, job_id)?, spec, progress, result })
    }

    /// The model file of `run:<run id>`, or of a registered version (`GROUP@VERSION`, `GROUP@ALIAS`, `GROUP`).
    fn batch_model(&self, pid: &str, model: &str) -> Result<PathBuf, ApiError> {
        let model = model.trim();
        let Some(run_id) = model.strip_prefix("run:") else {
            return Ok(self.resolve_model(pid, model)?.model_path);
        };
        let run = self.run(pid, run_id.trim())?;
        let path = artifact_dir(&*self.project(pid)?, &run.info.artifact_uri).join(MODEL_FILE);
        if !path.is_file() {
            return Err(ApiError::new(ErrorCode::NotComputed, format!("run `{}` has no model", run.info.run_name))
                .with_hint("predict with a run that finished training, or a registered model version"));
        }
        crate::inference_flow::ensure(&*self.project(pid)?, &run.info.run_id, &path)?;
        Ok(path)
    }
}

/// `path` as given when absolute, else under `root`.
fn under(root: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() { p.to_path_buf() } else { root.join(p) }
}

/// A hard link where possible (nothing copied), else a copy.
fn link_or_copy(from: &Path, to: &Path) -> Result<(), ApiError> {
    let io = |e: std::io::Error| ApiError::new(ErrorCode::Io, format!("{}: {e}", to.display()));
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let _ = std::fs::remove_file(to);
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).map_err(io)?;
    }
    Ok(())
}

/// The options of a spec's run; `model` and `input` are where the files are on this machine.
fn options(spec: &BatchSpec) -> BatchOptions {
    BatchOptions {
        out: PathBuf::from(&spec.out),
        format: spec.format,
        columns: spec.columns.clone(),
        chunk_rows: spec.chunk_rows,
        resume: spec.resume,
        model_label: spec.model.clone(),
        threads: 0,
    }
}

fn say_progress(done: u64, total: u64) {
    // The line the run page's progress bar and `cairn batch-predict` read.
    println!("[chunks] {done}/{total}");
}

fn say_start(spec: &BatchSpec, where_: &str) {
    let input = spec.dataset.as_deref().map(|d| format!("dataset {d}")).unwrap_or_else(|| spec.input.clone());
    println!("batch prediction with {} over {input} into {} ({} rows per chunk{where_})", spec.model, spec.out, spec.chunk_rows);
    if spec.resume {
        println!("resuming: finished chunks in the work folder are kept");
    }
}

/// Rows predicted per second by this run (a resumed run's kept chunks not counted).
fn rate(r: &BatchResult) -> f64 {
    r.rows.saturating_sub(r.rows_resumed) as f64 / r.seconds.max(1e-9)
}

fn say_result(r: &BatchResult) {
    let rate = rate(r);
    println!(
        "finished: {} rows ({} scored, {} failed) in {} chunks, {:.1} s, {rate:.0} rows/s",
        r.rows, r.scored, r.failed, r.chunks, r.seconds
    );
    if r.chunks_resumed > 0 {
        println!("{} chunks ({} rows) were already done and were kept; the rate counts this run's rows", r.chunks_resumed, r.rows_resumed);
    }
    if let Some(f) = &r.errors_file {
        println!("rows that could not be scored are listed in {f}");
    }
    if let Some(kb) = peak_memory_kb() {
        println!("peak memory of this process: {} MB", kb / 1024);
    }
}

/// The process's peak resident memory (Linux), to show that chunks keep it bounded.
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn metrics_of(r: &BatchResult, now: i64) -> Vec<Metric> {
    let rate = rate(r);
    [
        ("rows", r.rows as f64),
        ("rows_scored", r.scored as f64),
        ("rows_failed", r.failed as f64),
        ("seconds", r.seconds),
        ("rows_per_second", rate),
    ]
    .into_iter()
    .map(|(k, v)| Metric { key: k.into(), value: v, timestamp: now, step: 0 })
    .collect()
}

/// Saves the result into the run's files and its counts as metrics.
fn record_result(project: &Project, run_id: &str, r: &BatchResult) -> Result<(), String> {
    let run = project.get_run(run_id).map_err(|e| e.to_string())?;
    let dir = artifact_dir(project, &run.info.artifact_uri);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let bytes = serde_json::to_vec_pretty(r).map_err(|e| e.to_string())?;
    cairn_store::atomic_write(&dir.join(RESULT_FILE), &bytes).map_err(|e| e.to_string())?;
    project.log_batch(run_id, &metrics_of(r, now_ms()), &[], &[]).map_err(|e| e.to_string())?;
    Ok(())
}

/// `cairn worker` for a batch job here: logs its progress, records its result into the run.
pub(crate) fn run_local(project: &Project, job: &JobSpec, spec: &BatchSpec, dir: &Path, ending: &Ending<'_>) -> i32 {
    say_start(spec, "");
    let marker = dir.join(CANCEL_MARKER);
    let cancelled = || marker.exists() || parent_gone(job.parent_pid);
    match batch_predict(Path::new(&spec.model_path), Path::new(&spec.input), &options(spec), &say_progress, &cancelled) {
        Ok(r) => {
            say_result(&r);
            if let Err(e) = record_result(project, &job.run_id, &r) {
                let reason = format!("the predictions were written but the result could not be recorded: {e}");
                println!("error: {reason}");
                ending.record(JobState::Failed, Some(&reason));
                return 1;
            }
            ending.record(JobState::Succeeded, None);
            0
        }
        Err(e) if e.code == ErrorCode::Cancelled => {
            if parent_gone(job.parent_pid) && !marker.exists() {
                ending.record(JobState::Failed, Some("Cairn was closed while this batch prediction ran"));
                return 1;
            }
            ending.record(JobState::Cancelled, Some("cancelled by the user"));
            130
        }
        Err(e) => {
            let hint = e.hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default();
            println!("error: {}{hint}", e.message);
            ending.record(JobState::Failed, Some(&e.message));
            1
        }
    }
}

/// `cairn worker` for a batch job on a cluster: the model and input are in the working directory; the
/// result goes home in the log's result block.
pub(crate) fn run_remote(job: &JobSpec, spec: &BatchSpec, packed: &BatchPacked) -> i32 {
    say_start(spec, ", on the cluster");
    let out = Path::new(&spec.out);
    let outcome = if !out.is_absolute() {
        Err(ApiError::new(ErrorCode::InvalidInput, format!("the output {} is not an absolute path the cluster can write", spec.out)))
    } else {
        batch_predict(Path::new(&packed.model), Path::new(&packed.input), &options(spec), &say_progress, &|| false)
    };
    let outcome = match outcome.and_then(|r| serde_json::to_value(&r).map(|v| (r, v)).map_err(|e| score::internal("the result", e))) {
        Ok((r, value)) => {
            say_result(&r);
            let now = now_ms();
            let metrics = metrics_of(&r, now)
                .into_iter()
                .map(|m| Point { key: m.key, value: m.value, timestamp: m.timestamp, step: m.step })
                .collect();
            RemoteOutcome { status: "succeeded".into(), error: None, metrics, params: vec![], evaluation: Some(value), model: None }
        }
        Err(e) => {
            println!("error: {}", e.message);
            RemoteOutcome {
                status: "failed".into(),
                error: Some(e.message),
                metrics: vec![],
                params: vec![],
                evaluation: None,
                model: None,
            }
        }
    };
    let code = if outcome.status == "succeeded" { 0 } else { 1 };
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(encode(&job.job_id, &outcome).as_bytes());
    let _ = stdout.flush();
    code
}

/// Records what a batch job on a cluster reported (its result block) into its run.
pub(crate) fn record_remote(project: &Project, run_id: &str, o: &RemoteOutcome) -> Result<(), String> {
    let value = o.evaluation.clone().ok_or("the batch job's result has no report")?;
    let r: BatchResult = serde_json::from_value(value).map_err(|e| format!("the batch job's report cannot be read: {e}"))?;
    record_result(project, run_id, &r)
}

/// Whether a job record is a batch prediction's (its outcome is recorded by [`record_remote`]).
pub(crate) fn is_batch(project: &Project, job_id: &str) -> bool {
    project.get_job(job_id).ok().flatten().is_some_and(|j| j.info.kind == "batch")
}
