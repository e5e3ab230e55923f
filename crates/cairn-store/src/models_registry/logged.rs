//! MLflow 3's logged models: a model a run produced (`mlflow.<flavor>.log_model`), with its own files,
//! params, tags and metrics (each metric tied to the run and data set it was measured on), linked to runs
//! as an output or an input, and registered as model versions by id (`models:/m-…`).

use cairn_types::{Metric, Param, Tag};

use super::search::Clause;
use super::{RegistryError, Result};
use crate::project::Project;
use crate::tracking::grammar::{Op, RawClause, RawValue, filter_error, parse_filter};
use crate::tracking::{Value, token};

/// The statuses a logged model moves through, as MLflow's protobuf enum names them.
pub const STATUSES: [&str; 3] = ["LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"];
pub const DEFAULT_PER_PAGE: u32 = 100;
pub const MAX_PER_PAGE: u32 = 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct LoggedModel {
    pub model_id: String,
    pub experiment_id: String,
    pub name: String,
    /// Where its files are: `file://…/.cairn/artifacts/models/<id>` unless the experiment has a location.
    pub artifact_location: String,
    pub creation_timestamp_ms: i64,
    pub last_updated_timestamp_ms: i64,
    pub status: String,
    pub status_message: String,
    pub model_type: String,
    pub source_run_id: String,
    pub deleted: bool,
    pub tags: Vec<Tag>,
    pub params: Vec<Param>,
    pub metrics: Vec<ModelMetric>,
    /// Registered model versions made from it: (name, version).
    pub registrations: Vec<(String, i64)>,
}

/// A metric point of a logged model: measured in a run, possibly on a data set.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelMetric {
    pub metric: Metric,
    pub run_id: String,
    pub dataset_name: String,
    pub dataset_digest: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewLoggedModel<'a> {
    pub experiment_id: &'a str,
    pub name: Option<&'a str>,
    pub model_type: &'a str,
    pub source_run_id: &'a str,
    pub params: &'a [Param],
    pub tags: &'a [Tag],
}

/// A sort key of a logged-model search: an attribute, or `metrics.<key>` (optionally on one data set).
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedOrder {
    pub field: String,
    pub ascending: bool,
    pub dataset_name: Option<String>,
    pub dataset_digest: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LoggedSearch {
    pub experiment_ids: Vec<String>,
    pub filter: String,
    /// Metric clauses and orders only look at metrics measured on these data sets (name, optional digest).
    pub datasets: Vec<(String, Option<String>)>,
    pub max_results: u32,
    pub order_by: Vec<LoggedOrder>,
    pub page_token: Option<String>,
}

/// What a logged-model filter clause looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum LoggedField {
    /// A text column of the model row.
    Attr(&'static str),
    /// A numeric column (timestamps).
    Time(&'static str),
    Metric(String),
    Param(String),
    Tag(String),
}

/// A checked logged-model search, as the SQL layer receives it.
#[derive(Debug, Clone)]
pub struct LoggedQuery {
    pub experiment_ids: Vec<i64>,
    pub clauses: Vec<Clause<LoggedField>>,
    pub datasets: Vec<(String, Option<String>)>,
    pub order: Vec<(LoggedField, bool, Option<String>, Option<String>)>,
    pub offset: u64,
    pub page: u64,
}

fn invalid(msg: impl Into<String>) -> RegistryError {
    RegistryError::InvalidInput(msg.into())
}

/// MLflow's rule for logged model names.
fn check_name(name: &str) -> Result<()> {
    const BAD: [char; 6] = ['/', ':', '.', '%', '"', '\''];
    if name.is_empty() || name.contains(BAD) {
        return Err(invalid(format!("invalid model name ('{name}'): a model name must be a non-empty string without / : . % \" or '")));
    }
    Ok(())
}

/// A status in its protobuf spelling, from `READY` or `LOGGED_MODEL_READY` (or the enum's number).
pub fn canonical_status(s: &str) -> Result<&'static str> {
    let t = s.trim();
    let found = match t {
        "1" => Some(STATUSES[0]),
        "2" => Some(STATUSES[1]),
        "3" => Some(STATUSES[2]),
        _ => STATUSES.iter().copied().find(|st| st.eq_ignore_ascii_case(t) || st[13..].eq_ignore_ascii_case(t)),
    };
    found.ok_or_else(|| invalid(format!("invalid logged model status '{s}'; use PENDING, READY or UPLOAD_FAILED")))
}

/// The column an attribute names, and whether it is numeric.
fn attribute(key: &str) -> Option<LoggedField> {
    Some(match key {
        "name" => LoggedField::Attr("name"),
        "model_id" => LoggedField::Attr("model_id"),
        "model_type" => LoggedField::Attr("model_type"),
        "status" => LoggedField::Attr("status"),
        "source_run_id" => LoggedField::Attr("source_run_id"),
        "creation_timestamp" | "creation_time" | "creation_timestamp_ms" => LoggedField::Time("creation_timestamp_ms"),
        "last_updated_timestamp" | "last_updated_time" | "last_updated_timestamp_ms" => LoggedField::Time("last_updated_timestamp_ms"),
        _ => return None,
    })
}

fn clause(c: &RawClause) -> Result<Clause<LoggedField>> {
    let id = &c.ident;
    let field = match id.entity.as_deref() {
        None | Some("attribute" | "attributes" | "attr") => attribute(&id.key).ok_or_else(|| -> RegistryError {
            filter_error(
                id.start,
                format!(
                    "`{}` is not a logged model attribute; use name, model_id, model_type, status, source_run_id, \
                     creation_timestamp or last_updated_timestamp",
                    id.text
                ),
            )
            .into()
        })?,
        Some("metric" | "metrics") => LoggedField::Metric(id.key.clone()),
        Some("param" | "params" | "parameter" | "parameters") => LoggedField::Param(id.key.clone()),
        Some("tag" | "tags") => LoggedField::Tag(id.key.clone()),
        Some(other) => {
            return Err(
                filter_error(id.start, format!("`{other}` is not a kind of key; use metrics., params., tags. or an attribute")).into()
            );
        }
    };
    let numeric = matches!(field, LoggedField::Metric(_) | LoggedField::Time(_));
    let ops: &[Op] = if numeric {
        &[Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge]
    } else if matches!(field, LoggedField::Attr(_)) {
        &[Op::Eq, Op::Ne, Op::Like, Op::ILike, Op::In, Op::NotIn]
    } else {
        &[Op::Eq, Op::Ne, Op::Like, Op::ILike]
    };
    if !ops.contains(&c.op) {
        let list = ops.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ");
        return Err(filter_error(c.op_pos, format!("`{}` cannot compare `{}`; use one of {list}", c.op.as_str(), id.text)).into());
    }
    let value = match (&c.value, numeric) {
        (RawValue::Num { value, .. }, true) => Value::Num(*value),
        (RawValue::Str(s), false) if field == LoggedField::Attr("status") => Value::Str(canonical_status(s)?.to_string()),
        (RawValue::Str(s), false) => Value::Str(s.clone()),
        (RawValue::List(items), false) if matches!(c.op, Op::In | Op::NotIn) => {
            if field == LoggedField::Attr("status") {
                Value::List(items.iter().map(|s| canonical_status(s).map(str::to_string)).collect::<Result<_>>()?)
            } else {
                Value::List(items.clone())
            }
        }
        (_, true) => return Err(filter_error(c.value_pos, format!("`{}` is compared with a number", id.text)).into()),
        _ => return Err(filter_error(c.value_pos, format!("`{}` is compared with a quoted string", id.text)).into()),
    };
    Ok(Clause { field, op: c.op, value })
}

impl LoggedQuery {
    pub fn parse(s: &LoggedSearch) -> Result<LoggedQuery> {
        let page = match s.max_results {
            0 => DEFAULT_PER_PAGE,
            n if n > MAX_PER_PAGE => {
                return Err(invalid(format!("max_results must be at most {MAX_PER_PAGE} for logged models, got {n}")));
            }
            n => n,
        } as u64;
        let experiment_ids = s
            .experiment_ids
            .iter()
            .map(|id| id.trim().parse::<i64>().map_err(|_| invalid(format!("invalid experiment id `{id}` in experiment_ids"))))
            .collect::<Result<_>>()?;
        if s.datasets.iter().any(|(name, _)| name.is_empty()) {
            return Err(invalid("`dataset_name` in the `datasets` clause must be specified."));
        }
        let clauses = parse_filter(&s.filter)?.iter().map(clause).collect::<Result<_>>()?;
        let mut order = Vec::new();
        for o in &s.order_by {
            let field = match o.field.split_once('.') {
                None => attribute(&o.field).ok_or_else(|| invalid(format!("Invalid order by field name: {}", o.field)))?,
                Some(("metrics", key)) => LoggedField::Metric(key.to_string()),
                Some(_) => {
                    return Err(invalid(format!("Invalid order by field name: {}. Only metrics are supported.", o.field)));
                }
            };
            order.push((
                field,
                o.ascending,
                o.dataset_name.clone().filter(|d| !d.is_empty()),
                o.dataset_digest.clone().filter(|d| !d.is_empty()),
            ));
        }
        for (field, asc) in [(LoggedField::Time("creation_timestamp_ms"), false), (LoggedField::Attr("model_id"), true)] {
            if !order.iter().any(|(f, ..)| *f == field) {
                order.push((field, asc, None, None));
            }
        }
        Ok(LoggedQuery {
            experiment_ids,
            clauses,
            datasets: s.datasets.clone(),
            order,
            offset: token::decode(s.page_token.as_deref())?,
            page,
        })
    }
}

/// A new model id: `m-` and 32 hex digits, as MLflow makes them.
fn new_model_id() -> String {
    format!("m-{}", crate::tracking::new_run_id())
}

impl Project {
    /// Creates a logged model, PENDING until its files are uploaded and it is finalized.
    pub fn create_logged_model(&self, new: &NewLoggedModel<'_>, now: i64) -> Result<LoggedModel> {
        if let Some(name) = new.name {
            check_name(name)?;
        }
        let experiment_id = crate::tracking::validate::experiment_id(new.experiment_id)?;
        let name = new.name.map(str::to_string).unwrap_or_else(crate::tracking::new_run_name);
        super::logged_sql::create(self, &new_model_id(), experiment_id, &name, new, now)
    }

    pub fn get_logged_model(&self, model_id: &str, allow_deleted: bool) -> Result<LoggedModel> {
        super::logged_sql::get(self, model_id, allow_deleted)
    }

    pub fn finalize_logged_model(&self, model_id: &str, status: &str, now: i64) -> Result<LoggedModel> {
        let status = canonical_status(status)?;
        if status == STATUSES[0] {
            return Err(invalid("a logged model is finalized as READY or UPLOAD_FAILED"));
        }
        super::logged_sql::finalize(self, model_id, status, now)
    }

    pub fn delete_logged_model(&self, model_id: &str, now: i64) -> Result<()> {
        super::logged_sql::delete(self, model_id, now)
    }

    pub fn set_logged_model_tags(&self, model_id: &str, tags: &[Tag], now: i64) -> Result<()> {
        for t in tags {
            crate::tracking::validate::key("tag key", &t.key)?;
        }
        super::logged_sql::set_tags(self, model_id, tags, now)
    }

    pub fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> Result<()> {
        super::logged_sql::delete_tag(self, model_id, key)
    }

    pub fn log_logged_model_params(&self, model_id: &str, params: &[Param]) -> Result<()> {
        for p in params {
            crate::tracking::validate::key("param key", &p.key)?;
        }
        super::logged_sql::log_params(self, model_id, params)
    }

    /// Records metric points on logged models (each with the run it was measured in).
    pub fn log_logged_model_metrics(&self, points: &[(String, ModelMetric)]) -> Result<()> {
        if points.is_empty() {
            return Ok(());
        }
        super::logged_sql::log_metrics(self, points)
    }

    /// Links models to a run as its outputs (with the step they were logged at) or inputs (step 0).
    pub fn link_run_models(&self, run_id: &str, models: &[(String, i64)], output: bool) -> Result<()> {
        super::logged_sql::link(self, run_id, models, output)
    }

    /// Each run's input models and output models (with steps), in the order of `run_ids`.
    pub fn run_model_links(&self, run_ids: &[String]) -> Result<Vec<super::logged_sql::RunModelLinks>> {
        super::logged_sql::links(self, run_ids)
    }

    pub fn search_logged_models(&self, search: &LoggedSearch) -> Result<super::Page<LoggedModel>> {
        let query = LoggedQuery::parse(search)?;
        super::logged_sql::search(self, &query)
    }

    /// The default `file://` URI of a logged model's files (used unless its experiment has a location).
    pub fn default_logged_model_uri(&self, model_id: &str) -> String {
        self.artifact_uri("models", model_id)
    }
}
