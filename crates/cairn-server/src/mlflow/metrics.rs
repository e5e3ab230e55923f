//! Metric histories: one run's (paged) and several runs' sampled for charts (MLflow's
//! get-history-bulk-interval, sampled the way its stores sample).

use std::collections::BTreeSet;

use cairn_store::TrackingStore;
use serde_json::{Value, json};

use super::request::Fields;
use super::{Ctx, MlError, Reply, json as wire};

/// MLflow's limits for get-history-bulk-interval.
const MAX_RUNS_BULK: usize = 100;
const MAX_RESULTS_PER_RUN: i64 = 2500;

pub fn history(c: &Ctx, f: &Fields) -> Reply {
    let run_id = f.run_id()?;
    let key = f.str("metric_key")?;
    let max = match f.opt_i64("max_results")? {
        None => None,
        Some(n) if n < 1 || n > u32::MAX as i64 => {
            return Err(MlError::invalid(format!("Invalid value {n} for parameter 'max_results' supplied: it must be positive")));
        }
        Some(n) => Some(n as u32),
    };
    // MLflow answers an unknown run with an error here, where its store alone would return nothing.
    c.project.get_run(&run_id)?;
    let (points, next) = c.project.get_metric_history(&run_id, &key, max, f.opt_str("page_token")?.as_deref())?;
    let mut out = json!({"metrics": points.iter().map(wire::metric).collect::<Vec<_>>()});
    if let Some(t) = next {
        out["next_page_token"] = json!(t);
    }
    Ok(out)
}

/// At most `max` evenly spaced indices into `total` items, the first and last included.
fn evenly_spaced(total: usize, max: usize) -> Vec<usize> {
    if total <= max {
        return (0..total).collect();
    }
    if max == 1 {
        return vec![total - 1];
    }
    let step = (total - 1) as f64 / (max - 1) as f64;
    let set: BTreeSet<usize> = (0..max).map(|i| (i as f64 * step).round() as usize).collect();
    set.into_iter().collect()
}

pub fn bulk_interval(c: &Ctx, f: &Fields) -> Reply {
    let run_ids = f.str_list("run_ids")?;
    if run_ids.is_empty() {
        return Err(super::request::missing("run_ids"));
    }
    if run_ids.len() > MAX_RUNS_BULK {
        return Err(MlError::invalid(format!(
            "GetMetricHistoryBulkInterval request must specify at most {MAX_RUNS_BULK} run_ids. Received {} run_ids.",
            run_ids.len()
        )));
    }
    let key = f.str("metric_key")?;
    let max = f.opt_i64("max_results")?.unwrap_or(MAX_RESULTS_PER_RUN);
    if !(1..=MAX_RESULTS_PER_RUN).contains(&max) {
        return Err(MlError::invalid(format!("max_results must be between 1 and {MAX_RESULTS_PER_RUN}.")));
    }
    let max = max as usize;
    let range = match (f.opt_i64("start_step")?, f.opt_i64("end_step")?) {
        (Some(a), Some(b)) if a > b => {
            return Err(MlError::invalid(format!("end_step must be greater than start_step. Found start_step={a} and end_step={b}.")));
        }
        (Some(a), Some(b)) => Some((a, b)),
        (None, None) => None,
        _ => return Err(MlError::invalid("If either start step or end step are specified, both must be specified.")),
    };
    // Each run's points ordered by (step, timestamp); then the steps to show, sampled over all runs'
    // steps in the range, keeping every run's first and last step.
    let series: Vec<Vec<cairn_types::Metric>> =
        run_ids.iter().map(|id| c.project.metric_series(id, &key, u32::MAX).map(|s| s.points)).collect::<Result<_, _>>()?;
    let all: BTreeSet<i64> = series.iter().flatten().map(|m| m.step).collect();
    let (start, end) = range.unwrap_or((0, all.last().copied().unwrap_or(0)));
    let in_range: Vec<i64> = all.range(start..=end).copied().collect();
    let mut steps: BTreeSet<i64> = if in_range.len() <= max {
        in_range.iter().copied().collect()
    } else {
        let interval = in_range.len() as f64 / max as f64;
        let mut s: BTreeSet<i64> = (0..max).map(|i| in_range[((i as f64 * interval) as usize).min(in_range.len() - 1)]).collect();
        s.extend(in_range.last());
        s
    };
    for points in &series {
        for edge in [points.iter().map(|m| m.step).min(), points.iter().map(|m| m.step).max()].into_iter().flatten() {
            if (start..=end).contains(&edge) {
                steps.insert(edge);
            }
        }
    }
    let per_run = max.max(steps.len());
    let mut out: Vec<Value> = Vec::new();
    for (run_id, points) in run_ids.iter().zip(series) {
        let kept: Vec<_> = points.into_iter().filter(|m| steps.contains(&m.step)).collect();
        for i in evenly_spaced(kept.len(), per_run) {
            let mut m = wire::metric(&kept[i]);
            m["run_id"] = json!(run_id);
            out.push(m);
        }
    }
    Ok(json!({"metrics": out}))
}
