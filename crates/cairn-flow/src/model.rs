//! The flow file: `flows/NAME.flow.json`, a versioned, diff-friendly description of a flow. Loading
//! refuses what this Cairn cannot run (newer format, unknown operator, newer operator version) with
//! the step named; saving is atomic, so a file is never lost or half-written.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::FlowError;
use crate::ops;

/// The flow file format this Cairn writes and the newest it reads.
pub const FORMAT: u32 = 1;

/// The operator that marks train and test rows; it is always the first step.
pub const SPLIT_OP: &str = "split";

/// A whole flow: where the data comes from and the ordered steps over it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowFile {
    pub format: u32,
    pub name: String,
    /// The first source is the flow's input; the others are joined or concatenated by steps.
    pub sources: Vec<Source>,
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Which rows the fitting steps learn from, besides the train rows of a split: a condition in the
    /// grammar of `filter` (e.g. `{"column": "year", "op": "ge", "value": 2020}`). None: all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_on: Option<Value>,
}

/// A file the flow reads, with the options it is read with (the exported script reads it the same way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub name: String,
    /// Relative paths are relative to the project folder.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// Another flow of the project whose output this source is (instead of a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    /// A dataset of the project (instead of a file): read from its stored Parquet copy of this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<DatasetRef>,
    #[serde(default)]
    pub format: SourceFormat,
    /// CSV field separator (one byte).
    #[serde(default = "comma", skip_serializing_if = "is_comma")]
    pub separator: String,
    /// CSV values read as missing, e.g. `["?", "NA"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub null_values: Vec<String>,
}

/// A project dataset as a source. The version names its data (a digest of the imported file and the
/// read options), so a flow keeps reading the same data until it is pointed at another version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetRef {
    pub id: String,
    pub version: String,
}

impl Source {
    /// A comma-separated file at `path` (relative to the project), with these texts read as missing.
    pub fn csv(name: &str, path: &str, null_values: &[&str]) -> Self {
        Source {
            name: name.into(),
            path: path.into(),
            flow: None,
            dataset: None,
            format: SourceFormat::Csv,
            separator: comma(),
            null_values: null_values.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// A source reading a project dataset.
    pub fn dataset(name: &str, id: &str, version: &str) -> Self {
        Source {
            name: name.into(),
            path: String::new(),
            flow: None,
            dataset: Some(DatasetRef { id: id.into(), version: version.into() }),
            format: SourceFormat::Parquet,
            separator: comma(),
            null_values: Vec::new(),
        }
    }
}

/// How a source file is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    #[default]
    Csv,
    Parquet,
}

/// One step: an operator, the version of it that wrote the step, its parameters and what it learned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub op: String,
    #[serde(default = "one")]
    pub version: u32,
    #[serde(default)]
    pub params: Value,
    /// What the step learned from the fit rows (null until fitted; reused as-is on new data).
    #[serde(default)]
    pub fitted: Value,
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Step {
    /// A new enabled, unfitted step at the operator's current version.
    pub fn new(op: &str, params: Value) -> Self {
        let version = ops::find(op).map(|o| o.version()).unwrap_or(1);
        Step { op: op.into(), version, params, fitted: Value::Null, enabled: true }
    }
}

fn comma() -> String {
    ",".into()
}
fn is_comma(s: &str) -> bool {
    s == ","
}
fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

impl FlowFile {
    /// An empty flow over one source.
    pub fn new(name: &str, source: Source) -> Self {
        FlowFile { format: FORMAT, name: name.into(), sources: vec![source], steps: Vec::new(), fit_on: None }
    }

    /// Parses a flow file's text; `path` only names it in messages.
    pub fn parse(text: &str, path: &str) -> Result<Self, FlowError> {
        let bad = |message: String| FlowError::BadFile { path: path.into(), message };
        let raw: Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        // The format is checked before the shape: a newer file may have fields this Cairn does not know.
        let found = raw.get("format").and_then(Value::as_u64).ok_or_else(|| bad("no \"format\" number".into()))?;
        if found > u64::from(FORMAT) {
            return Err(FlowError::NewerFormat { path: path.into(), found: found as u32, known: FORMAT });
        }
        let mut flow: FlowFile = serde_json::from_value(raw).map_err(|e| bad(e.to_string()))?;
        flow.check_ops()?;
        flow.split_first();
        Ok(flow)
    }

    /// Moves the `split` step (and any other, which `compile` refuses) to the front, keeping the order of
    /// the rest. The split comes first by design: every step that learns from data then learns from the
    /// train rows alone, whatever order the steps were added in (a split after "fill missing (median)"
    /// would otherwise let the median see the test rows).
    pub fn split_first(&mut self) {
        // A stable partition: `sort_by_key` is stable, so the other steps keep their order.
        self.steps.sort_by_key(|s| s.op != SPLIT_OP);
    }

    /// Every step's operator is known, at a version this Cairn runs.
    pub fn check_ops(&self) -> Result<(), FlowError> {
        for (i, step) in self.steps.iter().enumerate() {
            let op = ops::find(&step.op).ok_or_else(|| FlowError::UnknownOp { step: i + 1, op: step.op.clone() })?;
            if step.version > op.version() {
                return Err(FlowError::NewerOp { step: i + 1, op: step.op.clone(), found: step.version, known: op.version() });
            }
        }
        Ok(())
    }

    /// The file's text: pretty JSON with a trailing newline, stable field order, so diffs stay small.
    pub fn to_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// A digest of the flow's text (lineage of what it produces).
    pub fn digest(&self) -> String {
        blake3::hash(self.to_text().as_bytes()).to_hex().to_string()
    }
}

/// `flows/NAME.flow.json` in a project.
pub fn flow_path(project: &Path, name: &str) -> PathBuf {
    project.join("flows").join(format!("{name}.flow.json"))
}

/// A flow's name is a file name in `flows/`: no slashes, not hidden, not empty.
fn check_name(name: &str) -> Result<(), FlowError> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(FlowError::Invalid(format!("{name:?} cannot be a flow name (a file name without slashes)")));
    }
    Ok(())
}

/// Loads a project's flow by name.
pub fn load(project: &Path, name: &str) -> Result<FlowFile, FlowError> {
    check_name(name)?;
    let path = flow_path(project, name);
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => FlowError::NotFound { name: name.into(), dir: project.join("flows").display().to_string() },
        _ => FlowError::Io { path: path.display().to_string(), source: e },
    })?;
    FlowFile::parse(&text, &path.display().to_string())
}

/// Saves a flow atomically under its name (the old file stays whole if anything fails).
pub fn save(project: &Path, flow: &FlowFile) -> Result<PathBuf, FlowError> {
    check_name(&flow.name)?;
    let path = flow_path(project, &flow.name);
    let io = |e| FlowError::Io { path: path.display().to_string(), source: e };
    std::fs::create_dir_all(project.join("flows")).map_err(io)?;
    let mut flow = flow.clone();
    flow.split_first();
    cairn_store::atomic_write(&path, flow.to_text().as_bytes()).map_err(io)?;
    Ok(path)
}

/// Deletes a project's flow and returns it as it was (so it can be saved back). A file that is not a
/// flow this Cairn can read is left alone.
pub fn remove(project: &Path, name: &str) -> Result<FlowFile, FlowError> {
    let flow = load(project, name)?;
    let path = flow_path(project, name);
    std::fs::remove_file(&path).map_err(|e| FlowError::Io { path: path.display().to_string(), source: e })?;
    Ok(flow)
}

/// Renames a project's flow: the file under its new name, and every other flow that reads its output
/// pointed at the new name. The new file is written before the old one is removed, so a crash midway
/// leaves both, never neither. Returns the renamed flow and the names of the flows that were repointed;
/// a flow file this Cairn cannot read is left alone.
pub fn rename(project: &Path, old: &str, new: &str) -> Result<(FlowFile, Vec<String>), FlowError> {
    let mut flow = load(project, old)?;
    check_name(new)?;
    if new == old {
        return Ok((flow, Vec::new()));
    }
    // On a case-insensitive disk a name differing only in case is the same file: not taken, not removed.
    let same_file = |a: &Path, b: &Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y);
    let (old_path, new_path) = (flow_path(project, old), flow_path(project, new));
    let one_file = same_file(&old_path, &new_path);
    if new_path.exists() && !one_file {
        return Err(FlowError::Exists { name: new.into() });
    }
    flow.name = new.into();
    save(project, &flow)?;
    let mut repointed = Vec::new();
    let others = std::fs::read_dir(project.join("flows")).map(|rd| rd.flatten().collect::<Vec<_>>()).unwrap_or_default();
    for entry in others {
        let file = entry.file_name();
        let Some(name) = file.to_str().and_then(|n| n.strip_suffix(".flow.json")) else { continue };
        if name == old || name == new {
            continue;
        }
        let Ok(mut other) = load(project, name) else { continue };
        let mut changed = false;
        for s in other.sources.iter_mut().filter(|s| s.flow.as_deref() == Some(old)) {
            s.flow = Some(new.into());
            changed = true;
        }
        if changed {
            save(project, &other)?;
            repointed.push(name.to_string());
        }
    }
    if !one_file {
        std::fs::remove_file(&old_path).map_err(|e| FlowError::Io { path: old_path.display().to_string(), source: e })?;
    }
    repointed.sort();
    Ok((flow, repointed))
}
