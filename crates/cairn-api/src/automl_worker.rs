//! The worker side of an AutoML job: runs the search, records each trial as a nested run as it starts
//! and ends, keeps the best model so far in its trial's run, writes the leaderboard as it grows, and
//! saves the final (ensemble) model, its evaluation and the leaderboard in the parent run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use cairn_jobs::{CANCEL_MARKER, JobSpec};
use cairn_ml::Model;
use cairn_store::{Project, TrackingStore};
use cairn_types::{AutomlResult, AutomlSpec, JobState, Metric, ModelKind, Param, RunStatus, Tag, TrialSummary};

use crate::automl::{RESULT_FILE, options, train_spec};
use crate::training::user;
use crate::worker::{EVALUATION_FILE, Ending, MODEL_FILE, artifact_dir, now_ms, parent_gone, summary};

struct SearchLog<'a> {
    ending: &'a Ending<'a>,
    job: &'a JobSpec,
    dataset: String,
    cancel: PathBuf,
    metric: cairn_automl::Metric,
    started: Instant,
    board: Mutex<Vec<TrialSummary>>,
    task: cairn_types::Task,
}

impl SearchLog<'_> {
    fn project(&self) -> &Project {
        self.ending.project
    }

    /// The leaderboard so far, best first, in the parent run's artifacts (the run page polls it).
    fn write_board(&self, board: &[TrialSummary]) {
        let mut leaderboard = board.to_vec();
        let sign = if self.metric.greater_is_better { -1.0 } else { 1.0 };
        leaderboard.sort_by(|a, b| {
            let key = |t: &TrialSummary| t.score.map_or(f64::INFINITY, |s| sign * s);
            key(a).total_cmp(&key(b)).then(a.number.cmp(&b.number))
        });
        let result = AutomlResult {
            task: self.task,
            metric: self.metric.name.clone(),
            greater_is_better: self.metric.greater_is_better,
            validation: String::new(),
            leaderboard,
            ensemble: Vec::new(),
            score: None,
            seconds: self.started.elapsed().as_secs_f64(),
            stopped: "running".into(),
        };
        if let Err(e) = write_result(self.project(), self.ending.run_id, &result) {
            eprintln!("warning: cannot write the leaderboard: {e}");
        }
    }
}

impl cairn_automl::Observer for SearchLog<'_> {
    fn log(&self, line: &str) {
        println!("{line}");
    }

    fn cancelled(&self) -> bool {
        self.cancel.exists() || parent_gone(self.job.parent_pid)
    }

    fn trial_started(&self, number: u32, model: ModelKind, params: &BTreeMap<String, String>) -> Option<String> {
        let p = self.project();
        let tags = vec![
            Tag { key: "mlflow.parentRunId".into(), value: self.ending.run_id.into() },
            Tag { key: "mlflow.source.name".into(), value: "cairn automl".into() },
            Tag { key: "mlflow.user".into(), value: user() },
            Tag { key: "cairn.model".into(), value: model.as_str().into() },
            Tag { key: "cairn.automl".into(), value: "trial".into() },
            Tag { key: "cairn.automl.trial".into(), value: number.to_string() },
            Tag { key: "cairn.dataset".into(), value: self.dataset.clone() },
        ];
        let name = format!("trial-{number:03}-{}", model.as_str());
        let run = match p.create_run(&self.job.experiment_id, Some(&name), &user(), now_ms(), &tags) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("warning: cannot record trial {number}: {e}");
                return None;
            }
        };
        let id = run.info.run_id;
        let mut all: Vec<Param> = vec![Param { key: "model".into(), value: model.as_str().into() }];
        all.extend(params.iter().map(|(k, v)| Param { key: k.clone(), value: v.clone() }));
        let _ = p.log_batch(&id, &[], &all, &[]);
        self.ending.children.lock().unwrap_or_else(|e| e.into_inner()).push(id.clone());
        Some(id)
    }

    fn trial_finished(&self, trial: &TrialSummary, metrics: &BTreeMap<String, f64>) {
        let p = self.project();
        let now = now_ms();
        if let Some(id) = &trial.run_id {
            let mut points: Vec<Metric> =
                metrics.iter().map(|(k, v)| Metric { key: k.clone(), value: *v, timestamp: now, step: 0 }).collect();
            points.push(Metric { key: "fit_seconds".into(), value: trial.fit_seconds, timestamp: now, step: 0 });
            for (i, s) in trial.fold_scores.iter().enumerate() {
                points.push(Metric { key: format!("fold_{}", self.metric.name), value: *s, timestamp: now, step: (i + 1) as i64 });
            }
            let _ = p.log_batch(id, &points, &[], &[]);
            let status = match trial.error.as_deref() {
                None => RunStatus::Finished,
                Some(e) if e == "cancelled" || e.starts_with("stopped") => {
                    let _ = p.set_tag(id, "cairn.error", e);
                    RunStatus::Killed
                }
                Some(e) => {
                    let _ = p.set_tag(id, "cairn.error", e);
                    RunStatus::Failed
                }
            };
            let _ = p.update_run(id, Some(status), Some(now), None);
            self.ending.children.lock().unwrap_or_else(|e| e.into_inner()).retain(|c| c != id);
        }
        let mut board = self.board.lock().unwrap_or_else(|e| e.into_inner());
        board.push(trial.clone());
        let _ = p.log_batch(
            self.ending.run_id,
            &[Metric { key: "trials".into(), value: board.len() as f64, timestamp: now, step: i64::from(trial.number) }],
            &[],
            &[],
        );
        self.write_board(&board);
    }

    fn new_best(&self, trial: &TrialSummary, model: &Model) {
        let p = self.project();
        let now = now_ms();
        if let Some(score) = trial.score {
            // The best-so-far curve: one point per improvement, at the time it was found.
            let key = format!("best_{}", self.metric.name);
            let _ =
                p.log_batch(self.ending.run_id, &[Metric { key, value: score, timestamp: now, step: i64::from(trial.number) }], &[], &[]);
        }
        let Some(id) = &trial.run_id else { return };
        // The best model so far stays with its trial, so a cancelled search still has one to predict with.
        let saved = p.get_run(id).map_err(|e| e.to_string()).and_then(|run| {
            let dir = artifact_dir(p, &run.info.artifact_uri);
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            model.save(&dir.join(MODEL_FILE)).map_err(|e| e.to_string())
        });
        match saved {
            Ok(()) => {
                let _ = p.set_tag(id, "cairn.model.file", MODEL_FILE);
                let _ = p.set_tag(self.ending.run_id, "cairn.automl.best_run", id);
            }
            Err(e) => eprintln!("warning: cannot save the best model so far: {e}"),
        }
    }
}

/// Marks a leaderboard still `running` as ended (`cancelled` or `failed`); nothing for other runs.
pub(crate) fn close_board(project: &Project, run_id: &str, state: JobState) {
    let Ok(run) = project.get_run(run_id) else { return };
    let path = artifact_dir(project, &run.info.artifact_uri).join(RESULT_FILE);
    let Ok(bytes) = std::fs::read(&path) else { return };
    let Ok(mut result) = serde_json::from_slice::<AutomlResult>(&bytes) else { return };
    if result.stopped != "running" {
        return;
    }
    result.stopped = match state {
        JobState::Cancelled => "cancelled",
        JobState::Succeeded => "finished",
        _ => "failed",
    }
    .into();
    let _ = write_result(project, run_id, &result);
}

fn write_result(project: &Project, run_id: &str, result: &AutomlResult) -> Result<(), String> {
    let run = project.get_run(run_id).map_err(|e| e.to_string())?;
    let dir = artifact_dir(project, &run.info.artifact_uri);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let bytes = serde_json::to_vec_pretty(result).map_err(|e| e.to_string())?;
    cairn_store::atomic_write(&dir.join(RESULT_FILE), &bytes).map_err(|e| e.to_string())
}

/// Runs the search of `job`; returns the process exit code.
pub(crate) fn run(project: &Project, job: &JobSpec, spec: &AutomlSpec, cluster: Option<&str>, dir: &Path, ending: &Ending<'_>) -> i32 {
    let fail = |reason: String| {
        println!("error: {reason}");
        ending.record(JobState::Failed, Some(&reason));
        1
    };
    let ds = match project.get_dataset(&spec.dataset) {
        Ok(d) => d,
        Err(e) => return fail(e.to_string()),
    };
    println!("AutoML on {} ({} rows) to predict {}", ds.name, ds.rows, spec.target);
    let frame = match crate::datasets::load_frame(project, &ds) {
        Ok(f) => f,
        Err(e) => return fail(e.message),
    };
    let data = match cairn_ml::TrainingData::new(&frame, &train_spec(spec)) {
        Ok(d) => d,
        Err(e) => return fail(cairn_types::ApiError::from(e).message),
    };
    for w in &data.checked().warnings {
        println!("warning: {w}");
    }
    let metric = match cairn_automl::Metric::for_task(spec.metric.as_deref(), data.task(), data.classes()) {
        Ok(m) => m,
        Err(e) => return fail(cairn_types::ApiError::from(e).message),
    };
    let log = SearchLog {
        ending,
        job,
        dataset: ds.name.clone(),
        cancel: dir.join(CANCEL_MARKER),
        metric,
        started: Instant::now(),
        board: Mutex::new(Vec::new()),
        task: data.task(),
    };
    let remote = match cluster.map(|address| trials_on(address, project, job, spec, &ds, &frame, dir)).transpose() {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if let Some(r) = &remote {
        println!("trials run on the cluster at {}, {} at a time", r.address(), cairn_automl::Runner::parallel(&**r));
        let r = r.clone();
        ending.on_end.lock().unwrap_or_else(|e| e.into_inner()).push(Box::new(move || r.stop_all()));
    }
    let runner = remote.as_deref().map(|r| r as &dyn cairn_automl::Runner);
    let searched = cairn_automl::search_on(&data, &options(spec), std::sync::Arc::new(cairn_automl::Fit), &log, runner);
    if let Some(r) = &remote {
        r.stop_all();
    }
    let outcome = match searched {
        Ok(o) => o,
        Err(e) => {
            let err: cairn_types::ApiError = e.into();
            if err.code == cairn_types::ErrorCode::Cancelled {
                ending.record(JobState::Cancelled, Some("cancelled by the user"));
                return 130;
            }
            let hint = err.hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default();
            return fail(format!("{}{hint}", err.message));
        }
    };
    let _ = write_result(project, &job.run_id, &outcome.result);
    let Some(model) = outcome.model else {
        println!("the search was cancelled; finished trials and the best model so far are kept");
        ending.record(JobState::Cancelled, Some("cancelled by the user"));
        return 130;
    };
    match save_final(project, &job.run_id, &model, outcome.evaluation.as_ref(), &outcome.result) {
        Ok(()) => {
            let members: Vec<String> = outcome.result.ensemble.iter().map(|m| format!("{} ({:.2})", m.model.as_str(), m.weight)).collect();
            println!("best: {}", members.join(" + "));
            if let Some(e) = &outcome.evaluation {
                println!("finished: {}", summary(&e.metrics));
            }
            ending.record(JobState::Succeeded, None);
            0
        }
        Err(e) => fail(format!("the search finished but its model could not be saved: {e}")),
    }
}

/// The cluster the trials run on, with the search's data packed for it: the dataset's stored Parquet
/// file, or the frame written into the job's folder when the project has none (an old import).
fn trials_on(
    address: &str,
    project: &Project,
    job: &JobSpec,
    spec: &AutomlSpec,
    ds: &cairn_types::Dataset,
    frame: &cairn_data::DataFrame,
    dir: &Path,
) -> Result<std::sync::Arc<crate::automl_remote::RayTrials>, String> {
    let stored = crate::datasets::data_path(project, &ds.version).map_err(|e| e.message)?;
    let data = if stored.is_file() {
        stored
    } else {
        let path = dir.join("search-data.parquet");
        cairn_data::write_parquet(&mut frame.clone(), &path).map_err(|e| format!("cannot pack the data for the cluster: {e}"))?;
        path
    };
    let r = crate::automl_remote::RayTrials::connect(address, job, spec, &data, dir)
        .map_err(|e| format!("cannot run the trials on the cluster at {address}: {e}"))?;
    Ok(std::sync::Arc::new(r))
}

/// The final model, its evaluation on the held-out rows, and its metrics and description in the parent run.
fn save_final(
    project: &Project,
    run_id: &str,
    model: &Model,
    evaluation: Option<&cairn_types::Evaluation>,
    result: &AutomlResult,
) -> Result<(), String> {
    let run = project.get_run(run_id).map_err(|e| e.to_string())?;
    let dir = artifact_dir(project, &run.info.artifact_uri);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    model.save(&dir.join(MODEL_FILE)).map_err(|e| e.to_string())?;
    let now = now_ms();
    if let Some(e) = evaluation {
        let bytes = serde_json::to_vec_pretty(e).map_err(|e| e.to_string())?;
        cairn_store::atomic_write(&dir.join(EVALUATION_FILE), &bytes).map_err(|e| e.to_string())?;
        let metrics: Vec<Metric> = e.metrics.iter().map(|(k, v)| Metric { key: k.clone(), value: *v, timestamp: now, step: 0 }).collect();
        project.log_batch(run_id, &metrics, &[], &[]).map_err(|e| e.to_string())?;
    }
    let ensemble: Vec<String> =
        result.ensemble.iter().map(|m| format!("trial {} {} x{:.2}", m.trial, m.model.as_str(), m.weight)).collect();
    let params = vec![
        Param { key: "validation".into(), value: result.validation.clone() },
        Param { key: "ensemble".into(), value: ensemble.join(", ") },
    ];
    let tags = vec![
        Tag { key: "cairn.model.file".into(), value: MODEL_FILE.into() },
        Tag { key: "cairn.automl.stopped".into(), value: result.stopped.clone() },
    ];
    project.log_batch(run_id, &[], &params, &tags).map_err(|e| e.to_string())
}
