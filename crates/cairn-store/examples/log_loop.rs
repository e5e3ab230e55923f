//! Logs metric batches into a run and prints `committed <batch>` after each log_batch has committed, so a
//! test can kill the process at any moment and know what must have survived.
//!
//! usage: log_loop PROJECT RUN_ID|new BATCHES POINTS_PER_BATCH
//!
//! Batch `b` logs the metric `loss` at steps `b*POINTS .. (b+1)*POINTS` with value = step. The reliability
//! tests run this same code in child processes (they include this file as a module).

use std::io::Write;
use std::path::Path;

use cairn_store::{Project, TrackingStore};
use cairn_types::Metric;

/// The points of batch `b`.
pub fn batch(b: u64, points: u64) -> Vec<Metric> {
    (0..points)
        .map(|j| {
            let step = (b * points + j) as i64;
            Metric { key: "loss".into(), value: step as f64, timestamp: 1_700_000_000_000 + step, step }
        })
        .collect()
}

/// Runs the loop, writing `run <id>` then one `committed <b>` line per batch to `out`.
pub fn run(project: &Path, run: &str, batches: u64, points: u64, out: &mut dyn Write) -> Result<(), String> {
    let project = Project::open(project).map_err(|e| e.to_string())?;
    let run_id = if run == "new" {
        project.create_run("0", None, "log_loop", 1_700_000_000_000, &[]).map_err(|e| e.to_string())?.info.run_id
    } else {
        run.to_string()
    };
    writeln!(out, "run {run_id}").map_err(|e| e.to_string())?;
    for b in 0..batches {
        project.log_batch(&run_id, &batch(b, points), &[], &[]).map_err(|e| format!("batch {b}: {e}"))?;
        writeln!(out, "committed {b}").map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [project, run_arg, batches, points] = args.as_slice() else {
        eprintln!("usage: log_loop PROJECT RUN_ID|new BATCHES POINTS_PER_BATCH");
        std::process::exit(2);
    };
    let (Ok(batches), Ok(points)) = (batches.parse::<u64>(), points.parse::<u64>()) else {
        eprintln!("BATCHES and POINTS_PER_BATCH are whole numbers");
        std::process::exit(2);
    };
    if let Err(e) = run(Path::new(project), run_arg, batches, points, &mut std::io::stdout()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
