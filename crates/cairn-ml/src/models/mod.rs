//! The estimators behind each model kind: fit on an encoded matrix, predict scores, give importances.

mod bayes;
pub(crate) mod gbm;
mod knn;
pub(crate) mod linear;
mod regtree;
mod svm;
pub(crate) mod tree;

use cairn_types::ModelKind;
use serde::{Deserialize, Serialize};

use crate::check::Target;
use crate::matrix::Matrix;
use crate::params::Params;
use crate::{MlError, Reporter};

/// What a model predicts for a batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Scores {
    /// Class probabilities, row-major: `p[r * k + class]`.
    Proba {
        k: usize,
        p: Vec<f64>,
    },
    Values(Vec<f64>),
}

impl Scores {
    /// These rows' scores followed by `next`'s (same kind; a mismatch keeps these).
    pub fn append(self, next: Scores) -> Scores {
        match (self, next) {
            (Scores::Proba { k, mut p }, Scores::Proba { p: q, .. }) => {
                p.extend(q);
                Scores::Proba { k, p }
            }
            (Scores::Values(mut v), Scores::Values(w)) => {
                v.extend(w);
                Scores::Values(v)
            }
            (a, _) => a,
        }
    }
}

/// Everything a fit needs.
pub(crate) struct FitInput<'a> {
    pub kind: ModelKind,
    pub params: &'a Params,
    pub x: &'a Matrix,
    pub y: &'a Target,
    /// Number of classes (0 for regression).
    pub classes: usize,
    pub seed: u64,
    pub reporter: &'a dyn Reporter,
    /// The test rows, scored after each boosting round beside the training rows (never fitted on).
    pub valid: Option<(&'a Matrix, &'a Target)>,
    /// Report per-round series (off for k-fold's folds, whose rounds would interleave).
    pub report_steps: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "estimator", content = "fitted", rename_all = "snake_case")]
pub(crate) enum Estimator {
    Linear(linear::LinearModel),
    Trees(tree::Forest),
    Svm(svm::SvmModel),
    NaiveBayes(bayes::NbModel),
    Knn(knn::KnnModel),
    Gbm(gbm::GbmModel),
}

/// A library's failure to fit, in words; the data passed every check, so it is the fit that failed.
pub(crate) fn failed(what: &str, e: impl std::fmt::Display) -> MlError {
    MlError::cannot(format!("the {what} fit failed: {e}"), "try other hyperparameters, fewer features, or another model")
}

pub(crate) fn fit(input: &FitInput) -> Result<Estimator, MlError> {
    Ok(match input.kind {
        ModelKind::Logistic => Estimator::Linear(linear::fit_logistic(input)?),
        ModelKind::Linear => Estimator::Linear(linear::fit_linear(input)?),
        ModelKind::ElasticNet => Estimator::Linear(linear::fit_elastic_net(input)?),
        ModelKind::DecisionTree => Estimator::Trees(tree::fit_decision_tree(input)?),
        ModelKind::RandomForest => Estimator::Trees(tree::fit_random_forest(input)?),
        ModelKind::Svm => Estimator::Svm(svm::fit(input)?),
        ModelKind::GaussianNb => Estimator::NaiveBayes(bayes::fit(input)?),
        ModelKind::Knn => Estimator::Knn(knn::fit(input)?),
        ModelKind::Gbm => Estimator::Gbm(gbm::fit(input)?),
    })
}

impl Estimator {
    pub fn predict(&self, x: &Matrix) -> Result<Scores, MlError> {
        Ok(match self {
            Estimator::Linear(m) => m.predict(x),
            Estimator::Trees(m) => m.predict(x),
            Estimator::Svm(m) => m.predict(x),
            Estimator::NaiveBayes(m) => m.predict(x),
            Estimator::Knn(m) => m.predict(x)?,
            Estimator::Gbm(m) => m.predict(x),
        })
    }

    /// The model's own importance per encoded column, when it has one.
    pub fn importances(&self, width: usize) -> Option<Vec<f64>> {
        match self {
            Estimator::Linear(m) => Some(m.importances()),
            Estimator::Trees(m) => Some(m.importances()),
            Estimator::Gbm(m) => Some(m.importances(width)),
            Estimator::Svm(_) | Estimator::NaiveBayes(_) | Estimator::Knn(_) => None,
        }
    }

    /// Reports per-step series after the fit, when the model has steps and the input asks for them.
    pub fn report_steps(&self, input: &FitInput) -> Result<(), MlError> {
        match self {
            Estimator::Gbm(m) if input.report_steps => m.report_rounds(input),
            _ => Ok(()),
        }
    }

    /// Per-row contributions to the margin and the margin (see `GbmModel::contributions`).
    pub fn contributions(&self, x: &Matrix) -> Option<(Vec<f64>, Vec<f64>)> {
        match self {
            Estimator::Gbm(m) => Some((m.contributions(x)?, m.margin(x)?)),
            _ => None,
        }
    }

    /// A rough cost of predicting one row, to size permutation importance's sample.
    pub fn slow(&self) -> bool {
        matches!(self, Estimator::Svm(_) | Estimator::Knn(_))
    }
}
