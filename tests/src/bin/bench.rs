//! `cairn-bench`: the foundation's speed targets, each measured beside a peer in the same run.
//!
//!   cairn-bench import-profile FILE [RUNS]   import + full profile vs pandas read_csv+describe+value_counts
//!   cairn-bench large [ROWS]                 first preview and page latency on a large synthetic CSV
//!   cairn-bench startup DESKTOP_BIN PROJECT  desktop start to interactive UI, and idle memory (run under Xvfb)
//!
//! The Python peer runs with $CAIRN_BENCH_PYTHON (a venv with pandas; scripts/bench.sh makes it).
//! CAIRN_BENCH_NO_PEER=1: import-profile prints Cairn's figures only (for a caller that measures its own
//! peer beside them, as scripts/bench/studio_import.py does).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn_api::{ImportObserver, Studio, system_clock};
use cairn_types::{ImportOptions, ImportRequest};
use serde_json::{Value, json};

// The allocator `cairn` and `cairn-desktop` ship with, so the in-process figures are the studio's.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("import-profile") => import_profile(Path::new(&args[1]), args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5)),
        Some("large") => large(args.get(1).and_then(|r| r.parse().ok()).unwrap_or(10_000_000)),
        Some("startup") => startup(Path::new(&args[1]), Path::new(&args[2])),
        _ => Err("usage: cairn-bench import-profile FILE [RUNS] | large [ROWS] | startup DESKTOP_BIN PROJECT".into()),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

type Res = Result<(), String>;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn pct(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn python() -> String {
    std::env::var("CAIRN_BENCH_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn peer(script: &str, args: &[&str]) -> Result<Value, String> {
    let scripts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/bench");
    let out = Command::new(python()).arg(scripts.join(script)).args(args).output().map_err(|e| format!("cannot run {}: {e}", python()))?;
    if !out.status.success() {
        return Err(format!("{script} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("{script} printed no JSON: {e}"))
}

/// Import + full profile through the same code path the app uses, on a fresh project each run.
fn import_profile(file: &Path, runs: usize) -> Res {
    let file = file.canonicalize().map_err(|e| format!("{}: {e}", file.display()))?;
    let mut times = Vec::new();
    let (mut import_ms, mut profile_ms, mut stored_ms) = (Vec::new(), Vec::new(), Vec::new());
    let phases = std::sync::Mutex::new(Vec::<(String, f64)>::new());
    for _ in 0..runs {
        phases.lock().map(|mut p| p.clear()).ok();
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let studio = Studio::new(&dir.path().join("cfg"), system_clock());
        let info = studio.create_project(&dir.path().join("p").to_string_lossy(), None).map_err(|e| e.to_string())?;
        let t = Instant::now();
        // When each phase first reports, to show where the time goes.
        let note = |phase: &str, _: u64, _: u64| {
            if let Ok(mut p) = phases.lock()
                && p.last().is_none_or(|l| l.0 != phase)
            {
                p.push((phase.to_string(), t.elapsed().as_secs_f64() * 1e3));
            }
        };
        let obs = ImportObserver { task: None, on_progress: Some(&note) };
        let req = ImportRequest { path: file.to_string_lossy().into_owned(), options: ImportOptions::default() };
        let ds = studio.import_now(&info.id, &req, &obs).map_err(|e| e.to_string())?;
        let t_import = t.elapsed().as_secs_f64();
        let p = studio.profile_now(&info.id, &ds.id, &obs).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
        // The Parquet copy is written in the background; report when it is on disk too.
        studio.flush();
        stored_ms.push(t.elapsed().as_secs_f64() * 1e3);
        import_ms.push(t_import * 1e3);
        profile_ms.push(p.compute_ms as f64);
    }
    let cairn = median(times);
    println!("import + full profile of {} ({} runs, median)", file.display(), runs);
    println!(
        "  cairn   {:>8.3} s   until registered, profiled and browsable (profile alone {:.0} ms; Parquet copy on disk at {:.0} ms)",
        cairn,
        median(profile_ms),
        median(stored_ms)
    );
    println!("          import {:.0} ms (read, profile, register), then the cached profile read back", median(import_ms));
    let timeline: Vec<String> = phases.lock().map(|p| p.iter().map(|(n, ms)| format!("{n} @{ms:.0}")).collect()).unwrap_or_default();
    println!("          phases (last run, ms from start): {}", timeline.join(", "));
    if std::env::var_os("CAIRN_BENCH_NO_PEER").is_some_and(|v| v == "1") {
        return Ok(());
    }
    let p = peer("pandas_peer.py", &[&file.to_string_lossy(), &runs.to_string()])?;
    let pandas = p["median_s"].as_f64().unwrap_or(f64::NAN);
    println!("  pandas  {:>8.3} s   (read_csv + describe(include='all') + value_counts() per column)", pandas);
    let met = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "  ratio   {:>8.1}x faster than pandas   (target >= 5x: {}; target < 1 s: {})",
        pandas / cairn,
        met(pandas / cairn >= 5.0),
        met(cairn < 1.0)
    );
    Ok(())
}

fn synthetic(rows: u64) -> Result<PathBuf, String> {
    let dir = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir).join(".cache/cairn/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(format!("synthetic_{rows}.csv"));
    if path.exists() {
        return Ok(path);
    }
    eprintln!("generating {} ...", path.display());
    let tmp = path.with_extension("tmp");
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp).map_err(|e| e.to_string())?);
    let cats = ["north", "south", "east", "west", "central", "online", "partner", "retail"];
    writeln!(f, "id,ts,region,amount,quantity,returned,note").map_err(|e| e.to_string())?;
    let mut x: u64 = 42;
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let day = 1 + (x % 28);
        let note = if x.is_multiple_of(10) { "" } else { "ok" };
        writeln!(
            f,
            "{i},2024-{:02}-{day:02} {:02}:{:02}:00,{},{}.{:02},{},{},{note}",
            1 + (x >> 8) % 12,
            (x >> 16) % 24,
            (x >> 24) % 60,
            cats[(x >> 32) as usize % cats.len()],
            (x >> 40) % 5000,
            (x >> 20) % 100,
            1 + (x >> 12) % 9,
            (x >> 28).is_multiple_of(17),
        )
        .map_err(|e| e.to_string())?;
    }
    f.flush().map_err(|e| e.to_string())?;
    drop(f);
    std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
    Ok(path)
}

/// A large import through the HTTP API, as the UI does it: time to the first preview page, then pages.
fn large(rows: u64) -> Res {
    let file = synthetic(rows)?;
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let studio = Arc::new(Studio::new(&dir.path().join("cfg"), system_clock()));
        let info = studio.create_project(&dir.path().join("p").to_string_lossy(), None).map_err(|e| e.to_string())?;
        let bound = cairn_server::bind(0).await.map_err(|e| e.to_string())?;
        let base = format!("http://127.0.0.1:{}", bound.addr.port());
        let token = cairn_server::random_token();
        let t2 = token.clone();
        tokio::spawn(async move { bound.serve(studio, &t2, std::future::pending()).await });
        let http = reqwest::Client::new();
        let pid = info.id;

        let start = Instant::now();
        let r: Value = http
            .post(format!("{base}/api/projects/{pid}/imports"))
            .bearer_auth(&token)
            .json(&json!({"path": file}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let task = r["task_id"].as_str().ok_or(format!("no task: {r}"))?.to_string();
        let mut stream = http.get(format!("{base}/api/tasks/{task}/events")).bearer_auth(&token).send().await.map_err(|e| e.to_string())?;
        let (mut first_page, mut last) = (None, String::new());
        let mut buf = String::new();
        while let Some(chunk) = stream.chunk().await.map_err(|e| e.to_string())? {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            if first_page.is_none() && buf.contains("\"type\":\"preview\"") {
                first_page = Some(start.elapsed());
            }
            if let Some(l) = buf.lines().rfind(|l| l.starts_with("data: ")) {
                last = l.to_string();
            }
        }
        let done = start.elapsed();
        let ds: Value = serde_json::from_str(last.trim_start_matches("data: ")).map_err(|e| e.to_string())?;
        let did = ds["result"]["id"].as_str().ok_or(format!("import failed: {ds}"))?.to_string();
        let nrows = ds["result"]["rows"].as_u64().unwrap_or(0);

        let page = |query: String| {
            let (http, base, token) = (http.clone(), base.clone(), token.clone());
            let url = format!("{base}/api/projects/{pid}/datasets/{did}/rows?{query}");
            async move {
                let t = Instant::now();
                let r = http.get(url).bearer_auth(token).send().await.map_err(|e| e.to_string())?;
                let _: Value = r.json().await.map_err(|e| e.to_string())?;
                Ok::<f64, String>(t.elapsed().as_secs_f64() * 1e3)
            }
        };
        let mut x: u64 = 7;
        let mut scroll = Vec::new();
        for _ in 0..200 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            scroll.push(page(format!("offset={}&limit=100", (x >> 11) % nrows.max(1))).await?);
        }
        let first_sorted = page("offset=0&limit=100&sort=amount&order=desc".into()).await?;
        let mut sorted = Vec::new();
        for i in 0..100 {
            sorted.push(page(format!("offset={}&limit=100&sort=amount&order=desc", i * 97_000 % nrows.max(1))).await?);
        }
        println!("large CSV: {} ({:.0} MB, {} rows)", file.display(), size as f64 / 1e6, nrows);
        let fp = first_page.map(|d| d.as_secs_f64()).unwrap_or(f64::NAN);
        println!("  cairn   first page of the preview {:>7.2} s after the import started   (target < 2 s)", fp);
        println!("  cairn   whole import done         {:>7.2} s (in the background; progress shown)", done.as_secs_f64());
        println!(
            "  cairn   page while scrolling      median {:.1} ms, p95 {:.1} ms   (target < 50 ms)",
            median(scroll.clone()),
            pct(&scroll, 0.95)
        );
        println!("  cairn   sorted: first page {:.0} ms (sorts {} rows), then median {:.1} ms", first_sorted, nrows, median(sorted));
        let p = peer("pandas_pages.py", &[&file.to_string_lossy()])?;
        let pandas_first = p["first_page_s"].as_f64().unwrap_or(f64::NAN);
        println!(
            "  pandas  read_csv before any page  {:>7.2} s; a page afterwards {:.2} ms",
            pandas_first,
            p["page_s"].as_f64().unwrap_or(f64::NAN) * 1e3
        );
        println!("  ratio   first page {:.1}x sooner than pandas can show one", pandas_first / fp);
        Ok(())
    })
}

/// Proportional set size: private pages plus each shared page divided by the processes sharing it, so
/// the libraries WebKit maps into three processes are counted once, unlike a sum of RSS.
fn pss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Pss:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).map(|s| s.trim().to_string()).unwrap_or_default()
}

/// The process and all its descendants (WebKit runs the page in child processes).
fn tree(root: u32) -> Vec<u32> {
    let mut all = vec![root];
    let mut i = 0;
    while i < all.len() {
        let parent = all[i];
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for e in entries.flatten() {
                let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
                let ppid = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|s| s.rsplit(')').next().and_then(|r| r.split_whitespace().nth(1)?.parse::<u32>().ok()));
                if ppid == Some(parent) && !all.contains(&pid) {
                    all.push(pid);
                }
            }
        }
        i += 1;
    }
    all
}

/// Desktop start to interactive UI (the UI posts /api/ready once it shows data) and idle memory.
fn startup(desktop: &Path, project: &Path) -> Res {
    let mut starts = Vec::new();
    let mut mem = Vec::new();
    let mut breakdown = String::new();
    for _ in 0..3 {
        let mut child = Command::new(desktop)
            .arg(project)
            .env("CAIRN_LOG", "cairn=info")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", desktop.display()))?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(ms) = line.split("ui ready ").nth(1).and_then(|r| r.split(' ').next()?.parse::<f64>().ok()) {
                    let _ = tx.send(ms);
                }
            }
        });
        let ms = rx.recv_timeout(Duration::from_secs(60)).map_err(|_| "the UI never reported ready".to_string())?;
        starts.push(ms);
        std::thread::sleep(Duration::from_secs(5));
        let parts: Vec<(String, u64)> = tree(child.id()).into_iter().map(|p| (comm(p), pss_kb(p))).collect();
        mem.push(parts.iter().map(|p| p.1).sum::<u64>() as f64 / 1024.0);
        let detail: Vec<String> = parts.iter().map(|(n, kb)| format!("{n} {:.0} MB", *kb as f64 / 1024.0)).collect();
        breakdown = detail.join(", ");
        let _ = child.kill();
        let _ = child.wait();
    }
    println!("desktop app ({} runs)", starts.len());
    println!(
        "  start to interactive UI   median {:.0} ms   (target < 1500 ms: {:.2} of target)",
        median(starts.clone()),
        median(starts) / 1500.0
    );
    println!(
        "  idle memory (app + WebKit processes, PSS)  median {:.0} MB   (target < 200 MB: {:.2} of target)",
        median(mem.clone()),
        median(mem) / 200.0
    );
    println!("          last run: {breakdown}");
    Ok(())
}
