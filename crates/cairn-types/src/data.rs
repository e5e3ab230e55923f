use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::Millis;

/// A column's type as users see it; each maps to one polars type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum DType {
    Int,
    Float,
    Bool,
    String,
    Date,
    Datetime,
    /// Anything else a Parquet or JSON file may hold (lists, structs, durations).
    Other,
}

impl DType {
    pub fn is_numeric(self) -> bool {
        matches!(self, DType::Int | DType::Float)
    }

    pub fn name(self) -> &'static str {
        match self {
            DType::Int => "int",
            DType::Float => "float",
            DType::Bool => "bool",
            DType::String => "string",
            DType::Date => "date",
            DType::Datetime => "datetime",
            DType::Other => "other",
        }
    }

    /// Parses the spelling users type (`int`, `float`, `str` …), for the CLI and hand-edited files.
    pub fn parse(s: &str) -> Option<DType> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "int" | "integer" | "i64" => DType::Int,
            "float" | "double" | "f64" | "number" => DType::Float,
            "bool" | "boolean" => DType::Bool,
            "string" | "str" | "text" => DType::String,
            "date" => DType::Date,
            "datetime" | "timestamp" => DType::Datetime,
            _ => return None,
        })
    }
}

/// A column of a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ColumnInfo {
    pub name: String,
    pub dtype: DType,
    /// The storage type, e.g. `i64`, `str`, `date`.
    pub physical: String,
    #[ts(type = "number")]
    pub missing: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    Parquet,
    Json,
    Ndjson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    #[default]
    Utf8,
    /// Windows-1252, the usual "Latin-1" of spreadsheets exported on Windows.
    Latin1,
    Utf16,
}

/// A user's choice of type for one column, overriding inference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct TypeOverride {
    pub column: String,
    pub dtype: DType,
}

/// How to read a file. Every field is optional: what is left out is sniffed from the file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
#[serde(default)]
pub struct ImportOptions {
    /// Dataset name; defaults to the file's stem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub format: Option<FileFormat>,
    /// Field delimiter for CSV/TSV, one character.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub delimiter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub has_header: Option<bool>,
    /// Quote character for CSV, one character; empty for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub quote: Option<String>,
    /// Field values read as missing. Defaults to `""`, `NA`, `N/A`, `NULL`, `null`, `NaN`, `?`. The empty
    /// marker stands for blank cells: empty ones, and ones of only spaces and tabs. Empty cells are always
    /// missing; without the empty marker, a cell of spaces is a value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub null_values: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub encoding: Option<TextEncoding>,
    pub overrides: Vec<TypeOverride>,
    /// Rows used to infer types; none means the whole file (the default: a float first seen late must not fail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub infer_rows: Option<u64>,
}

/// The markers read as missing when the user names none.
pub const DEFAULT_NULL_VALUES: &[&str] = &["", "NA", "N/A", "NULL", "null", "NaN", "?"];

/// What Cairn sniffed from a file before importing it, shown in the import dialog.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct ImportPreview {
    pub path: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    pub format: FileFormat,
    pub encoding: TextEncoding,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub delimiter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub quote: Option<String>,
    pub has_header: bool,
    pub null_values: Vec<String>,
    /// Null markers seen in the sample, so the user sees what will become missing; the empty one when the
    /// sample has blank cells.
    pub null_values_seen: Vec<String>,
    /// The default dataset name (the file's stem, made unique in the project).
    pub suggested_name: String,
    /// The columns as the sample reads with these options (the user's type choices applied); the import
    /// infers over the whole file.
    pub columns: Vec<ColumnInfo>,
    /// Per column, in order: the type inferred from the sample with the chosen missing markers, before any
    /// type the user chose.
    pub detected: Vec<DType>,
    /// Per column, in order: cells of the sample read as missing because they are blank (empty, or only
    /// spaces and tabs).
    #[ts(type = "number[]")]
    pub blank_cells: Vec<u64>,
    pub sample: Page,
}

/// A file a browser uploaded into the project's data folder.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct Uploaded {
    /// Where the file now is, inside the project's data folder; import it from there.
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
#[schema(example = json!({"path": "data/diabetic_data.csv", "options": {"null_values": ["?"]}}))]
pub struct ImportRequest {
    pub path: String,
    #[serde(default)]
    pub options: ImportOptions,
}

/// Where a dataset came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct DatasetSource {
    pub path: String,
    pub format: FileFormat,
    #[ts(type = "number")]
    pub bytes: u64,
    /// The options the file was read with, so it can be imported again the same way.
    pub options: ImportOptions,
}

/// A registered dataset: its source, schema, size and content digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Dataset {
    pub id: String,
    pub name: String,
    pub source: DatasetSource,
    #[ts(type = "number")]
    pub rows: u64,
    pub columns: Vec<ColumnInfo>,
    /// BLAKE3 of the source file's bytes.
    pub digest: String,
    /// BLAKE3 of the digest and the read options: names this version of the data (its Parquet and profile).
    pub version: String,
    #[ts(type = "number")]
    #[schema(value_type = i64)]
    pub created_at: Millis,
    /// Milliseconds the import took.
    #[ts(type = "number")]
    pub import_ms: u64,
}

/// One version of a dataset in its history: the dataset as it was then, and what made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct DatasetVersion {
    pub dataset: Dataset,
    /// This is the dataset's version now.
    pub current: bool,
    /// The flow run that wrote this version, when a flow made it.
    pub lineage: Option<crate::FlowLineage>,
    /// Its rows can still be read: its stored copy, or its source file, is still there.
    pub available: bool,
}

/// A slice of rows for the grid. Cells are JSON: numbers, strings, booleans, ISO dates, or null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Page {
    #[ts(type = "number")]
    pub offset: u64,
    #[ts(type = "number")]
    pub total_rows: u64,
    pub columns: Vec<String>,
    #[ts(type = "unknown[][]")]
    pub rows: Vec<Vec<serde_json::Value>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// Statistics of a numeric (or date) column; dates are in days, datetimes in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct NumericStats {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: f64,
    pub p01: f64,
    pub p05: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p95: f64,
    pub p99: f64,
    #[ts(type = "number")]
    pub zeros: u64,
    #[ts(type = "number")]
    pub negatives: u64,
    /// NaN and infinities (floats only); counted apart from missing.
    #[ts(type = "number")]
    pub non_finite: u64,
}

/// Equal-width bins over [min, max]; `counts[i]` falls in `[edges[i], edges[i+1])`, the last bin closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Histogram {
    pub edges: Vec<f64>,
    #[ts(type = "number[]")]
    pub counts: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ValueCount {
    pub value: String,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct TextStats {
    #[ts(type = "number")]
    pub min_len: u64,
    #[ts(type = "number")]
    pub max_len: u64,
    pub mean_len: f64,
}

/// One column's profile, computed on the full data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ColumnProfile {
    pub name: String,
    pub dtype: DType,
    /// Non-missing values.
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number")]
    pub missing: u64,
    pub missing_pct: f64,
    #[ts(type = "number")]
    pub distinct: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub numeric: Option<NumericStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub histogram: Option<Histogram>,
    /// Most frequent values (strings, booleans, and numbers with few distinct values), most frequent first.
    pub top: Vec<ValueCount>,
    /// Rows whose value is not among `top`.
    #[ts(type = "number")]
    pub other: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<TextStats>,
    /// ISO strings for date columns' min and max.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max_label: Option<String>,
}

/// A dataset's profile; cached by the dataset's version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Profile {
    pub dataset_id: String,
    pub version: String,
    #[ts(type = "number")]
    pub rows: u64,
    pub columns: Vec<ColumnProfile>,
    #[ts(type = "number")]
    pub duplicate_rows: u64,
    #[ts(type = "number")]
    pub compute_ms: u64,
}
