//! The Cairn side of scripts/bench-serve.sh: fits the benchmark's model and writes the endpoint's config
//! and request bodies; and measures a single-row prediction in process, through a frame (as `cairn
//! predict` does) and from typed values (as the endpoint does), to show where a request's time goes.
//!
//! `serve_bench prepare ADULT_CSV OUT_DIR` → OUT_DIR/{model.cairn, config.json, row.csv, row.json, key}
//! `serve_bench inproc OUT_DIR [N]` → microseconds per single-row prediction, each way.

use std::path::{Path, PathBuf};
use std::time::Instant;

use cairn_ml::{FeatureKind, FeatureValues, Model};
use cairn_types::{EndpointConfig, ImportOptions, ModelKind, TrainSpec, Validation, VariantConfig};
use serde_json::{Value, json};

/// The held-out row each request sends (adult.csv's data row 100).
const ROW: usize = 100;
const KEY: &str = "bench-key";

struct Quiet;
impl cairn_data::Observer for Quiet {}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("serve_bench: {what}: {e}");
    std::process::exit(1)
}

fn prepare(adult: &Path, out: &Path) {
    std::fs::create_dir_all(out).unwrap_or_else(|e| fail("create the output folder", e));
    let frame = cairn_data::read_file(adult, &ImportOptions::default(), &Quiet).unwrap_or_else(|e| fail("read adult.csv", e)).frame;
    let spec = TrainSpec {
        dataset: "adult".into(),
        target: "class".into(),
        task: None,
        model: ModelKind::Gbm,
        params: [("iterations", "100"), ("early_stopping_rounds", "0")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        features: None,
        validation: Validation::Holdout { test_fraction: 0.2 },
        seed: 42,
        experiment: None,
        run_name: None,
        positive_class: None,
    };
    let t = Instant::now();
    let model = cairn_ml::fit_all(&frame, &spec, &cairn_ml::Silent).unwrap_or_else(|e| fail("fit", e));
    eprintln!("fitted a gbm of 100 trees on {} rows in {:.2} s", frame.height(), t.elapsed().as_secs_f64());
    let model_path = out.join("model.cairn");
    model.save(&model_path).unwrap_or_else(|e| fail("save the model", e));
    let config = EndpointConfig {
        name: "bench".into(),
        host: "127.0.0.1".into(),
        port: 0,
        key: KEY.into(),
        variants: vec![VariantConfig {
            name: "v1".into(),
            model: "adult".into(),
            version: 1,
            model_path: model_path.to_string_lossy().into_owned(),
            weight: 1.0,
        }],
        capture: None,
        max_body_bytes: 8 << 20,
        state_file: out.join("state.json").to_string_lossy().into_owned(),
    };
    let write = |name: &str, bytes: Vec<u8>| std::fs::write(out.join(name), bytes).unwrap_or_else(|e| fail(name, e));
    write("config.json", serde_json::to_vec_pretty(&config).unwrap_or_default());
    let text = std::fs::read_to_string(adult).unwrap_or_else(|e| fail("read adult.csv", e));
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let row = lines.nth(ROW).unwrap_or_default();
    write("row.csv", format!("{header}\n{row}\n").into_bytes());
    let cells: Vec<Value> = row.split(',').map(|c| c.parse::<i64>().map_or_else(|_| json!(c), |n| json!(n))).collect();
    let body = json!({"dataframe_split": {"columns": header.split(',').collect::<Vec<_>>(), "data": [cells]}});
    write("row.json", body.to_string().into_bytes());
    write("key", KEY.as_bytes().to_vec());
}

/// Microseconds per call of `f`, the median of 5 rounds of `n` calls.
fn per_call(n: usize, mut f: impl FnMut()) -> f64 {
    let mut rounds: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            (0..n).for_each(|_| f());
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[2]
}

fn inproc(out: &Path, n: usize) {
    let model = Model::load(&out.join("model.cairn")).unwrap_or_else(|e| fail("load the model", e));
    let frame =
        cairn_data::read_file(&out.join("row.csv"), &ImportOptions::default(), &Quiet).unwrap_or_else(|e| fail("read row.csv", e)).frame;
    let read_file = per_call(n / 10, || {
        let f = cairn_data::read_file(&out.join("row.csv"), &ImportOptions::default(), &Quiet).map(|r| r.frame);
        std::hint::black_box(f.ok());
    });
    let from_frame = per_call(n, || {
        std::hint::black_box(model.predict(&frame).ok());
    });
    // The same row as typed values, as the endpoint reads a request.
    let header: Vec<String> = frame.get_column_names().iter().map(|c| c.to_string()).collect();
    let text = std::fs::read_to_string(out.join("row.csv")).unwrap_or_default();
    let row: Vec<String> = text.lines().nth(1).unwrap_or_default().split(',').map(str::to_string).collect();
    let cell = |f: &str| header.iter().position(|h| h == f).map(|i| row[i].as_str()).unwrap_or("");
    let values: Vec<FeatureValues<'_>> = model
        .features()
        .iter()
        .zip(model.feature_kinds())
        .map(|(f, k)| match k {
            FeatureKind::Text => FeatureValues::Texts(vec![Some(cell(f))]),
            _ => FeatureValues::Numbers(vec![cell(f).trim().parse().unwrap_or(f64::NAN)]),
        })
        .collect();
    let from_values = per_call(n, || {
        std::hint::black_box(model.predict_values(&values).ok());
    });
    println!(
        "single-row prediction in process, gbm of 100 trees: import of a one-row CSV file {read_file:.1} µs; Model::predict on a frame {from_frame:.1} µs; from typed values (the endpoint's way) {from_values:.1} µs"
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["prepare", adult, out] => prepare(Path::new(adult), Path::new(out)),
        ["inproc", out] => inproc(&PathBuf::from(out), 20_000),
        ["inproc", out, n] => inproc(&PathBuf::from(out), n.parse().unwrap_or(20_000)),
        _ => fail("usage", "serve_bench prepare ADULT_CSV OUT_DIR | serve_bench inproc OUT_DIR [N]"),
    }
}
