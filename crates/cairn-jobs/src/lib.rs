//! Jobs: a serializable, versioned description of work (a built-in training, a custom command) and the
//! executors that run it — this computer, a Ray cluster (Slurm next) — behind one trait.

mod error;
mod local;
pub mod package;
mod process;
pub mod ray;
mod ray_executor;
pub mod result;
mod spec;

pub use error::JobError;
pub use local::{CANCEL_MARKER, LOG_FILE, LocalExecutor, SPEC_FILE};
pub use process::{ProcessId, alive, process_id, signal};
pub use ray_executor::{INPUTS_DIR, REMOTE_JOBS_DIR, RayExecutor, SPEC_ENV, submission_id};
pub use spec::{BatchPacked, JobKind, JobSpec, Resources, SPEC_VERSION};

use std::path::Path;

/// Where a submitted job runs, as the executor knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub pid: Option<u32>,
    pub pid_started: Option<u64>,
    pub external_id: Option<String>,
}

/// How a job ended, as far as the executor knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    /// Stopped on request.
    Stopped,
    /// The executor cannot tell (a local process that was not our child); the worker recorded it itself.
    Unknown,
}

/// What an executor says about a job it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    /// Queued or running.
    Running,
    /// The job ended; its exit code when known (None after a restart: it was not our child then), and
    /// the executor's own explanation (Ray's `message`).
    Ended { outcome: Outcome, exit_code: Option<i32>, message: Option<String> },
}

/// Refuses a custom command from a folder the user has not trusted, before anything is packed or run.
/// Callers pass what the user decided (workspace trust); built-in jobs run no user code and pass.
pub fn check_trusted(spec: &JobSpec, trusted: bool) -> Result<(), JobError> {
    match &spec.kind {
        JobKind::Command { dir, .. } if !trusted => Err(JobError::Untrusted { dir: dir.clone() }),
        _ => Ok(()),
    }
}

/// Runs jobs somewhere. Implementations must be restart-safe: everything needed to poll, cancel and read
/// the logs of a job again after the app restarts is in its `Submitted` (stored with the job record) and
/// the executor's name (which says where: "local", "ray:http://head:8265"). Calls block; a cluster's
/// executor answers `JobError::Unreachable` when it cannot be asked, which callers retry later.
pub trait Executor: Send + Sync {
    /// A short name stored with the job ("local", "ray:<cluster>").
    fn name(&self) -> String;
    /// Starts the job; `dir` is the job's folder (spec, log, cancel marker).
    fn submit(&self, spec: &JobSpec, dir: &Path) -> Result<Submitted, JobError>;
    fn poll(&self, job: &Submitted) -> Result<Poll, JobError>;
    /// The job's log from byte `offset`, and the offset to ask from next time.
    fn logs(&self, job: &Submitted, dir: &Path, offset: u64) -> Result<(String, u64), JobError>;
    /// Asks the job to stop, then stops it: a cancel marker first (the worker stops cleanly between
    /// steps), the process after `grace`.
    fn cancel(&self, job: &Submitted, dir: &Path, grace: std::time::Duration) -> Result<(), JobError>;
}
