//! The SQLite backend: `impl TrackingStore for Project`, over the project's `.cairn/cairn.db`
//! (migration 3). Every write is one transaction begun IMMEDIATE: a deferred transaction that later
//! upgrades to a write can fail with SQLITE_BUSY without the busy handler retrying, the classic
//! "database is locked" when several processes log at once. Reads run in one deferred transaction so a
//! page, its total and its runs' data come from the same snapshot.

mod cache;
mod experiments;
mod import;
mod logging;
mod query;
mod runs;

use cairn_types::{DatasetInput, Experiment, LifecycleStage, Metric, Run, RunInfo, RunStatus, Tag};
use rusqlite::{Transaction, TransactionBehavior};

use super::error::{Result, TrackingError};
use super::search::{ExperimentQuery, RunQuery};
use super::store::{NewRun, TrackingStore};
use super::validate::Batch;
use crate::conn::Conn;
use crate::project::Project;

pub(crate) use cache::SearchCache;

impl Project {
    /// Maps a database error to a tracking error (via the project's classification: corrupt, read-only …).
    pub(crate) fn sql_err(&self, e: rusqlite::Error) -> TrackingError {
        TrackingError::Store(self.classify(e))
    }

    fn tracking_conn(&self) -> Result<Conn> {
        let conn = self.conn()?;
        // MLflow's LIKE is case-sensitive and ILIKE is not; SQLite's LIKE ignores ASCII case unless told.
        conn.pragma_update(None, "case_sensitive_like", true).map_err(|e| self.sql_err(e))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// Runs `f` in one IMMEDIATE transaction, committed when it returns Ok and rolled back otherwise.
    pub(crate) fn tracking_write<T>(&self, what: &str, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.store_write(what, f)
    }

    /// Runs `f` in one read transaction (a consistent snapshot).
    pub(crate) fn tracking_read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        self.store_read(f)
    }

    /// [`Self::tracking_write`] for other parts of the store (the model registry) with their own errors.
    pub(crate) fn store_write<T, E: From<TrackingError>>(
        &self,
        what: &str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.ensure_writable(what).map_err(|e| E::from(TrackingError::from(e)))?;
        let mut conn = self.tracking_conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.sql_err(e))?;
        let out = f(&tx)?;
        tx.commit().map_err(|e| self.sql_err(e))?;
        Ok(out)
    }

    pub(crate) fn store_read<T, E: From<TrackingError>>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.tracking_conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(|e| self.sql_err(e))?;
        f(&tx)
    }

    /// `file://` URI of a folder under `.cairn/artifacts/`: a Python client on this machine writes there
    /// directly. Resolved from the project's current place, so a moved project keeps working.
    pub(crate) fn artifact_uri(&self, kind: &str, name: &str) -> String {
        let path = self.root().join(".cairn/artifacts").join(kind).join(name);
        file_uri(&path.to_string_lossy())
    }
}

/// A `file://` URI for an absolute path, percent-encoding what a URI cannot hold as is (as Python's
/// `Path.as_uri()` does), so MLflow's client maps it back to the same path.
fn file_uri(path: &str) -> String {
    let mut out = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn stage_str(stage: LifecycleStage) -> &'static str {
    match stage {
        LifecycleStage::Active => "active",
        LifecycleStage::Deleted => "deleted",
    }
}

fn parse_stage(s: &str) -> LifecycleStage {
    if s == "deleted" { LifecycleStage::Deleted } else { LifecycleStage::Active }
}

/// NaN is stored as value 0 with is_nan = 1 (a REAL column cannot hold NaN).
fn metric_value(value: f64, is_nan: bool) -> f64 {
    if is_nan { f64::NAN } else { value }
}

impl TrackingStore for Project {
    fn insert_experiment(&self, name: &str, artifact_location: Option<&str>, tags: &[Tag], now: i64) -> Result<String> {
        experiments::insert(self, name, artifact_location, tags, now)
    }

    fn read_experiment(&self, id: i64) -> Result<Experiment> {
        self.tracking_read(|tx| experiments::read(self, tx, id))
    }

    fn read_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>> {
        self.tracking_read(|tx| experiments::read_by_name(self, tx, name))
    }

    fn query_experiments(&self, query: &ExperimentQuery) -> Result<Vec<Experiment>> {
        self.tracking_read(|tx| query::experiments(self, tx, query))
    }

    fn write_experiment_name(&self, id: i64, name: &str, now: i64) -> Result<()> {
        experiments::rename(self, id, name, now)
    }

    fn write_experiment_stage(&self, id: i64, stage: LifecycleStage, now: i64) -> Result<()> {
        experiments::set_stage(self, id, stage, now)
    }

    fn write_experiment_tag(&self, id: i64, tag: &Tag) -> Result<()> {
        experiments::set_tag(self, id, tag)
    }

    fn remove_experiment_tag(&self, id: i64, key: &str) -> Result<()> {
        experiments::delete_tag(self, id, key)
    }

    fn insert_run(&self, run: &NewRun) -> Result<Run> {
        runs::insert(self, run)
    }

    fn read_run(&self, run_id: &str) -> Result<Run> {
        self.tracking_read(|tx| runs::read(self, tx, run_id))
    }

    fn write_run_info(&self, run_id: &str, status: Option<RunStatus>, end_time: Option<i64>, run_name: Option<&str>) -> Result<RunInfo> {
        // No checkpoint here: a read-only open reads the WAL (see `Project::conn`), and checkpointing at
        // every run's end cost ~40% of logging 1,000 short runs through the MLflow API.
        runs::update(self, run_id, status, end_time, run_name)
    }

    fn write_run_stage(&self, run_id: &str, stage: LifecycleStage, now: i64) -> Result<()> {
        runs::set_stage(self, run_id, stage, now)
    }

    fn write_batch(&self, run_id: &str, batch: &Batch) -> Result<()> {
        logging::write_batch(self, run_id, batch)
    }

    fn remove_run_tag(&self, run_id: &str, key: &str) -> Result<()> {
        logging::delete_tag(self, run_id, key)
    }

    fn write_inputs(&self, run_id: &str, inputs: &[DatasetInput]) -> Result<()> {
        logging::write_inputs(self, run_id, inputs)
    }

    fn read_metric_history(&self, run_id: &str, key: &str, offset: u64, limit: Option<u64>) -> Result<Vec<Metric>> {
        self.tracking_read(|tx| logging::history(self, tx, run_id, key, offset, limit))
    }

    fn read_metric_series(&self, run_id: &str, key: &str) -> Result<Vec<Metric>> {
        self.tracking_read(|tx| logging::series(self, tx, run_id, key))
    }

    fn query_runs(&self, query: &RunQuery) -> Result<(Vec<Run>, u64)> {
        self.tracking_read(|tx| query::runs(self, tx, query))
    }
}
