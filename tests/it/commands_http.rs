//! The user's own commands over HTTP, on this computer: workspace trust asked first (nothing recorded
//! before), the command's output as the job's log, its exit code as the job's, re-run, and the trust
//! remembered across studios.

use std::time::{Duration, Instant};

use cairn_api::{Studio, system_clock};
use serde_json::{Value, json};

use crate::Server;
use crate::training::cairn_bin;

async fn put(s: &Server, path: &str, body: Value) -> (u16, Value) {
    let r = s.http.put(format!("{}{path}", s.base)).bearer_auth(&s.token).json(&body).send().await.expect("PUT");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn wait_end(s: &Server, pid: &str, jid: &str) -> Value {
    let end = Instant::now() + Duration::from_secs(60);
    loop {
        let (st, j) = s.get(&format!("/api/projects/{pid}/jobs/{jid}")).await;
        assert_eq!(st, 200, "{j}");
        if !matches!(j["state"].as_str(), Some("queued" | "running")) || Instant::now() > end {
            return j;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_waits_for_trust_then_runs_here_with_its_exit_code_and_log() {
    let s = Server::start_with(Some(cairn_bin())).await;
    let pid = s.project("p").await;
    std::fs::write(s.path("p/train.sh"), "echo \"lr is $LR in $(basename \"$PWD\")\"\necho oops >&2\nexit 3\n").unwrap();
    let req = json!({"command": "sh train.sh", "env": {"LR": "0.1"}, "experiment": "scripts"});

    let (st, err) = s.post(&format!("/api/projects/{pid}/commands"), req.clone()).await;
    assert_eq!(st, 403, "{err}");
    assert_eq!(err["code"], "NOT_TRUSTED");
    assert!(err["message"].as_str().unwrap().contains("not trusted"), "{err}");
    let (_, jobs) = s.get(&format!("/api/projects/{pid}/jobs")).await;
    assert_eq!(jobs.as_array().unwrap().len(), 0, "nothing is recorded before the folder is trusted");

    let (_, t) = s.get(&format!("/api/projects/{pid}/trust")).await;
    assert_eq!(t["trusted"], false);
    let (st, t) = put(&s, &format!("/api/projects/{pid}/trust"), json!({"trusted": true})).await;
    assert_eq!((st, &t["trusted"]), (200, &json!(true)), "{t}");

    let (st, started) = s.post(&format!("/api/projects/{pid}/commands"), req).await;
    assert_eq!(st, 200, "{started}");
    let jid = started["job_id"].as_str().unwrap().to_string();
    let job = wait_end(&s, &pid, &jid).await;
    assert_eq!(job["state"], "failed", "{job}");
    assert_eq!(job["exit_code"], 3, "{job}");
    assert_eq!(job["executor"], "local");
    assert!(job["error"].as_str().unwrap().contains("exited with code 3"), "{job}");
    let (_, log) = s.get(&format!("/api/projects/{pid}/jobs/{jid}/log")).await;
    let text = log["text"].as_str().unwrap();
    assert!(text.contains("lr is 0.1 in p"), "{text}");
    assert!(text.contains("oops"), "stderr is in the log too: {text}");
    let (_, run) = s.get(&format!("/api/projects/{pid}/runs/{}", started["run_id"].as_str().unwrap())).await;
    assert_eq!(run["info"]["status"], "FAILED", "{run}");

    // Re-run: a new job and run from the same spec (the folder is still trusted).
    std::fs::write(s.path("p/train.sh"), "echo second\n").unwrap();
    let (st, again) = s.post(&format!("/api/projects/{pid}/jobs/{jid}/rerun"), json!({})).await;
    assert_eq!(st, 200, "{again}");
    assert_ne!(again["job_id"], started["job_id"]);
    assert_eq!(again["experiment_id"], started["experiment_id"], "the same experiment");
    let job = wait_end(&s, &pid, again["job_id"].as_str().unwrap()).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    assert_eq!(job["exit_code"], 0);

    // Bad requests name the problem and record nothing.
    let n = s.get(&format!("/api/projects/{pid}/jobs")).await.1.as_array().unwrap().len();
    let (st, e) = s.post(&format!("/api/projects/{pid}/commands"), json!({"command": "  "})).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("INVALID_INPUT")), "{e}");
    let (st, e) = s.post(&format!("/api/projects/{pid}/commands"), json!({"command": "true", "dir": "no-such-dir"})).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("FILE_NOT_FOUND")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("no-such-dir"), "{e}");
    let (st, e) = s.post(&format!("/api/projects/{pid}/commands"), json!({"command": "true", "on": "nowhere"})).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("CLUSTER_NOT_FOUND")), "{e}");
    assert_eq!(s.get(&format!("/api/projects/{pid}/jobs")).await.1.as_array().unwrap().len(), n);
}

#[test]
fn trust_is_remembered_per_folder_across_studios_and_can_be_taken_back() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config");
    let a = Studio::new(&cfg, system_clock());
    let info = a.create_project(&dir.path().join("proj").to_string_lossy(), None).unwrap();
    assert!(!a.trust(&info.id).unwrap().trusted);
    assert!(a.set_trust(&info.id, None, true).unwrap().trusted);
    std::fs::create_dir_all(dir.path().join("proj/scripts")).unwrap();
    let b = Studio::new(&cfg, system_clock());
    let pid = b.open_project(&dir.path().join("proj").to_string_lossy()).unwrap().id;
    assert!(b.trust(&pid).unwrap().trusted, "remembered in the user's settings");
    let sub = b.set_trust(&pid, Some("scripts"), true).unwrap();
    assert!(sub.trusted && sub.folder.ends_with("scripts"));
    assert!(!b.set_trust(&pid, None, false).unwrap().trusted);
    let stored = std::fs::read_to_string(cfg.join("trusted-folders.json")).unwrap();
    assert!(stored.contains("scripts") && !stored.contains("\"proj\""), "{stored}");
    assert!(!dir.path().join("proj/.cairn/trusted-folders.json").exists(), "never in the project itself");
}
