//! Support vector machines (linfa-svm): binary classification with Platt-scaled probabilities, and
//! epsilon-regression on a standardized target (so the loss's epsilon of 0.1 means 0.1 std).

use linfa::dataset::Pr;
use linfa::prelude::*;
use linfa_svm::Svm;
use ndarray::Array1;
use serde::{Deserialize, Serialize};

use super::{FitInput, Scores, failed};
use crate::MlError;
use crate::check::Target;
use crate::matrix::Matrix;
use crate::split;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SvmModel {
    Classifier(Svm<f64, Pr>),
    Regressor { svm: Svm<f64, f64>, mean: f64, std: f64 },
}

/// Shrinking stays off (linfa's default): its shrinking pass underflows an index and scrambles the
/// solution. The solver stops when the max violating pair's gradient gap is below this (libsvm's default; linfa's
/// 1e-7 costs many more iterations for no visible gain).
const SOLVER_EPS: f64 = 1e-3;

/// scikit-learn's gamma = "scale": the width grows with the number of features and their spread.
fn auto_width(x: &Matrix) -> f64 {
    let n = x.rows.max(1) as f64;
    let total: f64 = (0..x.cols)
        .map(|c| {
            let col = x.col(c);
            let mean = col.iter().sum::<f64>() / n;
            col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n
        })
        .sum();
    if total > 0.0 { total } else { 1.0 }
}

pub(crate) fn fit(input: &FitInput) -> Result<SvmModel, MlError> {
    let p = input.params;
    let all: Vec<usize> = (0..input.x.rows).collect();
    let rows = split::sample(&all, input.y, p.usize("max_rows"), input.seed);
    let (x, y) = if rows.len() < all.len() {
        input.reporter.log(&format!("SVM: training on a sample of {} of {} rows (max_rows)", rows.len(), all.len()));
        (input.x.select_rows(&rows), input.y.select(&rows))
    } else {
        (input.x.clone(), input.y.clone())
    };
    let c = p.f64("c");
    let width = match p.f64("eps") {
        w if w > 0.0 => w,
        _ => auto_width(&x),
    };
    let gaussian = p.str("kernel") == "gaussian";
    let records = x.to_array();
    match y {
        Target::Class(labels) => {
            let targets = Array1::from_iter(labels.iter().map(|&l| l == 1));
            let params = Svm::<f64, Pr>::params().pos_neg_weights(c, c).eps(SOLVER_EPS);
            let params = if gaussian { params.gaussian_kernel(width) } else { params.linear_kernel() };
            let svm = params.fit(&Dataset::new(records, targets)).map_err(|e| failed("SVM", e))?;
            Ok(SvmModel::Classifier(svm))
        }
        Target::Value(values) => {
            let n = values.len().max(1) as f64;
            let mean = values.iter().sum::<f64>() / n;
            let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            let std = if std > 0.0 { std } else { 1.0 };
            let targets = Array1::from_iter(values.iter().map(|v| (v - mean) / std));
            let params = Svm::<f64, f64>::params().c_svr(c, Some(0.1)).eps(SOLVER_EPS);
            let params = if gaussian { params.gaussian_kernel(width) } else { params.linear_kernel() };
            let svm = params.fit(&Dataset::new(records, targets)).map_err(|e| failed("SVM", e))?;
            Ok(SvmModel::Regressor { svm, mean, std })
        }
    }
}

impl SvmModel {
    pub fn predict(&self, x: &Matrix) -> Scores {
        let records = x.to_array();
        match self {
            SvmModel::Classifier(svm) => {
                let pr: Array1<Pr> = svm.predict(&records);
                let p = pr.iter().flat_map(|p| {
                    let p1 = f64::from(**p).clamp(0.0, 1.0);
                    [1.0 - p1, p1]
                });
                Scores::Proba { k: 2, p: p.collect() }
            }
            SvmModel::Regressor { svm, mean, std } => {
                let v: Array1<f64> = svm.predict(&records);
                Scores::Values(v.iter().map(|z| z * std + mean).collect())
            }
        }
    }
}
