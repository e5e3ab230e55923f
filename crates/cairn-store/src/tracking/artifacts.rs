//! Where artifacts live on disk, whichever URI names them: a run's `file://` URI, MLflow's proxied
//! `mlflow-artifacts:/<experiment>/<run id>/artifacts/…` form, or a plain path. A run's files are kept in
//! one folder, `.cairn/artifacts/runs/<run id>/`, whether Cairn's training wrote them or a Python script
//! uploaded them through the MLflow API, so every view of a run lists the same files.

use std::path::{Path, PathBuf};

use crate::project::Project;
use crate::tracking::names::is_run_id;

/// The scheme of MLflow's artifact proxy.
pub const PROXY_SCHEME: &str = "mlflow-artifacts:";

/// Why a path under the artifact proxy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid artifact path `{path}`: {reason}")]
pub struct BadArtifactPath {
    pub path: String,
    pub reason: &'static str,
}

/// Checks a relative artifact path (`a/b.txt`) and splits it into its parts: no absolute paths, no `..`,
/// no empty or `.` parts (a trailing slash is allowed), no backslashes or NUL.
pub fn artifact_parts(rel: &str) -> Result<Vec<&str>, BadArtifactPath> {
    let bad = |reason| BadArtifactPath { path: rel.chars().take(200).collect(), reason };
    if rel.starts_with('/') {
        return Err(bad("it is absolute; give a path relative to the artifact root"));
    }
    if rel.contains('\\') || rel.contains('\0') {
        return Err(bad("it contains a backslash or a NUL character"));
    }
    let trimmed = rel.strip_suffix('/').unwrap_or(rel);
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = trimmed.split('/').collect();
    if parts.iter().any(|p| p.is_empty() || *p == "." || *p == "..") {
        return Err(bad("it has an empty, `.` or `..` part"));
    }
    Ok(parts)
}

/// Decodes `%XX` escapes (as `file://` URIs carry them); anything malformed is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Project {
    fn artifacts_root(&self) -> PathBuf {
        self.root().join(".cairn/artifacts")
    }

    /// The `file://` URI a run gets when its experiment has no artifact location of its own.
    pub fn default_run_artifact_uri(&self, run_id: &str) -> String {
        self.artifact_uri("runs", run_id)
    }

    /// Where a path under MLflow's artifact proxy is kept. `<experiment>/<run id>/artifacts/…` is the run's
    /// folder, `<experiment>/models/<model id>/artifacts/…` a logged model's, anything else sits under
    /// `.cairn/artifacts/mlflow/`. The path is checked first (no `..`, no absolute paths).
    pub fn proxied_artifact_path(&self, rel: &str) -> Result<PathBuf, BadArtifactPath> {
        let parts = artifact_parts(rel)?;
        let root = self.artifacts_root();
        let (base, rest) = match parts.as_slice() {
            [_, run, "artifacts", rest @ ..] if is_run_id(run) => (root.join("runs").join(run), rest),
            [_, "models", model, "artifacts", rest @ ..] if model.starts_with("m-") => (root.join("models").join(model), rest),
            all => (root.join("mlflow"), all),
        };
        Ok(rest.iter().fold(base, |p, part| p.join(part)))
    }

    /// The folder an artifact URI names: `file://` URIs (percent-decoded), `mlflow-artifacts:` URIs served
    /// by the artifact proxy, and plain paths.
    pub fn artifact_dir(&self, uri: &str) -> PathBuf {
        if let Some(path) = uri.strip_prefix("file://") {
            // file:///abs/path, or file://localhost/abs/path.
            let path = path.strip_prefix("localhost").unwrap_or(path);
            return PathBuf::from(percent_decode(path));
        }
        if let Some(rest) = uri.strip_prefix(PROXY_SCHEME) {
            // mlflow-artifacts:/path, or mlflow-artifacts://host:port/path.
            let path = match rest.strip_prefix("//") {
                Some(with_host) => with_host.find('/').map_or("", |i| &with_host[i..]),
                None => rest,
            };
            let rel = percent_decode(path.trim_start_matches('/'));
            return self.proxied_artifact_path(&rel).unwrap_or_else(|_| self.artifacts_root().join("mlflow"));
        }
        Path::new(uri).to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_refuse_escapes() {
        assert_eq!(artifact_parts("a/b.txt").ok(), Some(vec!["a", "b.txt"]));
        assert_eq!(artifact_parts("dir/").ok(), Some(vec!["dir"]));
        assert_eq!(artifact_parts("").ok(), Some(vec![]));
        for bad in ["/etc/passwd", "a/../b", "..", "a//b", "./a", "a\\b"] {
            assert!(artifact_parts(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("/tmp/my%20project/x"), "/tmp/my project/x");
        assert_eq!(percent_decode("/a%zz"), "/a%zz");
        assert_eq!(percent_decode("/caf%C3%A9"), "/café");
    }
}
