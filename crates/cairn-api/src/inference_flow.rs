//! What a run's model takes: raw rows through the flow that made its training data, or rows shaped
//! as that data (see `cairn_flow::ModelFront`). Decided the first time the model is registered or
//! used, and kept beside its `model.cairn`, so `cairn predict`, endpoints and batch transforms all
//! read the same decision and answer the same values.

use std::path::Path;

use cairn_flow::{InferenceFlow, ModelFront};
use cairn_store::{Project, TrackingStore};
use cairn_types::{ApiError, InputField, ModelInput, Run};

use crate::registry::card::training_dataset;

/// The decision kept beside `model_file`, made now if it was not yet.
pub(crate) fn model_front(project: &Project, run: &Run, model_file: &Path, model: &cairn_ml::Model) -> Result<ModelFront, ApiError> {
    if let Some(front) = ModelFront::beside(model_file)? {
        return Ok(front);
    }
    let front = decide(project, run, model);
    if !project.is_read_only() {
        front.save_beside(model_file)?;
    }
    Ok(front)
}

fn decide(project: &Project, run: &Run, model: &cairn_ml::Model) -> ModelFront {
    let Some(ds) = training_dataset(project, run) else { return ModelFront::Dataset(None) };
    let output = Path::new(&ds.source.path);
    let Some(lineage) = cairn_flow::Lineage::of_output(output) else { return ModelFront::Dataset(None) };
    // The flow as it ran, kept beside its output; for outputs written before that was kept, the flow's
    // file when it is still the same.
    let flow = cairn_flow::flow_of_output(output)
        .or_else(|| cairn_flow::load(project.root(), &lineage.flow).ok().filter(|f| f.digest() == lineage.flow_digest));
    let Some(flow) = flow else {
        return ModelFront::Dataset(Some(format!(
            "flow {:?} changed since it made dataset {:?}, and the flow as it ran was not kept",
            lineage.flow, ds.name
        )));
    };
    match InferenceFlow::build(project.root(), &flow, Some(model.target()), model.features()) {
        Ok(f) => ModelFront::Flow(Box::new(f)),
        Err(e) => ModelFront::Dataset(Some(e.to_string())),
    }
}

/// Makes the decision for a version's model file if it was not made yet (an endpoint or a batch
/// transform reads it from beside the file).
pub(crate) fn ensure(project: &Project, run_id: &str, model_file: &Path) -> Result<(), ApiError> {
    if ModelFront::beside(model_file)?.is_some() || run_id.is_empty() {
        return Ok(());
    }
    let Ok(run) = project.get_run(run_id) else { return Ok(()) };
    let model = cairn_ml::Model::load(model_file)?;
    model_front(project, &run, model_file, &model).map(|_| ())
}

/// What a request sends, for the model card and the endpoint's test form.
pub(crate) fn input_info(front: &ModelFront, model: &cairn_ml::Model) -> ModelInput {
    match front {
        ModelFront::Flow(f) => ModelInput {
            flow: Some(f.flow.name.clone()),
            columns: f.columns.iter().map(|c| InputField { name: c.name.clone(), dtype: c.dtype.clone(), required: c.required }).collect(),
            skipped_steps: f.skipped.iter().map(|(n, op)| format!("step {n} ({op})")).collect(),
            example: f.example.first().cloned().unwrap_or_default(),
            note: None,
        },
        ModelFront::Dataset(note) => ModelInput {
            flow: None,
            columns: model.features().iter().map(|n| InputField { name: n.clone(), dtype: String::new(), required: true }).collect(),
            skipped_steps: Vec::new(),
            example: Vec::new(),
            note: note.clone(),
        },
    }
}
