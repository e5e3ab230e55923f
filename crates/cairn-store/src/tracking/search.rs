//! What a search means: MLflow's keys (with their aliases), which operators and values each kind of key
//! takes, and the checked queries a backend receives. Rules follow `mlflow/utils/search_utils.py`
//! (`SearchUtils`, `SearchExperimentsUtils`) of MLflow 3.x.

use cairn_types::ViewType;

use super::error::{Result, TrackingError};
use super::grammar::{Op, RawClause, RawIdent, RawValue, filter_error, parse_filter, parse_order};

/// A run attribute that can be searched and ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunAttr {
    RunId,
    RunName,
    UserId,
    Status,
    ArtifactUri,
    StartTime,
    EndTime,
}

impl RunAttr {
    pub fn is_numeric(self) -> bool {
        matches!(self, RunAttr::StartTime | RunAttr::EndTime)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatasetField {
    Name,
    Digest,
    /// The `mlflow.data.context` tag of the run's input (training, evaluation …).
    Context,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RunKey {
    Metric(String),
    Param(String),
    Tag(String),
    Attr(RunAttr),
    Dataset(DatasetField),
}

/// A checked value: numbers for metrics and times, strings otherwise, lists for IN.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(f64),
    Int(i64),
    Str(String),
    List(Vec<String>),
    IntList(Vec<i64>),
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunClause {
    pub key: RunKey,
    pub op: Op,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunOrder {
    pub key: RunKey,
    pub ascending: bool,
}

/// A checked search over runs, as a backend receives it. Rows `offset..offset+limit` of the ordered
/// result are wanted; `order` already ends with MLflow's tie-breakers (start_time DESC, run_id).
#[derive(Debug, Clone, PartialEq)]
pub struct RunQuery {
    pub experiment_ids: Vec<i64>,
    pub clauses: Vec<RunClause>,
    pub order: Vec<RunOrder>,
    pub view: ViewType,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExperimentKey {
    Name,
    ExperimentId,
    CreationTime,
    LastUpdateTime,
    Tag(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentClause {
    pub key: ExperimentKey,
    pub op: Op,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentOrder {
    pub key: ExperimentKey,
    pub ascending: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentQuery {
    pub clauses: Vec<ExperimentClause>,
    pub order: Vec<ExperimentOrder>,
    pub view: ViewType,
    pub offset: u64,
    pub limit: u64,
}

const COMPARISONS: &[Op] = &[Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge];
const STRING_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::Like, Op::ILike];
const STRING_ATTR_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::Like, Op::ILike, Op::In, Op::NotIn];
const PARAM_TAG_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::Like, Op::ILike, Op::IsNull, Op::IsNotNull];
const RUN_ATTRS: &str = "run_id, run_name, status, user_id, artifact_uri, start_time or end_time";

fn op_list(ops: &[Op]) -> String {
    ops.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ")
}

fn check_op(c: &RawClause, allowed: &[Op], what: &str) -> Result<()> {
    if allowed.contains(&c.op) {
        Ok(())
    } else {
        Err(filter_error(c.op_pos, format!("`{}` cannot compare {what}; use one of {}", c.op.as_str(), op_list(allowed))))
    }
}

fn run_attr(key: &str) -> Option<RunAttr> {
    Some(match key {
        "run_id" => RunAttr::RunId,
        "run_name" | "run name" | "Run name" | "Run Name" => RunAttr::RunName,
        "user_id" => RunAttr::UserId,
        "status" => RunAttr::Status,
        "artifact_uri" => RunAttr::ArtifactUri,
        "start_time" | "created" | "Created" => RunAttr::StartTime,
        "end_time" => RunAttr::EndTime,
        _ => return None,
    })
}

fn run_key(ident: &RawIdent) -> Result<RunKey> {
    let key = ident.key.clone();
    let entity = ident.entity.as_deref().unwrap_or("attribute");
    Ok(match entity {
        "metric" | "metrics" => RunKey::Metric(key),
        "param" | "params" | "parameter" | "parameters" => RunKey::Param(key),
        "tag" | "tags" => RunKey::Tag(key),
        "attribute" | "attributes" | "attr" | "run" => match run_attr(&key) {
            Some(a) => RunKey::Attr(a),
            None => {
                let also = if ident.entity.is_none() {
                    format!(" (or did you mean metrics.{key}, params.{key} or tags.{key}?)")
                } else {
                    String::new()
                };
                return Err(filter_error(ident.start, format!("`{key}` is not a run attribute; use {RUN_ATTRS}{also}")));
            }
        },
        "dataset" | "datasets" => RunKey::Dataset(match key.as_str() {
            "name" => DatasetField::Name,
            "digest" => DatasetField::Digest,
            "context" => DatasetField::Context,
            _ => {
                return Err(filter_error(
                    ident.start,
                    format!("`{}` is not a dataset field; use datasets.name, datasets.digest or datasets.context", ident.text),
                ));
            }
        }),
        other => {
            return Err(filter_error(
                ident.start,
                format!("`{other}` is not a kind of key; use metrics., params., tags., attributes. or datasets."),
            ));
        }
    })
}

fn string_value(c: &RawClause, what: &str) -> Result<Value> {
    match &c.value {
        RawValue::Str(s) => Ok(Value::Str(s.clone())),
        RawValue::Num { text, .. } => Err(filter_error(c.value_pos, format!("{what} is compared with quoted strings; write '{text}'"))),
        RawValue::List(_) => Err(filter_error(c.value_pos, format!("a list needs IN or NOT IN, not `{}`", c.op.as_str()))),
        RawValue::None => Ok(Value::None),
    }
}

fn list_or_string(c: &RawClause, what: &str, lists: bool) -> Result<Value> {
    match (&c.value, c.op) {
        (RawValue::List(items), Op::In | Op::NotIn) if lists => Ok(Value::List(items.clone())),
        (RawValue::List(_), Op::In | Op::NotIn) => {
            Err(filter_error(c.value_pos, format!("only run_id (and datasets' fields) can be compared with a list, not {what}")))
        }
        (_, Op::In | Op::NotIn) => {
            Err(filter_error(c.value_pos, format!("`{}` takes a parenthesised list of quoted strings, e.g. ('a', 'b')", c.op.as_str())))
        }
        _ => string_value(c, what),
    }
}

fn number_value(c: &RawClause, what: &str) -> Result<Value> {
    match &c.value {
        RawValue::Num { value, .. } => Ok(Value::Num(*value)),
        _ => Err(filter_error(c.value_pos, format!("{what} is compared with numbers, e.g. 0.5"))),
    }
}

fn run_clause(c: RawClause) -> Result<RunClause> {
    let key = run_key(&c.ident)?;
    let value = match &key {
        RunKey::Metric(k) => {
            check_op(&c, COMPARISONS, "metrics")?;
            number_value(&c, &format!("metric `{k}`"))?
        }
        RunKey::Param(k) => {
            check_op(&c, PARAM_TAG_OPS, "params")?;
            string_value(&c, &format!("param `{k}`"))?
        }
        RunKey::Tag(k) => {
            check_op(&c, PARAM_TAG_OPS, "tags")?;
            string_value(&c, &format!("tag `{k}`"))?
        }
        RunKey::Attr(a) if a.is_numeric() => {
            check_op(&c, COMPARISONS, &format!("`{}` (a time)", c.ident.key))?;
            number_value(&c, &format!("`{}`", c.ident.key))?
        }
        RunKey::Attr(a) => {
            check_op(&c, STRING_ATTR_OPS, &format!("`{}`", c.ident.key))?;
            list_or_string(&c, &format!("`{}`", c.ident.key), *a == RunAttr::RunId)?
        }
        RunKey::Dataset(_) => {
            check_op(&c, STRING_ATTR_OPS, "datasets")?;
            list_or_string(&c, &c.ident.text, true)?
        }
    };
    Ok(RunClause { key, op: c.op, value })
}

/// Checks a run filter: `metrics.auc > 0.8 and params.model = 'gbm'`.
pub fn run_filter(filter: &str) -> Result<Vec<RunClause>> {
    parse_filter(filter)?.into_iter().map(run_clause).collect()
}

fn in_order_by(order_by: &str, e: TrackingError) -> TrackingError {
    match e {
        TrackingError::InvalidFilter(m) => TrackingError::InvalidFilter(format!("in order_by `{order_by}`, {m}")),
        other => other,
    }
}

/// Checks run order-by clauses and appends MLflow's tie-breakers: start_time DESC (unless ordered by
/// already), then run_id.
pub fn run_order(order_by: &[String]) -> Result<Vec<RunOrder>> {
    let mut out: Vec<RunOrder> = Vec::new();
    for text in order_by {
        let (ident, ascending) = parse_order(text).map_err(|e| in_order_by(text, e))?;
        let key = run_key(&ident).map_err(|e| in_order_by(text, e))?;
        if matches!(key, RunKey::Dataset(_)) {
            return Err(in_order_by(text, filter_error(ident.start, "runs cannot be ordered by a dataset field")));
        }
        if out.iter().any(|o| o.key == key) {
            return Err(TrackingError::InvalidFilter(format!("order_by names `{}` twice", ident.text)));
        }
        out.push(RunOrder { key, ascending });
    }
    if !out.iter().any(|o| o.key == RunKey::Attr(RunAttr::StartTime)) {
        out.push(RunOrder { key: RunKey::Attr(RunAttr::StartTime), ascending: false });
    }
    if !out.iter().any(|o| o.key == RunKey::Attr(RunAttr::RunId)) {
        out.push(RunOrder { key: RunKey::Attr(RunAttr::RunId), ascending: true });
    }
    Ok(out)
}

fn experiment_key(ident: &RawIdent) -> Result<ExperimentKey> {
    match ident.entity.as_deref() {
        None | Some("attribute") => Ok(match ident.key.as_str() {
            "name" => ExperimentKey::Name,
            "experiment_id" => ExperimentKey::ExperimentId,
            "creation_time" => ExperimentKey::CreationTime,
            "last_update_time" => ExperimentKey::LastUpdateTime,
            other => {
                return Err(filter_error(
                    ident.start,
                    format!(
                        "`{other}` is not an experiment attribute; use name, experiment_id, creation_time, \
                         last_update_time or tags.<key>"
                    ),
                ));
            }
        }),
        Some("tag" | "tags") => Ok(ExperimentKey::Tag(ident.key.clone())),
        Some(other) => Err(filter_error(ident.start, format!("`{other}` is not a kind of key for experiments; use attribute. or tags."))),
    }
}

fn experiment_id_value(c: &RawClause) -> Result<Value> {
    let parse =
        |s: &str| s.trim().parse::<i64>().map_err(|_| filter_error(c.value_pos, format!("`{s}` is not an experiment id (an integer)")));
    match (&c.value, c.op) {
        (RawValue::List(items), Op::In | Op::NotIn) => Ok(Value::IntList(items.iter().map(|s| parse(s)).collect::<Result<_>>()?)),
        (RawValue::Str(s), Op::Eq | Op::Ne) => Ok(Value::Int(parse(s)?)),
        (RawValue::Num { int: Some(i), .. }, Op::Eq | Op::Ne) => Ok(Value::Int(*i)),
        _ => Err(filter_error(c.value_pos, "experiment_id takes a quoted id with = or !=, or a list with IN or NOT IN, e.g. ('1', '2')")),
    }
}

fn experiment_clause(c: RawClause) -> Result<ExperimentClause> {
    let key = experiment_key(&c.ident)?;
    let value = match &key {
        ExperimentKey::Name => {
            check_op(&c, STRING_OPS, "the experiment name")?;
            string_value(&c, "the name")?
        }
        ExperimentKey::ExperimentId => {
            check_op(&c, &[Op::Eq, Op::Ne, Op::In, Op::NotIn], "experiment_id")?;
            experiment_id_value(&c)?
        }
        ExperimentKey::CreationTime | ExperimentKey::LastUpdateTime => {
            check_op(&c, COMPARISONS, &format!("`{}` (a time)", c.ident.key))?;
            match &c.value {
                RawValue::Num { int: Some(i), .. } => Value::Int(*i),
                _ => {
                    return Err(filter_error(c.value_pos, format!("`{}` is compared with a whole number of milliseconds", c.ident.key)));
                }
            }
        }
        ExperimentKey::Tag(k) => {
            check_op(&c, PARAM_TAG_OPS, "experiment tags")?;
            string_value(&c, &format!("tag `{k}`"))?
        }
    };
    Ok(ExperimentClause { key, op: c.op, value })
}

/// Checks an experiment filter: `name LIKE 'churn%' and tags.team = 'ml'`.
pub fn experiment_filter(filter: &str) -> Result<Vec<ExperimentClause>> {
    parse_filter(filter)?.into_iter().map(experiment_clause).collect()
}

/// Checks experiment order-by clauses; the default is creation_time DESC, experiment_id ASC, and
/// experiment_id DESC breaks ties otherwise, as in MLflow.
pub fn experiment_order(order_by: &[String]) -> Result<Vec<ExperimentOrder>> {
    if order_by.is_empty() {
        return Ok(vec![
            ExperimentOrder { key: ExperimentKey::CreationTime, ascending: false },
            ExperimentOrder { key: ExperimentKey::ExperimentId, ascending: true },
        ]);
    }
    let mut out: Vec<ExperimentOrder> = Vec::new();
    for text in order_by {
        let (ident, ascending) = parse_order(text).map_err(|e| in_order_by(text, e))?;
        let key = experiment_key(&ident).map_err(|e| in_order_by(text, e))?;
        if matches!(key, ExperimentKey::Tag(_)) {
            return Err(in_order_by(text, filter_error(ident.start, "experiments cannot be ordered by tags")));
        }
        if out.iter().any(|o| o.key == key) {
            return Err(TrackingError::InvalidFilter(format!("order_by names `{}` twice", ident.text)));
        }
        out.push(ExperimentOrder { key, ascending });
    }
    if !out.iter().any(|o| o.key == ExperimentKey::ExperimentId) {
        out.push(ExperimentOrder { key: ExperimentKey::ExperimentId, ascending: false });
    }
    Ok(out)
}
