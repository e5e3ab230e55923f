//! Runs jobs on this computer: each in a child process (`<cairn> worker <spec.json>`) in its own process
//! group, its output in the job's log file, so a crash or a cancel never takes the app down.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::{ProcessId, alive, process_id, signal};
use crate::{Executor, JobError, JobSpec, Outcome, Poll, Submitted};

/// The file a cancelled job finds in its folder; the worker checks for it between steps.
pub const CANCEL_MARKER: &str = "cancel";
pub const SPEC_FILE: &str = "spec.json";
pub const LOG_FILE: &str = "log.txt";

pub struct LocalExecutor {
    /// The program that runs `worker SPEC`: the `cairn` binary, or the desktop app's own binary.
    program: PathBuf,
}

impl LocalExecutor {
    pub fn new(program: PathBuf) -> Self {
        Self { program }
    }

    /// Waits for a child we started, so its exit code is known and it leaves no zombie.
    pub fn wait_child(child: &mut std::process::Child) -> Option<i32> {
        child.wait().ok().and_then(|s| s.code())
    }

    /// Starts the worker and returns the child as well, for a caller that wants to wait on it.
    pub fn spawn(&self, spec: &JobSpec, dir: &Path) -> Result<(Submitted, std::process::Child), JobError> {
        self.spawn_with(spec, dir, &[])
    }

    /// Like [`spawn`](Self::spawn) with variables added to the worker's environment: secrets it needs
    /// (a cluster's token) that must not be written into the spec on disk.
    pub fn spawn_with(&self, spec: &JobSpec, dir: &Path, env: &[(&str, String)]) -> Result<(Submitted, std::process::Child), JobError> {
        std::fs::create_dir_all(dir).map_err(|source| JobError::Files { path: dir.to_path_buf(), source })?;
        let spec_path = dir.join(SPEC_FILE);
        spec.write(&spec_path)?;
        let _ = std::fs::remove_file(dir.join(CANCEL_MARKER));
        let log_path = dir.join(LOG_FILE);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|source| JobError::Files { path: log_path.clone(), source })?;
        let err = log.try_clone().map_err(|source| JobError::Files { path: log_path, source })?;
        let mut cmd = Command::new(&self.program);
        cmd.arg("worker").arg(&spec_path).stdin(Stdio::null()).stdout(log).stderr(err);
        cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        #[cfg(unix)]
        {
            // Its own group: a cancel signals the worker and anything it started, never the app.
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let child = cmd.spawn().map_err(|source| JobError::Spawn { program: self.program.clone(), source })?;
        let id = process_id(child.id());
        Ok((Submitted { pid: Some(id.pid), pid_started: id.started, external_id: None }, child))
    }
}

fn pid_of(job: &Submitted) -> Option<ProcessId> {
    job.pid.map(|pid| ProcessId { pid, started: job.pid_started })
}

impl Executor for LocalExecutor {
    fn name(&self) -> String {
        "local".into()
    }

    fn submit(&self, spec: &JobSpec, dir: &Path) -> Result<Submitted, JobError> {
        let (submitted, mut child) = self.spawn(spec, dir)?;
        // Reap it when it ends, wherever the caller is; the exit is also seen by polling.
        std::thread::spawn(move || {
            let _ = child.wait();
        });
        Ok(submitted)
    }

    fn poll(&self, job: &Submitted) -> Result<Poll, JobError> {
        match pid_of(job) {
            Some(p) if alive(p) => Ok(Poll::Running),
            _ => Ok(Poll::Ended { outcome: Outcome::Unknown, exit_code: None, message: None }),
        }
    }

    fn logs(&self, _job: &Submitted, dir: &Path, offset: u64) -> Result<(String, u64), JobError> {
        let bytes = std::fs::read(dir.join(LOG_FILE)).unwrap_or_default();
        Ok(crate::ray_executor::from_offset(&bytes, offset))
    }

    fn cancel(&self, job: &Submitted, dir: &Path, grace: Duration) -> Result<(), JobError> {
        let marker = dir.join(CANCEL_MARKER);
        std::fs::write(&marker, b"cancelled by the user\n").map_err(|source| JobError::Files { path: marker, source })?;
        let Some(p) = pid_of(job) else { return Ok(()) };
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if !alive(p) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if alive(p) {
            signal(p.pid, "TERM", true);
            std::thread::sleep(Duration::from_millis(500));
        }
        if alive(p) {
            signal(p.pid, "KILL", true);
        }
        Ok(())
    }
}
