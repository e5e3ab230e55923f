//! `cairn insights PROJECT DATASET --target T`: the insights report, printed or as JSON/HTML.

use std::path::PathBuf;

use cairn_api::{ImportObserver, Studio};
use cairn_types::{ApiError, ErrorCode, InsightsReport, InsightsRequest, Task};

use crate::output::ProgressLine;
use crate::say;

#[derive(Debug, clap::Args)]
pub struct InsightsArgs {
    pub project: PathBuf,
    /// Dataset name or id.
    pub dataset: String,
    /// The target column; `COLUMN=VALUE` (or --equals) for a binary target, e.g. `readmitted=<30`.
    #[arg(long)]
    pub target: String,
    /// Analyse the binary target `TARGET = VALUE`.
    #[arg(long)]
    pub equals: Option<String>,
    /// classification or regression (default: from the target).
    #[arg(long)]
    pub task: Option<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the report's HTML page here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// The request; `COLUMN=VALUE` is split only when no column has that whole name.
fn request(studio: &Studio, pid: &str, a: &InsightsArgs) -> Result<InsightsRequest, ApiError> {
    let task = match a.task.as_deref() {
        None => None,
        Some("classification") => Some(Task::Classification),
        Some("regression") => Some(Task::Regression),
        Some(other) => {
            return Err(ApiError::new(ErrorCode::InvalidInput, format!("--task {other:?} is not a task"))
                .with_hint("use classification or regression"));
        }
    };
    let ds = studio.dataset(pid, &a.dataset)?;
    let whole = ds.columns.iter().any(|c| c.name == a.target);
    let (target, equals) = match (&a.equals, a.target.split_once('=')) {
        (Some(v), _) => (a.target.clone(), Some(v.clone())),
        (None, Some((col, v))) if !whole => (col.trim().to_string(), Some(v.trim().to_string())),
        _ => (a.target.clone(), None),
    };
    Ok(InsightsRequest { target, equals, task })
}

pub fn run(studio: &Studio, pid: &str, a: &InsightsArgs) -> Result<(), ApiError> {
    let req = request(studio, pid, a)?;
    let bar = ProgressLine::new();
    let report = |phase: &str, done: u64, total: u64| bar.update(phase, done, total);
    let obs = ImportObserver { task: None, on_progress: Some(&report) };
    let result = studio.insights_now(pid, &a.dataset, &req, &obs);
    bar.clear();
    let (r, saved) = result?;
    if let Some(path) = &a.html {
        let html = studio.insights_html(pid, &a.dataset, &req).or_else(|_| Ok::<_, ApiError>(render(&r)))?;
        std::fs::write(path, html).map_err(|e| ApiError::new(ErrorCode::Io, format!("cannot write {}: {e}", path.display())))?;
    }
    if a.json {
        say!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
        return Ok(());
    }
    print(&r);
    if let Some(path) = &a.html {
        say!("\nHTML page: {}", path.display());
    }
    if let Some(dir) = saved {
        say!("Saved: {}", dir.display());
    }
    Ok(())
}

fn render(r: &InsightsReport) -> String {
    cairn_api::render_insights_html(r)
}

fn print(r: &InsightsReport) {
    say!("Insights: {} → {} ({} rows × {} columns, {} ms)", r.dataset_name, r.target.name, r.rows, r.columns_count, r.compute_ms);
    say!("");
    for line in &r.summary {
        say!("  • {line}");
    }
    let flagged: Vec<_> = r.columns.iter().filter(|c| !c.flags.is_empty()).collect();
    if !flagged.is_empty() {
        say!("\nFlagged columns:");
        for c in flagged {
            for f in &c.flags {
                let flag = serde_json::to_value(f.flag).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
                say!("  {:<26} {:<16} {}", c.name, flag, f.reason);
            }
        }
    }
    if !r.leakage.is_empty() {
        say!("\nEach feature alone ({} on held-out folds; above 0.95 is flagged):", r.leakage[0].metric);
        for l in r.leakage.iter().take(10) {
            say!("  {:<26} {:.3}{}", l.feature, l.score, if l.flagged { "  LEAKAGE?" } else { "" });
        }
    }
    if let Some(m) = &r.quick_model {
        say!("\nQuick model: gbm, {}-fold CV, {} {:.4}", m.folds, m.metric, m.score);
        for i in m.importances.iter().take(8) {
            say!("  {:<26} {:.3}", i.feature, i.importance);
        }
    }
}
