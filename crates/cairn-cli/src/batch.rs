//! `cairn batch-predict`: a model over a file or a dataset of any size, in chunks, as a job here or on a
//! Ray cluster; follows the job's log (chunks done of all) and prints the result.

use std::path::PathBuf;
use std::time::Duration;

use cairn_api::Studio;
use cairn_types::{ApiError, BatchFormat, BatchPredictRequest, ErrorCode, JobState};

use crate::say;

#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    pub project: PathBuf,
    /// A registered model: GROUP@VERSION, GROUP@ALIAS or GROUP (its latest approved version); or a
    /// run's model: run:RUN_ID.
    pub model: String,
    /// A CSV/TSV or Parquet file of raw rows (with --dataset: a dataset's name or id).
    pub file: String,
    /// The output file: Parquet, or CSV when it ends in .csv (see --format). On a cluster (--on) the
    /// cluster writes it: it must be on this computer when the cluster runs here, else on a shared
    /// file system.
    #[arg(long)]
    pub out: PathBuf,
    /// FILE is a dataset of the project: its stored copy is read.
    #[arg(long)]
    pub dataset: bool,
    /// Input columns written before the predictions, comma-separated; `*` for all of them.
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Rows per chunk (memory stays bounded by a few chunks).
    #[arg(long = "chunk-rows")]
    pub chunk_rows: Option<u64>,
    /// parquet or csv (default: from --out's extension, else parquet).
    #[arg(long)]
    pub format: Option<String>,
    /// Continue an interrupted run with the same arguments: its finished chunks are kept.
    #[arg(long)]
    pub resume: bool,
    /// A cluster profile (or Ray dashboard address) to run on; the model and the input are sent with the job.
    #[arg(long)]
    pub on: Option<String>,
    /// The Ray cluster's token (its RAY_AUTH_TOKEN), when it uses token authentication.
    #[arg(long, env = "CAIRN_RAY_TOKEN", hide_env_values = true, requires = "on")]
    pub token: Option<String>,
    #[arg(long)]
    pub experiment: Option<String>,
    /// Start the job and return (follow it with `cairn` jobs or the studio's Jobs page).
    #[arg(long)]
    pub detach: bool,
    /// Print the result as JSON on stdout (the log goes to stderr).
    #[arg(long)]
    pub json: bool,
}

fn absolute(p: &std::path::Path) -> String {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).to_string_lossy().into_owned()
}

pub fn run(studio: &Studio, pid: &str, a: BatchArgs) -> Result<(), ApiError> {
    let format = match a.format.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("parquet") => Some(BatchFormat::Parquet),
        Some("csv") => Some(BatchFormat::Csv),
        Some(f) => {
            return Err(ApiError::new(ErrorCode::InvalidInput, format!("--format {f:?} is not a format")).with_hint("use parquet or csv"));
        }
    };
    if let (Some(on), Some(token)) = (&a.on, &a.token) {
        studio.set_cluster_token(&studio.resolve_cluster(on)?, Some(token.clone()));
    }
    let (file, dataset) = if a.dataset { (None, Some(a.file.clone())) } else { (Some(absolute(a.file.as_ref())), None) };
    let req = BatchPredictRequest {
        model: a.model.clone(),
        file,
        dataset,
        out: absolute(&a.out),
        format,
        columns: a.columns.clone(),
        chunk_rows: a.chunk_rows,
        on: a.on.clone(),
        resume: a.resume,
        experiment: a.experiment.clone(),
    };
    let started = studio.start_batch_prediction(pid, req)?;
    let note = format!("job {} (run {})", started.job_id, started.run_id);
    if a.json {
        eprintln!("{note}");
    } else {
        say!("{note}");
    }
    if a.detach {
        return Ok(());
    }
    let interrupted = crate::train::ctrl_c_flag();
    if !crate::train::follow_log(studio, pid, &started.job_id, Duration::from_millis(200), Some(&interrupted), a.json)? {
        let job = studio.cancel_job(pid, &started.job_id)?;
        return Err(ApiError::new(ErrorCode::Cancelled, format!("batch prediction cancelled ({:?})", job.state))
            .with_hint("run the same command with --resume to continue from the finished chunks"));
    }
    let status = studio.batch_status(pid, &started.job_id)?;
    match (status.job.state, status.result) {
        (JobState::Succeeded, Some(r)) => {
            if a.json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                say!("wrote {} rows to {} ({} scored, {} failed)", r.rows, r.out, r.scored, r.failed);
            }
            Ok(())
        }
        (state, _) => Err(ApiError::new(
            ErrorCode::Internal,
            format!("the batch prediction ended {state:?}: {}", status.job.error.unwrap_or_else(|| "see its log".into())),
        )
        .with_hint("fix what its log says, then run the same command with --resume to keep the finished chunks")),
    }
}
