//! An AutoML search's trials on a Ray cluster. The search stays on the laptop (it proposes, records the
//! nested runs, ensembles and makes the final fit); each trial is a Ray job of one core, which Ray
//! places on any node with a free core. The search's data and the `cairn` binary travel once as one
//! package; a trial's job runs `cairn worker`, which rebuilds the search's folds from the same data and
//! seed and prints what the trial measured as the result block of its log (cairn_jobs::result).
//!
//! A cluster that stops answering for [`LOST_AFTER`] is given up: the trials running there are
//! recorded as failed with why, and the search ends here with the trials that finished.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cairn_automl::{Observer, Runner, TrialReport, TrialRequest};
use cairn_jobs::result::{RemoteOutcome, decode, encode};
use cairn_jobs::{JobError, JobKind, JobSpec, RayExecutor, SPEC_VERSION, submission_id};
use cairn_ml::MlError;
use cairn_types::AutomlSpec;

use crate::remote::{DATA_FILE, is_loopback, put_inputs};

/// The worker's environment variable with the cluster's token (never written into the spec).
pub(crate) const TOKEN_ENV: &str = "CAIRN_RAY_TOKEN";
const POLL: Duration = Duration::from_millis(250);
/// How long a cluster may not answer before the search gives up on it.
const LOST_AFTER: Duration = Duration::from_secs(15);

/// Runs trials as Ray jobs.
pub(crate) struct RayTrials {
    ex: RayExecutor,
    /// The package (data and binary) every trial's job runs in.
    uri: String,
    search: JobSpec,
    spec: AutomlSpec,
    dir: PathBuf,
    parallel: usize,
    /// Submission ids of the trials running now.
    running: Mutex<BTreeSet<String>>,
    /// Since when the cluster has not answered.
    silent_since: Mutex<Option<Instant>>,
    gone: Mutex<Option<String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl RayTrials {
    /// Connects (the token comes from the environment), packs the search's data with the `cairn`
    /// binary when the cluster is this computer, uploads it unless the cluster has it, and asks how
    /// many cores the cluster has.
    pub fn connect(address: &str, search: &JobSpec, spec: &AutomlSpec, data: &Path, dir: &Path) -> Result<RayTrials, String> {
        let token = std::env::var(TOKEN_ENV).ok().filter(|t| !t.is_empty());
        let mut ex = RayExecutor::connect(address, token).map_err(|e| cairn_types::ApiError::from(e).message)?;
        if is_loopback(address)
            && let Ok(me) = std::env::current_exe()
        {
            ex = ex.with_cairn_binary(me);
        }
        let inputs = put_inputs(dir, data).map_err(|e| cairn_types::ApiError::from(e).message)?;
        let uri = ex.pack_inputs(dir).map_err(|e| cairn_types::ApiError::from(e).message);
        let _ = std::fs::remove_dir_all(&inputs);
        let uri = uri?;
        let cpus = ex.client().cpus().map_err(|e| cairn_types::ApiError::from(e).message)?;
        Ok(RayTrials {
            ex,
            uri,
            search: search.clone(),
            spec: spec.clone(),
            dir: dir.to_path_buf(),
            parallel: (cpus.floor() as usize).max(1),
            running: Mutex::default(),
            silent_since: Mutex::default(),
            gone: Mutex::default(),
        })
    }

    pub fn address(&self) -> &str {
        self.ex.client().address()
    }

    /// Stops every trial still running on the cluster (the search ended, or was cancelled).
    pub fn stop_all(&self) {
        let ids: Vec<String> = lock(&self.running).iter().cloned().collect();
        for id in ids {
            let _ = self.ex.client().stop(&id);
        }
    }

    /// The cluster answered.
    fn heard(&self) {
        *lock(&self.silent_since) = None;
    }

    /// The cluster did not answer: an error once it has been silent too long (the cluster is then gone).
    fn silent(&self, e: &JobError) -> Option<MlError> {
        let since = *lock(&self.silent_since).get_or_insert_with(Instant::now);
        if since.elapsed() < LOST_AFTER {
            return None;
        }
        let detail = e.to_string();
        let why = format!("the cluster at {} stopped answering for {} s ({detail})", self.address(), LOST_AFTER.as_secs());
        lock(&self.gone).get_or_insert(why.clone());
        Some(lost(why))
    }

    fn job(&self, trial: &TrialRequest) -> Result<JobSpec, MlError> {
        let trial_json = serde_json::to_value(trial).map_err(|e| MlError::Internal(format!("a trial to JSON: {e}")))?;
        Ok(JobSpec {
            version: SPEC_VERSION,
            job_id: format!("{}-t{:04}", self.search.job_id, trial.number),
            project: self.search.project.clone(),
            run_id: self.search.run_id.clone(),
            experiment_id: self.search.experiment_id.clone(),
            parent_pid: None,
            kind: JobKind::AutomlTrial { spec: self.spec.clone(), trial: trial_json, data: DATA_FILE.into() },
        })
    }

    /// Waits for a submitted trial's job to end and reads its report from the log.
    fn follow(&self, job: &JobSpec, id: &str, until: Option<Instant>, observer: &dyn Observer) -> Result<TrialReport, MlError> {
        let ended = loop {
            std::thread::sleep(POLL);
            if observer.cancelled() || until.is_some_and(|t| Instant::now() > t) {
                let _ = self.ex.client().stop(id);
                return Err(MlError::Cancelled);
            }
            if let Some(why) = self.gone() {
                return Err(lost(why));
            }
            match self.ex.client().job(id) {
                Ok(Some(j)) => {
                    self.heard();
                    if j.status.is_terminal() {
                        break j;
                    }
                }
                Ok(None) => return Err(failed(format!("the cluster has no record of this trial's job {id} any more"))),
                Err(e) => {
                    if let Some(err) = self.silent(&e) {
                        return Err(err);
                    }
                }
            }
        };
        let log = loop {
            match self.ex.client().logs(id) {
                Ok(l) => break l,
                Err(e) => {
                    if let Some(err) = self.silent(&e) {
                        return Err(err);
                    }
                    std::thread::sleep(POLL);
                }
            }
        };
        match decode(&log, &job.job_id) {
            Some(Ok(o)) if o.status == "succeeded" => {
                let report = o.evaluation.ok_or_else(|| failed("the trial's result has no report".into()))?;
                serde_json::from_value(report).map_err(|e| failed(format!("the trial's report cannot be read: {e}")))
            }
            Some(Ok(o)) if o.status == "cancelled" => Err(MlError::Cancelled),
            Some(Ok(o)) => Err(failed(o.error.unwrap_or_else(|| "the trial failed on the cluster".into()))),
            Some(Err(e)) => Err(failed(format!("the trial's result is damaged: {e}"))),
            None => {
                let last = log.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("(empty log)");
                let why = ended.message.unwrap_or_else(|| format!("{:?}", ended.status));
                Err(failed(format!("its job on the cluster ended without a result ({why}); its log ends: {last}")))
            }
        }
    }
}

impl Runner for RayTrials {
    fn parallel(&self) -> usize {
        self.parallel
    }

    fn run(&self, trial: &TrialRequest, until: Option<Instant>, observer: &dyn Observer) -> Result<TrialReport, MlError> {
        if let Some(why) = self.gone() {
            return Err(lost(why));
        }
        let job = self.job(trial)?;
        let id = submission_id(&job);
        loop {
            match self.ex.submit_packed(&job, &self.uri, &self.dir) {
                Ok(_) | Err(JobError::AlreadySubmitted { .. }) => break,
                Err(e @ (JobError::Unreachable { .. } | JobError::Ray { .. })) => {
                    if let Some(err) = self.silent(&e) {
                        return Err(err);
                    }
                    if observer.cancelled() || until.is_some_and(|t| Instant::now() > t) {
                        return Err(MlError::Cancelled);
                    }
                    std::thread::sleep(POLL * 4);
                }
                Err(e) => return Err(failed(format!("the cluster refused the trial: {}", cairn_types::ApiError::from(e).message))),
            }
        }
        self.heard();
        lock(&self.running).insert(id.clone());
        let r = self.follow(&job, &id, until, observer);
        lock(&self.running).remove(&id);
        r
    }

    fn gone(&self) -> Option<String> {
        lock(&self.gone).clone()
    }
}

fn failed(message: String) -> MlError {
    MlError::CannotTrain { message, hint: None }
}

fn lost(why: String) -> MlError {
    MlError::cannot(why, "check that the cluster is up (cairn clusters), then start the search again, or run it on this computer")
}

/// `cairn worker` for one trial on the cluster: reads the search's data packed with it, runs the trial
/// and prints its report as the result block. Returns the exit code.
pub(crate) fn run_trial_here(job: &JobSpec, spec: &AutomlSpec, trial: &serde_json::Value, data: &str) -> i32 {
    let report = (|| {
        let trial: TrialRequest =
            serde_json::from_value(trial.clone()).map_err(|e| MlError::Internal(format!("the trial cannot be read: {e}")))?;
        let frame = cairn_data::read_parquet(Path::new(data))
            .map_err(|e| MlError::Internal(format!("cannot read the search's data {data}: {e}")))?;
        let training = cairn_ml::TrainingData::new(&frame, &crate::automl::train_spec(spec))?;
        println!("trial {}: {} on {} rows (on the cluster)", trial.number, trial.model.as_str(), training.rows().len());
        cairn_automl::run_trial(&training, &trial)
    })();
    let outcome = match report {
        Ok(r) => match serde_json::to_value(&r) {
            Ok(v) => {
                RemoteOutcome { status: "succeeded".into(), error: None, metrics: vec![], params: vec![], evaluation: Some(v), model: None }
            }
            Err(e) => outcome_failed(format!("the trial's report cannot be written: {e}")),
        },
        Err(MlError::Cancelled) => RemoteOutcome { status: "cancelled".into(), ..outcome_failed("stopped: its time ran out".into()) },
        Err(e) => {
            println!("error: {e}");
            outcome_failed(e.to_string())
        }
    };
    let code = if outcome.status == "failed" { 1 } else { 0 };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(encode(&job.job_id, &outcome).as_bytes());
    let _ = out.flush();
    code
}

fn outcome_failed(error: String) -> RemoteOutcome {
    RemoteOutcome { status: "failed".into(), error: Some(error), metrics: vec![], params: vec![], evaluation: None, model: None }
}
