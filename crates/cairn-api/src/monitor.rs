//! Model Monitor, first path: a baseline from a dataset version, and a run that checks a dataset or a file
//! against it. The computations are cairn-monitor's; this file finds the data, names the folders and turns
//! the crate's errors into [`ApiError`]s.
//!
//! Baselines live in `<project>/monitoring/baselines/<dataset>-<version[..8]>/`, runs in
//! `<project>/monitoring/runs/<YYYYMMDDTHHMMSSZ>-<id>/`: plain folders beside the user's files, so they can
//! be read, edited (constraints.json) and kept under version control like SageMaker's.

use std::path::{Path, PathBuf};

use cairn_monitor::{Baseline, DriftOptions, DriftReport, MonitorError, Violations};
use cairn_store::Project;
use cairn_types::{ApiError, BaselineInfo, ColumnDriftInfo, ErrorCode, ImportOptions, MonitorData, MonitorReport, ViolationInfo};

use crate::projects::expand;
use crate::{ImportObserver, Studio, new_id};

const BASELINES: &str = "monitoring/baselines";
const RUNS: &str = "monitoring/runs";

impl Studio {
    /// Makes a baseline of a dataset's current version (usually the training data) and writes it to
    /// `monitoring/baselines/<dataset>-<version[..8]>/`. Made again for the same version, a
    /// `constraints.json` already there is kept: it may have been edited by hand.
    pub fn monitor_baseline(&self, pid: &str, dataset: &str) -> Result<BaselineInfo, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("a monitoring baseline")?;
        let ds = project.get_dataset(dataset)?;
        let frame = self.frame(&project, &ds)?;
        let baseline = Baseline::from_frame(&frame).map_err(|e| monitor_error(e, &format!("dataset `{}`", ds.name)))?;
        let short: String = ds.version.chars().take(8).collect();
        let name = format!("{}-{short}", folder_safe(&ds.name));
        let dir = project.root().join(BASELINES).join(&name);
        let kept = std::fs::read_to_string(dir.join("constraints.json"))
            .ok()
            .filter(|text| cairn_monitor::baseline::read_constraints(text).is_ok());
        baseline.write_dir(&dir).map_err(|e| write_error(e, &dir))?;
        if let Some(text) = &kept {
            std::fs::write(dir.join("constraints.json"), text).map_err(|e| {
                ApiError::new(ErrorCode::Io, format!("cannot write {}: {e}", dir.join("constraints.json").display()))
                    .with_hint("check that the project folder is writable")
            })?;
        }
        Ok(BaselineInfo {
            name,
            path: dir.to_string_lossy().into_owned(),
            dataset: ds.name.clone(),
            dataset_id: ds.id.clone(),
            version: ds.version.clone(),
            rows: frame.height() as u64,
            columns: frame.get_column_names().iter().map(|c| c.to_string()).collect(),
            constraints_kept: kept.is_some(),
        })
    }

    /// Checks a dataset or a file against a baseline: SageMaker's six constraint checks and Evidently's
    /// default drift tests. Writes `constraint_violations.json`, `drift.json` and `run.json` into a new
    /// folder under `monitoring/runs/` and returns the findings; drift and violations are not errors.
    pub fn monitor_run(&self, pid: &str, baseline: &str, data: MonitorData) -> Result<MonitorReport, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("a monitoring run")?;
        let dir = baseline_dir(&project, baseline)?;
        let base = Baseline::read_dir(&dir).map_err(|e| monitor_error(e, &format!("baseline {}", dir.display())))?;
        let (frame, described) = match &data {
            MonitorData::Dataset(d) => {
                let ds = project.get_dataset(d)?;
                let frame = self.frame(&project, &ds)?;
                let short: String = ds.version.chars().take(8).collect();
                (frame, format!("dataset {} (version {short})", ds.name))
            }
            MonitorData::File(f) => {
                let path = file_path(&project, f)?;
                let obs = ImportObserver { task: None, on_progress: None };
                let read = cairn_data::read_file(&path, &ImportOptions::default(), &obs)?;
                (std::sync::Arc::new(read.frame), path.to_string_lossy().into_owned())
            }
        };
        let current = if frame.height() == 0 { Err(MonitorError::EmptyWindow) } else { cairn_monitor::summary::summarize(&frame) }
            .map_err(|e| monitor_error(e, &described))?;
        let violations = cairn_monitor::violations::check_summaries(&base, &current);
        let drift = cairn_monitor::drift::drift_from_summaries(&base.reference, &current, &DriftOptions::default());

        let now = self.now();
        let id = new_id("m");
        let run = format!("{}-{}", stamp(now), id.trim_start_matches("m_").chars().take(6).collect::<String>());
        let out = project.root().join(RUNS).join(&run);
        let report = MonitorReport {
            run,
            path: out.to_string_lossy().into_owned(),
            baseline: dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            baseline_path: dir.to_string_lossy().into_owned(),
            data: described,
            rows: frame.height() as u64,
            created_at: now,
            violations: violation_infos(&violations),
            columns: drift_infos(&drift),
            tested_columns: drift.tested_columns as u64,
            drifted_columns: drift.drifted_columns as u64,
            share_of_drifted_columns: drift.share_of_drifted_columns,
            dataset_drift: drift.dataset_drift,
            drift_share: drift.drift_share,
        };
        std::fs::create_dir_all(&out).map_err(|e| io_error(&out, e))?;
        write_json(&out.join("constraint_violations.json"), &violations)?;
        write_json(&out.join("drift.json"), &drift)?;
        write_json(&out.join("run.json"), &report)?;
        Ok(report)
    }
}

/// A baseline's folder from its name (a folder of `monitoring/baselines/`) or a path to one.
fn baseline_dir(project: &Project, baseline: &str) -> Result<PathBuf, ApiError> {
    let root = project.root().join(BASELINES);
    let given = baseline.trim();
    if given.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidInput, "no baseline was given").with_hint(known(&root)));
    }
    let by_name = root.join(given);
    let dir = if !given.contains(['/', '\\']) && by_name.is_dir() {
        by_name
    } else {
        let p = expand(given);
        if p.is_absolute() { p } else { project.root().join(p) }
    };
    if !dir.join("cairn_baseline.json").is_file() {
        let what = if dir.is_dir() { "is not a baseline folder (it has no cairn_baseline.json)" } else { "does not exist" };
        return Err(ApiError::new(ErrorCode::FileNotFound, format!("baseline `{given}` {what}: looked in {}", dir.display()))
            .with_hint(known(&root)));
    }
    Ok(dir)
}

/// The baselines a project has, as a hint.
fn known(root: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("cairn_baseline.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    if names.is_empty() {
        "this project has no baselines yet: make one with `cairn monitor baseline PROJECT DATASET`".into()
    } else {
        format!("this project's baselines: {}", names.join(", "))
    }
}

/// A data file's path: `~` expanded, relative paths taken from the project folder.
fn file_path(project: &Project, path: &str) -> Result<PathBuf, ApiError> {
    if path.trim().is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidInput, "no file was given: the path is empty")
            .with_hint("give the path of a CSV, Parquet or JSON file"));
    }
    let p = expand(path.trim());
    Ok(if p.is_absolute() { p } else { project.root().join(p) })
}

/// A dataset name as a folder name: characters a file system may refuse become `_`.
fn folder_safe(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "dataset".into() } else { s }
}

/// `YYYYMMDDTHHMMSSZ` (UTC): sorts by time and is a valid file name everywhere (no colons).
fn stamp(ms: i64) -> String {
    let (days, secs) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000) / 1000);
    let date = cairn_types::words::iso_date(days).replace('-', "");
    format!("{date}T{:02}{:02}{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

fn violation_infos(v: &Violations) -> Vec<ViolationInfo> {
    v.violations
        .iter()
        .map(|v| ViolationInfo {
            feature_name: v.feature_name.clone(),
            constraint_check_type: wire_name(&v.constraint_check_type),
            description: v.description.clone(),
        })
        .collect()
}

fn drift_infos(d: &DriftReport) -> Vec<ColumnDriftInfo> {
    d.columns
        .iter()
        .map(|c| ColumnDriftInfo {
            column: c.column.clone(),
            kind: c.kind.as_ref().map(wire_name),
            test: c.test.map(|t| t.name().to_string()),
            score: c.score,
            threshold: c.threshold,
            drifted: c.drifted,
            error: c.error.clone(),
        })
        .collect()
}

/// An enum's serde spelling (`missing_column_check`, `numerical`): the names the files use.
fn wire_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), ApiError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    std::fs::write(path, text).map_err(|e| io_error(path, e))
}

fn io_error(path: &Path, e: std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("cannot write {}: {e}", path.display()))
        .with_hint("check that the project folder is writable and the disk is not full")
}

fn write_error(e: MonitorError, dir: &Path) -> ApiError {
    match e {
        MonitorError::Invalid { what, message } => ApiError::new(ErrorCode::Io, format!("cannot write {what}: {message}"))
            .with_hint(format!("check that {} is writable and the disk is not full", dir.display())),
        other => monitor_error(other, &dir.display().to_string()),
    }
}

/// cairn-monitor's errors with the code the UI and scripts match on; `what` names the data concerned.
fn monitor_error(e: MonitorError, what: &str) -> ApiError {
    let message = e.to_string();
    match e {
        MonitorError::EmptyWindow => ApiError::new(ErrorCode::InvalidInput, format!("{what} has no rows"))
            .with_hint("check a dataset or file with rows in it"),
        MonitorError::MissingColumn(c) => {
            ApiError::new(ErrorCode::ColumnNotFound, format!("{what}: column '{c}' is missing"))
                .with_hint("add the column, or make a baseline from data with the same columns")
        }
        MonitorError::Data { column, .. } => ApiError::new(ErrorCode::TypeMismatch, format!("{what}: {message}"))
            .with_hint(format!("convert column '{column}' to numbers, text or booleans, or leave it out")),
        MonitorError::NewerBaseline { .. } => ApiError::new(ErrorCode::SchemaTooNew, format!("{what}: {message}"))
            .with_hint("upgrade Cairn, or make the baseline again with `cairn monitor baseline PROJECT DATASET`"),
        MonitorError::Invalid { .. } => ApiError::new(ErrorCode::InvalidInput, format!("{what}: {message}")).with_hint(
            "fix the file (constraints.json may have been edited by hand), or make the baseline again with `cairn monitor baseline PROJECT DATASET`",
        ),
        MonitorError::Quality(_) => ApiError::new(ErrorCode::InvalidInput, format!("{what}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names() {
        assert_eq!(super::stamp(86_400_000 + 3_600_000 * 13 + 60_000 * 30 + 5_000), "19700102T133005Z");
        assert_eq!(super::folder_safe("sales/2024 q1"), "sales_2024_q1");
        assert_eq!(super::folder_safe(".."), "dataset");
    }
}
