//! The built UI (ui/dist), embedded in release builds and read from disk in debug builds, so a debug
//! server picks up a rebuilt UI without recompiling. Unknown paths get index.html (client-side routes).

use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Dist;

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Cairn</title>\
<body style=\"font-family:sans-serif;padding:3em\"><h1>Cairn</h1><p>The UI has not been built. \
Run <code>make run</code> (or <code>make ui</code>) in the repository, then reload.</p>";

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = Dist::get(path).filter(|_| !path.is_empty()) {
        let mime = file.metadata.mimetype().to_string();
        // Vite fingerprints asset names, so they may be cached for good; index.html never.
        let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return ([(header::CONTENT_TYPE, mime.as_str()), (header::CACHE_CONTROL, cache)], file.data.into_owned()).into_response();
    }
    match Dist::get("index.html") {
        Some(index) => ([(header::CACHE_CONTROL, "no-cache")], Html(index.data.into_owned())).into_response(),
        None => (StatusCode::OK, Html(NOT_BUILT)).into_response(),
    }
}
