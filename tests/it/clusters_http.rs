//! Cluster profiles over HTTP: add (token kept apart), list, test and remove, and the errors a user
//! meets: an address that does not answer, a server that is not a Ray Cairn speaks, a wrong token.

use std::io::{Read, Write};
use std::net::TcpListener;

use serde_json::{Value, json};

use crate::Server;
use crate::ray::cluster;

async fn delete(s: &Server, path: &str) -> (u16, Value) {
    let r = s.http.delete(format!("{}{path}", s.base)).bearer_auth(&s.token).send().await.expect("DELETE");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A one-route HTTP server answering `GET /api/version` with `body` (as a dashboard of another Ray
/// version, or something else entirely, would), on a free loopback port.
fn fake_dashboard(body: &'static str) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut c in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_keep_tokens_apart_and_name_what_is_wrong() {
    let s = Server::start().await;
    let (st, e) = s.post("/api/clusters", json!({"name": "a b", "address": "h:1"})).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("INVALID_INPUT")), "{e}");
    let (st, e) = s.post("/api/clusters", json!({"name": "x", "address": "ftp://h"})).await;
    assert_eq!(st, 422, "{e}");
    assert!(e["message"].as_str().unwrap().contains("ftp"), "{e}");

    // Nothing listens on port 9 of loopback.
    let (st, p) = s.post("/api/clusters", json!({"name": "down", "address": "ray://127.0.0.1:9", "token": "t0ken-xyz"})).await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["address"], "http://127.0.0.1:9");
    assert_eq!(p["token_storage"], "encrypted_file", "tests run with CAIRN_KEYRING=off");
    let toml = std::fs::read_to_string(s.path("config/clusters.toml")).unwrap();
    assert!(toml.contains("down") && !toml.contains("t0ken-xyz"), "{toml}");
    let (st, e) = s.post("/api/clusters/down/test", json!({})).await;
    assert_eq!((st, e["code"].as_str()), (503, Some("CLUSTER_UNREACHABLE")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("127.0.0.1:9"), "{e}");

    // Another Jobs API version: refused with both versions named, before anything is submitted.
    let newer = fake_dashboard(r#"{"version": "5", "ray_version": "3.1.0", "ray_commit": "x"}"#);
    let (st, e) = s.post("/api/clusters/test", json!({"address": newer})).await;
    assert_eq!((st, e["code"].as_str()), (502, Some("CLUSTER_VERSION")), "{e}");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("version 5") && m.contains("3.1.0") && m.contains("4"), "{m}");
    let not_ray = fake_dashboard(r#"{"status": "ok"}"#);
    let (st, e) = s.post("/api/clusters/test", json!({"address": not_ray})).await;
    assert_eq!((st, e["code"].as_str()), (502, Some("CLUSTER_VERSION")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("not a Ray dashboard"), "{e}");

    // A training on a cluster that is down is refused before a run exists.
    let pid = s.project("p").await;
    let (st, e) = s.post(&format!("/api/projects/{pid}/train?on=down"), json!({"dataset": "none", "target": "y", "model": "gbm"})).await;
    assert_eq!((st, e["code"].as_str()), (503, Some("CLUSTER_UNREACHABLE")), "{e}");
    let (_, runs) = s.post(&format!("/api/projects/{pid}/runs/search"), json!({})).await;
    assert_eq!(runs["runs"].as_array().map(Vec::len).unwrap_or(0), 0, "{runs}");

    let (_, list) = s.get("/api/clusters").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (st, _) = delete(&s, "/api/clusters/down").await;
    assert_eq!(st, 200);
    let (st, e) = delete(&s, "/api/clusters/down").await;
    assert_eq!((st, e["code"].as_str()), (404, Some("CLUSTER_NOT_FOUND")), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ray_test_connection_checks_version_and_token() {
    let Some((addr, token)) = cluster() else { return };
    let s = Server::start().await;
    let (st, p) = s.post("/api/clusters", json!({"name": "lab", "address": addr, "token": token})).await;
    assert_eq!(st, 200, "{p}");
    let (st, c) = s.post("/api/clusters/lab/test", json!({})).await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(c["ray_version"], "2.60.0");
    assert_eq!(c["jobs_api_version"], "4");
    s.post("/api/clusters", json!({"name": "wrong", "address": addr, "token": "not-the-token"})).await;
    let (st, e) = s.post("/api/clusters/wrong/test", json!({})).await;
    assert_eq!((st, e["code"].as_str()), (502, Some("CLUSTER_AUTH")), "never 401, which is the session's: {e}");
    let (st, e) = s.post("/api/clusters/test", json!({"address": addr})).await;
    assert_eq!((st, e["code"].as_str()), (502, Some("CLUSTER_AUTH")), "no token: {e}");
    assert!(e["message"].as_str().unwrap().contains("requires a token"), "{e}");
}
