//! Custom commands (the user's folder and command, e.g. `python train.py`) as jobs with a run of their
//! own, here or on a Ray cluster, so they are listed, followed, stopped, re-run and re-attached like a
//! training. A command runs the user's code: an untrusted folder is refused before anything is recorded
//! or sent. Re-running a job starts a new job (and run) from the old one's spec.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cairn_jobs::{Executor, JobKind, JobSpec, Resources, SPEC_VERSION, check_trusted};
use cairn_store::TrackingStore;
use cairn_types::{ApiError, ErrorCode, StartCommand, Tag, TrainStarted};

use crate::training::{finish_failed, job_record, job_record_for, user};
use crate::{Studio, new_id};

/// What to run: the folder (the working directory, sent to a cluster as the job's package), the shell
/// command, its environment and the resources it asks a cluster for.
#[derive(Debug, Clone, Default)]
pub struct CommandJob {
    pub dir: PathBuf,
    pub command: String,
    pub env: BTreeMap<String, String>,
    pub resources: Resources,
    pub experiment: Option<String>,
}

impl Studio {
    /// Starts the user's command as the API asks: in the project's folder unless another is given, on
    /// this computer or on the named cluster. The folder must be trusted (see `set_trust`).
    pub fn start_command(&self, pid: &str, req: StartCommand) -> Result<TrainStarted, ApiError> {
        let project = self.project(pid)?;
        let dir = match req.dir.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) if Path::new(d).is_relative() => project.root().join(d),
            Some(d) => PathBuf::from(d),
            None => project.root().to_path_buf(),
        };
        let memory_bytes = match req.memory_mb {
            Some(mb) => Some(mb.checked_mul(1024 * 1024).ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidInput, format!("memory_mb {mb} is more memory than any computer has"))
                    .with_hint("give the memory in megabytes, e.g. 4096")
            })?),
            None => None,
        };
        let job = CommandJob {
            dir: dir.clone(),
            command: req.command,
            env: req.env,
            resources: Resources { cpus: req.cpus, gpus: req.gpus, memory_bytes },
            experiment: req.experiment,
        };
        let trusted = self.is_trusted(&dir);
        match req.on.as_deref().map(str::trim).filter(|o| !o.is_empty() && *o != "local") {
            Some(on) => {
                let address = self.resolve_cluster(on)?;
                self.start_command_on(pid, job, Some(&address), trusted)
            }
            None => self.start_command_on(pid, job, None, trusted),
        }
    }

    /// Runs a custom command here (`cluster` None) or on the Ray cluster at `cluster`; `trusted` is the
    /// user's decision about `job.dir` (workspace trust), checked first.
    pub fn start_command_on(&self, pid: &str, job: CommandJob, cluster: Option<&str>, trusted: bool) -> Result<TrainStarted, ApiError> {
        let job_id = new_id("job");
        let spec = JobSpec {
            version: SPEC_VERSION,
            job_id: job_id.clone(),
            project: PathBuf::new(),
            run_id: String::new(),
            experiment_id: String::new(),
            parent_pid: None,
            kind: JobKind::Command { dir: job.dir.clone(), command: job.command.clone(), env: job.env, resources: job.resources },
        };
        if job.command.trim().is_empty() {
            return Err(
                ApiError::new(ErrorCode::InvalidInput, "the command is empty").with_hint("give the command to run, e.g. `python train.py`")
            );
        }
        if !job.dir.is_dir() {
            return Err(ApiError::new(ErrorCode::FileNotFound, format!("no folder {}", job.dir.display())));
        }
        check_trusted(&spec, trusted)?;
        let remote = cluster.map(|a| self.ray_executor(a)).transpose()?;
        let executor = remote.as_ref().map(|r| r.name()).unwrap_or_else(|| "local".into());
        let project = self.project(pid)?;
        project.ensure_writable("a job")?;
        let now = self.now();
        let experiment = job.experiment.unwrap_or_else(|| "Default".into());
        let experiment_id = match project.get_experiment_by_name(&experiment)? {
            Some(e) => e.experiment_id,
            None => project.create_experiment(&experiment, None, &[], now)?,
        };
        let tags = vec![
            Tag { key: "mlflow.source.type".into(), value: "JOB".into() },
            Tag { key: "mlflow.source.name".into(), value: job.command.clone() },
            Tag { key: "mlflow.user".into(), value: user() },
            Tag { key: "cairn.executor".into(), value: executor.clone() },
            Tag { key: "cairn.command".into(), value: job.command.clone() },
        ];
        let run = project.create_run(&experiment_id, None, &user(), now, &tags)?;
        let run_id = run.info.run_id.clone();
        let spec = JobSpec {
            project: project.root().to_path_buf(),
            run_id: run_id.clone(),
            experiment_id: experiment_id.clone(),
            // A local command stops when the app is gone, like a local training.
            parent_pid: if remote.is_some() { None } else { Some(std::process::id()) },
            ..spec
        };
        project.insert_job(&job_record_for(&spec, &executor, now))?;
        let Some(ex) = remote else {
            self.spawn_local(&project, &spec)?;
            return Ok(TrainStarted { job_id, run_id, experiment_id });
        };
        let dir = project.artifacts("jobs")?.join(&job_id);
        match ex.submit(&spec, &dir) {
            Ok(submitted) => {
                project.job_submitted(&job_id, submitted.external_id.as_deref().unwrap_or(""), self.now())?;
                self.follow_remote(&project, ex, submitted, &spec);
                Ok(TrainStarted { job_id, run_id, experiment_id })
            }
            Err(e) => {
                let err: ApiError = e.into();
                finish_failed(&project, &job_id, &run_id, None, &err.message, self.now());
                Err(err)
            }
        }
    }

    /// Starts a job again as it was (same spec, same place), as a new job and a new run.
    pub fn rerun_job(&self, pid: &str, job_id: &str) -> Result<TrainStarted, ApiError> {
        let project = self.project(pid)?;
        let old = job_record(&project, job_id)?;
        let spec: JobSpec = serde_json::from_str(&old.spec_json).map_err(|e| {
            ApiError::new(ErrorCode::InvalidInput, format!("job `{job_id}`'s spec cannot be read again: {e}"))
                .with_hint("start it again from the train dialog or the command form")
        })?;
        let cluster = crate::remote::ray_address(&old.info.executor);
        match spec.kind {
            JobKind::Train { spec: train, .. } => self.start_training_on(pid, train, cluster),
            JobKind::Automl { spec, .. } => self.start_automl(pid, spec),
            JobKind::AutomlTrial { .. } => Err(ApiError::new(ErrorCode::InvalidInput, format!("job `{job_id}` is one trial of a search"))
                .with_hint("start the search again from its run")),
            JobKind::Batch { spec, .. } => {
                let experiment = project.get_experiment(&old.info.experiment_id).ok().map(|e| e.name);
                self.rerun_batch(pid, spec, cluster, experiment)
            }
            JobKind::Command { dir, command, env, resources } => {
                let trusted = self.is_trusted(&dir);
                let experiment = project.get_experiment(&old.info.experiment_id).ok().map(|e| e.name);
                self.start_command_on(pid, CommandJob { dir, command, env, resources, experiment }, cluster, trusted)
            }
        }
    }
}
