//! Runs: create, read (one or a page at once), update, soft delete/restore.

use std::collections::HashMap;

use cairn_types::{DatasetInput, DatasetRef, LifecycleStage, Metric, Param, Run, RunData, RunInfo, RunInputs, RunStatus, Tag};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{experiments, metric_value, parse_stage, stage_str};
use crate::project::Project;
use crate::tracking::error::{Result, TrackingError};
use crate::tracking::store::NewRun;
use crate::tracking::validate::RUN_NAME_TAG;

const COLUMNS: &str = "rid, run_id, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri";

fn info_from_row(p: &Project, r: &Row<'_>) -> rusqlite::Result<(i64, RunInfo)> {
    let run_id: String = r.get(1)?;
    let uri: Option<String> = r.get(9)?;
    let info = RunInfo {
        artifact_uri: uri.unwrap_or_else(|| p.artifact_uri("runs", &run_id)),
        run_id,
        run_name: r.get(2)?,
        experiment_id: r.get::<_, i64>(3)?.to_string(),
        user_id: r.get(4)?,
        status: RunStatus::parse(&r.get::<_, String>(5)?).unwrap_or(RunStatus::Failed),
        start_time: r.get(6)?,
        end_time: r.get(7)?,
        lifecycle_stage: parse_stage(&r.get::<_, String>(8)?),
    };
    Ok((r.get(0)?, info))
}

/// The internal row id of a run and its lifecycle stage and experiment, or RunNotFound.
pub(super) fn locate(p: &Project, conn: &Connection, run_id: &str) -> Result<(i64, LifecycleStage, i64)> {
    conn.prepare_cached("SELECT rid, lifecycle_stage, experiment_id FROM runs WHERE run_id = ?1")
        .and_then(|mut s| s.query_row([run_id], |r| Ok((r.get(0)?, parse_stage(&r.get::<_, String>(1)?), r.get(2)?))).optional())
        .map_err(|e| p.sql_err(e))?
        .ok_or_else(|| TrackingError::RunNotFound(run_id.to_string()))
}

/// Like [`locate`], but the run must be active (MLflow refuses to log into or change a deleted run).
pub(super) fn locate_active(p: &Project, conn: &Connection, run_id: &str) -> Result<(i64, i64)> {
    match locate(p, conn, run_id)? {
        (rid, LifecycleStage::Active, experiment_id) => Ok((rid, experiment_id)),
        _ => Err(TrackingError::NotActive { kind: "run", id: run_id.to_string() }),
    }
}

/// Runs by row id, in the order given, each with its latest metrics, params, tags and inputs: one query
/// per table for the whole page, not one per run.
pub(super) fn load(p: &Project, conn: &Connection, rids: &[i64]) -> Result<Vec<Run>> {
    let err = |e| p.sql_err(e);
    let json = serde_json::Value::from(rids.to_vec()).to_string();
    let ids = "SELECT value FROM json_each(?1)";
    let mut runs: Vec<Run> = Vec::with_capacity(rids.len());
    let mut at: HashMap<i64, usize> = HashMap::with_capacity(rids.len());
    {
        let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM runs WHERE rid IN ({ids})")).map_err(err)?;
        let rows = stmt.query_map([&json], |r| info_from_row(p, r)).map_err(err)?;
        for row in rows {
            let (rid, info) = row.map_err(err)?;
            at.insert(rid, runs.len());
            runs.push(Run { info, data: RunData::default(), inputs: RunInputs::default() });
        }
    }
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT rid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE rid IN ({ids}) ORDER BY rid, key"
        ))
        .map_err(err)?;
    let mut rows = stmt.query([&json]).map_err(err)?;
    while let Some(r) = rows.next().map_err(err)? {
        if let Some(&i) = at.get(&r.get::<_, i64>(0).map_err(err)?) {
            runs[i].data.metrics.push(Metric {
                key: r.get(1).map_err(err)?,
                value: metric_value(r.get(2).map_err(err)?, r.get(5).map_err(err)?),
                timestamp: r.get(3).map_err(err)?,
                step: r.get(4).map_err(err)?,
            });
        }
    }
    for (table, is_param) in [("params", true), ("run_tags", false)] {
        let mut stmt =
            conn.prepare_cached(&format!("SELECT rid, key, value FROM {table} WHERE rid IN ({ids}) ORDER BY rid, key")).map_err(err)?;
        let mut rows = stmt.query([&json]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            if let Some(&i) = at.get(&r.get::<_, i64>(0).map_err(err)?) {
                let (key, value) = (r.get(1).map_err(err)?, r.get(2).map_err(err)?);
                if is_param {
                    runs[i].data.params.push(Param { key, value });
                } else {
                    runs[i].data.tags.push(Tag { key, value });
                }
            }
        }
    }
    load_inputs(p, conn, &json, &at, &mut runs)?;
    let mut slots: Vec<Option<Run>> = runs.into_iter().map(Some).collect();
    Ok(rids.iter().filter_map(|rid| at.get(rid).and_then(|&i| slots[i].take())).collect())
}

fn load_inputs(p: &Project, conn: &Connection, json: &str, at: &HashMap<i64, usize>, runs: &mut [Run]) -> Result<()> {
    let err = |e| p.sql_err(e);
    let mut stmt = conn
        .prepare_cached(
            "SELECT i.rid, i.input_id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile \
             FROM run_inputs i JOIN input_datasets d ON d.dataset_id = i.dataset_id \
             WHERE i.rid IN (SELECT value FROM json_each(?1)) ORDER BY i.input_id",
        )
        .map_err(err)?;
    let mut where_input: HashMap<i64, (usize, usize)> = HashMap::new();
    let mut rows = stmt.query([json]).map_err(err)?;
    while let Some(r) = rows.next().map_err(err)? {
        let Some(&i) = at.get(&r.get::<_, i64>(0).map_err(err)?) else { continue };
        let input_id: i64 = r.get(1).map_err(err)?;
        where_input.insert(input_id, (i, runs[i].inputs.dataset_inputs.len()));
        runs[i].inputs.dataset_inputs.push(DatasetInput {
            dataset: DatasetRef {
                name: r.get(2).map_err(err)?,
                digest: r.get(3).map_err(err)?,
                source_type: r.get(4).map_err(err)?,
                source: r.get(5).map_err(err)?,
                schema: r.get(6).map_err(err)?,
                profile: r.get(7).map_err(err)?,
            },
            tags: Vec::new(),
        });
    }
    if where_input.is_empty() {
        return Ok(());
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT t.input_id, t.key, t.value FROM run_input_tags t JOIN run_inputs i ON i.input_id = t.input_id \
             WHERE i.rid IN (SELECT value FROM json_each(?1)) ORDER BY t.input_id, t.key",
        )
        .map_err(err)?;
    let mut rows = stmt.query([json]).map_err(err)?;
    while let Some(r) = rows.next().map_err(err)? {
        if let Some(&(i, j)) = where_input.get(&r.get::<_, i64>(0).map_err(err)?) {
            runs[i].inputs.dataset_inputs[j].tags.push(Tag { key: r.get(1).map_err(err)?, value: r.get(2).map_err(err)? });
        }
    }
    Ok(())
}

pub(super) fn read(p: &Project, conn: &Connection, run_id: &str) -> Result<Run> {
    let (rid, _, _) = locate(p, conn, run_id)?;
    load(p, conn, &[rid])?.pop().ok_or_else(|| TrackingError::RunNotFound(run_id.to_string()))
}

fn read_info(p: &Project, conn: &Connection, rid: i64) -> Result<RunInfo> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM runs WHERE rid = ?1"), [rid], |r| info_from_row(p, r))
        .map(|(_, info)| info)
        .map_err(|e| p.sql_err(e))
}

pub(super) fn insert(p: &Project, run: &NewRun) -> Result<Run> {
    p.tracking_write("a run", |tx| {
        let err = |e| p.sql_err(e);
        let experiment = experiments::read(p, tx, run.experiment_id)?;
        if experiment.lifecycle_stage != LifecycleStage::Active {
            return Err(TrackingError::NotActive { kind: "experiment", id: experiment.experiment_id });
        }
        // A run's files go to the project's runs folder (URI resolved when read), unless its experiment
        // was given its own artifact location: then under it, as MLflow does.
        let custom: Option<String> = tx
            .query_row("SELECT artifact_location FROM experiments WHERE experiment_id = ?1", [run.experiment_id], |r| r.get(0))
            .map_err(err)?;
        let uri = custom.map(|loc| format!("{}/{}/artifacts", loc.trim_end_matches('/'), run.run_id));
        tx.execute(
            "INSERT INTO runs (run_id, experiment_id, name, user_id, status, start_time, lifecycle_stage, artifact_uri) \
             VALUES (?1, ?2, ?3, ?4, 'RUNNING', ?5, 'active', ?6)",
            params![run.run_id, run.experiment_id, run.run_name, run.user_id, run.start_time, uri],
        )
        .map_err(err)?;
        let rid = tx.last_insert_rowid();
        let mut stmt = tx.prepare_cached("INSERT INTO run_tags (rid, key, value) VALUES (?1, ?2, ?3)").map_err(err)?;
        for t in &run.tags {
            stmt.execute(params![rid, t.key, t.value]).map_err(err)?;
        }
        load(p, tx, &[rid])?.pop().ok_or_else(|| TrackingError::RunNotFound(run.run_id.clone()))
    })
}

pub(super) fn update(p: &Project, run_id: &str, status: Option<RunStatus>, end_time: Option<i64>, name: Option<&str>) -> Result<RunInfo> {
    p.tracking_write(&format!("run {run_id}"), |tx| {
        let err = |e| p.sql_err(e);
        let (rid, _) = locate_active(p, tx, run_id)?;
        if let Some(s) = status {
            tx.execute("UPDATE runs SET status = ?2 WHERE rid = ?1", params![rid, s.as_str()]).map_err(err)?;
        }
        if let Some(t) = end_time {
            tx.execute("UPDATE runs SET end_time = ?2 WHERE rid = ?1", params![rid, t]).map_err(err)?;
        }
        if let Some(n) = name {
            set_name(p, tx, rid, n)?;
        }
        read_info(p, tx, rid)
    })
}

/// A run's name lives in its row and in the `mlflow.runName` tag; both change together.
pub(super) fn set_name(p: &Project, conn: &Connection, rid: i64, name: &str) -> Result<()> {
    let err = |e| p.sql_err(e);
    conn.prepare_cached("UPDATE runs SET name = ?2 WHERE rid = ?1").and_then(|mut s| s.execute(params![rid, name])).map_err(err)?;
    conn.prepare_cached(
        "INSERT INTO run_tags (rid, key, value) VALUES (?1, ?2, ?3) \
         ON CONFLICT (rid, key) DO UPDATE SET value = excluded.value",
    )
    .and_then(|mut s| s.execute(params![rid, RUN_NAME_TAG, name]))
    .map_err(err)?;
    Ok(())
}

pub(super) fn set_stage(p: &Project, run_id: &str, stage: LifecycleStage, now: i64) -> Result<()> {
    p.tracking_write(&format!("run {run_id}"), |tx| {
        let (rid, _, _) = locate(p, tx, run_id)?;
        let deleted_time = (stage == LifecycleStage::Deleted).then_some(now);
        tx.execute("UPDATE runs SET lifecycle_stage = ?2, deleted_time = ?3 WHERE rid = ?1", params![rid, stage_str(stage), deleted_time])
            .map_err(|e| p.sql_err(e))?;
        Ok(())
    })
}
