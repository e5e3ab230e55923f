//! `cairn monitor baseline|run`: Model Monitor from the command line. A baseline describes a dataset
//! version; a run checks a dataset or a file against it. Drift and violations are findings: the command
//! exits 0 with them and non-zero only when it could not check.

use std::path::PathBuf;

use cairn_api::Studio;
use cairn_types::{ApiError, BaselineInfo, ErrorCode, MonitorData, MonitorReport};

use crate::say;

#[derive(Debug, clap::Subcommand)]
pub enum MonitorCommand {
    /// Make a baseline (statistics.json, constraints.json) of a dataset's current version, usually the
    /// training data, in PROJECT/monitoring/baselines/. Made again, a hand-edited constraints.json is kept.
    Baseline {
        project: PathBuf,
        /// The dataset's name or id.
        dataset: String,
        #[arg(long)]
        json: bool,
    },
    /// Check a dataset or a file against a baseline: SageMaker's constraint violations and Evidently's
    /// per-column drift, written to PROJECT/monitoring/runs/.
    #[command(group(clap::ArgGroup::new("input").required(true).args(["data", "file"])))]
    Run {
        project: PathBuf,
        /// A baseline's name (see `cairn monitor baseline`) or the path of a baseline folder.
        #[arg(long)]
        baseline: String,
        /// A dataset of the project (name or id).
        #[arg(long)]
        data: Option<String>,
        /// A CSV/TSV, Parquet or JSON file.
        #[arg(long)]
        file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

impl MonitorCommand {
    pub fn project(&self) -> &PathBuf {
        match self {
            Self::Baseline { project, .. } | Self::Run { project, .. } => project,
        }
    }
}

pub fn run(studio: &Studio, pid: &str, cmd: MonitorCommand) -> Result<(), ApiError> {
    match cmd {
        MonitorCommand::Baseline { dataset, json, .. } => {
            let b = studio.monitor_baseline(pid, &dataset)?;
            if json {
                say!("{}", serde_json::to_string_pretty(&b).unwrap_or_default());
            } else {
                show_baseline(&b);
            }
        }
        MonitorCommand::Run { baseline, data, file, json, .. } => {
            // A baseline given as a path is taken from the current folder, as every path on the command line.
            let baseline = if baseline.contains(['/', '\\']) { crate::absolute(std::path::Path::new(&baseline)) } else { baseline };
            let data = match (data, file) {
                (_, Some(f)) => MonitorData::File(crate::absolute(&f)),
                (Some(d), None) => MonitorData::Dataset(d),
                (None, None) => {
                    return Err(ApiError::new(ErrorCode::InvalidInput, "nothing to check: give --data DATASET or --file PATH"));
                }
            };
            let r = studio.monitor_run(pid, &baseline, data)?;
            if json {
                say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                show_report(&r);
            }
        }
    }
    Ok(())
}

fn show_baseline(b: &BaselineInfo) {
    say!("Baseline {} of dataset {:?}: {} rows × {} columns", b.name, b.dataset, b.rows, b.columns.len());
    say!("  folder: {}", b.path);
    if b.constraints_kept {
        say!("  constraints.json was already there and was kept (delete it to have it suggested again)");
    }
    say!("check data against it:\n  cairn monitor run PROJECT --baseline {} --data DATASET | --file PATH", b.name);
}

fn show_report(r: &MonitorReport) {
    say!("Checked {} ({} rows) against baseline {}", r.data, r.rows, r.baseline);
    let verdict = if r.dataset_drift { "dataset drift" } else { "no dataset drift" };
    say!(
        "Drift: {} of {} tested columns drifted ({:.0}%; {verdict} at {:.0}%)",
        r.drifted_columns,
        r.tested_columns,
        r.share_of_drifted_columns * 100.0,
        r.drift_share * 100.0
    );
    let drifted: Vec<_> = r.columns.iter().filter(|c| c.drifted).collect();
    if !drifted.is_empty() {
        say!("  {:<24} {:<12} {:<14} {:>12} {:>10}", "column", "kind", "test", "score", "threshold");
        for c in drifted {
            say!(
                "  {:<24} {:<12} {:<14} {:>12} {:>10}",
                c.column,
                c.kind.as_deref().unwrap_or("-"),
                c.test.as_deref().unwrap_or("-"),
                c.score.map_or("-".into(), |s| format!("{s:.4e}")),
                c.threshold.map_or("-".into(), |t| format!("{t}"))
            );
        }
    }
    for c in r.columns.iter().filter(|c| c.error.is_some()) {
        say!("  not tested: {}", c.error.as_deref().unwrap_or_default());
    }
    if r.violations.is_empty() {
        say!("Violations: none");
    } else {
        say!("Violations ({}):", r.violations.len());
        for v in &r.violations {
            say!("  {:<26} {:<20} {}", v.constraint_check_type, v.feature_name, v.description);
        }
    }
    say!("report: {}", r.path);
}
