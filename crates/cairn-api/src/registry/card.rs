//! A version's model card (intended use, held-out metrics, the data it trained on and what made that
//! data, status and history) and two versions side by side.

use std::collections::BTreeMap;
use std::path::Path;

use cairn_store::models_registry::{INTENDED_USE_TAG, current_version_events};
use cairn_store::{Project, TrackingStore};
use cairn_types::{ApiError, Dataset, Evaluation, KeyMetric, Metric, ModelCard, ModelInput, Run, TrainingLineage, VersionComparison};

use super::{model_file, version_info};
use crate::Studio;
use crate::worker::{EVALUATION_FILE, artifact_dir};

impl Studio {
    /// The model card of a version.
    pub fn model_card(&self, pid: &str, group: &str, version: i64) -> Result<ModelCard, ApiError> {
        let project = self.project(pid)?;
        card(&project, group, version)
    }

    /// Versions `a` and `b` of a group side by side: their cards, the params that differ, the change in
    /// each metric both have (b − a), and whether they trained on the same data.
    pub fn compare_versions(&self, pid: &str, group: &str, a: i64, b: i64) -> Result<VersionComparison, ApiError> {
        let project = self.project(pid)?;
        let (a, b) = (card(&project, group, a)?, card(&project, group, b)?);
        let params = |c: &ModelCard| c.params.iter().map(|p| (p.key.clone(), p.value.clone())).collect::<BTreeMap<_, _>>();
        let (pa, pb) = (params(&a), params(&b));
        let mut params_differ: Vec<String> = pa.keys().chain(pb.keys()).filter(|k| pa.get(*k) != pb.get(*k)).cloned().collect();
        params_differ.dedup();
        params_differ.sort();
        params_differ.dedup();
        let metric_deltas = a
            .metrics
            .iter()
            .filter_map(|ma| {
                let mb = b.metrics.iter().find(|m| m.key == ma.key)?;
                Some(KeyMetric { key: ma.key.clone(), value: mb.value - ma.value })
            })
            .collect();
        let data = |c: &ModelCard| c.lineage.as_ref().map(|l| (l.dataset_digest.clone(), l.dataset_version.clone()));
        let same_data = data(&a).is_some() && data(&a) == data(&b);
        Ok(VersionComparison { a, b, params_differ, metric_deltas, same_data })
    }
}

fn card(project: &Project, group: &str, version: i64) -> Result<ModelCard, ApiError> {
    let v = project.get_model_version(group, &version.to_string())?;
    let info = version_info(project, &v);
    let run = (!v.run_id.is_empty()).then(|| project.get_run(&v.run_id).ok()).flatten();
    let param = |k: &str| run.as_ref().and_then(|r| r.data.params.iter().find(|p| p.key == k).map(|p| p.value.clone())).unwrap_or_default();
    // The model file says best what it predicts; a file that is gone leaves the run's params.
    let file = model_file(project, &v).ok();
    let model = file.as_ref().and_then(|f| cairn_ml::Model::load(f).ok());
    let input = match (&file, &model, &run) {
        (Some(f), Some(m), Some(r)) => {
            crate::inference_flow::model_front(project, r, f, m).map(|front| crate::inference_flow::input_info(&front, m))?
        }
        (_, Some(m), None) => crate::inference_flow::input_info(&cairn_flow::ModelFront::Dataset(None), m),
        _ => ModelInput::default(),
    };
    let (target, features, task) = match &model {
        Some(m) => (m.target().to_string(), m.features().to_vec(), format!("{:?}", m.task()).to_lowercase()),
        None => (param("target"), Vec::new(), param("task")),
    };
    let history = current_version_events(&project.registry_history(group, Some(version))?, version);
    Ok(ModelCard {
        intended_use: v.tags.iter().find(|t| t.key == INTENDED_USE_TAG).map(|t| t.value.clone()).unwrap_or_default(),
        metrics: run.as_ref().map(|r| held_out_metrics(project, r)).unwrap_or_default(),
        params: run.as_ref().map(|r| r.data.params.clone()).unwrap_or_default(),
        lineage: run.as_ref().and_then(|r| lineage(project, r)),
        input,
        version: info,
        target,
        features,
        task,
        history,
    })
}

/// The run's evaluation metrics (measured on rows it did not fit), else its metrics at step 0.
fn held_out_metrics(project: &Project, run: &Run) -> Vec<Metric> {
    let path = artifact_dir(project, &run.info.artifact_uri).join(EVALUATION_FILE);
    let eval: Option<Evaluation> = std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    match eval {
        Some(e) => {
            e.metrics.into_iter().map(|(key, value)| Metric { key, value, timestamp: run.info.end_time.unwrap_or(0), step: 0 }).collect()
        }
        None => run.data.metrics.iter().filter(|m| m.step == 0).cloned().collect(),
    }
}

fn tag<'a>(run: &'a Run, key: &str) -> Option<&'a str> {
    run.data.tags.iter().find(|t| t.key == key).map(|t| t.value.as_str()).filter(|v| !v.is_empty())
}

/// The run whose tags name the training dataset: the run itself, or its AutoML parent.
fn tagged_run(project: &Project, run: &Run) -> Option<Run> {
    if tag(run, "cairn.dataset.id").is_some() {
        return Some(run.clone());
    }
    let parent = tag(run, "mlflow.parentRunId").and_then(|p| project.get_run(p).ok());
    parent.filter(|p| tag(p, "cairn.dataset.id").is_some())
}

/// The dataset version a run of Cairn trained on (or an AutoML trial's search did).
pub(crate) fn training_dataset(project: &Project, run: &Run) -> Option<Dataset> {
    let r = tagged_run(project, run)?;
    dataset_of(project, &r)
}

/// The version a run's tags name. Runs made before the version was tagged are matched by content
/// digest (the newest such version).
fn dataset_of(project: &Project, r: &Run) -> Option<Dataset> {
    let id = tag(r, "cairn.dataset.id").unwrap_or_default();
    let digest = tag(r, "cairn.dataset.digest").unwrap_or_default();
    let version = tag(r, "cairn.dataset.version");
    let versions = project.dataset_versions(id).unwrap_or_default();
    versions.iter().find(|d| Some(d.version.as_str()) == version).or_else(|| versions.iter().find(|d| d.digest == digest)).cloned()
}

/// The dataset version the run trained on and the flow that wrote it. Cairn's runs tag the dataset
/// (an AutoML trial's parent does); a run logged with the mlflow client has only its `log_inputs`.
fn lineage(project: &Project, run: &Run) -> Option<TrainingLineage> {
    let Some(r) = tagged_run(project, run) else {
        let input = run.inputs.dataset_inputs.first()?;
        return Some(TrainingLineage {
            dataset: input.dataset.name.clone(),
            dataset_id: String::new(),
            dataset_version: String::new(),
            dataset_digest: input.dataset.digest.clone(),
            flow: None,
            flow_digest: None,
        });
    };
    let id = tag(&r, "cairn.dataset.id").unwrap_or_default();
    let digest = tag(&r, "cairn.dataset.digest").unwrap_or_default();
    let ds = dataset_of(project, &r);
    let ds = ds.as_ref();
    let flow = ds.and_then(|d| cairn_flow::Lineage::of_output(Path::new(&d.source.path)));
    Some(TrainingLineage {
        dataset: ds.map(|d| d.name.clone()).or_else(|| tag(&r, "cairn.dataset").map(str::to_string)).unwrap_or_default(),
        dataset_id: id.to_string(),
        dataset_version: ds.map(|d| d.version.clone()).or_else(|| tag(&r, "cairn.dataset.version").map(str::to_string)).unwrap_or_default(),
        dataset_digest: ds.map(|d| d.digest.clone()).unwrap_or_else(|| digest.to_string()),
        flow: flow.as_ref().map(|l| l.flow.clone()),
        flow_digest: flow.map(|l| l.flow_digest),
    })
}
