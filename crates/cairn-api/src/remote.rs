//! Built-in training on a Ray cluster, seen from the laptop: the job's data is packed with it, the job is
//! followed (status, and its log copied into the job's local log file, so `job_log` reads it like a local
//! one), and when it ends the result block in its log is recorded into the run: metrics with their steps,
//! params, the model file and its evaluation. A cluster that cannot be reached is asked again later, with
//! backoff; the run is left as it is meanwhile, never marked failed for that.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Duration;

use cairn_jobs::result::{RemoteOutcome, base64_decode, block_start, decode};
use cairn_jobs::{Executor, INPUTS_DIR, JobError, JobSpec, Outcome, Poll, RayExecutor, Submitted};
use cairn_store::{Project, TrackingStore};
use cairn_types::{ApiError, JobState, Metric, Param, RunStatus, Tag};

use crate::training::finish_failed;
use crate::worker::{EVALUATION_FILE, MODEL_FILE, artifact_dir};
use crate::{Clock, Studio};

const FOLLOW_EVERY: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The data file packed with a remote training, in its working directory.
pub(crate) const DATA_FILE: &str = "data.parquet";

/// Puts `data` into the job folder's inputs as [`DATA_FILE`], to be packed for the cluster; answers the
/// inputs folder, which the caller removes once packed.
pub(crate) fn put_inputs(job_dir: &Path, data: &Path) -> Result<PathBuf, JobError> {
    let inputs = job_dir.join(INPUTS_DIR);
    std::fs::create_dir_all(&inputs).map_err(|source| JobError::Files { path: inputs.clone(), source })?;
    let packed = inputs.join(DATA_FILE);
    let _ = std::fs::remove_file(&packed);
    // A hard link costs nothing; a copy where links are not possible (another file system).
    if std::fs::hard_link(data, &packed).is_err() {
        std::fs::copy(data, &packed).map_err(|source| JobError::Files { path: packed.clone(), source })?;
    }
    Ok(inputs)
}

/// The cluster address of an executor name `ray:<address>`.
pub(crate) fn ray_address(executor: &str) -> Option<&str> {
    executor.strip_prefix("ray:")
}

pub(crate) fn is_loopback(address: &str) -> bool {
    let a = cairn_jobs::ray::normalize_address(address);
    let host = a.split("://").nth(1).unwrap_or("").split([':', '/']).next().unwrap_or("");
    matches!(host, "127.0.0.1" | "localhost" | "[" | "::1") || a.contains("://[::1]")
}

impl Studio {
    /// Connects to a cluster (checks its version and the token) before anything is recorded. The
    /// `cairn` binary is packed when the cluster is this computer (the same platform for sure);
    /// otherwise the cluster must have `cairn` on its PATH, which the job's log says if it has not.
    /// `on` is a cluster profile's name or an address.
    pub(crate) fn ray_executor(&self, on: &str) -> Result<RayExecutor, ApiError> {
        let address = &self.resolve_cluster(on)?;
        let ex = RayExecutor::connect(address, self.cluster_token(address)?)?;
        Ok(if is_loopback(address) { ex.with_cairn_binary(self.worker.clone()) } else { ex })
    }

    /// Packs the dataset, submits the job and follows it in the background.
    pub(crate) fn submit_remote(&self, project: &Arc<Project>, ex: RayExecutor, job: &JobSpec, data: &Path) -> Result<(), ApiError> {
        let dir = project.artifacts("jobs")?.join(&job.job_id);
        let inputs = put_inputs(&dir, data)?;
        let submitted = ex.submit(job, &dir)?;
        let id = submitted.external_id.clone().unwrap_or_default();
        project.job_submitted(&job.job_id, &id, self.now())?;
        // The package is on the cluster now; the local copy of the data is not needed.
        let _ = std::fs::remove_dir_all(&inputs);
        self.follow_remote(project, ex, submitted, job);
        Ok(())
    }

    /// Follows a submitted job in the background until it ends (or this studio is dropped).
    pub(crate) fn follow_remote(&self, project: &Arc<Project>, ex: RayExecutor, submitted: Submitted, job: &JobSpec) {
        let Ok(dir) = project.artifacts("jobs").map(|d| d.join(&job.job_id)) else { return };
        self.follow_in_background(project, ex, submitted, &job.job_id, &job.run_id, dir);
    }

    /// After a restart: a remote job is followed again where it is; nothing is marked failed here.
    pub(crate) fn reattach_remote(&self, project: &Arc<Project>, job: &cairn_store::JobRecord) {
        let Some(address) = ray_address(&job.info.executor) else { return };
        let token = self.cluster_token(address).unwrap_or_else(|e| {
            tracing::warn!("job {}: {}", job.info.id, e.message);
            None
        });
        let ex = match RayExecutor::offline(address, token) {
            Ok(ex) => ex,
            Err(e) => return tracing::warn!("cannot follow job {} on {address}: {e}", job.info.id),
        };
        let Ok(dir) = project.artifacts("jobs").map(|d| d.join(&job.info.id)) else { return };
        let sub = Submitted { pid: None, pid_started: None, external_id: job.external_id.clone() };
        self.follow_in_background(project, ex, sub, &job.info.id, &job.info.run_id, dir);
    }

    fn follow_in_background(&self, project: &Arc<Project>, ex: RayExecutor, sub: Submitted, job_id: &str, run_id: &str, dir: PathBuf) {
        let f = Follow {
            project: project.clone(),
            ex,
            sub,
            job_id: job_id.into(),
            run_id: run_id.into(),
            dir,
            clock: self.clock.clone(),
            life: Arc::downgrade(&self.life),
            notes: self.following.clone(),
        };
        let _ = std::thread::Builder::new().name("cairn-ray-job".into()).spawn(move || f.run());
    }

    /// What keeps a job from being followed right now (its cluster cannot be reached), if anything.
    pub(crate) fn following_note(&self, job_id: &str) -> Option<String> {
        crate::lock(&self.following).get(job_id).cloned()
    }
}

/// Job id → why it cannot be followed at the moment, shared by the following threads and the API.
pub(crate) type FollowNotes = Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>;

/// A remote job being followed until it ends (or the studio is dropped).
struct Follow {
    project: Arc<Project>,
    ex: RayExecutor,
    sub: Submitted,
    job_id: String,
    run_id: String,
    dir: PathBuf,
    clock: Clock,
    life: Weak<()>,
    notes: FollowNotes,
}

impl Follow {
    /// Polls until the job ends, copying its log as it grows; an unreachable cluster (or a token it now
    /// refuses) is asked again with backoff, for as long as this process runs, and the API says so.
    fn run(self) {
        let Follow { project, ex, sub, job_id, run_id, dir, clock, life, notes } = &self;
        let mut backoff = FOLLOW_EVERY;
        let mut since: Option<i64> = None;
        loop {
            if life.upgrade().is_none() {
                break;
            }
            // Another Studio (or a cancel) may have ended it.
            if let Ok(Some(rec)) = project.get_job(job_id)
                && !matches!(rec.info.state, JobState::Queued | JobState::Running)
            {
                break;
            }
            let step = ex.poll(sub).and_then(|p| ex.client().logs(sub.external_id.as_deref().unwrap_or("")).map(|log| (p, log)));
            match step {
                Ok((Poll::Running, log)) => {
                    copy_log(dir, job_id, &log);
                    backoff = FOLLOW_EVERY;
                    // Reachable again (the note of a job that ends goes with it, below the loop).
                    crate::lock(notes).remove(job_id.as_str());
                    since = None;
                }
                Ok((Poll::Ended { outcome, exit_code, message }, log)) => {
                    copy_log(dir, job_id, &log);
                    finish(project, job_id, run_id, outcome, exit_code, message, &log, clock());
                    break;
                }
                Err(JobError::UnknownJob { url, .. }) => {
                    let reason = format!("the job is gone from the Ray cluster at {url} (deleted, or the cluster was restarted)");
                    finish_failed(project, job_id, run_id, None, &reason, clock());
                    break;
                }
                Err(e) => {
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    let from = *since.get_or_insert_with(|| clock());
                    let note = format!(
                        "{e} — retrying every {} s (since {} s ago); the job runs on meanwhile",
                        backoff.as_secs(),
                        (clock() - from) / 1000
                    );
                    tracing::warn!(job = job_id.as_str(), "cannot follow the job: {note}");
                    crate::lock(notes).insert(job_id.clone(), note);
                }
            }
            std::thread::sleep(backoff);
        }
        crate::lock(notes).remove(job_id.as_str());
    }
}

/// Appends what is new in the cluster's log to the local log file, up to the result block and only
/// whole lines (a line being written is copied next time).
fn copy_log(dir: &Path, job_id: &str, log: &str) {
    let path = dir.join(cairn_jobs::LOG_FILE);
    let have = std::fs::metadata(&path).map(|m| m.len() as usize).unwrap_or(0);
    let visible = &log.as_bytes()[..block_start(log, job_id).unwrap_or(log.len())];
    let whole = visible.iter().rposition(|&b| b == b'\n').map(|i| i + 1).unwrap_or(0);
    if whole <= have {
        return;
    }
    let _ = std::fs::create_dir_all(dir);
    let appended = std::fs::OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| f.write_all(&visible[have..whole]));
    if let Err(e) = appended {
        tracing::warn!("cannot write {}: {e}", path.display());
    }
}

#[allow(clippy::too_many_arguments)]
fn finish(
    project: &Project,
    job_id: &str,
    run_id: &str,
    outcome: Outcome,
    exit_code: Option<i32>,
    message: Option<String>,
    log: &str,
    now: i64,
) {
    let said = message.unwrap_or_default();
    match decode(log, job_id) {
        Some(Ok(o)) if o.status == "succeeded" => match record_outcome(project, job_id, run_id, &o, now) {
            Ok(()) => {
                if let Ok(true) = project.job_ended(job_id, JobState::Succeeded, exit_code.or(Some(0)), None, now) {
                    let _ = project.update_run(run_id, Some(RunStatus::Finished), Some(now), None);
                }
            }
            Err(e) => finish_failed(
                project,
                job_id,
                run_id,
                exit_code,
                &format!("the job succeeded on the cluster but its result could not be recorded: {e}"),
                now,
            ),
        },
        Some(Ok(o)) => {
            let _ = record_metrics(project, run_id, &o);
            let reason = o.error.unwrap_or_else(|| "the training failed on the cluster".into());
            finish_failed(project, job_id, run_id, exit_code, &reason, now);
        }
        Some(Err(e)) => finish_failed(project, job_id, run_id, exit_code, &format!("the job's result cannot be read: {e}"), now),
        // A custom command reports nothing but its exit.
        None if outcome == Outcome::Succeeded && is_command(project, job_id) => {
            if let Ok(true) = project.job_ended(job_id, JobState::Succeeded, exit_code.or(Some(0)), None, now) {
                let _ = project.update_run(run_id, Some(RunStatus::Finished), Some(now), None);
            }
        }
        None if outcome == Outcome::Stopped => {
            if let Ok(true) = project.job_ended(job_id, JobState::Cancelled, exit_code, Some("stopped on the cluster"), now) {
                let _ = project.set_tag(run_id, "cairn.error", "stopped on the cluster");
                let _ = project.update_run(run_id, Some(RunStatus::Killed), Some(now), None);
            }
        }
        None => {
            let code = exit_code.map(|c| format!(", exit code {c}")).unwrap_or_default();
            let reason = if is_command(project, job_id) {
                format!("the command failed on the cluster ({outcome:?}{code}): {said}")
            } else {
                format!("the job ended on the cluster ({outcome:?}{code}) without reporting a result: {said}")
            };
            finish_failed(project, job_id, run_id, exit_code, reason.trim_end_matches(": "), now);
        }
    }
}

/// A batch prediction reports its result; a training its model.
fn record_outcome(project: &Project, job_id: &str, run_id: &str, o: &RemoteOutcome, now: i64) -> Result<(), String> {
    if crate::batch::is_batch(project, job_id) { crate::batch::record_remote(project, run_id, o) } else { record(project, run_id, o, now) }
}

fn is_command(project: &Project, job_id: &str) -> bool {
    project.get_job(job_id).ok().flatten().is_some_and(|j| j.info.kind == "command")
}

fn record_metrics(project: &Project, run_id: &str, o: &RemoteOutcome) -> Result<(), String> {
    let metrics: Vec<Metric> =
        o.metrics.iter().map(|p| Metric { key: p.key.clone(), value: p.value, timestamp: p.timestamp, step: p.step }).collect();
    for chunk in metrics.chunks(1000) {
        project.log_batch(run_id, chunk, &[], &[]).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Records a remote success the way the local worker does: model and evaluation into the run's
/// artifacts, then metrics, new params and the model tag.
fn record(project: &Project, run_id: &str, o: &RemoteOutcome, _now: i64) -> Result<(), String> {
    let run = project.get_run(run_id).map_err(|e| e.to_string())?;
    let dir = artifact_dir(project, &run.info.artifact_uri);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if let Some(model) = &o.model {
        let bytes = base64_decode(model).ok_or("the model in the result is not base64")?;
        cairn_store::atomic_write(&dir.join(MODEL_FILE), &bytes).map_err(|e| e.to_string())?;
    }
    if let Some(eval) = &o.evaluation {
        let bytes = serde_json::to_vec_pretty(eval).map_err(|e| e.to_string())?;
        cairn_store::atomic_write(&dir.join(EVALUATION_FILE), &bytes).map_err(|e| e.to_string())?;
    }
    record_metrics(project, run_id, o)?;
    let known: std::collections::HashSet<&str> = run.data.params.iter().map(|p| p.key.as_str()).collect();
    let params: Vec<Param> =
        o.params.iter().filter(|(k, _)| !known.contains(k.as_str())).map(|(k, v)| Param { key: k.clone(), value: v.clone() }).collect();
    for chunk in params.chunks(100) {
        project.log_batch(run_id, &[], chunk, &[]).map_err(|e| e.to_string())?;
    }
    if o.model.is_some() {
        let tags = vec![Tag { key: "cairn.model.file".into(), value: MODEL_FILE.into() }];
        project.log_batch(run_id, &[], &[], &tags).map_err(|e| e.to_string())?;
    }
    Ok(())
}
