//! Reading an MLflow request: a GET carries its fields in the query string (lists as repeated keys), a
//! POST, PATCH or DELETE in a JSON body. Both are merged into one object, read through accessors that
//! accept what MLflow's client sends (int64 as numbers or strings, booleans as `true` or `True`) and
//! answer MLflow's INVALID_PARAMETER_VALUE naming the field otherwise.

use axum::body::Bytes;
use axum::extract::{FromRequest, Query, Request};
use cairn_types::{Metric, Param, Tag};
use serde_json::{Map, Value};

use super::error::MlError;

/// Most a JSON request may weigh (MLflow's log-batch limit is 1 MB; logged MLmodel files are larger).
pub const MAX_JSON_BODY: usize = 32 << 20;

/// A request's fields.
#[derive(Debug, Default, Clone)]
pub struct Fields(Map<String, Value>);

pub fn missing(name: &str) -> MlError {
    MlError::invalid(format!(
        "Missing value for required parameter '{name}'. See the API docs for more information about request parameters."
    ))
}

fn bad(name: &str, value: &Value, why: &str) -> MlError {
    let shown: String = match value {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
    .chars()
    .take(200)
    .collect();
    MlError::invalid(format!("Invalid value {shown} for parameter '{name}' supplied: {why}"))
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = MlError;

    async fn from_request(req: Request, state: &S) -> Result<Self, MlError> {
        let query: Vec<(String, String)> = match Query::try_from_uri(req.uri()) {
            Ok(Query(q)) => q,
            Err(e) => return Err(MlError::invalid(format!("the query string cannot be read: {e}"))),
        };
        let body = Bytes::from_request(req, state).await.map_err(|e| MlError::invalid(format!("the request body cannot be read: {e}")))?;
        Fields::parse(query, &body)
    }
}

impl Fields {
    /// Query pairs first (a key given twice becomes a list), then the JSON body's fields over them.
    pub fn parse(query: Vec<(String, String)>, body: &[u8]) -> Result<Fields, MlError> {
        let mut map = Map::new();
        for (k, v) in query {
            match map.get_mut(&k) {
                Some(Value::Array(items)) => items.push(Value::String(v)),
                Some(one) => {
                    let first = one.take();
                    *one = Value::Array(vec![first, Value::String(v)]);
                }
                None => {
                    map.insert(k, Value::String(v));
                }
            }
        }
        if body.iter().any(|b| !b.is_ascii_whitespace()) {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(fields)) => map.extend(fields),
                Ok(_) => return Err(MlError::invalid("the request body must be a JSON object")),
                Err(e) => return Err(MlError::invalid(format!("the request body is not valid JSON: {e}"))),
            }
        }
        Ok(Fields(map))
    }

    /// Adds fields from the URL's path (`/logged-models/{model_id}`) over the request's.
    pub fn with_all(mut self, extra: std::collections::HashMap<String, String>) -> Fields {
        for (k, v) in extra {
            self.0.insert(k, Value::String(v));
        }
        self
    }

    /// The field, unless absent or null.
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// A string field; numbers and booleans are taken as their text.
    pub fn opt_str(&self, name: &str) -> Result<Option<String>, MlError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(v) => Err(bad(name, v, "expected a string")),
        }
    }

    /// A string field that must be present and not empty (MLflow's `_assert_required`).
    pub fn str(&self, name: &str) -> Result<String, MlError> {
        self.opt_str(name)?.filter(|s| !s.is_empty()).ok_or_else(|| missing(name))
    }

    /// A string field that must be present, but may be empty (a param's or tag's value).
    pub fn str_present(&self, name: &str) -> Result<String, MlError> {
        self.opt_str(name)?.ok_or_else(|| missing(name))
    }

    pub fn str_or_empty(&self, name: &str) -> Result<String, MlError> {
        Ok(self.opt_str(name)?.unwrap_or_default())
    }

    /// `run_id`, or the deprecated `run_uuid` older clients send.
    pub fn run_id(&self) -> Result<String, MlError> {
        match self.opt_str("run_id")?.filter(|s| !s.is_empty()) {
            Some(id) => Ok(id),
            None => self.opt_str("run_uuid")?.filter(|s| !s.is_empty()).ok_or_else(|| missing("run_id")),
        }
    }

    /// An int64: a JSON number or a string of digits.
    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>, MlError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18).map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| bad(name, &Value::Number(n.clone()), "expected a whole number")),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => {
                s.trim().parse::<i64>().map(Some).map_err(|_| bad(name, &Value::String(s.clone()), "expected a whole number"))
            }
            Some(v) => Err(bad(name, v, "expected a whole number")),
        }
    }

    pub fn i64(&self, name: &str) -> Result<i64, MlError> {
        self.opt_i64(name)?.ok_or_else(|| missing(name))
    }

    /// A double: a number, or "NaN", "Infinity", "-Infinity" and numeric strings, as protobuf's JSON allows.
    pub fn opt_f64(&self, name: &str) -> Result<Option<f64>, MlError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_f64().map(Some).ok_or_else(|| bad(name, &Value::Number(n.clone()), "expected a number")),
            Some(Value::String(s)) => match s.trim() {
                "NaN" | "nan" => Ok(Some(f64::NAN)),
                "Infinity" | "inf" => Ok(Some(f64::INFINITY)),
                "-Infinity" | "-inf" => Ok(Some(f64::NEG_INFINITY)),
                t => t.parse::<f64>().map(Some).map_err(|_| bad(name, &Value::String(s.clone()), "expected a number")),
            },
            Some(v) => Err(bad(name, v, "expected a number")),
        }
    }

    pub fn f64(&self, name: &str) -> Result<f64, MlError> {
        self.opt_f64(name)?.ok_or_else(|| missing(name))
    }

    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, MlError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") || s == "1" => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") || s == "0" => Ok(Some(false)),
            Some(v) => Err(bad(name, v, "expected true or false")),
        }
    }

    /// A repeated string field: a JSON array, repeated query keys, or one value.
    pub fn str_list(&self, name: &str) -> Result<Vec<String>, MlError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(bad(name, other, "expected a list of strings")),
                })
                .collect(),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Number(n)) => Ok(vec![n.to_string()]),
            Some(v) => Err(bad(name, v, "expected a list of strings")),
        }
    }

    /// A repeated message field, each item an object.
    pub fn objects(&self, name: &str) -> Result<Vec<Fields>, MlError> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Object(m) => Ok(Fields(m.clone())),
                    other => Err(bad(&format!("{name}[{i}]"), other, "expected an object")),
                })
                .collect(),
            // A query string cannot carry objects; a JSON object alone is taken as a list of one.
            Some(Value::Object(m)) => Ok(vec![Fields(m.clone())]),
            Some(v) => Err(bad(name, v, "expected a list of objects")),
        }
    }

    /// Whether any object of a repeated field carries `key` (without copying them).
    pub fn any_object_has(&self, name: &str, key: &str) -> bool {
        match self.get(name) {
            Some(Value::Array(items)) => items.iter().any(|v| v.get(key).is_some_and(|k| !k.is_null())),
            _ => false,
        }
    }

    /// A singular message field.
    pub fn object(&self, name: &str) -> Result<Option<Fields>, MlError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Fields(m.clone()))),
            Some(v) => Err(bad(name, v, "expected an object")),
        }
    }

    /// `[{key, value}]`: tags and params. The key is required; a missing value is empty.
    pub fn tags(&self, name: &str) -> Result<Vec<Tag>, MlError> {
        self.objects(name)?
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let key = f.opt_str("key")?.filter(|k| !k.is_empty()).ok_or_else(|| missing(&format!("{name}[{i}].key")))?;
                Ok(Tag { key, value: f.str_or_empty("value")? })
            })
            .collect()
    }

    pub fn params(&self, name: &str) -> Result<Vec<Param>, MlError> {
        Ok(self.tags(name)?.into_iter().map(|t| Param { key: t.key, value: t.value }).collect())
    }

    /// `[{key, value, timestamp, step}]`, as log-batch sends them.
    pub fn metrics(&self, name: &str) -> Result<Vec<Metric>, MlError> {
        self.objects(name)?
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let field = |n: &str| format!("{name}[{i}].{n}");
                let key = f.opt_str("key")?.filter(|k| !k.is_empty()).ok_or_else(|| missing(&field("key")))?;
                let value = f.opt_f64("value").map_err(|e| rename(e, &field("value")))?.ok_or_else(|| missing(&field("value")))?;
                let timestamp =
                    f.opt_i64("timestamp").map_err(|e| rename(e, &field("timestamp")))?.ok_or_else(|| missing(&field("timestamp")))?;
                let step = f.opt_i64("step").map_err(|e| rename(e, &field("step")))?.unwrap_or(0);
                Ok(Metric { key, value, timestamp, step })
            })
            .collect()
    }
}

/// Names a nested field in full (`metrics[3].value`) in an error about it.
fn rename(e: MlError, full: &str) -> MlError {
    let leaf = full.rsplit('.').next().unwrap_or(full);
    MlError { code: e.code, message: e.message.replacen(&format!("'{leaf}'"), &format!("'{full}'"), 1) }
}
