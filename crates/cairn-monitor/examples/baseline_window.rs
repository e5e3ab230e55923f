//! Times drift of a window against a stored baseline, for scripts/bench-monitor.sh:
//! `baseline_window REFERENCE.parquet WINDOW.parquet DIR` makes a baseline of the reference (column by column),
//! writes it to DIR, reads it back, then prints as JSON the milliseconds to read it and to test the window against it
//! (the best of five runs, the window already in memory as a capture would be).

use std::time::Instant;

use cairn_monitor::{Baseline, DriftOptions};
use polars::prelude::*;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [reference, window, dir] = args.as_slice() else {
        return Err("usage: baseline_window REFERENCE.parquet WINDOW.parquet DIR".into());
    };
    let scan = |p: &str| LazyFrame::scan_parquet(PlRefPath::new(p), Default::default());
    let lf = scan(reference)?;
    let names: Vec<String> = lf.clone().collect_schema()?.iter_names().map(|n| n.to_string()).collect();
    let t = Instant::now();
    let baseline = Baseline::from_summaries(cairn_monitor::drift::summarize_lazy(&lf, &names)?);
    baseline.write_dir(std::path::Path::new(dir))?;
    let make_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let stored = Baseline::read_dir(std::path::Path::new(dir))?;
    let read_ms = t.elapsed().as_secs_f64() * 1e3;
    let current = scan(window)?.collect()?;
    let mut best = f64::INFINITY;
    let mut report = None;
    for _ in 0..5 {
        let t = Instant::now();
        report = Some(stored.drift(&current, &DriftOptions::default())?);
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    let drifted = report.map_or(0, |r| r.drifted_columns);
    println!(
        "{}",
        serde_json::json!({"make_ms": make_ms, "read_ms": read_ms, "drift_ms": best, "rows": current.height(), "drifted": drifted})
    );
    Ok(())
}
