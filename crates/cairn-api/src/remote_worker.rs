//! `cairn worker SPEC` on a cluster: no project there, so the worker reads the data packed with the job,
//! trains, writes the model and its evaluation into its own folder, and prints its whole outcome as the
//! result block at the end of its log (cairn_jobs::result), which the laptop records into the run.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use cairn_jobs::JobSpec;
use cairn_jobs::result::{Point, RemoteOutcome, base64_encode, encode};
use cairn_types::TrainSpec;

use crate::worker::{EVALUATION_FILE, MODEL_FILE};

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Keeps every metric point for the result block; lines go to the log as they come.
struct Collect(Mutex<Vec<Point>>);

impl cairn_ml::Reporter for Collect {
    fn metric(&self, key: &str, value: f64, step: i64) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(Point { key: key.into(), value, timestamp: now_ms(), step });
    }
    fn log(&self, line: &str) {
        println!("{line}");
    }
    fn progress(&self, phase: &str, done: u64, total: u64) {
        println!("[{phase}] {done}/{total}");
    }
}

/// Trains on `data` (a Parquet file in the working directory); returns the exit code.
pub(crate) fn run_remote(job: &JobSpec, spec: &TrainSpec, data: &str, dir: &Path) -> i32 {
    let collect = Collect(Mutex::default());
    let outcome = match train(spec, data, dir, &collect) {
        Ok(mut o) => {
            let mut points = std::mem::take(&mut *collect.0.lock().unwrap_or_else(|e| e.into_inner()));
            points.append(&mut o.metrics);
            o.metrics = points;
            o
        }
        Err(error) => {
            println!("error: {error}");
            let metrics = std::mem::take(&mut *collect.0.lock().unwrap_or_else(|e| e.into_inner()));
            RemoteOutcome { status: "failed".into(), error: Some(error), metrics, params: vec![], evaluation: None, model: None }
        }
    };
    let code = if outcome.status == "succeeded" { 0 } else { 1 };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(encode(&job.job_id, &outcome).as_bytes());
    let _ = out.flush();
    code
}

fn train(spec: &TrainSpec, data: &str, dir: &Path, collect: &Collect) -> Result<RemoteOutcome, String> {
    let frame = cairn_data::read_parquet(Path::new(data)).map_err(|e| format!("cannot read the job's data {data}: {e}"))?;
    println!("training {} on {} rows to predict {} (on the cluster)", spec.model.as_str(), frame.height(), spec.target);
    let trained = cairn_ml::train(&frame, spec, collect).map_err(|e| cairn_types::ApiError::from(e).message)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let model_path = dir.join(MODEL_FILE);
    trained.model.save(&model_path).map_err(|e| e.to_string())?;
    let model = std::fs::read(&model_path).map_err(|e| format!("{}: {e}", model_path.display()))?;
    let evaluation = serde_json::to_value(&trained.evaluation).map_err(|e| e.to_string())?;
    let eval_bytes = serde_json::to_vec_pretty(&evaluation).map_err(|e| e.to_string())?;
    std::fs::write(dir.join(EVALUATION_FILE), eval_bytes).map_err(|e| e.to_string())?;
    let now = now_ms();
    let metrics = trained.evaluation.metrics.iter().map(|(k, v)| Point { key: k.clone(), value: *v, timestamp: now, step: 0 }).collect();
    println!("finished: {}", trained.evaluation.metrics.iter().map(|(k, v)| format!("{k} {v:.4}")).collect::<Vec<_>>().join(", "));
    Ok(RemoteOutcome {
        status: "succeeded".into(),
        error: None,
        metrics,
        params: trained.params.into_iter().collect(),
        evaluation: Some(evaluation),
        model: Some(base64_encode(&model)),
    })
}
