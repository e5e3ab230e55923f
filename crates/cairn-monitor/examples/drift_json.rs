//! The drift report of two Parquet files as JSON on stdout, for the comparison with Evidently in
//! tests/monitor/run.sh (an example, so it is built with the tests and never shipped).
//!
//! `drift_json REFERENCE.parquet CURRENT.parquet [--method psi] [--lazy] [--baseline]`: `--lazy` reads one column
//! at a time; `--baseline` makes a baseline from the reference, round-trips it through its files and tests the
//! current data against that instead of the rows.

use cairn_monitor::{DriftOptions, StatTest};
use polars::prelude::*;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(reference), Some(current)) = (args.first(), args.get(1)) else {
        return Err("usage: drift_json REFERENCE.parquet CURRENT.parquet [--method psi] [--lazy] [--baseline]".into());
    };
    let mut options = DriftOptions::default();
    if args.iter().any(|a| a == "psi") {
        options.method = Some(StatTest::Psi);
    }
    let scan = |p: &str| LazyFrame::scan_parquet(PlRefPath::new(p), Default::default());
    let report = if args.iter().any(|a| a == "--lazy") {
        cairn_monitor::drift::drift_lazy(scan(reference)?, scan(current)?, &options)?
    } else if args.iter().any(|a| a == "--baseline") {
        let r = scan(reference)?.collect()?;
        let c = scan(current)?.collect()?;
        let baseline = cairn_monitor::Baseline::from_frame(&r)?;
        let dir = std::env::temp_dir().join(format!("cairn-monitor-{}", std::process::id()));
        baseline.write_dir(&dir)?;
        let loaded = cairn_monitor::Baseline::read_dir(&dir)?;
        std::fs::remove_dir_all(&dir)?;
        loaded.drift(&c, &options)?
    } else {
        let r = scan(reference)?.collect()?;
        let c = scan(current)?.collect()?;
        cairn_monitor::drift::drift(&r, &c, &options)?
    };
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
