//! Imports through the API: progress events, previews, cancel, errors, and nothing half-registered.

use serde_json::json;

use crate::{Server, shared};

#[tokio::test(flavor = "multi_thread")]
async fn import_adult_then_page_sort_and_profile() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    let (st, preview) = s.post(&format!("/api/projects/{pid}/imports/preview"), json!({"path": shared("adult.csv")})).await;
    assert_eq!(st, 200, "{preview}");
    assert_eq!(preview["suggested_name"], "adult");
    assert_eq!(preview["columns"][0]["dtype"], "int");

    let last = s.import(&pid, &shared("adult.csv"), json!({})).await;
    assert_eq!(last["type"], "succeeded", "{last}");
    let ds = &last["result"];
    assert_eq!(ds["rows"], 32561);
    assert_eq!(ds["name"], "adult");
    assert_eq!(ds["digest"].as_str().unwrap().len(), 64);
    let did = ds["id"].as_str().unwrap();

    let (st, page) = s.get(&format!("/api/projects/{pid}/datasets/{did}/rows?offset=32500&limit=100")).await;
    assert_eq!(st, 200);
    assert_eq!(page["rows"].as_array().unwrap().len(), 61);
    assert_eq!(page["total_rows"], 32561);
    let (_, page) = s.get(&format!("/api/projects/{pid}/datasets/{did}/rows?limit=3&sort=age&order=desc")).await;
    assert_eq!(page["rows"][0][0], 90);
    let (_, page) = s.get(&format!("/api/projects/{pid}/datasets/{did}/rows?limit=3&sort=age&order=asc")).await;
    assert_eq!(page["rows"][0][0], 17);
    let (st, e) = s.get(&format!("/api/projects/{pid}/datasets/{did}/rows?sort=nope")).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("COLUMN_NOT_FOUND")));

    // The import profiles the data while storing it, so the profile is ready at once.
    let (st, profile) = s.get(&format!("/api/projects/{pid}/datasets/{did}/profile")).await;
    assert_eq!(st, 200);
    assert_eq!(profile["rows"], 32561);
    // Without its cache, the profile is computed again as a task.
    for f in s.path("p/.cairn/artifacts/profiles").read_dir().unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    let (st, e) = s.get(&format!("/api/projects/{pid}/datasets/{did}/profile")).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("NOT_COMPUTED")));
    let (_, t) = s.post(&format!("/api/projects/{pid}/datasets/{did}/profile"), json!(null)).await;
    let events = s.events(t["task_id"].as_str().unwrap()).await;
    assert!(events.iter().any(|e| e["type"] == "progress" && e["progress"]["phase"] == "profiling"));
    assert_eq!(events.last().unwrap()["type"], "succeeded");
    let (st, profile) = s.get(&format!("/api/projects/{pid}/datasets/{did}/profile")).await;
    assert_eq!(st, 200);
    let age = profile["columns"].as_array().unwrap().iter().find(|c| c["name"] == "age").unwrap();
    assert_eq!(age["numeric"]["min"], 17.0);
    assert_eq!(age["distinct"], 73);
    assert!(s.path("p/.cairn/artifacts/profiles").read_dir().unwrap().count() == 1, "profile cached on disk");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_import_leaves_nothing_registered() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    let bad = s.path("ragged.csv");
    std::fs::write(&bad, "a,b\n1,2\n3\n").unwrap();
    let last = s.import(&pid, &bad, json!({})).await;
    assert_eq!(last["type"], "failed");
    assert_eq!(last["error"]["code"], "RAGGED_ROWS");
    assert!(last["error"]["message"].as_str().unwrap().contains("line 3"));
    let (_, list) = s.get(&format!("/api/projects/{pid}/datasets")).await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    let stored = s.path("p/.cairn/artifacts/datasets");
    assert!(!stored.exists() || stored.read_dir().unwrap().count() == 0);

    let empty = s.path("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let (st, e) = s.post(&format!("/api/projects/{pid}/imports/preview"), json!({"path": empty})).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("EMPTY_FILE")));
    let (st, e) = s.post(&format!("/api/projects/{pid}/imports/preview"), json!({"path": "/no/such/file.csv"})).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("FILE_NOT_FOUND")));
    assert!(e["hint"].is_string());
    let (st, e) = s.post(&format!("/api/projects/{pid}/imports/preview"), json!({"path": "  "})).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("INVALID_INPUT")), "{e}");
    let (st, e) = s.post(&format!("/api/projects/{pid}/imports"), json!({"path": s.path("p")})).await;
    assert_eq!((st, e["code"].as_str(), e["message"].as_str().map(|m| m.contains("is a folder"))), (200, None, None), "{e}");
    let last = s.events(e["task_id"].as_str().unwrap()).await.pop().unwrap();
    assert_eq!(last["error"]["code"], "INVALID_INPUT", "{last}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dataset_name_clash_is_refused_before_reading() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    let f = s.path("t.csv");
    std::fs::write(&f, "a\n1\n").unwrap();
    assert_eq!(s.import(&pid, &f, json!({})).await["type"], "succeeded");
    let (st, e) = s.post(&format!("/api/projects/{pid}/imports"), json!({"path": f})).await;
    assert_eq!((st, e["code"].as_str()), (409, Some("DATASET_EXISTS")));
    let (st, p) = s.post(&format!("/api/projects/{pid}/imports/preview"), json!({"path": f})).await;
    assert_eq!(st, 200);
    assert_eq!(p["suggested_name"], "t-2");
    assert_eq!(s.import(&pid, &f, json!({"name": "t-2"})).await["type"], "succeeded");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_import_shows_a_preview_and_can_be_cancelled() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    let big = s.path("big.csv");
    crate::write_big_csv(&big, "id,x,label", 1_500_000, |i| format!("{i},{}.5,row-{}", i % 977, i % 13));
    let (_, t) = s.post(&format!("/api/projects/{pid}/imports"), json!({"path": big})).await;
    let task = t["task_id"].as_str().unwrap().to_string();
    // Follow the stream until the preview arrives, then cancel.
    let mut r = s.http.get(format!("{}/api/tasks/{task}/events", s.base)).bearer_auth(&s.token).send().await.unwrap();
    let mut seen_preview = false;
    let mut text = String::new();
    while let Some(chunk) = r.chunk().await.unwrap() {
        text.push_str(&String::from_utf8_lossy(&chunk));
        if !seen_preview && text.contains("\"type\":\"preview\"") {
            seen_preview = true;
            let (st, _) = s.post(&format!("/api/tasks/{task}/cancel"), json!(null)).await;
            assert_eq!(st, 200);
        }
    }
    assert!(seen_preview, "no preview event in: {}", &text[..text.len().min(400)]);
    let last = text.lines().filter_map(|l| l.strip_prefix("data: ")).last().unwrap();
    assert!(last.contains("\"type\":\"cancelled\""), "{last}");
    let (_, info) = s.get(&format!("/api/tasks/{task}")).await;
    assert_eq!(info["state"], "cancelled");
    let (_, list) = s.get(&format!("/api/projects/{pid}/datasets")).await;
    assert_eq!(list.as_array().unwrap().len(), 0, "a cancelled import registers nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_upload_lands_in_the_project_data_folder() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    let r = s
        .http
        .post(format!("{}/api/projects/{pid}/uploads?name=sales.csv", s.base))
        .bearer_auth(&s.token)
        .body("region,amount\nnorth,10.5\nsouth,7\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let up: serde_json::Value = r.json().await.unwrap();
    assert!(up["path"].as_str().unwrap().ends_with("p/data/sales.csv"), "{up}");
    let last = s.import(&pid, std::path::Path::new(up["path"].as_str().unwrap()), json!({})).await;
    assert_eq!(last["result"]["rows"], 2);
    assert_eq!(last["result"]["columns"][1]["dtype"], "float");
    // A name that tries to climb out of the folder is reduced to its last part, inside data/.
    let (st, up) = s.post(&format!("/api/projects/{pid}/uploads?name=..%2F..%2Fx.csv"), json!(null)).await;
    assert_eq!(st, 200, "{up}");
    assert_eq!(std::path::Path::new(up["path"].as_str().unwrap()), s.path("p/data/x.csv").canonicalize().unwrap());
    let (st, e) = s.post(&format!("/api/projects/{pid}/uploads?name=..%2F..%2F"), json!(null)).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("INVALID_INPUT")), "{e}");
}
