//! The training and tracking API over real HTTP: train, follow the log stream, search with MLflow's
//! grammar (and a bad filter), a downsampled metric series, artifacts, tags and notes.

use std::time::Duration;

use serde_json::{Value, json};

use crate::training::cairn_bin;
use crate::{Server, shared};

async fn patch(s: &Server, path: &str, body: Value) -> (u16, Value) {
    let r = s.http.patch(format!("{}{path}", s.base)).bearer_auth(&s.token).json(&body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Reads the job's log stream until the event that says the job ended; returns the whole text.
async fn follow_log(s: &Server, pid: &str, job: &str) -> String {
    let url = format!("{}/api/projects/{pid}/jobs/{job}/log/stream", s.base);
    let mut r = s.http.get(url).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (mut raw, mut text) = (String::new(), String::new());
    let read = async {
        while let Some(chunk) = r.chunk().await.unwrap() {
            raw.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = raw.find("\n\n") {
                let event: String = raw.drain(..end + 2).collect();
                for data in event.lines().filter_map(|l| l.strip_prefix("data: ")) {
                    let log: Value = serde_json::from_str(data).unwrap();
                    text.push_str(log["text"].as_str().unwrap());
                    if log["done"] == true {
                        return;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(120), read).await.expect("the log stream ends with the job");
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn train_follow_search_and_read_a_run_over_http() {
    let s = Server::start_with(Some(cairn_bin())).await;
    let pid = s.project("p").await;
    let text = std::fs::read_to_string(shared("adult.csv")).unwrap();
    let sample: String = text.lines().take(3001).map(|l| format!("{l}\n")).collect();
    std::fs::write(s.path("adult.csv"), sample).unwrap();
    assert_eq!(s.import(&pid, &s.path("adult.csv"), json!({})).await["type"], "succeeded");

    // Refused before a run exists, with the column named.
    let bad = json!({"dataset": "adult", "target": "income", "model": "gbm", "seed": 1});
    let (st, e) = s.post(&format!("/api/projects/{pid}/train"), bad).await;
    assert_eq!((st >= 400, e["code"].as_str()), (true, Some("COLUMN_NOT_FOUND")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("income"), "{e}");

    let spec = json!({"dataset": "adult", "target": "class", "model": "gbm", "seed": 3, "experiment": "web",
                      "params": {"iterations": "40"}});
    let (st, started) = s.post(&format!("/api/projects/{pid}/train"), spec).await;
    assert_eq!(st, 200, "{started}");
    let (job, run) = (started["job_id"].as_str().unwrap(), started["run_id"].as_str().unwrap());
    let log = follow_log(&s, &pid, job).await;
    assert!(log.contains("finished:"), "{log}");
    let (_, j) = s.get(&format!("/api/projects/{pid}/jobs/{job}")).await;
    assert_eq!(j["state"], "succeeded", "{j}");

    let (st, r) = s.get(&format!("/api/projects/{pid}/runs/{run}")).await;
    assert_eq!((st, r["info"]["status"].as_str()), (200, Some("FINISHED")), "{r}");

    // A per-round curve, downsampled on the server.
    let (st, series) = s.get(&format!("/api/projects/{pid}/runs/{run}/metric?key=test_log_loss&max_points=10")).await;
    assert_eq!(st, 200, "{series}");
    let points = series["points"].as_array().unwrap();
    assert!(!points.is_empty() && points.len() <= 10, "{} points", points.len());

    let (_, files) = s.get(&format!("/api/projects/{pid}/runs/{run}/artifacts")).await;
    let names: Vec<&str> = files.as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(names.contains(&"model.cairn") && names.contains(&"evaluation.json"), "{names:?}");
    let (st, eval) = s.get(&format!("/api/projects/{pid}/runs/{run}/artifacts/evaluation.json")).await;
    assert_eq!(st, 200);
    assert!(eval["metrics"]["roc_auc"].as_f64().unwrap() > 0.8, "{eval}");
    let (st, _) = s.get(&format!("/api/projects/{pid}/runs/{run}/artifacts/..%2Fcairn.db")).await;
    assert!(st >= 400, "a path out of the run's folder must be refused");

    // Notes and tags are searchable.
    let (st, _) = patch(&s, &format!("/api/projects/{pid}/runs/{run}"), json!({"note": "baseline"})).await;
    assert_eq!(st, 200);
    let (st, _) = s.post(&format!("/api/projects/{pid}/runs/{run}/tags"), json!({"key": "team", "value": "risk"})).await;
    assert_eq!(st, 200);
    let exp = started["experiment_id"].as_str().unwrap();
    let search = |filter: &str| json!({"experiment_ids": [exp], "filter": filter, "order_by": ["metrics.roc_auc DESC"]});
    let (st, page) = s.post(&format!("/api/projects/{pid}/runs/search"), search("metrics.roc_auc > 0.8 and tags.team LIKE 'ri%'")).await;
    assert_eq!((st, page["total"].as_u64()), (200, Some(1)), "{page}");
    let (_, page) = s.post(&format!("/api/projects/{pid}/runs/search"), search("metrics.roc_auc > 0.9999")).await;
    assert_eq!(page["total"].as_u64(), Some(0), "{page}");

    let (st, e) = s.post(&format!("/api/projects/{pid}/runs/search"), search("metrics.roc_auc >> 0.8")).await;
    assert_eq!((st, e["code"].as_str()), (400, Some("INVALID_FILTER")), "{e}");

    let (_, keys) = s.post(&format!("/api/projects/{pid}/runs/keys"), json!({"experiment_ids": [exp]})).await;
    assert!(keys["metrics"].as_array().unwrap().iter().any(|k| k == "roc_auc"), "{keys}");
    assert!(keys["tags"].as_array().unwrap().iter().any(|k| k == "team"), "{keys}");
}

/// `cairn serve` without a project: MLflow's API says what to do, then logs into the first project
/// opened, and keeps it when another one is opened.
#[tokio::test(flavor = "multi_thread")]
async fn mlflow_api_serves_the_first_project_opened() {
    let s = Server::start().await;
    let get = "/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default";
    let (st, e) = s.get(get).await;
    assert_eq!((st, e["error_code"].as_str()), (400, Some("BAD_REQUEST")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("open or create"), "{e}");

    let first = s.project("first").await;
    let (st, e) = s.get(get).await;
    assert_eq!((st, e["experiment"]["experiment_id"].as_str()), (200, Some("0")), "{e}");
    let (st, _) = s.post("/api/2.0/mlflow/experiments/create", json!({"name": "from-python"})).await;
    assert_eq!(st, 200);
    s.project("second").await;
    let (_, page) = s
        .post(
            &format!("/api/projects/{first}/experiments/search"),
            json!({"filter": "", "view_type": "ACTIVE_ONLY", "max_results": 100, "order_by": []}),
        )
        .await;
    let names: Vec<&str> = page["experiments"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"from-python"), "{names:?}");
}
