//! `cairn flow …`: run a project's flow to Parquet/CSV, export it as a Python script, rename it, list
//! operators.

use std::path::{Path, PathBuf};

use cairn_flow::{Options, Output, export_python};
use cairn_types::{ApiError, ErrorCode};
use clap::Subcommand;

use crate::say;

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// Run flows/FLOW.flow.json: fit what is not fitted yet (saved back in the file), write the output.
    Run {
        project: PathBuf,
        flow: String,
        /// Write here (`.csv` for CSV, else Parquet) instead of the project's artifacts.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Fit every step again on the current data.
        #[arg(long)]
        refit: bool,
    },
    /// Print (or write with --out) a standalone Python script, using polars, that reproduces the flow.
    ExportPython {
        project: PathBuf,
        flow: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Rename flows/FLOW.flow.json to NEW; the flows that read its output are pointed at the new name.
    Rename { project: PathBuf, flow: String, new: String },
    /// List the operators a flow's steps can use.
    Ops,
}

fn project_dir(p: &Path) -> Result<PathBuf, ApiError> {
    if !p.join("cairn.toml").is_file() {
        return Err(ApiError::new(ErrorCode::NotAProject, format!("{} is not a Cairn project", p.display()))
            .with_hint(format!("make it a project first: cairn new {}", p.display())));
    }
    Ok(std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

pub fn run(cmd: FlowCommand) -> Result<(), ApiError> {
    match cmd {
        FlowCommand::Run { project, flow, out, refit } => {
            let dir = project_dir(&project)?;
            let f = cairn_flow::load(&dir, &flow)?;
            let output = match out {
                Some(p) => Output::File(std::path::absolute(&p).unwrap_or(p)),
                None => Output::Artifacts,
            };
            let report = cairn_flow::run(&dir, &f, &output, &Options { refit, ..Default::default() })?;
            if report.fitted_now {
                let path = cairn_flow::save(&dir, &report.flow)?;
                say!("Fitted steps saved in {}", path.display());
            }
            say!("{} rows × {} columns → {}", report.rows, report.columns, report.path.display());
            Ok(())
        }
        FlowCommand::ExportPython { project, flow, out } => {
            let dir = project_dir(&project)?;
            let f = cairn_flow::load(&dir, &flow)?;
            let plan = cairn_flow::compile(&dir, &f, &Options::default())?;
            if plan.fitted_now {
                // The script bakes in fitted values; keep the file in step with what was exported.
                cairn_flow::save(&dir, &plan.flow)?;
            }
            let script = export_python(&dir, &plan)?;
            match out {
                Some(p) => {
                    std::fs::write(&p, script).map_err(|e| ApiError::new(ErrorCode::Io, format!("{}: {e}", p.display())))?;
                    say!("Wrote {}", p.display());
                }
                None => say!("{}", script.trim_end()),
            }
            Ok(())
        }
        FlowCommand::Rename { project, flow, new } => {
            let dir = project_dir(&project)?;
            let (renamed, repointed) = cairn_flow::rename(&dir, &flow, new.trim())?;
            say!("Renamed flow {flow:?} to {:?}", renamed.name);
            for other in repointed {
                say!("  flow {other:?} now reads {:?}", renamed.name);
            }
            Ok(())
        }
        FlowCommand::Ops => {
            for op in cairn_flow::operators() {
                say!("{:<18} v{}{}  {}", op.name, op.version, if op.fits { " fits" } else { "     " }, op.doc);
            }
            Ok(())
        }
    }
}
