//! KServe's Open Inference Protocol (v2) over HTTP: health, server and model metadata, readiness, and
//! inference with one tensor per feature column (shape `[n]` or `[n, 1]`, by name) or one `[n, k]`
//! tensor of rows in the model's feature order. The model name is the endpoint's; a version path
//! (`/versions/{v}`, a variant's name or model version) picks that variant. Errors are `{"error": "…"}`.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cairn_ml::{FeatureKind, Predicted};
use cairn_types::ErrorCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::answer::{columns, push_f64, push_str};
use crate::body::{Cell, Table, cell};
use crate::endpoint::{Endpoint, Served, uuid_v4};
use crate::http::{Answer, Call, Failure, Kind, Style, failure_response, finish, header_str, read_body, run};
use crate::read;

pub(crate) fn routes() -> Router<Arc<Endpoint>> {
    Router::new()
        .route("/v2/health/live", get(|| async { axum::Json(json!({"live": true})) }))
        .route("/v2/health/ready", get(|| async { axum::Json(json!({"ready": true})) }))
        .route("/v2", get(|| async { axum::Json(json!({"name": "cairn", "version": env!("CARGO_PKG_VERSION"), "extensions": []})) }))
        .route("/v2/models/{name}", get(metadata))
        .route("/v2/models/{name}/versions/{version}", get(metadata_of))
        .route("/v2/models/{name}/ready", get(ready))
        .route("/v2/models/{name}/versions/{version}/ready", get(ready_of))
        .route("/v2/models/{name}/infer", post(infer_latest))
        .route("/v2/models/{name}/versions/{version}/infer", post(infer_version))
}

fn not_found(message: String) -> Failure {
    Failure::new(404, ErrorCode::ModelNotFound, message).hint("GET /v2/models/<endpoint name> lists the versions served")
}

/// The variant a path names (its index), or the 404 to answer; no version: None (drawn by weight).
fn resolve(served: &Served, name: &str, version: Option<&str>) -> Result<Option<usize>, Failure> {
    if name != served.config.name {
        return Err(not_found(format!("no model '{name}' here; this endpoint serves the model '{}'", served.config.name)));
    }
    match version {
        None => Ok(None),
        Some(v) => served.by_version(v).map(Some).ok_or_else(|| {
            let have: Vec<String> = served.variants.iter().map(|x| format!("{} (version {})", x.name, x.version)).collect();
            not_found(format!("the model '{name}' has no version '{v}'; served: {}", have.join(", ")))
        }),
    }
}

fn datatype(kind: FeatureKind) -> &'static str {
    match kind {
        FeatureKind::Number => "FP64",
        FeatureKind::Bool => "BOOL",
        FeatureKind::Date | FeatureKind::Datetime | FeatureKind::Text => "BYTES",
    }
}

/// A flow source column's type (see `cairn_flow::InputColumn::dtype`) as a tensor datatype.
fn source_datatype(dtype: &str) -> &'static str {
    match dtype {
        "bool" => "BOOL",
        "f32" => "FP32",
        "f64" => "FP64",
        "i8" => "INT8",
        "i16" => "INT16",
        "i32" => "INT32",
        "i64" => "INT64",
        "u8" => "UINT8",
        "u16" => "UINT16",
        "u32" => "UINT32",
        "u64" => "UINT64",
        _ => "BYTES",
    }
}

fn describe(served: &Served, variant: Option<usize>) -> Value {
    let shown = variant.unwrap_or(0);
    let Some(v) = served.variants.get(shown) else { return json!({}) };
    let model = &v.loaded.model;
    let inputs: Vec<Value> = match &v.loaded.flow {
        Some(flow) => flow
            .columns
            .iter()
            .filter(|c| Some(&c.name) != flow.target.as_ref())
            .map(|c| json!({"name": c.name, "datatype": source_datatype(&c.dtype), "shape": [-1]}))
            .collect(),
        None => {
            model.features().iter().zip(&v.loaded.kinds).map(|(f, k)| json!({"name": f, "datatype": datatype(*k), "shape": [-1]})).collect()
        }
    };
    let mut outputs =
        vec![json!({"name": "prediction", "datatype": if model.classes().is_empty() { "FP64" } else { "BYTES" }, "shape": [-1]})];
    outputs.extend(model.classes().iter().map(|c| json!({"name": format!("proba_{c}"), "datatype": "FP64", "shape": [-1]})));
    let versions: Vec<String> = match variant {
        Some(i) => vec![served.variants[i].version.to_string()],
        None => served.variants.iter().map(|x| x.version.to_string()).collect(),
    };
    json!({"name": served.config.name, "versions": versions, "platform": "cairn", "inputs": inputs, "outputs": outputs})
}

fn answer_json(value: Value) -> Response {
    axum::Json(value).into_response()
}

async fn metadata(State(ep): State<Arc<Endpoint>>, Path(name): Path<String>) -> Response {
    let served = ep.current();
    match resolve(&served, &name, None) {
        Ok(v) => answer_json(describe(&served, v)),
        Err(f) => failure_response(&f, Style::Kserve),
    }
}

async fn metadata_of(State(ep): State<Arc<Endpoint>>, Path((name, version)): Path<(String, String)>) -> Response {
    let served = ep.current();
    match resolve(&served, &name, Some(&version)) {
        Ok(v) => answer_json(describe(&served, v)),
        Err(f) => failure_response(&f, Style::Kserve),
    }
}

async fn ready(State(ep): State<Arc<Endpoint>>, Path(name): Path<String>) -> Response {
    match resolve(&ep.current(), &name, None) {
        Ok(_) => answer_json(json!({"name": name, "ready": true})),
        Err(f) => failure_response(&f, Style::Kserve),
    }
}

async fn ready_of(State(ep): State<Arc<Endpoint>>, Path((name, version)): Path<(String, String)>) -> Response {
    match resolve(&ep.current(), &name, Some(&version)) {
        Ok(_) => answer_json(json!({"name": name, "ready": true})),
        Err(f) => failure_response(&f, Style::Kserve),
    }
}

async fn infer_latest(State(ep): State<Arc<Endpoint>>, Path(name): Path<String>, req: Request) -> Response {
    infer_route(ep, name, None, req).await
}

async fn infer_version(State(ep): State<Arc<Endpoint>>, Path((name, version)): Path<(String, String)>, req: Request) -> Response {
    infer_route(ep, name, Some(version), req).await
}

async fn infer_route(ep: Arc<Endpoint>, name: String, version: Option<String>, req: Request) -> Response {
    let started = Instant::now();
    let served = ep.current();
    let (parts, body) = req.into_parts();
    let picked = resolve(&served, &name, version.as_deref())
        .and_then(|v| v.map_or_else(|| served.pick(header_str(&parts.headers, "x-amzn-sagemaker-target-variant")), Ok));
    let variant = match picked {
        Ok(v) => v,
        Err(f) => return failure_response(&f, Style::Kserve),
    };
    let result = async {
        let content_type = header_str(&parts.headers, header::CONTENT_TYPE.as_str());
        if let Some(ct) = content_type {
            crate::body::format_of(Some(ct)).and_then(|f| {
                if f == crate::body::Format::Json {
                    Ok(())
                } else {
                    Err(Failure::new(415, ErrorCode::UnsupportedMediaType, format!("KServe requests are JSON, not '{ct}'")))
                }
            })?;
        }
        let bytes = read_body(body, &parts.headers, served.config.max_body_bytes).await?;
        let call = Call {
            served: served.clone(),
            variant,
            body: bytes,
            content_type: content_type.unwrap_or("application/json").to_string(),
            inference_id: header_str(&parts.headers, "x-amzn-sagemaker-inference-id").map(str::to_string),
            kind: Kind::Infer,
        };
        run(&ep, call).await
    }
    .await;
    finish(result, &served, variant, started, Style::Kserve)
}

#[derive(Deserialize)]
struct InferRequest {
    #[serde(default)]
    id: Option<String>,
    inputs: Vec<Tensor>,
    #[serde(default)]
    outputs: Option<Vec<OutputSpec>>,
}

#[derive(Deserialize)]
struct Tensor {
    name: String,
    shape: Vec<i64>,
    datatype: String,
    data: Value,
}

#[derive(Deserialize)]
struct OutputSpec {
    name: String,
}

fn flatten<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|x| flatten(x, out)),
        other => out.push(other),
    }
}

/// A tensor's elements as cells, each checked against the datatype.
fn elements<'a>(t: &'a Tensor) -> Result<Vec<Cell<'a>>, Failure> {
    let mut flat = Vec::new();
    flatten(&t.data, &mut flat);
    let want = t.shape.iter().try_fold(1i64, |acc, &d| if d >= 0 { acc.checked_mul(d) } else { None });
    if want != Some(flat.len() as i64) {
        return Err(Failure::bad(
            ErrorCode::InvalidInput,
            format!("input '{}' has shape {:?} but {} elements", t.name, t.shape, flat.len()),
            "give as many elements as the shape holds",
        ));
    }
    let check: fn(&Value) -> bool = match t.datatype.as_str() {
        "BYTES" => |v| v.is_string() || v.is_null(),
        "BOOL" => |v| v.is_boolean() || v.is_null(),
        "FP16" | "FP32" | "FP64" => |v| v.is_number() || v.is_null(),
        "INT8" | "INT16" | "INT32" | "INT64" | "UINT8" | "UINT16" | "UINT32" | "UINT64" => |v| v.is_i64() || v.is_u64() || v.is_null(),
        other => {
            return Err(Failure::bad(
                ErrorCode::InvalidInput,
                format!("input '{}' has the datatype '{other}', which this endpoint does not read", t.name),
                "use BYTES, BOOL, FP16/32/64, INT8/16/32/64 or UINT8/16/32/64",
            ));
        }
    };
    flat.iter()
        .enumerate()
        .map(|(i, v)| {
            if !check(v) {
                return Err(Failure::bad(
                    ErrorCode::TypeMismatch,
                    format!("input '{}' ({}): element {} is {v}, which is not {}", t.name, t.datatype, i + 1, t.datatype),
                    "send values of the tensor's datatype",
                ));
            }
            cell(v, i, &t.name)
        })
        .collect()
}

/// The request's tensors as a table: one `[n, k]` tensor of rows in feature order, or one tensor per column.
fn table<'a>(req: &'a InferRequest, features: &[String]) -> Result<Table<'a>, Failure> {
    let rows_tensor = match req.inputs.as_slice() {
        [t] if t.shape.len() == 2 && t.shape[1] as usize == features.len() && !(features.len() == 1 && t.name == features[0]) => Some(t),
        _ => None,
    };
    if let Some(t) = rows_tensor {
        let cells = elements(t)?;
        let k = features.len();
        let rows = cells.len() / k.max(1);
        let mut columns = vec![Vec::with_capacity(rows); k];
        for (i, c) in cells.into_iter().enumerate() {
            columns[i % k].push(c);
        }
        let names = features.iter().map(|f| Cow::Owned(f.clone())).collect();
        return Ok(Table { names, columns, rows });
    }
    let mut names = Vec::new();
    let mut columns = Vec::new();
    for t in &req.inputs {
        if !(t.shape.len() == 1 || (t.shape.len() == 2 && t.shape[1] == 1)) {
            return Err(Failure::bad(
                ErrorCode::InvalidInput,
                format!(
                    "input '{}' has shape {:?}; a column is [n] or [n, 1], rows are one [n, {}] tensor",
                    t.name,
                    t.shape,
                    features.len()
                ),
                "send one tensor per feature, named after it, or one tensor of rows in the model's feature order",
            ));
        }
        names.push(Cow::Borrowed(t.name.as_str()));
        columns.push(elements(t)?);
    }
    let rows = columns.first().map_or(0, Vec::len);
    if let Some((t, c)) = req.inputs.iter().zip(&columns).find(|(_, c)| c.len() != rows) {
        return Err(Failure::bad(
            ErrorCode::InvalidInput,
            format!("input '{}' has {} elements, the first input has {rows}", t.name, c.len()),
            "give every input tensor the same number of rows",
        ));
    }
    if rows == 0 {
        return Err(Failure::bad(ErrorCode::BadRequest, "the request holds no rows".into(), "send at least one row"));
    }
    Ok(Table { names, columns, rows })
}

/// Answers a KServe inference request; also returns its `id` (the capture's inference id).
pub(crate) fn infer(call: &Call) -> Result<(Answer, Option<String>), Failure> {
    let v = &call.served.variants[call.variant];
    let model = &v.loaded.model;
    let text = crate::body::text(&call.body)?;
    let req: InferRequest = serde_json::from_str(&crate::body::python_json(text)).map_err(|e| {
        Failure::bad(
            ErrorCode::ParseError,
            format!("the body is not an inference request: {e}"),
            "send {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}]}",
        )
    })?;
    let predicted = read::predict(&v.loaded, &table(&req, &v.loaded.inputs)?)?;
    let names = columns(model, &predicted);
    let wanted: Vec<usize> = match &req.outputs {
        None => (0..names.len()).collect(),
        Some(o) if o.is_empty() => (0..names.len()).collect(),
        Some(o) => o
            .iter()
            .map(|s| {
                names.iter().position(|n| *n == s.name).ok_or_else(|| {
                    Failure::bad(
                        ErrorCode::InvalidInput,
                        format!("no output '{}'; the outputs are {}", s.name, names.join(", ")),
                        "ask for those outputs",
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let id = req.id.clone().unwrap_or_else(uuid_v4);
    let n = predicted.rows();
    let mut out = Vec::with_capacity(128 + n * 24 * wanted.len());
    out.extend_from_slice(b"{\"model_name\":");
    push_str(&mut out, &call.served.config.name);
    out.extend_from_slice(b",\"model_version\":");
    push_str(&mut out, &v.version.to_string());
    out.extend_from_slice(b",\"id\":");
    push_str(&mut out, &id);
    out.extend_from_slice(b",\"parameters\":{\"variant\":");
    push_str(&mut out, &v.name);
    out.extend_from_slice(b"},\"outputs\":[");
    for (j, &c) in wanted.iter().enumerate() {
        if j > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"name\":");
        push_str(&mut out, &names[c]);
        let labels = c == 0 && matches!(predicted, Predicted::Classes { .. });
        out.extend_from_slice(format!(",\"shape\":[{n}],\"datatype\":\"{}\",\"data\":[", if labels { "BYTES" } else { "FP64" }).as_bytes());
        for r in 0..n {
            if r > 0 {
                out.push(b',');
            }
            match (&predicted, c) {
                (Predicted::Values(v), _) => push_f64(&mut out, v[r]),
                (Predicted::Classes { labels, .. }, 0) => push_str(&mut out, &labels[r]),
                (Predicted::Classes { proba, k, .. }, c) => push_f64(&mut out, proba[r * k + c - 1]),
            }
        }
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"]}");
    Ok((Answer { body: out, content_type: "application/json" }, req.id))
}
