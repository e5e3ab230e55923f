//! Every kind of bad request, one test each: the status, Cairn's error code and a message that names
//! the thing at fault; and the endpoint keeps serving afterwards.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::json;

use crate::{KEY, adult_lines, client, config, json as parse, models, post, serve_one, variant, write_config};

/// adult.csv's header and one held-out row, as CSV lines.
fn header_and_row() -> (String, String) {
    let (header, lines) = adult_lines();
    (header.clone(), lines[6000].clone())
}

/// A row with one column's value replaced (or the column dropped when `value` is None).
fn edited(column: &str, value: Option<&str>) -> String {
    let (header, row) = header_and_row();
    let names: Vec<&str> = header.split(',').collect();
    let cells: Vec<&str> = row.split(',').collect();
    let keep: Vec<(String, String)> = names
        .iter()
        .zip(&cells)
        .filter_map(|(n, c)| match (*n == column, value) {
            (true, None) => None,
            (true, Some(v)) => Some((n.to_string(), v.to_string())),
            (false, _) => Some((n.to_string(), c.to_string())),
        })
        .collect();
    let (h, r): (Vec<String>, Vec<String>) = keep.into_iter().unzip();
    format!("{}\n{}\n", h.join(","), r.join(","))
}

fn error(body: &str) -> (String, String) {
    let v = parse(body);
    (v["code"].as_str().unwrap_or_default().to_string(), v["message"].as_str().unwrap_or_default().to_string())
}

#[test]
fn a_missing_column_is_400_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &models().gbm);
    let (s, _, body) = post(&format!("http://{}/invocations", ep.addr), "text/csv", edited("age", None));
    assert_eq!(s, 400, "{body}");
    let (code, message) = error(&body);
    assert_eq!(code, "COLUMN_NOT_FOUND");
    assert!(message.contains("'age'"), "{message}");
    assert_eq!(parse(&body)["error_code"], "BAD_REQUEST");
    assert!(parse(&body)["hint"].as_str().is_some_and(|h| !h.is_empty()));
}

#[test]
fn an_extra_column_is_ignored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &models().gbm);
    let inv = format!("http://{}/invocations", ep.addr);
    let (header, row) = header_and_row();
    let (s1, _, plain) = post(&inv, "text/csv", format!("{header}\n{row}\n"));
    let (s2, _, extra) = post(&inv, "text/csv", format!("{header},note\n{row},hello\n"));
    assert_eq!((s1, s2), (200, 200), "{plain} {extra}");
    assert_eq!(plain, extra);
}

#[test]
fn a_wrong_type_is_400_naming_column_and_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &models().gbm);
    let base = format!("http://{}", ep.addr);
    let (s, _, body) = post(&format!("{base}/invocations"), "text/csv", edited("age", Some("forty")));
    assert_eq!(s, 400, "{body}");
    let (code, message) = error(&body);
    assert_eq!(code, "TYPE_MISMATCH");
    assert!(message.contains("'age'") && message.contains("'forty'"), "{message}");

    let (s, _, body) =
        post(&format!("{base}/invocations"), "application/json", json!({"dataframe_records": [{"age": [1, 2]}]}).to_string());
    assert_eq!(s, 400, "{body}");
    assert!(error(&body).1.contains("'age'"), "{body}");

    let v2 = json!({"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": ["abc"]}]});
    let (s, _, body) = post(&format!("{base}/v2/models/census/infer"), "application/json", v2.to_string());
    assert_eq!(s, 400, "{body}");
    let e = parse(&body)["error"].as_str().unwrap_or_default().to_string();
    assert!(e.contains("'age'") && e.contains("abc"), "{body}");
}

#[test]
fn an_empty_body_is_400() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &models().gbm);
    let base = format!("http://{}", ep.addr);
    let (header, _) = header_and_row();
    for (ct, body) in [
        ("text/csv", String::new()),
        ("text/csv", " \n\n".into()),
        ("application/json", String::new()),
        ("text/csv", format!("{header}\n")),
    ] {
        let (s, _, text) = post(&format!("{base}/invocations"), ct, body.clone());
        assert_eq!(s, 400, "{body:?}: {text}");
        assert!(!error(&text).1.is_empty());
    }
    for body in [json!({}), json!({"dataframe_records": []}), json!({"instances": [], "inputs": []})] {
        let (s, _, text) = post(&format!("{base}/invocations"), "application/json", body.to_string());
        assert_eq!(s, 400, "{body}: {text}");
    }
    let (s, _, text) = post(&format!("{base}/v2/models/census/infer"), "application/json", "");
    assert_eq!(s, 400, "{text}");
    assert!(parse(&text)["error"].is_string(), "{text}");
}

/// Sends a request's head, then `len` bytes of body from another thread, and returns the response's
/// first bytes (status line, headers, body) as read while the body is still being sent.
fn raw_request(addr: SocketAddr, head: &str, len: usize, chunked: bool) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    stream.write_all(head.as_bytes()).expect("head");
    let mut writer = stream.try_clone().expect("clone");
    let sender = std::thread::spawn(move || {
        let block = vec![b'1'; 64 << 10];
        let mut sent = 0;
        while sent < len {
            let n = block.len().min(len - sent);
            let ok = if chunked {
                writer
                    .write_all(format!("{n:x}\r\n").as_bytes())
                    .and_then(|_| writer.write_all(&block[..n]))
                    .and_then(|_| writer.write_all(b"\r\n"))
            } else {
                writer.write_all(&block[..n])
            };
            if ok.is_err() {
                return;
            }
            sent += n;
        }
        let _ = if chunked { writer.write_all(b"0\r\n\r\n") } else { Ok(()) };
    });
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&got).contains("}") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    drop(stream);
    let _ = sender.join();
    String::from_utf8_lossy(&got).into_owned()
}

#[test]
fn a_body_over_the_limit_is_413() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &models().gbm);
    let size = 100 << 20;
    let head = format!(
        "POST /invocations HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {KEY}\r\nContent-Type: text/csv\r\nContent-Length: {size}\r\n\r\n",
        ep.addr
    );
    let answer = raw_request(ep.addr, &head, size, false);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("PAYLOAD_TOO_LARGE") && answer.contains("8388608"), "{answer}");
    // Without a length up front, the limit stops the reading.
    let head = format!(
        "POST /invocations HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {KEY}\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n",
        ep.addr
    );
    let answer = raw_request(ep.addr, &head, 12 << 20, true);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Still serving.
    let (header, row) = header_and_row();
    let (s, _, body) = post(&format!("http://{}/invocations", ep.addr), "text/csv", format!("{header}\n{row}\n"));
    assert_eq!(s, 200, "{body}");
}

#[test]
fn a_body_that_is_not_utf8_is_400_bad_encoding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &models().gbm);
    let (header, row) = header_and_row();
    let mut body = format!("{header}\n").into_bytes();
    body.extend_from_slice(&row.replacen("State-gov", "St\u{e9}", 1).into_bytes());
    body.extend_from_slice(b"\xff\xfe\n");
    for ct in ["text/csv", "application/json"] {
        let (s, _, text) = post(&format!("http://{}/invocations", ep.addr), ct, body.clone());
        assert_eq!(s, 400, "{text}");
        assert_eq!(error(&text).0, "BAD_ENCODING", "{text}");
    }
}

#[test]
fn an_unknown_content_type_is_415() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &models().gbm);
    let inv = format!("http://{}/invocations", ep.addr);
    let (header, row) = header_and_row();
    let csv = format!("{header}\n{row}\n");
    for ct in
        ["application/xml", "text/plain", "text/csv; charset=latin-1", "application/json; format=pandas-split", "application/x-parquet"]
    {
        let (s, _, text) = post(&inv, ct, csv.clone());
        assert_eq!(s, 415, "{ct}: {text}");
        assert_eq!(error(&text).0, "UNSUPPORTED_MEDIA_TYPE", "{text}");
    }
    let r = client().post(&inv).bearer_auth(KEY).body(csv.clone()).send().expect("send");
    assert_eq!(r.status().as_u16(), 415, "no content type");
    let (s, _, text) = post(&inv, "Text/CSV; Charset=\"UTF-8\"", csv);
    assert_eq!(s, 200, "media types are case-insensitive: {text}");
    let (s, _, text) = post(&format!("http://{}/v2/models/census/infer", ep.addr), "text/csv", "a,b\n1,2\n");
    assert_eq!(s, 415, "{text}");
    assert!(parse(&text)["error"].is_string(), "{text}");
}

#[test]
fn a_wrong_key_is_401_and_health_checks_need_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &models().gbm);
    let base = format!("http://{}", ep.addr);
    let (header, row) = header_and_row();
    let c = client();
    for key in [Some("wrong"), Some(""), None] {
        let mut r = c.post(format!("{base}/invocations")).header("content-type", "text/csv").body(format!("{header}\n{row}\n"));
        if let Some(k) = key {
            r = r.bearer_auth(k);
        }
        let r = r.send().expect("send");
        assert_eq!(r.status().as_u16(), 401, "key {key:?}");
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        assert_eq!(error(&r.text().expect("text")).0, "UNAUTHORIZED");
    }
    for path in ["/metrics", "/_cairn/stats", "/version", "/v2", "/v2/models/census", "/v2/models/census/ready"] {
        let r = c.get(format!("{base}{path}")).bearer_auth("nope").send().expect("send");
        assert_eq!(r.status().as_u16(), 401, "{path}");
        let body = r.text().expect("text");
        if path.starts_with("/v2") {
            assert!(parse(&body)["error"].is_string(), "{path}: {body}");
        }
    }
    let r = c.post(format!("{base}/_cairn/reload")).send().expect("send");
    assert_eq!(r.status().as_u16(), 401);
    for path in ["/ping", "/health", "/v2/health/live", "/v2/health/ready"] {
        assert_eq!(c.get(format!("{base}{path}")).send().expect("send").status().as_u16(), 200, "{path}");
    }
    let stats = parse(&c.get(format!("{base}/_cairn/stats")).bearer_auth(KEY).send().expect("stats").text().expect("text"));
    assert!(stats["unauthorized"].as_u64().unwrap_or(0) >= 10, "{stats}");
}

#[test]
fn a_failing_model_answers_500_and_the_endpoint_keeps_serving() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = models();
    let cfg = config(dir.path(), vec![variant("good", &m.gbm, 1.0), variant("broken", &m.broken, 1.0)], None, 8 << 20);
    let ep = cairn_serve::spawn(&write_config(dir.path(), &cfg)).expect("start");
    let base = format!("http://{}", ep.addr);
    let (header, _) = adult_lines();
    let rows: Vec<String> = adult_lines().1[7000..7020].to_vec();
    let body = format!("{header}\n{}\n", rows.join("\n"));
    let send = |target: &str| {
        let r = client()
            .post(format!("{base}/invocations"))
            .bearer_auth(KEY)
            .header("content-type", "text/csv")
            .header("x-amzn-sagemaker-target-variant", target)
            .body(body.clone())
            .send()
            .expect("send");
        (r.status().as_u16(), r.text().expect("text"))
    };
    for _ in 0..3 {
        let (s, text) = send("broken");
        assert_eq!(s, 500, "{text}");
        let (code, message) = error(&text);
        assert_eq!(code, "INTERNAL");
        assert!(message.contains("failed"), "{message}");
        let (s, text) = send("good");
        assert_eq!(s, 200, "{text}");
    }
    let (s, text) = send("nope");
    assert_eq!(s, 400, "{text}");
    let metrics = client().get(format!("{base}/metrics")).bearer_auth(KEY).send().expect("metrics").text().expect("text");
    assert!(metrics.contains("variant=\"broken\",model=\"adult\",version=\"1\",status=\"500\"} 3"), "{metrics}");
}
