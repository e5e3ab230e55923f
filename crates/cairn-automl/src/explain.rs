//! What the final model relies on, measured on rows it never saw: permutation importance of every
//! feature, then partial dependence of the prediction on the most important ones.

use cairn_ml::{MlError, Model, TrainingData};
use cairn_types::{Importance, PartialDependence};
use rayon::prelude::*;
use std::time::Instant;

use crate::Observer;

/// Held-out rows the importances shuffle.
const IMPORTANCE_ROWS: usize = 2_000;
/// Features, the most important first, whose partial dependence is measured.
const PD_FEATURES: usize = 5;

/// Rows partial dependence averages over at most (cairn-ml samples this many).
const PD_ROWS: usize = 500;
/// Grid points per feature at most (cairn-ml's), for the time estimate.
const PD_GRID: usize = 20;
/// Seconds the explanations may take at least, even when the budget is spent.
const MIN_SECONDS: f64 = 1.0;

/// Importances of `model` on `rows` (sorted from the largest) and the partial dependence of its top
/// features. Partial dependence is an extra: a feature it fails on is logged and left out.
/// With a deadline (a timed search), fewer rows are used when the model predicts too slowly for the
/// time left: 16 boosters on 336k rows once took 5.4 s past a 30 s budget.
pub(crate) fn explain(
    data: &TrainingData,
    model: &Model,
    rows: &[usize],
    seed: u64,
    observer: &dyn Observer,
    until: Option<Instant>,
) -> Result<(Vec<Importance>, Vec<PartialDependence>), MlError> {
    let began = Instant::now();
    let (importance_rows, pd_rows) = match until {
        None => (IMPORTANCE_ROWS, PD_ROWS),
        Some(t) => {
            // The model's speed, from a few rows: importance predicts every feature's shuffle plus the
            // baseline, partial dependence every grid point of its features; half the time each.
            let probe = &rows[..rows.len().min(200)];
            data.predict(model, probe)?;
            let per_row = began.elapsed().as_secs_f64() / probe.len().max(1) as f64;
            let left = t.saturating_duration_since(Instant::now()).as_secs_f64().max(MIN_SECONDS) / 2.0;
            let features = data.checked().features.len() + 1;
            let n = (left / (per_row * features as f64).max(1e-9)) as usize;
            let m = (left / (per_row * (PD_FEATURES * PD_GRID) as f64).max(1e-9)) as usize;
            (n.clamp(200, IMPORTANCE_ROWS), m.clamp(50, PD_ROWS))
        }
    };
    let importances = data.permutation_importance(model, rows, importance_rows, seed)?;
    let measured = began.elapsed().as_secs_f64();
    // An even spread of the held-out rows (cairn-ml samples at most PD_ROWS of what it is given).
    let pd_sample: Vec<usize> = if pd_rows < rows.len().min(PD_ROWS) {
        let step = rows.len() as f64 / pd_rows as f64;
        (0..pd_rows).map(|i| rows[(i as f64 * step) as usize]).collect()
    } else {
        rows.to_vec()
    };
    let partial: Vec<PartialDependence> = importances
        .par_iter()
        .take(PD_FEATURES)
        .filter_map(|i| {
            let pd =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| data.partial_dependence(model, &i.feature, &pd_sample, seed)));
            let why = match pd {
                Ok(Ok(pd)) => return Some(pd),
                Ok(Err(e)) => e.to_string(),
                Err(p) => format!("it panicked: {}", crate::detach::panic_text(&p)),
            };
            observer.log(&format!("warning: no partial dependence on '{}': {why}", i.feature));
            None
        })
        .collect();
    observer.log(&format!(
        "explained on {} held-out rows: importance of {} features on {} rows in {measured:.2} s, partial dependence of {} on {} rows in {:.2} s",
        rows.len(),
        importances.len(),
        importance_rows.min(rows.len()),
        partial.len(),
        pd_rows.min(rows.len()),
        began.elapsed().as_secs_f64() - measured
    ));
    Ok((importances, partial))
}
