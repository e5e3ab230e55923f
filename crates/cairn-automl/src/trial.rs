//! One trial: fit a configuration on the training part(s) and score it on rows it never saw.

use std::collections::BTreeMap;
use std::time::Instant;

use cairn_ml::{MlError, Model, Scores, TrainingData};
use cairn_types::ModelKind;

use crate::{Observer, Trainer};

/// Training rows above which linear and neighbour models fit on a stratified sample of this many:
/// their solvers' cost grows with rows while their score stops improving long before.
const SMALL_MODEL_MAX_ROWS: usize = 20_000;

/// Rows and cells up to which trials cross-validate (5 folds); larger data is scored on a holdout.
const CV_MAX_ROWS: usize = 50_000;
const CV_MAX_CELLS: usize = 5_000_000;
const FOLDS: usize = 5;
const HOLDOUT: f64 = 0.2;

/// How every trial of a search is validated: the same rows for all, so their scores compare and their
/// held-out predictions line up for the ensemble.
#[derive(Debug)]
pub(crate) struct Plan {
    /// (fit rows, held-out rows) per fold; one pair for a holdout.
    pub parts: Vec<(Vec<usize>, Vec<usize>)>,
    /// Every held-out row, in the order trials' predictions are concatenated.
    pub held_out: Vec<usize>,
}

impl Plan {
    pub fn new(data: &TrainingData, seed: u64) -> Plan {
        let rows = data.rows();
        let cells = rows.len().saturating_mul(data.checked().features.len());
        let parts: Vec<(Vec<usize>, Vec<usize>)> = if rows.len() <= CV_MAX_ROWS && cells <= CV_MAX_CELLS {
            let folds = data.folds(rows, FOLDS, seed);
            folds.iter().map(|test| (complement(rows, test), test.clone())).collect()
        } else {
            vec![data.holdout(rows, HOLDOUT, seed)]
        };
        let held_out = parts.iter().flat_map(|(_, t)| t.iter().copied()).collect();
        Plan { parts, held_out }
    }

    pub fn describe(&self) -> String {
        if self.parts.len() > 1 { format!("kfold:{}", self.parts.len()) } else { format!("holdout:{HOLDOUT}") }
    }

    /// What the final evaluation's rows are, for the run page: the search's held-out rows.
    pub fn rows_plan(&self, rows: usize, trials: usize) -> cairn_types::RowsPlan {
        let n = |v: usize| cairn_types::words::thousands(v as u64);
        let (kind, how) = if self.parts.len() > 1 {
            ("kfold", format!("{}-fold cross-validation of the {} training rows", self.parts.len(), n(rows)))
        } else {
            ("holdout", format!("a holdout of {} of the {} training rows", n(self.held_out.len()), n(rows)))
        };
        cairn_types::RowsPlan {
            kind: kind.into(),
            split_column: None,
            train_rows: rows as u64,
            test_rows: self.held_out.len() as u64,
            unused_rows: 0,
            summary: format!(
                "{trials} trials scored on {how}; the final model's score is on the same held-out rows, where the ensemble's weights were chosen too"
            ),
        }
    }

    /// Rows a single fit of a trial trains on (to scale its time to the final fit on every row).
    pub fn fit_rows(&self) -> usize {
        self.parts.first().map_or(1, |(f, _)| f.len().max(1))
    }
}

fn complement(all: &[usize], test: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(all.len() - test.len().min(all.len()));
    let mut t = test.iter().peekable();
    for &r in all {
        while t.peek().is_some_and(|&&x| x < r) {
            t.next();
        }
        if t.peek() != Some(&&r) {
            out.push(r);
        }
    }
    out
}

/// What a finished trial measured.
pub(crate) struct Measured {
    pub metrics: BTreeMap<String, f64>,
    pub fold_scores: Vec<f64>,
    /// Seconds fitting, all folds together.
    pub fit_seconds: f64,
    /// Predictions of `Plan::held_out`, in its order.
    pub scores: Scores,
    /// The first part's model: the best-so-far model when this trial leads.
    pub model: Model,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    data: &TrainingData,
    plan: &Plan,
    trainer: &std::sync::Arc<dyn Trainer>,
    kind: ModelKind,
    params: &BTreeMap<String, String>,
    seed: u64,
    threads: usize,
    metric: &crate::Metric,
    observer: &dyn Observer,
    until: Option<Instant>,
) -> Result<Measured, MlError> {
    let mut per_fold: Vec<BTreeMap<String, f64>> = Vec::new();
    let mut pooled: Option<Scores> = None;
    let mut first: Option<Model> = None;
    let mut fit_seconds = 0.0;
    let (params, share) = &split_sample(params);
    for (fit_rows, test_rows) in &plan.parts {
        if observer.cancelled() || until.is_some_and(|t| Instant::now() > t) {
            return Err(MlError::Cancelled);
        }
        let sampled;
        let fit_rows = if *share < 1.0 {
            sampled = data.holdout(fit_rows, 1.0 - share, seed).0;
            &sampled
        } else {
            fit_rows
        };
        let fit_rows = rows_for(data, kind, fit_rows, seed);
        let started = Instant::now();
        let model = crate::detach::fit(data, trainer, kind, params, &fit_rows, seed, threads, observer, until)?;
        fit_seconds += started.elapsed().as_secs_f64();
        let scores = data.predict(&model, test_rows)?;
        per_fold.push(data.metrics(test_rows, &scores));
        pooled = Some(match pooled {
            None => scores,
            Some(acc) => acc.append(scores),
        });
        first.get_or_insert(model);
    }
    let (Some(scores), Some(model)) = (pooled, first) else { return Err(MlError::Internal("a plan without parts".into())) };
    let fold_scores = if per_fold.len() > 1 { per_fold.iter().map(|m| metric.value(metric.loss(m))).collect() } else { Vec::new() };
    Ok(Measured { metrics: cairn_ml::score::mean_metrics(&per_fold), fold_scores, fit_seconds, scores, model })
}

/// A trial's model parameters without the pseudo-parameter `sample`, and that share of its training rows
/// (1 when absent).
pub(crate) fn split_sample(params: &BTreeMap<String, String>) -> (BTreeMap<String, String>, f64) {
    let mut p = params.clone();
    let share = p.remove(crate::space::SAMPLE).and_then(|v| v.parse::<f64>().ok()).filter(|v| *v > 0.0 && *v <= 1.0).unwrap_or(1.0);
    (p, share)
}

/// The rows a `kind` model fits on out of `rows`: all of them, or for linear and neighbour models on
/// large data a stratified sample.
pub(crate) fn rows_for(data: &TrainingData, kind: ModelKind, rows: &[usize], seed: u64) -> Vec<usize> {
    let small = matches!(
        kind,
        ModelKind::Logistic | ModelKind::Linear | ModelKind::ElasticNet | ModelKind::Knn | ModelKind::Svm | ModelKind::GaussianNb
    );
    if small && rows.len() > SMALL_MODEL_MAX_ROWS {
        data.holdout(rows, 1.0 - SMALL_MODEL_MAX_ROWS as f64 / rows.len() as f64, seed).0
    } else {
        rows.to_vec()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn complement_skips_the_test_rows() {
        assert_eq!(super::complement(&[0, 1, 2, 3, 5, 8], &[1, 5]), vec![0, 2, 3, 8]);
    }
}
