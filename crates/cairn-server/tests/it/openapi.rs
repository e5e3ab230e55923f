//! The OpenAPI description against the router: every route of the operations table is described with
//! its method and served with no other; every `{param}` of a path is declared; every `$ref` resolves;
//! every error answer is the `{code, message, hint}` body.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use cairn_server::{OPERATIONS, described_path, document_value};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if METHODS.contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op));
            }
        }
    }
    out
}

#[test]
fn every_route_is_described_and_nothing_else() {
    let doc = document_value();
    let described: BTreeSet<(String, String)> = operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
    let routed: BTreeSet<(String, String)> = OPERATIONS.iter().map(|o| (o.method.to_string(), described_path(o.path))).collect();
    let undescribed: Vec<_> = routed.difference(&described).collect();
    let unrouted: Vec<_> = described.difference(&routed).collect();
    assert!(undescribed.is_empty(), "routes the router serves but the description leaves out: {undescribed:?}");
    assert!(unrouted.is_empty(), "operations described at a path or method no route has: {unrouted:?}");
    assert_eq!(routed.len(), OPERATIONS.len(), "a route is in the table twice");
    assert!(doc["paths"].as_object().expect("paths").keys().all(|p| p.starts_with("/api/") && !p.contains("mlflow")));
}

#[test]
fn every_path_parameter_is_declared() {
    let doc = document_value();
    for (method, path, op) in operations(&doc) {
        let in_path: BTreeSet<String> =
            path.split('{').skip(1).filter_map(|s| s.split_once('}')).map(|(name, _)| name.to_string()).collect();
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let declared: BTreeSet<String> =
            params.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap_or_default().to_string()).collect();
        assert_eq!(in_path, declared, "{method} {path}: the path's parameters and those declared in the path differ");
        for p in params.iter().filter(|p| p["in"] == "path") {
            assert_eq!(p["required"], true, "{method} {path}: path parameter {} must be required", p["name"]);
        }
        let mut seen = HashSet::new();
        for p in &params {
            assert!(seen.insert((p["in"].to_string(), p["name"].to_string())), "{method} {path}: {} declared twice", p["name"]);
        }
    }
}

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r);
            }
            m.values().for_each(|v| refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_ref_resolves() {
    let doc = document_value();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 100, "the description has few references ({}): is it empty?", found.len());
    for r in found {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r} points outside the document"));
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
}

#[test]
fn every_error_answer_is_the_api_error() {
    let doc = document_value();
    let mut ids = HashSet::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default();
        assert!(!id.is_empty() && ids.insert(id.to_string()), "{method} {path}: operationId {id:?} is missing or not unique");
        let responses = op["responses"].as_object().expect("responses");
        assert!(responses.contains_key("401"), "{method} {path}: the missing token's 401 is not described");
        assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path}: no success answer");
        for (status, response) in responses.iter().filter(|(s, _)| !s.starts_with('2')) {
            let schema = &response["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/ApiError", "{method} {path}: answer {status} is not the ApiError body");
        }
    }
}

/// One request on a fresh connection; the status and the body.
async fn request(port: u16, token: &str, method: &str, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let head = format!(
        "{} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        method.to_uppercase()
    );
    s.write_all(head.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.expect("read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, answer)
}

/// The table is what the router serves: each route answers with its method (a 404 only from the
/// handler: unknown ids), and every other method on the same path is 405.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_serves_exactly_the_described_methods() {
    let config = std::env::temp_dir().join(format!("cairn-server-openapi-{}", std::process::id()));
    let studio = Arc::new(cairn_api::Studio::new(&config, cairn_api::system_clock()));
    let bound = cairn_server::bind(0).await.expect("bind");
    let port = bound.addr.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bound.serve(studio, "t0ken", async move {
        let _ = stopped.await;
    }));

    let doc = document_value();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        // Ids no project, dataset or task has: the handlers answer 404 with their own codes.
        let concrete = path.split('/').map(|seg| if seg.starts_with('{') { "nothing" } else { seg }).collect::<Vec<_>>().join("/");
        for method in METHODS {
            let (status, answer) = request(port, "t0ken", method, &concrete).await;
            if item.get(method).is_some() {
                assert!(
                    status != 405 && !answer.contains("\"code\":\"ROUTE_NOT_FOUND\""),
                    "{method} {path} is described but not served: {answer}"
                );
                assert!(status != 0 && status < 500 || status == 501, "{method} {concrete}: {answer}");
            } else {
                assert_eq!(status, 405, "{method} {path} is served but not described: {answer}");
            }
        }
    }
    let (status, answer) = request(port, "t0ken", "get", "/api/no/such/route").await;
    assert!(status == 404 && answer.contains("\"code\":\"ROUTE_NOT_FOUND\""), "{answer}");
    let (status, _) = request(port, "wrong", "get", "/api/info").await;
    assert_eq!(status, 401);

    let _ = stop.send(());
    let _ = server.await;
    let _ = std::fs::remove_dir_all(&config);
}
