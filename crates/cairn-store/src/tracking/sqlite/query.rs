//! Searches translated to SQL. User strings only ever travel as bound parameters; the SQL text is made
//! from fixed fragments chosen by the checked query. Each metric/param/tag/dataset clause becomes
//! `r.rid IN (SELECT rid FROM … WHERE key = ? AND value …)`, which the `(key, value)` indexes answer,
//! and a run lacking the key never matches. Ordering by a metric, param or tag left-joins its row, so
//! runs without it stay and sort last (NaN before missing, as MLflow's SQL store does).

use cairn_types::{Experiment, Run, ViewType};
use rusqlite::Connection;
use rusqlite::types::Value as Sql;

use super::{experiments, runs};
use crate::project::Project;
use crate::tracking::error::Result;
use crate::tracking::grammar::Op;
use crate::tracking::search::{DatasetField, ExperimentKey, ExperimentQuery, RunAttr, RunKey, RunQuery, Value};
use crate::tracking::validate::DATASET_CONTEXT_TAG;

/// SQL text with its bound parameters, numbered `?1`, `?2`, … in the order they are added.
#[derive(Default)]
struct Query {
    params: Vec<Sql>,
}

impl Query {
    fn bind(&mut self, v: impl Into<Sql>) -> String {
        self.params.push(v.into());
        format!("?{}", self.params.len())
    }

    fn bind_value(&mut self, v: &Value) -> String {
        match v {
            Value::Num(n) => self.bind(*n),
            Value::Int(i) => self.bind(*i),
            Value::Str(s) => self.bind(s.clone()),
            Value::List(items) => {
                let list: Vec<String> = items.iter().map(|s| self.bind(s.clone())).collect();
                format!("({})", list.join(", "))
            }
            Value::IntList(items) => {
                let list: Vec<String> = items.iter().map(|i| self.bind(*i)).collect();
                format!("({})", list.join(", "))
            }
            Value::None => "NULL".into(),
        }
    }

    /// `column op value` for a string or number column; ILIKE folds ASCII case on both sides, as MLflow's
    /// SQL store does (LIKE itself is case-sensitive on these connections).
    fn compare(&mut self, column: &str, op: Op, value: &Value) -> String {
        let v = self.bind_value(value);
        match op {
            Op::ILike => format!("lower({column}) LIKE lower({v})"),
            Op::IsNull => format!("{column} IS NULL"),
            Op::IsNotNull => format!("{column} IS NOT NULL"),
            other => format!("{column} {} {v}", other.as_str()),
        }
    }
}

fn attr_column(a: RunAttr, uri_prefix: &str, q: &mut Query) -> String {
    match a {
        RunAttr::RunId => "r.run_id".into(),
        RunAttr::RunName => "r.name".into(),
        RunAttr::UserId => "r.user_id".into(),
        RunAttr::Status => "r.status".into(),
        // A NULL artifact_uri is the default place, resolved here exactly as when a run is read.
        RunAttr::ArtifactUri => format!("COALESCE(r.artifact_uri, {} || r.run_id)", q.bind(uri_prefix.to_string())),
        RunAttr::StartTime => "r.start_time".into(),
        RunAttr::EndTime => "r.end_time".into(),
    }
}

fn view_condition(view: ViewType, column: &str) -> Option<String> {
    match view {
        ViewType::ActiveOnly => Some(format!("{column} = 'active'")),
        ViewType::DeletedOnly => Some(format!("{column} = 'deleted'")),
        ViewType::All => None,
    }
}

fn run_conditions(q: &mut Query, query: &RunQuery, uri_prefix: &str) -> Vec<String> {
    let ids: Vec<String> = query.experiment_ids.iter().map(|id| q.bind(*id)).collect();
    let mut conds = vec![format!("r.experiment_id IN ({})", ids.join(", "))];
    conds.extend(view_condition(query.view, "r.lifecycle_stage"));
    for c in &query.clauses {
        let cond = match &c.key {
            RunKey::Attr(a) => {
                let column = attr_column(*a, uri_prefix, q);
                q.compare(&column, c.op, &c.value)
            }
            RunKey::Metric(key) => {
                let k = q.bind(key.clone());
                let v = q.bind_value(&c.value);
                // NaN (stored as 0) satisfies != and nothing else.
                let test = match c.op {
                    Op::Ne => format!("(value != {v} OR is_nan = 1)"),
                    op => format!("value {} {v} AND is_nan = 0", op.as_str()),
                };
                format!("r.rid IN (SELECT rid FROM latest_metrics WHERE key = {k} AND {test})")
            }
            RunKey::Param(key) | RunKey::Tag(key) => {
                let table = if matches!(c.key, RunKey::Param(_)) { "params" } else { "run_tags" };
                let k = q.bind(key.clone());
                match c.op {
                    Op::IsNull => format!("r.rid NOT IN (SELECT rid FROM {table} WHERE key = {k})"),
                    Op::IsNotNull => format!("r.rid IN (SELECT rid FROM {table} WHERE key = {k})"),
                    op => {
                        let test = q.compare("value", op, &c.value);
                        format!("r.rid IN (SELECT rid FROM {table} WHERE key = {k} AND {test})")
                    }
                }
            }
            RunKey::Dataset(DatasetField::Context) => {
                let k = q.bind(DATASET_CONTEXT_TAG.to_string());
                let test = q.compare("t.value", c.op, &c.value);
                format!(
                    "r.rid IN (SELECT i.rid FROM run_inputs i JOIN run_input_tags t ON t.input_id = i.input_id \
                     WHERE t.key = {k} AND {test})"
                )
            }
            RunKey::Dataset(field) => {
                let column = if *field == DatasetField::Name { "d.name" } else { "d.digest" };
                let test = q.compare(column, c.op, &c.value);
                format!(
                    "r.rid IN (SELECT i.rid FROM run_inputs i JOIN input_datasets d ON d.dataset_id = i.dataset_id \
                     WHERE {test})"
                )
            }
        };
        conds.push(cond);
    }
    conds
}

/// LEFT JOINs and ORDER BY terms for the query's order.
fn run_order(q: &mut Query, query: &RunQuery, uri_prefix: &str) -> (String, String) {
    let mut joins = String::new();
    let mut terms = Vec::new();
    for (i, o) in query.order.iter().enumerate() {
        let dir = if o.ascending { "ASC" } else { "DESC" };
        match &o.key {
            RunKey::Metric(key) => {
                let k = q.bind(key.clone());
                joins.push_str(&format!(" LEFT JOIN latest_metrics o{i} ON o{i}.rid = r.rid AND o{i}.key = {k}"));
                terms.push(format!("CASE WHEN o{i}.rid IS NULL THEN 2 WHEN o{i}.is_nan = 1 THEN 1 ELSE 0 END"));
                terms.push(format!("o{i}.value {dir}"));
            }
            RunKey::Param(key) | RunKey::Tag(key) => {
                let table = if matches!(o.key, RunKey::Param(_)) { "params" } else { "run_tags" };
                let k = q.bind(key.clone());
                joins.push_str(&format!(" LEFT JOIN {table} o{i} ON o{i}.rid = r.rid AND o{i}.key = {k}"));
                terms.push(format!("o{i}.value IS NULL"));
                terms.push(format!("o{i}.value {dir}"));
            }
            RunKey::Attr(a) => {
                let column = attr_column(*a, uri_prefix, q);
                if *a == RunAttr::EndTime {
                    terms.push(format!("{column} IS NULL"));
                }
                terms.push(format!("{column} {dir}"));
            }
            // Refused when the order is checked.
            RunKey::Dataset(_) => {}
        }
    }
    (joins, terms.join(", "))
}

pub(super) fn runs(p: &Project, conn: &Connection, query: &RunQuery) -> Result<(Vec<Run>, u64)> {
    if query.experiment_ids.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let err = |e| p.sql_err(e);
    let uri_prefix = format!("{}/", p.artifact_uri("runs", "").trim_end_matches('/'));
    let mut q = Query::default();
    let conds = run_conditions(&mut q, query, &uri_prefix).join(" AND ");
    let (joins, order) = run_order(&mut q, query, &uri_prefix);
    // Every matching run in order, once: the total is its length and pages are slices (cached for the
    // next page until something is written).
    let sql = format!("SELECT r.rid FROM runs r{joins} WHERE {conds} ORDER BY {order}");
    let key = format!("{sql}\u{0}{:?}", q.params);
    let all = p.searches().rows(p, key, || {
        conn.prepare_cached(&sql)
            .and_then(|mut s| s.query_map(rusqlite::params_from_iter(q.params.iter()), |r| r.get(0))?.collect::<rusqlite::Result<_>>())
            .map_err(err)
    })?;
    let total = all.len();
    let start = usize::try_from(query.offset).unwrap_or(usize::MAX).min(total);
    let end = start.saturating_add(usize::try_from(query.limit).unwrap_or(usize::MAX)).min(total);
    let rids = &all[start..end];
    Ok((runs::load(p, conn, rids)?, total as u64))
}

fn experiment_column(key: &ExperimentKey) -> &'static str {
    match key {
        ExperimentKey::Name => "e.name",
        ExperimentKey::ExperimentId => "e.experiment_id",
        ExperimentKey::CreationTime => "e.creation_time",
        ExperimentKey::LastUpdateTime => "e.last_update_time",
        ExperimentKey::Tag(_) => "NULL",
    }
}

pub(super) fn experiments(p: &Project, conn: &Connection, query: &ExperimentQuery) -> Result<Vec<Experiment>> {
    let err = |e| p.sql_err(e);
    let mut q = Query::default();
    let mut conds: Vec<String> = view_condition(query.view, "e.lifecycle_stage").into_iter().collect();
    for c in &query.clauses {
        conds.push(match &c.key {
            ExperimentKey::Tag(key) => {
                let k = q.bind(key.clone());
                match c.op {
                    Op::IsNull => format!("e.experiment_id NOT IN (SELECT experiment_id FROM experiment_tags WHERE key = {k})"),
                    Op::IsNotNull => format!("e.experiment_id IN (SELECT experiment_id FROM experiment_tags WHERE key = {k})"),
                    op => {
                        let test = q.compare("value", op, &c.value);
                        format!("e.experiment_id IN (SELECT experiment_id FROM experiment_tags WHERE key = {k} AND {test})")
                    }
                }
            }
            key => q.compare(experiment_column(key), c.op, &c.value),
        });
    }
    if conds.is_empty() {
        conds.push("1".into());
    }
    let order: Vec<String> =
        query.order.iter().map(|o| format!("{} {}", experiment_column(&o.key), if o.ascending { "ASC" } else { "DESC" })).collect();
    let limit = q.bind(query.limit.min(i64::MAX as u64) as i64);
    let offset = q.bind(query.offset.min(i64::MAX as u64) as i64);
    let sql = format!(
        "SELECT e.experiment_id FROM experiments e WHERE {} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        conds.join(" AND "),
        order.join(", ")
    );
    let ids: Vec<i64> = conn
        .prepare_cached(&sql)
        .and_then(|mut s| s.query_map(rusqlite::params_from_iter(q.params.iter()), |r| r.get(0))?.collect::<rusqlite::Result<_>>())
        .map_err(err)?;
    experiments::load(p, conn, &ids)
}
