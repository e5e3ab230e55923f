//! `cairn train`, `cairn runs`, `cairn predict`, `cairn models`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cairn_api::Studio;
use cairn_types::{ApiError, ErrorCode, JobState, ModelKind, RunStatus, SearchRuns, Task, TrainSpec, Validation};

use crate::args::TrainArgs;
use crate::say;

fn invalid(msg: String, hint: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, msg).with_hint(hint)
}

fn parse_validation(v: &str) -> Result<Validation, ApiError> {
    let bad = || invalid(format!("--validation {v:?} is not understood"), "use auto, holdout:0.2 or kfold:5");
    if matches!(v.trim(), "auto" | "split") {
        return Ok(Validation::Auto);
    }
    let (kind, n) = v.split_once(':').ok_or_else(bad)?;
    match kind {
        "holdout" => Ok(Validation::Holdout { test_fraction: n.parse().map_err(|_| bad())? }),
        "kfold" => Ok(Validation::KFold { folds: n.parse().map_err(|_| bad())? }),
        _ => Err(bad()),
    }
}

pub fn spec(a: &TrainArgs) -> Result<TrainSpec, ApiError> {
    let model = ModelKind::parse(&a.model)
        .ok_or_else(|| invalid(format!("unknown model {:?}", a.model), "see `cairn models` for the models and their parameters"))?;
    let mut params = BTreeMap::new();
    for p in &a.params {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| invalid(format!("--param {p:?} must look like NAME=VALUE"), "for example --param max_depth=6"))?;
        params.insert(k.trim().to_string(), v.trim().to_string());
    }
    let task = match a.task.as_deref() {
        None => None,
        Some("classification") => Some(Task::Classification),
        Some("regression") => Some(Task::Regression),
        Some(t) => return Err(invalid(format!("--task {t:?} is not a task"), "use classification or regression")),
    };
    Ok(TrainSpec {
        dataset: a.data.clone(),
        target: a.target.clone(),
        task,
        model,
        params,
        features: a.features.clone(),
        validation: parse_validation(&a.validation)?,
        seed: a.seed,
        experiment: a.experiment.clone(),
        run_name: a.name.clone(),
        positive_class: None,
    })
}

/// Starts the training and follows its log until it ends.
pub fn train(studio: &Studio, pid: &str, a: &TrainArgs) -> Result<(), ApiError> {
    if let (Some(on), Some(token)) = (&a.on, &a.token) {
        studio.set_cluster_token(&studio.resolve_cluster(on)?, Some(token.clone()));
    }
    let started = studio.start_training_on(pid, spec(a)?, a.on.as_deref())?;
    say!("run {} (experiment {}), job {}", started.run_id, started.experiment_id, started.job_id);
    if a.detach {
        return Ok(());
    }
    let interrupted = ctrl_c_flag();
    if !follow_log(studio, pid, &started.job_id, Duration::from_millis(200), Some(&interrupted), false)? {
        // The worker runs in its own process group, so Ctrl-C reaches only this process: cancel the
        // run explicitly (KILLED), rather than leaving the worker to notice its parent is gone (FAILED).
        let job = studio.cancel_job(pid, &started.job_id)?;
        return Err(ApiError::new(ErrorCode::Cancelled, format!("run {} cancelled ({:?})", started.run_id, job.state)));
    }
    let job = studio.job(pid, &started.job_id)?;
    let run = studio.run(pid, &started.run_id)?;
    match (job.state, run.info.status) {
        (JobState::Succeeded, _) | (_, RunStatus::Finished) => Ok(()),
        _ => Err(ApiError::new(
            ErrorCode::CannotTrain,
            format!("run {} ended {:?}: {}", run.info.run_name, run.info.status, job.error.unwrap_or_default()),
        )),
    }
}

/// Prints a job's log as it grows until the job ends (true), or until `interrupted` is set (false).
pub(crate) fn follow_log(
    studio: &Studio,
    pid: &str,
    job_id: &str,
    every: Duration,
    interrupted: Option<&AtomicBool>,
    to_stderr: bool,
) -> Result<bool, ApiError> {
    let mut offset = 0;
    loop {
        if interrupted.is_some_and(|i| i.load(Ordering::Relaxed)) {
            return Ok(false);
        }
        let (text, next, done) = studio.job_log(pid, job_id, offset)?;
        if !text.is_empty() && to_stderr {
            eprint!("{text}");
        } else if !text.is_empty() {
            print!("{text}");
        }
        offset = next;
        if done {
            return Ok(true);
        }
        std::thread::sleep(every);
    }
}

/// A flag set when the user presses Ctrl-C (the first press; the default handler is replaced).
pub(crate) fn ctrl_c_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        if rt.block_on(tokio::signal::ctrl_c()).is_ok() {
            set.store(true, Ordering::Relaxed);
        }
    });
    flag
}

pub fn runs(
    studio: &Studio,
    pid: &str,
    experiment: Option<&str>,
    filter: &str,
    order_by: Vec<String>,
    max: u32,
    json: bool,
) -> Result<(), ApiError> {
    let mut q = SearchRuns { filter: filter.to_string(), order_by, max_results: max, ..Default::default() };
    if let Some(name) = experiment {
        let page = studio.experiments(pid, &Default::default())?;
        let e = page
            .experiments
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| ApiError::new(ErrorCode::ExperimentNotFound, format!("no experiment named {name:?}")))?;
        q.experiment_ids = vec![e.experiment_id.clone()];
    } else {
        q.experiment_ids = studio.experiments(pid, &Default::default())?.experiments.into_iter().map(|e| e.experiment_id).collect();
    }
    let page = studio.search_runs(pid, &q)?;
    if json {
        say!("{}", serde_json::to_string_pretty(&page).unwrap_or_default());
        return Ok(());
    }
    if page.runs.is_empty() {
        say!("No runs match.");
        return Ok(());
    }
    say!("{:<34} {:<24} {:<9} {:<14} metrics", "run id", "name", "status", "model");
    for r in &page.runs {
        let model = r.data.params.iter().find(|p| p.key == "model").map(|p| p.value.as_str()).unwrap_or("");
        let mut metrics: Vec<String> = r
            .data
            .metrics
            .iter()
            .filter(|m| ["roc_auc", "accuracy", "f1", "rmse", "r2", "mae"].contains(&m.key.as_str()))
            .map(|m| format!("{} {:.4}", m.key, m.value))
            .collect();
        metrics.sort();
        say!("{:<34} {:<24} {:<9} {:<14} {}", r.info.run_id, r.info.run_name, r.info.status.as_str(), model, metrics.join("  "));
    }
    say!("{} of {} runs", page.runs.len(), page.total);
    Ok(())
}

pub fn models() {
    for m in cairn_api::model_catalog() {
        let tasks: Vec<String> = m.tasks.iter().map(|t| format!("{t:?}").to_lowercase()).collect();
        say!("{:<15} {} ({})", m.kind.as_str(), m.label, tasks.join(", "));
        for p in &m.params {
            let range = match (p.min, p.max) {
                (Some(lo), Some(hi)) => format!(" [{lo} … {hi}]"),
                _ if !p.choices.is_empty() => format!(" [{}]", p.choices.join(" | ")),
                _ => String::new(),
            };
            say!("    {:<22} default {}{range}  {}", p.name, p.default, p.help);
        }
    }
}
