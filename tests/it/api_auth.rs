//! The session token and the DNS-rebinding guard.

use crate::Server;

#[tokio::test(flavor = "multi_thread")]
async fn every_api_request_without_the_token_is_401_even_for_unknown_paths() {
    let s = Server::start().await;
    for path in ["/api/info", "/api/nope", "/api/projects/abc/datasets", "/api", "/api/openapi.json"] {
        let r = s.http.get(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "UNAUTHORIZED", "{path}");
        assert!(body["message"].as_str().unwrap().contains("token"));
    }
    let r = s.http.post(format!("{}/api/projects", s.base)).json(&serde_json::json!({"path": "/tmp/x"})).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = s.http.get(format!("{}/api/info", s.base)).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_is_accepted_as_bearer_or_query() {
    let s = Server::start().await;
    let (status, info) = s.get("/api/info").await;
    assert_eq!(status, 200);
    assert_eq!(info["desktop"], false);
    let r = s.http.get(format!("{}/api/info?token={}", s.base, s.token)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (status, body) = s.get("/api/does/not/exist").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("ROUTE_NOT_FOUND")));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_host_header_is_refused() {
    let s = Server::start().await;
    for path in ["/api/info", "/", "/index.html"] {
        let r = s
            .http
            .get(format!("{}{path}", s.base))
            .bearer_auth(&s.token)
            .header("Host", format!("evil.example:{}", s.port))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "HOST_REFUSED");
    }
    let r = s.http.get(format!("http://localhost:{}/api/info", s.port)).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ui_is_served_without_a_token_and_openapi_with_one() {
    let s = Server::start().await;
    let r = s.http.get(format!("{}/", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Cairn"));
    let (status, doc) = s.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["paths"]["/api/projects/{pid}/datasets/{did}/rows"]["get"].is_object());
    assert!(doc["components"]["schemas"]["ApiError"].is_object());
}

#[test]
fn the_server_only_binds_loopback() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let bound = rt.block_on(cairn_server::bind(0)).unwrap();
    assert!(bound.addr.ip().is_loopback());
}
