//! The server with real parts: a real project folder and SQLite file, real files, real HTTP on loopback.

mod api_auth;
mod batch;
mod clusters_http;
mod commands_http;
mod endpoints;
mod flow_export;
mod flow_front;
mod flows;
mod imports;
mod monitor;
mod projects;
mod ray;
mod ray_automl;
mod ray_batch;
mod ray_outage;
mod ray_train;
mod recovery;
mod registry;
mod runs_http;
mod training;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn_api::{Studio, system_clock};
use serde_json::Value;

/// Writes a CSV of `rows` generated lines under `header`: data big enough that working on it takes
/// seconds in a debug build, for tests that cancel midway.
pub fn write_big_csv(path: &Path, header: &str, rows: u64, line: impl Fn(u64) -> String) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("big CSV"));
    writeln!(f, "{header}").expect("big CSV");
    for i in 0..rows {
        writeln!(f, "{}", line(i)).expect("big CSV");
    }
}

pub fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data").join(name)
}

/// A running server on a free loopback port, with its own config folder; stopped when dropped.
pub struct Server {
    pub base: String,
    pub token: String,
    pub port: u16,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    pub async fn start() -> Server {
        Self::start_with(None).await
    }

    /// A server whose training jobs run `worker` (the `cairn` binary) as their child process.
    pub async fn start_with(worker: Option<PathBuf>) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut studio = Studio::new(&dir.path().join("config"), system_clock());
        if let Some(w) = worker {
            studio = studio.with_worker(w);
        }
        let studio = Arc::new(studio);
        let bound = cairn_server::bind(0).await.expect("bind");
        let port = bound.addr.port();
        let token = cairn_server::random_token();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let t = token.clone();
        tokio::spawn(async move {
            let _ = bound
                .serve(studio, &t, async {
                    let _ = rx.await;
                })
                .await;
        });
        Server { base: format!("http://127.0.0.1:{port}"), token, port, dir, http: reqwest::Client::new(), stop: Some(tx) }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.expect("GET");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await.expect("POST");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Creates a project in the temp folder and returns its id.
    pub async fn project(&self, name: &str) -> String {
        let (s, p) = self.post("/api/projects", serde_json::json!({"path": self.path(name)})).await;
        assert_eq!(s, 200, "{p}");
        p["id"].as_str().expect("id").to_string()
    }

    /// Reads a task's event stream to its end and returns every event.
    pub async fn events(&self, task: &str) -> Vec<Value> {
        let r = self.http.get(format!("{}/api/tasks/{task}/events", self.base)).bearer_auth(&self.token).send().await.expect("events");
        assert_eq!(r.status(), 200);
        let body = r.text().await.expect("event stream");
        body.lines().filter_map(|l| l.strip_prefix("data: ")).map(|d| serde_json::from_str(d).expect("event json")).collect()
    }

    /// Starts an import and waits for its last event.
    pub async fn import(&self, pid: &str, path: &Path, options: Value) -> Value {
        let (s, t) = self.post(&format!("/api/projects/{pid}/imports"), serde_json::json!({"path": path, "options": options})).await;
        assert_eq!(s, 200, "{t}");
        let events = self.events(t["task_id"].as_str().expect("task id")).await;
        events.last().cloned().expect("a final event")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
