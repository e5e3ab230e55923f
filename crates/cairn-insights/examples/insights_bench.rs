//! The insights report on diabetic_data.csv (target `readmitted = <30`), timed beside the same analysis
//! written by hand in pandas + scikit-learn + LightGBM (benches/insights_peer.py), run in the same process
//! tree and printed as a ratio. The peer runs when `CAIRN_BENCH_PYTHON` names a Python with those
//! packages (e.g. /root/.cache/cairn/venv-bench/bin/python); otherwise only Cairn's time is printed.
//!
//! cargo build --release --workspace --bins --examples; target/release/examples/insights_bench [diabetic_data.csv [RUNS]]

use std::path::PathBuf;
use std::time::Instant;

// The allocator the cairn binary and the desktop app use.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cairn_data::Observer;
use cairn_types::{ImportOptions, InsightsRequest};

struct Quiet;
impl Observer for Quiet {}

fn main() {
    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/diabetic_data.csv"));
    let req = InsightsRequest { target: "readmitted".into(), equals: Some("<30".into()), task: None };
    let runs: usize = std::env::args().nth(2).or_else(|| std::env::var("RUNS").ok()).and_then(|v| v.parse().ok()).unwrap_or(3);

    // The file is read once, outside the timings (the peer's read_csv is outside its timing too). Cairn
    // is timed twice: the report alone, as the Insights button runs it on a dataset whose profile was
    // computed at import; and profile + report, which is what the peer's hand-written analysis covers.
    let imported = match cairn_data::read_file(&path, &ImportOptions::default(), &Quiet) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    let ds = cairn_insights::DatasetRef { id: "bench", name: "diabetic_data", version: "bench" };
    let (mut best_report, mut best_total) = (f64::MAX, f64::MAX);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let profile = cairn_data::profile::profile(&imported.frame, "bench", "bench", &Quiet).expect("profile");
        let p = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let r = cairn_insights::report(&imported.frame, &profile, ds, &req, &Quiet).expect("report");
        let report_s = t.elapsed().as_secs_f64();
        best_report = best_report.min(report_s);
        best_total = best_total.min(p + report_s);
        last = Some(r);
    }
    let Some(r) = last else { return };
    let t = Instant::now();
    let html = cairn_insights::render_html(&r);
    let render_s = t.elapsed().as_secs_f64();
    if let Some(dir) = std::env::var_os("INSIGHTS_OUT") {
        let dir = PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("insights.html"), &html);
        let _ = std::fs::write(dir.join("insights.json"), serde_json::to_vec_pretty(&r).unwrap_or_default());
    }
    let ids: Vec<&str> = r
        .columns
        .iter()
        .filter(|c| c.flags.iter().any(|f| f.flag == cairn_types::ColumnFlag::Identifier))
        .map(|c| c.name.as_str())
        .collect();
    println!("insights report, diabetic_data.csv ({} rows x {} columns), target readmitted = <30", r.rows, r.columns_count);
    println!("  positive rate {:.4}; identifiers: {}", r.target.positive_rate.unwrap_or(f64::NAN), ids.join(", "));
    if let Some(m) = &r.quick_model {
        println!("  quick model: {}-fold {} {:.4} ({:.2} s)", m.folds, m.metric, m.score, m.seconds);
    }
    println!("  HTML page: {} KB, rendered in {:.1} ms", html.len() / 1024, render_s * 1000.0);
    println!("cairn: report {best_report:.2} s; profile + report {best_total:.2} s (best of {runs})");

    let Some(python) = std::env::var_os("CAIRN_BENCH_PYTHON") else {
        println!("peer: skipped (set CAIRN_BENCH_PYTHON to a Python with pandas, scikit-learn and lightgbm)");
        return;
    };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/insights_peer.py");
    let out = std::process::Command::new(python).arg(&script).arg(&path).arg(runs.to_string()).output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            for line in text.lines().filter(|l| !l.starts_with("seconds ")) {
                println!("  peer: {line}");
            }
            match text.lines().find_map(|l| l.strip_prefix("seconds ")).and_then(|s| s.trim().parse::<f64>().ok()) {
                Some(peer) => {
                    println!("peer (pandas + scikit-learn + LightGBM, same analysis): {peer:.2} s (best of {runs})");
                    println!(
                        "ratio: {:.1}x (peer / Cairn's profile + report); {:.1}x against the report alone",
                        peer / best_total,
                        peer / best_report
                    );
                }
                None => println!("peer: no timing in its output"),
            }
        }
        Ok(o) => println!("peer failed: {}", String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("")),
        Err(e) => println!("peer could not start: {e}"),
    }
}
