//! The one HTTP API, used by the browser and by the desktop window alike: axum over cairn-api.
//! Binds 127.0.0.1 only; every `/api/` request needs the session token; a request whose Host is not the
//! loopback address served is refused (DNS rebinding). Also serves the built UI.

mod automl;
mod batch;
mod endpoints;
mod error;
mod extract;
mod files;
mod flows;
mod guard;
mod insights;
mod jobs;
mod mlflow;
mod models;
mod openapi;
mod operations;
mod params;
mod routes;
mod runs;
mod sse;
mod ui;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::Router;
use cairn_api::Studio;

pub use openapi::{described_path, document_value, openapi_json};
pub use operations::{OPERATIONS, Operation};

static PROCESS_START: OnceLock<Instant> = OnceLock::new();

/// Call first thing in `main`, so start-up time can be reported when the UI says it is ready.
pub fn mark_process_start() {
    let _ = PROCESS_START.set(Instant::now());
}

/// A random 32-hex-digit session token.
pub fn random_token() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // Without OS randomness, time-derived bytes are still unguessable enough for a loopback session.
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        b = (t ^ (std::process::id() as u128) << 64).to_le_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Everything a handler needs.
#[derive(Clone)]
pub struct AppState {
    pub studio: Arc<Studio>,
    pub token: Arc<str>,
    pub port: u16,
    /// Becomes true when the server is asked to stop: streams that never end by themselves (a project's
    /// changes) end then, or a graceful shutdown would wait for every open tab.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

/// The full application: API, guards and UI.
pub fn app(state: AppState) -> Router {
    routes::api().fallback(ui::serve).layer(axum::middleware::from_fn_with_state(state.clone(), guard::guard)).with_state(state)
}

/// A server bound to a loopback port, not yet serving.
pub struct Bound {
    listener: tokio::net::TcpListener,
    pub addr: SocketAddr,
}

/// Binds 127.0.0.1:`port` (0 picks a free port). Never any other interface.
pub async fn bind(port: u16) -> std::io::Result<Bound> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok(Bound { listener, addr })
}

impl Bound {
    /// The URL that opens the UI with the token.
    pub fn url(&self, token: &str) -> String {
        format!("http://127.0.0.1:{}/?token={token}", self.addr.port())
    }

    /// Serves until `shutdown` resolves.
    pub async fn serve(
        self,
        studio: Arc<Studio>,
        token: &str,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let state = AppState { studio, token: token.into(), port: self.addr.port(), stopping };
        let shutdown = async move {
            shutdown.await;
            let _ = stop.send(true);
        };
        axum::serve(self.listener, app(state)).with_graceful_shutdown(shutdown).await
    }
}
