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

/// Uploads a file's bytes as the browser does; answers the path where the upload waits to be imported.
async fn upload(s: &Server, pid: &str, name: &str, body: impl Into<reqwest::Body>) -> (u16, serde_json::Value) {
    let r =
        s.http.post(format!("{}/api/projects/{pid}/uploads?name={name}", s.base)).bearer_auth(&s.token).body(body).send().await.unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(serde_json::Value::Null))
}

async fn discard(s: &Server, pid: &str, path: &str) -> u16 {
    let url = reqwest::Url::parse_with_params(&format!("{}/api/projects/{pid}/uploads", s.base), &[("path", path)]).unwrap();
    s.http.delete(url).bearer_auth(&s.token).send().await.unwrap().status().as_u16()
}

/// Every file under `dir`, as paths relative to it.
fn files(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_browser_upload_joins_the_data_folder_when_it_is_imported() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    let (st, up) = upload(&s, &pid, "sales.csv", "region,amount\nnorth,10.5\nsouth,7\n").await;
    assert_eq!(st, 200, "{up}");
    let staged = up["path"].as_str().unwrap().to_string();
    assert!(staged.contains("/p/.cairn/uploads/") && staged.ends_with("/sales.csv"), "{up}");
    assert!(files(&s.path("p/data")).is_empty(), "nothing in data/ before the import");
    let last = s.import(&pid, std::path::Path::new(&staged), json!({})).await;
    assert_eq!(last["result"]["rows"], 2);
    assert_eq!(last["result"]["columns"][1]["dtype"], "float");
    // Imported, the file is in the data folder and the dataset reads it from there.
    let source = last["result"]["source"]["path"].as_str().unwrap();
    assert_eq!(std::path::Path::new(source), s.path("p/data/sales.csv").canonicalize().unwrap());
    assert!(!std::path::Path::new(&staged).exists());
    assert!(files(&s.path("p/.cairn/uploads")).is_empty());

    // The same name again gets a name of its own in data/.
    let (_, up) = upload(&s, &pid, "sales.csv", "region,amount\neast,1\n").await;
    let last = s.import(&pid, std::path::Path::new(up["path"].as_str().unwrap()), json!({"name": "sales-again"})).await;
    assert!(last["result"]["source"]["path"].as_str().unwrap().ends_with("/p/data/sales-2.csv"), "{last}");
    assert_eq!(files(&s.path("p/data")), ["sales-2.csv", "sales.csv"]);

    // A name that tries to climb out of the folder is reduced to its last part.
    let (st, up) = s.post(&format!("/api/projects/{pid}/uploads?name=..%2F..%2Fx.csv"), json!(null)).await;
    assert_eq!(st, 200, "{up}");
    let p = std::path::Path::new(up["path"].as_str().unwrap());
    assert_eq!(p.file_name().unwrap(), "x.csv");
    assert!(p.starts_with(s.path("p/.cairn/uploads").canonicalize().unwrap()), "{up}");
    assert_eq!(discard(&s, &pid, up["path"].as_str().unwrap()).await, 204);
    let (st, e) = s.post(&format!("/api/projects/{pid}/uploads?name=..%2F..%2F"), json!(null)).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("INVALID_INPUT")), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_the_import_refuses_leaves_no_file_behind() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    std::fs::create_dir_all(s.path("p/data")).unwrap();
    std::fs::write(s.path("p/data/mine.csv"), "a\n1\n").unwrap();
    let before = files(&s.path("p/data"));
    let wide: String = (0..20_000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",") + "\n" + &"1,".repeat(19_999) + "1,2\n";
    let refused: [(&str, Vec<u8>, &str); 5] = [
        ("photo.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "WRONG_FORMAT"),
        ("empty.csv", Vec::new(), "EMPTY_FILE"),
        ("latin.csv", b"city\nZ\xfcrich\n".to_vec(), "BAD_ENCODING"),
        ("ragged.csv", b"a,b\n1,2\n3\n".to_vec(), "RAGGED_ROWS"),
        ("wide.csv", wide.into_bytes(), "RAGGED_ROWS"),
    ];
    for (name, bytes, code) in refused {
        let (st, up) = upload(&s, &pid, name, bytes).await;
        assert_eq!(st, 200, "{up}");
        let staged = up["path"].as_str().unwrap().to_string();
        let (st, e) = s.post(&format!("/api/projects/{pid}/imports/preview"), json!({"path": staged})).await;
        if name == "latin.csv" {
            // The dialog's preview guesses Latin-1 for it; read as UTF-8 the import refuses it.
            assert_eq!((st, e["encoding"].as_str()), (200, Some("latin1")), "{e}");
        } else {
            assert_eq!((st, e["code"].as_str()), (422, Some(code)), "{name}: {e}");
            // Named as the user knows it, not by the folder it waits in.
            assert!(e["message"].as_str().unwrap().starts_with(&format!("the uploaded file {name}")), "{e}");
        }
        // An import tried anyway fails and moves nothing.
        let last = s.import(&pid, std::path::Path::new(&staged), json!({"name": name, "encoding": "utf8"})).await;
        assert_eq!((last["type"].as_str(), last["error"]["code"].as_str()), (Some("failed"), Some(code)), "{name}: {last}");
        assert!(!last["error"]["message"].as_str().unwrap().contains(".cairn"), "{last}");
        assert_eq!(files(&s.path("p/data")), before, "{name} reached data/");
        // The dialog, closed, discards the upload.
        assert_eq!(discard(&s, &pid, &staged).await, 204);
        assert!(!std::path::Path::new(&staged).exists());
    }
    assert!(files(&s.path("p/.cairn/uploads")).is_empty(), "{:?}", files(&s.path("p/.cairn/uploads")));
    // Only uploads can be discarded: the user's own files are refused, and kept.
    assert_eq!(discard(&s, &pid, &s.path("p/data/mine.csv").to_string_lossy()).await, 422);
    assert!(s.path("p/data/mine.csv").exists());
    let (_, list) = s.get(&format!("/api/projects/{pid}/datasets")).await;
    assert_eq!(list.as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_upload_leaves_no_file_behind() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    // A body cut short, as when the browser tab closes mid-upload: 1000 bytes announced, 8 sent.
    {
        use tokio::io::AsyncWriteExt;
        let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", s.port)).await.unwrap();
        let head = format!(
            "POST /api/projects/{pid}/uploads?name=cut.csv HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {}\r\nContent-Length: 1000\r\n\r\na,b\n1,2\n",
            s.port, s.token
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        tcp.flush().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    // The server notices the broken body a moment later.
    for _ in 0..50 {
        if files(&s.path("p/.cairn/uploads")).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(s.path("p/.cairn/uploads").is_dir(), "the upload never reached the server");
    assert!(files(&s.path("p/.cairn/uploads")).is_empty(), "{:?}", files(&s.path("p/.cairn/uploads")));
    assert!(files(&s.path("p/data")).is_empty());
}
