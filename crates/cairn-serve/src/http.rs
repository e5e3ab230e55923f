//! The HTTP side: the key check, SageMaker's and MLflow's routes (`/ping`, `/health`, `/version`,
//! `/invocations`), metrics, stats and reload. KServe's `/v2` routes are in `kserve`.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cairn_types::{ApiError, ErrorCode};

use crate::body::{self, Format};
use crate::capture::{Event, Half};
use crate::endpoint::{Endpoint, Served, now_ms, random_f64, uuid_v4};
use crate::{answer, kserve, metrics, read};

/// Bodies up to this size are answered on the connection's own thread; larger ones on the blocking
/// pool, so a large batch never holds up the small requests behind it.
const INLINE_BYTES: usize = 64 << 10;
/// Routes that answer without the key (load balancers and orchestrators probe them).
const HEALTH: [&str; 4] = ["/ping", "/health", "/v2/health/live", "/v2/health/ready"];

/// A request that cannot be answered: the status and Cairn's error.
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: u16,
    pub error: ApiError,
}

impl Failure {
    pub fn new(status: u16, code: ErrorCode, message: String) -> Failure {
        Failure { status, error: ApiError::new(code, message) }
    }

    /// A 400: something in the request is wrong.
    pub fn bad(code: ErrorCode, message: String, hint: impl Into<String>) -> Failure {
        Failure::new(400, code, message).hint(hint)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.error.hint = Some(hint.into());
        self
    }

    pub fn from_api(status: u16, error: ApiError) -> Failure {
        Failure { status, error }
    }
}

/// How a failure is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Cairn's `{code, message, hint}` with MLflow's `error_code` beside it.
    Cairn,
    /// KServe's `{"error": "…"}`.
    Kserve,
}

/// MLflow's name for a status, as its scoring server puts in `error_code`.
fn mlflow_code(status: u16) -> &'static str {
    match status {
        400 | 413 | 415 => "BAD_REQUEST",
        401 => "UNAUTHENTICATED",
        404 => "RESOURCE_DOES_NOT_EXIST",
        503 => "TEMPORARILY_UNAVAILABLE",
        _ => "INTERNAL_ERROR",
    }
}

pub(crate) fn failure_response(f: &Failure, style: Style) -> Response {
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match style {
        Style::Cairn => {
            let mut v = serde_json::to_value(&f.error).unwrap_or_default();
            if let Some(map) = v.as_object_mut() {
                map.insert("error_code".into(), mlflow_code(f.status).into());
            }
            v
        }
        Style::Kserve => {
            let text = match &f.error.hint {
                Some(h) => format!("{} ({h})", f.error.message),
                None => f.error.message.clone(),
            };
            serde_json::json!({ "error": text })
        }
    };
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

pub(crate) fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Compares without stopping at the first difference, so timing does not tell how much of a key is right.
fn same_key(given: &str, key: &str) -> bool {
    let (a, b) = (given.as_bytes(), key.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn auth(State(ep): State<Arc<Endpoint>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if HEALTH.contains(&path) {
        return next.run(req).await;
    }
    let served = ep.current();
    let given = header_str(req.headers(), header::AUTHORIZATION.as_str())
        .map(|v| v.trim())
        .map(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")).unwrap_or(v).trim());
    if given.is_some_and(|k| same_key(k, &served.config.key)) {
        return next.run(req).await;
    }
    ep.metrics.unauthorized.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let message = match given {
        None => "this endpoint needs its key: send the header Authorization: Bearer <key>",
        Some(_) => "the endpoint key given is wrong",
    };
    let f = Failure::new(401, ErrorCode::Unauthorized, message.into())
        .hint("the key is on the endpoint's page in the studio and in `cairn endpoint list`");
    let style = if path.starts_with("/v2") { Style::Kserve } else { Style::Cairn };
    let mut r = failure_response(&f, style);
    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

pub(crate) fn router(ep: Arc<Endpoint>) -> Router {
    Router::new()
        .route("/ping", get(ping))
        .route("/health", get(ping))
        .route("/version", get(version))
        .route("/invocations", post(invocations))
        .route("/endpoints/{name}/invocations", post(sagemaker_runtime))
        .route("/metrics", get(metrics_text))
        .route("/_cairn/stats", get(stats))
        .route("/_cairn/reload", post(reload))
        .merge(kserve::routes())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(ep.clone(), auth))
        .with_state(ep)
}

/// As MLflow's scoring server answers its health checks.
async fn ping() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], "\n").into_response()
}

async fn version() -> Response {
    ([(header::CONTENT_TYPE, "text/plain")], env!("CARGO_PKG_VERSION")).into_response()
}

async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_string();
    let f = Failure::new(404, ErrorCode::RouteNotFound, format!("no route {} {path} on this endpoint", req.method()))
        .hint("POST /invocations (SageMaker, MLflow) or /v2/models/<name>/infer (KServe)");
    failure_response(&f, if path.starts_with("/v2") { Style::Kserve } else { Style::Cairn })
}

async fn metrics_text(State(ep): State<Arc<Endpoint>>) -> Response {
    let text = metrics::prometheus(&ep, &ep.current());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

async fn stats(State(ep): State<Arc<Endpoint>>) -> Response {
    axum::Json(metrics::stats(&ep, &ep.current(), now_ms())).into_response()
}

async fn reload(State(ep): State<Arc<Endpoint>>) -> Response {
    let t0 = Instant::now();
    match ep.reload().await {
        Ok(served) => {
            let variants: Vec<serde_json::Value> = served
                .variants
                .iter()
                .map(|v| serde_json::json!({"name": v.name, "model": v.model_name, "version": v.version, "weight": v.weight}))
                .collect();
            tracing::info!("reloaded {} in {:.0} ms: {}", ep.config_path.display(), t0.elapsed().as_secs_f64() * 1e3, variants.len());
            axum::Json(serde_json::json!({ "variants": variants })).into_response()
        }
        Err(e) => {
            tracing::warn!("reload failed, still serving the models before it: {e}");
            failure_response(&Failure::from_api(e.code.http_status(), e), Style::Cairn)
        }
    }
}

/// What a prediction request asks; owned, so it can move to the blocking pool.
pub(crate) struct Call {
    pub served: Arc<Served>,
    pub variant: usize,
    pub body: Bytes,
    pub content_type: String,
    pub inference_id: Option<String>,
    pub kind: Kind,
}

pub(crate) enum Kind {
    Invocations {
        format: Format,
        csv_out: bool,
    },
    /// KServe: the model name and version the path named (the version picked the variant).
    Infer,
}

/// The body of an answer and its content type.
pub(crate) struct Answer {
    pub body: Vec<u8>,
    pub content_type: &'static str,
}

/// Reads the body, refusing more than `max` bytes (at once when Content-Length says so).
pub(crate) async fn read_body(body: Body, headers: &HeaderMap, max: u64) -> Result<Bytes, Failure> {
    let too_large = || {
        Failure::new(413, ErrorCode::PayloadTooLarge, format!("the request body is over this endpoint's limit of {max} bytes"))
            .hint("send fewer rows per request (the limit is max_body_bytes in the endpoint's config)")
    };
    if header_str(headers, header::CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok()).is_some_and(|n| n > max) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, usize::try_from(max).unwrap_or(usize::MAX)).await.map_err(|e| {
        if e.to_string().contains("length limit") {
            too_large()
        } else {
            Failure::bad(ErrorCode::BadRequest, format!("the request body could not be read: {e}"), "send the body again")
        }
    })
}

/// Answers a call where it is cheapest, never letting a panic out: a failing model answers 500.
pub(crate) async fn run(ep: &Arc<Endpoint>, call: Call) -> Result<Answer, Failure> {
    let guarded = |ep: &Endpoint, call: &Call| {
        std::panic::catch_unwind(AssertUnwindSafe(|| answer_call(ep, call))).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into());
            Err(Failure::new(500, ErrorCode::Internal, format!("the model failed while predicting: {what}"))
                .hint("this is a bug in Cairn: please report it with the request"))
        })
    };
    if call.body.len() <= INLINE_BYTES {
        return guarded(ep, &call);
    }
    let ep = ep.clone();
    tokio::task::spawn_blocking(move || guarded(&ep, &call))
        .await
        .unwrap_or_else(|e| Err(Failure::new(500, ErrorCode::Internal, format!("the prediction did not finish: {e}"))))
}

fn answer_call(ep: &Endpoint, call: &Call) -> Result<Answer, Failure> {
    let v = &call.served.variants[call.variant];
    let model = &v.loaded.model;
    let (answer, inference_id) = match call.kind {
        Kind::Invocations { format, csv_out } => {
            let text = body::text(&call.body)?;
            let features = &v.loaded.inputs;
            let predicted = match format {
                Format::Csv => read::predict(&v.loaded, &body::csv(text, features)?)?,
                Format::Json => {
                    let value: serde_json::Value = serde_json::from_str(&body::python_json(text)).map_err(|e| {
                        Failure::bad(ErrorCode::ParseError, format!("the body is not valid JSON: {e}"), "send a JSON object")
                    })?;
                    read::predict(&v.loaded, &body::json(&value, features)?)?
                }
            };
            let answer = if csv_out {
                Answer { body: answer::csv(model, &predicted), content_type: "text/csv" }
            } else {
                Answer { body: answer::json(model, &predicted), content_type: "application/json" }
            };
            (answer, call.inference_id.clone())
        }
        Kind::Infer => {
            let (answer, id) = kserve::infer(call)?;
            (answer, call.inference_id.clone().or(id))
        }
    };
    capture(ep, call, &answer, inference_id.as_deref());
    Ok(answer)
}

/// Writes the request and its answer to the capture file when this request is sampled; the line is
/// in the file before the answer leaves.
fn capture(ep: &Endpoint, call: &Call, answer: &Answer, inference_id: Option<&str>) {
    let served = &call.served;
    let Some(c) = &served.config.capture else { return };
    if !(c.input || c.output) || random_f64() * 100.0 >= c.percent {
        return;
    }
    let v = &served.variants[call.variant];
    let event = Event {
        input: c.input.then(|| Half { content_type: &call.content_type, data: &call.body }),
        output: c.output.then(|| Half { content_type: answer.content_type, data: &answer.body }),
        inference_id,
        time_ms: now_ms(),
        event_id: uuid_v4(),
    };
    let written = ep.capture.write(std::path::Path::new(&c.dir), &served.config.name, &v.name, &event);
    if let Err(e) = &written {
        tracing::warn!("cannot write the capture of a request to {}: {e}", c.dir);
    }
    v.metrics.captured(written.is_ok());
}

/// The answer with the variant named in its headers, counted in the variant's metrics.
pub(crate) fn finish(result: Result<Answer, Failure>, served: &Served, variant: usize, started: Instant, style: Style) -> Response {
    let v = &served.variants[variant];
    let mut response = match result {
        Ok(a) => ([(header::CONTENT_TYPE, a.content_type)], a.body).into_response(),
        Err(f) => {
            if f.status >= 500 {
                tracing::error!("{} {}: {}", v.name, f.status, f.error.message);
            } else {
                tracing::debug!("{} {}: {}", v.name, f.status, f.error.message);
            }
            failure_response(&f, style)
        }
    };
    if let Ok(name) = HeaderValue::from_str(&v.name) {
        response.headers_mut().insert("x-cairn-variant", name.clone());
        response.headers_mut().insert("x-amzn-invoked-production-variant", name);
    }
    v.metrics.record(response.status().as_u16(), started.elapsed(), now_ms());
    response
}

/// `Accept` asks for CSV before JSON.
fn wants_csv(headers: &HeaderMap) -> bool {
    let accept = header_str(headers, header::ACCEPT.as_str()).unwrap_or("");
    accept
        .split(',')
        .map(|p| p.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .find(|m| m == "text/csv" || m == "application/json")
        .is_some_and(|m| m == "text/csv")
}

/// SageMaker's runtime API path (`InvokeEndpoint`), so its SDKs (boto3's `sagemaker-runtime` with an
/// `endpoint_url`) can call the endpoint; the same as `/invocations`.
async fn sagemaker_runtime(
    State(ep): State<Arc<Endpoint>>,
    axum::extract::Path(name): axum::extract::Path<String>,
    req: Request,
) -> Response {
    let served = ep.current().config.name.clone();
    if name != served {
        let f = Failure::new(404, ErrorCode::EndpointNotFound, format!("this is the endpoint `{served}`, not `{name}`"))
            .hint(format!("call /endpoints/{served}/invocations, or /invocations"));
        return failure_response(&f, Style::Cairn);
    }
    invocations(State(ep), req).await
}

async fn invocations(State(ep): State<Arc<Endpoint>>, req: Request) -> Response {
    let started = Instant::now();
    let served = ep.current();
    let (parts, body) = req.into_parts();
    let variant = match served.pick(header_str(&parts.headers, "x-amzn-sagemaker-target-variant")) {
        Ok(v) => v,
        Err(f) => return failure_response(&f, Style::Cairn),
    };
    let result = async {
        let content_type = header_str(&parts.headers, header::CONTENT_TYPE.as_str());
        let format = body::format_of(content_type)?;
        let bytes = read_body(body, &parts.headers, served.config.max_body_bytes).await?;
        let call = Call {
            served: served.clone(),
            variant,
            body: bytes,
            content_type: content_type.unwrap_or_default().to_string(),
            inference_id: header_str(&parts.headers, "x-amzn-sagemaker-inference-id").map(str::to_string),
            kind: Kind::Invocations { format, csv_out: wants_csv(&parts.headers) },
        };
        run(&ep, call).await
    }
    .await;
    finish(result, &served, variant, started, Style::Cairn)
}
