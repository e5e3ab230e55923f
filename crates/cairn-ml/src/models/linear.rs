//! Linear models (logistic, least squares, elastic net), fitted by linfa and kept as plain coefficients:
//! a stable file format, and a prediction that is a dot product.

use linfa::prelude::*;
use linfa_elasticnet::ElasticNet;
use linfa_linear::LinearRegression;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{Array1, Array2, Axis, concatenate};
use serde::{Deserialize, Serialize};

use super::{FitInput, Scores, failed};
use crate::MlError;
use crate::check::Target;
use crate::matrix::Matrix;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Link {
    Identity,
    /// One output: the log-odds of class 1 of two.
    Logit,
    Softmax,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LinearModel {
    link: Link,
    /// One row of coefficients per output.
    coef: Vec<Vec<f64>>,
    intercept: Vec<f64>,
}

/// Stands in for minus infinity (JSON has no infinities): a class absent from training gets no mass.
const NEVER: f64 = -1e30;

pub(crate) fn fit_logistic(input: &FitInput) -> Result<LinearModel, MlError> {
    let Target::Class(y) = input.y else { return Err(MlError::Internal("logistic needs classes".into())) };
    let x = input.x.to_array();
    let y = Array1::from_vec(y.clone());
    let alpha = input.params.f64("alpha");
    let iterations = input.params.usize("max_iterations") as u64;
    if input.classes == 2 {
        let fitted = LogisticRegression::default()
            .alpha(alpha)
            .max_iterations(iterations)
            .fit(&Dataset::new(x, y))
            .map_err(|e| failed("logistic regression", e))?;
        // linfa scores its "positive" label, the larger class: flip the signs when that is class 0.
        let sign = if fitted.labels().pos.class == 1 { 1.0 } else { -1.0 };
        Ok(LinearModel {
            link: Link::Logit,
            coef: vec![fitted.params().iter().map(|w| w * sign).collect()],
            intercept: vec![fitted.intercept() * sign],
        })
    } else {
        let fitted = MultiLogisticRegression::default()
            .alpha(alpha)
            .max_iterations(iterations)
            .fit(&Dataset::new(x, y))
            .map_err(|e| failed("logistic regression", e))?;
        let mut coef = vec![vec![0.0; input.x.cols]; input.classes];
        let mut intercept = vec![NEVER; input.classes];
        for (j, &class) in fitted.classes().iter().enumerate() {
            if class < input.classes {
                coef[class] = fitted.params().column(j).to_vec();
                intercept[class] = fitted.intercept()[j];
            }
        }
        Ok(LinearModel { link: Link::Softmax, coef, intercept })
    }
}

/// Least squares through linfa's QR solver on `[X 1; sqrt(l) I 0]`, `[y; 0]`: a ridge of l = 1e-6 per
/// row keeps the problem full rank when features are collinear (one-hot groups, or adult's
/// `education` beside `education-num`), where plain QR would divide by zero. The intercept column is
/// 0 in the added rows, so it is not penalized.
pub(crate) fn fit_linear(input: &FitInput) -> Result<LinearModel, MlError> {
    let Target::Value(y) = input.y else { return Err(MlError::Internal("linear needs values".into())) };
    let intercept = input.params.str("fit_intercept") != "false";
    let (n, p) = (input.x.rows, input.x.cols);
    let x = input.x.to_array();
    let lambda = (1e-6 * n as f64).sqrt();
    let extra = usize::from(intercept);
    let mut top = x;
    if intercept {
        top = concatenate(Axis(1), &[top.view(), Array2::ones((n, 1)).view()]).map_err(|e| MlError::Internal(e.to_string()))?;
    }
    let ridge = Array2::from_shape_fn((p, p + extra), |(i, j)| if i == j { lambda } else { 0.0 });
    let xa = concatenate(Axis(0), &[top.view(), ridge.view()]).map_err(|e| MlError::Internal(e.to_string()))?;
    let mut ya = y.clone();
    ya.extend(std::iter::repeat_n(0.0, p));
    let fitted = LinearRegression::new()
        .with_intercept(false)
        .fit(&Dataset::new(xa, Array1::from_vec(ya)))
        .map_err(|e| failed("least squares", e))?;
    let w = fitted.params();
    let coef: Vec<f64> = w.iter().take(p).copied().collect();
    let b = if intercept { w.get(p).copied().unwrap_or(0.0) } else { 0.0 };
    if coef.iter().any(|c| !c.is_finite()) || !b.is_finite() {
        return Err(MlError::cannot(
            "least squares did not converge to finite coefficients",
            "try elastic_net, or leave out features that repeat others",
        ));
    }
    Ok(LinearModel { link: Link::Identity, coef: vec![coef], intercept: vec![b] })
}

pub(crate) fn fit_elastic_net(input: &FitInput) -> Result<LinearModel, MlError> {
    let Target::Value(y) = input.y else { return Err(MlError::Internal("elastic net needs values".into())) };
    let fitted = ElasticNet::params()
        .penalty(input.params.f64("penalty"))
        .l1_ratio(input.params.f64("l1_ratio"))
        .max_iterations(input.params.usize("max_iterations") as u32)
        .tolerance(input.params.f64("tolerance"))
        .fit(&Dataset::new(input.x.to_array(), Array1::from_vec(y.clone())))
        .map_err(|e| failed("elastic net", e))?;
    Ok(LinearModel { link: Link::Identity, coef: vec![fitted.hyperplane().to_vec()], intercept: vec![fitted.intercept()] })
}

impl LinearModel {
    pub fn predict(&self, x: &Matrix) -> Scores {
        let outputs: Vec<Vec<f64>> = self
            .coef
            .iter()
            .zip(&self.intercept)
            .map(|(w, b)| {
                let mut out = vec![*b; x.rows];
                for (c, wc) in w.iter().enumerate().take(x.cols) {
                    if *wc != 0.0 {
                        out.iter_mut().zip(x.col(c)).for_each(|(o, v)| *o += wc * v);
                    }
                }
                out
            })
            .collect();
        match self.link {
            Link::Identity => Scores::Values(outputs.into_iter().next().unwrap_or_default()),
            Link::Logit => {
                let m = outputs.into_iter().next().unwrap_or_default();
                let p = m.iter().flat_map(|&z| {
                    let p1 = sigmoid(z);
                    [1.0 - p1, p1]
                });
                Scores::Proba { k: 2, p: p.collect() }
            }
            Link::Softmax => {
                let k = outputs.len();
                let mut p = Vec::with_capacity(x.rows * k);
                for r in 0..x.rows {
                    let max = outputs.iter().map(|o| o[r]).fold(f64::NEG_INFINITY, f64::max);
                    let e: Vec<f64> = outputs.iter().map(|o| (o[r] - max).exp()).collect();
                    let s: f64 = e.iter().sum();
                    p.extend(e.iter().map(|v| v / s));
                }
                Scores::Proba { k, p }
            }
        }
    }

    /// |coefficient| per encoded column (mean over classes): the features are standardized, so sizes compare.
    pub fn importances(&self) -> Vec<f64> {
        let width = self.coef.first().map_or(0, Vec::len);
        (0..width).map(|c| self.coef.iter().map(|w| w[c].abs()).sum::<f64>() / self.coef.len() as f64).collect()
    }
}

pub(crate) fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}
