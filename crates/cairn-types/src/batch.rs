//! Batch transform: predictions over a dataset or a file of any size, in chunks, resumable.
//!
//! A batch prediction is a job (here or on a Ray cluster) with a run of its own, in the experiment
//! "Batch predictions". It reads the input in chunks of `chunk_rows` rows, predicts each with the model
//! and writes each chunk's part into a work folder beside the output (`<out>.cairn-batch/`), recording
//! finished chunks in a manifest there; the output is then assembled in input order. A rerun with the
//! same arguments (`resume`) skips the chunks already done.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::Progress;

/// The output's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum BatchFormat {
    Parquet,
    Csv,
}

impl BatchFormat {
    /// The format a path's extension names (`.parquet`/`.pq`, `.csv`), if any.
    pub fn of_path(path: &str) -> Option<BatchFormat> {
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        match ext.as_str() {
            "parquet" | "pq" => Some(BatchFormat::Parquet),
            "csv" => Some(BatchFormat::Csv),
            _ => None,
        }
    }
}

/// `POST /api/projects/{pid}/batch-predictions`: what to predict over, with which model, and where to.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct BatchPredictRequest {
    /// A registered model: `GROUP@VERSION` (`churn@3`), `GROUP@ALIAS` (`churn@champion`), `GROUP` (its
    /// latest version); or a run's model: `run:<run id or unique prefix>`.
    pub model: String,
    /// A file of raw rows (CSV/TSV or Parquet; a path on this computer). Exactly one of `file` and `dataset`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub file: Option<String>,
    /// A dataset of the project (name or id): its stored copy is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dataset: Option<String>,
    /// Where the predictions go (an absolute path, or relative to the project's folder). On a cluster
    /// it must be absolute and writable by the cluster (this computer, or a shared file system).
    pub out: String,
    /// None: from `out`'s extension (`.csv`, else Parquet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub format: Option<BatchFormat>,
    /// Input columns written before the predictions, in this order; `["*"]` for all of them.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Rows per chunk (default 100,000): memory is bounded by a few chunks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub chunk_rows: Option<u64>,
    /// A cluster profile's name or a Ray dashboard address; None: this computer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub on: Option<String>,
    /// Continue the work left in `out`'s work folder by an interrupted run with the same arguments,
    /// skipping its finished chunks. Without it, any earlier work there is discarded.
    #[serde(default)]
    pub resume: bool,
    /// The experiment of the job's run (default "Batch predictions").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub experiment: Option<String>,
}

/// What a batch job runs: the request with its model and input resolved to files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct BatchSpec {
    /// The model as asked (`churn@champion`, `run:…`), for people.
    pub model: String,
    /// The model file (absolute; on a cluster, the copy packed with the job).
    pub model_path: String,
    /// The input file (absolute; on a cluster, the copy packed with the job).
    pub input: String,
    /// The dataset the input is the stored copy of, if it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dataset: Option<String>,
    /// The output file (absolute).
    pub out: String,
    pub format: BatchFormat,
    /// Input columns joined to the predictions (`*`: all).
    pub columns: Vec<String>,
    #[ts(type = "number")]
    pub chunk_rows: u64,
    /// Keep the finished chunks found in the work folder (a rerun); false discards them first.
    #[serde(default)]
    pub resume: bool,
}

/// A row that could not be scored: empty predictions in the output, and listed here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RowError {
    /// The data row, 1-based in the input's order (the header is not a row).
    #[ts(type = "number")]
    pub row: u64,
    /// The line of a CSV file the row starts on (the header is line 1), when the input is CSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub line: Option<u64>,
    /// Why, in words (the column and the value).
    pub reason: String,
}

/// How a batch prediction ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct BatchResult {
    pub model: String,
    pub input: String,
    pub out: String,
    pub format: BatchFormat,
    /// The errors file beside the output (`<out stem>.errors.csv`: row, line, reason), when a row failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub errors_file: Option<String>,
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub scored: u64,
    #[ts(type = "number")]
    pub failed: u64,
    #[ts(type = "number")]
    pub chunks: u64,
    /// Chunks found finished by an earlier, interrupted run and not computed again.
    #[ts(type = "number")]
    pub chunks_resumed: u64,
    /// The rows of those chunks.
    #[serde(default)]
    #[ts(type = "number")]
    pub rows_resumed: u64,
    /// The columns written: the joined input columns, then `prediction` (and `proba_<class>`).
    pub columns: Vec<String>,
    /// The first failed rows (at most 100; all of them are in the errors file).
    pub errors: Vec<RowError>,
    /// Wall time of this run (a resumed run counts only its own part).
    pub seconds: f64,
}

/// `GET /api/projects/{pid}/batch-predictions/{jid}`: a batch job, how far it is, and its result once done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct BatchStatus {
    pub job: crate::JobInfo,
    pub spec: BatchSpec,
    /// Chunks done of all (`unit` "chunks"), from the work folder's manifest; None before the first
    /// chunk is planned, or when the work folder cannot be read from here (a cluster's own disk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub progress: Option<Progress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub result: Option<BatchResult>,
}
