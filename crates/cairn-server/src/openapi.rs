//! The OpenAPI description: the handlers' annotations (parameters, bodies, success answers) for every
//! route of the operations table, and each route's error answers from the table's error codes.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use cairn_types::{ApiError, ErrorCode};
use utoipa::OpenApi;
use utoipa::openapi::path::Operation as Op;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

use crate::operations::{OPERATIONS, Operation, Paths};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Cairn API",
        description = "The API the Cairn UI uses, in the desktop app and in the browser. \
        Every request needs the session token, as `Authorization: Bearer <token>` (or `?token=` where a browser \
        cannot set headers: event streams, downloads). Errors are `{code, message, hint}`: `code` is stable \
        (see `ErrorCode`), `message` names what is wrong, `hint` says what to do. The MLflow REST API served \
        beside it (`/api/2.0/mlflow/…`, `/ajax-api/…`) is MLflow's and is not described here."
    ),
    components(schemas(ErrorCode, ApiError))
)]
struct ApiDoc;

/// A file's bytes, sent or answered as `application/octet-stream`.
pub struct FileBytes;

impl utoipa::PartialSchema for FileBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))).into()
    }
}

impl utoipa::ToSchema for FileBytes {}

/// The errors every route can answer, whatever it does: the session token is missing or wrong, or the
/// request is not addressed to the loopback address served (see `guard.rs`).
const EVERY_ROUTE: &[ErrorCode] = &[ErrorCode::Unauthorized, ErrorCode::HostRefused];

/// The OpenAPI document, as served.
pub fn document_value() -> serde_json::Value {
    let mut doc = ApiDoc::openapi().merge_from(Paths::openapi());
    let scheme = SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer));
    doc.components.get_or_insert_with(Default::default).security_schemes.insert("token".into(), scheme);
    doc.security = Some(vec![SecurityRequirement::new("token", Vec::<String>::new())]);
    for op in OPERATIONS {
        let path = described_path(op.path);
        let Some(operation) = doc.paths.paths.get_mut(&path).and_then(|item| method(item, op.method)) else {
            // The test of the description reports it; the server still serves the route.
            continue;
        };
        add_errors(operation, op);
    }
    let mut json = serde_json::to_value(&doc).unwrap_or_default();
    describe_events(&mut json);
    tag_by_resource(&mut json);
    json
}

/// Tags group the operations by what their path names (`/api/projects/{pid}/runs/…` is `runs`), the
/// way client generators split them into classes; the handlers' modules would say nothing to a client.
fn tag_by_resource(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for (path, item) in paths.iter_mut() {
        let rest = path.strip_prefix("/api/projects/{pid}/").or_else(|| path.strip_prefix("/api/")).unwrap_or(path);
        let resource = match rest.split('/').next().unwrap_or_default() {
            "train" | "automl" | "experiments" | "models" => "runs",
            "flow-preview" | "flow-chart" | "flow-ops" => "flows",
            "imports" | "uploads" => "datasets",
            "commands" | "trust" => "jobs",
            "changes" => "projects",
            "info" | "ready" | "openapi.json" | "shell" => "server",
            other => other,
        };
        for op in item.as_object_mut().into_iter().flat_map(|i| i.values_mut()) {
            op["tags"] = serde_json::json!([resource]);
        }
    }
}

/// The OpenAPI document as JSON (made once).
pub fn openapi_json() -> String {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| serde_json::to_string_pretty(&document_value()).unwrap_or_default()).clone()
}

/// An event stream's schema describes one event, as Open API 3.1 readers take it (3.2's `itemSchema`):
/// the handlers name what each event's `data` holds, and every stream of this server sends that as JSON,
/// with the event's sequence number as `id` where a reader can resume.
fn describe_events(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for operation in paths.values_mut().filter_map(|i| i.as_object_mut()).flat_map(|i| i.values_mut()) {
        let Some(responses) = operation.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
        for response in responses.values_mut() {
            let Some(stream) = response.pointer_mut("/content/text~1event-stream") else { continue };
            let data = stream.get("schema").cloned().unwrap_or(serde_json::json!({}));
            stream["schema"] = serde_json::json!({
                "type": "object",
                "required": ["data"],
                "properties": {
                    "data": { "type": "string", "contentMediaType": "application/json", "contentSchema": data },
                    "id": { "type": "string" },
                    "event": { "type": "string" },
                },
            });
        }
    }
}

/// This description.
#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, description = "this OpenAPI document", body = Object)))]
pub async fn document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

/// A router path as OpenAPI writes it: `{*rest}` is `{rest}`.
pub fn described_path(path: &str) -> String {
    path.replace("{*", "{")
}

fn method<'a>(item: &'a mut utoipa::openapi::PathItem, method: &str) -> Option<&'a mut Op> {
    match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "put" => item.put.as_mut(),
        "patch" => item.patch.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    }
}

/// Adds the route's error answers, one per status, each listing the codes it carries.
fn add_errors(operation: &mut Op, op: &Operation) {
    let mut codes: Vec<ErrorCode> = EVERY_ROUTE.to_vec();
    // axum refuses a path, query or body that does not deserialize before the handler runs (extract.rs).
    if operation.parameters.as_ref().is_some_and(|p| !p.is_empty()) || operation.request_body.is_some() {
        codes.push(ErrorCode::BadRequest);
    }
    codes.extend(op.errors.iter().flat_map(|group| group.iter().copied()));
    let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
    for code in codes {
        let same = by_status.entry(code.http_status()).or_default();
        if !same.contains(&code) {
            same.push(code);
        }
    }
    for (status, codes) in by_status {
        let names: Vec<String> = codes.iter().map(|c| format!("`{}`", c.as_str())).collect();
        let response = ResponseBuilder::new()
            .description(format!("An error: {}.", names.join(", ")))
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiError"))).build())
            .build();
        operation.responses.responses.entry(status.to_string()).or_insert(response.into());
    }
    let mut sorted: Vec<_> = std::mem::take(&mut operation.responses.responses).into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    operation.responses.responses = sorted.into_iter().collect();
}
