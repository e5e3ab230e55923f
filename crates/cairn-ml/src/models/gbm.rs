//! Gradient-boosted trees on forust: log loss for two classes, one booster per class (one-vs-rest)
//! for more, squared loss for regression. forust has no per-round callback, so the per-round series
//! (train and validation loss) is replayed after the fit by adding up the trees' outputs round by round.

use forust_ml::gradientbooster::{ContributionsMethod, ImportanceMethod};
use forust_ml::objective::ObjectiveType;
use forust_ml::sampler::SampleMethod;
use forust_ml::{GradientBooster, Matrix as FMatrix};
use serde::{Deserialize, Serialize};

use super::linear::sigmoid;
use super::{FitInput, Scores, failed};
use crate::MlError;
use crate::check::Target;
use crate::matrix::Matrix;

/// Below this many rows, prediction walks the trees row by row on the calling thread.
const PARALLEL_PREDICT_ROWS: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Objective {
    Binary,
    OneVsRest,
    Regression,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct GbmModel {
    objective: Objective,
    boosters: Vec<GradientBooster>,
}

impl std::fmt::Debug for GbmModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GbmModel({:?}, {} boosters)", self.objective, self.boosters.len())
    }
}

fn booster(input: &FitInput, objective: ObjectiveType) -> GradientBooster {
    let p = input.params;
    let subsample = p.f64("subsample") as f32;
    GradientBooster::default()
        .set_objective_type(objective)
        .set_iterations(p.usize("iterations"))
        .set_learning_rate(p.f64("learning_rate") as f32)
        .set_max_depth(p.usize("max_depth"))
        .set_min_leaf_weight(p.f64("min_leaf_weight") as f32)
        .set_l2(p.f64("l2") as f32)
        .set_subsample(subsample)
        .set_sample_method(if subsample < 1.0 { SampleMethod::Random } else { SampleMethod::None })
        .set_colsample_bytree(p.f64("colsample_bytree"))
        .set_nbins(p.usize("nbins").min(u16::MAX as usize) as u16)
        .set_seed(input.seed)
        .set_parallel(true)
}

/// Training rows held out to stop boosting, when early stopping is on and there are enough rows.
const MIN_ROWS_TO_STOP_EARLY: usize = 200;

/// The training rows boosting fits on, and those it watches to stop early (a stratified share of the
/// training rows, never the test rows).
fn watch_split(input: &FitInput) -> (Vec<usize>, Vec<usize>) {
    let rows = input.x.rows;
    let all: Vec<usize> = (0..rows).collect();
    let fraction = input.params.f64("validation_fraction");
    if input.params.usize_or("early_stopping_rounds", 0) == 0 || rows < MIN_ROWS_TO_STOP_EARLY || fraction <= 0.0 {
        return (all, Vec::new());
    }
    crate::split::holdout(input.y, fraction, input.seed ^ 0x5709)
}

pub(crate) fn fit(input: &FitInput) -> Result<GbmModel, MlError> {
    let (fit_rows, watch_rows) = watch_split(input);
    let (x, y, watch) = if watch_rows.is_empty() {
        (input.x.clone(), input.y.clone(), None)
    } else {
        (input.x.select_rows(&fit_rows), input.y.select(&fit_rows), Some((input.x.select_rows(&watch_rows), input.y.select(&watch_rows))))
    };
    let data = FMatrix::new(&x.data, x.rows, x.cols);
    let weights = vec![1.0; x.rows];
    let watch_weights = watch.as_ref().map(|(wx, _)| vec![1.0; wx.rows]).unwrap_or_default();
    let patience = input.params.usize_or("early_stopping_rounds", 0);
    let targets_of = |y: &Target| -> Vec<Vec<f64>> {
        match y {
            Target::Value(v) => vec![v.clone()],
            Target::Class(c) if input.classes == 2 => vec![c.iter().map(|&k| f64::from(k == 1)).collect()],
            Target::Class(c) => (0..input.classes).map(|k| c.iter().map(|&v| f64::from(v == k)).collect()).collect(),
        }
    };
    let watch_targets = watch.as_ref().map(|(_, wy)| targets_of(wy));
    let objective = match &y {
        Target::Value(_) => Objective::Regression,
        Target::Class(_) if input.classes == 2 => Objective::Binary,
        Target::Class(_) => Objective::OneVsRest,
    };
    let targets = targets_of(&y);
    let regression = objective == Objective::Regression;
    if let Some((wx, _)) = &watch {
        input.reporter.log(&format!(
            "boosting on {} training rows, watching {} others to stop when their loss stops improving ({} rounds without)",
            x.rows, wx.rows, patience
        ));
    }
    let mut boosters = Vec::with_capacity(targets.len());
    for (i, y) in targets.iter().enumerate() {
        if input.reporter.cancelled() {
            return Err(MlError::Cancelled);
        }
        if targets.len() > 1 {
            input.reporter.log(&format!("boosting class {}/{} (one-vs-rest)", i + 1, targets.len()));
        }
        let mut b = booster(input, if regression { ObjectiveType::SquaredLoss } else { ObjectiveType::LogLoss });
        let eval = match (&watch, &watch_targets) {
            (Some((wx, _)), Some(wt)) => {
                b = b.set_early_stopping_rounds(Some(patience));
                Some(vec![(FMatrix::new(&wx.data, wx.rows, wx.cols), wt[i].as_slice(), watch_weights.as_slice())])
            }
            _ => None,
        };
        b.fit(&data, y, &weights, eval).map_err(|e| failed("gradient boosting", e))?;
        // Keep the trees up to the best round only: the ones after it made the watched loss worse.
        if let Some(best) = b.best_iteration.filter(|_| watch.is_some()) {
            b.trees.truncate(best + 1);
            b.prediction_iteration = None;
            b.evaluation_history = None;
        }
        input.reporter.log(&format!("boosted {} rounds", b.trees.len()));
        boosters.push(b);
        input.reporter.progress("fit", (i + 1) as u64, targets.len() as u64);
    }
    Ok(GbmModel { objective, boosters })
}

/// A booster's margins of a few rows (an endpoint's request), row by row on the calling thread: no
/// hand-off to the thread pool and no vector per tree. Each row's margin is the sum forust's `predict`
/// makes, in the same order: the base score, then each tree's leaf value.
fn row_margins(b: &GradientBooster, x: &Matrix) -> Vec<f64> {
    let trees = &b.trees[..b.prediction_iteration.unwrap_or(b.trees.len()).min(b.trees.len())];
    let mut row = vec![0.0; x.cols];
    (0..x.rows)
        .map(|r| {
            row.iter_mut().enumerate().for_each(|(c, v)| *v = x.get(r, c));
            trees.iter().fold(b.base_score, |acc, t| acc + t.predict_row_from_row_slice(&row, &b.missing))
        })
        .collect()
}

impl GbmModel {
    fn margins(&self, x: &Matrix) -> Vec<Vec<f64>> {
        if x.rows < PARALLEL_PREDICT_ROWS {
            return self.boosters.iter().map(|b| row_margins(b, x)).collect();
        }
        let data = FMatrix::new(&x.data, x.rows, x.cols);
        self.boosters.iter().map(|b| b.predict(&data, true)).collect()
    }

    fn scores(&self, margins: &[Vec<f64>], rows: usize) -> Scores {
        match self.objective {
            Objective::Regression => Scores::Values(margins.first().cloned().unwrap_or_default()),
            Objective::Binary => {
                let m = margins.first().map_or(&[][..], |m| &m[..]);
                Scores::Proba { k: 2, p: m.iter().flat_map(|&z| [1.0 - sigmoid(z), sigmoid(z)]).collect() }
            }
            Objective::OneVsRest => {
                let k = margins.len();
                let mut p = Vec::with_capacity(rows * k);
                for r in 0..rows {
                    let s: Vec<f64> = margins.iter().map(|m| sigmoid(m[r])).collect();
                    let total: f64 = s.iter().sum();
                    p.extend(s.iter().map(|v| if total > 0.0 { v / total } else { 1.0 / k as f64 }));
                }
                Scores::Proba { k, p }
            }
        }
    }

    pub fn predict(&self, x: &Matrix) -> Scores {
        self.scores(&self.margins(x), x.rows)
    }

    /// Reports the loss after each round, outside the timed fit: `train_` on the rows boosted on,
    /// `valid_` on the training rows watched for early stopping, `test_` on the test rows.
    pub fn report_rounds(&self, input: &FitInput) -> Result<(), MlError> {
        let (fit_rows, watch_rows) = watch_split(input);
        if watch_rows.is_empty() {
            self.replay(input, "train", input.x, input.y)?;
        } else {
            self.replay(input, "train", &input.x.select_rows(&fit_rows), &input.y.select(&fit_rows))?;
            self.replay(input, "valid", &input.x.select_rows(&watch_rows), &input.y.select(&watch_rows))?;
        }
        if let Some((tx, ty)) = input.valid {
            self.replay(input, "test", tx, ty)?;
        }
        Ok(())
    }

    /// Reports `{set}_log_loss` or `{set}_rmse` after each round, adding one tree per booster at a time.
    fn replay(&self, input: &FitInput, set: &str, x: &Matrix, y: &Target) -> Result<(), MlError> {
        let data = FMatrix::new(&x.data, x.rows, x.cols);
        // Boosters that stopped early (one-vs-rest) add nothing after their last round.
        let rounds = self.boosters.iter().map(|b| b.trees.len()).max().unwrap_or(0);
        let mut margins: Vec<Vec<f64>> = self.boosters.iter().map(|b| vec![b.base_score; x.rows]).collect();
        let key = match self.objective {
            Objective::Regression => format!("{set}_rmse"),
            _ => format!("{set}_log_loss"),
        };
        for t in 0..rounds {
            if input.reporter.cancelled() {
                return Err(MlError::Cancelled);
            }
            for (b, m) in self.boosters.iter().zip(margins.iter_mut()).filter(|(b, _)| t < b.trees.len()) {
                let add = b.trees[t].predict(&data, true, &b.missing);
                m.iter_mut().zip(add).for_each(|(a, v)| *a += v);
            }
            let value = match (self.scores(&margins, x.rows), y) {
                (Scores::Values(p), Target::Value(v)) => crate::metrics::rmse(v, &p),
                (Scores::Proba { k, p }, Target::Class(c)) => crate::metrics::log_loss(c, &p, k),
                _ => f64::NAN,
            };
            input.reporter.metric(&key, value, (t + 1) as i64);
        }
        Ok(())
    }

    /// Exact Shapley values of the trees (TreeSHAP, Lundberg et al. 2020) in margin space: per row, one
    /// per encoded column then the bias (the expected margin), summing to the row's margin. None for
    /// one-vs-rest models, whose classes each have a margin.
    pub fn contributions(&self, x: &Matrix) -> Option<Vec<f64>> {
        let [booster] = self.boosters.as_slice() else { return None };
        if self.objective == Objective::OneVsRest {
            return None;
        }
        let data = FMatrix::new(&x.data, x.rows, x.cols);
        Some(booster.predict_contributions(&data, ContributionsMethod::Shapley, true))
    }

    /// The margin of each row (the log-odds of the second class, or the value).
    pub fn margin(&self, x: &Matrix) -> Option<Vec<f64>> {
        self.margins(x).into_iter().next()
    }

    /// Total split gain per encoded column, summed over boosters.
    pub fn importances(&self, width: usize) -> Vec<f64> {
        let mut out = vec![0.0; width];
        for b in &self.boosters {
            for (c, g) in b.calculate_feature_importance(ImportanceMethod::TotalGain, false) {
                if let Some(o) = out.get_mut(c) {
                    *o += f64::from(g);
                }
            }
        }
        out
    }
}
