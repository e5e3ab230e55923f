//! Data capture in SageMaker's format: one JSON line per captured request, in hourly files
//! `dir/YYYY/MM/DD/HH/<endpoint>-<variant>-<start>-<pid>.jsonl` (the hour of the inference time, UTC).
//!
//! A line is written with one `write` of the whole line to a file opened with `O_APPEND`, under the
//! file's lock, before the request is answered: once a captured request has its answer, its line is in
//! the kernel's page cache, which survives the process being killed (`kill -9`). A thread calls `fsync`
//! on every file written to once a second, which bounds what a power loss can take to about a second.
//! A reader skips a last line without its newline (a write cut by a crash of the machine).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::json;

/// One half of a captured exchange: its content type and bytes.
pub(crate) struct Half<'a> {
    pub content_type: &'a str,
    pub data: &'a [u8],
}

/// What is captured of one request.
pub(crate) struct Event<'a> {
    pub input: Option<Half<'a>>,
    pub output: Option<Half<'a>>,
    pub inference_id: Option<&'a str>,
    /// Milliseconds since the Unix epoch.
    pub time_ms: i64,
    pub event_id: String,
}

struct Open {
    file: File,
    /// Held for a line's write: a short write finished by a second one is never interleaved.
    write: Mutex<()>,
    dirty: AtomicBool,
    hour: i64,
}

/// The capture files this process writes.
pub(crate) struct CaptureFiles {
    /// `<start>-<pid>`: one process's files never collide with another's.
    suffix: String,
    open: Mutex<HashMap<PathBuf, Arc<Open>>>,
}

/// SageMaker's encoding of a body: CSV and JSON as text, anything else (or text that is not UTF-8) in base64.
fn encode(half: &Half<'_>) -> (&'static str, String) {
    let mime = half.content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match (mime.as_str(), std::str::from_utf8(half.data)) {
        ("text/csv", Ok(text)) => ("CSV", text.to_string()),
        ("application/json", Ok(text)) => ("JSON", text.to_string()),
        _ => ("BASE64", base64::engine::general_purpose::STANDARD.encode(half.data)),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for milliseconds since the Unix epoch.
pub(crate) fn iso_time(ms: i64) -> String {
    let (days, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000) / 1000);
    format!("{}T{:02}:{:02}:{:02}Z", cairn_types::words::iso_date(days), rest / 3600, rest / 60 % 60, rest % 60)
}

/// The event as one JSON line, newline included.
pub(crate) fn line(event: &Event<'_>) -> Vec<u8> {
    let half = |h: &Half<'_>, mode: &str| {
        let (encoding, data) = encode(h);
        json!({"observedContentType": h.content_type, "mode": mode, "data": data, "encoding": encoding})
    };
    let mut capture = serde_json::Map::new();
    if let Some(h) = &event.input {
        capture.insert("endpointInput".into(), half(h, "INPUT"));
    }
    if let Some(h) = &event.output {
        capture.insert("endpointOutput".into(), half(h, "OUTPUT"));
    }
    let mut meta = serde_json::Map::new();
    meta.insert("eventId".into(), event.event_id.clone().into());
    if let Some(id) = event.inference_id {
        meta.insert("inferenceId".into(), id.into());
    }
    meta.insert("inferenceTime".into(), iso_time(event.time_ms).into());
    let value = json!({"captureData": capture, "eventMetadata": meta, "eventVersion": "0"});
    let mut out = serde_json::to_vec(&value).unwrap_or_default();
    out.push(b'\n');
    out
}

/// A name safe in a file name: letters, digits, `.`, `-` and `_` kept, the rest `_`.
fn safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}

impl CaptureFiles {
    pub fn new(started_at: i64) -> CaptureFiles {
        let start = iso_time(started_at).replace([':', 'T'], "-").trim_end_matches('Z').to_string();
        CaptureFiles { suffix: format!("{start}-{}", std::process::id()), open: Mutex::new(HashMap::new()) }
    }

    /// The file of `event`'s hour for this endpoint and variant.
    pub fn path(&self, dir: &Path, endpoint: &str, variant: &str, time_ms: i64) -> PathBuf {
        let hour = iso_time(time_ms);
        // YYYY-MM-DDTHH… → YYYY/MM/DD/HH
        let folder = format!("{}/{}/{}/{}", &hour[0..4], &hour[5..7], &hour[8..10], &hour[11..13]);
        dir.join(folder).join(format!("{}-{}-{}.jsonl", safe(endpoint), safe(variant), self.suffix))
    }

    /// Appends the event's line; returns once the line is in the file (not yet on the disk).
    pub fn write(&self, dir: &Path, endpoint: &str, variant: &str, event: &Event<'_>) -> std::io::Result<()> {
        let path = self.path(dir, endpoint, variant, event.time_ms);
        let open = self.file(&path, event.time_ms.div_euclid(3_600_000))?;
        let bytes = line(event);
        let _one = open.write.lock().unwrap_or_else(|p| p.into_inner());
        (&open.file).write_all(&bytes)?;
        open.dirty.store(true, Ordering::Release);
        Ok(())
    }

    fn file(&self, path: &Path, hour: i64) -> std::io::Result<Arc<Open>> {
        let mut map = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(o) = map.get(path) {
            return Ok(o.clone());
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let open = Arc::new(Open { file, write: Mutex::new(()), dirty: AtomicBool::new(false), hour });
        map.insert(path.to_path_buf(), open.clone());
        Ok(open)
    }

    /// Flushes every file written to since the last call to the disk, and closes files of hours before
    /// the last (a late request of such an hour opens its file again). Called every second and at exit.
    pub fn sync(&self, now_ms: i64) {
        let files: Vec<(PathBuf, Arc<Open>)> =
            self.open.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(p, o)| (p.clone(), o.clone())).collect();
        let hour = now_ms.div_euclid(3_600_000);
        for (path, open) in files {
            if open.dirty.swap(false, Ordering::AcqRel)
                && let Err(e) = open.file.sync_data()
            {
                tracing::warn!("cannot flush the capture file {}: {e}", path.display());
            }
            // An hour's file stays open through the next hour, so no writer still holds it when it closes.
            if open.hour < hour - 1 && !open.dirty.load(Ordering::Acquire) {
                self.open.lock().unwrap_or_else(|p| p.into_inner()).remove(&path);
            }
        }
    }
}

/// The events of a capture file, in order. A last line without its newline (cut short by a crash of
/// the machine) is left out, as is any line that is not JSON.
pub fn read_capture(path: &Path) -> std::io::Result<Vec<serde_json::Value>> {
    let bytes = std::fs::read(path)?;
    let complete = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(last) => &bytes[..last + 1],
        None => &[][..],
    };
    Ok(complete.split(|&b| b == b'\n').filter(|l| !l.is_empty()).filter_map(|l| serde_json::from_slice(l).ok()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_paths() {
        // 2024-03-05 07:08:09 UTC
        let ms = 1_709_622_489_000;
        assert_eq!(iso_time(ms), "2024-03-05T07:08:09Z");
        let files = CaptureFiles::new(ms);
        let p = files.path(Path::new("/cap"), "churn", "v@2", ms);
        let want = format!("/cap/2024/03/05/07/churn-v_2-2024-03-05-07-08-09-{}.jsonl", std::process::id());
        assert_eq!(p, PathBuf::from(want));
    }
}
