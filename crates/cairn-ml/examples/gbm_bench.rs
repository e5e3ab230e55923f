//! Cairn's default GBM beside LightGBM's defaults, measured in the same run, on adult.csv (target
//! `class`) and diabetic_data.csv (target readmitted = "<30"; its two identifiers dropped for LightGBM,
//! left out by Cairn's own defaults). Targets: Cairn's test ROC AUC at least LightGBM's, its fit time at
//! most LightGBM's.
//!
//!   gbm_bench DATA_DIR [RUNS]        (DATA_DIR holds adult.csv and diabetic_data.csv)
//!
//! A stratified 80/20 split (fixed seed) is written to two CSV files; each side reads them, fits on
//! the first and scores ROC AUC on the second. Fit times are the median of RUNS fits (default 3) and
//! include each side's own encoding and binning. LightGBM runs `scripts/bench/lightgbm_peer.py` with
//! $CAIRN_BENCH_PYTHON (scripts/bench.sh sets it to a venv with pandas and lightgbm).
//! `CAIRN_GBM_PARAMS="learning_rate=0.05,max_depth=6"` fits Cairn with other hyperparameters.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cairn_data::Observer;
use cairn_types::{ImportOptions, ModelKind, TrainSpec, Validation};
use polars::prelude::*;

struct Quiet;
impl Observer for Quiet {}

/// Prints the training's log lines when $CAIRN_BENCH_VERBOSE is set.
struct Log;
impl cairn_ml::Reporter for Log {
    fn log(&self, line: &str) {
        if std::env::var_os("CAIRN_BENCH_VERBOSE").is_some() {
            eprintln!("    | {line}");
        }
    }
}

const SEED: u64 = 42;

/// One data set of the benchmark.
struct Case {
    file: &'static str,
    /// The target column; `derive` makes it from another column when set.
    target: &'static str,
    derive: Option<(&'static str, &'static str)>,
    /// Columns LightGBM is not given (Cairn leaves them out by itself).
    peer_drops: &'static [&'static str],
}

const CASES: [Case; 2] = [
    Case { file: "adult.csv", target: "class", derive: None, peer_drops: &[] },
    Case {
        file: "diabetic_data.csv",
        target: "readmitted_30",
        derive: Some(("readmitted", "<30")),
        peer_drops: &["encounter_id", "patient_nbr"],
    },
];

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn read(path: &Path) -> Result<DataFrame, String> {
    cairn_data::read_file(path, &ImportOptions::default(), &Quiet).map(|i| i.frame).map_err(|e| e.to_string())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Row indices of a stratified split: each class shuffled (SplitMix64) and a `test` share held out.
fn stratified(frame: &DataFrame, target: &str, test: f64) -> Result<(Vec<IdxSize>, Vec<IdxSize>), String> {
    let col = frame.column(target).map_err(|e| e.to_string())?.cast(&DataType::String).map_err(|e| e.to_string())?;
    let labels: Vec<String> = col.str().map_err(|e| e.to_string())?.iter().map(|v| v.unwrap_or("").to_string()).collect();
    let mut groups: BTreeMap<&str, Vec<IdxSize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        groups.entry(l).or_default().push(i as IdxSize);
    }
    let mut state = SEED;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for (_, mut rows) in groups {
        for i in (1..rows.len()).rev() {
            rows.swap(i, (next() % (i as u64 + 1)) as usize);
        }
        let t = (rows.len() as f64 * test).round() as usize;
        held.extend_from_slice(&rows[..t]);
        train.extend_from_slice(&rows[t..]);
    }
    train.sort_unstable();
    held.sort_unstable();
    Ok((train, held))
}

fn write_split(frame: &DataFrame, rows: Vec<IdxSize>, path: &Path) -> Result<(), String> {
    let mut part = frame.take(&IdxCa::from_vec("rows".into(), rows)).map_err(|e| e.to_string())?;
    cairn_data::write_csv(&mut part, path).map_err(|e| e.to_string())
}

fn lightgbm(train: &Path, test: &Path, target: &str, runs: usize) -> Result<serde_json::Value, String> {
    let python = std::env::var("CAIRN_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench/lightgbm_peer.py");
    let out = Command::new(&python)
        .arg(&script)
        .args([train.as_os_str(), test.as_os_str()])
        .args([target, &runs.to_string()])
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !out.status.success() {
        return Err(format!("lightgbm_peer.py failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("lightgbm_peer.py printed no JSON: {e}"))
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let data = args.next().map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let params: BTreeMap<String, String> = std::env::var("CAIRN_GBM_PARAMS")
        .unwrap_or_default()
        .split(',')
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect();
    let mut met = true;
    for case in &CASES {
        met &= bench(&data.join(case.file), case, &params, runs)?;
    }
    println!("  overall   {}", if met { "every target met" } else { "NOT every target met" });
    Ok(())
}

/// The case's table with its target made, and the peer's copy without the columns it is not given.
fn table(path: &Path, case: &Case) -> Result<DataFrame, String> {
    let mut frame = read(path)?;
    if let Some((from, value)) = case.derive {
        let made = frame
            .column(from)
            .map_err(|e| e.to_string())?
            .as_materialized_series()
            .equal(value)
            .map_err(|e| e.to_string())?
            .with_name(case.target.into());
        frame = frame.drop(from).map_err(|e| e.to_string())?;
        frame.with_column(made.into_series().into_column()).map_err(|e| e.to_string())?;
    }
    Ok(frame)
}

fn bench(path: &Path, case: &Case, params: &BTreeMap<String, String>, runs: usize) -> Result<bool, String> {
    let frame = table(path, case)?;
    let (train_rows, test_rows) = stratified(&frame, case.target, 0.2)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (train_csv, test_csv) = (dir.path().join("train.csv"), dir.path().join("test.csv"));
    write_split(&frame, train_rows.clone(), &train_csv)?;
    write_split(&frame, test_rows.clone(), &test_csv)?;
    let (train, test) = (read(&train_csv)?, read(&test_csv)?);
    let peer_frame = frame.drop_many(case.peer_drops.iter().copied());
    let (peer_train, peer_test) = (dir.path().join("peer_train.csv"), dir.path().join("peer_test.csv"));
    write_split(&peer_frame, train_rows, &peer_train)?;
    write_split(&peer_frame, test_rows, &peer_test)?;

    let spec = TrainSpec {
        dataset: case.file.into(),
        target: case.target.into(),
        task: None,
        model: ModelKind::Gbm,
        params: params.clone(),
        features: None,
        validation: Validation::default(),
        seed: SEED,
        experiment: None,
        run_name: None,
        positive_class: None,
    };
    let mut times = Vec::new();
    let mut model = None;
    for _ in 0..runs {
        let t = Instant::now();

        model = Some(cairn_ml::fit_all(&train, &spec, &Log).map_err(|e| e.to_string())?);
        times.push(t.elapsed().as_secs_f64());
    }
    let model = model.ok_or("no run")?;
    let positive = model.positive_class().ok_or("no positive class")?.to_string();
    let predicted = model.predict(&test).map_err(|e| e.to_string())?;
    let score: Vec<f64> = predicted
        .column(&format!("proba_{positive}"))
        .map_err(|e| e.to_string())?
        .f64()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    let truth_col = test.column(case.target).map_err(|e| e.to_string())?.cast(&DataType::String).map_err(|e| e.to_string())?;
    let truth: Vec<bool> = truth_col.str().map_err(|e| e.to_string())?.iter().map(|v| v == Some(positive.as_str())).collect();
    let auc = cairn_ml::score::roc_auc(&truth, &score).ok_or("AUC undefined")?;
    let fit = median(times);

    println!(
        "GBM on {}: {} training rows, {} test rows (stratified 80/20, seed {SEED}), median of {runs} fits",
        case.file,
        train.height(),
        test.height()
    );
    let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let shown = if shown.is_empty() { "default hyperparameters".to_string() } else { shown.join(" ") };
    println!("  cairn     fit {fit:>6.3} s   test ROC AUC {auc:.4}   ({shown})");
    let peer = lightgbm(&peer_train, &peer_test, case.target, runs)?;
    let (lfit, lauc) = (peer["fit_s"].as_f64().unwrap_or(f64::NAN), peer["auc"].as_f64().unwrap_or(f64::NAN));
    let version = peer["version"].as_str().unwrap_or("?");
    let threads = match &peer["threads"] {
        serde_json::Value::Number(n) => format!("{n} thread"),
        v => format!("{} threads", v.as_str().unwrap_or("?")),
    };
    println!(
        "  lightgbm  fit {lfit:>6.3} s   test ROC AUC {lauc:.4}   (LightGBM {version}, 100 rounds, defaults, pandas categoricals, {threads})"
    );
    println!("  ratio     fit time cairn/lightgbm {:.2}x   AUC difference cairn-lightgbm {:+.4}", fit / lfit, auc - lauc);
    let (time_ok, auc_ok) = (fit <= lfit, auc >= lauc);
    println!(
        "  target    fit time <= LightGBM's: {}   AUC >= LightGBM's: {}",
        if time_ok { "met" } else { "NOT met" },
        if auc_ok { "met" } else { "NOT met" }
    );
    Ok(time_ok && auc_ok)
}
