//! `cairn job run PROJECT [--on CLUSTER] -- COMMAND…`: the user's own command, here or on a Ray cluster,
//! followed until it ends like `cairn train`.

use std::path::PathBuf;
use std::time::Duration;

use cairn_api::{CommandJob, Resources, Studio};
use cairn_types::{ApiError, ErrorCode, JobState};

use crate::say;

#[derive(Debug, clap::Subcommand)]
pub enum JobCommand {
    /// Run a command (e.g. `python train.py`) in a folder, here or on a Ray cluster; its run is recorded.
    Run(JobRunArgs),
}

#[derive(Debug, clap::Args)]
pub struct JobRunArgs {
    pub project: PathBuf,
    /// A cluster's name (`cairn cluster add`) or its dashboard address, e.g. `ray://127.0.0.1:8265`;
    /// without it the command runs on this computer.
    #[arg(long, alias = "ray-address", value_name = "CLUSTER")]
    pub on: Option<String>,
    /// The Ray cluster's token (its RAY_AUTH_TOKEN).
    #[arg(long, env = "CAIRN_RAY_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The folder sent to the cluster as the command's working directory (default: the project).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// An environment variable for the command, `NAME=VALUE` (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    #[arg(long)]
    pub cpus: Option<f64>,
    #[arg(long)]
    pub gpus: Option<f64>,
    /// Memory to reserve, in bytes.
    #[arg(long)]
    pub memory: Option<u64>,
    /// Start the job and return without following it.
    #[arg(long)]
    pub detach: bool,
    /// The command, after `--`.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

/// A word as the shell reads it back: quoted unless it is plainly safe.
fn quote(w: &str) -> String {
    if !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c)) {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

pub fn run(studio: &Studio, pid: &str, project: &std::path::Path, a: JobRunArgs) -> Result<(), ApiError> {
    let mut env = std::collections::BTreeMap::new();
    for e in &a.env {
        let (k, v) = e.split_once('=').ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidInput, format!("--env {e:?} must look like NAME=VALUE")).with_hint("for example --env LR=0.1")
        })?;
        env.insert(k.to_string(), v.to_string());
    }
    let dir = std::path::absolute(a.dir.as_deref().unwrap_or(project)).unwrap_or_else(|_| project.to_path_buf());
    let address = a.on.as_deref().map(|on| studio.resolve_cluster(on)).transpose()?;
    if let (Some(address), Some(token)) = (&address, &a.token) {
        studio.set_cluster_token(address, Some(token.clone()));
    }
    let job = CommandJob {
        dir,
        command: a.command.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "),
        env,
        resources: Resources { cpus: a.cpus, gpus: a.gpus, memory_bytes: a.memory },
        experiment: None,
    };
    // The user named the folder and the command on their own command line: that is the trust decision.
    let started = studio.start_command_on(pid, job, address.as_deref(), true)?;
    say!("run {} (experiment {}), job {}", started.run_id, started.experiment_id, started.job_id);
    if a.detach {
        return Ok(());
    }
    crate::train::follow_log(studio, pid, &started.job_id, Duration::from_millis(300), None, false)?;
    let job = studio.job(pid, &started.job_id)?;
    match job.state {
        JobState::Succeeded => Ok(()),
        s => Err(ApiError::new(ErrorCode::CannotTrain, format!("job {} ended {s:?}: {}", job.id, job.error.unwrap_or_default()))),
    }
}
