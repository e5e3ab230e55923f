//! Flow speed: a 10-step flow on diabetic_data.csv run by Cairn, beside the same work in Python — the
//! flow's exported polars script and hand-written pandas (benches/flow_peers.py) — timed in the same run.
//! Then the same comparison on a synthetic table of ROWS rows (default 10M; a CSV written once to the temp
//! folder) with a lookup table to join and a group-by at the end.
//! Usage: flow_bench [CSV] [PYTHON] [ROWS]   (PYTHON needs polars and pandas; ROWS 0 skips; build with --release)

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use cairn_flow::{FlowFile, Options, Output, Source, SourceFormat, Step, compile, export_python, run};
use polars::prelude::*;

// The allocator the cairn binary and the desktop app use.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
use serde_json::json;

fn flow(csv: &str) -> FlowFile {
    let mut source = Source::csv("diabetic", csv, &["?"]);
    if csv.ends_with(".parquet") {
        source.format = SourceFormat::Parquet;
    }
    let mut f = FlowFile::new("bench", source);
    f.steps = vec![
        Step::new("drop", json!({"columns": ["weight", "payer_code"]})),
        Step::new("filter", json!({"keep": {"column": "gender", "op": "ne", "value": "Unknown/Invalid"}})),
        Step::new("derive", json!({"name": "readmitted_30", "when": {"column": "readmitted", "op": "eq", "value": "<30"}})),
        Step::new("split", json!({"kind": "stratified", "stratify": "readmitted"})),
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

/// Runs `f` with Cairn (fit once, then best of `n` with the fitted values), exports it, and times the
/// exported script and the pandas peer (`mode` in benches/flow_peers.py) in the same run.
fn compare(title: &str, f: &FlowFile, dir: &std::path::Path, python: &str, mode: &str, inputs: &[&std::path::Path], n: usize) {
    let fitted = match run(dir, f, &Output::File(dir.join("fit.parquet")), &Options::default()) {
        Ok(r) => r.flow,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let out = dir.join("cairn.parquet");
    let cairn = best(n, || run(dir, &fitted, &Output::File(out.clone()), &Options::default()).map(|r| r.rows));
    let script = match compile(dir, &fitted, &Options::default()).and_then(|p| export_python(dir, &p)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let script_path = dir.join("bench_flow.py");
    let _ = std::fs::write(&script_path, script);
    let peers = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/flow_peers.py");
    let py = Command::new(python).arg(&peers).arg(mode).arg(&script_path).arg(dir).args(inputs).arg(n.to_string()).output();
    println!("{title} (best of {n}, fitted values reused):");
    println!("  cairn                       {cairn:.3} s");
    match py {
        Ok(o) if o.status.success() => {
            let mut times = Vec::new();
            for line in String::from_utf8_lossy(&o.stdout).lines() {
                let mut it = line.split_whitespace();
                if let (Some(name), Some(Ok(secs))) = (it.next(), it.next().map(str::parse::<f64>)) {
                    let (ratio, word) = if cairn <= secs { (secs / cairn, "faster") } else { (cairn / secs, "slower") };
                    println!("  {name:<27} {secs:.3} s  (cairn {ratio:.2}× {word})");
                    times.push(secs);
                }
            }
            // The same engine by hand against pandas: what this machine allows (pandas runs on one core,
            // polars on all of them, so the ratio grows with cores and rows).
            if let [polars, .., pandas] = times[..] {
                println!("  python polars vs pandas     {:.2}× faster", pandas / polars);
            }
        }
        Ok(o) => eprintln!("peers failed:\n{}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => eprintln!("{python}: {e}"),
    }
}

/// The synthetic table (ROWS rows) and its lookup, as CSV files in `dir`, written once per size.
fn synthetic(dir: &std::path::Path, rows: usize) -> (PathBuf, PathBuf) {
    let main = std::env::temp_dir().join(format!("cairn-flow-bench-{rows}.csv"));
    let lookup = dir.join("groups.csv");
    let groups: Vec<String> = (0..20).map(|g| format!("g{g}")).collect();
    let mut lk = df!(
        "grp" => &groups,
        "region" => (0..20).map(|g| ["north", "south", "east", "west"][g % 4]).collect::<Vec<_>>(),
        "weight" => (0..20).map(|g| 0.5 + g as f64 / 10.0).collect::<Vec<_>>()
    )
    .expect("lookup");
    let _ = CsvWriter::new(std::fs::File::create(&lookup).expect("lookup file")).finish(&mut lk);
    if !main.exists() {
        let cities: Vec<String> = (0..50).map(|c| format!("city{c}")).collect();
        let n = rows;
        let mut df = df!(
            "id" => (0..n as i64).collect::<Vec<_>>(),
            "grp" => (0..n).map(|i| groups[(i * 7 + i / 11) % 20].as_str()).collect::<Vec<_>>(),
            "city" => (0..n).map(|i| (i % 19 != 0).then(|| cities[(i * 31 + i / 7) % 50].as_str())).collect::<Vec<_>>(),
            "x" => (0..n).map(|i| (i % 29 != 0).then(|| ((i * 7919) % 10007) as f64 / 100.0 - 50.0)).collect::<Vec<_>>(),
            "n" => (0..n).map(|i| ((i * 13 + i / 5) % 101) as i64).collect::<Vec<_>>(),
            "flag" => (0..n).map(|i| if (i * 3 + i / 17) % 4 == 0 { "yes" } else { "no" }).collect::<Vec<_>>()
        )
        .expect("synthetic table");
        let tmp = main.with_extension("part");
        let _ = CsvWriter::new(std::fs::File::create(&tmp).expect("synthetic file")).finish(&mut df);
        let _ = std::fs::rename(&tmp, &main);
    }
    (main, lookup)
}

fn large_flow(main: &str, lookup: &str) -> FlowFile {
    let mut f = FlowFile::new("bench_large", Source::csv("t", main, &[]));
    f.sources.push(Source::csv("groups", lookup, &[]));
    f.steps = vec![
        Step::new("filter", json!({"keep": {"column": "n", "op": "ge", "value": 5}})),
        Step::new("fill_missing", json!({"columns": ["x"], "strategy": "mean"})),
        Step::new("fill_missing", json!({"columns": ["city"], "strategy": "mode"})),
        Step::new("derive", json!({"name": "big", "when": {"column": "n", "op": "gt", "value": 50}})),
        Step::new("join", json!({"source": "groups", "how": "left", "on": ["grp"]})),
        Step::new("one_hot", json!({"column": "flag"})),
        Step::new("scale", json!({"columns": ["x"], "method": "standard"})),
        Step::new("frequency_encode", json!({"column": "city"})),
        Step::new("formula", json!({"name": "score", "expr": "x * weight + n"})),
        Step::new(
            "group_by",
            json!({"by": ["region", "big"], "aggs": [
                {"column": "score", "agg": "mean"}, {"column": "n", "agg": "sum"}, {"column": "city", "agg": "mean"}, {"column": "id", "agg": "count"}
            ]}),
        ),
    ];
    f
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let csv = args.get(1).cloned().unwrap_or_else(|| "../shared/data/diabetic_data.csv".into());
    let python = args.get(2).cloned().unwrap_or_else(|| "python3".into());
    let rows: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(10_000_000);
    let csv = std::path::absolute(&csv).unwrap_or_else(|_| PathBuf::from(&csv));
    let dir = std::env::temp_dir().join(format!("cairn-flow-bench-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        std::process::exit(1);
    }
    let title = format!("flow of 10 steps on {}", csv.display());
    compare(&title, &flow(&csv.to_string_lossy()), &dir, &python, "diabetic", &[&csv], 5);
    // As in the studio: the dataset imported once (Cairn keeps it as Parquet), the flow run on that copy;
    // the peers read the same Parquet file.
    let parquet = dir.join("diabetic.parquet");
    let stored = LazyCsvReader::new(PlRefPath::new(csv.to_string_lossy().as_ref()))
        .with_null_values(Some(NullValues::AllColumns(vec!["?".into()])))
        .with_infer_schema_length(None)
        .finish()
        .and_then(|lf| lf.collect())
        .and_then(|mut df| ParquetWriter::new(std::fs::File::create(&parquet)?).finish(&mut df).map(|_| ()));
    match stored {
        Ok(()) => {
            let title = "the same flow on the imported dataset (its stored Parquet copy)".to_string();
            compare(&title, &flow(&parquet.to_string_lossy()), &dir, &python, "diabetic", &[&parquet], 5);
        }
        Err(e) => eprintln!("cannot write {}: {e}", parquet.display()),
    }
    if rows > 0 {
        let (main, lookup) = synthetic(&dir, rows);
        let f = large_flow(&main.to_string_lossy(), &lookup.to_string_lossy());
        let title = format!(
            "flow of 10 steps (filter, fill ×2, derive, join, one-hot, scale, frequency, formula, group-by) on {rows} synthetic rows"
        );
        compare(&title, &f, &dir, &python, "large", &[&main, &lookup], 3);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
