//! Training runs: checked before anything is created, recorded as a run, executed as a job in a child
//! process, watched until it ends, and recovered after a restart (re-attached, or marked failed).

use std::sync::Arc;
use std::time::Duration;

use cairn_jobs::{Executor, JobKind, JobSpec, LocalExecutor, Poll, SPEC_VERSION, Submitted};
use cairn_store::{JobRecord, Project, TrackingStore};
use cairn_types::{
    ApiError, DatasetInput, DatasetRef, ErrorCode, JobInfo, JobState, ModelInfo, Param, RunStatus, Tag, TrainCheck, TrainSpec, TrainStarted,
};

use crate::{Studio, new_id};

/// How long a cancelled worker gets to stop between steps before it is stopped by signal.
const CANCEL_GRACE: Duration = Duration::from_secs(5);
/// How often a re-attached job's process is checked.
const REATTACH_POLL: Duration = Duration::from_millis(500);

/// The name the tracking store records as a run's user.
pub(crate) fn user() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "cairn".into())
}

impl Studio {
    /// The models Cairn can train, with their hyperparameters.
    pub fn models(&self) -> Vec<ModelInfo> {
        cairn_ml::catalog()
    }

    /// What training `spec` would do, without starting it: the task, the features used and those left out
    /// (with why), which rows train and which test, and the warnings. The train dialog shows it.
    pub fn check_training(&self, pid: &str, mut spec: TrainSpec) -> Result<TrainCheck, ApiError> {
        let project = self.project(pid)?;
        let ds = project.get_dataset(&spec.dataset)?;
        spec.dataset = ds.id.clone();
        let frame = self.frame(&project, &ds)?;
        let c = cairn_ml::check(&frame, &spec)?;
        Ok(TrainCheck {
            task: c.task,
            features: c.features,
            left_out: c.left_out,
            classes: c.classes,
            positive_class: c.positive_class,
            rows: c.rows,
            warnings: c.warnings,
        })
    }

    /// Checks the spec against the data, records a run and starts its job. Everything that can be
    /// refused is refused here, before a run exists.
    pub fn start_training(&self, pid: &str, spec: TrainSpec) -> Result<TrainStarted, ApiError> {
        self.start_training_on(pid, spec, None)
    }

    /// Like [`start_training`](Self::start_training), on a Ray cluster when `cluster` is its dashboard
    /// address (`ray://host:8265`, `http://host:8265`). The cluster's version and the token are checked
    /// before a run exists.
    pub fn start_training_on(&self, pid: &str, mut spec: TrainSpec, cluster: Option<&str>) -> Result<TrainStarted, ApiError> {
        let remote = cluster.map(|a| self.ray_executor(a)).transpose()?;
        let executor_name = remote.as_ref().map(|r| r.name()).unwrap_or_else(|| "local".into());
        let project = self.project(pid)?;
        project.ensure_writable("a training run")?;
        let ds = project.get_dataset(&spec.dataset)?;
        spec.dataset = ds.id.clone();
        let frame = self.frame(&project, &ds)?;
        let checked = cairn_ml::check(&frame, &spec)?;
        let now = self.now();

        let experiment = spec.experiment.clone().unwrap_or_else(|| "Default".into());
        let experiment_id = match project.get_experiment_by_name(&experiment)? {
            Some(e) => e.experiment_id,
            None => project.create_experiment(&experiment, None, &[], now)?,
        };
        let tags = vec![
            Tag { key: "mlflow.source.type".into(), value: "LOCAL".into() },
            Tag { key: "mlflow.source.name".into(), value: "cairn".into() },
            Tag { key: "mlflow.user".into(), value: user() },
            Tag { key: "cairn.model".into(), value: spec.model.as_str().into() },
            Tag { key: "cairn.dataset".into(), value: ds.name.clone() },
            Tag { key: "cairn.dataset.id".into(), value: ds.id.clone() },
            Tag { key: "cairn.dataset.digest".into(), value: ds.digest.clone() },
            Tag { key: "cairn.dataset.version".into(), value: ds.version.clone() },
            Tag { key: "cairn.version".into(), value: env!("CARGO_PKG_VERSION").into() },
            Tag { key: "cairn.executor".into(), value: executor_name.clone() },
        ];
        let run = project.create_run(&experiment_id, spec.run_name.as_deref(), &user(), now, &tags)?;
        let run_id = run.info.run_id.clone();

        let mut params: Vec<(String, String)> = vec![
            ("model".into(), spec.model.as_str().into()),
            ("target".into(), spec.target.clone()),
            ("task".into(), format!("{:?}", checked.task).to_lowercase()),
            ("dataset".into(), ds.name.clone()),
            ("features".into(), checked.features.len().to_string()),
            ("seed".into(), spec.seed.to_string()),
        ];
        params.extend(checked.validation_params(&spec));
        params.extend(checked.params.iter().map(|(k, v)| (k.clone(), v.clone())));
        let params: Vec<Param> = params.into_iter().map(|(key, value)| Param { key, value }).collect();
        for chunk in params.chunks(100) {
            project.log_batch(&run_id, &[], chunk, &[])?;
        }
        let input = DatasetInput {
            dataset: DatasetRef {
                name: ds.name.clone(),
                // MLflow caps an input's digest at 36 characters; the full BLAKE3 digest is in the tags.
                digest: ds.digest.chars().take(32).collect(),
                source_type: "local".into(),
                source: ds.source.path.clone(),
                schema: serde_json::to_string(&ds.columns).ok(),
                profile: Some(format!("{{\"num_rows\": {}}}", ds.rows)),
            },
            tags: vec![Tag { key: "mlflow.data.context".into(), value: "training".into() }],
        };
        project.log_inputs(&run_id, &[input])?;

        let job_id = new_id("job");
        let job = JobSpec {
            version: SPEC_VERSION,
            job_id: job_id.clone(),
            project: project.root().to_path_buf(),
            run_id: run_id.clone(),
            experiment_id: experiment_id.clone(),
            // A remote worker has no parent here to watch; a local one stops when the app is gone.
            parent_pid: if remote.is_some() { None } else { Some(std::process::id()) },
            kind: JobKind::Train { spec, data: remote.as_ref().map(|_| crate::remote::DATA_FILE.to_string()) },
        };
        let record = job_record_for(&job, &executor_name, now);
        project.insert_job(&record)?;
        if let Some(ex) = remote {
            let data = project.artifacts("datasets")?.join(format!("{}.parquet", ds.version));
            if let Err(err) = self.submit_remote(&project, ex, &job, &data) {
                finish_failed(&project, &job_id, &run_id, None, &err.message, self.now());
                return Err(err);
            }
            return Ok(TrainStarted { job_id, run_id, experiment_id });
        }
        self.spawn_local(&project, &job)?;
        Ok(TrainStarted { job_id, run_id, experiment_id })
    }

    /// Starts a recorded job's worker on this computer and waits for it in the background.
    pub(crate) fn spawn_local(&self, project: &Arc<Project>, job: &JobSpec) -> Result<(), ApiError> {
        self.spawn_local_with(project, job, &[])
    }

    /// Starts the worker with `env` added to its environment.
    pub(crate) fn spawn_local_with(&self, project: &Arc<Project>, job: &JobSpec, env: &[(&str, String)]) -> Result<(), ApiError> {
        let dir = project.artifacts("jobs")?.join(&job.job_id);
        let executor = LocalExecutor::new(self.worker.clone());
        let (submitted, mut child) = match executor.spawn_with(job, &dir, env) {
            Ok(s) => s,
            Err(e) => {
                let err: ApiError = e.into();
                finish_failed(project, &job.job_id, &job.run_id, None, &err.message, self.now());
                return Err(err);
            }
        };
        project.job_started(&job.job_id, submitted.pid.unwrap_or(0), submitted.pid_started, self.now())?;
        let clock = self.clock.clone();
        let (p, jid, rid) = (project.clone(), job.job_id.clone(), job.run_id.clone());
        let _ = std::thread::Builder::new().name("cairn-job".into()).spawn(move || {
            let code = LocalExecutor::wait_child(&mut child);
            ended(&p, &jid, &rid, code, clock());
        });
        Ok(())
    }

    pub fn jobs(&self, pid: &str) -> Result<Vec<JobInfo>, ApiError> {
        Ok(self.project(pid)?.list_jobs(false, 500)?.into_iter().map(|j| self.with_note(j.info)).collect())
    }

    pub fn job(&self, pid: &str, job_id: &str) -> Result<JobInfo, ApiError> {
        Ok(self.with_note(job_record(&*self.project(pid)?, job_id)?.info))
    }

    /// What the job record does not keep: whether it can be followed now.
    fn with_note(&self, mut info: JobInfo) -> JobInfo {
        info.following = self.following_note(&info.id);
        info
    }

    /// The latest job of a run.
    pub fn job_for_run(&self, pid: &str, run_id: &str) -> Result<JobInfo, ApiError> {
        self.project(pid)?
            .job_for_run(run_id)?
            .map(|j| j.info)
            .ok_or_else(|| ApiError::new(ErrorCode::JobNotFound, format!("run `{run_id}` has no job (it was logged, not trained here)")))
    }

    /// Stops a job: the worker gets a moment to stop cleanly, then its process is stopped.
    pub fn cancel_job(&self, pid: &str, job_id: &str) -> Result<JobInfo, ApiError> {
        let project = self.project(pid)?;
        let job = job_record(&project, job_id)?;
        if matches!(job.info.state, JobState::Queued | JobState::Running) {
            let dir = project.artifacts("jobs")?.join(job_id);
            let submitted = Submitted { pid: job.info.pid, pid_started: job.pid_started, external_id: job.external_id.clone() };
            match crate::remote::ray_address(&job.info.executor) {
                Some(address) => {
                    cairn_jobs::RayExecutor::offline(address, self.cluster_token(address)?)?.cancel(&submitted, &dir, CANCEL_GRACE)?
                }
                None => LocalExecutor::new(self.worker.clone()).cancel(&submitted, &dir, CANCEL_GRACE)?,
            }
            // A worker that stopped cleanly recorded its ending; one that was killed did not.
            let now = self.now();
            if project.job_ended(job_id, JobState::Cancelled, None, Some("cancelled by the user"), now)? {
                let _ = project.set_tag(&job.info.run_id, "cairn.error", "cancelled by the user");
                let _ = project.update_run(&job.info.run_id, Some(RunStatus::Killed), Some(now), None);
            }
        }
        Ok(job_record(&project, job_id)?.info)
    }

    /// The job's log from byte `offset`; `done` once the job has ended and everything was read.
    pub fn job_log(&self, pid: &str, job_id: &str, offset: u64) -> Result<(String, u64, bool), ApiError> {
        let project = self.project(pid)?;
        let job = job_record(&project, job_id)?;
        let path = project.artifacts("jobs")?.join(job_id).join(cairn_jobs::LOG_FILE);
        let bytes = std::fs::read(&path).unwrap_or_default();
        let start = (offset as usize).min(bytes.len());
        let text = String::from_utf8_lossy(&bytes[start..]).into_owned();
        let done = !matches!(job.info.state, JobState::Queued | JobState::Running);
        Ok((text, bytes.len() as u64, done))
    }

    /// After a restart: jobs whose process still runs are watched again; the others are marked failed
    /// with the reason, so no run stays RUNNING.
    pub(crate) fn recover_jobs(&self, project: &Arc<Project>) {
        if project.is_read_only() {
            return;
        }
        let Ok(active) = project.list_jobs(true, 1000) else { return };
        let executor = LocalExecutor::new(self.worker.clone());
        for job in active {
            if job.info.executor != "local" {
                // A cluster's job runs on without us: follow it again (an unreachable cluster is retried).
                self.reattach_remote(project, &job);
                continue;
            }
            let submitted = Submitted { pid: job.info.pid, pid_started: job.pid_started, external_id: job.external_id.clone() };
            match executor.poll(&submitted) {
                Ok(Poll::Running) => {
                    let (p, clock) = (project.clone(), self.clock.clone());
                    let (jid, rid) = (job.info.id.clone(), job.info.run_id.clone());
                    let _ = std::thread::Builder::new().name("cairn-job".into()).spawn(move || {
                        let exec = LocalExecutor::new(std::path::PathBuf::new());
                        while matches!(exec.poll(&submitted), Ok(Poll::Running)) {
                            std::thread::sleep(REATTACH_POLL);
                        }
                        ended(&p, &jid, &rid, None, clock());
                    });
                }
                _ => finish_failed(
                    project,
                    &job.info.id,
                    &job.info.run_id,
                    None,
                    "the training process is gone: Cairn was closed or the process was killed while it ran",
                    self.now(),
                ),
            }
        }
    }
}

/// The record of a job about to start: queued, on `executor`, with its spec.
pub(crate) fn job_record_for(job: &JobSpec, executor: &str, now: i64) -> JobRecord {
    JobRecord {
        info: JobInfo {
            id: job.job_id.clone(),
            kind: job.kind_name().into(),
            run_id: job.run_id.clone(),
            experiment_id: job.experiment_id.clone(),
            executor: executor.into(),
            state: JobState::Queued,
            created_at: now,
            started_at: None,
            ended_at: None,
            pid: None,
            exit_code: None,
            error: None,
            following: None,
            run_name: None,
        },
        spec_version: SPEC_VERSION,
        spec_json: serde_json::to_string(job).unwrap_or_default(),
        pid_started: None,
        external_id: None,
    }
}

pub(crate) fn job_record(project: &Project, job_id: &str) -> Result<JobRecord, ApiError> {
    project.get_job(job_id)?.ok_or_else(|| ApiError::new(ErrorCode::JobNotFound, format!("no job `{job_id}` in this project")))
}

/// A job's process ended. The worker records its own outcome; when it did not (a crash, a kill), the
/// run is marked failed here with what is known.
fn ended(project: &Project, job_id: &str, run_id: &str, exit_code: Option<i32>, now: i64) {
    let reason = match exit_code {
        Some(c) => format!("the job's process ended without reporting a result (exit code {c})"),
        None => "the job's process ended without reporting a result (it crashed or was killed)".into(),
    };
    finish_failed(project, job_id, run_id, exit_code, &reason, now);
}

/// Marks a job and its run failed, unless they already ended.
pub(crate) fn finish_failed(project: &Project, job_id: &str, run_id: &str, exit_code: Option<i32>, reason: &str, now: i64) {
    match project.job_ended(job_id, JobState::Failed, exit_code, Some(reason), now) {
        Ok(true) => {
            let still_running = project.get_run(run_id).map(|r| r.info.status == RunStatus::Running).unwrap_or(false);
            if still_running {
                let _ = project.set_tag(run_id, "cairn.error", reason);
                let _ = project.update_run(run_id, Some(RunStatus::Failed), Some(now), None);
            }
            tracing::info!(job = job_id, run = run_id, "job failed: {reason}");
        }
        Ok(false) => {}
        Err(e) => tracing::warn!("cannot record the end of job {job_id}: {e}"),
    }
}
