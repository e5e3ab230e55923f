//! The registry's SQL. Models are keyed by an integer (`model_rid`) so renaming touches one row; user
//! strings only travel as bound parameters.

use std::collections::HashMap;

use cairn_types::{Approval, ApprovalStatus, RegistryEventKind as Kind, Tag};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::approval::{Event, alias_value, record};
use super::search::{Clause, ModelField, ModelQuery, PROMPT_TAG, VersionField, VersionQuery};
use super::{ModelAlias, ModelVersion, NewVersion, Page, RegisteredModel, RegistryError, Result, STAGES};
use crate::project::Project;
use crate::tracking::grammar::Op;
use crate::tracking::{Value, token};

/// The stage MLflow gives a deleted version: it keeps its number but is never shown.
const DELETED: &str = "Deleted_Internal";

const VERSION_COLUMNS: &str = "v.model_rid, m.name, v.version, v.creation_timestamp, v.last_updated_timestamp, \
     v.description, v.user_id, v.current_stage, v.source, v.run_id, v.run_link, v.status, v.status_message, v.model_id, v.approval_status";

pub(super) fn sql_err(p: &Project) -> impl Fn(rusqlite::Error) -> RegistryError + '_ {
    move |e| RegistryError::Tracking(p.sql_err(e))
}

pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

pub(super) fn model_rid(p: &Project, conn: &Connection, name: &str) -> Result<i64> {
    conn.prepare_cached("SELECT model_rid FROM registered_models WHERE name = ?1")
        .and_then(|mut s| s.query_row([name], |r| r.get(0)).optional())
        .map_err(sql_err(p))?
        .ok_or_else(|| RegistryError::ModelNotFound(name.to_string()))
}

/// The model's row id, checking that the version exists and is not deleted.
pub(super) fn version_key(p: &Project, conn: &Connection, name: &str, version: i64) -> Result<i64> {
    let rid = model_rid(p, conn, name)?;
    let found: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM model_versions WHERE model_rid = ?1 AND version = ?2 AND current_stage != ?3")
        .and_then(|mut s| s.query_row(params![rid, version, DELETED], |r| r.get(0)).optional())
        .map_err(sql_err(p))?;
    match found {
        Some(_) => Ok(rid),
        None => Err(RegistryError::VersionNotFound { name: name.to_string(), version: version.to_string() }),
    }
}

pub(super) fn touch_model(p: &Project, conn: &Connection, rid: i64, now: i64) -> Result<()> {
    conn.prepare_cached("UPDATE registered_models SET last_updated_timestamp = max(last_updated_timestamp, ?2) WHERE model_rid = ?1")
        .and_then(|mut s| s.execute(params![rid, now]))
        .map_err(sql_err(p))?;
    Ok(())
}

pub(super) fn touch_version(p: &Project, conn: &Connection, rid: i64, version: i64, now: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE model_versions SET last_updated_timestamp = max(last_updated_timestamp, ?3) WHERE model_rid = ?1 AND version = ?2",
    )
    .and_then(|mut s| s.execute(params![rid, version, now]))
    .map_err(sql_err(p))?;
    Ok(())
}

fn ids_json(ids: impl IntoIterator<Item = i64>) -> String {
    serde_json::Value::from(ids.into_iter().collect::<Vec<_>>()).to_string()
}

/// Versions by (model, version), in the order given, with their tags and aliases.
fn load_versions(p: &Project, conn: &Connection, keys: &[(i64, i64)]) -> Result<Vec<ModelVersion>> {
    let err = sql_err(p);
    let json = serde_json::Value::from(keys.iter().map(|(r, v)| serde_json::json!([r, v])).collect::<Vec<_>>()).to_string();
    let wanted = "(SELECT json_extract(value, '$[0]') AS r, json_extract(value, '$[1]') AS v FROM json_each(?1))";
    let mut found: HashMap<(i64, i64), ModelVersion> = HashMap::with_capacity(keys.len());
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM model_versions v JOIN registered_models m ON m.model_rid = v.model_rid \
             JOIN {wanted} w ON w.r = v.model_rid AND w.v = v.version"
        ))
        .map_err(&err)?;
    let mut rows = stmt.query([&json]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        let key: (i64, i64) = (r.get(0).map_err(&err)?, r.get(2).map_err(&err)?);
        let v = ModelVersion {
            name: r.get(1).map_err(&err)?,
            version: key.1,
            creation_timestamp: r.get(3).map_err(&err)?,
            last_updated_timestamp: r.get(4).map_err(&err)?,
            description: r.get(5).map_err(&err)?,
            user_id: r.get(6).map_err(&err)?,
            current_stage: r.get(7).map_err(&err)?,
            source: r.get(8).map_err(&err)?,
            run_id: r.get(9).map_err(&err)?,
            run_link: r.get(10).map_err(&err)?,
            status: r.get(11).map_err(&err)?,
            status_message: r.get(12).map_err(&err)?,
            model_id: r.get(13).map_err(&err)?,
            tags: Vec::new(),
            aliases: Vec::new(),
            approval: Approval {
                status: ApprovalStatus::parse(&r.get::<_, String>(14).map_err(&err)?).unwrap_or_default(),
                ..Approval::default()
            },
        };
        found.insert(key, v);
    }
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT t.model_rid, t.version, t.key, t.value FROM model_version_tags t \
             JOIN {wanted} w ON w.r = t.model_rid AND w.v = t.version ORDER BY t.key"
        ))
        .map_err(&err)?;
    let mut rows = stmt.query([&json]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        if let Some(v) = found.get_mut(&(r.get(0).map_err(&err)?, r.get(1).map_err(&err)?)) {
            v.tags.push(Tag { key: r.get(2).map_err(&err)?, value: r.get(3).map_err(&err)? });
        }
    }
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT a.model_rid, a.version, a.alias FROM registered_model_aliases a \
             JOIN {wanted} w ON w.r = a.model_rid AND w.v = a.version ORDER BY a.alias"
        ))
        .map_err(&err)?;
    let mut rows = stmt.query([&json]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        if let Some(v) = found.get_mut(&(r.get(0).map_err(&err)?, r.get(1).map_err(&err)?)) {
            v.aliases.push(r.get(2).map_err(&err)?);
        }
    }
    super::approval::load_reviews(p, conn, &mut found)?;
    Ok(keys.iter().filter_map(|k| found.remove(k)).collect())
}

/// Models by row id, in the order given, with tags, aliases and their latest version per stage.
fn load_models(p: &Project, conn: &Connection, rids: &[i64]) -> Result<Vec<RegisteredModel>> {
    let err = sql_err(p);
    let json = ids_json(rids.iter().copied());
    let ids = "SELECT value FROM json_each(?1)";
    let mut found: HashMap<i64, RegisteredModel> = HashMap::with_capacity(rids.len());
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT model_rid, name, creation_timestamp, last_updated_timestamp, description, user_id \
             FROM registered_models WHERE model_rid IN ({ids})"
        ))
        .map_err(&err)?;
    let mut rows = stmt.query([&json]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        let model = RegisteredModel {
            name: r.get(1).map_err(&err)?,
            creation_timestamp: r.get(2).map_err(&err)?,
            last_updated_timestamp: r.get(3).map_err(&err)?,
            description: r.get(4).map_err(&err)?,
            user_id: r.get(5).map_err(&err)?,
            tags: Vec::new(),
            aliases: Vec::new(),
            latest_versions: Vec::new(),
        };
        found.insert(r.get(0).map_err(&err)?, model);
    }
    let mut stmt = conn
        .prepare_cached(&format!("SELECT model_rid, key, value FROM registered_model_tags WHERE model_rid IN ({ids}) ORDER BY key"))
        .map_err(&err)?;
    let mut rows = stmt.query([&json]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        if let Some(m) = found.get_mut(&r.get(0).map_err(&err)?) {
            m.tags.push(Tag { key: r.get(1).map_err(&err)?, value: r.get(2).map_err(&err)? });
        }
    }
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT model_rid, alias, version FROM registered_model_aliases WHERE model_rid IN ({ids}) ORDER BY alias"
        ))
        .map_err(&err)?;
    let mut rows = stmt.query([&json]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        if let Some(m) = found.get_mut(&r.get(0).map_err(&err)?) {
            m.aliases.push(ModelAlias { alias: r.get(1).map_err(&err)?, version: r.get(2).map_err(&err)? });
        }
    }
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT model_rid, current_stage, max(version) FROM model_versions \
             WHERE model_rid IN ({ids}) AND current_stage != '{DELETED}' GROUP BY model_rid, current_stage"
        ))
        .map_err(&err)?;
    let mut latest: Vec<(i64, String, i64)> =
        stmt.query_map([&json], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(&err)?.collect::<rusqlite::Result<_>>().map_err(&err)?;
    let stage_rank = |s: &str| STAGES.iter().position(|x| *x == s).unwrap_or(STAGES.len());
    latest.sort_by_key(|(rid, stage, _)| (*rid, stage_rank(stage)));
    let keys: Vec<(i64, i64)> = latest.iter().map(|(rid, _, v)| (*rid, *v)).collect();
    for v in load_versions(p, conn, &keys)?.into_iter().zip(&keys) {
        if let Some(m) = found.get_mut(&v.1.0) {
            m.latest_versions.push(v.0);
        }
    }
    Ok(rids.iter().filter_map(|rid| found.remove(rid)).collect())
}

fn one_model(p: &Project, conn: &Connection, rid: i64, name: &str) -> Result<RegisteredModel> {
    load_models(p, conn, &[rid])?.pop().ok_or_else(|| RegistryError::ModelNotFound(name.to_string()))
}

pub(super) fn one_version(p: &Project, conn: &Connection, rid: i64, name: &str, version: i64) -> Result<ModelVersion> {
    load_versions(p, conn, &[(rid, version)])?
        .pop()
        .ok_or_else(|| RegistryError::VersionNotFound { name: name.to_string(), version: version.to_string() })
}

fn upsert_tag(p: &Project, conn: &Connection, table: &str, keys: &str, ids: &[i64], tag: &Tag) -> Result<()> {
    let n = ids.len();
    let holes: Vec<String> = (1..=n + 2).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({keys}, key, value) VALUES ({}) ON CONFLICT ({keys}, key) DO UPDATE SET value = excluded.value",
        holes.join(", ")
    );
    let mut values: Vec<Sql> = ids.iter().map(|i| Sql::Integer(*i)).collect();
    values.push(Sql::Text(tag.key.clone()));
    values.push(Sql::Text(tag.value.clone()));
    conn.prepare_cached(&sql).and_then(|mut s| s.execute(params_from_iter(values))).map_err(sql_err(p))?;
    Ok(())
}

pub(super) fn create_model(p: &Project, name: &str, tags: &[Tag], description: &str, user_id: &str, now: i64) -> Result<RegisteredModel> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let res = tx.execute(
            "INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, description, user_id) \
             VALUES (?1, ?2, ?2, ?3, ?4)",
            params![name, now, description, user_id],
        );
        match res {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(RegistryError::ModelExists(name.to_string())),
            Err(e) => return Err(sql_err(p)(e)),
        }
        let rid = tx.last_insert_rowid();
        for t in tags {
            upsert_tag(p, tx, "registered_model_tags", "model_rid", &[rid], t)?;
        }
        one_model(p, tx, rid, name)
    })
}

pub(super) fn get_model(p: &Project, name: &str) -> Result<RegisteredModel> {
    p.store_read(|tx| {
        let rid = model_rid(p, tx, name)?;
        one_model(p, tx, rid, name)
    })
}

pub(super) fn rename_model(p: &Project, name: &str, new_name: &str, actor: &str, now: i64) -> Result<RegisteredModel> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = model_rid(p, tx, name)?;
        match tx.execute(
            "UPDATE registered_models SET name = ?2, last_updated_timestamp = ?3 WHERE model_rid = ?1",
            params![rid, new_name, now],
        ) {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(RegistryError::ModelExists(new_name.to_string())),
            Err(e) => return Err(sql_err(p)(e)),
        }
        tx.execute("UPDATE model_versions SET last_updated_timestamp = ?2 WHERE model_rid = ?1", params![rid, now]).map_err(sql_err(p))?;
        // The history is keyed by name: it follows the group to its new name.
        tx.execute("UPDATE registry_events SET model_name = ?2 WHERE model_name = ?1", params![name, new_name]).map_err(sql_err(p))?;
        record(p, tx, &Event { name: new_name, version: None, at: now, actor, kind: Kind::Renamed, from: name, to: new_name, reason: "" })?;
        one_model(p, tx, rid, new_name)
    })
}

pub(super) fn update_model(p: &Project, name: &str, description: &str, now: i64) -> Result<RegisteredModel> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = model_rid(p, tx, name)?;
        tx.execute(
            "UPDATE registered_models SET description = ?2, last_updated_timestamp = ?3 WHERE model_rid = ?1",
            params![rid, description, now],
        )
        .map_err(sql_err(p))?;
        one_model(p, tx, rid, name)
    })
}

pub(super) fn delete_model(p: &Project, name: &str, actor: &str, now: i64) -> Result<()> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = model_rid(p, tx, name)?;
        record(p, tx, &Event { name, version: None, at: now, actor, kind: Kind::GroupDeleted, from: "", to: "", reason: "" })?;
        for table in ["registered_model_aliases", "model_version_tags", "model_versions", "registered_model_tags", "registered_models"] {
            tx.execute(&format!("DELETE FROM {table} WHERE model_rid = ?1"), [rid]).map_err(sql_err(p))?;
        }
        Ok(())
    })
}

pub(super) fn set_model_tag(p: &Project, name: &str, tag: &Tag, now: i64) -> Result<()> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = model_rid(p, tx, name)?;
        upsert_tag(p, tx, "registered_model_tags", "model_rid", &[rid], tag)?;
        touch_model(p, tx, rid, now)
    })
}

pub(super) fn delete_model_tag(p: &Project, name: &str, key: &str) -> Result<()> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = model_rid(p, tx, name)?;
        tx.execute("DELETE FROM registered_model_tags WHERE model_rid = ?1 AND key = ?2", params![rid, key]).map_err(sql_err(p))?;
        Ok(())
    })
}

pub(super) fn create_version(p: &Project, new: &NewVersion<'_>, now: i64) -> Result<ModelVersion> {
    p.store_write(&format!("registered model `{}`", new.name), |tx| {
        let rid = model_rid(p, tx, new.name)?;
        // Deleted versions keep their numbers, so the next one is past every version ever made.
        let version: i64 = tx
            .query_row("SELECT coalesce(max(version), 0) + 1 FROM model_versions WHERE model_rid = ?1", [rid], |r| r.get(0))
            .map_err(sql_err(p))?;
        tx.execute(
            "INSERT INTO model_versions (model_rid, version, creation_timestamp, last_updated_timestamp, description, \
             user_id, current_stage, source, run_id, run_link, status, status_message, model_id) \
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, 'None', ?6, ?7, ?8, 'READY', '', ?9)",
            params![rid, version, now, new.description, new.user_id, new.source, new.run_id, new.run_link, new.model_id],
        )
        .map_err(sql_err(p))?;
        for t in new.tags {
            upsert_tag(p, tx, "model_version_tags", "model_rid, version", &[rid, version], t)?;
        }
        let registered = Event { version: Some(version), to: new.source, ..Event::new(new.name, now, new.user_id, Kind::Registered) };
        record(p, tx, &registered)?;
        touch_model(p, tx, rid, now)?;
        one_version(p, tx, rid, new.name, version)
    })
}

/// Every live version of a model, lowest number first.
pub(super) fn versions_of(p: &Project, name: &str) -> Result<Vec<ModelVersion>> {
    p.store_read(|tx| {
        let rid = model_rid(p, tx, name)?;
        let keys: Vec<(i64, i64)> = tx
            .prepare_cached("SELECT model_rid, version FROM model_versions WHERE model_rid = ?1 AND current_stage != ?2 ORDER BY version")
            .and_then(|mut s| s.query_map(params![rid, DELETED], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(sql_err(p))?;
        load_versions(p, tx, &keys)
    })
}

pub(super) fn get_version(p: &Project, name: &str, version: i64) -> Result<ModelVersion> {
    p.store_read(|tx| {
        let rid = version_key(p, tx, name, version)?;
        one_version(p, tx, rid, name, version)
    })
}

pub(super) fn update_version(p: &Project, name: &str, version: i64, description: &str, now: i64) -> Result<ModelVersion> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = version_key(p, tx, name, version)?;
        tx.execute(
            "UPDATE model_versions SET description = ?3, last_updated_timestamp = ?4 WHERE model_rid = ?1 AND version = ?2",
            params![rid, version, description, now],
        )
        .map_err(sql_err(p))?;
        one_version(p, tx, rid, name, version)
    })
}

pub(super) fn delete_version(p: &Project, name: &str, version: i64, actor: &str, now: i64) -> Result<()> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = version_key(p, tx, name, version)?;
        let err = sql_err(p);
        let aliases: Vec<String> = tx
            .prepare_cached("SELECT alias FROM registered_model_aliases WHERE model_rid = ?1 AND version = ?2 ORDER BY alias")
            .and_then(|mut s| s.query_map(params![rid, version], |r| r.get(0))?.collect())
            .map_err(&err)?;
        for alias in aliases {
            let from = alias_value(&alias, Some(version));
            let removed = Event { version: Some(version), from: &from, ..Event::new(name, now, actor, Kind::AliasRemoved) };
            record(p, tx, &removed)?;
        }
        record(p, tx, &Event { version: Some(version), ..Event::new(name, now, actor, Kind::VersionDeleted) })?;
        tx.execute(
            "UPDATE model_versions SET current_stage = ?3, last_updated_timestamp = ?4, description = '', user_id = '', \
             source = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = '', status_message = '' \
             WHERE model_rid = ?1 AND version = ?2",
            params![rid, version, DELETED, now],
        )
        .map_err(&err)?;
        tx.execute("DELETE FROM model_version_tags WHERE model_rid = ?1 AND version = ?2", params![rid, version]).map_err(&err)?;
        tx.execute("DELETE FROM registered_model_aliases WHERE model_rid = ?1 AND version = ?2", params![rid, version]).map_err(&err)?;
        touch_model(p, tx, rid, now)
    })
}

pub(super) fn transition(p: &Project, name: &str, version: i64, stage: &str, archive: bool, now: i64) -> Result<ModelVersion> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = version_key(p, tx, name, version)?;
        let err = sql_err(p);
        if archive {
            tx.execute(
                "UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = ?4 \
                 WHERE model_rid = ?1 AND version != ?2 AND current_stage = ?3",
                params![rid, version, stage, now],
            )
            .map_err(&err)?;
        }
        tx.execute(
            "UPDATE model_versions SET current_stage = ?3, last_updated_timestamp = ?4 WHERE model_rid = ?1 AND version = ?2",
            params![rid, version, stage, now],
        )
        .map_err(&err)?;
        touch_model(p, tx, rid, now)?;
        one_version(p, tx, rid, name, version)
    })
}

pub(super) fn set_version_tag(p: &Project, name: &str, version: i64, tag: &Tag, now: i64) -> Result<()> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = version_key(p, tx, name, version)?;
        upsert_tag(p, tx, "model_version_tags", "model_rid, version", &[rid, version], tag)?;
        touch_version(p, tx, rid, version, now)
    })
}

pub(super) fn delete_version_tag(p: &Project, name: &str, version: i64, key: &str) -> Result<()> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = version_key(p, tx, name, version)?;
        tx.execute("DELETE FROM model_version_tags WHERE model_rid = ?1 AND version = ?2 AND key = ?3", params![rid, version, key])
            .map_err(sql_err(p))?;
        Ok(())
    })
}

pub(super) fn set_alias(p: &Project, name: &str, alias: &str, version: i64, actor: &str, now: i64) -> Result<()> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = version_key(p, tx, name, version)?;
        let before = alias_version(p, tx, rid, alias)?;
        if before == Some(version) {
            return Ok(());
        }
        let (from, to) = (before.map(|b| alias_value(alias, Some(b))).unwrap_or_default(), alias_value(alias, Some(version)));
        record(p, tx, &Event { version: Some(version), from: &from, to: &to, ..Event::new(name, now, actor, Kind::AliasSet) })?;
        tx.execute(
            "INSERT INTO registered_model_aliases (model_rid, alias, version) VALUES (?1, ?2, ?3) \
             ON CONFLICT (model_rid, alias) DO UPDATE SET version = excluded.version",
            params![rid, alias, version],
        )
        .map_err(sql_err(p))?;
        touch_model(p, tx, rid, now)
    })
}

pub(super) fn delete_alias(p: &Project, name: &str, alias: &str, actor: &str, now: i64) -> Result<()> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = model_rid(p, tx, name)?;
        // Removing an alias the model does not have changes nothing, as in MLflow.
        if let Some(before) = alias_version(p, tx, rid, alias)? {
            let from = alias_value(alias, Some(before));
            record(p, tx, &Event { version: Some(before), from: &from, ..Event::new(name, now, actor, Kind::AliasRemoved) })?;
        }
        tx.execute("DELETE FROM registered_model_aliases WHERE model_rid = ?1 AND alias = ?2", params![rid, alias]).map_err(sql_err(p))?;
        touch_model(p, tx, rid, now)
    })
}

fn alias_version(p: &Project, conn: &Connection, rid: i64, alias: &str) -> Result<Option<i64>> {
    conn.prepare_cached("SELECT version FROM registered_model_aliases WHERE model_rid = ?1 AND alias = ?2")
        .and_then(|mut s| s.query_row(params![rid, alias], |r| r.get(0)).optional())
        .map_err(sql_err(p))
}

pub(super) fn version_by_alias(p: &Project, name: &str, alias: &str) -> Result<ModelVersion> {
    p.store_read(|tx| {
        let rid = model_rid(p, tx, name)?;
        let version: i64 = tx
            .query_row("SELECT version FROM registered_model_aliases WHERE model_rid = ?1 AND alias = ?2", params![rid, alias], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql_err(p))?
            .ok_or_else(|| RegistryError::AliasNotFound { name: name.to_string(), alias: alias.to_string() })?;
        one_version(p, tx, rid, name, version)
    })
}

/// SQL text with numbered bound parameters.
#[derive(Default)]
pub(super) struct Bound {
    pub(super) params: Vec<Sql>,
}

impl Bound {
    pub(super) fn bind(&mut self, v: Sql) -> String {
        self.params.push(v);
        format!("?{}", self.params.len())
    }

    pub(super) fn compare(&mut self, column: &str, op: Op, value: &Value) -> String {
        let v = match value {
            Value::Int(i) => self.bind(Sql::Integer(*i)),
            Value::Num(n) => self.bind(Sql::Real(*n)),
            Value::Str(s) => self.bind(Sql::Text(s.clone())),
            Value::List(items) => {
                let holes: Vec<String> = items.iter().map(|s| self.bind(Sql::Text(s.clone()))).collect();
                format!("({})", holes.join(", "))
            }
            _ => "NULL".into(),
        };
        match op {
            Op::ILike => format!("lower({column}) LIKE lower({v})"),
            other => format!("{column} {} {v}", other.as_str()),
        }
    }

    pub(super) fn tag_clause(&mut self, table: &str, keys: &str, outer: &str, key: &str, op: Op, value: &Value) -> String {
        let k = self.bind(Sql::Text(key.to_string()));
        let test = self.compare("t.value", op, value);
        format!("({outer}) IN (SELECT {keys} FROM {table} t WHERE t.key = {k} AND {test})")
    }
}

pub(super) fn page<T>(mut items: Vec<T>, offset: u64, page: u64) -> Page<T> {
    let next_page_token = if items.len() as u64 > page {
        items.truncate(page as usize);
        Some(token::encode(offset + page))
    } else {
        None
    };
    Page { items, next_page_token }
}

pub(super) fn limits(q: &mut Bound, offset: u64, page: u64) -> String {
    let limit = q.bind(Sql::Integer((page + 1).min(i64::MAX as u64) as i64));
    let offset = q.bind(Sql::Integer(offset.min(i64::MAX as u64) as i64));
    format!("LIMIT {limit} OFFSET {offset}")
}

fn model_column(f: &ModelField) -> &'static str {
    match f {
        ModelField::Name => "m.name",
        ModelField::CreationTimestamp => "m.creation_timestamp",
        ModelField::LastUpdatedTimestamp => "m.last_updated_timestamp",
        ModelField::Tag(_) => "NULL",
    }
}

pub(super) fn search_models(p: &Project, query: &ModelQuery) -> Result<Page<RegisteredModel>> {
    p.store_read(|tx| {
        let mut q = Bound::default();
        let tag = q.bind(Sql::Text(PROMPT_TAG.into()));
        let mut conds = vec![format!(
            "m.model_rid {} (SELECT model_rid FROM registered_model_tags WHERE key = {tag} AND lower(value) = 'true')",
            if query.prompts { "IN" } else { "NOT IN" }
        )];
        for Clause { field, op, value } in &query.clauses {
            conds.push(match field {
                ModelField::Tag(k) => q.tag_clause("registered_model_tags", "t.model_rid", "m.model_rid", k, *op, value),
                f => q.compare(model_column(f), *op, value),
            });
        }
        let order: Vec<String> =
            query.order.iter().map(|(f, asc)| format!("{} {}", model_column(f), if *asc { "ASC" } else { "DESC" })).collect();
        let limits = limits(&mut q, query.offset, query.page);
        let sql =
            format!("SELECT m.model_rid FROM registered_models m WHERE {} ORDER BY {} {limits}", conds.join(" AND "), order.join(", "));
        let rids: Vec<i64> = tx
            .prepare(&sql)
            .and_then(|mut s| s.query_map(params_from_iter(q.params.iter()), |r| r.get(0))?.collect())
            .map_err(sql_err(p))?;
        Ok(page(load_models(p, tx, &rids)?, query.offset, query.page))
    })
}

fn version_column(f: &VersionField) -> &'static str {
    match f {
        VersionField::Name => "m.name",
        VersionField::VersionNumber => "v.version",
        VersionField::RunId => "v.run_id",
        VersionField::SourcePath => "v.source",
        VersionField::CreationTimestamp => "v.creation_timestamp",
        VersionField::LastUpdatedTimestamp => "v.last_updated_timestamp",
        VersionField::Tag(_) => "NULL",
    }
}

pub(super) fn search_versions(p: &Project, query: &VersionQuery) -> Result<Page<ModelVersion>> {
    p.store_read(|tx| {
        let mut q = Bound::default();
        let deleted = q.bind(Sql::Text(DELETED.into()));
        let tag = q.bind(Sql::Text(PROMPT_TAG.into()));
        let mut conds = vec![
            format!("v.current_stage != {deleted}"),
            format!(
                "v.model_rid {} (SELECT model_rid FROM registered_model_tags WHERE key = {tag} AND lower(value) = 'true')",
                if query.prompts { "IN" } else { "NOT IN" }
            ),
        ];
        for Clause { field, op, value } in &query.clauses {
            conds.push(match field {
                VersionField::Tag(k) => {
                    q.tag_clause("model_version_tags", "t.model_rid, t.version", "v.model_rid, v.version", k, *op, value)
                }
                f => q.compare(version_column(f), *op, value),
            });
        }
        let order: Vec<String> =
            query.order.iter().map(|(f, asc)| format!("{} {}", version_column(f), if *asc { "ASC" } else { "DESC" })).collect();
        let limits = limits(&mut q, query.offset, query.page);
        let sql = format!(
            "SELECT v.model_rid, v.version FROM model_versions v JOIN registered_models m ON m.model_rid = v.model_rid \
             WHERE {} ORDER BY {} {limits}",
            conds.join(" AND "),
            order.join(", ")
        );
        let keys: Vec<(i64, i64)> = tx
            .prepare(&sql)
            .and_then(|mut s| s.query_map(params_from_iter(q.params.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(sql_err(p))?;
        Ok(page(load_versions(p, tx, &keys)?, query.offset, query.page))
    })
}
