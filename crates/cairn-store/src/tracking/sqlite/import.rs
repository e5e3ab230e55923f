//! Bulk import of whole runs in one transaction: for bringing runs over from another store (an MLflow
//! export) and for building large projects in benchmarks, where one transaction per run would be slow.

use cairn_types::{LifecycleStage, Run};
use rusqlite::params;

use super::{experiments, stage_str};
use crate::project::Project;
use crate::tracking::error::{Result, TrackingError};
use crate::tracking::names::is_run_id;
use crate::tracking::validate::{self, Batch};

impl Project {
    /// Imports runs into an experiment, all or nothing, keeping their ids, names, times, status and
    /// lifecycle stage; each metric in `data.metrics` becomes one point of history (and the latest
    /// value). Ids must be 32 lowercase hex characters and new to the project.
    pub fn import_runs(&self, experiment_id: &str, runs: &[Run]) -> Result<usize> {
        let experiment_id = validate::experiment_id(experiment_id)?;
        // The same checks log_batch makes (values cut to their limits), without its per-request limits.
        let mut checked = Vec::with_capacity(runs.len());
        for run in runs {
            if !is_run_id(&run.info.run_id) {
                return Err(TrackingError::InvalidInput(format!(
                    "`{}` is not a run id this store can import (32 lowercase hexadecimal characters)",
                    run.info.run_id
                )));
            }
            for chunk in run.data.metrics.chunks(validate::MAX_METRICS_PER_BATCH) {
                Batch::new(chunk, &[], &[])?;
            }
            let mut params = Vec::with_capacity(run.data.params.len());
            for chunk in run.data.params.chunks(validate::MAX_PARAMS_TAGS_PER_BATCH) {
                params.extend_from_slice(Batch::new(&[], chunk, &[])?.params());
            }
            let tags = run.data.tags.iter().map(validate::run_tag).collect::<Result<Vec<_>>>()?;
            checked.push((params, tags));
        }
        self.tracking_write("imported runs", |tx| {
            let err = |e| self.sql_err(e);
            experiments::read(self, tx, experiment_id)?;
            let mut run_stmt = tx
                .prepare_cached(
                    "INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, end_time, \
                     lifecycle_stage, deleted_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL)",
                )
                .map_err(err)?;
            let mut param_stmt = tx.prepare_cached("INSERT INTO params (rid, key, value) VALUES (?1, ?2, ?3)").map_err(err)?;
            let mut tag_stmt = tx
                .prepare_cached(
                    "INSERT INTO run_tags (rid, key, value) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (rid, key) DO UPDATE SET value = excluded.value",
                )
                .map_err(err)?;
            let mut point_stmt = tx
                .prepare_cached(
                    "INSERT INTO metric_history (rid, key, step, timestamp, value, is_nan) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT DO NOTHING",
                )
                .map_err(err)?;
            let mut latest_stmt = tx
                .prepare_cached(
                    "INSERT INTO latest_metrics (rid, key, value, timestamp, step, is_nan) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (rid, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, \
                     step = excluded.step, is_nan = excluded.is_nan \
                     WHERE (excluded.step, excluded.timestamp, excluded.value) \
                         > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)",
                )
                .map_err(err)?;
            for (run, (params, tags)) in runs.iter().zip(&checked) {
                let i = &run.info;
                let stage = if i.lifecycle_stage == LifecycleStage::Deleted { LifecycleStage::Deleted } else { LifecycleStage::Active };
                run_stmt
                    .execute(params![
                        i.run_id,
                        experiment_id,
                        i.run_name,
                        i.user_id,
                        i.status.as_str(),
                        i.start_time,
                        i.end_time,
                        stage_str(stage)
                    ])
                    .map_err(|e| match e {
                        rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
                            TrackingError::InvalidInput(format!("a run with id {} already exists", i.run_id))
                        }
                        e => self.sql_err(e),
                    })?;
                let rid = tx.last_insert_rowid();
                for p in params {
                    param_stmt.execute(params![rid, p.key, p.value]).map_err(err)?;
                }
                for t in tags {
                    tag_stmt.execute(params![rid, t.key, t.value]).map_err(err)?;
                }
                if !tags.iter().any(|t| t.key == validate::RUN_NAME_TAG) {
                    tag_stmt.execute(params![rid, validate::RUN_NAME_TAG, i.run_name]).map_err(err)?;
                }
                for m in &run.data.metrics {
                    let (value, is_nan) = if m.value.is_nan() { (0.0, true) } else { (m.value, false) };
                    point_stmt.execute(params![rid, m.key, m.step, m.timestamp, value, is_nan]).map_err(err)?;
                    latest_stmt.execute(params![rid, m.key, value, m.timestamp, m.step, is_nan]).map_err(err)?;
                }
            }
            Ok(runs.len())
        })
    }
}
