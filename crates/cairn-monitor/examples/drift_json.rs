//! The drift report of two Parquet files as JSON on stdout, for the comparison with Evidently in
//! tests/monitor/run.sh (an example, so it is built with the tests and never shipped).
//!
//! `drift_json REFERENCE.parquet CURRENT.parquet [--method psi] [--lazy] [--baseline] [--linf]`: `--linf` adds deequ's distances per column; `--lazy` reads one column
//! at a time; `--baseline` makes a baseline from the reference, round-trips it through its files and tests the
//! current data against that instead of the rows.

use cairn_monitor::violations::{linf_categorical, linf_numeric, linf_robust};
use cairn_monitor::{DriftOptions, StatTest, Values};
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
    if !args.iter().any(|a| a == "--linf") {
        println!("{}", serde_json::json!({"report": report}));
        return Ok(());
    }
    // deequ's distances per shared column, for the hand computation in compare.py.
    let r = cairn_monitor::summary::summarize(&scan(reference)?.collect()?)?;
    let c = cairn_monitor::summary::summarize(&scan(current)?.collect()?)?;
    let mut linf = serde_json::Map::new();
    for (a, b) in r.iter().filter_map(|a| c.iter().find(|b| b.name == a.name).map(|b| (a, b))) {
        let simple = match (&a.values, &b.values) {
            (Values::Numbers { values: av, counts: ac }, Values::Numbers { values: bv, counts: bc }) => linf_numeric(av, ac, bv, bc),
            _ => match cairn_monitor::violations::joint_category_counts(&a.values, &b.values) {
                Some(counts) => linf_categorical(&counts),
                None => continue,
            },
        };
        if a.present() == 0 || b.present() == 0 {
            continue;
        }
        linf.insert(a.name.clone(), serde_json::json!([simple, linf_robust(simple, a.present(), b.present())]));
    }
    println!("{}", serde_json::json!({"report": report, "linf": linf}));
    Ok(())
}
