//! Data capture in SageMaker's JSONL format, in hourly files, sampled.

use std::path::{Path, PathBuf};

use cairn_types::CaptureConfig;
use serde_json::{Value, json};

use crate::{KEY, adult_lines, client, config, json as parse, models, post, variant, write_config};

/// Every capture file under `dir`.
pub fn capture_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn events(dir: &Path) -> Vec<Value> {
    capture_files(dir).iter().flat_map(|f| cairn_serve::read_capture(f).expect("read capture")).collect()
}

fn capture(dir: &Path, percent: f64, input: bool, output: bool) -> Option<CaptureConfig> {
    Some(CaptureConfig { percent, dir: dir.join("capture").to_string_lossy().into_owned(), input, output })
}

fn is_uuid_v4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
        && parts[2].starts_with('4')
        && matches!(parts[3].chars().next(), Some('8' | '9' | 'a' | 'b'))
}

#[test]
fn captured_requests_are_sagemaker_jsonl_in_hourly_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = config(dir.path(), vec![variant("v1", &models().gbm, 1.0)], capture(dir.path(), 100.0, true, true), 8 << 20);
    let ep = cairn_serve::spawn(&write_config(dir.path(), &cfg)).expect("start");
    let base = format!("http://{}", ep.addr);
    let (header, lines) = adult_lines();
    let csv = format!("{header}\n{}\n", lines[9000]);
    let r = client()
        .post(format!("{base}/invocations"))
        .bearer_auth(KEY)
        .header("content-type", "text/csv")
        .header("x-amzn-sagemaker-inference-id", "order-17")
        .body(csv.clone())
        .send()
        .expect("send");
    let csv_answer = r.text().expect("text");
    let body = json!({"dataframe_split": {"columns": header.split(',').collect::<Vec<_>>(), "data": [lines[9001].split(',').collect::<Vec<_>>()]}}).to_string();
    let (s, _, json_answer) = post(&format!("{base}/invocations"), "application/json", body.clone());
    assert_eq!(s, 200);
    let inputs: Vec<Value> = header
        .split(',')
        .zip(lines[9002].split(','))
        .map(|(n, v)| json!({"name": n, "shape": [1], "datatype": "BYTES", "data": [v]}))
        .collect();
    let (s, _, _) =
        post(&format!("{base}/v2/models/census/infer"), "application/json", json!({"id": "v2-req", "inputs": inputs}).to_string());
    assert_eq!(s, 200);
    // Refused requests are not captured.
    let (s, _, _) = post(&format!("{base}/invocations"), "text/csv", "age\nforty\n");
    assert_eq!(s, 400);

    let files = capture_files(&dir.path().join("capture"));
    assert_eq!(files.len(), 1, "{files:?}");
    let rel = files[0].strip_prefix(dir.path().join("capture")).expect("under the capture dir").to_string_lossy().into_owned();
    let parts: Vec<&str> = rel.split('/').collect();
    assert_eq!(parts.len(), 5, "YYYY/MM/DD/HH/file: {rel}");
    assert!(parts[4].starts_with("census-v1-") && parts[4].ends_with(&format!("-{}.jsonl", std::process::id())), "{rel}");

    let ev = events(&dir.path().join("capture"));
    assert_eq!(ev.len(), 3, "{ev:?}");
    let first = &ev[0];
    assert_eq!(first["eventVersion"], "0");
    let input = &first["captureData"]["endpointInput"];
    assert_eq!(input["observedContentType"], "text/csv");
    assert_eq!(
        (input["mode"].as_str(), input["encoding"].as_str(), input["data"].as_str()),
        (Some("INPUT"), Some("CSV"), Some(csv.as_str()))
    );
    let output = &first["captureData"]["endpointOutput"];
    assert_eq!((output["mode"].as_str(), output["encoding"].as_str()), (Some("OUTPUT"), Some("JSON")));
    assert_eq!(output["observedContentType"], "application/json");
    assert_eq!(output["data"].as_str(), Some(csv_answer.as_str()));
    let meta = &first["eventMetadata"];
    assert_eq!(meta["inferenceId"], "order-17");
    assert!(is_uuid_v4(meta["eventId"].as_str().unwrap_or_default()), "{meta}");
    let time = meta["inferenceTime"].as_str().unwrap_or_default();
    assert!(time.len() == 20 && time.ends_with('Z') && &time[10..11] == "T", "{time}");
    assert_eq!(&time[..13].replace(['-', 'T'], "/"), &parts[..4].join("/"), "the file's hour is the inference time's");

    assert_eq!(ev[1]["captureData"]["endpointInput"]["data"].as_str(), Some(body.as_str()));
    assert_eq!(ev[1]["captureData"]["endpointInput"]["encoding"], "JSON");
    assert_eq!(ev[1]["captureData"]["endpointOutput"]["data"].as_str(), Some(json_answer.as_str()));
    assert!(ev[1]["eventMetadata"].get("inferenceId").is_none(), "no id was given: {}", ev[1]);
    assert_eq!(ev[2]["eventMetadata"]["inferenceId"], "v2-req");
    let ids: std::collections::HashSet<&str> = ev.iter().filter_map(|e| e["eventMetadata"]["eventId"].as_str()).collect();
    assert_eq!(ids.len(), 3);

    let stats = parse(&client().get(format!("{base}/_cairn/stats")).bearer_auth(KEY).send().expect("stats").text().expect("text"));
    assert_eq!(stats["variants"][0]["captured"], 3);
}

#[test]
fn capture_is_sampled_and_halves_can_be_left_out() {
    let (header, lines) = adult_lines();
    let csv = format!("{header}\n{}\n", lines[9100]);
    for (percent, input, output, want) in [(0.0, true, true, 0..1), (50.0, false, true, 130..271), (100.0, true, false, 400..401)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = config(dir.path(), vec![variant("v1", &models().gbm, 1.0)], capture(dir.path(), percent, input, output), 8 << 20);
        let ep = cairn_serve::spawn(&write_config(dir.path(), &cfg)).expect("start");
        for _ in 0..400 {
            let (s, _, _) = post(&format!("http://{}/invocations", ep.addr), "text/csv", csv.clone());
            assert_eq!(s, 200);
        }
        let ev = events(&dir.path().join("capture"));
        assert!(want.contains(&ev.len()), "{percent} %: {} captured of 400", ev.len());
        for e in &ev {
            assert_eq!(e["captureData"].get("endpointInput").is_some(), input);
            assert_eq!(e["captureData"].get("endpointOutput").is_some(), output);
        }
    }
}

#[test]
fn a_reader_skips_a_torn_last_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("x.jsonl");
    std::fs::write(&file, "{\"eventVersion\":\"0\",\"n\":1}\n{\"eventVersion\":\"0\",\"n\":2}\n{\"eventVersion\":\"0\",\"n\"")
        .expect("write");
    let ev = cairn_serve::read_capture(&file).expect("read");
    assert_eq!(ev.iter().map(|e| e["n"].as_i64().unwrap_or(0)).collect::<Vec<_>>(), [1, 2]);
}
