//! `cairn automl`: start a search, follow its log, print its leaderboard (or all of it as JSON).

use std::path::PathBuf;
use std::time::Duration;

use cairn_api::Studio;
use cairn_types::{ApiError, AutomlResult, AutomlSpec, ErrorCode, JobState, ModelKind, Task};

use crate::say;

#[derive(Debug, clap::Args)]
pub struct AutomlArgs {
    pub project: PathBuf,
    /// Dataset name or id.
    #[arg(long = "data")]
    pub data: String,
    /// The column to predict.
    #[arg(long)]
    pub target: String,
    /// Time budget, the final fit included: `90s`, `5m`, `1h` or seconds (default 60s without --trials).
    #[arg(long)]
    pub budget: Option<String>,
    /// Trials at most; with a seed and no time budget the search is reproducible.
    #[arg(long)]
    pub trials: Option<u32>,
    /// roc_auc, log_loss, accuracy, balanced_accuracy, f1, pr_auc (classification); rmse, mae, r2, mape
    /// (regression). Default: ROC AUC for two classes, log loss for more, RMSE for numbers.
    #[arg(long)]
    pub metric: Option<String>,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// classification or regression (default: from the target).
    #[arg(long)]
    pub task: Option<String>,
    /// Model families to search, comma-separated (default: every one suited to the task and data size).
    #[arg(long, value_delimiter = ',')]
    pub models: Vec<String>,
    /// Feature columns, comma-separated (default: all but the target, identifiers and constants).
    #[arg(long, value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    #[arg(long)]
    pub experiment: Option<String>,
    #[arg(long)]
    pub name: Option<String>,
    /// A cluster profile (or Ray dashboard address) to run the trials on, one core each across its
    /// nodes; the search, the ensemble and the final fit stay on this computer.
    #[arg(long)]
    pub on: Option<String>,
    /// The Ray cluster's token (its RAY_AUTH_TOKEN), when it uses token authentication.
    #[arg(long, env = "CAIRN_RAY_TOKEN", hide_env_values = true, requires = "on")]
    pub token: Option<String>,
    /// Print the result as JSON on stdout (the log goes to stderr).
    #[arg(long)]
    pub json: bool,
}

fn invalid(msg: String, hint: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, msg).with_hint(hint)
}

/// `90`, `90s`, `1.5m`, `2h` as seconds.
pub fn parse_budget(text: &str) -> Result<f64, ApiError> {
    let t = text.trim().to_ascii_lowercase();
    let (number, scale) = match t.chars().last() {
        Some('s') => (&t[..t.len() - 1], 1.0),
        Some('m') => (&t[..t.len() - 1], 60.0),
        Some('h') => (&t[..t.len() - 1], 3600.0),
        _ => (t.as_str(), 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v * scale),
        _ => Err(invalid(format!("--budget {text:?} is not a duration"), "use seconds or a unit: 90s, 5m, 1h")),
    }
}

pub fn spec(a: &AutomlArgs) -> Result<AutomlSpec, ApiError> {
    let task = match a.task.as_deref() {
        None => None,
        Some("classification") => Some(Task::Classification),
        Some("regression") => Some(Task::Regression),
        Some(t) => return Err(invalid(format!("--task {t:?} is not a task"), "use classification or regression")),
    };
    let models = if a.models.is_empty() {
        None
    } else {
        let kinds = a
            .models
            .iter()
            .map(|m| ModelKind::parse(m.trim()).ok_or_else(|| invalid(format!("--models: unknown model {m:?}"), "see `cairn models`")))
            .collect::<Result<Vec<_>, _>>()?;
        Some(kinds)
    };
    Ok(AutomlSpec {
        dataset: a.data.clone(),
        target: a.target.clone(),
        task,
        metric: a.metric.clone(),
        budget_seconds: a.budget.as_deref().map(parse_budget).transpose()?,
        max_trials: a.trials,
        seed: a.seed,
        models,
        features: a.features.clone(),
        positive_class: None,
        experiment: a.experiment.clone(),
        run_name: a.name.clone(),
        on: a.on.clone(),
    })
}

pub fn run(studio: &Studio, pid: &str, a: &AutomlArgs) -> Result<(), ApiError> {
    if let (Some(on), Some(token)) = (&a.on, &a.token) {
        studio.set_cluster_token(&studio.resolve_cluster(on)?, Some(token.clone()));
    }
    let started = studio.start_automl(pid, spec(a)?)?;
    let note = format!("run {} (experiment {}), job {}", started.run_id, started.experiment_id, started.job_id);
    if a.json {
        eprintln!("{note}");
    } else {
        say!("{note}");
    }
    let interrupted = crate::train::ctrl_c_flag();
    let finished = crate::train::follow_log(studio, pid, &started.job_id, Duration::from_millis(200), Some(&interrupted), a.json)?;
    if !finished {
        let job = studio.cancel_job(pid, &started.job_id)?;
        return Err(ApiError::new(ErrorCode::Cancelled, format!("search {} cancelled ({:?})", started.run_id, job.state))
            .with_hint("finished trials and the best model so far are kept in the project"));
    }
    let job = studio.job(pid, &started.job_id)?;
    if job.state != JobState::Succeeded {
        return Err(ApiError::new(ErrorCode::CannotTrain, format!("the search ended {:?}: {}", job.state, job.error.unwrap_or_default())));
    }
    let result = studio.automl_result(pid, &started.run_id)?;
    let best_trial = result.leaderboard.first().and_then(|t| t.run_id.clone());
    if a.json {
        let mut v = serde_json::to_value(&result).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        if let Some(o) = v.as_object_mut() {
            o.insert("run_id".into(), started.run_id.clone().into());
            o.insert("experiment_id".into(), started.experiment_id.clone().into());
            o.insert("job_id".into(), started.job_id.clone().into());
            o.insert("best_trial_run_id".into(), best_trial.into());
            o.insert("best_score".into(), result.score.into());
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return Ok(());
    }
    let fitted_on = studio.evaluation(pid, &started.run_id).ok().map(|e| (e.train_rows, e.rows.map_or(0, |r| r.train_rows)));
    print_leaderboard(&result, fitted_on);
    say!("");
    say!("predict with the final model: cairn predict {} {} FILE", a.project.display(), started.run_id);
    Ok(())
}

/// `fitted_on`: the final model's training rows and the search's, from its evaluation.
fn print_leaderboard(r: &AutomlResult, fitted_on: Option<(u64, u64)>) {
    say!("");
    say!(
        "{} trials in {:.1} s ({}; {}), ranked by {} on held-out rows:",
        r.leaderboard.len(),
        r.seconds,
        r.stopped,
        r.validation,
        r.metric
    );
    say!("{:>4}  {:<14} {:>9} {:>8}  {:<34} params", "#", "model", r.metric, "fit s", "run id");
    for t in r.leaderboard.iter().take(20) {
        let score = t.score.map_or_else(|| "failed".to_string(), |s| format!("{s:.4}"));
        let params: Vec<String> = t
            .params
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "iterations" | "early_stopping_rounds" | "validation_fraction"))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        say!(
            "{:>4}  {:<14} {:>9} {:>8.2}  {:<34} {}",
            t.number,
            t.model.as_str(),
            score,
            t.fit_seconds,
            t.run_id.as_deref().unwrap_or("-"),
            params.join(" ")
        );
    }
    if r.leaderboard.len() > 20 {
        say!("  … and {} more (cairn runs, or --json)", r.leaderboard.len() - 20);
    }
    let members: Vec<String> = r.ensemble.iter().map(|m| format!("trial {} {} ×{:.2}", m.trial, m.model.as_str(), m.weight)).collect();
    if let Some(s) = r.score {
        // A member whose refit would not finish in the budget keeps its model fitted on the first part.
        let fitted = match fitted_on {
            Some((fit, all)) if fit < all && r.ensemble.len() == 1 => {
                format!("fitted on {fit} of the {all} training rows (its refit on all of them would not fit the budget)")
            }
            Some((fit, all)) if fit < all => {
                format!("some members fitted on {fit} of the {all} training rows (their refit on all would not fit the budget)")
            }
            _ => "refitted on every training row".to_string(),
        };
        say!("final model: {} — {} {:.4} on the held-out rows, {fitted}", members.join(" + "), r.metric, s);
    }
}
