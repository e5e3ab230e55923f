//! From test predictions to an `Evaluation`: metrics, confusion matrix, curves, residuals and importances.

use std::collections::BTreeMap;

use cairn_types::{ConfusionMatrix, Curve, Evaluation, Importance, Task};
use rayon::prelude::*;

use crate::MlError;
use crate::check::Target;
use crate::matrix::Matrix;
use crate::metrics;
use crate::models::{Estimator, Scores};
use crate::split::Rng;

/// Regression residuals are sampled down to this many (actual, predicted) pairs.
const RESIDUALS: usize = 2_000;
/// Permutation importance scores at most this many test rows (fewer for slow predictors).
const PERMUTATION_ROWS: usize = 5_000;
const PERMUTATION_ROWS_SLOW: usize = 1_000;

/// Metrics of one set of predictions.
pub(crate) fn metrics(truth: &Target, scores: &Scores, positive: Option<usize>) -> BTreeMap<String, f64> {
    match (truth, scores) {
        (Target::Class(y), Scores::Proba { k, p }) => metrics::classification(y, p, *k, positive.unwrap_or(1)),
        (Target::Value(y), Scores::Values(p)) => metrics::regression(y, p),
        _ => BTreeMap::new(),
    }
}

/// Mean of each metric over the folds that define it.
pub fn mean_metrics(folds: &[BTreeMap<String, f64>]) -> BTreeMap<String, f64> {
    let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for fold in folds {
        for (key, value) in fold {
            let e = sums.entry(key.clone()).or_insert((0.0, 0));
            e.0 += value;
            e.1 += 1;
        }
    }
    sums.into_iter().map(|(k, (s, n))| (k, s / n as f64)).collect()
}

/// Everything but the importances and timings, from the pooled test predictions.
pub(crate) fn charts(truth: &Target, scores: &Scores, classes: &[String], positive: Option<usize>) -> Evaluation {
    let mut e = Evaluation {
        task: Task::Regression,
        metrics: BTreeMap::new(),
        classes: classes.to_vec(),
        positive_class: positive.and_then(|p| classes.get(p).cloned()),
        confusion: None,
        roc: None,
        pr: None,
        residuals: None,
        importances: Vec::new(),
        importance_kind: "model".into(),
        train_rows: 0,
        test_rows: truth.len() as u64,
        fit_seconds: 0.0,
        rows: None,
        left_out: Vec::new(),
        partial_dependence: Vec::new(),
    };
    match (truth, scores) {
        (Target::Class(y), Scores::Proba { k, p }) => {
            e.task = Task::Classification;
            let pred: Vec<usize> = (0..y.len()).map(|r| metrics::argmax(&p[r * k..(r + 1) * k])).collect();
            e.confusion = Some(ConfusionMatrix { labels: classes.to_vec(), matrix: metrics::confusion(y, &pred, *k) });
            if let Some(pos) = positive {
                let t: Vec<bool> = y.iter().map(|&c| c == pos).collect();
                let s: Vec<f64> = (0..y.len()).map(|r| p[r * k + pos]).collect();
                if t.iter().any(|v| *v) && t.iter().any(|v| !*v) {
                    e.roc = Some(metrics::roc_curve(&t, &s));
                    e.pr = Some(metrics::pr_curve(&t, &s));
                }
            }
        }
        (Target::Value(y), Scores::Values(p)) => {
            let step = y.len().div_ceil(RESIDUALS).max(1);
            let pick: Vec<usize> = (0..y.len()).step_by(step).collect();
            e.residuals =
                Some(Curve { x: pick.iter().map(|&i| y[i]).collect(), y: pick.iter().map(|&i| p[i]).collect(), thresholds: Vec::new() });
        }
        _ => {}
    }
    e
}

/// Sums per-column importances into their source features, sorted from the largest; model
/// importances are scaled to sum to 1.
pub(crate) fn by_feature(values: &[f64], sources: &[usize], features: &[String], normalize: bool) -> Vec<Importance> {
    let mut sums = vec![0.0; features.len()];
    for (v, &s) in values.iter().zip(sources) {
        if let Some(x) = sums.get_mut(s) {
            *x += v;
        }
    }
    let total: f64 = sums.iter().sum();
    if normalize && total > 0.0 {
        sums.iter_mut().for_each(|v| *v /= total);
    }
    let mut out: Vec<Importance> = features.iter().zip(sums).map(|(f, importance)| Importance { feature: f.clone(), importance }).collect();
    out.sort_by(|a, b| b.importance.total_cmp(&a.importance).then_with(|| a.feature.cmp(&b.feature)));
    out
}

pub(crate) fn loss(truth: &Target, scores: &Scores) -> f64 {
    match (truth, scores) {
        (Target::Class(y), Scores::Proba { k, p }) => metrics::log_loss(y, p, *k),
        (Target::Value(y), Scores::Values(p)) => metrics::rmse(y, p),
        _ => f64::NAN,
    }
}

/// How much the test loss (log loss, or RMSE) grows when one feature's values are shuffled across rows:
/// the model's reliance on it. One seeded shuffle per feature, all its encoded columns moved together.
pub(crate) fn permutation(
    estimator: &Estimator,
    x: &Matrix,
    truth: &Target,
    sources: &[usize],
    features: usize,
    seed: u64,
) -> Result<Vec<f64>, MlError> {
    let max = if estimator.slow() { PERMUTATION_ROWS_SLOW } else { PERMUTATION_ROWS };
    let mut rows: Vec<usize> = (0..x.rows).collect();
    if rows.len() > max {
        Rng::new(seed).shuffle(&mut rows);
        rows.truncate(max);
        rows.sort_unstable();
    }
    let (x, truth) = (x.select_rows(&rows), truth.select(&rows));
    let base = loss(&truth, &estimator.predict(&x)?);
    (0..features)
        .into_par_iter()
        .map(|f| {
            let cols: Vec<usize> = (0..x.cols).filter(|&c| sources.get(c) == Some(&f)).collect();
            if cols.is_empty() {
                return Ok(0.0);
            }
            let mut order: Vec<usize> = (0..x.rows).collect();
            Rng::derive(seed, f as u64 + 1).shuffle(&mut order);
            let mut shuffled = x.clone();
            for &c in &cols {
                let col = x.col(c);
                let out = &mut shuffled.data[c * x.rows..(c + 1) * x.rows];
                out.iter_mut().zip(&order).for_each(|(o, &r)| *o = col[r]);
            }
            Ok(loss(&truth, &estimator.predict(&shuffled)?) - base)
        })
        .collect()
}
