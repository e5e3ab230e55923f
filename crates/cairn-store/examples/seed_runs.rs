//! Fills a project's tracking store with synthetic training runs, to try the runs table at scale
//! (100,000 runs scroll, sort and filter as fast as 10).
//!
//! usage: seed_runs PROJECT_DIR N [EXPERIMENT]
//!
//! The runs go into EXPERIMENT (default "Synthetic", created when missing) in bulk transactions of
//! 10,000 via `Project::import_runs`, so 100,000 runs take seconds. They look like Cairn's own runs
//! (params model/learning_rate/max_depth/…, metrics roc_auc/accuracy/f1/log_loss, a few tags and
//! notes), mostly FINISHED with some FAILED and KILLED, none RUNNING: a seeded project never has runs
//! that poll forever. Values are deterministic in the run's index; ids are fresh on every call, so
//! seeding twice adds twice.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use cairn_store::{Project, TrackingStore};
use cairn_types::{LifecycleStage, Metric, Param, Run, RunData, RunInfo, RunInputs, RunStatus, Tag};

const MODELS: [&str; 6] = ["gbm", "logistic", "random_forest", "decision_tree", "knn", "gaussian_nb"];
const DATASETS: [&str; 3] = ["adult", "readmissions", "churn"];
const TEAMS: [&str; 4] = ["baseline", "tuning", "ablation", "candidate"];
const ADJECTIVES: [&str; 8] = ["brave", "calm", "eager", "gentle", "jolly", "plucky", "quiet", "witty"];
const ANIMALS: [&str; 8] = ["otter", "yak", "heron", "lynx", "marmot", "ibis", "puffin", "vole"];
const BATCH: u64 = 10_000;

/// A number in [0, 1) that looks random but depends only on `i` and `salt` (splitmix64).
fn unit(i: u64, salt: u64) -> f64 {
    let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(salt.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn pick<'a>(list: &[&'a str], i: u64, salt: u64) -> &'a str {
    list[(unit(i, salt) * list.len() as f64) as usize % list.len()]
}

/// Run `i` of a seeding whose ids start with `nonce`; started `i` minutes after `t0`.
fn synthetic_run(i: u64, nonce: u64, t0: i64) -> Run {
    let model = pick(&MODELS, i, 1);
    let start = t0 + i as i64 * 60_000;
    let secs = 2.0 + unit(i, 2) * if model == "gbm" || model == "random_forest" { 60.0 } else { 15.0 };
    let end = start + (secs * 1000.0) as i64;
    let roll = unit(i, 3);
    let status = if roll < 0.03 {
        RunStatus::Failed
    } else if roll < 0.05 {
        RunStatus::Killed
    } else {
        RunStatus::Finished
    };
    // Better models score higher on average; every run differs a little.
    let base = match model {
        "gbm" => 0.91,
        "random_forest" => 0.89,
        "logistic" => 0.88,
        "knn" => 0.84,
        "decision_tree" => 0.80,
        _ => 0.78,
    };
    let auc = (base + (unit(i, 4) - 0.5) * 0.06).min(0.999);
    let metric = |key: &str, value: f64| Metric { key: key.into(), value, timestamp: end, step: 0 };
    let metrics = if status == RunStatus::Finished {
        vec![
            metric("roc_auc", auc),
            metric("accuracy", 0.70 + (auc - 0.75) * 0.8 + unit(i, 5) * 0.02),
            metric("f1", 0.45 + (auc - 0.75) * 1.2 + unit(i, 6) * 0.05),
            metric("log_loss", 0.55 - (auc - 0.75) * 1.3 + unit(i, 7) * 0.03),
        ]
    } else {
        Vec::new()
    };
    let lr = [0.01, 0.03, 0.1, 0.3][(unit(i, 8) * 4.0) as usize % 4];
    let depth = 2 + (unit(i, 9) * 10.0) as u64;
    let dataset = pick(&DATASETS, i, 10);
    let name = format!("{}-{}-{}", pick(&ADJECTIVES, i, 11), pick(&ANIMALS, i, 12), i % 1000);
    let kv = |key: &str, value: String| (key.to_string(), value);
    let params = [
        kv("model", model.into()),
        kv("dataset", dataset.into()),
        kv("target", if dataset == "adult" { "class" } else { "label" }.into()),
        kv("task", "classification".into()),
        kv("learning_rate", lr.to_string()),
        kv("max_depth", depth.to_string()),
        kv("seed", (i % 100).to_string()),
        kv("validation", "holdout".into()),
        kv("test_fraction", "0.2".into()),
    ];
    let mut tags = vec![
        kv("mlflow.runName", name.clone()),
        kv("mlflow.user", "seed".into()),
        kv("mlflow.source.type", "LOCAL".into()),
        kv("cairn.model", model.into()),
        kv("cairn.dataset", dataset.into()),
    ];
    if unit(i, 13) < 0.3 {
        tags.push(kv("stage", pick(&TEAMS, i, 14).into()));
    }
    if unit(i, 15) < 0.05 {
        tags.push(kv("mlflow.note.content", format!("depth {depth} with lr {lr}: worth a second look")));
    }
    Run {
        info: RunInfo {
            run_id: format!("{nonce:016x}{i:016x}"),
            run_name: name,
            experiment_id: String::new(),
            user_id: "seed".into(),
            status,
            start_time: start,
            end_time: Some(end),
            artifact_uri: String::new(),
            lifecycle_stage: LifecycleStage::Active,
        },
        data: RunData {
            metrics,
            params: params.into_iter().map(|(key, value)| Param { key, value }).collect(),
            tags: tags.into_iter().map(|(key, value)| Tag { key, value }).collect(),
        },
        inputs: RunInputs::default(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(n)) = (args.first(), args.get(1).and_then(|a| a.replace('_', "").parse::<u64>().ok())) else {
        eprintln!("usage: seed_runs PROJECT_DIR N [EXPERIMENT]");
        std::process::exit(2);
    };
    let experiment = args.get(2).map(String::as_str).unwrap_or("Synthetic");
    let result = (|| -> Result<(), String> {
        let project = Project::open(&PathBuf::from(dir)).map_err(|e| e.to_string())?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?;
        let now_ms = now.as_millis() as i64;
        let err = |e: cairn_store::TrackingError| e.to_string();
        let eid = match project.get_experiment_by_name(experiment).map_err(err)? {
            Some(e) => e.experiment_id,
            None => project.create_experiment(experiment, None, &[], now_ms).map_err(err)?,
        };
        // Fresh ids per call (the nanoseconds), so seeding the same project again never collides.
        let nonce = now.as_nanos() as u64;
        // The runs end about now: the newest is minutes old, the oldest N minutes.
        let t0 = now_ms - n as i64 * 60_000;
        let t = Instant::now();
        let mut done = 0;
        while done < n {
            let upto = (done + BATCH).min(n);
            let runs: Vec<Run> = (done..upto).map(|i| synthetic_run(i, nonce, t0)).collect();
            project.import_runs(&eid, &runs).map_err(err)?;
            done = upto;
        }
        println!("added {n} runs to experiment \"{experiment}\" (id {eid}) of {dir} in {:.1} s", t.elapsed().as_secs_f64());
        Ok(())
    })();
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
