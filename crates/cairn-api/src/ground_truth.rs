//! Ground truth for captured requests: labels keyed by inference id, written as SageMaker writes them
//! (`{"groundTruthData":{"data":"1","encoding":"CSV"},"eventMetadata":{"eventId":"…"},"eventVersion":"0"}`)
//! into hourly files beside the capture, `ground-truth/<endpoint>/YYYY/MM/DD/HH/`, ready for monitoring
//! to join on the capture's inference id.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use cairn_types::{ApiError, ErrorCode, GroundTruthReport, GroundTruthUpload};
use serde_json::{Value, json};

use crate::Studio;
use crate::endpoints::capture_dir;

/// Uploads larger than this are refused (split them).
const MAX_LABELS: usize = 5_000_000;

/// The labels of an upload: (inference id, label), from CSV (`inference_id,label`) or SageMaker's JSONL.
fn parse(text: &str) -> Result<Vec<(String, String)>, ApiError> {
    let text = text.trim_start_matches('\u{feff}');
    let bad = |line: usize, what: String| {
        ApiError::new(ErrorCode::ParseError, format!("ground truth, line {line}: {what}"))
            .with_hint("give CSV with the columns inference_id,label, or SageMaker's ground-truth JSON lines")
    };
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).peekable();
    let json_lines = lines.peek().is_some_and(|(_, l)| l.trim_start().starts_with('{'));
    if json_lines {
        for (i, line) in lines {
            let v: Value = serde_json::from_str(line).map_err(|e| bad(i + 1, format!("not JSON ({e})")))?;
            let id = v.pointer("/eventMetadata/eventId").or_else(|| v.pointer("/eventMetadata/inferenceId")).and_then(Value::as_str);
            let data = v.pointer("/groundTruthData/data").and_then(Value::as_str);
            match (id, data) {
                (Some(id), Some(d)) if !id.is_empty() => out.push((id.to_string(), d.to_string())),
                _ => return Err(bad(i + 1, "needs eventMetadata.eventId and groundTruthData.data".into())),
            }
        }
    } else {
        let mut rows = lines;
        let Some((_, header)) = rows.next() else { return Ok(out) };
        let names: Vec<String> = split_csv(header).into_iter().map(|h| h.trim().to_ascii_lowercase()).collect();
        let find = |want: &[&str]| names.iter().position(|n| want.contains(&n.as_str()));
        let (Some(id_col), Some(label_col)) =
            (find(&["inference_id", "inferenceid", "event_id"]), find(&["label", "ground_truth", "groundtruth"]))
        else {
            return Err(bad(1, format!("the header `{header}` has no inference_id and label columns")));
        };
        for (i, line) in rows {
            let cells = split_csv(line);
            match (cells.get(id_col), cells.get(label_col)) {
                (Some(id), Some(label)) if !id.trim().is_empty() => out.push((id.trim().to_string(), label.clone())),
                _ => return Err(bad(i + 1, format!("expected {} fields with an inference id, found `{line}`", names.len()))),
            }
        }
    }
    if out.len() > MAX_LABELS {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge, format!("{} labels in one upload; at most {MAX_LABELS}", out.len()))
            .with_hint("upload them in several files"));
    }
    Ok(out)
}

/// One CSV record's fields (quotes as RFC 4180 writes them).
fn split_csv(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Every inference id (else event id) in an endpoint's capture files.
fn captured_ids(dir: &Path) -> HashSet<String> {
    let captured = cairn_serve::read_window(dir, None, None).unwrap_or_default();
    captured.into_iter().flat_map(|c| c.inference_id.into_iter().chain(Some(c.event_id))).filter(|id| !id.is_empty()).collect()
}

impl Studio {
    /// Writes labels for an endpoint's captured requests; says how many match a captured inference id.
    pub fn upload_ground_truth(&self, pid: &str, name: &str, upload: &GroundTruthUpload) -> Result<GroundTruthReport, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("ground truth")?;
        project.endpoint(name)?.ok_or_else(|| {
            ApiError::new(ErrorCode::EndpointNotFound, format!("the project has no endpoint `{name}`"))
                .with_hint("upload labels for an endpoint that captured requests")
        })?;
        let labels = parse(&upload.text)?;
        if labels.is_empty() {
            return Err(ApiError::new(ErrorCode::EmptyFile, "the ground truth holds no labels").with_hint("give one line per inference id"));
        }
        let now = self.now();
        let (days, rest) = (now.div_euclid(86_400_000), now.rem_euclid(86_400_000));
        let date = cairn_types::words::iso_date(days).replace('-', "/");
        let rel = format!("ground-truth/{name}/{date}/{:02}/{now}-{}.jsonl", rest / 3_600_000, crate::new_id("gt"));
        let path = project.root().join(&rel);
        let io = |e: std::io::Error| ApiError::new(ErrorCode::Io, format!("cannot write {}: {e}", path.display()));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut text = String::new();
        for (id, label) in &labels {
            let line =
                json!({"groundTruthData": {"data": label, "encoding": "CSV"}, "eventMetadata": {"eventId": id}, "eventVersion": "0"});
            text.push_str(&line.to_string());
            text.push('\n');
        }
        let mut f = std::fs::File::create(&path).map_err(io)?;
        f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(io)?;
        let ids = captured_ids(&capture_dir(&project, name));
        let matched = labels.iter().filter(|(id, _)| ids.contains(id)).count();
        Ok(GroundTruthReport { written: labels.len(), matched, file: rel })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_csv_and_jsonl() {
        let csv = parse("\u{feff}inference_id,label\na-1,1\n\"b,2\",\"x \"\"y\"\"\"\n").unwrap_or_default();
        assert_eq!(csv, vec![("a-1".into(), "1".into()), ("b,2".into(), "x \"y\"".into())]);
        let jl = r#"{"groundTruthData":{"data":"0","encoding":"CSV"},"eventMetadata":{"eventId":"e1"},"eventVersion":"0"}"#;
        assert_eq!(parse(jl).unwrap_or_default(), vec![("e1".to_string(), "0".to_string())]);
        let err = parse("id,y\n1,2").err().map(|e| e.message).unwrap_or_default();
        assert!(err.contains("line 1") && err.contains("inference_id"), "{err}");
        let err = parse("inference_id,label\n,1").err().map(|e| e.message).unwrap_or_default();
        assert!(err.contains("line 2"), "{err}");
    }
}
