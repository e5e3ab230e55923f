//! The tracking store's speed beside MLflow's own SQLite tracking store (SqlAlchemyStore), measured in the
//! same run on the same data: log_batch throughput, log_metric latency, a metric's history, creating
//! 100,000 runs, a search over them with a metric filter and an order, and a 100-run page of the runs table.
//!
//! usage: tracking_bench [RUNS=100000] [BATCHES=100] [REPEATS=7] [PEER_RUNS=10000]
//!
//! MLflow's search over 100,000 runs on SQLite did not finish within 20 minutes here (10,000 runs: 6 s), so
//! the side-by-side table is measured at PEER_RUNS runs, and Cairn alone is then measured at RUNS against
//! the targets.
//!
//! The peer is scripts/bench/mlflow_store_peer.py, run with $CAIRN_BENCH_PYTHON (a Python with `mlflow`);
//! without it only Cairn's figures are printed. Build in release:
//! `cargo build --release --workspace --bins --examples`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cairn_store::{Project, TrackingStore};
use cairn_types::{LifecycleStage, Metric, Param, Run, RunData, RunInfo, RunInputs, RunStatus, SearchRuns, Tag};
use serde_json::Value;

const MODELS: [&str; 5] = ["gbm", "rf", "lr", "svm", "knn"];
const LRS: [&str; 3] = ["0.1", "0.01", "0.001"];
const TEAMS: [&str; 4] = ["ml", "data", "ops", "research"];
const T0: i64 = 1_700_000_000_000;
const PER_BATCH: u64 = 1000;
/// (filter, order_by, max_results), the same strings the peer uses.
const SEARCH: (&str, &str, u32) = ("metrics.auc > 0.5", "metrics.loss ASC", 1000);
const PAGE: (&str, &str, u32) = ("metrics.auc > 0.5 and params.model = 'gbm'", "metrics.loss ASC", 100);

type Res<T> = Result<T, String>;

/// Run `i` of the search benchmark; the peer's `run_values` makes the same one.
fn run_values(i: u64) -> Run {
    let start = T0 + i as i64 * 1000;
    let metric = |key: &str, value: f64| Metric { key: key.into(), value, timestamp: start, step: 0 };
    let kv = |key: &str, value: String| (key.to_string(), value);
    let name = format!("run-{i}");
    Run {
        info: RunInfo {
            run_id: format!("{i:032x}"),
            run_name: name.clone(),
            experiment_id: String::new(),
            user_id: "bench".into(),
            status: RunStatus::Finished,
            start_time: start,
            end_time: Some(start + 500),
            artifact_uri: String::new(),
            lifecycle_stage: LifecycleStage::Active,
        },
        data: RunData {
            metrics: vec![
                metric("auc", ((i * 7919) % 10007) as f64 / 10007.0),
                metric("loss", ((i * 104729) % 10009) as f64 / 10009.0),
                metric("acc", ((i * 31337) % 9973) as f64 / 9973.0),
            ],
            params: [
                kv("model", MODELS[(i % 5) as usize].into()),
                kv("lr", LRS[(i % 3) as usize].into()),
                kv("depth", (3 + i % 8).to_string()),
            ]
            .into_iter()
            .map(|(key, value)| Param { key, value })
            .collect(),
            tags: [kv("team", TEAMS[(i % 4) as usize].into()), kv("mlflow.source.type", "LOCAL".into()), kv("mlflow.runName", name)]
                .into_iter()
                .map(|(key, value)| Tag { key, value })
                .collect(),
        },
        inputs: RunInputs::default(),
    }
}

/// Batch `b` of the log_batch benchmark: 10 keys × 100 steps, as the peer's `batch_points`.
fn batch_points(b: u64) -> Vec<Metric> {
    let steps = PER_BATCH / 10;
    let mut out = Vec::with_capacity(PER_BATCH as usize);
    for j in 0..steps {
        let step = (b * steps + j) as i64;
        for k in 0..10 {
            let value = ((b * 1000 + j * 10 + k) % 997) as f64 / 997.0;
            out.push(Metric { key: format!("m{k}"), value, timestamp: T0 + step, step });
        }
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The median time of `repeats` calls in milliseconds, and the last result.
fn timed<T>(repeats: usize, mut f: impl FnMut() -> Res<T>) -> Res<(f64, T)> {
    let mut times = Vec::with_capacity(repeats);
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        last = Some(f()?);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok((median(times), last.ok_or("no result")?))
}

fn search(project: &Project, experiment: &str, q: (&str, &str, u32), token: Option<String>) -> Res<cairn_types::RunsPage> {
    let req = SearchRuns {
        experiment_ids: vec![experiment.to_string()],
        filter: q.0.into(),
        order_by: vec![q.1.into()],
        max_results: q.2,
        page_token: token,
        ..Default::default()
    };
    project.search_runs(&req).map_err(|e| e.to_string())
}

fn first_ids(page: &cairn_types::RunsPage) -> Vec<String> {
    page.runs.iter().take(5).map(|r| r.info.run_id.clone()).collect()
}

fn cairn(dir: &Path, runs: u64, batches: u64, repeats: usize) -> Res<Value> {
    let err = |e: cairn_store::TrackingError| e.to_string();
    let project = Project::create(&dir.join("cairn"), Some("bench"), T0).map_err(|e| e.to_string())?;
    let run = project.create_run("0", Some("logbench"), "bench", T0, &[]).map_err(err)?.info.run_id;
    let t = Instant::now();
    for b in 0..batches {
        project.log_batch(&run, &batch_points(b), &[], &[]).map_err(err)?;
    }
    let log_batch_s = t.elapsed().as_secs_f64();

    let mut single = Vec::new();
    for i in 0..200i64 {
        let t = Instant::now();
        project.log_metric(&run, "single", i as f64, T0 + i, i).map_err(err)?;
        single.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (history_ms, history) = timed(repeats, || project.get_metric_history(&run, "m0", None, None).map_err(err))?;
    let (series_ms, _) = timed(repeats, || project.metric_series(&run, "m0", 1000).map_err(err))?;

    let experiment = project.create_experiment("search-bench", None, &[], T0).map_err(err)?;
    let t = Instant::now();
    let all: Vec<Run> = (0..runs).map(run_values).collect();
    project.import_runs(&experiment, &all).map_err(err)?;
    let bulk_s = t.elapsed().as_secs_f64();
    drop(all);

    // Cairn keeps a search's sorted result until something is written; a write before each timed search
    // makes it cold (as MLflow's always is). The cached figures are measured separately.
    // (A new point each time: an identical one is de-duplicated, writes nothing and keeps the cache.)
    let touches = std::cell::Cell::new(0i64);
    let touch = || {
        touches.set(touches.get() + 1);
        project.log_metric(&run, "touch", 0.0, T0, touches.get()).map_err(err)
    };
    let (search_ms, found) = timed(repeats, || {
        touch()?;
        search(&project, &experiment, SEARCH, None)
    })?;
    let (search_warm_ms, _) = timed(repeats, || search(&project, &experiment, SEARCH, None))?;
    let (page_ms, page) = timed(repeats, || {
        touch()?;
        search(&project, &experiment, PAGE, None)
    })?;
    let token = page.next_page_token.clone();
    let (page2_ms, page2) = timed(repeats, || search(&project, &experiment, PAGE, token.clone()))?;
    Ok(serde_json::json!({
        "log_batch_points": batches * PER_BATCH, "log_batch_s": log_batch_s,
        "log_metric_ms": median(single),
        "history_ms": history_ms, "history_points": history.0.len(), "series_ms": series_ms,
        "bulk_insert_s": bulk_s,
        "search_ms": search_ms, "search_returned": found.runs.len(), "search_total": found.total, "search_first": first_ids(&found),
        "page_ms": page_ms, "page_returned": page.runs.len(), "page_total": page.total, "page_first": first_ids(&page),
        "page2_ms": page2_ms, "page2_first": first_ids(&page2), "search_warm_ms": search_warm_ms,
    }))
}

fn peer(dir: &Path, runs: u64, batches: u64, repeats: usize) -> Res<Option<Value>> {
    let Ok(python) = std::env::var("CAIRN_BENCH_PYTHON") else { return Ok(None) };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench/mlflow_store_peer.py");
    let work = dir.join("mlflow");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let out = Command::new(&python)
        .arg(&script)
        .arg(&work)
        .args([runs.to_string(), batches.to_string(), repeats.min(3).to_string()])
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !out.status.success() {
        return Err(format!("the MLflow peer failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map(Some).map_err(|e| format!("the MLflow peer printed no JSON: {e}"))
}

fn num(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn grouped(n: f64) -> String {
    cairn_types::words::thousands(n.round().max(0.0) as u64)
}

fn row(what: &str, ours: String, theirs: Option<String>, ratio: Option<f64>, target: &str) {
    let theirs = theirs.unwrap_or_else(|| "–".into());
    let ratio = ratio.filter(|r| r.is_finite()).map(|r| format!("{r:.1}×")).unwrap_or_else(|| "–".into());
    println!("{what:<58} {ours:>12} {theirs:>12} {ratio:>8}   {target}");
}

fn report(c: &Value, m: Option<&Value>, runs: u64) {
    let mlflow = match m {
        Some(m) => m.get("mlflow").and_then(Value::as_str).unwrap_or("?"),
        None if std::env::var_os("CAIRN_BENCH_PYTHON").is_some() => "not run at this size",
        None => "not run (set CAIRN_BENCH_PYTHON)",
    };
    println!("tracking store: Cairn (SQLite, WAL) vs MLflow {mlflow} SqlAlchemyStore on SQLite; {} runs", grouped(runs as f64));
    println!("{:<58} {:>12} {:>12} {:>8}   target", "what", "Cairn", "MLflow", "ratio");
    let rate = |v: &Value| num(v, "log_batch_points") / num(v, "log_batch_s");
    let (ours, theirs) = (rate(c), m.map(rate));
    let ok = |good: bool| if good { "met" } else { "NOT MET" };
    row(
        "log_batch, 1000-point batches (points/s)",
        grouped(ours),
        theirs.map(grouped),
        theirs.map(|t| ours / t),
        &format!("≥ 100,000/s: {}", ok(ours >= 100_000.0)),
    );
    let ms = |v: f64| if v < 10.0 { format!("{v:.2} ms") } else { format!("{v:.1} ms") };
    let latency = |what: &str, key: &str, target: &str| {
        let ours = num(c, key);
        let theirs = m.map(|m| num(m, key));
        row(what, ms(ours), theirs.map(ms), theirs.map(|t| t / ours), target);
    };
    latency("log_metric, one point per call (median)", "log_metric_ms", "");
    latency(&format!("metric history, {} points", grouped(num(c, "history_points"))), "history_ms", "");
    row("metric series for a chart (≤ 1000 points, downsampled)", ms(num(c, "series_ms")), None, None, "");
    let secs = |v: f64| format!("{v:.2} s");
    let theirs = m.map(|m| num(m, "bulk_insert_s"));
    row(
        &format!("create {} runs in bulk (one transaction)", grouped(runs as f64)),
        secs(num(c, "bulk_insert_s")),
        theirs.map(secs),
        theirs.map(|t| t / num(c, "bulk_insert_s")),
        "",
    );
    let search_target = format!("< 100 ms: {}", ok(num(c, "search_ms") < 100.0));
    latency(&format!("search `{}` by {}, {} runs", SEARCH.0, SEARCH.1, SEARCH.2), "search_ms", &search_target);
    row("the same search again (cached until a write)", ms(num(c, "search_warm_ms")), None, None, "");
    let page_target = format!("< 50 ms: {}", ok(num(c, "page_ms") < 50.0));
    latency(&format!("runs-table page: `{}`, 100 runs", PAGE.0), "page_ms", &page_target);
    let page2_target = format!("< 50 ms: {}", ok(num(c, "page2_ms") < 50.0));
    latency("the next page (page token; Cairn: from the cached search)", "page2_ms", &page2_target);
    println!("matching runs: search {}, page filter {}", grouped(num(c, "search_total")), grouped(num(c, "page_total")));
    if let Some(m) = m {
        let same = ["search_first", "page_first", "page2_first"].iter().all(|k| c.get(*k) == m.get(*k));
        println!("same first results as MLflow (ids of the first 5 runs of each search): {}", if same { "yes" } else { "NO" });
        if !same {
            for k in ["search_first", "page_first", "page2_first"] {
                println!("  {k}: cairn {:?} mlflow {:?}", c.get(k), m.get(k));
            }
        }
    }
}

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let runs = args.first().copied().unwrap_or(100_000);
    let batches = args.get(1).copied().unwrap_or(100);
    let repeats = args.get(2).copied().unwrap_or(7) as usize;
    let peer_runs = args.get(3).copied().unwrap_or(10_000);
    let result = (|| -> Res<()> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let (side, alone) = (dir.path().join("side"), dir.path().join("alone"));
        std::fs::create_dir_all(&side).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(&alone).map_err(|e| e.to_string())?;
        let ours = cairn(&side, peer_runs, batches, repeats)?;
        let theirs = peer(&side, peer_runs, batches, repeats)?;
        report(&ours, theirs.as_ref(), peer_runs);
        if runs != peer_runs {
            println!();
            report(&cairn(&alone, runs, batches, repeats)?, None, runs);
        }
        Ok(())
    })();
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
