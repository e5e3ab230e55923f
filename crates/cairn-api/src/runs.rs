//! Experiments and runs as the studio shows them: search, a run's evaluation and metric curves, its
//! files, notes and tags, and predictions from its model.

use std::path::{Path, PathBuf};

use cairn_store::TrackingStore;
use cairn_types::{
    ApiError, ArtifactFile, DType, ErrorCode, Evaluation, Experiment, ExperimentsPage, ImportOptions, MetricSeries, Run, RunStatus,
    RunsPage, SearchExperiments, SearchRuns, Tag, TypeOverride,
};

use crate::Studio;
use crate::worker::{EVALUATION_FILE, MODEL_FILE, artifact_dir};

/// Charts never need more points than this per series.
const MAX_POINTS: u32 = 1000;

impl Studio {
    pub fn experiments(&self, pid: &str, q: &SearchExperiments) -> Result<ExperimentsPage, ApiError> {
        Ok(self.project(pid)?.search_experiments(q)?)
    }

    pub fn create_experiment(&self, pid: &str, name: &str) -> Result<Experiment, ApiError> {
        let project = self.project(pid)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidInput, "an experiment needs a name"));
        }
        let id = project.create_experiment(name, None, &[], self.now())?;
        Ok(project.get_experiment(&id)?)
    }

    pub fn search_runs(&self, pid: &str, q: &SearchRuns) -> Result<RunsPage, ApiError> {
        Ok(self.project(pid)?.search_runs(q)?)
    }

    /// Keys for the column picker and filter completion.
    pub fn run_keys(&self, pid: &str, experiment_ids: &[String]) -> Result<cairn_types::RunKeys, ApiError> {
        Ok(self.project(pid)?.run_keys(experiment_ids)?)
    }

    pub fn run(&self, pid: &str, run_id: &str) -> Result<Run, ApiError> {
        Ok(self.project(pid)?.get_run(run_id)?)
    }

    /// The run's evaluation (curves, confusion matrix, importances); NOT_COMPUTED until it finishes.
    pub fn evaluation(&self, pid: &str, run_id: &str) -> Result<Evaluation, ApiError> {
        let run = self.run(pid, run_id)?;
        let path = artifact_dir(&*self.project(pid)?, &run.info.artifact_uri).join(EVALUATION_FILE);
        let bytes = std::fs::read(&path).map_err(|_| {
            let why = match run.info.status {
                RunStatus::Running | RunStatus::Scheduled => "it is still training",
                _ => "it did not finish, or was not trained by Cairn",
            };
            ApiError::new(ErrorCode::NotComputed, format!("run `{}` has no evaluation: {why}", run.info.run_name))
        })?;
        serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(ErrorCode::ProjectCorrupt, format!("{} cannot be read: {e}", path.display())).with_hint("train the model again")
        })
    }

    /// A metric's history for a chart, downsampled to at most `max_points` (≤ 1000).
    pub fn metric_series(&self, pid: &str, run_id: &str, key: &str, max_points: u32) -> Result<MetricSeries, ApiError> {
        let max = if max_points == 0 { MAX_POINTS } else { max_points.min(MAX_POINTS) };
        Ok(self.project(pid)?.metric_series(run_id, key, max)?)
    }

    pub fn set_run_tag(&self, pid: &str, run_id: &str, tag: &Tag) -> Result<Run, ApiError> {
        let project = self.project(pid)?;
        project.set_tag(run_id, &tag.key, &tag.value)?;
        Ok(project.get_run(run_id)?)
    }

    pub fn delete_run_tag(&self, pid: &str, run_id: &str, key: &str) -> Result<Run, ApiError> {
        let project = self.project(pid)?;
        project.delete_tag(run_id, key)?;
        Ok(project.get_run(run_id)?)
    }

    /// Renames a run and/or sets its note (MLflow's `mlflow.note.content` tag).
    pub fn update_run(&self, pid: &str, run_id: &str, name: Option<&str>, note: Option<&str>) -> Result<Run, ApiError> {
        let project = self.project(pid)?;
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            project.update_run(run_id, None, None, Some(n))?;
        }
        if let Some(note) = note {
            project.set_tag(run_id, "mlflow.note.content", note)?;
        }
        Ok(project.get_run(run_id)?)
    }

    pub fn delete_run(&self, pid: &str, run_id: &str) -> Result<(), ApiError> {
        Ok(self.project(pid)?.delete_run(run_id, self.now())?)
    }

    /// The files a run produced.
    pub fn artifacts(&self, pid: &str, run_id: &str) -> Result<Vec<ArtifactFile>, ApiError> {
        let run = self.run(pid, run_id)?;
        let root = artifact_dir(&*self.project(pid)?, &run.info.artifact_uri);
        let mut out = Vec::new();
        walk(&root, &root, &mut out);
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// The path of one of a run's files, refusing anything outside its folder.
    pub fn artifact_path(&self, pid: &str, run_id: &str, rel: &str) -> Result<PathBuf, ApiError> {
        let run = self.run(pid, run_id)?;
        let root = artifact_dir(&*self.project(pid)?, &run.info.artifact_uri);
        let path = root.join(rel);
        let inside = path.canonicalize().ok().zip(root.canonicalize().ok()).is_some_and(|(p, r)| p.starts_with(r));
        if !inside || !path.is_file() {
            return Err(ApiError::new(ErrorCode::FileNotFound, format!("run `{}` has no file `{rel}`", run.info.run_name)));
        }
        Ok(path)
    }

    /// Predicts with a run's model on a file of raw rows (read like an import, with default options).
    /// Returns the input rows with the predictions appended.
    pub fn predict(&self, pid: &str, run_id: &str, file: &Path) -> Result<cairn_data::DataFrame, ApiError> {
        self.predict_explained(pid, run_id, file, false)
    }

    /// Like [`predict`](Self::predict); with `explain`, each row's per-feature contributions to the
    /// margin (`contrib_<feature>`, `contrib_bias`, `margin`: exact TreeSHAP values of a gbm model).
    pub fn predict_explained(&self, pid: &str, run_id: &str, file: &Path, explain: bool) -> Result<cairn_data::DataFrame, ApiError> {
        let run = self.run(pid, run_id)?;
        let model_path = artifact_dir(&*self.project(pid)?, &run.info.artifact_uri).join(MODEL_FILE);
        if !model_path.exists() {
            return Err(ApiError::new(ErrorCode::NotComputed, format!("run `{}` has no model", run.info.run_name))
                .with_hint("predict with a run that finished training"));
        }
        let model = cairn_ml::Model::load(&model_path)?;
        let project = self.project(pid)?;
        let front = crate::inference_flow::model_front(&project, &run, &model_path, &model)?;
        let obs = crate::ImportObserver { task: None, on_progress: None };
        let Some(flow) = front.flow() else {
            let input = cairn_data::read_file(file, &Default::default(), &obs)?.frame;
            check_features(&model, &input, file, &run.info.run_name)?;
            return finish(&model, input.clone(), &input, explain);
        };
        // Raw rows, read as text (the flow reads each column as its source's type).
        let preview = cairn_data::preview_file(file, &Default::default())?;
        let overrides = preview.columns.iter().map(|c| TypeOverride { column: c.name.clone(), dtype: DType::String }).collect();
        let opts = ImportOptions { null_values: Some(Vec::new()), overrides, ..Default::default() };
        let raw = cairn_data::read_file(file, &opts, &obs)?.frame;
        let prepared = flow.prepare(&raw).map_err(|e| {
            let mut e = ApiError::from(e);
            e.message = format!("{}: {}", file.display(), e.message);
            e
        })?;
        // The rows come back as an import reads them (as without a flow, and as a batch transform copies them).
        let shown = cairn_data::read_file(file, &Default::default(), &obs)?.frame;
        finish(&model, shown, &prepared, explain)
    }
}

/// The model's features are all in `input`, or an error naming the ones missing.
fn check_features(model: &cairn_ml::Model, input: &cairn_data::DataFrame, file: &Path, run: &str) -> Result<(), ApiError> {
    let missing: Vec<&str> = model.features().iter().map(String::as_str).filter(|f| input.column(f).is_err()).collect();
    if !missing.is_empty() {
        let shown = cairn_types::words::quoted_names(&missing);
        return Err(ApiError::new(
            ErrorCode::ColumnNotFound,
            format!("{} has no column {shown}, which the model of run `{run}` was trained on", file.display()),
        )
        .with_hint("add the column to the file; its values may be empty, they are treated as missing"));
    }
    Ok(())
}

/// The rows as given (`shown`) with the predictions of the model's input (`input`) appended.
fn finish(
    model: &cairn_ml::Model,
    shown: cairn_data::DataFrame,
    input: &cairn_data::DataFrame,
    explain: bool,
) -> Result<cairn_data::DataFrame, ApiError> {
    let predictions = model.predict(input)?;
    let join = |a: &cairn_data::DataFrame, b: &cairn_data::DataFrame| {
        cairn_data::append_columns(a, b).map_err(|e| ApiError::new(ErrorCode::Internal, format!("joining the predictions: {e}")))
    };
    let out = join(&shown, &predictions)?;
    if !explain {
        return Ok(out);
    }
    join(&out, &model.contributions(input)?)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<ArtifactFile>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let rel = p.strip_prefix(root).map(|r| r.to_string_lossy().replace('\\', "/")).unwrap_or_default();
        let is_dir = p.is_dir();
        let size = if is_dir { 0 } else { e.metadata().map(|m| m.len()).unwrap_or(0) };
        out.push(ArtifactFile { path: rel, is_dir, size });
        if is_dir {
            walk(root, &p, out);
        }
    }
}
