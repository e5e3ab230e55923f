//! What the final model relies on, measured on rows it never saw: permutation importance of every
//! feature, then partial dependence of the prediction on the most important ones.

use cairn_ml::{MlError, Model, TrainingData};
use cairn_types::{Importance, PartialDependence};
use rayon::prelude::*;

use crate::Observer;

/// Held-out rows the importances shuffle.
const IMPORTANCE_ROWS: usize = 2_000;
/// Features, the most important first, whose partial dependence is measured.
const PD_FEATURES: usize = 5;

/// Importances of `model` on `rows` (sorted from the largest) and the partial dependence of its top
/// features. Partial dependence is an extra: a feature it fails on is logged and left out.
pub(crate) fn explain(
    data: &TrainingData,
    model: &Model,
    rows: &[usize],
    seed: u64,
    observer: &dyn Observer,
) -> Result<(Vec<Importance>, Vec<PartialDependence>), MlError> {
    let began = std::time::Instant::now();
    let importances = data.permutation_importance(model, rows, IMPORTANCE_ROWS, seed)?;
    let measured = began.elapsed().as_secs_f64();
    let partial: Vec<PartialDependence> = importances
        .par_iter()
        .take(PD_FEATURES)
        .filter_map(|i| {
            let pd = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| data.partial_dependence(model, &i.feature, rows, seed)));
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
        "explained on {} held-out rows: importance of {} features in {measured:.2} s, partial dependence of {} in {:.2} s",
        rows.len(),
        importances.len(),
        partial.len(),
        began.elapsed().as_secs_f64() - measured
    ));
    Ok((importances, partial))
}
