//! Runs jobs on a Ray cluster through its Jobs REST API. The job's files travel as a content-hash package
//! (uploaded only when the cluster lacks it); the job is submitted under a submission id derived from the
//! Cairn job id, so the record in the project is enough to find it again after a restart.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::package::{self, Entry};
use crate::ray::{RayClient, RayStatus, SubmitRequest};
use crate::{Executor, JobError, JobKind, JobSpec, Outcome, Poll, Submitted};

/// The environment variable a built-in job's spec travels in (it differs per job, the package need not).
pub const SPEC_ENV: &str = "CAIRN_JOB_SPEC";
/// For a built-in job, the folder (inside the job's folder) whose files are packed with it: its data.
pub const INPUTS_DIR: &str = "inputs";
/// Where a built-in job writes its outcome on the cluster, inside the working directory.
pub const REMOTE_JOBS_DIR: &str = ".cairn-jobs";

pub struct RayExecutor {
    client: RayClient,
    /// The `cairn` binary packed with built-in jobs; None when the cluster must have `cairn` on its PATH
    /// (another platform than this computer's).
    cairn: Option<PathBuf>,
}

/// The Ray submission id of a Cairn job: derived, so it is known before submitting and after a restart.
pub fn submission_id(spec: &JobSpec) -> String {
    format!("cairn-{}", spec.job_id)
}

/// The text of `bytes` from `offset` (clamped), and the new offset. Ray sends the whole log each time;
/// a caller keeps the offset and shows only what is new.
pub(crate) fn from_offset(bytes: &[u8], offset: u64) -> (String, u64) {
    let start = (offset as usize).min(bytes.len());
    (String::from_utf8_lossy(&bytes[start..]).into_owned(), bytes.len() as u64)
}

impl RayExecutor {
    /// Connects to the cluster's dashboard and checks its version and the token, so nothing is submitted
    /// to a cluster that would refuse or misread it.
    pub fn connect(address: &str, token: Option<String>) -> Result<Self, JobError> {
        let client = RayClient::new(address, token)?;
        client.check()?;
        Ok(Self { client, cairn: None })
    }

    /// Like [`connect`](Self::connect) without asking the cluster anything: for re-attaching after a
    /// restart, when the cluster may be down for now.
    pub fn offline(address: &str, token: Option<String>) -> Result<Self, JobError> {
        Ok(Self { client: RayClient::new(address, token)?, cairn: None })
    }

    /// Packs this `cairn` binary with built-in jobs (the cluster runs this computer's platform).
    pub fn with_cairn_binary(mut self, program: PathBuf) -> Self {
        self.cairn = Some(program);
        self
    }

    pub fn client(&self) -> &RayClient {
        &self.client
    }

    /// Uploads the package unless the cluster has it already.
    fn ensure_package(&self, entries: Vec<Entry>) -> Result<String, JobError> {
        let pkg = package::build(entries)?;
        if !self.client.has_package(&pkg.name)? {
            tracing::info!(package = %pkg.name, bytes = pkg.bytes.len(), "uploading a job package to {}", self.client.address());
            let uri = pkg.uri();
            self.client.upload_package(&pkg.name, pkg.bytes)?;
            return Ok(uri);
        }
        Ok(pkg.uri())
    }

    /// Packs the job folder's inputs (its data) with the `cairn` binary when it is sent, uploads the
    /// package unless the cluster has it, and answers its URI. Jobs with the same inputs share it, so
    /// a search's trials pack once.
    pub fn pack_inputs(&self, job_dir: &Path) -> Result<String, JobError> {
        let inputs = job_dir.join(INPUTS_DIR);
        let mut entries = if inputs.is_dir() { package::entries_of(&inputs)? } else { Vec::new() };
        if let Some(bin) = &self.cairn {
            if !bin.is_file() {
                let source = std::io::Error::new(std::io::ErrorKind::NotFound, "the binary to send to the cluster is missing");
                return Err(JobError::Spawn { program: bin.clone(), source });
            }
            entries.push(Entry { name: "cairn".into(), source: bin.clone(), mode: 0o755 });
        }
        self.ensure_package(entries)
    }

    /// Submits a built-in job (`cairn worker` on the cluster) whose inputs were packed as `uri`.
    pub fn submit_packed(&self, spec: &JobSpec, uri: &str, job_dir: &Path) -> Result<Submitted, JobError> {
        let req = self.builtin_request(spec, uri, job_dir)?;
        self.client.submit(&req)?;
        Ok(Submitted { pid: None, pid_started: None, external_id: Some(req.submission_id) })
    }

    fn builtin_request(&self, spec: &JobSpec, uri: &str, job_dir: &Path) -> Result<SubmitRequest, JobError> {
        let mut req = labelled(spec);
        let spec_json =
            serde_json::to_string(spec).map_err(|e| JobError::BadSpec { path: job_dir.to_path_buf(), detail: e.to_string() })?;
        req.entrypoint = worker_entrypoint(&spec.job_id);
        req.runtime_env = serde_json::json!({ "working_dir": uri, "env_vars": { SPEC_ENV: spec_json } });
        // Built-in training, and an AutoML trial, is one process on one core.
        req.entrypoint_num_cpus = Some(1.0);
        Ok(req)
    }

    fn request(&self, spec: &JobSpec, job_dir: &Path) -> Result<SubmitRequest, JobError> {
        let mut req = labelled(spec);
        match &spec.kind {
            JobKind::Command { dir, command, env, resources } => {
                let uri = self.ensure_package(package::entries_of(dir)?)?;
                req.entrypoint = command.clone();
                req.runtime_env = serde_json::json!({ "working_dir": uri, "env_vars": env });
                req.entrypoint_num_cpus = resources.cpus;
                req.entrypoint_num_gpus = resources.gpus;
                req.entrypoint_memory = resources.memory_bytes;
            }
            JobKind::Train { .. } | JobKind::Automl { .. } | JobKind::AutomlTrial { .. } | JobKind::Batch { .. } => {
                let uri = self.pack_inputs(job_dir)?;
                return self.builtin_request(spec, &uri, job_dir);
            }
        }
        Ok(req)
    }
}

/// A request for `spec` under its submission id, labelled with its Cairn job, run and kind (the
/// metadata a team's dashboard shows).
fn labelled(spec: &JobSpec) -> SubmitRequest {
    let mut req = SubmitRequest { submission_id: submission_id(spec), ..Default::default() };
    req.metadata.insert("cairn.job_id".into(), spec.job_id.clone());
    req.metadata.insert("cairn.run_id".into(), spec.run_id.clone());
    req.metadata.insert("cairn.kind".into(), spec.kind_name().into());
    req
}

/// The shell line that runs `cairn worker` on the cluster: the packed binary, else one on the PATH. The
/// spec is written into a folder of its own because jobs with the same package share a working dir.
/// With several jobs of one package starting together, the packed binary was once seen missing for a
/// moment (measured, Ray 2.60): it is waited for briefly before falling back on the PATH.
fn worker_entrypoint(job_id: &str) -> String {
    let d = format!("{REMOTE_JOBS_DIR}/{job_id}");
    format!(
        "mkdir -p {d} && printf '%s' \"${SPEC_ENV}\" > {d}/spec.json && \
         for _ in 1 2 3 4 5 6 7 8 9 10; do [ -x ./cairn ] && break; sleep 0.5; done; \
         if [ -x ./cairn ]; then C=./cairn; else C=$(command -v cairn) || \
         {{ echo 'error: cairn is not on the cluster PATH (the cluster runs another platform than this computer, so the binary was not sent); install cairn there' >&2; exit 127; }}; fi && \
         exec \"$C\" worker {d}/spec.json"
    )
}

fn id_of(job: &Submitted) -> Result<&str, JobError> {
    job.external_id
        .as_deref()
        .ok_or_else(|| JobError::BadSpec { path: PathBuf::new(), detail: "the job record has no Ray submission id".into() })
}

impl Executor for RayExecutor {
    fn name(&self) -> String {
        format!("ray:{}", self.client.address())
    }

    /// Packs and uploads what the job needs, then submits it. Every refusal (version, token, size,
    /// a submission id already taken) comes before the submit, so nothing half-submitted is left.
    fn submit(&self, spec: &JobSpec, dir: &Path) -> Result<Submitted, JobError> {
        std::fs::create_dir_all(dir).map_err(|source| JobError::Files { path: dir.to_path_buf(), source })?;
        spec.write(&dir.join(crate::SPEC_FILE))?;
        let req = self.request(spec, dir)?;
        self.client.submit(&req)?;
        Ok(Submitted { pid: None, pid_started: None, external_id: Some(req.submission_id) })
    }

    fn poll(&self, job: &Submitted) -> Result<Poll, JobError> {
        let id = id_of(job)?;
        let j = self.client.job(id)?.ok_or_else(|| JobError::UnknownJob { url: self.client.address().into(), id: id.into() })?;
        let outcome = match j.status {
            RayStatus::Pending | RayStatus::Running => return Ok(Poll::Running),
            RayStatus::Succeeded => Outcome::Succeeded,
            RayStatus::Failed => Outcome::Failed,
            RayStatus::Stopped => Outcome::Stopped,
        };
        let message = match (j.error_type, j.message) {
            (Some(t), Some(m)) => Some(format!("{t}: {m}")),
            (None, m) => m,
            (Some(t), None) => Some(t),
        };
        Ok(Poll::Ended { outcome, exit_code: j.driver_exit_code, message })
    }

    fn logs(&self, job: &Submitted, _dir: &Path, offset: u64) -> Result<(String, u64), JobError> {
        let text = self.client.logs(id_of(job)?)?;
        Ok(from_offset(text.as_bytes(), offset))
    }

    /// Asks Ray to stop the job and waits up to `grace` for it to end (Ray escalates to SIGKILL itself).
    fn cancel(&self, job: &Submitted, _dir: &Path, grace: Duration) -> Result<(), JobError> {
        let id = id_of(job)?;
        self.client.stop(id)?;
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            match self.client.job(id)? {
                Some(j) if !j.status.is_terminal() => std::thread::sleep(Duration::from_millis(200)),
                _ => break,
            }
        }
        Ok(())
    }
}
