//! Experiments: create, read, rename, soft delete/restore (with their runs), tags.

use std::collections::HashMap;

use cairn_types::{Experiment, LifecycleStage, Tag};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{parse_stage, stage_str};
use crate::project::Project;
use crate::tracking::error::{Result, TrackingError};

const COLUMNS: &str = "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time";

fn from_row(p: &Project, r: &Row<'_>) -> rusqlite::Result<Experiment> {
    let id: i64 = r.get(0)?;
    let location: Option<String> = r.get(2)?;
    Ok(Experiment {
        experiment_id: id.to_string(),
        name: r.get(1)?,
        artifact_location: location.unwrap_or_else(|| p.artifact_uri("experiments", &id.to_string())),
        lifecycle_stage: parse_stage(&r.get::<_, String>(3)?),
        creation_time: r.get(4)?,
        last_update_time: r.get(5)?,
        tags: Vec::new(),
    })
}

/// Experiments by id, in the order given, with their tags.
pub(super) fn load(p: &Project, conn: &Connection, ids: &[i64]) -> Result<Vec<Experiment>> {
    let err = |e| p.sql_err(e);
    let json = serde_json::Value::from(ids.to_vec()).to_string();
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM experiments WHERE experiment_id IN (SELECT value FROM json_each(?1))"))
        .map_err(err)?;
    let mut found: HashMap<String, Experiment> = stmt
        .query_map([&json], |r| from_row(p, r))
        .map_err(err)?
        .map(|r| r.map(|e| (e.experiment_id.clone(), e)))
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT experiment_id, key, value FROM experiment_tags \
             WHERE experiment_id IN (SELECT value FROM json_each(?1)) ORDER BY experiment_id, key",
        )
        .map_err(err)?;
    let mut rows = stmt.query([&json]).map_err(err)?;
    while let Some(r) = rows.next().map_err(err)? {
        let id: i64 = r.get(0).map_err(err)?;
        if let Some(e) = found.get_mut(&id.to_string()) {
            e.tags.push(Tag { key: r.get(1).map_err(err)?, value: r.get(2).map_err(err)? });
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(&id.to_string())).collect())
}

pub(super) fn read(p: &Project, conn: &Connection, id: i64) -> Result<Experiment> {
    load(p, conn, &[id])?.pop().ok_or_else(|| TrackingError::ExperimentNotFound(id.to_string()))
}

pub(super) fn read_by_name(p: &Project, conn: &Connection, name: &str) -> Result<Option<Experiment>> {
    let id: Option<i64> = conn
        .query_row("SELECT experiment_id FROM experiments WHERE name = ?1", [name], |r| r.get(0))
        .optional()
        .map_err(|e| p.sql_err(e))?;
    match id {
        Some(id) => Ok(Some(read(p, conn, id)?)),
        None => Ok(None),
    }
}

/// The experiment's lifecycle stage, or ExperimentNotFound.
pub(super) fn stage_of(p: &Project, conn: &Connection, id: i64) -> Result<LifecycleStage> {
    conn.query_row("SELECT lifecycle_stage FROM experiments WHERE experiment_id = ?1", [id], |r| r.get::<_, String>(0))
        .optional()
        .map_err(|e| p.sql_err(e))?
        .map(|s| parse_stage(&s))
        .ok_or_else(|| TrackingError::ExperimentNotFound(id.to_string()))
}

fn require_active(p: &Project, conn: &Connection, id: i64) -> Result<()> {
    match stage_of(p, conn, id)? {
        LifecycleStage::Active => Ok(()),
        LifecycleStage::Deleted => Err(TrackingError::NotActive { kind: "experiment", id: id.to_string() }),
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

pub(super) fn insert(p: &Project, name: &str, location: Option<&str>, tags: &[Tag], now: i64) -> Result<String> {
    p.tracking_write(&format!("experiment `{name}`"), |tx| {
        let res = tx.execute(
            "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) \
             VALUES (?1, ?2, 'active', ?3, ?3)",
            params![name, location, now],
        );
        match res {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(TrackingError::ExperimentExists(name.to_string())),
            Err(e) => return Err(p.sql_err(e)),
        }
        let id = tx.last_insert_rowid();
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
            )
            .map_err(|e| p.sql_err(e))?;
        for t in tags {
            stmt.execute(params![id, t.key, t.value]).map_err(|e| p.sql_err(e))?;
        }
        Ok(id.to_string())
    })
}

pub(super) fn rename(p: &Project, id: i64, name: &str, now: i64) -> Result<()> {
    p.tracking_write(&format!("experiment `{name}`"), |tx| {
        if stage_of(p, tx, id)? == LifecycleStage::Deleted {
            return Err(TrackingError::InvalidState(format!("experiment {id} is deleted, so it cannot be renamed; restore it first")));
        }
        match tx.execute("UPDATE experiments SET name = ?2, last_update_time = ?3 WHERE experiment_id = ?1", params![id, name, now]) {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(TrackingError::ExperimentExists(name.to_string())),
            Err(e) => Err(p.sql_err(e)),
        }
    })
}

/// Deleting needs an active experiment and restoring a deleted one (else "not found", as in MLflow);
/// either way all of the experiment's runs follow.
pub(super) fn set_stage(p: &Project, id: i64, stage: LifecycleStage, now: i64) -> Result<()> {
    p.tracking_write("the experiment's state", |tx| {
        let current = stage_of(p, tx, id)?;
        if current == stage {
            let among = if stage == LifecycleStage::Deleted { "active" } else { "deleted" };
            return Err(TrackingError::ExperimentNotFound(format!("{id} among the {among} experiments")));
        }
        let err = |e| p.sql_err(e);
        tx.execute(
            "UPDATE experiments SET lifecycle_stage = ?2, last_update_time = ?3 WHERE experiment_id = ?1",
            params![id, stage_str(stage), now],
        )
        .map_err(err)?;
        let deleted_time = (stage == LifecycleStage::Deleted).then_some(now);
        tx.execute(
            "UPDATE runs SET lifecycle_stage = ?2, deleted_time = ?3 WHERE experiment_id = ?1",
            params![id, stage_str(stage), deleted_time],
        )
        .map_err(err)?;
        Ok(())
    })
}

pub(super) fn set_tag(p: &Project, id: i64, tag: &Tag) -> Result<()> {
    p.tracking_write("an experiment tag", |tx| {
        require_active(p, tx, id)?;
        tx.execute(
            "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?1, ?2, ?3) \
             ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
            params![id, tag.key, tag.value],
        )
        .map_err(|e| p.sql_err(e))?;
        Ok(())
    })
}

pub(super) fn delete_tag(p: &Project, id: i64, key: &str) -> Result<()> {
    p.tracking_write("an experiment tag", |tx| {
        require_active(p, tx, id)?;
        let n =
            tx.execute("DELETE FROM experiment_tags WHERE experiment_id = ?1 AND key = ?2", params![id, key]).map_err(|e| p.sql_err(e))?;
        if n == 0 {
            return Err(TrackingError::TagNotFound { kind: "experiment", id: id.to_string(), key: key.to_string() });
        }
        Ok(())
    })
}
