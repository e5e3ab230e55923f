//! Searching the registry with MLflow's grammar (`SearchModelUtils`, `SearchModelVersionUtils`): the same
//! syntax as run filters (clauses joined by AND), over the keys registered models and versions have.

use crate::tracking::grammar::{Op, RawClause, RawValue, filter_error, parse_filter, parse_order};
use crate::tracking::{TrackingError, Value, token};

use super::{DEFAULT_MODELS_PER_PAGE, DEFAULT_VERSIONS_PER_PAGE, MAX_MODELS_PER_PAGE, MAX_VERSIONS_PER_PAGE, RegistryError, Result};

/// What a registered-model clause or order looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelField {
    Name,
    CreationTimestamp,
    LastUpdatedTimestamp,
    Tag(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionField {
    Name,
    VersionNumber,
    RunId,
    SourcePath,
    CreationTimestamp,
    LastUpdatedTimestamp,
    Tag(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Clause<F> {
    pub field: F,
    pub op: Op,
    pub value: Value,
}

/// A checked search; rows `offset..offset+page` of the order are wanted.
#[derive(Debug, Clone, PartialEq)]
pub struct Query<F> {
    pub clauses: Vec<Clause<F>>,
    pub order: Vec<(F, bool)>,
    pub offset: u64,
    pub page: u64,
    /// MLflow keeps prompts in the registry too, told apart by the `mlflow.prompt.is_prompt` tag; a search
    /// shows either prompts or models (the default), never both.
    pub prompts: bool,
}

/// The tag MLflow marks prompts with.
pub const PROMPT_TAG: &str = "mlflow.prompt.is_prompt";

/// Takes the prompt tag's clauses out (models lack the tag, so they cannot be compared as usual) and
/// says whether the search asks for prompts, as MLflow's `_is_querying_prompt` does.
fn split_prompt_clauses<F>(clauses: &mut Vec<Clause<F>>, tag_key: impl Fn(&F) -> Option<&str>) -> bool {
    let mut prompts = false;
    clauses.retain(|c| {
        if tag_key(&c.field) != Some(PROMPT_TAG) {
            return true;
        }
        if let Value::Str(v) = &c.value {
            prompts = (c.op == Op::Eq && v.eq_ignore_ascii_case("true")) || (c.op == Op::Ne && v.eq_ignore_ascii_case("false"));
        }
        false
    });
    prompts
}

pub type ModelQuery = Query<ModelField>;
pub type VersionQuery = Query<VersionField>;

const STRING_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::Like, Op::ILike];
const LIST_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::Like, Op::ILike, Op::In, Op::NotIn];
const NUMBER_OPS: &[Op] = &[Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge];

fn page_size(n: u32, default: u32, max: u32, what: &str) -> Result<u64> {
    match n {
        0 => Ok(default as u64),
        n if n > max => Err(RegistryError::InvalidInput(format!(
            "invalid value for request parameter max_results: it must be at most {max} for {what}, but got {n}"
        ))),
        n => Ok(n as u64),
    }
}

fn check_op(c: &RawClause, allowed: &[Op], what: &str) -> Result<()> {
    if allowed.contains(&c.op) {
        return Ok(());
    }
    let ops = allowed.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ");
    Err(filter_error(c.op_pos, format!("`{}` cannot compare {what}; use one of {ops}", c.op.as_str())).into())
}

fn value(c: &RawClause, numeric: bool) -> Result<Value> {
    let bad = |msg: &str| -> RegistryError { filter_error(c.value_pos, msg).into() };
    match (&c.value, numeric, c.op) {
        (RawValue::Num { int: Some(i), .. }, true, _) => Ok(Value::Int(*i)),
        (RawValue::Str(s), true, _) => s.trim().parse::<i64>().map(Value::Int).map_err(|_| bad("expected a whole number")),
        (_, true, _) => Err(bad("expected a whole number")),
        (RawValue::List(items), false, Op::In | Op::NotIn) => Ok(Value::List(items.clone())),
        (_, false, Op::In | Op::NotIn) => Err(bad("IN takes a parenthesised list of quoted strings, e.g. ('a', 'b')")),
        (RawValue::Str(s), false, _) => Ok(Value::Str(s.clone())),
        (RawValue::Num { text, .. }, false, _) => Err(bad(&format!("this is compared with quoted strings; write '{text}'"))),
        (RawValue::List(_), false, _) => Err(bad("a list needs IN or NOT IN")),
        (RawValue::None, false, _) => Err(bad("expected a quoted string")),
    }
}

fn is_attr(entity: Option<&str>) -> bool {
    matches!(entity, None | Some("attribute" | "attributes" | "attr"))
}

fn is_tag(entity: Option<&str>) -> bool {
    matches!(entity, Some("tag" | "tags"))
}

fn model_field(c: &RawClause) -> Result<(ModelField, &'static [Op], bool)> {
    let id = &c.ident;
    Ok(match (id.entity.as_deref(), id.key.as_str()) {
        (e, "name") if is_attr(e) => (ModelField::Name, STRING_OPS, false),
        (e, _) if is_tag(e) => (ModelField::Tag(id.key.clone()), STRING_OPS, false),
        _ => {
            return Err(filter_error(id.start, format!("`{}` cannot be searched; use name or tags.<key>", id.text)).into());
        }
    })
}

fn version_field(c: &RawClause) -> Result<(VersionField, &'static [Op], bool)> {
    let id = &c.ident;
    Ok(match (id.entity.as_deref(), id.key.as_str()) {
        (e, "name") if is_attr(e) => (VersionField::Name, LIST_OPS, false),
        (e, "run_id") if is_attr(e) => (VersionField::RunId, LIST_OPS, false),
        (e, "source_path") if is_attr(e) => (VersionField::SourcePath, STRING_OPS, false),
        (e, "version_number") if is_attr(e) => (VersionField::VersionNumber, NUMBER_OPS, true),
        (e, _) if is_tag(e) => (VersionField::Tag(id.key.clone()), STRING_OPS, false),
        _ => {
            return Err(filter_error(
                id.start,
                format!("`{}` cannot be searched; use name, run_id, source_path, version_number or tags.<key>", id.text),
            )
            .into());
        }
    })
}

fn order_key<F>(text: &str, key: impl Fn(Option<&str>, &str) -> Option<F>, valid: &str) -> Result<(F, bool)> {
    let in_order = |e: TrackingError| match e {
        TrackingError::InvalidFilter(m) => RegistryError::Tracking(TrackingError::InvalidFilter(format!("in order_by `{text}`, {m}"))),
        other => other.into(),
    };
    let (ident, ascending) = parse_order(text).map_err(in_order)?;
    let field = key(ident.entity.as_deref(), &ident.key)
        .ok_or_else(|| RegistryError::InvalidInput(format!("invalid order_by key `{}`; use {valid}", ident.text)))?;
    Ok((field, ascending))
}

fn push_order<F: PartialEq>(out: &mut Vec<(F, bool)>, (field, asc): (F, bool), text: &str) -> Result<()> {
    if out.iter().any(|(f, _)| *f == field) {
        return Err(RegistryError::InvalidInput(format!("order_by names the same field twice (`{text}`)")));
    }
    out.push((field, asc));
    Ok(())
}

fn timestamp_key(key: &str) -> Option<bool> {
    match key {
        "creation_timestamp" => Some(true),
        "timestamp" | "last_updated_timestamp" => Some(false),
        _ => None,
    }
}

impl ModelQuery {
    /// Checks a registered-model search: filters on `name` and `tags.<key>`; order by name or a
    /// timestamp; name ASC breaks ties.
    pub fn parse(filter: &str, max_results: u32, order_by: &[String], token: Option<&str>) -> Result<ModelQuery> {
        let page = page_size(max_results, DEFAULT_MODELS_PER_PAGE, MAX_MODELS_PER_PAGE, "registered models")?;
        let mut clauses = Vec::new();
        for c in parse_filter(filter)? {
            let (field, ops, numeric) = model_field(&c)?;
            check_op(&c, ops, &format!("`{}`", c.ident.text))?;
            clauses.push(Clause { field, op: c.op, value: value(&c, numeric)? });
        }
        let mut order = Vec::new();
        for text in order_by {
            let key = |e: Option<&str>, k: &str| match (is_attr(e), k, timestamp_key(k)) {
                (true, "name", _) => Some(ModelField::Name),
                (true, _, Some(true)) => Some(ModelField::CreationTimestamp),
                (true, _, Some(false)) => Some(ModelField::LastUpdatedTimestamp),
                _ => None,
            };
            push_order(&mut order, order_key(text, key, "name, creation_timestamp or last_updated_timestamp")?, text)?;
        }
        if !order.iter().any(|(f, _)| *f == ModelField::Name) {
            order.push((ModelField::Name, true));
        }
        let prompts = split_prompt_clauses(&mut clauses, |f| match f {
            ModelField::Tag(k) => Some(k.as_str()),
            _ => None,
        });
        Ok(Query { clauses, order, offset: token::decode(token)?, page, prompts })
    }
}

impl VersionQuery {
    /// Checks a model-version search: filters on name, run_id, source_path, version_number and tags; the
    /// default order is last_updated_timestamp DESC, name ASC, version_number DESC, as in MLflow.
    pub fn parse(filter: &str, max_results: u32, order_by: &[String], token: Option<&str>) -> Result<VersionQuery> {
        let page = page_size(max_results, DEFAULT_VERSIONS_PER_PAGE, MAX_VERSIONS_PER_PAGE, "model versions")?;
        let mut clauses = Vec::new();
        for c in parse_filter(filter)? {
            let (field, ops, numeric) = version_field(&c)?;
            check_op(&c, ops, &format!("`{}`", c.ident.text))?;
            clauses.push(Clause { field, op: c.op, value: value(&c, numeric)? });
        }
        let defaults = ["last_updated_timestamp DESC", "name ASC", "version_number DESC"].map(String::from);
        let texts = if order_by.is_empty() { &defaults[..] } else { order_by };
        let mut order = Vec::new();
        for text in texts {
            let key = |e: Option<&str>, k: &str| match (is_attr(e), k, timestamp_key(k)) {
                (true, "name", _) => Some(VersionField::Name),
                (true, "version_number", _) => Some(VersionField::VersionNumber),
                (true, _, Some(true)) => Some(VersionField::CreationTimestamp),
                (true, _, Some(false)) => Some(VersionField::LastUpdatedTimestamp),
                _ => None,
            };
            let valid = "name, version_number, creation_timestamp or last_updated_timestamp";
            push_order(&mut order, order_key(text, key, valid)?, text)?;
        }
        for tie in [(VersionField::Name, true), (VersionField::VersionNumber, false)] {
            if !order.iter().any(|(f, _)| *f == tie.0) {
                order.push(tie);
            }
        }
        let prompts = split_prompt_clauses(&mut clauses, |f| match f {
            VersionField::Tag(k) => Some(k.as_str()),
            _ => None,
        });
        Ok(Query { clauses, order, offset: token::decode(token)?, page, prompts })
    }
}
