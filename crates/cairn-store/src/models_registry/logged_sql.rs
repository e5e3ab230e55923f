//! Logged models in SQL: rows, tags, params, metric points, links to runs, and the search.

use std::collections::HashMap;

use cairn_types::{Metric, Param, Tag};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::logged::{LoggedField, LoggedModel, LoggedQuery, ModelMetric, NewLoggedModel};
use super::sql::{Bound, limits, page, sql_err};
use super::{Page, RegistryError, Result};
use crate::project::Project;
use crate::tracking::TrackingError;
use crate::tracking::grammar::Op;

const COLUMNS: &str = "model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, \
     status, status_message, model_type, source_run_id, lifecycle_stage";

fn not_found(model_id: &str) -> RegistryError {
    RegistryError::LoggedModelNotFound(model_id.to_string())
}

/// The model must exist (deleted or not); its experiment id.
fn require(p: &Project, conn: &Connection, model_id: &str) -> Result<i64> {
    conn.prepare_cached("SELECT experiment_id FROM logged_models WHERE model_id = ?1")
        .and_then(|mut s| s.query_row([model_id], |r| r.get(0)).optional())
        .map_err(sql_err(p))?
        .ok_or_else(|| not_found(model_id))
}

fn touch(p: &Project, conn: &Connection, model_id: &str, now: i64) -> Result<()> {
    conn.prepare_cached("UPDATE logged_models SET last_updated_timestamp_ms = max(last_updated_timestamp_ms, ?2) WHERE model_id = ?1")
        .and_then(|mut s| s.execute(params![model_id, now]))
        .map_err(sql_err(p))?;
    Ok(())
}

fn stored(value: f64) -> (f64, bool) {
    if value.is_nan() { (0.0, true) } else { (value, false) }
}

/// Models by id, in the order given, with tags, params, metrics and registrations.
fn load(p: &Project, conn: &Connection, ids: &[String]) -> Result<Vec<LoggedModel>> {
    let err = sql_err(p);
    let json = serde_json::Value::from(ids.to_vec()).to_string();
    let wanted = "SELECT value FROM json_each(?1)";
    let mut found: HashMap<String, LoggedModel> = HashMap::with_capacity(ids.len());
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM logged_models WHERE model_id IN ({wanted})")).map_err(&err)?;
    let mut rows = stmt.query([&json]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        let model_id: String = r.get(0).map_err(&err)?;
        let location: Option<String> = r.get(3).map_err(&err)?;
        let m = LoggedModel {
            artifact_location: location.unwrap_or_else(|| p.default_logged_model_uri(&model_id)),
            model_id: model_id.clone(),
            experiment_id: r.get::<_, i64>(1).map_err(&err)?.to_string(),
            name: r.get(2).map_err(&err)?,
            creation_timestamp_ms: r.get(4).map_err(&err)?,
            last_updated_timestamp_ms: r.get(5).map_err(&err)?,
            status: r.get(6).map_err(&err)?,
            status_message: r.get(7).map_err(&err)?,
            model_type: r.get(8).map_err(&err)?,
            source_run_id: r.get(9).map_err(&err)?,
            deleted: r.get::<_, String>(10).map_err(&err)? == "deleted",
            tags: Vec::new(),
            params: Vec::new(),
            metrics: Vec::new(),
            registrations: Vec::new(),
        };
        found.insert(model_id, m);
    }
    for (table, is_tag) in [("logged_model_tags", true), ("logged_model_params", false)] {
        let mut stmt = conn
            .prepare_cached(&format!("SELECT model_id, key, value FROM {table} WHERE model_id IN ({wanted}) ORDER BY key"))
            .map_err(&err)?;
        let mut rows = stmt.query([&json]).map_err(&err)?;
        while let Some(r) = rows.next().map_err(&err)? {
            if let Some(m) = found.get_mut(&r.get::<_, String>(0).map_err(&err)?) {
                let (key, value) = (r.get(1).map_err(&err)?, r.get(2).map_err(&err)?);
                if is_tag {
                    m.tags.push(Tag { key, value });
                } else {
                    m.params.push(Param { key, value });
                }
            }
        }
    }
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT model_id, key, value, is_nan, timestamp, step, run_id, dataset_name, dataset_digest \
             FROM logged_model_metrics WHERE model_id IN ({wanted}) ORDER BY key, timestamp, step"
        ))
        .map_err(&err)?;
    let mut rows = stmt.query([&json]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        if let Some(m) = found.get_mut(&r.get::<_, String>(0).map_err(&err)?) {
            let value: f64 = r.get(2).map_err(&err)?;
            let is_nan: bool = r.get(3).map_err(&err)?;
            m.metrics.push(ModelMetric {
                metric: Metric {
                    key: r.get(1).map_err(&err)?,
                    value: if is_nan { f64::NAN } else { value },
                    timestamp: r.get(4).map_err(&err)?,
                    step: r.get(5).map_err(&err)?,
                },
                run_id: r.get(6).map_err(&err)?,
                dataset_name: r.get(7).map_err(&err)?,
                dataset_digest: r.get(8).map_err(&err)?,
            });
        }
    }
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT v.model_id, m.name, v.version FROM model_versions v JOIN registered_models m ON m.model_rid = v.model_rid \
             WHERE v.model_id IN ({wanted}) AND v.current_stage != 'Deleted_Internal' ORDER BY m.name, v.version"
        ))
        .map_err(&err)?;
    let mut rows = stmt.query([&json]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        if let Some(m) = found.get_mut(&r.get::<_, String>(0).map_err(&err)?) {
            m.registrations.push((r.get(1).map_err(&err)?, r.get(2).map_err(&err)?));
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

fn one(p: &Project, conn: &Connection, model_id: &str) -> Result<LoggedModel> {
    load(p, conn, &[model_id.to_string()])?.pop().ok_or_else(|| not_found(model_id))
}

fn upsert(p: &Project, conn: &Connection, table: &str, model_id: &str, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO {table} (model_id, key, value) VALUES (?1, ?2, ?3) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value"
    ))
    .and_then(|mut s| s.execute(params![model_id, key, value]))
    .map_err(sql_err(p))?;
    Ok(())
}

pub(super) fn create(
    p: &Project,
    model_id: &str,
    experiment_id: i64,
    name: &str,
    new: &NewLoggedModel<'_>,
    now: i64,
) -> Result<LoggedModel> {
    p.store_write("a logged model", |tx| {
        let err = sql_err(p);
        let row: Option<(String, Option<String>)> = tx
            .query_row("SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = ?1", [experiment_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(&err)?;
        let (stage, custom) = row.ok_or_else(|| TrackingError::ExperimentNotFound(experiment_id.to_string()))?;
        if stage != "active" {
            return Err(TrackingError::NotActive { kind: "experiment", id: experiment_id.to_string() }.into());
        }
        // Like a run's files: the project's models folder unless the experiment has its own location.
        let location = custom.map(|loc| format!("{}/models/{model_id}/artifacts", loc.trim_end_matches('/')));
        tx.execute(
            "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, \
             last_updated_timestamp_ms, status, status_message, model_type, source_run_id, lifecycle_stage) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, 'LOGGED_MODEL_PENDING', '', ?6, ?7, 'active')",
            params![model_id, experiment_id, name, location, now, new.model_type, new.source_run_id],
        )
        .map_err(&err)?;
        for t in new.tags {
            upsert(p, tx, "logged_model_tags", model_id, &t.key, &t.value)?;
        }
        for prm in new.params {
            upsert(p, tx, "logged_model_params", model_id, &prm.key, &prm.value)?;
        }
        one(p, tx, model_id)
    })
}

pub(super) fn get(p: &Project, model_id: &str, allow_deleted: bool) -> Result<LoggedModel> {
    p.store_read(|tx| {
        let m = one(p, tx, model_id)?;
        if m.deleted && !allow_deleted {
            return Err(not_found(model_id));
        }
        Ok(m)
    })
}

pub(super) fn finalize(p: &Project, model_id: &str, status: &str, now: i64) -> Result<LoggedModel> {
    p.store_write("a logged model", |tx| {
        require(p, tx, model_id)?;
        tx.execute(
            "UPDATE logged_models SET status = ?2, last_updated_timestamp_ms = ?3 WHERE model_id = ?1",
            params![model_id, status, now],
        )
        .map_err(sql_err(p))?;
        one(p, tx, model_id)
    })
}

pub(super) fn delete(p: &Project, model_id: &str, now: i64) -> Result<()> {
    p.store_write("a logged model", |tx| {
        require(p, tx, model_id)?;
        tx.execute(
            "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp_ms = ?2 WHERE model_id = ?1",
            params![model_id, now],
        )
        .map_err(sql_err(p))?;
        Ok(())
    })
}

pub(super) fn set_tags(p: &Project, model_id: &str, tags: &[Tag], now: i64) -> Result<()> {
    p.store_write("a logged model's tags", |tx| {
        require(p, tx, model_id)?;
        for t in tags {
            upsert(p, tx, "logged_model_tags", model_id, &t.key, &t.value)?;
        }
        touch(p, tx, model_id, now)
    })
}

pub(super) fn delete_tag(p: &Project, model_id: &str, key: &str) -> Result<()> {
    p.store_write("a logged model's tags", |tx| {
        require(p, tx, model_id)?;
        let n = tx.execute("DELETE FROM logged_model_tags WHERE model_id = ?1 AND key = ?2", params![model_id, key]).map_err(sql_err(p))?;
        if n == 0 {
            return Err(TrackingError::TagNotFound { kind: "logged model", id: model_id.to_string(), key: key.to_string() }.into());
        }
        Ok(())
    })
}

pub(super) fn log_params(p: &Project, model_id: &str, params: &[Param]) -> Result<()> {
    p.store_write("a logged model's params", |tx| {
        require(p, tx, model_id)?;
        for prm in params {
            upsert(p, tx, "logged_model_params", model_id, &prm.key, &prm.value)?;
        }
        Ok(())
    })
}

pub(super) fn log_metrics(p: &Project, points: &[(String, ModelMetric)]) -> Result<()> {
    p.store_write("a logged model's metrics", |tx| {
        let mut checked: Vec<&str> = Vec::new();
        let mut stmt = tx
            .prepare_cached(
                "INSERT OR REPLACE INTO logged_model_metrics \
                 (model_id, key, value, is_nan, timestamp, step, run_id, dataset_name, dataset_digest) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .map_err(sql_err(p))?;
        for (model_id, mm) in points {
            if !checked.contains(&model_id.as_str()) {
                require(p, tx, model_id)?;
                checked.push(model_id);
            }
            let (value, is_nan) = stored(mm.metric.value);
            let m = &mm.metric;
            stmt.execute(params![model_id, m.key, value, is_nan, m.timestamp, m.step, mm.run_id, mm.dataset_name, mm.dataset_digest])
                .map_err(sql_err(p))?;
        }
        Ok(())
    })
}

pub(super) fn link(p: &Project, run_id: &str, models: &[(String, i64)], output: bool) -> Result<()> {
    p.store_write(&format!("run {run_id}"), |tx| {
        let row: Option<(i64, String)> = tx
            .query_row("SELECT rid, lifecycle_stage FROM runs WHERE run_id = ?1", [run_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(sql_err(p))?;
        let (rid, stage) = row.ok_or_else(|| TrackingError::RunNotFound(run_id.to_string()))?;
        if stage != "active" {
            return Err(TrackingError::NotActive { kind: "run", id: run_id.to_string() }.into());
        }
        for (model_id, step) in models {
            require(p, tx, model_id)?;
            tx.execute(
                "INSERT INTO run_models (rid, model_id, output, step) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (rid, output, model_id) DO UPDATE SET step = excluded.step",
                params![rid, model_id, output, step],
            )
            .map_err(sql_err(p))?;
        }
        Ok(())
    })
}

/// A run's input models, and its output models with the step each was logged at.
pub type RunModelLinks = (Vec<String>, Vec<(String, i64)>);

pub(super) fn links(p: &Project, run_ids: &[String]) -> Result<Vec<RunModelLinks>> {
    let mut out = vec![(Vec::new(), Vec::new()); run_ids.len()];
    if run_ids.is_empty() {
        return Ok(out);
    }
    let at: HashMap<&str, usize> = run_ids.iter().enumerate().map(|(i, r)| (r.as_str(), i)).collect();
    p.store_read(|tx: &rusqlite::Transaction<'_>| -> Result<()> {
        let err = sql_err(p);
        let json = serde_json::Value::from(run_ids.to_vec()).to_string();
        let mut stmt = tx
            .prepare_cached(
                "SELECT r.run_id, l.model_id, l.output, l.step FROM run_models l JOIN runs r ON r.rid = l.rid \
                 WHERE r.run_id IN (SELECT value FROM json_each(?1)) ORDER BY l.step, l.model_id",
            )
            .map_err(&err)?;
        let mut rows = stmt.query([&json]).map_err(&err)?;
        while let Some(r) = rows.next().map_err(&err)? {
            let run_id: String = r.get(0).map_err(&err)?;
            if let Some(&i) = at.get(run_id.as_str()) {
                let model_id: String = r.get(1).map_err(&err)?;
                if r.get::<_, bool>(2).map_err(&err)? {
                    out[i].1.push((model_id, r.get(3).map_err(&err)?));
                } else {
                    out[i].0.push(model_id);
                }
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// `x.dataset_name = ? [AND x.dataset_digest = ?] OR …` for metric clauses scoped to data sets.
fn dataset_scope(q: &mut Bound, alias: &str, datasets: &[(String, Option<String>)]) -> String {
    if datasets.is_empty() {
        return String::new();
    }
    let any: Vec<String> = datasets
        .iter()
        .map(|(name, digest)| {
            let n = q.bind(Sql::Text(name.clone()));
            match digest {
                Some(d) => format!("({alias}.dataset_name = {n} AND {alias}.dataset_digest = {})", q.bind(Sql::Text(d.clone()))),
                None => format!("{alias}.dataset_name = {n}"),
            }
        })
        .collect();
    format!(" AND ({})", any.join(" OR "))
}

/// The latest point (by timestamp, then step) of metric `key` per model, within the data set scope.
fn latest_metric(q: &mut Bound, key: &str, datasets: &[(String, Option<String>)]) -> String {
    let k = q.bind(Sql::Text(key.to_string()));
    let scope_x = dataset_scope(q, "x", datasets);
    let scope_y = dataset_scope(q, "y", datasets);
    format!(
        "SELECT x.model_id, x.value, x.is_nan FROM logged_model_metrics x WHERE x.key = {k}{scope_x} AND NOT EXISTS \
         (SELECT 1 FROM logged_model_metrics y WHERE y.model_id = x.model_id AND y.key = x.key{scope_y} \
          AND (y.timestamp, y.step) > (x.timestamp, x.step))"
    )
}

pub(super) fn search(p: &Project, query: &LoggedQuery) -> Result<Page<LoggedModel>> {
    if query.experiment_ids.is_empty() {
        return Ok(Page { items: Vec::new(), next_page_token: None });
    }
    p.store_read(|tx| {
        let mut q = Bound::default();
        let ids: Vec<String> = query.experiment_ids.iter().map(|i| q.bind(Sql::Integer(*i))).collect();
        let mut conds = vec![format!("m.experiment_id IN ({})", ids.join(", ")), "m.lifecycle_stage = 'active'".to_string()];
        for c in &query.clauses {
            conds.push(match &c.field {
                LoggedField::Attr(col) | LoggedField::Time(col) => q.compare(&format!("m.{col}"), c.op, &c.value),
                LoggedField::Metric(key) => {
                    let latest = latest_metric(&mut q, key, &query.datasets);
                    let test = match c.op {
                        Op::Ne => {
                            let v = q.compare("l.value", c.op, &c.value);
                            format!("({v} OR l.is_nan = 1)")
                        }
                        op => format!("{} AND l.is_nan = 0", q.compare("l.value", op, &c.value)),
                    };
                    format!("m.model_id IN (SELECT l.model_id FROM ({latest}) l WHERE {test})")
                }
                LoggedField::Param(key) => q.tag_clause("logged_model_params", "t.model_id", "m.model_id", key, c.op, &c.value),
                LoggedField::Tag(key) => q.tag_clause("logged_model_tags", "t.model_id", "m.model_id", key, c.op, &c.value),
            });
        }
        let mut joins = String::new();
        let mut terms = Vec::new();
        for (i, (field, asc, ds_name, ds_digest)) in query.order.iter().enumerate() {
            let dir = if *asc { "ASC" } else { "DESC" };
            match field {
                LoggedField::Metric(key) => {
                    let scope: Vec<(String, Option<String>)> = ds_name.iter().map(|n| (n.clone(), ds_digest.clone())).collect();
                    let latest = latest_metric(&mut q, key, &scope);
                    joins.push_str(&format!(" LEFT JOIN ({latest}) o{i} ON o{i}.model_id = m.model_id"));
                    terms.push(format!("o{i}.model_id IS NULL, o{i}.is_nan, o{i}.value {dir}"));
                }
                LoggedField::Attr(col) | LoggedField::Time(col) => terms.push(format!("m.{col} IS NULL, m.{col} {dir}")),
                LoggedField::Param(_) | LoggedField::Tag(_) => {}
            }
        }
        let limits = limits(&mut q, query.offset, query.page);
        let sql =
            format!("SELECT m.model_id FROM logged_models m{joins} WHERE {} ORDER BY {} {limits}", conds.join(" AND "), terms.join(", "));
        let ids: Vec<String> = tx
            .prepare(&sql)
            .and_then(|mut s| s.query_map(params_from_iter(q.params.iter()), |r| r.get(0))?.collect())
            .map_err(sql_err(p))?;
        Ok(page(load(p, tx, &ids)?, query.offset, query.page))
    })
}
