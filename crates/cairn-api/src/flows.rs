//! Flows of a project for the wrangling page: list, open, create over a dataset, save (atomically, never
//! over a file this Cairn cannot read), the operator catalogue, previews on the first rows, chart data,
//! runs to a new dataset (a cancellable task) and the Python export.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn_flow::{FlowError, FlowFile, Options, Output};
use cairn_store::Project;
use cairn_types::{
    ApiError, ChartData, ChartRequest, CreateFlow, ErrorCode, FlowDoc, FlowPreview, FlowPreviewRequest, FlowRenamed, FlowRunRequest,
    FlowRunResult, FlowSummary, ImportOptions, OpSpec, PreviewColumn, PythonScript, RenameFlow, StepFailure, TaskStarted,
};

use crate::Studio;
use crate::datasets::{ImportObserver, import_as};

/// Source rows a preview runs on: its first rows, so a refresh stays fast on any size of data.
pub const PREVIEW_ROWS: usize = 10_000;
/// Result rows a preview sends by default, and at most.
const PREVIEW_SEND: u32 = 100;
const PREVIEW_SEND_MAX: u32 = 500;

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

/// The wire form of a flow (the same JSON as its file).
fn to_doc(flow: &FlowFile) -> Result<FlowDoc, ApiError> {
    serde_json::to_value(flow).and_then(serde_json::from_value).map_err(internal)
}

/// A flow the UI sent, checked like a file: format, shape, known operators at known versions.
fn from_doc(doc: &FlowDoc) -> Result<FlowFile, ApiError> {
    let text = serde_json::to_string(doc).map_err(internal)?;
    Ok(FlowFile::parse(&text, &format!("flow {:?} (as sent)", doc.name))?)
}

/// A flow name the file system takes. cairn-flow refuses slashes and hidden names; a control character
/// (NUL) or an over-long name would otherwise reach the file system and fail as an I/O error.
fn check_flow_name(name: &str) -> Result<(), ApiError> {
    if name.chars().any(char::is_control) || name.len() > 200 {
        return Err(ApiError::new(ErrorCode::InvalidInput, format!("{name:?} cannot be a flow name"))
            .with_hint("use at most 200 bytes of visible characters, without slashes"));
    }
    Ok(())
}

/// Refuses, before anything is read, the sources a preview or run would fail on for the user's input
/// (not for the disk): a file that is not there, a separator that is not one byte, a bad flow name.
fn check_sources(project: &Project, flow: &FlowFile) -> Result<(), ApiError> {
    for s in &flow.sources {
        if let Some(f) = &s.flow {
            check_flow_name(f)?;
        } else if s.dataset.is_none() {
            if s.separator.len() != 1 {
                return Err(ApiError::new(
                    ErrorCode::InvalidInput,
                    format!("source {:?}: the separator {:?} is not one character", s.name, s.separator),
                )
                .with_hint("give one character, e.g. `,` or `;`"));
            }
            let path = cairn_flow::source_path(project.root(), s);
            if !path.is_file() {
                return Err(ApiError::new(ErrorCode::FileNotFound, format!("source {:?}: there is no file {}", s.name, path.display()))
                    .with_hint("give the path of a CSV or Parquet file, relative to the project folder or absolute"));
            }
        }
    }
    Ok(())
}

/// The first step whose operator, parameters or switch differ between two flows (all steps from there
/// on must fit again: their input may have changed).
fn first_edit(old: &FlowFile, new: &FlowFile) -> usize {
    if old.sources != new.sources || old.fit_on != new.fit_on {
        return 0;
    }
    let same = |a: &cairn_flow::Step, b: &cairn_flow::Step| a.op == b.op && a.params == b.params && a.enabled == b.enabled;
    old.steps.iter().zip(&new.steps).position(|(a, b)| !same(a, b)).unwrap_or(old.steps.len().min(new.steps.len()))
}

fn describe_source(flow: &FlowFile, project: &Project) -> String {
    match flow.sources.first() {
        Some(s) => match (&s.dataset, &s.flow) {
            (Some(d), _) => match project.get_dataset(&d.id) {
                Ok(ds) => format!("dataset {}", ds.name),
                Err(_) => format!("dataset {} (gone)", d.id),
            },
            (None, Some(f)) => format!("flow {f}"),
            (None, None) => s.path.clone(),
        },
        None => String::new(),
    }
}

impl Studio {
    /// Every operator with the form of its parameters.
    pub fn flow_ops(&self) -> Vec<OpSpec> {
        cairn_flow::catalog()
    }

    /// The project's flows; a file this Cairn cannot open is listed with its error (and left alone).
    pub fn list_flows(&self, pid: &str) -> Result<Vec<FlowSummary>, ApiError> {
        let project = self.project(pid)?;
        let dir = project.root().join("flows");
        let mut names: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".flow.json")).map(String::from))
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        Ok(names
            .into_iter()
            .map(|name| match cairn_flow::load(project.root(), &name) {
                Ok(f) => FlowSummary { source: describe_source(&f, &project), steps: f.steps.len() as u32, name, error: None },
                Err(e) => FlowSummary { name, steps: 0, source: String::new(), error: Some(e.to_api()) },
            })
            .collect())
    }

    pub fn get_flow(&self, pid: &str, name: &str) -> Result<FlowDoc, ApiError> {
        let project = self.project(pid)?;
        check_flow_name(name)?;
        to_doc(&cairn_flow::load(project.root(), name)?)
    }

    /// Deletes a flow; the answer is the flow as it was, so the UI can offer to put it back.
    pub fn delete_flow(&self, pid: &str, name: &str) -> Result<FlowDoc, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("the flow")?;
        check_flow_name(name)?;
        to_doc(&cairn_flow::remove(project.root(), name)?)
    }

    /// Renames a flow; the flows that read its output follow it. Outputs it wrote before keep their
    /// datasets; its next run makes its output under the new name.
    pub fn rename_flow(&self, pid: &str, name: &str, req: &RenameFlow) -> Result<FlowRenamed, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("the flow")?;
        check_flow_name(name)?;
        check_flow_name(req.name.trim())?;
        let (flow, repointed) = cairn_flow::rename(project.root(), name, req.name.trim())?;
        Ok(FlowRenamed { flow: to_doc(&flow)?, repointed })
    }

    /// A new empty flow over a project dataset, named `name` (made unique).
    pub fn create_flow(&self, pid: &str, req: &CreateFlow) -> Result<FlowDoc, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("a new flow")?;
        let ds = project.get_dataset(&req.dataset)?;
        let base = req.name.trim();
        let base = if base.is_empty() { ds.name.as_str() } else { base };
        check_flow_name(base)?;
        let mut name = base.to_string();
        let mut k = 2;
        while cairn_flow::flow_path(project.root(), &name).exists() {
            name = format!("{base}-{k}");
            k += 1;
        }
        let source_name: String = ds.name.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect();
        let flow = FlowFile::new(&name, cairn_flow::Source::dataset(&source_name, &ds.id, &ds.version));
        cairn_flow::save(project.root(), &flow)?;
        to_doc(&flow)
    }

    /// Saves a flow atomically. Steps whose input may have changed since the saved file lose their
    /// fitted values (they fit again on the next run). A file this Cairn cannot read is not overwritten.
    pub fn save_flow(&self, pid: &str, name: &str, doc: &FlowDoc) -> Result<FlowDoc, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("the flow")?;
        if doc.name != name {
            return Err(ApiError::new(ErrorCode::InvalidInput, format!("the flow sent is named {:?}, not {name:?}", doc.name)));
        }
        check_flow_name(name)?;
        let mut flow = from_doc(doc)?;
        let from = match cairn_flow::load(project.root(), name) {
            Ok(old) => first_edit(&old, &flow),
            Err(FlowError::NotFound { .. }) => 0,
            Err(e) => {
                let api = e.to_api();
                return Err(ApiError::new(api.code, format!("{}; the file was not overwritten", api.message))
                    .with_hint(api.hint.unwrap_or_else(|| "fix or move the file by hand, then open it again".into())));
            }
        };
        for s in flow.steps.iter_mut().skip(from) {
            s.fitted = serde_json::Value::Null;
        }
        cairn_flow::save(project.root(), &flow)?;
        to_doc(&flow)
    }

    /// In-memory frames for the flow's dataset sources (the stored copy is read once and cached), each
    /// cut to its first `head` rows when given; and the rows of the first source.
    fn flow_inputs(
        &self,
        project: &Project,
        flow: &FlowFile,
        head: Option<usize>,
    ) -> Result<(HashMap<String, cairn_flow::DataFrame>, Option<u64>), ApiError> {
        let mut inputs = HashMap::new();
        let mut first_rows = None;
        for (i, s) in flow.sources.iter().enumerate() {
            let Some(d) = &s.dataset else { continue };
            let ds = project.get_dataset(&d.id).map_err(|e| {
                ApiError::from(e).with_hint(format!("source {:?} names a dataset that is gone; point it at another dataset", s.name))
            })?;
            if ds.version != d.version {
                return Err(ApiError::new(
                    ErrorCode::SourceChanged,
                    format!("source {:?}: dataset {} is now version {}, the flow reads version {}", s.name, ds.name, ds.version, d.version),
                ));
            }
            let frame = self.frame(project, &ds)?;
            if i == 0 {
                first_rows = Some(frame.height() as u64);
            }
            let df = match head {
                Some(n) if frame.height() > n => frame.head(Some(n)),
                _ => frame.as_ref().clone(),
            };
            inputs.insert(s.name.clone(), df);
        }
        Ok((inputs, first_rows))
    }

    /// The flow after its first `upto` steps on the first rows of its sources.
    pub fn preview_flow(&self, pid: &str, req: &FlowPreviewRequest) -> Result<FlowPreview, ApiError> {
        let started = Instant::now();
        let project = self.project(pid)?;
        let flow = from_doc(&req.flow)?;
        check_sources(&project, &flow)?;
        let (inputs, first_rows) = self.flow_inputs(&project, &flow, Some(PREVIEW_ROWS))?;
        let opts = Options { inputs, head: Some(PREVIEW_ROWS), ..Default::default() };
        // A flow without sources has no sample; the preview below refuses it as FLOW_INVALID.
        let sample_rows = flow.sources.first().and_then(|s| opts.inputs.get(&s.name)).map(|df| df.height() as u64);
        let p = cairn_flow::preview(project.root(), &flow, req.upto.map(|u| u as usize), &opts)?;
        let send = req.rows.unwrap_or(PREVIEW_SEND).min(PREVIEW_SEND_MAX) as u64;
        let page = cairn_data::page(&p.after, 0, send, p.after.height() as u64);
        let columns = cairn_data::column_infos(&p.after)
            .into_iter()
            .zip(&p.changes)
            .map(|(c, change)| PreviewColumn { name: c.name, dtype: c.dtype, physical: c.physical, change: *change, missing: c.missing })
            .collect();
        let sample = sample_rows.unwrap_or(p.before.height() as u64);
        Ok(FlowPreview {
            upto: p.upto as u32,
            columns,
            removed: p.removed,
            rows: page.rows,
            rows_before: p.before.height() as u64,
            rows_after: p.after.height() as u64,
            columns_before: p.before.width() as u32,
            columns_after: p.after.width() as u32,
            sample_rows: sample,
            source_rows: first_rows.unwrap_or(sample),
            failure: p.failure.map(|(step, e)| failure(step, &e)),
            ms: started.elapsed().as_millis() as u64,
        })
    }

    /// Chart data over the flow's preview (after `upto` steps).
    pub fn flow_chart(&self, pid: &str, req: &ChartRequest) -> Result<ChartData, ApiError> {
        let project = self.project(pid)?;
        let flow = from_doc(&req.flow)?;
        check_sources(&project, &flow)?;
        let (inputs, _) = self.flow_inputs(&project, &flow, Some(PREVIEW_ROWS))?;
        let opts = Options { inputs, head: Some(PREVIEW_ROWS), ..Default::default() };
        let p = cairn_flow::preview(project.root(), &flow, req.upto.map(|u| u as usize), &opts)?;
        cairn_flow::chart(&p.after, req.kind, &req.x, req.y.as_deref())
    }

    /// The saved flow as a standalone Python (polars) script. Steps not fitted yet are fitted on all
    /// rows first and saved, so the file and the script agree.
    pub fn export_flow_python(&self, pid: &str, name: &str) -> Result<PythonScript, ApiError> {
        let project = self.project(pid)?;
        check_flow_name(name)?;
        let flow = cairn_flow::load(project.root(), name)?;
        check_sources(&project, &flow)?;
        let (inputs, _) = self.flow_inputs(&project, &flow, None)?;
        let plan = cairn_flow::compile(project.root(), &flow, &Options { inputs, ..Default::default() })?;
        if plan.fitted_now && !project.is_read_only() {
            cairn_flow::save(project.root(), &plan.flow)?;
        }
        let script = cairn_flow::export_python(project.root(), &plan)?;
        Ok(PythonScript { file_name: cairn_flow::script_name(name), script })
    }

    /// Runs the saved flow over all rows as a task: its output becomes a new dataset of the project
    /// (Parquet under .cairn/artifacts with its lineage beside it), and a CSV file too when asked.
    pub fn start_flow_run(self: &Arc<Self>, pid: &str, name: &str, req: FlowRunRequest) -> Result<TaskStarted, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("the flow's output")?;
        check_flow_name(name)?;
        let flow = cairn_flow::load(project.root(), name)?;
        check_sources(&project, &flow)?;
        let csv = match req.csv.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => {
                let p = crate::projects::expand(c);
                let p = if p.is_absolute() { p } else { project.root().join(p) };
                if !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
                    return Err(ApiError::new(ErrorCode::InvalidInput, format!("{} is not a .csv file name", p.display())));
                }
                Some(p)
            }
            None => None,
        };
        let studio = self.clone();
        let task_id = self.tasks.spawn("flow", name, self.now(), self.clock.clone(), move |task| {
            let cancelled = || ApiError::new(ErrorCode::Cancelled, "cancelled");
            let root = project.root().to_path_buf();
            task.progress("reading", 0, 5, "steps");
            let (inputs, _) = studio.flow_inputs(&project, &flow, None)?;
            task.progress("fitting", 1, 5, "steps");
            let plan = cairn_flow::compile(&root, &flow, &Options { inputs, ..Default::default() })?;
            let lineage = cairn_flow::lineage(&root, &plan)?;
            if task.is_cancelled() {
                return Err(cancelled());
            }
            task.progress("running", 2, 5, "steps");
            // The engine cannot be interrupted mid-query; it runs on its own thread so a cancel answers at
            // once (its result is then dropped, and nothing is written).
            let (tx, rx) = std::sync::mpsc::channel();
            let (frame, streaming) = (plan.frame.clone(), plan.streams());
            std::thread::Builder::new()
                .name("cairn-flow-run".into())
                .spawn(move || {
                    let _ = tx.send(cairn_flow::execute(frame, streaming));
                })
                .map_err(internal)?;
            let mut df = loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(r) => break r.map_err(|e| FlowError::Invalid(format!("running flow {:?} failed: {e}", flow.name)))?,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) if task.is_cancelled() => return Err(cancelled()),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                    Err(e) => return Err(internal(e)),
                }
            };
            task.progress("writing", 3, 5, "steps");
            let parquet = cairn_flow::write(&root, &mut df, &lineage, &plan.flow, &Output::Artifacts)?;
            let csv = match &csv {
                Some(p) => Some(cairn_flow::write(&root, &mut df, &lineage, &plan.flow, &Output::File(p.clone()))?),
                None => None,
            };
            if plan.fitted_now {
                cairn_flow::save(&root, &plan.flow)?;
            }
            if task.is_cancelled() {
                return Err(cancelled());
            }
            task.progress("registering", 4, 5, "steps");
            let base = req.dataset_name.clone().unwrap_or_else(|| format!("{} prepared", flow.name));
            // Running the flow again makes a new version of the dataset it made before (same name);
            // a name taken by any other dataset gets a free variant instead.
            let previous = project.get_dataset(&base).ok().filter(|d| made_by_flow(&root, &flow.name, d));
            let ds_name = match &previous {
                Some(d) => d.name.clone(),
                None => studio.free_name(&project, &base)?,
            };
            let opts = ImportOptions { name: Some(ds_name.clone()), ..Default::default() };
            let obs = ImportObserver { task: None, on_progress: None };
            let ds = import_as(&project, &parquet, &ds_name, &opts, &obs, &studio.frames, studio.now(), previous.as_ref())?;
            let result = FlowRunResult {
                rows: df.height() as u64,
                columns: df.width() as u32,
                dataset: ds,
                lineage: lineage.to_api(),
                parquet: parquet.to_string_lossy().into_owned(),
                csv: csv.map(|p| p.to_string_lossy().into_owned()),
            };
            task.progress("done", 5, 5, "steps");
            serde_json::to_value(result).map_err(internal)
        });
        Ok(TaskStarted { task_id })
    }
}

/// A preview's failing step: the whole error, and for the step's form the problem alone and its field.
fn failure(step: usize, e: &FlowError) -> StepFailure {
    let (problem, param) = match e {
        FlowError::Step { op, problem, .. } => (problem.worded(op), problem.param(op).map(String::from)),
        other => (other.to_string(), None),
    };
    StepFailure { step: step as u32, error: e.to_api(), problem, param }
}

/// True when the dataset is an output of the flow `flow` (its source is one of that flow's output files).
fn made_by_flow(root: &std::path::Path, flow: &str, ds: &cairn_types::Dataset) -> bool {
    let dir = cairn_flow::outputs_dir(root, flow);
    let dir = dir.canonicalize().unwrap_or(dir);
    std::path::Path::new(&ds.source.path).starts_with(&dir)
}
