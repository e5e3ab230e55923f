//! Artifacts: MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/…`: upload, download, list, delete,
//! multipart uploads) and a run's listing (`/api/2.0/mlflow/artifacts/list`). Paths map onto the project's
//! folders through `Project::proxied_artifact_path`, so a run's files sit in `.cairn/artifacts/runs/<id>/`
//! beside those Cairn's training writes. Uploads are written beside the target and renamed into place.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use cairn_store::{Project, TrackingStore};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use super::request::Fields;
use super::{Ctx, MlError, Reply, json as wire, open};
use crate::AppState;

type Router = axum::Router<AppState>;

pub fn routes() -> Router {
    let mut r = Router::new();
    for prefix in ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"] {
        r = r
            .route(&format!("{prefix}/artifacts"), get(list))
            .route(&format!("{prefix}/artifacts/"), get(list))
            .route(&format!("{prefix}/artifacts/{{*path}}"), get(download).put(upload).delete(remove))
            .route(&format!("{prefix}/mpu/create/{{*path}}"), post(mpu_create))
            .route(&format!("{prefix}/mpu/complete/{{*path}}"), post(mpu_complete))
            .route(&format!("{prefix}/mpu/abort/{{*path}}"), post(mpu_abort))
            .route(&format!("{prefix}/mpu/part/{{upload}}/{{part}}"), put(mpu_part));
    }
    r
}

/// The project, resolved off the async threads.
async fn project(s: &AppState) -> Result<Arc<Project>, MlError> {
    let s = s.clone();
    match tokio::task::spawn_blocking(move || open(&s)).await {
        Ok(ctx) => Ok(ctx?.project),
        Err(_) => Err(MlError::internal("opening the project stopped on an internal error")),
    }
}

fn target(p: &Project, rel: &str) -> Result<PathBuf, MlError> {
    p.proxied_artifact_path(rel).map_err(|e| MlError::invalid(e.to_string()))
}

fn io(path: &Path, e: std::io::Error) -> MlError {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        return MlError::new("PERMISSION_DENIED", format!("cannot write {}: {e}", path.display()));
    }
    MlError::internal(format!("{}: {e}", path.display()))
}

fn random_hex() -> String {
    crate::random_token()
}

/// Streams `body` into `path`: written to a sibling first, renamed into place once complete.
async fn write_body(path: &Path, body: Body) -> Result<u64, MlError> {
    if path.is_dir() {
        return Err(MlError::invalid(format!("{} is a folder; give a file name", path.display())));
    }
    let dir = path.parent().ok_or_else(|| MlError::invalid("an artifact needs a file name"))?;
    tokio::fs::create_dir_all(dir).await.map_err(|e| io(dir, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let part = dir.join(format!(".{name}.upload-{}", random_hex()));
    let result = async {
        let mut file = tokio::fs::File::create(&part).await.map_err(|e| io(&part, e))?;
        let mut stream = body.into_data_stream();
        let mut bytes = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| MlError::invalid(format!("the upload was interrupted: {e}")))?;
            bytes += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(|e| io(&part, e))?;
        }
        file.flush().await.map_err(|e| io(&part, e))?;
        drop(file);
        tokio::fs::rename(&part, path).await.map_err(|e| io(path, e))?;
        Ok(bytes)
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&part).await;
    }
    result
}

fn answer(r: Result<Value, MlError>) -> Response {
    match r {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn upload(State(s): State<AppState>, UrlPath(rel): UrlPath<String>, body: Body) -> Response {
    let r = async {
        let p = project(&s).await?;
        p.ensure_writable(&format!("the artifact {rel}")).map_err(|e| MlError::new("PERMISSION_DENIED", e.to_string()))?;
        write_body(&target(&p, &rel)?, body).await?;
        Ok(json!({}))
    };
    answer(r.await)
}

async fn download(State(s): State<AppState>, UrlPath(rel): UrlPath<String>) -> Response {
    let r = async {
        let p = project(&s).await?;
        let path = target(&p, &rel)?;
        let file = match tokio::fs::File::open(&path).await {
            Ok(f) if !path.is_dir() => f,
            _ => return Err(MlError::not_found(format!("no artifact at `{rel}`"))),
        };
        let len = file.metadata().await.map(|m| m.len()).ok();
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/octet-stream"));
        if let Some(len) = len {
            headers.insert(header::CONTENT_LENGTH, header::HeaderValue::from(len));
        }
        Ok((headers, Body::from_stream(crate::files::chunks(file))).into_response())
    };
    match r.await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn remove(State(s): State<AppState>, UrlPath(rel): UrlPath<String>) -> Response {
    let r = async {
        let p = project(&s).await?;
        p.ensure_writable(&format!("deleting {rel}")).map_err(|e| MlError::new("PERMISSION_DENIED", e.to_string()))?;
        let path = target(&p, &rel)?;
        let res = if path.is_dir() { tokio::fs::remove_dir_all(&path).await } else { tokio::fs::remove_file(&path).await };
        match res {
            Ok(()) => Ok(json!({})),
            // Deleting what is not there changes nothing, as with MLflow's local repository.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(json!({})),
            Err(e) => Err(io(&path, e)),
        }
    };
    answer(r.await)
}

/// One folder's entries, sorted, each named by `prefix` + its name; folders carry no size.
pub fn entries(dir: &Path, prefix: &str) -> Vec<Value> {
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<(String, Value)> = Vec::new();
    for e in read.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        // Uploads in flight and multipart staging are not artifacts yet.
        if name.starts_with('.') && name.contains(".upload-") {
            continue;
        }
        let Ok(meta) = e.metadata() else { continue };
        let path = format!("{prefix}{name}");
        let v = if meta.is_dir() {
            json!({"path": path, "is_dir": true})
        } else {
            json!({"path": path, "is_dir": false, "file_size": meta.len()})
        };
        out.push((name, v));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter().map(|(_, v)| v).collect()
}

/// `GET …/mlflow-artifacts/artifacts?path=dir`: the folder's entries, named relative to it.
async fn list(State(s): State<AppState>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let r = async {
        let p = project(&s).await?;
        let rel = q.iter().find(|(k, _)| k == "path").map(|(_, v)| v.clone()).unwrap_or_default();
        let dir = target(&p, &rel)?;
        let files = tokio::task::spawn_blocking(move || entries(&dir, "")).await.unwrap_or_default();
        Ok(json!({"files": files}))
    };
    answer(r.await)
}

/// `GET /mlflow/artifacts/list?run_id&path`: a run's files under `path`, named from the run's root.
pub fn list_run(c: &Ctx, f: &Fields) -> Reply {
    let run = c.project.get_run(&f.run_id()?)?;
    let rel = f.str_or_empty("path")?;
    let parts = cairn_store::tracking::artifact_parts(&rel).map_err(|e| MlError::invalid(e.to_string()))?;
    let root = c.project.artifact_dir(&run.info.artifact_uri);
    let dir = parts.iter().fold(root, |d, p| d.join(p));
    let prefix = if parts.is_empty() { String::new() } else { format!("{}/", parts.join("/")) };
    let files = if dir.is_dir() { entries(&dir, &prefix) } else { Vec::new() };
    Ok(json!({"root_uri": wire::run_artifact_uri(&c.project, &run.info), "files": files}))
}

// ---- Multipart uploads: parts are staged under .cairn/artifacts/.uploads/<id>/, joined on complete. ----

fn uploads_dir(p: &Project) -> PathBuf {
    p.root().join(".cairn/artifacts/.uploads")
}

fn upload_dir(p: &Project, id: &str) -> Result<PathBuf, MlError> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(MlError::not_found(format!("no multipart upload `{id}`")));
    }
    let dir = uploads_dir(p).join(id);
    if !dir.is_dir() {
        return Err(MlError::not_found(format!("no multipart upload `{id}` (completed or aborted already?)")));
    }
    Ok(dir)
}

/// Where a multipart upload lands: the URL names the folder, `path` the client's local file, whose name
/// is kept (as MLflow's artifact stores do).
fn upload_target(dir: &str, f: &Fields) -> Result<String, MlError> {
    let local = f.str("path")?;
    let name = local.rsplit(['/', '\\']).next().unwrap_or_default();
    if name.is_empty() || name == "." || name == ".." {
        return Err(MlError::invalid(format!("Invalid value '{local}' for parameter 'path' supplied: it names no file")));
    }
    let dir = dir.trim_end_matches('/');
    Ok(if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") })
}

async fn mpu_create(State(s): State<AppState>, headers: HeaderMap, UrlPath(rel): UrlPath<String>, f: Fields) -> Response {
    let r = async {
        let p = project(&s).await?;
        let rel = upload_target(&rel, &f)?;
        target(&p, &rel)?;
        let parts = f.opt_i64("num_parts")?.unwrap_or(1);
        if !(1..=10_000).contains(&parts) {
            return Err(MlError::invalid(format!("Invalid value {parts} for parameter 'num_parts' supplied: use 1 to 10000")));
        }
        let id = random_hex();
        let dir = uploads_dir(&p).join(&id);
        tokio::fs::create_dir_all(&dir).await.map_err(|e| io(&dir, e))?;
        tokio::fs::write(dir.join("target"), rel.as_bytes()).await.map_err(|e| io(&dir, e))?;
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
        let credentials: Vec<Value> = (1..=parts)
            .map(|n| {
                json!({
                    "url": format!("http://{host}/api/2.0/mlflow-artifacts/mpu/part/{id}/{n}"),
                    "part_number": n,
                    "headers": {"Authorization": format!("Bearer {}", s.token)},
                })
            })
            .collect();
        Ok(json!({"upload_id": id, "credentials": credentials}))
    };
    answer(r.await)
}

async fn mpu_part(State(s): State<AppState>, UrlPath((id, part)): UrlPath<(String, u32)>, body: Body) -> Response {
    let r = async {
        let p = project(&s).await?;
        let dir = upload_dir(&p, &id)?;
        let bytes = write_body(&dir.join(format!("part-{part:05}")), body).await?;
        Ok::<_, MlError>(format!("\"{part}-{bytes}\""))
    };
    match r.await {
        Ok(etag) => ([(header::ETAG, etag)], axum::Json(json!({}))).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn mpu_complete(State(s): State<AppState>, UrlPath(rel): UrlPath<String>, f: Fields) -> Response {
    let r = async {
        let p = project(&s).await?;
        let id = f.str("upload_id")?;
        let dir = upload_dir(&p, &id)?;
        let mut numbers: Vec<i64> = f.objects("parts")?.iter().map(|part| part.i64("part_number")).collect::<Result<_, _>>()?;
        numbers.sort_unstable();
        let dest = target(&p, &upload_target(&rel, &f)?)?;
        let staged = dir.clone();
        let joined = tokio::task::spawn_blocking(move || -> Result<(), MlError> {
            let parent = dest.parent().ok_or_else(|| MlError::invalid("an artifact needs a file name"))?;
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            let tmp = staged.join("joined");
            let mut out = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
            for n in &numbers {
                let part = staged.join(format!("part-{n:05}"));
                let mut input =
                    std::fs::File::open(&part).map_err(|_| MlError::invalid(format!("part {n} of upload {id} was never uploaded")))?;
                std::io::copy(&mut input, &mut out).map_err(|e| io(&tmp, e))?;
            }
            drop(out);
            std::fs::rename(&tmp, &dest).map_err(|e| io(&dest, e))?;
            let _ = std::fs::remove_dir_all(&staged);
            Ok(())
        })
        .await;
        joined.map_err(|_| MlError::internal("joining the upload's parts stopped on an internal error"))??;
        Ok(json!({}))
    };
    answer(r.await)
}

async fn mpu_abort(State(s): State<AppState>, UrlPath(_rel): UrlPath<String>, f: Fields) -> Response {
    let r = async {
        let p = project(&s).await?;
        let dir = upload_dir(&p, &f.str("upload_id")?)?;
        tokio::fs::remove_dir_all(&dir).await.map_err(|e| io(&dir, e))?;
        Ok(json!({}))
    };
    answer(r.await)
}
