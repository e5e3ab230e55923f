//! Flows on the wire: the flow document the wrangling page edits (the same JSON as `flows/NAME.flow.json`),
//! the operator catalogue with parameter schemas for generated forms, previews, chart data and run results.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{ApiError, DType, Dataset};

/// A flow as the UI edits it; the same JSON as its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowDoc {
    pub format: u32,
    pub name: String,
    pub sources: Vec<FlowSource>,
    #[serde(default)]
    pub steps: Vec<FlowStep>,
    /// Which rows fitting steps learn from (within the train rows of a split): a condition as a
    /// filter's `keep`; absent: all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub fit_on: Option<serde_json::Value>,
}

/// Where a flow's data comes from: a file, another flow's output, or a project dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowSource {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[ts(as = "Option<String>", optional)]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub flow: Option<String>,
    /// A dataset of the project, read from its stored Parquet copy of this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dataset: Option<FlowDatasetRef>,
    /// "csv" or "parquet" (files only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub separator: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub null_values: Vec<String>,
}

/// A project dataset as a flow source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowDatasetRef {
    pub id: String,
    pub version: String,
}

/// One step: `{op, version, params, fitted, enabled}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowStep {
    pub op: String,
    pub version: u32,
    #[ts(type = "Record<string, unknown>")]
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    /// What the step learned from the fit rows (null until it is fitted, or when it fits nothing).
    #[ts(type = "unknown")]
    pub fitted: serde_json::Value,
    pub enabled: bool,
}

/// A flow in the project's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowSummary {
    pub name: String,
    pub steps: u32,
    /// The first source, for people ("dataset diabetic_data", "data/x.csv").
    pub source: String,
    /// Set when the file cannot be opened by this Cairn (unknown op, newer version); the file is untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<ApiError>,
}

/// Creates a flow over a project dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct CreateFlow {
    pub name: String,
    /// Dataset id or name.
    pub dataset: String,
}

/// Renames a flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RenameFlow {
    pub name: String,
}

/// A renamed flow, and the other flows that read its output and now name it by its new name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowRenamed {
    pub flow: FlowDoc,
    pub repointed: Vec<String>,
}

/// What kind of input a parameter's form field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum OpParamKind {
    /// One column of the step's input.
    Column,
    /// Several columns of the step's input.
    Columns,
    /// A new column's name.
    NewColumn,
    Text,
    Number,
    Integer,
    Bool,
    /// One of `choices`.
    Choice,
    /// Several of `choices`.
    Choices,
    /// A list of text values.
    Texts,
    /// One value of a column's type (text, number or boolean).
    Value,
    /// A list of values of a column's type.
    Values,
    /// A condition: `{column, op, value}` or `{all|any: [...]}` or `{not}`.
    Condition,
    /// `{old: new}` column names.
    Mapping,
    /// `[{column, agg, name}]` aggregations.
    Aggregations,
    /// Another source of the flow.
    Source,
    Sources,
    /// One boolean per chosen column (sort's `descending`).
    Bools,
}

/// One parameter of an operator, for a generated form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct OpParam {
    pub name: String,
    pub label: String,
    pub kind: OpParamKind,
    pub required: bool,
    /// The value used when the parameter is left out (null when there is none).
    #[ts(type = "unknown")]
    pub default: serde_json::Value,
    #[serde(default)]
    pub choices: Vec<String>,
    /// Which column types a column picker offers (empty: any).
    #[serde(default)]
    pub column_types: Vec<DType>,
    /// Shown only when another parameter has one of these values: `[param, value, value…]`.
    #[serde(default)]
    pub when: Vec<String>,
    pub help: String,
}

/// An operator a step can use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct OpSpec {
    pub name: String,
    pub label: String,
    /// Palette group: columns, rows, missing, derive, encode, numeric, text, dates, split, combine, reshape.
    pub group: String,
    pub version: u32,
    /// Learns from the fit rows (the train rows after a split).
    pub fits: bool,
    pub doc: String,
    pub params: Vec<OpParam>,
    /// Column types this operator is offered for when a column header is clicked (empty: not offered).
    #[serde(default)]
    pub for_columns: Vec<DType>,
}

/// Preview a flow as it is after its first `upto` steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowPreviewRequest {
    pub flow: FlowDoc,
    /// How many steps to apply (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub upto: Option<u32>,
    /// How many result rows to send (at most 500; default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rows: Option<u32>,
}

/// How a column of the preview relates to the viewed step's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum ColumnChange {
    Same,
    Added,
    /// Its type or some of its values differ.
    Changed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct PreviewColumn {
    pub name: String,
    pub dtype: DType,
    /// The engine's type, e.g. "i64", "str".
    pub physical: String,
    pub change: ColumnChange,
    /// Missing values in the preview's rows.
    #[ts(type = "number")]
    pub missing: u64,
}

/// The step a preview stopped at, with its problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct StepFailure {
    /// 1-based position in the flow's steps.
    pub step: u32,
    /// The whole problem, `step N (Operator): …`.
    pub error: ApiError,
    /// The problem alone, in the words of the step's form (shown beside the step or the field).
    #[serde(default)]
    pub problem: String,
    /// The parameter of the step's form the problem is about, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub param: Option<String>,
}

/// A flow's result on the preview rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowPreview {
    /// Steps applied (the last of them is the viewed step; fewer than asked when a step failed).
    pub upto: u32,
    pub columns: Vec<PreviewColumn>,
    /// Columns of the viewed step's input that it removed.
    pub removed: Vec<String>,
    #[ts(type = "unknown[][]")]
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Rows and columns of the viewed step's input and output, on the preview rows.
    #[ts(type = "number")]
    pub rows_before: u64,
    #[ts(type = "number")]
    pub rows_after: u64,
    pub columns_before: u32,
    pub columns_after: u32,
    /// Rows of the source the preview ran on (its first rows), and the source's total.
    #[ts(type = "number")]
    pub sample_rows: u64,
    #[ts(type = "number")]
    pub source_rows: u64,
    /// The first failing step; the preview shows the steps before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub failure: Option<StepFailure>,
    /// Server time spent, in milliseconds.
    #[ts(type = "number")]
    pub ms: u64,
}

/// Which chart to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Histogram,
    Bar,
    Scatter,
    Box,
}

/// Chart data over a flow's preview rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ChartRequest {
    pub flow: FlowDoc,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub upto: Option<u32>,
    pub kind: ChartKind,
    pub x: String,
    /// Scatter: the y column; box: an optional grouping column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub y: Option<String>,
}

/// One box of a box plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct BoxStats {
    pub group: String,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    #[ts(type = "number")]
    pub count: u64,
}

/// Data for one chart. Histogram: `labels` are bin starts and `counts`; bar: categories and counts;
/// scatter: `x`/`y` points (a sample); box: `boxes`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct ChartData {
    pub labels: Vec<String>,
    #[ts(type = "number[]")]
    pub counts: Vec<u64>,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub boxes: Vec<BoxStats>,
    /// Rows the chart was computed on.
    #[ts(type = "number")]
    pub rows: u64,
    /// Missing values left out.
    #[ts(type = "number")]
    pub missing: u64,
}

/// Run a saved flow: its output becomes a dataset of the project (and, if asked, a CSV file too).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowRunRequest {
    /// The new dataset's name (default: "FLOW prepared", made unique).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dataset_name: Option<String>,
    /// Also write a CSV file here (relative to the project folder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub csv: Option<String>,
}

/// Where a flow's output came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowLineage {
    pub flow: String,
    pub flow_digest: String,
    pub sources: Vec<SourceDigest>,
}

/// A source's identity when a flow ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SourceDigest {
    pub name: String,
    /// A file's BLAKE3, `dataset:VERSION` or `flow:DIGEST`.
    pub digest: String,
}

/// A finished run of a flow (the run task's result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct FlowRunResult {
    pub dataset: Dataset,
    pub lineage: FlowLineage,
    /// The Parquet file under .cairn/artifacts.
    pub parquet: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub csv: Option<String>,
    #[ts(type = "number")]
    pub rows: u64,
    pub columns: u32,
}

/// The flow as a standalone Python script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct PythonScript {
    pub file_name: String,
    pub script: String,
}
