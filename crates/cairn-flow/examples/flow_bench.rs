//! Flow speed: a 10-step flow on diabetic_data.csv run by Cairn, beside the same work in Python — the
//! flow's exported polars script and hand-written pandas (benches/flow_peers.py) — timed in the same run.
//! Usage: flow_bench [CSV] [PYTHON]   (PYTHON needs polars and pandas; build with --release)

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use cairn_flow::{FlowFile, Options, Output, Source, SourceFormat, Step, compile, export_python, run};
use serde_json::json;

fn flow(csv: &str) -> FlowFile {
    let source = Source {
        name: "diabetic".into(),
        path: csv.into(),
        flow: None,
        dataset: None,
        format: SourceFormat::Csv,
        separator: ",".into(),
        null_values: vec!["?".into()],
    };
    let mut f = FlowFile::new("bench", source);
    f.steps = vec![
        Step::new("drop", json!({"columns": ["weight", "payer_code"]})),
        Step::new("filter", json!({"keep": {"column": "gender", "op": "ne", "value": "Unknown/Invalid"}})),
        Step::new("derive", json!({"name": "readmitted_30", "when": {"column": "readmitted", "op": "eq", "value": "<30"}})),
        Step::new("split", json!({"kind": "stratified", "stratify": "readmitted_30"})),
        Step::new("fill_missing", json!({"columns": ["race"], "strategy": "mode"})),
        Step::new("fill_missing", json!({"columns": ["medical_specialty"], "strategy": "constant", "value": "Unknown"})),
        Step::new("one_hot", json!({"column": "admission_type_id"})),
        Step::new("scale", json!({"columns": ["num_lab_procedures", "num_medications"], "method": "standard"})),
        Step::new("bin", json!({"columns": ["time_in_hospital"], "method": "quantile", "bins": 4})),
        Step::new("frequency_encode", json!({"column": "diag_1"})),
    ];
    f
}

fn best<T>(n: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let csv = args.get(1).cloned().unwrap_or_else(|| "../shared/data/diabetic_data.csv".into());
    let python = args.get(2).cloned().unwrap_or_else(|| "python3".into());
    let csv = std::path::absolute(&csv).unwrap_or_else(|_| PathBuf::from(&csv));
    let dir = std::env::temp_dir().join(format!("cairn-flow-bench-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        std::process::exit(1);
    }
    let f = flow(&csv.to_string_lossy());
    // Fit once (as a user's first run does); the timed runs reuse the fitted values, as new data would.
    let fitted = match run(&dir, &f, &Output::File(dir.join("fit.parquet")), &Options::default()) {
        Ok(r) => r.flow,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let out = dir.join("cairn.parquet");
    let cairn = best(5, || run(&dir, &fitted, &Output::File(out.clone()), &Options::default()).map(|r| r.rows));
    let script = compile(&dir, &fitted, &Options::default()).and_then(|p| export_python(&dir, &p));
    let script = match script {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let script_path = dir.join("bench_flow.py");
    let _ = std::fs::write(&script_path, script);
    let peers = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/flow_peers.py");
    let py = Command::new(&python).arg(&peers).arg(&script_path).arg(&csv).arg(&dir).output();
    println!("flow of 10 steps on {} (best of 5, fitted values reused):", csv.display());
    println!("  cairn                       {cairn:.3} s");
    match py {
        Ok(o) if o.status.success() => {
            for line in String::from_utf8_lossy(&o.stdout).lines() {
                let mut it = line.split_whitespace();
                if let (Some(name), Some(Ok(secs))) = (it.next(), it.next().map(str::parse::<f64>)) {
                    println!("  {name:<27} {secs:.3} s  (cairn is {:.2}× its time)", cairn / secs);
                }
            }
        }
        Ok(o) => eprintln!("peers failed:\n{}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => eprintln!("{python}: {e}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
