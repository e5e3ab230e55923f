//! Runs a search on a training file and scores its final model on a test file: a quick look at the
//! search's quality outside the studio (the benchmark is scripts/bench/automl_peer.py, through the CLI).
//!
//!   automl_try TRAIN.csv TEST.csv TARGET [BUDGET_SECONDS|Ntrials] [regression]

use std::path::Path;

use cairn_types::{ImportOptions, ModelKind, Task, TrainSpec, Validation};

struct Quiet;
impl cairn_data::Observer for Quiet {}

struct Print;
impl cairn_automl::Observer for Print {
    fn log(&self, line: &str) {
        eprintln!("  {line}");
    }
    fn trial_finished(&self, t: &cairn_types::TrialSummary, _m: &std::collections::BTreeMap<String, f64>) {
        eprintln!(
            "  #{:<3} {:>6.1}s {:<14} {:>8} fit {:.2}s {}",
            t.number,
            t.finished_at,
            t.model.as_str(),
            t.score.map_or("failed".into(), |s| format!("{s:.4}")),
            t.fit_seconds,
            t.params
                .iter()
                .filter(|(k, _)| !["iterations", "early_stopping_rounds", "validation_fraction", "max_iterations"].contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        eprintln!("usage: automl_try TRAIN TEST TARGET [SECONDS|Ntrials] [regression]");
        std::process::exit(2);
    }
    let read = |p: &str| {
        cairn_data::read_file(Path::new(p), &ImportOptions::default(), &Quiet).map(|i| i.frame).unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let (train, test) = (read(&a[1]), read(&a[2]));
    let budget = a.get(4).cloned().unwrap_or_else(|| "60".into());
    let regression = a.get(5).is_some_and(|s| s == "regression");
    let spec = TrainSpec {
        dataset: String::new(),
        target: a[3].clone(),
        task: regression.then_some(Task::Regression),
        model: ModelKind::Gbm,
        params: Default::default(),
        features: None,
        validation: Validation::Auto,
        seed: 0,
        experiment: None,
        run_name: None,
        positive_class: None,
    };
    let data = cairn_ml::TrainingData::new(&train, &spec).unwrap_or_else(|e| panic!("{e}"));
    let mut opts = cairn_automl::Options { seed: 0, ..Default::default() };
    match budget.strip_prefix('N') {
        Some(n) => opts.max_trials = n.parse().ok(),
        None => opts.budget_seconds = budget.parse().ok(),
    }
    let started = std::time::Instant::now();
    let out = cairn_automl::search(&data, &opts, std::sync::Arc::new(cairn_automl::Fit), &Print).unwrap_or_else(|e| panic!("{e}"));
    let wall = started.elapsed().as_secs_f64();
    let model = out.model.unwrap_or_else(|| panic!("no model"));
    let pred = model.predict(&test).unwrap_or_else(|e| panic!("{e}"));
    let r = &out.result;
    println!("validation {} = {:?}, {} trials, stopped: {}, wall {wall:.1} s", r.metric, r.score, r.leaderboard.len(), r.stopped);
    println!("ensemble: {:?}", r.ensemble.iter().map(|m| format!("#{} {} {:.2}", m.trial, m.model.as_str(), m.weight)).collect::<Vec<_>>());
    let truth = test.column(&a[3]).unwrap_or_else(|e| panic!("{e}")).as_materialized_series().clone();
    if regression {
        let y: Vec<f64> = truth
            .cast(&polars::prelude::DataType::Float64)
            .unwrap_or_else(|e| panic!("{e}"))
            .f64()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        let p: Vec<f64> = pred
            .column("prediction")
            .unwrap_or_else(|e| panic!("{e}"))
            .f64()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        println!("TEST rmse {:.4}", cairn_ml::score::regression(&y, &p)["rmse"]);
    } else {
        let positive = model.positive_class().unwrap_or_default().to_string();
        let y: Vec<bool> = truth
            .cast(&polars::prelude::DataType::String)
            .unwrap_or_else(|e| panic!("{e}"))
            .str()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|v| v == Some(positive.as_str()))
            .collect();
        let p: Vec<f64> = pred
            .column(&format!("proba_{positive}"))
            .unwrap_or_else(|e| panic!("{e}"))
            .f64()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect();
        println!("TEST roc_auc {:.4} (positive {positive})", cairn_ml::score::roc_auc(&y, &p).unwrap_or(f64::NAN));
    }
}
