//! A custom command (the user's folder and command, e.g. `python train.py`) run on a Ray cluster as a
//! job with a run of its own, so it is listed, followed, stopped and re-attached like a training. The
//! command runs the user's code: the caller passes whether the folder is trusted, and an untrusted one
//! is refused before anything is recorded or sent.

use std::collections::BTreeMap;
use std::path::Path;

use cairn_jobs::{Executor, JobKind, JobSpec, Resources, SPEC_VERSION, check_trusted};
use cairn_store::{JobRecord, TrackingStore};
use cairn_types::{ApiError, JobInfo, JobState, Tag, TrainStarted};

use crate::training::{finish_failed, user};
use crate::{Studio, new_id};

/// What to run: the folder sent as the working directory, the shell command, its environment and the
/// resources it asks the cluster for.
#[derive(Debug, Clone, Default)]
pub struct CommandJob {
    pub dir: std::path::PathBuf,
    pub command: String,
    pub env: BTreeMap<String, String>,
    pub resources: Resources,
    pub experiment: Option<String>,
}

impl Studio {
    /// Runs a custom command on the Ray cluster at `cluster`; `trusted` is the user's decision about
    /// `job.dir` (workspace trust), checked first.
    pub fn start_command_on(&self, pid: &str, job: CommandJob, cluster: &str, trusted: bool) -> Result<TrainStarted, ApiError> {
        let job_id = new_id("job");
        let spec = JobSpec {
            version: SPEC_VERSION,
            job_id: job_id.clone(),
            project: std::path::PathBuf::new(),
            run_id: String::new(),
            experiment_id: String::new(),
            parent_pid: None,
            kind: JobKind::Command { dir: job.dir.clone(), command: job.command.clone(), env: job.env, resources: job.resources },
        };
        check_trusted(&spec, trusted)?;
        if !Path::new(&job.dir).is_dir() {
            return Err(ApiError::new(cairn_types::ErrorCode::FileNotFound, format!("no folder {}", job.dir.display())));
        }
        let ex = self.ray_executor(cluster)?;
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
            Tag { key: "cairn.executor".into(), value: ex.name() },
            Tag { key: "cairn.command".into(), value: job.command.clone() },
        ];
        let run = project.create_run(&experiment_id, None, &user(), now, &tags)?;
        let run_id = run.info.run_id.clone();
        let spec = JobSpec { project: project.root().to_path_buf(), run_id: run_id.clone(), experiment_id: experiment_id.clone(), ..spec };
        let record = JobRecord {
            info: JobInfo {
                id: job_id.clone(),
                kind: spec.kind_name().into(),
                run_id: run_id.clone(),
                experiment_id: experiment_id.clone(),
                executor: ex.name(),
                state: JobState::Queued,
                created_at: now,
                started_at: None,
                ended_at: None,
                pid: None,
                exit_code: None,
                error: None,
            },
            spec_version: SPEC_VERSION,
            spec_json: serde_json::to_string(&spec).unwrap_or_default(),
            pid_started: None,
            external_id: None,
        };
        project.insert_job(&record)?;
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
}
