//! Logging into runs: batches of metrics, params and tags; dataset inputs; metric histories.

use std::collections::HashMap;

use cairn_types::{DatasetInput, Metric};
use rusqlite::{Connection, params};

use super::metric_value;
use super::runs::{locate, locate_active, set_name};
use crate::project::Project;
use crate::tracking::error::{Result, TrackingError};
use crate::tracking::validate::{Batch, RUN_NAME_TAG};

/// NaN becomes (0, true): the REAL column cannot hold it, and MLflow compares it as 0 when choosing the
/// latest point.
fn stored(value: f64) -> (f64, bool) {
    if value.is_nan() { (0.0, true) } else { (value, false) }
}

/// Whether point `a` replaces `b` as the latest: higher step, then later timestamp, then larger value.
fn newer(a: &Metric, b: &Metric) -> bool {
    let (va, vb) = (stored(a.value).0, stored(b.value).0);
    (a.step, a.timestamp).cmp(&(b.step, b.timestamp)).then(va.total_cmp(&vb)).is_gt()
}

pub(super) fn write_batch(p: &Project, run_id: &str, batch: &Batch) -> Result<()> {
    p.tracking_write(&format!("run {run_id}"), |tx| {
        let err = |e| p.sql_err(e);
        let (rid, _) = locate_active(p, tx, run_id)?;

        if !batch.params().is_empty() {
            let mut insert = tx
                .prepare_cached("INSERT INTO params (rid, key, value) VALUES (?1, ?2, ?3) ON CONFLICT (rid, key) DO NOTHING")
                .map_err(err)?;
            let mut existing = tx.prepare_cached("SELECT value FROM params WHERE rid = ?1 AND key = ?2").map_err(err)?;
            for param in batch.params() {
                if insert.execute(params![rid, param.key, param.value]).map_err(err)? == 0 {
                    let old: String = existing.query_row(params![rid, param.key], |r| r.get(0)).map_err(err)?;
                    if old != param.value {
                        // Returning drops the transaction: nothing of this batch is kept.
                        return Err(TrackingError::ParamChanged {
                            run_id: run_id.to_string(),
                            key: param.key.clone(),
                            old,
                            new: param.value.clone(),
                        });
                    }
                }
            }
        }

        if !batch.metrics().is_empty() {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO metric_history (rid, key, step, timestamp, value, is_nan) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT DO NOTHING",
                )
                .map_err(err)?;
            let mut latest: HashMap<&str, &Metric> = HashMap::new();
            for m in batch.metrics() {
                let (value, is_nan) = stored(m.value);
                insert.execute(params![rid, m.key, m.step, m.timestamp, value, is_nan]).map_err(err)?;
                let slot = latest.entry(m.key.as_str()).or_insert(m);
                if newer(m, slot) {
                    *slot = m;
                }
            }
            // One upsert per key; the row only moves forward (step, timestamp, value), so concurrent
            // batches for the same run cannot move the latest value back.
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO latest_metrics (rid, key, value, timestamp, step, is_nan) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (rid, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, \
                     step = excluded.step, is_nan = excluded.is_nan \
                     WHERE (excluded.step, excluded.timestamp, excluded.value) \
                         > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)",
                )
                .map_err(err)?;
            for m in latest.values() {
                let (value, is_nan) = stored(m.value);
                upsert.execute(params![rid, m.key, value, m.timestamp, m.step, is_nan]).map_err(err)?;
            }
        }

        if !batch.tags().is_empty() {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO run_tags (rid, key, value) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (rid, key) DO UPDATE SET value = excluded.value",
                )
                .map_err(err)?;
            for t in batch.tags() {
                if t.key == RUN_NAME_TAG {
                    // Setting the name tag renames the run, as MLflow's set_tag does; an empty name is ignored.
                    if !t.value.is_empty() {
                        set_name(p, tx, rid, &t.value)?;
                    }
                } else {
                    upsert.execute(params![rid, t.key, t.value]).map_err(err)?;
                }
            }
        }
        Ok(())
    })
}

pub(super) fn delete_tag(p: &Project, run_id: &str, key: &str) -> Result<()> {
    p.tracking_write(&format!("run {run_id}"), |tx| {
        let (rid, _) = locate_active(p, tx, run_id)?;
        let n = tx.execute("DELETE FROM run_tags WHERE rid = ?1 AND key = ?2", params![rid, key]).map_err(|e| p.sql_err(e))?;
        if n == 0 {
            return Err(TrackingError::TagNotFound { kind: "run", id: run_id.to_string(), key: key.to_string() });
        }
        Ok(())
    })
}

/// Data sets are kept once per experiment (name, digest) and linked to runs; a run that already has a
/// data set keeps its first link and tags.
pub(super) fn write_inputs(p: &Project, run_id: &str, inputs: &[DatasetInput]) -> Result<()> {
    p.tracking_write(&format!("run {run_id}"), |tx| {
        let err = |e| p.sql_err(e);
        let (rid, experiment_id) = locate_active(p, tx, run_id)?;
        for input in inputs {
            let d = &input.dataset;
            tx.execute(
                "INSERT INTO input_datasets (experiment_id, name, digest, source_type, source, schema, profile) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (experiment_id, name, digest) DO NOTHING",
                params![experiment_id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile],
            )
            .map_err(err)?;
            let dataset_id: i64 = tx
                .query_row(
                    "SELECT dataset_id FROM input_datasets WHERE experiment_id = ?1 AND name = ?2 AND digest = ?3",
                    params![experiment_id, d.name, d.digest],
                    |r| r.get(0),
                )
                .map_err(err)?;
            let linked = tx
                .execute(
                    "INSERT INTO run_inputs (rid, dataset_id) VALUES (?1, ?2) ON CONFLICT (rid, dataset_id) DO NOTHING",
                    params![rid, dataset_id],
                )
                .map_err(err)?;
            if linked == 1 {
                let input_id = tx.last_insert_rowid();
                for t in &input.tags {
                    tx.execute(
                        "INSERT INTO run_input_tags (input_id, key, value) VALUES (?1, ?2, ?3) \
                         ON CONFLICT (input_id, key) DO UPDATE SET value = excluded.value",
                        params![input_id, t.key, t.value],
                    )
                    .map_err(err)?;
                }
            }
        }
        Ok(())
    })
}

fn point(r: &rusqlite::Row<'_>) -> rusqlite::Result<Metric> {
    Ok(Metric { key: r.get(0)?, value: metric_value(r.get(1)?, r.get(4)?), timestamp: r.get(2)?, step: r.get(3)? })
}

pub(super) fn history(p: &Project, conn: &Connection, run_id: &str, key: &str, offset: u64, limit: Option<u64>) -> Result<Vec<Metric>> {
    let err = |e| p.sql_err(e);
    let mut stmt = conn
        .prepare_cached(
            "SELECT h.key, h.value, h.timestamp, h.step, h.is_nan FROM metric_history h JOIN runs r ON r.rid = h.rid \
             WHERE r.run_id = ?1 AND h.key = ?2 ORDER BY h.timestamp, h.step, h.value LIMIT ?3 OFFSET ?4",
        )
        .map_err(err)?;
    // LIMIT -1 is SQLite's "no limit".
    let limit = limit.map_or(-1, |l| l.min(i64::MAX as u64) as i64);
    let rows = stmt.query_map(params![run_id, key, limit, offset.min(i64::MAX as u64) as i64], point).map_err(err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(err)
}

pub(super) fn series(p: &Project, conn: &Connection, run_id: &str, key: &str) -> Result<Vec<Metric>> {
    let err = |e| p.sql_err(e);
    let (rid, _, _) = locate(p, conn, run_id)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT key, value, timestamp, step, is_nan FROM metric_history WHERE rid = ?1 AND key = ?2 \
             ORDER BY step, timestamp, value",
        )
        .map_err(err)?;
    let rows = stmt.query_map(params![rid, key], point).map_err(err)?;
    rows.collect::<rusqlite::Result<_>>().map_err(err)
}
