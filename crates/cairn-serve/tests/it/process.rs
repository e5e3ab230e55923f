//! The `cairn endpoint-serve` process as the studio runs it: the state file once it listens, a reload,
//! a clean exit on SIGTERM, and the capture guarantee under `kill -9`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cairn_types::{CaptureConfig, EndpointState};

use crate::capture::events;
use crate::{KEY, adult_lines, client, config, models, variant, write_config};

/// The `cairn` binary built beside this test (target/release/cairn).
fn cairn_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let bin = exe.parent().and_then(|deps| deps.parent()).expect("target dir").join("cairn");
    assert!(bin.exists(), "{} is missing: build with cargo build --release --workspace --all-targets", bin.display());
    bin
}

struct Server {
    child: Child,
    state: EndpointState,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the process and waits for its state file.
fn start(dir: &Path, config_path: &Path) -> Server {
    let log = dir.join("endpoint.log");
    let child = Command::new(cairn_bin())
        .arg("endpoint-serve")
        .arg(config_path)
        .env("CAIRN_LOG", "cairn=info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("start cairn endpoint-serve");
    let state_file = dir.join("state.json");
    let until = Instant::now() + Duration::from_secs(60);
    let mut server = Server { child, state: EndpointState { pid: 0, port: 0, started_at: 0 }, log };
    while Instant::now() < until {
        if let Some(state) = std::fs::read(&state_file).ok().and_then(|b| serde_json::from_slice::<EndpointState>(&b).ok()) {
            server.state = state;
            return server;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("the endpoint exited ({status}): {}", std::fs::read_to_string(&server.log).unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no state file after 60 s: {}", std::fs::read_to_string(&server.log).unwrap_or_default());
}

fn row() -> String {
    let (header, lines) = adult_lines();
    format!("{header}\n{}\n", lines[9500])
}

#[test]
fn the_process_listens_reloads_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = models();
    let a = config(dir.path(), vec![variant("a", &m.gbm, 1.0)], None, 8 << 20);
    let path = write_config(dir.path(), &a);
    let mut server = start(dir.path(), &path);
    assert_eq!(server.state.pid, server.child.id());
    assert!(server.state.port > 0 && server.state.started_at > 0);
    let base = format!("http://127.0.0.1:{}", server.state.port);
    let c = client();
    assert_eq!(c.get(format!("{base}/ping")).send().expect("ping").status().as_u16(), 200);
    let send =
        || c.post(format!("{base}/invocations")).bearer_auth(KEY).header("content-type", "text/csv").body(row()).send().expect("send");
    let r = send();
    assert_eq!((r.status().as_u16(), r.headers()["x-cairn-variant"].to_str().ok()), (200, Some("a")));

    write_config(dir.path(), &config(dir.path(), vec![variant("b", &m.gbm2, 1.0)], None, 8 << 20));
    let r = c.post(format!("{base}/_cairn/reload")).bearer_auth(KEY).send().expect("reload");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(send().headers()["x-cairn-variant"], "b");

    let killed = Command::new("kill").args(["-TERM", &server.state.pid.to_string()]).status().expect("kill");
    assert!(killed.success());
    let until = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = server.child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < until, "still running 15 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    assert!(status.success(), "exit {status}: {log}");
    assert!(log.contains("listening on") && log.contains("SIGTERM"), "{log}");
}

/// Clients send without pause, each request with its own inference id, until the process is killed
/// with SIGKILL: every request that got its answer is in the capture files.
#[test]
fn every_answered_capture_is_on_disk_after_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let capture_dir = dir.path().join("capture");
    let capture = CaptureConfig { percent: 100.0, dir: capture_dir.to_string_lossy().into_owned(), input: true, output: true };
    let cfg = config(dir.path(), vec![variant("v1", &models().gbm, 1.0)], Some(capture), 8 << 20);
    let mut server = start(dir.path(), &write_config(dir.path(), &cfg));
    let url = format!("http://127.0.0.1:{}/invocations", server.state.port);
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|t| {
            let (answered, stop, url) = (answered.clone(), stop.clone(), url.clone());
            std::thread::spawn(move || {
                let c = client();
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let id = format!("t{t}-{i}");
                    let sent = c
                        .post(&url)
                        .bearer_auth(KEY)
                        .header("content-type", "text/csv")
                        .header("x-amzn-sagemaker-inference-id", &id)
                        .body(row())
                        .send();
                    let Ok(r) = sent else { return };
                    let status = r.status().as_u16();
                    if r.text().is_err() {
                        return;
                    }
                    assert_eq!(status, 200, "an error before the kill");
                    answered.lock().expect("lock").push(id);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    server.child.kill().expect("kill -9");
    server.child.wait().expect("reap");
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("client");
    }
    let answered = answered.lock().expect("lock").clone();
    assert!(answered.len() > 100, "only {} requests answered", answered.len());
    let on_disk: HashSet<String> =
        events(&capture_dir).iter().filter_map(|e| e["eventMetadata"]["inferenceId"].as_str().map(str::to_string)).collect();
    let lost: Vec<&String> = answered.iter().filter(|id| !on_disk.contains(*id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} answered requests are not in the capture files: {:?}",
        lost.len(),
        answered.len(),
        &lost[..lost.len().min(5)]
    );
}
