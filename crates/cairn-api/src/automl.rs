//! AutoML searches: checked before anything is created, recorded as a parent run, run as a job in a
//! child process whose trials are nested runs (MLflow's `mlflow.parentRunId` tag), so the runs table,
//! the compare view and the MLflow API show them like any run.

use cairn_jobs::{JobKind, JobSpec, SPEC_VERSION};
use cairn_store::TrackingStore;
use cairn_types::{ApiError, AutomlResult, AutomlSpec, ErrorCode, ModelKind, Param, Tag, TrainSpec, TrainStarted, Validation};

use crate::training::{job_record_for, user};
use crate::{Studio, new_id};

/// The parent run's artifact holding the leaderboard (`AutomlResult`), written as the search goes.
pub const RESULT_FILE: &str = "automl.json";
/// The experiment searches go to when none is named.
const DEFAULT_EXPERIMENT: &str = "AutoML";

/// The training spec whose checks a search shares: the target, task, features and positive class.
pub(crate) fn train_spec(spec: &AutomlSpec) -> TrainSpec {
    TrainSpec {
        dataset: spec.dataset.clone(),
        target: spec.target.clone(),
        task: spec.task,
        // Gradient boosting does both tasks, so its checks are the target's, not a model's.
        model: ModelKind::Gbm,
        params: Default::default(),
        features: spec.features.clone(),
        validation: Validation::Auto,
        seed: spec.seed,
        experiment: None,
        run_name: None,
        positive_class: spec.positive_class.clone(),
    }
}

/// The search options of a spec.
pub(crate) fn options(spec: &AutomlSpec) -> cairn_automl::Options {
    cairn_automl::Options {
        metric: spec.metric.clone(),
        budget_seconds: spec.budget_seconds,
        max_trials: spec.max_trials,
        seed: spec.seed,
        models: spec.models.clone(),
        parallel: 0,
    }
}

fn invalid(message: String, hint: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message).with_hint(hint)
}

/// What can be refused about a spec before reading data.
fn check_spec(spec: &AutomlSpec) -> Result<(), ApiError> {
    if let Some(b) = spec.budget_seconds
        && !(b > 0.0 && b.is_finite() && b <= 7.0 * 86_400.0)
    {
        return Err(invalid(format!("the time budget must be between 0 and 7 days in seconds, not {b}"), "for example 60 (a minute)"));
    }
    if spec.max_trials == Some(0) {
        return Err(invalid("the trial budget must be at least 1".into(), "for example 50, or leave it empty for a time budget only"));
    }
    Ok(())
}

impl Studio {
    /// Checks the spec against the data, records the parent run and starts the search's job.
    pub fn start_automl(&self, pid: &str, mut spec: AutomlSpec) -> Result<TrainStarted, ApiError> {
        check_spec(&spec)?;
        let project = self.project(pid)?;
        project.ensure_writable("an AutoML search")?;
        let ds = project.get_dataset(&spec.dataset)?;
        spec.dataset = ds.id.clone();
        let frame = self.frame(&project, &ds)?;
        let data = cairn_ml::TrainingData::new(&frame, &train_spec(&spec))?;
        let metric = cairn_automl::Metric::for_task(spec.metric.as_deref(), data.task(), data.classes())?;
        if let Some(models) = &spec.models
            && !models.iter().any(|m| data.supports(*m))
        {
            return Err(invalid(
                format!("none of the chosen models can do {}", format!("{:?}", data.task()).to_lowercase()),
                "leave the models empty to search every suitable one",
            ));
        }
        // A cluster is checked (its version, the token) before anything is recorded; the search's
        // worker reaches it with the token in its environment, never on disk.
        let cluster = match spec.on.as_deref() {
            Some(on) => {
                let address = self.ray_executor(on)?.client().address().to_string();
                let token = self.cluster_token(&address)?;
                Some((address, token))
            }
            None => None,
        };
        let now = self.now();
        let experiment = spec.experiment.clone().unwrap_or_else(|| DEFAULT_EXPERIMENT.into());
        let experiment_id = match project.get_experiment_by_name(&experiment)? {
            Some(e) => e.experiment_id,
            None => project.create_experiment(&experiment, None, &[], now)?,
        };
        let tags = vec![
            Tag { key: "mlflow.source.type".into(), value: "LOCAL".into() },
            Tag { key: "mlflow.source.name".into(), value: "cairn automl".into() },
            Tag { key: "mlflow.user".into(), value: user() },
            Tag { key: "cairn.model".into(), value: "automl".into() },
            Tag { key: "cairn.automl".into(), value: "search".into() },
            Tag { key: "cairn.dataset".into(), value: ds.name.clone() },
            Tag { key: "cairn.dataset.id".into(), value: ds.id.clone() },
            Tag { key: "cairn.dataset.digest".into(), value: ds.digest.clone() },
            Tag { key: "cairn.version".into(), value: env!("CARGO_PKG_VERSION").into() },
            Tag { key: "cairn.executor".into(), value: "local".into() },
        ];
        let mut tags = tags;
        if let Some((address, _)) = &cluster {
            tags.push(Tag { key: "cairn.automl.cluster".into(), value: address.clone() });
        }
        let name = spec.run_name.clone().or_else(|| Some(format!("automl-{}", spec.target)));
        let run = project.create_run(&experiment_id, name.as_deref(), &user(), now, &tags)?;
        let run_id = run.info.run_id.clone();
        let mut params: Vec<(String, String)> = vec![
            ("model".into(), "automl".into()),
            ("target".into(), spec.target.clone()),
            ("task".into(), format!("{:?}", data.task()).to_lowercase()),
            ("dataset".into(), ds.name.clone()),
            ("features".into(), data.checked().features.len().to_string()),
            ("metric".into(), metric.name.clone()),
            ("seed".into(), spec.seed.to_string()),
        ];
        if let Some(b) = spec.budget_seconds {
            params.push(("budget_seconds".into(), b.to_string()));
        }
        if let Some(t) = spec.max_trials {
            params.push(("max_trials".into(), t.to_string()));
        }
        if let Some(m) = &spec.models {
            params.push(("models".into(), m.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")));
        }
        if let Some(on) = &spec.on {
            params.push(("on".into(), on.clone()));
        }
        let params: Vec<Param> = params.into_iter().map(|(key, value)| Param { key, value }).collect();
        project.log_batch(&run_id, &[], &params, &[])?;

        let job_id = new_id("job");
        let job = JobSpec {
            version: SPEC_VERSION,
            job_id: job_id.clone(),
            project: project.root().to_path_buf(),
            run_id: run_id.clone(),
            experiment_id: experiment_id.clone(),
            parent_pid: Some(std::process::id()),
            kind: JobKind::Automl { spec, cluster: cluster.as_ref().map(|c| c.0.clone()) },
        };
        project.insert_job(&job_record_for(&job, "local", now))?;
        let env: Vec<(&str, String)> = cluster.and_then(|c| c.1).map(|t| (crate::automl_remote::TOKEN_ENV, t)).into_iter().collect();
        self.spawn_local_with(&project, &job, &env)?;
        Ok(TrainStarted { job_id, run_id, experiment_id })
    }

    /// A search's leaderboard as its job last wrote it (live while it runs).
    pub fn automl_result(&self, pid: &str, run_id: &str) -> Result<AutomlResult, ApiError> {
        let project = self.project(pid)?;
        let run = project.get_run(run_id)?;
        let path = crate::worker::artifact_dir(&project, &run.info.artifact_uri).join(RESULT_FILE);
        let bytes = std::fs::read(&path).map_err(|_| {
            ApiError::new(ErrorCode::FileNotFound, format!("run `{run_id}` has no leaderboard yet"))
                .with_hint("it appears once the search's first trial ends; is this an AutoML run?")
        })?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::new(ErrorCode::ProjectCorrupt, format!("{}: {e}", path.display())))
    }
}
