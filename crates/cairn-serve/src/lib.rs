//! The model server behind a real-time endpoint: `cairn endpoint-serve CONFIG` serves the models an
//! [`EndpointConfig`](cairn_types::EndpointConfig) names, on one port, in the wire formats their users know.
//!
//! - **SageMaker's container contract**: `GET /ping`, `POST /invocations` (`text/csv`, `application/json`);
//!   the `X-Amzn-SageMaker-Inference-Id` header is the capture's inference id, and
//!   `X-Amzn-SageMaker-Target-Variant` picks a variant. Answers name the variant that answered in
//!   `X-Cairn-Variant` and `X-Amzn-Invoked-Production-Variant`.
//! - **MLflow's scoring protocol** on the same `/invocations`: JSON with exactly one of `dataframe_split`,
//!   `dataframe_records`, `instances`, `inputs`; CSV with a header, or without one in the model's feature
//!   order; `/ping`, `/health`, `/version`. The answer is `{"predictions": [{"prediction": …,
//!   "proba_<class>": …}, …]}`, or CSV when `Accept: text/csv`.
//! - **KServe's Open Inference Protocol v2** (see `kserve`).
//! - `/metrics` (Prometheus text), `/_cairn/stats` (JSON for the studio's charts) and
//!   `POST /_cairn/reload` (read the config again, load its models, then swap them in).
//!
//! Every route but the health checks needs `Authorization: Bearer <key>`. Rows go through cairn-data's
//! reading and [`cairn_ml::Model`]'s prediction as `cairn predict` does for a file of the same rows, so
//! the answers are the same to the bit (see `read`).
//!
//! **Data capture guarantee.** When the config asks for capture, each sampled request's line (SageMaker's
//! JSONL) is written to its hourly file with one `write` of the whole line (`O_APPEND`) before the
//! request is answered. So every captured request that got its answer is in the file after a
//! `kill -9` of this process (the data is in the kernel's page cache). Files are `fsync`ed every second,
//! so a power loss takes at most about the last second. A reader skips a torn last line
//! ([`read_capture`] does). A request whose line cannot be written (a full disk) is still answered, and
//! counted in `cairn_endpoint_capture_errors_total`.

mod answer;
mod body;
mod capture;
mod captured;
mod endpoint;
mod http;
mod kserve;
mod metrics;
mod read;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::serve::ListenerExt;
use cairn_types::{ApiError, EndpointState, ErrorCode};
use tokio::net::TcpListener;

pub use capture::read_capture;
pub use captured::{Captured, CapturedBody, parse_time, read_window, request_rows};

use endpoint::{Endpoint, now_ms};

fn internal(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("{what}: {e}"))
}

/// The runtime: as many workers as cores, or `CAIRN_ENDPOINT_THREADS`.
fn runtime() -> Result<tokio::runtime::Runtime, ApiError> {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = std::env::var("CAIRN_ENDPOINT_THREADS").ok().and_then(|v| v.parse::<usize>().ok()).filter(|&n| n > 0) {
        b.worker_threads(n);
    }
    b.enable_all().thread_name("cairn-endpoint").build().map_err(|e| internal("cannot start the endpoint's runtime", e))
}

/// Writes the state file atomically (a temporary file beside it, then a rename).
fn write_state(path: &Path, state: &EndpointState) -> Result<(), ApiError> {
    let text = serde_json::to_vec(state).map_err(|e| internal("state to JSON", e))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| internal(&format!("cannot create {}", parent.display()), e))?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path)).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        internal(&format!("cannot write the state file {}", path.display()), e)
    })
}

/// Loads the models, binds the address and writes the state file.
async fn start(config: &Path) -> Result<(Arc<Endpoint>, TcpListener), ApiError> {
    let path = config.to_path_buf();
    let ep = tokio::task::spawn_blocking(move || Endpoint::open(&path))
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("loading the models failed: {e}")))??;
    let ep = Arc::new(ep);
    let served = ep.current();
    let (host, port) = (served.config.host.as_str(), served.config.port);
    let listener = TcpListener::bind((host, port)).await.map_err(|e| {
        ApiError::new(ErrorCode::Io, format!("cannot listen on {host}:{port}: {e}")).with_hint("pick another port, or stop what uses it")
    })?;
    let addr = listener.local_addr().map_err(|e| internal("the bound address", e))?;
    let state = EndpointState { pid: std::process::id(), port: addr.port(), started_at: ep.started_at };
    write_state(Path::new(&served.config.state_file), &state)?;
    let variants: Vec<String> =
        served.variants.iter().map(|v| format!("{} ({} v{}, weight {})", v.name, v.model_name, v.version, v.weight)).collect();
    tracing::info!("endpoint {} listening on http://{addr} (pid {}): {}", served.config.name, state.pid, variants.join(", "));
    spawn_syncer(Arc::downgrade(&ep));
    Ok((ep, listener))
}

/// Flushes capture files to the disk every second while the endpoint lives.
fn spawn_syncer(ep: Weak<Endpoint>) {
    let _ = std::thread::Builder::new().name("cairn-capture-sync".into()).spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            match ep.upgrade() {
                Some(ep) => ep.capture.sync(now_ms()),
                None => return,
            }
        }
    });
}

async fn serve(
    ep: Arc<Endpoint>,
    listener: TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ApiError> {
    let listener = listener.tap_io(|tcp| {
        // Answers are small: send them at once rather than wait to fill a segment.
        let _ = tcp.set_nodelay(true);
    });
    let result = axum::serve(listener, http::router(ep.clone())).with_graceful_shutdown(stop).await;
    ep.capture.sync(now_ms());
    result.map_err(|e| internal("the endpoint's server failed", e))
}

async fn terminated() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = term => tracing::info!("SIGTERM: finishing the requests under way, then stopping"),
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted: finishing the requests under way, then stopping"),
    }
}

/// Resolves when the endpoint's config file is gone for good: its project folder was deleted (a test's
/// temporary project, say), so nobody can reach its key or stop it through a studio any more.
async fn config_gone(config: &Path) {
    let mut missing = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        // Twice in a row: a config is replaced by a rename, never left missing for long.
        missing = if config.exists() { 0 } else { missing + 1 };
        if missing >= 2 {
            tracing::warn!("{} is gone (its project was removed?); stopping", config.display());
            return;
        }
    }
}

/// Serves the endpoint the config file describes until SIGTERM (or Ctrl-C); in-flight requests finish
/// and capture files are flushed before it returns.
pub fn run(config: &Path) -> Result<(), ApiError> {
    runtime()?.block_on(async {
        let (ep, listener) = start(config).await?;
        let path = config.to_path_buf();
        let stop = async move {
            tokio::select! {
                _ = terminated() => {}
                _ = config_gone(&path) => {}
            }
        };
        serve(ep, listener, stop).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// An endpoint served by a thread of this process (tests, tools): where it listens, and a way to stop it.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ApiError>>>,
}

impl Running {
    /// Stops it: requests under way finish first.
    pub fn stop(mut self) -> Result<(), ApiError> {
        self.halt()
    }

    fn halt(&mut self) -> Result<(), ApiError> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(ApiError::new(ErrorCode::Internal, "the endpoint's thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.halt();
    }
}

/// Starts serving the config file's endpoint on a thread of its own; returns once it listens.
pub fn spawn(config: &Path) -> Result<Running, ApiError> {
    let config: PathBuf = config.to_path_buf();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        runtime()?.block_on(async move {
            let started =
                start(&config).await.and_then(|(ep, l)| Ok((ep, l.local_addr().map_err(|e| internal("the bound address", e))?, l)));
            match started {
                Ok((ep, addr, listener)) => {
                    let _ = ready_tx.send(Ok(addr));
                    serve(ep, listener, async move {
                        let _ = stop_rx.await;
                    })
                    .await
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e.clone()));
                    Err(e)
                }
            }
        })
    });
    let addr = ready_rx.recv().map_err(|_| ApiError::new(ErrorCode::Internal, "the endpoint's thread ended before listening"))??;
    Ok(Running { addr, stop: Some(stop_tx), thread: Some(thread) })
}
