//! The two checks every request passes: the Host header must name the loopback address we serve
//! (a DNS-rebinding page would send its own host name), and `/api/` requires the session token.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cairn_types::ErrorCode;

use crate::AppState;
use crate::error::failure;

fn host_ok(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else { return false };
    let allowed = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    allowed.iter().any(|a| a.eq_ignore_ascii_case(host))
}

/// Compares without stopping at the first difference, so timing does not leak the token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn token_of(req: &Request) -> Option<String> {
    if let Some(v) = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return v.strip_prefix("Bearer ").map(|t| t.trim().to_string());
    }
    // Event streams and downloads opened by the browser itself cannot set headers.
    req.uri().query().and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=").map(str::to_string)))
}

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if !host_ok(host, state.port) {
        return failure(
            ErrorCode::HostRefused,
            format!("requests must be addressed to 127.0.0.1:{} (got Host {:?})", state.port, host.unwrap_or("")),
        );
    }
    let path = req.uri().path();
    let mlflow = crate::mlflow::is_mlflow_path(path);
    if path == "/api" || path.starts_with("/api/") || mlflow {
        let ok = token_of(&req).is_some_and(|t| same(t.as_bytes(), state.token.as_bytes()));
        if !ok && mlflow {
            // MLflow's client reads MLflow's error body.
            let msg = "missing or wrong token: set MLFLOW_TRACKING_TOKEN to the token `cairn serve` printed";
            return crate::mlflow::MlError::new("UNAUTHENTICATED", msg).into_response();
        }
        if !ok {
            return failure(ErrorCode::Unauthorized, "missing or wrong session token: open the URL `cairn serve` printed");
        }
    }
    next.run(req).await
}
