//! Traffic shared by weight, variants picked by name, metrics and stats that count what was sent, KServe's
//! metadata, and reloads under load that drop no request.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{KEY, adult_lines, client, config, json as parse, models, variant, write_config};

fn one_row() -> String {
    let (header, lines) = adult_lines();
    format!("{header}\n{}\n", lines[8000])
}

#[test]
fn traffic_is_shared_by_weight_and_counted_per_variant() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = models();
    let cfg = config(dir.path(), vec![variant("main", &m.gbm, 3.0), variant("canary", &m.gbm2, 1.0)], None, 8 << 20);
    let ep = cairn_serve::spawn(&write_config(dir.path(), &cfg)).expect("start");
    let base = format!("http://{}", ep.addr);
    let c = client();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let n = 800;
    for _ in 0..n {
        let r =
            c.post(format!("{base}/invocations")).bearer_auth(KEY).header("content-type", "text/csv").body(one_row()).send().expect("send");
        assert_eq!(r.status().as_u16(), 200);
        *seen.entry(r.headers()["x-cairn-variant"].to_str().unwrap_or_default().to_string()).or_default() += 1;
    }
    let main = seen.get("main").copied().unwrap_or(0);
    let share = main as f64 / n as f64;
    // 3:1 → 75 %; five standard deviations of 800 draws is ±7.7 points.
    assert!((0.67..0.83).contains(&share), "main answered {main} of {n}: {seen:?}");
    // A named variant answers every time; two bad requests go to main.
    let to = |variant: &str, body: &str| {
        let r = c.post(format!("{base}/invocations")).bearer_auth(KEY).header("content-type", "text/csv");
        r.header("x-amzn-sagemaker-target-variant", variant).body(body.to_string()).send().expect("send")
    };
    for _ in 0..20 {
        assert_eq!(to("canary", &one_row()).headers()["x-amzn-invoked-production-variant"], "canary");
    }
    let canary = seen.get("canary").copied().unwrap_or(0) + 20;
    for _ in 0..2 {
        assert_eq!(to("main", "age\nforty\n").status().as_u16(), 400);
    }
    let metrics = c.get(format!("{base}/metrics")).bearer_auth(KEY).send().expect("metrics").text().expect("text");
    let labels = |v: &str| format!("endpoint=\"census\",variant=\"{v}\",model=\"adult\",version=\"1\"");
    for want in [
        format!("cairn_endpoint_requests_total{{{}}} {}", labels("main"), main + 2),
        format!("cairn_endpoint_requests_total{{{}}} {canary}", labels("canary")),
        format!("cairn_endpoint_errors_total{{{},status=\"400\"}} 2", labels("main")),
        format!("cairn_endpoint_request_duration_seconds_count{{{}}} {canary}", labels("canary")),
        format!("cairn_endpoint_variant_weight{{{}}} 3", labels("main")),
        "# TYPE cairn_endpoint_request_duration_seconds histogram".to_string(),
    ] {
        assert!(metrics.contains(&want), "no `{want}` in:\n{metrics}");
    }
    assert!(metrics.contains("quantile=\"0.99\""), "{metrics}");

    let stats = parse(&c.get(format!("{base}/_cairn/stats")).bearer_auth(KEY).send().expect("stats").text().expect("text"));
    let stats: cairn_types::EndpointStats = serde_json::from_value(stats).expect("EndpointStats");
    assert_eq!(stats.name, "census");
    let main_stats = stats.variants.iter().find(|v| v.name == "main").expect("main");
    assert_eq!(main_stats.requests, main + 2);
    assert_eq!(main_stats.errors, 2);
    assert_eq!(main_stats.errors_by_status.get("400"), Some(&2));
    assert!(main_stats.p50_ms.is_some_and(|p| p > 0.0) && main_stats.p99_ms >= main_stats.p50_ms);
    let series_total: u64 = main_stats.series.iter().map(|s| s.requests).sum();
    assert_eq!(series_total, main + 2, "the per-second series counts every request");
    assert!(main_stats.series.windows(2).all(|w| w[1].t == w[0].t + 1));
    assert!(main_stats.series.len() <= 600);
}

#[test]
fn kserve_metadata_names_the_features_and_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = models();
    let mut v2 = variant("v2", &m.gbm2, 1.0);
    v2.version = 2;
    let cfg = config(dir.path(), vec![variant("v1", &m.gbm, 1.0), v2], None, 8 << 20);
    let ep = cairn_serve::spawn(&write_config(dir.path(), &cfg)).expect("start");
    let base = format!("http://{}", ep.addr);
    let c = client();
    let get = |path: &str| {
        let r = c.get(format!("{base}{path}")).bearer_auth(KEY).send().expect("send");
        (r.status().as_u16(), parse(&r.text().expect("text")))
    };
    let (s, v) = get("/v2");
    assert_eq!((s, v["name"].as_str()), (200, Some("cairn")));
    let (s, meta) = get("/v2/models/census");
    assert_eq!(s, 200, "{meta}");
    assert_eq!(meta["versions"], serde_json::json!(["1", "2"]));
    let inputs = meta["inputs"].as_array().cloned().unwrap_or_default();
    let age = inputs.iter().find(|i| i["name"] == "age").expect("age input");
    assert_eq!((age["datatype"].as_str(), age["shape"].clone()), (Some("FP64"), serde_json::json!([-1])));
    assert!(inputs.iter().any(|i| i["name"] == "workclass" && i["datatype"] == "BYTES"), "{meta}");
    let outputs: Vec<&str> = meta["outputs"].as_array().map(|o| o.iter().filter_map(|x| x["name"].as_str()).collect()).unwrap_or_default();
    assert_eq!(outputs, ["prediction", "proba_<=50K", "proba_>50K"]);
    let (s, meta) = get("/v2/models/census/versions/2");
    assert_eq!((s, meta["versions"].clone()), (200, serde_json::json!(["2"])));
    assert_eq!(get("/v2/models/census/ready").1["ready"], true);
    assert_eq!(get("/v2/models/census/versions/v2/ready").0, 200);
    let (s, e) = get("/v2/models/other");
    assert_eq!(s, 404);
    assert!(e["error"].as_str().is_some_and(|t| t.contains("census")), "{e}");
    assert_eq!(get("/v2/models/census/versions/9").0, 404);

    // The version path picks the variant; `outputs` picks the outputs.
    let (header, lines) = adult_lines();
    let names: Vec<&str> = header.split(',').collect();
    let cells: Vec<&str> = lines[8100].split(',').collect();
    let inputs: Vec<Value> =
        names.iter().zip(&cells).map(|(n, v)| serde_json::json!({"name": n, "shape": [1], "datatype": "BYTES", "data": [v]})).collect();
    for (version, variant) in [("2", "v2"), ("v1", "v1")] {
        let body = serde_json::json!({"id": "abc", "inputs": inputs, "outputs": [{"name": "proba_>50K"}]});
        let r = c.post(format!("{base}/v2/models/census/versions/{version}/infer")).bearer_auth(KEY).json(&body).send().expect("send");
        assert_eq!(r.headers()["x-cairn-variant"], variant);
        let v = parse(&r.text().expect("text"));
        assert_eq!((v["id"].as_str(), v["model_name"].as_str()), (Some("abc"), Some("census")));
        assert_eq!(v["outputs"].as_array().map(Vec::len), Some(1), "{v}");
        assert_eq!(v["outputs"][0]["name"], "proba_>50K");
    }
}

/// Four clients send without pause while the config switches between two models and is reloaded:
/// every request is answered 200, by the model its header names.
#[test]
fn reloads_under_load_drop_no_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = models();
    let a = config(dir.path(), vec![variant("a", &m.gbm, 1.0)], None, 8 << 20);
    let b = config(dir.path(), vec![variant("b", &m.gbm2, 1.0)], None, 8 << 20);
    let path = write_config(dir.path(), &a);
    let ep = cairn_serve::spawn(&path).expect("start");
    let base = format!("http://{}", ep.addr);
    // Each model's answer to the row, to tell which model answered.
    let expected: HashMap<&str, String> = [("a", &m.gbm), ("b", &m.gbm2)]
        .into_iter()
        .map(|(name, model)| {
            let dir = tempfile::tempdir().expect("tempdir");
            let one = cairn_serve::spawn(&write_config(dir.path(), &config(dir.path(), vec![variant(name, model, 1.0)], None, 8 << 20)))
                .expect("start");
            let (_, _, body) = crate::post(&format!("http://{}/invocations", one.addr), "text/csv", one_row());
            (name, body)
        })
        .collect();
    assert_ne!(expected["a"], expected["b"], "the two models must answer differently");
    let expected = Arc::new(expected);
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (stop, expected, base) = (stop.clone(), expected.clone(), base.clone());
            std::thread::spawn(move || {
                let c = client();
                let mut answered: HashMap<String, u64> = HashMap::new();
                while !stop.load(Ordering::Relaxed) {
                    let r =
                        c.post(format!("{base}/invocations")).bearer_auth(KEY).header("content-type", "text/csv").body(one_row()).send();
                    let r = r.expect("a request failed during a reload");
                    assert_eq!(r.status().as_u16(), 200);
                    let v = r.headers()["x-cairn-variant"].to_str().unwrap_or_default().to_string();
                    let body = r.text().expect("body");
                    assert_eq!(&body, &expected[v.as_str()], "variant {v} answered another model's answer");
                    *answered.entry(v).or_default() += 1;
                }
                answered
            })
        })
        .collect();
    let c = client();
    let started = Instant::now();
    for i in 0..10 {
        std::thread::sleep(Duration::from_millis(150));
        write_config(dir.path(), if i % 2 == 0 { &b } else { &a });
        let r = c.post(format!("{base}/_cairn/reload")).bearer_auth(KEY).send().expect("reload");
        assert_eq!(r.status().as_u16(), 200, "{}", r.text().unwrap_or_default());
    }
    std::thread::sleep(Duration::from_millis(150));
    stop.store(true, Ordering::Relaxed);
    let mut total: HashMap<String, u64> = HashMap::new();
    for w in workers {
        for (k, n) in w.join().expect("a client thread failed") {
            *total.entry(k).or_default() += n;
        }
    }
    assert!(total.get("a").copied().unwrap_or(0) > 50 && total.get("b").copied().unwrap_or(0) > 50, "{total:?} in {:?}", started.elapsed());
    // After the last reload (config a), only a answers.
    let r = c.post(format!("{base}/invocations")).bearer_auth(KEY).header("content-type", "text/csv").body(one_row()).send().expect("send");
    assert_eq!(r.headers()["x-cairn-variant"], "a");

    // A config that does not load leaves the endpoint serving what it served.
    let mut broken = a.clone();
    broken.variants[0].model_path = dir.path().join("missing.cairn").to_string_lossy().into_owned();
    write_config(dir.path(), &broken);
    let r = c.post(format!("{base}/_cairn/reload")).bearer_auth(KEY).send().expect("reload");
    assert!(r.status().as_u16() >= 400);
    assert!(r.text().unwrap_or_default().contains("missing.cairn"));
    let r = c.post(format!("{base}/invocations")).bearer_auth(KEY).header("content-type", "text/csv").body(one_row()).send().expect("send");
    assert_eq!(r.status().as_u16(), 200);
}
