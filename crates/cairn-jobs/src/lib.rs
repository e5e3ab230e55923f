//! Jobs: a serializable, versioned description of work (a training now; a custom command later) and the
//! executors that run it — this computer now, a cluster (Ray, Slurm) later, behind one trait.

mod error;
mod local;
mod process;
mod spec;

pub use error::JobError;
pub use local::{CANCEL_MARKER, LOG_FILE, LocalExecutor, SPEC_FILE};
pub use process::{ProcessId, alive, process_id};
pub use spec::{JobKind, JobSpec, SPEC_VERSION};

use std::path::Path;

/// Where a submitted job runs, as the executor knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub pid: Option<u32>,
    pub pid_started: Option<u64>,
    pub external_id: Option<String>,
}

/// What an executor says about a job it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    Running,
    /// The process ended; its exit code when known (None after a restart: it was not our child then).
    Ended { exit_code: Option<i32> },
}

/// Runs jobs somewhere. Implementations must be restart-safe: everything needed to poll, cancel and read
/// the logs of a job again after the app restarts is in its `Submitted` (stored with the job record).
pub trait Executor: Send + Sync {
    /// A short name stored with the job ("local", "ray:<cluster>").
    fn name(&self) -> String;
    /// Starts the job; `dir` is the job's folder (spec, log, cancel marker).
    fn submit(&self, spec: &JobSpec, dir: &Path) -> Result<Submitted, JobError>;
    fn poll(&self, job: &Submitted) -> Result<Poll, JobError>;
    /// Asks the job to stop, then stops it: a cancel marker first (the worker stops cleanly between
    /// steps), the process after `grace`.
    fn cancel(&self, job: &Submitted, dir: &Path, grace: std::time::Duration) -> Result<(), JobError>;
}
