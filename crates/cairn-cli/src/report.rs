//! `cairn report PROJECT RUN [--out FILE]`: a run's explainability report as one HTML page.

use std::path::PathBuf;

use cairn_api::Studio;
use cairn_types::{ApiError, ErrorCode};

use crate::say;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    pub project: PathBuf,
    /// Run id (or a unique prefix, or its name).
    pub run: String,
    /// Where to write the page (default: `<run name>-report.html` in this folder).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Writes the report of `run_id` and prints its path.
pub fn run(studio: &Studio, pid: &str, run_id: &str, a: &ReportArgs) -> Result<(), ApiError> {
    let html = studio.run_report(pid, run_id)?;
    let path = match &a.out {
        Some(p) => p.clone(),
        None => PathBuf::from(cairn_api::report_file_name(&studio.run(pid, run_id)?.info.run_name)),
    };
    std::fs::write(&path, html).map_err(|e| ApiError::new(ErrorCode::Io, format!("cannot write {}: {e}", path.display())))?;
    say!("{}", std::path::absolute(&path).unwrap_or(path).display());
    Ok(())
}
