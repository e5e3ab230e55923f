//! Projects on disk: create, open, refuse what is not ours to change.

use serde_json::json;

use crate::{Server, shared};

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_that_is_not_a_project_can_be_made_one() {
    let s = Server::start().await;
    std::fs::create_dir_all(s.path("plain")).unwrap();
    let (st, e) = s.post("/api/projects/open", json!({"path": s.path("plain")})).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("NOT_A_PROJECT")));
    let (st, p) = s.post("/api/projects", json!({"path": s.path("plain")})).await;
    assert_eq!(st, 200, "{p}");
    assert!(s.path("plain/cairn.toml").exists());
    assert!(s.path("plain/.cairn/cairn.db").exists());
    let (st, e) = s.post("/api/projects", json!({"path": s.path("plain")})).await;
    assert_eq!((st, e["code"].as_str()), (409, Some("ALREADY_A_PROJECT")));
    let (st, _) = s.post("/api/projects/open", json!({"path": s.path("plain")})).await;
    assert_eq!(st, 200);
    let (_, recent) = s.get("/api/projects/recent").await;
    assert_eq!(recent[0]["path"], p["path"]);
    let journal: String =
        rusqlite::Connection::open(s.path("plain/.cairn/cairn.db")).unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(journal, "wal");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_project_from_a_newer_cairn_is_refused_and_left_unchanged() {
    let s = Server::start().await;
    s.project("p").await;
    let db = s.path("p/.cairn/cairn.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let s2 = Server::start().await;
    let (st, e) = s2.post("/api/projects/open", json!({"path": s.path("p")})).await;
    assert_eq!((st, e["code"].as_str()), (409, Some("SCHEMA_TOO_NEW")));
    assert!(e["message"].as_str().unwrap().contains("newer Cairn"), "{e}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database must not be touched");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_read_only_project_can_be_browsed_but_not_changed() {
    use std::os::unix::fs::PermissionsExt;
    let s = Server::start().await;
    let pid = s.project("p").await;
    let last = s.import(&pid, &shared("adult.csv"), json!({})).await;
    let did = last["result"]["id"].as_str().unwrap().to_string();
    let root = s.path("p");
    let set_mode = |mode: u32| {
        for dir in [root.clone(), root.join(".cairn")] {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    };
    set_mode(0o555);
    let s2 = Server::start().await;
    let (st, info) = s2.post("/api/projects/open", json!({"path": root})).await;
    assert_eq!(st, 200, "{info}");
    assert_eq!(info["read_only"], true);
    let pid2 = info["id"].as_str().unwrap();
    let (st, page) = s2.get(&format!("/api/projects/{pid2}/datasets/{did}/rows?limit=2")).await;
    assert_eq!(st, 200, "{page}");
    let (st, e) =
        s2.post(&format!("/api/projects/{pid2}/imports"), json!({"path": shared("adult.csv"), "options": {"name": "again"}})).await;
    assert_eq!((st, e["code"].as_str()), (403, Some("PROJECT_READ_ONLY")));
    assert!(e["message"].as_str().unwrap().contains("read-only"), "{e}");
    assert!(e["hint"].as_str().unwrap().contains("chmod"), "{e}");
    let (st, e) = s2.post("/api/projects", json!({"path": root.join("sub")})).await;
    assert_eq!((st, e["code"].as_str()), (403, Some("PROJECT_READ_ONLY")));
    set_mode(0o755);
    let (_, list) = s.get(&format!("/api/projects/{pid}/datasets")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_folder_and_a_damaged_manifest_get_clear_errors() {
    let s = Server::start().await;
    let (st, e) = s.post("/api/projects/open", json!({"path": s.path("nowhere")})).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("FILE_NOT_FOUND")));
    std::fs::create_dir_all(s.path("broken")).unwrap();
    std::fs::write(s.path("broken/cairn.toml"), "name = [oops").unwrap();
    let (st, e) = s.post("/api/projects/open", json!({"path": s.path("broken")})).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("PROJECT_CORRUPT")));
    assert!(e["message"].as_str().unwrap().contains("cairn.toml"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_demo_project_is_generated_by_cairn() {
    let s = Server::start().await;
    let studio = cairn_api::Studio::new(&s.path("cfg"), cairn_api::system_clock());
    let info = studio.create_demo(&s.path("demo").to_string_lossy()).unwrap();
    let list = studio.list_datasets(&info.id).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].rows, 20_000);
    assert!(list[0].columns.iter().any(|c| c.missing > 0), "the demo has missing values");
    assert!(studio.profile(&info.id, "readmissions").is_ok(), "profile cached");
    // Running it again reopens rather than duplicating.
    studio.create_demo(&s.path("demo").to_string_lossy()).unwrap();
    assert_eq!(studio.list_datasets(&info.id).unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recent_project_is_taken_off_the_list_and_its_folder_left_alone() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    let kept = s.project("q").await;
    std::fs::write(s.path("p/notes.txt"), "mine").unwrap();
    let forget = |id: &str| s.http.delete(format!("{}/api/projects/recent/{id}", s.base)).bearer_auth(&s.token).send();

    let r = forget(&pid).await.unwrap();
    assert_eq!(r.status(), 200);
    let removed: serde_json::Value = r.json().await.unwrap();
    assert_eq!(removed["id"], pid.as_str());
    let (_, list) = s.get("/api/projects/recent").await;
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [kept.as_str()]);
    for kept_file in ["p/cairn.toml", "p/notes.txt", "p/.cairn/cairn.db"] {
        assert!(s.path(kept_file).exists(), "{kept_file} must stay");
    }

    // Not on the list any more: said with a stable code.
    let r = forget(&pid).await.unwrap();
    assert_eq!(r.status(), 404);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["code"], "PROJECT_NOT_FOUND");
    assert!(e["message"].as_str().unwrap().contains(&pid), "{e}");

    // Opening the folder again lists it again, on top.
    let (st, _) = s.post("/api/projects/open", json!({"path": s.path("p")})).await;
    assert_eq!(st, 200);
    let (_, list) = s.get("/api/projects/recent").await;
    assert_eq!(list[0]["id"], pid.as_str());
    // The list lives in the server's own config folder (a test never writes the user's).
    assert!(s.path("config/recent-projects.json").exists());
}

/// Reads one server-sent event's data within a few seconds.
async fn next_event(r: &mut reqwest::Response, buf: &mut String) -> serde_json::Value {
    let read = async {
        loop {
            if let Some(end) = buf.find("\n\n") {
                let msg: String = buf.drain(..end + 2).collect();
                if let Some(data) = msg.lines().find_map(|l| l.strip_prefix("data:")) {
                    return serde_json::from_str(data.trim()).expect("event json");
                }
                continue;
            }
            let chunk = r.chunk().await.expect("read the stream").expect("the stream ended");
            buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), read).await.expect("an event within 10 s")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_change_stream_counts_what_other_processes_and_clients_record() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    let mut r = s.http.get(format!("{}/api/projects/{pid}/changes", s.base)).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut buf = String::new();
    let first = next_event(&mut r, &mut buf).await;
    assert_eq!(first, json!({"version": 1, "datasets": 0, "experiments": 1, "runs": 0, "jobs_active": 0}));

    // Another process on the same folder (as `cairn train` in a terminal is): its own studio, its own connections.
    let terminal = cairn_api::Studio::new(&s.path("cfg-terminal"), cairn_api::system_clock());
    let opened = terminal.open_project(&s.path("p").to_string_lossy()).unwrap();
    let exp = terminal.create_experiment(&opened.id, "from a terminal").unwrap();
    // Opening may commit too (an event with the same counts); the experiment's arrives within seconds.
    let mut seen = vec![first];
    while seen.last().unwrap()["experiments"] != 2 {
        seen.push(next_event(&mut r, &mut buf).await);
    }
    assert_eq!(seen.last().unwrap()["runs"], 0);

    // A run logged the way the mlflow client logs one, over HTTP.
    let (st, run) = s
        .post("/api/2.0/mlflow/runs/create", json!({"experiment_id": exp.experiment_id, "run_name": "from-python", "start_time": 1}))
        .await;
    assert_eq!(st, 200, "{run}");
    while seen.last().unwrap()["runs"] != 1 {
        seen.push(next_event(&mut r, &mut buf).await);
    }
    // Each event is one more change seen on this stream.
    let versions: Vec<u64> = seen.iter().map(|e| e["version"].as_u64().unwrap()).collect();
    assert_eq!(versions, (1..=seen.len() as u64).collect::<Vec<_>>());

    // A project the server does not know is refused before any stream.
    let r = s.http.get(format!("{}/api/projects/nope/changes", s.base)).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "PROJECT_NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_change_stream_ends_when_the_server_stops() {
    let mut s = Server::start().await;
    let pid = s.project("p").await;
    let mut r = s.http.get(format!("{}/api/projects/{pid}/changes", s.base)).bearer_auth(&s.token).send().await.unwrap();
    let mut buf = String::new();
    next_event(&mut r, &mut buf).await;
    // Ctrl-C on `cairn serve` with a tab open: the stream must end, or the graceful shutdown waits forever.
    s.stop.take().unwrap().send(()).unwrap();
    let rest = tokio::time::timeout(std::time::Duration::from_secs(5), async { while let Ok(Some(_)) = r.chunk().await {} });
    assert!(rest.await.is_ok(), "the change stream was still open 5 s after the server was asked to stop");
}
