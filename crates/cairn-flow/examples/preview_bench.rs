//! Preview refresh on a large table: a synthetic N-row frame (default 10M) in memory, as a dataset source
//! is for the server, and a 6-step flow (missing markers, drop, mode imputation, one-hot, a derived
//! column, a stratified split). One step is edited and the preview recomputed, as the wrangling page does
//! on every edit: the first rows (10,000, the page's sample) through every step, beside the input of the
//! step shown. Prints the median and p95 refresh; target < 150 ms. With `--full`, also the full run.
//! Usage: preview_bench [ROWS] [--full]   (build with --release)

use std::collections::HashMap;
use std::time::Instant;

use cairn_flow::{FlowFile, Options, Source, Step, preview};
use polars::prelude::*;
use serde_json::json;

const SAMPLE: usize = 10_000;

fn table(n: usize) -> DataFrame {
    let cities = ["Paris", "Lyon", "Nice", "Lille", "Brest"];
    let labels = ["NO", ">30", "<30"];
    let id: Vec<i64> = (0..n as i64).collect();
    let age: Vec<Option<f64>> = (0..n).map(|i| (i % 17 != 0).then(|| 18.0 + (i * 7919 % 70) as f64)).collect();
    let city: Vec<&str> = (0..n).map(|i| if i % 13 == 0 { "?" } else { cities[i * 31 % 5] }).collect();
    let kind: Vec<i64> = (0..n).map(|i| (i * 17 % 8) as i64 + 1).collect();
    let label: Vec<&str> = (0..n).map(|i| labels[(i * 7 + i / 3) % 3]).collect();
    let amount: Vec<f64> = (0..n).map(|i| (i % 1000) as f64 * 1.5).collect();
    let note: Vec<&str> = (0..n).map(|i| if i % 2 == 0 { "x" } else { "y" }).collect();
    df!("id" => id, "age" => age, "city" => city, "kind" => kind, "label" => label, "amount" => amount, "note" => note)
        .expect("the synthetic table")
}

fn flow(label: &str) -> FlowFile {
    let mut f = FlowFile::new("bench", Source::dataset("t", "ds_bench", "bench"));
    f.steps = vec![
        Step::new("mark_missing", json!({"values": ["?"]})),
        Step::new("drop", json!({"columns": ["note"]})),
        Step::new("fill_missing", json!({"columns": ["city"], "strategy": "mode"})),
        Step::new("one_hot", json!({"column": "kind"})),
        Step::new("derive", json!({"name": "target", "when": {"column": "label", "op": "eq", "value": label}})),
        Step::new("split", json!({"kind": "stratified", "stratify": "target", "test_fraction": 0.2})),
    ];
    f
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rows: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000_000);
    let full = args.iter().any(|a| a == "--full");
    let dir = std::env::temp_dir();
    let t = Instant::now();
    let big = table(rows);
    println!("preview_bench: {} rows × {} columns built in {:.1} s", big.height(), big.width(), t.elapsed().as_secs_f64());

    let refresh = |label: &str| {
        let t = Instant::now();
        // What the server does per request: the cached frame's first rows, then the flow over them.
        let head = big.head(Some(SAMPLE));
        let opts = Options { inputs: HashMap::from([("t".to_string(), head)]), head: Some(SAMPLE), ..Default::default() };
        let p = preview(&dir, &flow(label), None, &opts).expect("preview");
        assert!(p.failure.is_none(), "{:?}", p.failure.map(|f| f.1.to_string()));
        assert_eq!(p.after.height(), SAMPLE);
        t.elapsed().as_secs_f64() * 1000.0
    };
    let first = refresh("<30");
    let mut times: Vec<f64> = (0..20).map(|i| refresh(if i % 2 == 0 { ">30" } else { "<30" })).collect();
    times.sort_by(f64::total_cmp);
    let (median, p95) = (times[times.len() / 2], times[(times.len() * 95 / 100).min(times.len() - 1)]);
    println!(
        "preview refresh after editing one step ({} of {} rows, 6 steps): first {first:.0} ms, median {median:.1} ms, p95 {p95:.1} ms (target < 150 ms: {})",
        SAMPLE,
        rows,
        if p95 < 150.0 { "met" } else { "NOT met" }
    );
    if full {
        let opts = Options { inputs: HashMap::from([("t".to_string(), big.clone())]), ..Default::default() };
        let t = Instant::now();
        let plan = cairn_flow::compile(&dir, &flow("<30"), &opts).expect("compile");
        let out = plan.frame.collect().expect("run");
        println!("full run (fit + every row): {} rows × {} columns in {:.2} s", out.height(), out.width(), t.elapsed().as_secs_f64());
    }
}
