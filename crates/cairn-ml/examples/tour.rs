//! Every model on adult.csv with its default hyperparameters: the test metrics, the fit time and the
//! whole training's time (encoding, fit, evaluation, importances). A smoke test of speed, in release.
//!
//!   tour [ADULT_CSV] [MODEL ...]      e.g. `tour ../shared/data/adult.csv gbm knn`

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use cairn_data::Observer;
use cairn_types::{ImportOptions, ModelKind, Task, TrainSpec, Validation};

struct Quiet;
impl Observer for Quiet {}

fn main() {
    let mut args = std::env::args().skip(1);
    let path =
        args.next().map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/adult.csv"));
    let only: Vec<ModelKind> = args.filter_map(|a| ModelKind::parse(&a)).collect();
    let frame = match cairn_data::read_file(&path, &ImportOptions::default(), &Quiet) {
        Ok(i) => i.frame,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("{} rows; holdout 0.2, seed 42, default hyperparameters", frame.height());
    for info in cairn_ml::catalog() {
        if !only.is_empty() && !only.contains(&info.kind) {
            continue;
        }
        for task in &info.tasks {
            let target = if *task == Task::Classification { "class" } else { "hours-per-week" };
            let spec = TrainSpec {
                dataset: "adult".into(),
                target: target.into(),
                task: Some(*task),
                model: info.kind,
                params: BTreeMap::new(),
                features: None,
                validation: Validation::Holdout { test_fraction: 0.2 },
                seed: 42,
                experiment: None,
                run_name: None,
                positive_class: None,
            };
            let t = Instant::now();
            match cairn_ml::train(&frame, &spec, &cairn_ml::Silent) {
                Ok(trained) => {
                    let e = &trained.evaluation;
                    let keys: &[&str] = if *task == Task::Classification { &["roc_auc", "accuracy", "log_loss"] } else { &["r2", "rmse"] };
                    let shown: Vec<String> = keys.iter().filter_map(|k| e.metrics.get(*k).map(|v| format!("{k} {v:.4}"))).collect();
                    println!(
                        "{:<14} {:<15} fit {:>7.2} s   total {:>7.2} s   {}",
                        info.kind.as_str(),
                        target,
                        e.fit_seconds,
                        t.elapsed().as_secs_f64(),
                        shown.join("  ")
                    );
                }
                Err(e) => println!("{:<14} {:<15} error: {e}", info.kind.as_str(), target),
            }
        }
    }
}
