//! Gaussian naive Bayes (linfa-bayes). Probabilities are normalized here from the joint
//! log-likelihoods with the log-sum-exp trick: linfa's `predict_proba` exponentiates them unshifted,
//! which underflows to 0/0 with many features.

use linfa::prelude::*;
use linfa_bayes::{GaussianNb, NaiveBayes};
use ndarray::Array1;
use serde::{Deserialize, Serialize};

use super::{FitInput, Scores, failed};
use crate::MlError;
use crate::check::Target;
use crate::matrix::Matrix;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct NbModel {
    classes: usize,
    nb: GaussianNb<f64, usize>,
}

pub(crate) fn fit(input: &FitInput) -> Result<NbModel, MlError> {
    let Target::Class(y) = input.y else { return Err(MlError::Internal("naive Bayes needs classes".into())) };
    let nb = GaussianNb::params()
        .var_smoothing(input.params.f64("var_smoothing"))
        .fit(&Dataset::new(input.x.to_array(), Array1::from_vec(y.clone())))
        .map_err(|e| failed("naive Bayes", e))?;
    Ok(NbModel { classes: input.classes, nb })
}

impl NbModel {
    pub fn predict(&self, x: &Matrix) -> Scores {
        let k = self.classes;
        let records = x.to_array();
        let jll = self.nb.joint_log_likelihood(records.view());
        let mut p = vec![0.0; x.rows * k];
        for r in 0..x.rows {
            let max = jll.values().map(|v| v[r]).fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            for (&&class, v) in &jll {
                if class < k {
                    let e = (v[r] - max).exp();
                    p[r * k + class] = e;
                    sum += e;
                }
            }
            if sum > 0.0 && sum.is_finite() {
                p[r * k..(r + 1) * k].iter_mut().for_each(|v| *v /= sum);
            } else {
                p[r * k..(r + 1) * k].iter_mut().for_each(|v| *v = 1.0 / k as f64);
            }
        }
        Scores::Proba { k, p }
    }
}
