//! Captured traffic read back: the lines an endpoint wrote (see `capture`) in a time window, and their
//! request rows as a table — what monitoring compares with a baseline and what ground truth joins on.
//! Hour folders outside the window are not opened; lines cut short by a crash or not JSON are skipped.

use std::path::{Path, PathBuf};

use base64::Engine;
use cairn_types::ApiError;
use polars::prelude::{Column, DataFrame};
use serde_json::Value;

use crate::body;

/// One half of a captured exchange, as SageMaker's capture line holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct CapturedBody {
    pub content_type: String,
    /// `CSV`, `JSON` or `BASE64`.
    pub encoding: String,
    pub data: String,
}

impl CapturedBody {
    /// The body's bytes (base64 decoded when so encoded).
    pub fn bytes(&self) -> Vec<u8> {
        if self.encoding == "BASE64" {
            base64::engine::general_purpose::STANDARD.decode(&self.data).unwrap_or_default()
        } else {
            self.data.as_bytes().to_vec()
        }
    }
}

/// One captured request.
#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    pub event_id: String,
    pub inference_id: Option<String>,
    /// Milliseconds since the Unix epoch (the capture's `inferenceTime`, to the second).
    pub time_ms: i64,
    pub input: Option<CapturedBody>,
    pub output: Option<CapturedBody>,
}

impl Captured {
    /// The inference id the client gave, else the event id.
    pub fn id(&self) -> &str {
        self.inference_id.as_deref().unwrap_or(&self.event_id)
    }
}

/// Milliseconds of a `YYYY-MM-DDTHH:MM:SSZ` time, if it is one.
pub fn parse_time(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000)
}

fn body_of(v: &Value) -> Option<CapturedBody> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    v.is_object().then(|| CapturedBody { content_type: s("observedContentType"), encoding: s("encoding"), data: s("data") })
}

/// A capture line as a [`Captured`], if it is one.
fn captured(v: &Value) -> Option<Captured> {
    let meta = v.get("eventMetadata")?;
    let text = |k: &str| meta.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let data = v.get("captureData");
    Some(Captured {
        event_id: text("eventId").unwrap_or_default(),
        inference_id: text("inferenceId"),
        time_ms: parse_time(&text("inferenceTime")?)?,
        input: data.and_then(|d| d.get("endpointInput")).and_then(body_of),
        output: data.and_then(|d| d.get("endpointOutput")).and_then(body_of),
    })
}

/// The hour an `YYYY/MM/DD/HH` folder under `dir` stands for, in milliseconds.
fn folder_hour(dir: &Path, folder: &Path) -> Option<i64> {
    let rel = folder.strip_prefix(dir).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let [y, m, d, h] = parts.as_slice() else { return None };
    parse_time(&format!("{y}-{m}-{d}T{h}:00:00Z"))
}

/// Every captured request under an endpoint's capture folder whose time is in `[since, until)`, oldest
/// first. A missing folder is no traffic.
pub fn read_window(dir: &Path, since_ms: Option<i64>, until_ms: Option<i64>) -> std::io::Result<Vec<Captured>> {
    const HOUR: i64 = 3_600_000;
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                // An hour folder wholly outside the window is not read.
                if let Some(h) = folder_hour(dir, &p)
                    && (since_ms.is_some_and(|s| h + HOUR <= s) || until_ms.is_some_and(|u| h >= u))
                {
                    continue;
                }
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl") {
                files.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for f in files {
        for v in crate::capture::read_capture(&f)? {
            if let Some(c) = captured(&v).filter(|c| since_ms.is_none_or(|s| c.time_ms >= s) && until_ms.is_none_or(|u| c.time_ms < u)) {
                out.push(c);
            }
        }
    }
    out.sort_by(|a, b| a.time_ms.cmp(&b.time_ms).then_with(|| a.event_id.cmp(&b.event_id)));
    Ok(out)
}

/// The rows the captured requests sent, as text columns (a column no request sent is left out), with
/// `inference_id` (the request's) and `row` (its place in the request) first. `columns` names the
/// values of rows sent without names (a CSV body without a header, lists of values), in order.
/// Returns the table and how many captured requests could not be read as rows (they are left out).
pub fn request_rows(captured: &[Captured], columns: &[String]) -> Result<(DataFrame, usize), ApiError> {
    let mut names: Vec<String> = Vec::new();
    let mut cells: Vec<Vec<Option<String>>> = Vec::new();
    let (mut ids, mut rows_in) = (Vec::new(), Vec::new());
    let mut unreadable = 0;
    for c in captured {
        let Some(input) = &c.input else { continue };
        let bytes = input.bytes();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            unreadable += 1;
            continue;
        };
        let value;
        let table = if input.encoding == "CSV" || input.content_type.to_ascii_lowercase().starts_with("text/csv") {
            body::csv(text, columns)
        } else {
            match serde_json::from_str::<Value>(&body::python_json(text)) {
                Ok(v) => {
                    value = v;
                    body::json(&value, columns)
                }
                Err(_) => {
                    unreadable += 1;
                    continue;
                }
            }
        };
        let Ok(table) = table else {
            unreadable += 1;
            continue;
        };
        let before = ids.len();
        for (i, name) in table.names.iter().enumerate() {
            if table.names[..i].contains(name) {
                continue;
            }
            let at = match names.iter().position(|n| n == name.as_ref()) {
                Some(at) => at,
                None => {
                    names.push(name.to_string());
                    cells.push(vec![None; before]);
                    names.len() - 1
                }
            };
            cells[at].extend(table.columns[i].iter().map(|c| c.as_deref().map(str::to_string)));
        }
        for r in 0..table.rows {
            ids.push(c.id().to_string());
            rows_in.push(r as u32);
        }
        // Columns this request did not send are missing for its rows.
        for col in &mut cells {
            col.resize(ids.len(), None);
        }
    }
    let height = ids.len();
    let mut out = vec![Column::new("inference_id".into(), ids), Column::new("row".into(), rows_in)];
    out.extend(names.iter().zip(cells).map(|(n, c)| Column::new(n.as_str().into(), c)));
    let df = DataFrame::new(height, out)
        .map_err(|e| ApiError::new(cairn_types::ErrorCode::Internal, format!("the captured rows as a table: {e}")))?;
    Ok((df, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_written() {
        for ms in [0_i64, 1_709_622_489_000, 951_782_400_000, 4_102_444_799_000] {
            assert_eq!(parse_time(&crate::capture::iso_time(ms)), Some(ms), "{ms}");
        }
        assert_eq!(parse_time("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn a_window_reads_its_hours_and_rows() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let files = crate::capture::CaptureFiles::new(0);
        let at = |h: i64| 1_709_622_489_000 + h * 3_600_000;
        for (h, id, body) in
            [(0, "a", "x,y\n1,2\n3,\n"), (1, "b", "{\"dataframe_records\": [{\"y\": 5, \"z\": \"k\"}]}"), (3, "c", "7,8\n")]
        {
            let ct = if body.starts_with('{') { "application/json" } else { "text/csv" };
            let input = crate::capture::Half { content_type: ct, data: body.as_bytes() };
            let event = crate::capture::Event {
                input: Some(input),
                output: None,
                inference_id: Some(id),
                time_ms: at(h),
                event_id: format!("e{h}"),
            };
            files.write(tmp.path(), "ep", "v1", &event).unwrap_or_else(|e| panic!("{e}"));
        }
        let all = read_window(tmp.path(), None, None).unwrap_or_default();
        assert_eq!(all.iter().map(Captured::id).collect::<Vec<_>>(), ["a", "b", "c"]);
        let window = read_window(tmp.path(), Some(at(1)), Some(at(3))).unwrap_or_default();
        assert_eq!(window.iter().map(Captured::id).collect::<Vec<_>>(), ["b"]);
        let (df, bad) = request_rows(&all, &["x".into(), "y".into()]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(bad, 0);
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["inference_id", "row", "x", "y", "z"]);
        assert_eq!(df.height(), 4);
        let y: Vec<Option<&str>> =
            df.column("y").unwrap_or_else(|e| panic!("{e}")).str().unwrap_or_else(|e| panic!("{e}")).iter().collect();
        assert_eq!(y, [Some("2"), Some(""), Some("5"), Some("8")]);
        let z: Vec<Option<&str>> =
            df.column("z").unwrap_or_else(|e| panic!("{e}")).str().unwrap_or_else(|e| panic!("{e}")).iter().collect();
        assert_eq!(z, [None, None, Some("k"), None]);
    }
}
