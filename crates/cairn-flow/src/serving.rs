//! A flow in front of a model. A model trained on a flow's output was fitted on prepared rows, but the
//! people and programs that call it hold raw rows, shaped as the flow's source. The flow, as it ran
//! (every fitted value in it), is kept beside the model as an [`InferenceFlow`], and every way of
//! predicting (`cairn predict`, an endpoint, a batch transform) passes the rows it receives through it,
//! the same way, so the three answer the same values.
//!
//! A request's rows each get one answer, in order, so the flow runs on them without the steps that only
//! chose which rows trained the model (the split, filters, dedupe, samples, sort, outliers removed); a
//! flow with a step that needs the other rows or reshapes them (append, group by, pivot, unpivot, fill
//! from the row above or below) or reads another flow's output cannot stand in front of a model, and
//! the model takes rows shaped as its training dataset instead. A join (a lookup) runs, reading its
//! source from the project; a request whose rows it multiplies or drops is refused.

use std::collections::HashMap;
use std::path::Path;

use cairn_types::{DEFAULT_NULL_VALUES, ErrorCode};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compile::{Options, compile};
use crate::error::FlowError;
use crate::model::{FlowFile, SPLIT_OP};
use crate::ops;

/// The file beside a `model.cairn` that holds the flow in front of it.
pub const INFERENCE_FLOW_FILE: &str = "inference-flow.json";
/// The version of [`InferenceFlow`]'s file; a newer one is refused.
const FORMAT: u32 = 1;
/// How many source rows are kept as an example of a request.
const EXAMPLE_ROWS: usize = 3;

/// Steps that choose the rows a model trains on; they are not run on rows sent for prediction.
const CHOOSE_ROWS: &[&str] = &[SPLIT_OP, "filter", "drop_missing", "dedupe", "limit", "sample", "sort"];
/// Steps that need the other rows or reshape them: no flow with one can prepare rows one by one.
const NEED_ALL_ROWS: &[&str] = &["concat", "group_by", "pivot", "unpivot", "fill_forward", "fill_backward"];

/// One column a request sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputColumn {
    pub name: String,
    /// The type its values are read as: `bool`, `i64`, `f64`, `str`, `date`, `datetime[us]`, ….
    pub dtype: String,
    /// False when the model's features do not depend on it (the target, an identifier the flow drops):
    /// a request may leave it out.
    pub required: bool,
}

/// A flow as it prepares rows for a model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InferenceFlow {
    pub format: u32,
    /// The flow as it made the training data, fitted values included.
    pub flow: FlowFile,
    /// Its digest (the training data's lineage names the same).
    pub flow_digest: String,
    /// The source whose rows a request sends (the flow's first).
    pub source: String,
    /// Its columns, in order.
    pub columns: Vec<InputColumn>,
    /// The steps not run on requests (1-based, as the flow's page numbers them), with their operators.
    pub skipped: Vec<(usize, String)>,
    /// A few source rows (the target left out), as text, in `columns` order: a request to try.
    pub example: Vec<Vec<Option<String>>>,
    /// Cells read as missing, besides empty ones and ones of spaces and tabs.
    pub null_values: Vec<String>,
    /// The model's label, when it is a source column (a request leaves it out).
    pub target: Option<String>,
}

fn cannot(message: String) -> FlowError {
    FlowError::Input {
        code: ErrorCode::FlowInvalid,
        message,
        hint: "the model takes rows shaped as its training dataset; to send raw rows, make the flow choose rows only with filters, samples or a split".into(),
    }
}

/// A type's name in the file, for the types a request's text can be read as.
fn dtype_name(dt: &DataType) -> Option<String> {
    Some(match dt {
        DataType::Boolean => "bool".into(),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => dt.to_string(),
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => dt.to_string(),
        DataType::Float32 | DataType::Float64 => dt.to_string(),
        DataType::String => "str".into(),
        DataType::Date => "date".into(),
        DataType::Datetime(unit, None) => format!("datetime[{unit}]"),
        _ => return None,
    })
}

fn parse_dtype(name: &str) -> Option<DataType> {
    Some(match name {
        "bool" => DataType::Boolean,
        "i8" => DataType::Int8,
        "i16" => DataType::Int16,
        "i32" => DataType::Int32,
        "i64" => DataType::Int64,
        "u8" => DataType::UInt8,
        "u16" => DataType::UInt16,
        "u32" => DataType::UInt32,
        "u64" => DataType::UInt64,
        "f32" => DataType::Float32,
        "f64" => DataType::Float64,
        "str" => DataType::String,
        "date" => DataType::Date,
        "datetime[ms]" => DataType::Datetime(TimeUnit::Milliseconds, None),
        "datetime[μs]" | "datetime[us]" => DataType::Datetime(TimeUnit::Microseconds, None),
        "datetime[ns]" => DataType::Datetime(TimeUnit::Nanoseconds, None),
        _ => return None,
    })
}

/// A type in the words of a message.
fn described(dt: &DataType) -> &'static str {
    match dt {
        DataType::Boolean => "true or false",
        DataType::Float32 | DataType::Float64 => "numbers",
        DataType::String => "text",
        DataType::Date => "dates (like 2024-01-31)",
        DataType::Datetime(..) => "dates and times (like 2024-01-31 13:45:00)",
        _ => "whole numbers",
    }
}

impl InferenceFlow {
    /// The flow in front of a model whose `features` were read from `flow`'s output (`target` its
    /// label), or why it cannot stand there. Reads the sources' first rows for their types.
    pub fn build(project: &Path, flow: &FlowFile, target: Option<&str>, features: &[String]) -> Result<InferenceFlow, FlowError> {
        let mut served = flow.clone();
        served.split_first();
        let first = served.sources.first().ok_or_else(|| cannot(format!("flow {:?} has no source", flow.name)))?.clone();
        if let Some(s) = served.sources.iter().find(|s| s.flow.is_some()) {
            return Err(cannot(format!(
                "its source {:?} is the output of flow {:?}; a request's rows would have to pass two flows",
                s.name,
                s.flow.clone().unwrap_or_default()
            )));
        }
        // The other sources (a join's lookup) are read from where they are now, whoever runs the flow:
        // a dataset's stored copy or a file, by absolute path.
        for s in served.sources.iter_mut().skip(1) {
            let path = crate::compile::source_path(project, s);
            if s.dataset.take().is_some() {
                s.format = crate::model::SourceFormat::Parquet;
            }
            s.path = path.display().to_string();
        }
        let mut skipped = Vec::new();
        for (i, step) in served.steps.iter_mut().enumerate().filter(|(_, s)| s.enabled) {
            let removes = step.op == "outliers" && step.params.get("action").and_then(|a| a.as_str()) == Some("remove");
            if NEED_ALL_ROWS.contains(&step.op.as_str()) {
                return Err(cannot(format!(
                    "step {} ({}) of flow {:?} works across rows, so it cannot prepare rows one request at a time",
                    i + 1,
                    crate::catalog::op_label(&step.op),
                    flow.name
                )));
            }
            if CHOOSE_ROWS.contains(&step.op.as_str()) || removes {
                skipped.push((i + 1, step.op.clone()));
                step.enabled = false;
            } else if ops::find(&step.op).is_some_and(|o| o.fits()) && step.fitted.is_null() {
                // Fitting now would learn from the request's rows.
                return Err(cannot(format!("step {} ({}) of flow {:?} has not learned its values yet", i + 1, step.op, flow.name)));
            }
        }
        let head = compile(project, &served, &Options { head: Some(EXAMPLE_ROWS), skip_checks: true, ..Default::default() })?;
        let schema = head.source_schemas.first().cloned().unwrap_or_default();
        let out = head.frame.clone().collect_schema().map_err(|e| cannot(format!("the flow's plan does not resolve: {e}")))?;
        if let Some(f) = features.iter().find(|f| !out.contains(f)) {
            return Err(cannot(format!("the model's feature {f:?} is not in the output of flow {:?} as it prepares requests", flow.name)));
        }
        let mut columns = Vec::new();
        for (name, dt) in schema.iter() {
            let dtype = dtype_name(dt)
                .ok_or_else(|| cannot(format!("the source column {name:?} holds {dt} values, which a request cannot send as text")))?;
            columns.push(InputColumn { name: name.to_string(), dtype, required: true });
        }
        // A column is needed when the flow without it fails or loses a feature.
        for column in &mut columns {
            if Some(column.name.as_str()) == target {
                column.required = false;
                continue;
            }
            let mut less = schema.clone();
            less.shift_remove(column.name.as_str());
            let inputs = HashMap::from([(first.name.clone(), DataFrame::empty_with_schema(&less))]);
            // A step that drops the column drops nothing without it: it does not make it needed.
            let mut without = served.clone();
            for st in without.steps.iter_mut().filter(|st| st.op == "drop") {
                if let Some(list) = st.params.get_mut("columns").and_then(|c| c.as_array_mut()) {
                    list.retain(|v| v.as_str() != Some(column.name.as_str()));
                }
            }
            let plan = compile(project, &without, &Options { inputs, skip_checks: true, ..Default::default() });
            let kept =
                plan.ok().and_then(|p| p.frame.clone().collect_schema().ok()).is_some_and(|s| features.iter().all(|f| s.contains(f)));
            column.required = !kept;
        }
        let raw = crate::compile::read_source(project, &first)?.limit(EXAMPLE_ROWS as IdxSize).collect();
        let raw = raw.map_err(|e| cannot(format!("the source {:?} cannot be read: {e}", first.name)))?;
        let example = (0..raw.height()).map(|r| example_row(&raw, &columns, target, r)).collect();
        let null_values =
            if first.dataset.is_some() { DEFAULT_NULL_VALUES.iter().map(|v| v.to_string()).collect() } else { first.null_values.clone() };
        Ok(InferenceFlow {
            format: FORMAT,
            flow_digest: flow.digest(),
            flow: served,
            source: first.name,
            columns,
            skipped,
            example,
            null_values,
            target: target.filter(|t| schema.contains(t)).map(str::to_string),
        })
    }

    /// The columns a request must send.
    pub fn required(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().filter(|c| c.required).map(|c| c.name.as_str())
    }

    /// The columns positional rows (lists of values) give, in order: the source's, the target left out.
    pub fn inputs(&self) -> Vec<String> {
        self.columns.iter().filter(|c| Some(&c.name) != self.target.as_ref()).map(|c| c.name.clone()).collect()
    }

    /// Prepares raw rows: `text` holds the request's columns as text (others are ignored); each source
    /// column is read as its type (a missing optional one is all missing), the flow runs, and the
    /// output has one row per input row, in order.
    pub fn prepare(&self, text: &DataFrame) -> Result<DataFrame, FlowError> {
        let rows = text.height();
        let missing: Vec<&str> = self.required().filter(|c| text.column(c).is_err()).collect();
        if !missing.is_empty() {
            let shown = cairn_types::words::quoted_names(&missing);
            return Err(FlowError::Input {
                code: ErrorCode::ColumnNotFound,
                message: format!("the rows have no column {shown}, which flow {:?} reads to prepare the model's features", self.flow.name),
                hint: "send rows shaped as the flow's source; a value may be empty, it is then missing".into(),
            });
        }
        let mut cols = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            let dt = parse_dtype(&c.dtype)
                .ok_or_else(|| cannot(format!("the column {:?} has type {:?}, unknown to this Cairn", c.name, c.dtype)))?;
            let col = match text.column(&c.name) {
                Ok(t) => self.typed(&c.name, &dt, t)?,
                Err(_) => Column::full_null(c.name.as_str().into(), rows, &dt),
            };
            cols.push(col);
        }
        let source = DataFrame::new(rows, cols).map_err(|e| cannot(format!("the rows cannot make a frame: {e}")))?;
        let inputs = HashMap::from([(self.source.clone(), source)]);
        // Every other source has an absolute path (see `build`), so no project folder is needed.
        let plan = compile(Path::new("/"), &self.flow, &Options { inputs, ..Default::default() })?;
        let out = plan.frame.collect().map_err(|e| FlowError::Invalid(format!("flow {:?} failed on the rows: {e}", self.flow.name)))?;
        if out.height() != rows {
            let joins: Vec<String> = self
                .flow
                .steps
                .iter()
                .enumerate()
                .filter(|(_, s)| s.enabled && s.op == "join")
                .map(|(i, _)| format!("step {}", i + 1))
                .collect();
            return Err(FlowError::Input {
                code: ErrorCode::BadRequest,
                message: format!(
                    "flow {:?} made {} rows of the {rows} sent (its join: {})",
                    self.flow.name,
                    out.height(),
                    joins.join(", ")
                ),
                hint: "each row must match exactly one row of the joined source: check the key's values".into(),
            });
        }
        Ok(out)
    }

    /// A column of text read as `dt`, missing cells as the source's reading had them.
    fn typed(&self, name: &str, dt: &DataType, text: &Column) -> Result<Column, FlowError> {
        let text = text.cast(&DataType::String).map_err(|e| cannot(format!("the column {name:?}: {e}")))?;
        let cells = text.str().map_err(|e| cannot(format!("the column {name:?}: {e}")))?;
        let blank = |t: &str| t.bytes().all(|b| b == b' ' || b == b'\t') || self.null_values.iter().any(|n| n == t);
        let wrong = |row: usize, value: &str| FlowError::Input {
            code: ErrorCode::TypeMismatch,
            message: format!("the column '{name}' should hold {}, but row {} has the value '{value}'", described(dt), row + 1),
            hint: "send a value of that type, or an empty value for a missing one".into(),
        };
        let present = cells.iter().map(|c| c.filter(|t| !blank(t)));
        let series = match dt {
            DataType::String => Series::new(name.into(), present.collect::<Vec<_>>()),
            DataType::Boolean => {
                let mut v = Vec::with_capacity(cells.len());
                for (r, c) in present.enumerate() {
                    v.push(match c.map(str::trim) {
                        None => None,
                        Some(t) if t.eq_ignore_ascii_case("true") => Some(true),
                        Some(t) if t.eq_ignore_ascii_case("false") => Some(false),
                        Some(t) => return Err(wrong(r, t)),
                    });
                }
                Series::new(name.into(), v)
            }
            DataType::Float32 | DataType::Float64 => {
                let mut v = Vec::with_capacity(cells.len());
                for (r, c) in present.enumerate() {
                    v.push(c.map(|t| t.trim().parse::<f64>().map_err(|_| wrong(r, t))).transpose()?);
                }
                Series::new(name.into(), v)
            }
            DataType::Date | DataType::Datetime(..) => {
                let trimmed: Vec<Option<&str>> = present.map(|c| c.map(str::trim)).collect();
                let s = Series::new(name.into(), trimmed.clone());
                match s.strict_cast(dt) {
                    Ok(s) => s,
                    Err(_) => {
                        let r = trimmed
                            .iter()
                            .position(|t| t.is_some_and(|t| Series::new("".into(), [t]).strict_cast(dt).is_err()))
                            .unwrap_or(0);
                        return Err(wrong(r, trimmed.get(r).copied().flatten().unwrap_or_default()));
                    }
                }
            }
            _ => {
                let mut v = Vec::with_capacity(cells.len());
                for (r, c) in present.enumerate() {
                    v.push(c.map(|t| t.trim().parse::<i64>().map_err(|_| wrong(r, t))).transpose()?);
                }
                Series::new(name.into(), v)
            }
        };
        let series = if series.dtype() == dt {
            series
        } else {
            series.strict_cast(dt).map_err(|_| FlowError::Input {
                code: ErrorCode::TypeMismatch,
                message: format!("the column '{name}' holds a value out of the range of its type ({dt})"),
                hint: "send values the training data could hold".into(),
            })?
        };
        Ok(series.into_column())
    }
}

/// What a model takes, decided once (when it is first registered or used) and kept beside it, so the
/// shape of its requests never changes under its callers.
#[derive(Debug, Clone)]
pub enum ModelFront {
    /// Raw rows of the flow's source, prepared by the flow.
    Flow(Box<InferenceFlow>),
    /// Rows shaped as the training dataset; why, when a flow made that dataset.
    Dataset(Option<String>),
}

#[derive(Serialize, Deserialize)]
struct WithoutFlow {
    format: u32,
    #[serde(default)]
    without_flow: Option<String>,
}

impl ModelFront {
    /// The decision kept beside a model file, if one was made.
    pub fn beside(model_file: &Path) -> Result<Option<ModelFront>, FlowError> {
        let path = model_file.with_file_name(INFERENCE_FLOW_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(FlowError::Io { path: path.display().to_string(), source }),
        };
        let shown = path.display().to_string();
        let bad = |e: serde_json::Error| FlowError::BadFile { path: shown.clone(), message: e.to_string() };
        let raw: serde_json::Value = serde_json::from_str(&text).map_err(bad)?;
        let found = raw.get("format").and_then(serde_json::Value::as_u64).unwrap_or(0);
        if found > u64::from(FORMAT) {
            return Err(FlowError::NewerFormat { path: shown, found: found as u32, known: FORMAT });
        }
        if raw.get("flow").is_some() {
            return serde_json::from_value(raw).map(|f| Some(ModelFront::Flow(Box::new(f)))).map_err(bad);
        }
        let w: WithoutFlow = serde_json::from_value(raw).map_err(bad)?;
        Ok(Some(ModelFront::Dataset(w.without_flow)))
    }

    /// Keeps the decision beside a model file.
    pub fn save_beside(&self, model_file: &Path) -> Result<(), FlowError> {
        let path = model_file.with_file_name(INFERENCE_FLOW_FILE);
        let text = match self {
            ModelFront::Flow(f) => serde_json::to_string_pretty(f),
            ModelFront::Dataset(why) => serde_json::to_string_pretty(&WithoutFlow { format: FORMAT, without_flow: why.clone() }),
        };
        let text = text.unwrap_or_default();
        cairn_store::atomic_write(&path, text.as_bytes()).map_err(|source| FlowError::Io { path: path.display().to_string(), source })
    }

    /// The flow, when the model takes raw rows.
    pub fn flow(&self) -> Option<&InferenceFlow> {
        match self {
            ModelFront::Flow(f) => Some(f),
            ModelFront::Dataset(_) => None,
        }
    }
}

/// Row `r` of a source frame as text, the target left out.
fn example_row(raw: &DataFrame, columns: &[InputColumn], target: Option<&str>, r: usize) -> Vec<Option<String>> {
    columns
        .iter()
        .map(|c| {
            if Some(c.name.as_str()) == target {
                return None;
            }
            let v = raw.column(&c.name).ok()?.get(r).ok()?;
            match v {
                AnyValue::Null => None,
                AnyValue::String(s) => Some(s.to_string()),
                AnyValue::StringOwned(s) => Some(s.to_string()),
                other => Some(other.to_string()),
            }
        })
        .collect()
}
