//! Training data checked and read once, then fitted on and scored many times: what a search over
//! models (AutoML) needs. Every fit sees only the rows it is given, and its preprocessing is fitted on
//! those rows alone, so a score on other rows is honest.

use std::collections::BTreeMap;

use cairn_types::{ModelKind, Task, TrainSpec};
use polars::prelude::DataFrame;

use crate::check::{Checked, Prepared, prepare};
use crate::model::{Model, Parts};
use crate::models::{self, FitInput, Scores};
use crate::preprocess::{Preprocessor, encoding_for};
use crate::table::RawColumn;
use crate::{MlError, Reporter, evaluate, params, split};

/// A dataset checked for a target, its feature columns read, ready for many fits. Cloning is cheap
/// (shared), so fits can run on threads of their own.
#[derive(Clone)]
pub struct TrainingData(std::sync::Arc<Inner>);

struct Inner {
    prepared: Prepared,
    raw: Vec<RawColumn>,
    target: String,
}

impl std::fmt::Debug for TrainingData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainingData").field("checked", &self.0.prepared.checked).finish_non_exhaustive()
    }
}

impl TrainingData {
    /// Checks `spec` (its model only decides which checks apply: use one that does both tasks) and
    /// reads the features.
    pub fn new(frame: &DataFrame, spec: &TrainSpec) -> Result<TrainingData, MlError> {
        let prepared = prepare(frame, spec)?;
        let raw = prepared.read_features()?;
        Ok(TrainingData(std::sync::Arc::new(Inner { prepared, raw, target: spec.target.clone() })))
    }

    /// The task, features, classes and warnings.
    pub fn checked(&self) -> &Checked {
        &self.0.prepared.checked
    }

    pub fn task(&self) -> Task {
        self.0.prepared.checked.task
    }

    /// Every row fitting may see: all rows with a target, or the data's split's train rows.
    pub fn rows(&self) -> &[usize] {
        &self.0.prepared.pool
    }

    /// Number of classes (0 for regression).
    pub fn classes(&self) -> usize {
        self.0.prepared.checked.classes.len()
    }

    /// Rows per class among `rows` (empty for regression).
    pub fn class_counts(&self, rows: &[usize]) -> Vec<usize> {
        match self.0.prepared.target.select(rows) {
            crate::check::Target::Class(y) => crate::check::class_counts(&y, self.classes()),
            crate::check::Target::Value(_) => Vec::new(),
        }
    }

    /// A stratified (train, held-out) division of `rows`, as row indices.
    pub fn holdout(&self, rows: &[usize], fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
        let (a, b) = split::holdout(&self.0.prepared.target.select(rows), fraction, seed);
        (a.into_iter().map(|i| rows[i]).collect(), b.into_iter().map(|i| rows[i]).collect())
    }

    /// `k` stratified folds of `rows` (each a held-out set), as row indices.
    pub fn folds(&self, rows: &[usize], k: usize, seed: u64) -> Vec<Vec<usize>> {
        split::kfold(&self.0.prepared.target.select(rows), k, seed).into_iter().map(|f| f.into_iter().map(|i| rows[i]).collect()).collect()
    }

    /// Whether `kind` can learn this target (its task, and the SVM's two classes).
    pub fn supports(&self, kind: ModelKind) -> bool {
        params::tasks(kind).contains(&self.task()) && !(kind == ModelKind::Svm && self.classes() > 2)
    }

    /// Fits preprocessing and a `kind` model on `rows` only; hyperparameters are checked like a run's.
    pub fn fit(
        &self,
        kind: ModelKind,
        given: &BTreeMap<String, String>,
        rows: &[usize],
        seed: u64,
        reporter: &dyn Reporter,
    ) -> Result<Model, MlError> {
        if !self.supports(kind) {
            return Err(MlError::cannot(format!("the {} model cannot learn this target", kind.as_str()), "choose another model"));
        }
        if reporter.cancelled() {
            return Err(MlError::Cancelled);
        }
        let p = &self.0.prepared;
        let params = params::resolve(kind, given)?;
        let classes = self.classes();
        let (prep, x) = Preprocessor::fit(encoding_for(kind), &p.checked.features, &self.0.raw, rows, &p.target, classes, seed);
        if prep.width() == 0 {
            return Err(MlError::cannot(
                "every feature is constant on the training rows, so there is nothing to learn from",
                "add features that vary",
            ));
        }
        let y = p.target.select(rows);
        let input = FitInput { kind, params: &params, x: &x, y: &y, classes, seed, reporter, valid: None, report_steps: false };
        let estimator = models::fit(&input)?;
        Ok(Model::new(Parts {
            kind,
            task: p.checked.task,
            target: self.0.target.clone(),
            features: p.checked.features.clone(),
            kinds: p.kinds.clone(),
            classes: p.checked.classes.clone(),
            positive_class: p.positive.and_then(|i| p.checked.classes.get(i).cloned()),
            preprocessor: prep,
            estimator,
        }))
    }

    /// A model's scores of `rows` (fitted on other rows, or this is not a test).
    pub fn predict(&self, model: &Model, rows: &[usize]) -> Result<Scores, MlError> {
        if model.features() != self.0.prepared.checked.features.as_slice() {
            return Err(MlError::Internal("the model was fitted on other features".into()));
        }
        model.scores(&self.0.raw, Some(rows))
    }

    /// The evaluation a run page shows (metrics, confusion, curves or residuals) of `scores` of `rows`;
    /// no importances.
    pub fn evaluation(&self, rows: &[usize], scores: &Scores) -> cairn_types::Evaluation {
        let p = &self.0.prepared;
        let truth = p.target.select(rows);
        let mut e = evaluate::charts(&truth, scores, &p.checked.classes, p.positive);
        e.metrics = evaluate::metrics(&truth, scores, p.positive);
        e.task = p.checked.task;
        e.test_rows = rows.len() as u64;
        e.left_out = p.checked.left_out.clone();
        e
    }

    /// Permutation importance of any model, an ensemble too, on `rows` it never saw: how much the loss
    /// (log loss, or RMSE) grows when one feature's raw values are shuffled across those rows (at most
    /// `max_rows` of them, drawn with `seed`). Sorted from the largest.
    pub fn permutation_importance(
        &self,
        model: &Model,
        rows: &[usize],
        max_rows: usize,
        seed: u64,
    ) -> Result<Vec<cairn_types::Importance>, MlError> {
        use rayon::prelude::*;
        let mut rows = rows.to_vec();
        if rows.len() > max_rows.max(1) {
            split::Rng::new(seed).shuffle(&mut rows);
            rows.truncate(max_rows.max(1));
            rows.sort_unstable();
        }
        let raw: Vec<RawColumn> = self.0.raw.iter().map(|c| c.take(&rows)).collect();
        let truth = self.0.prepared.target.select(&rows);
        let base = evaluate::loss(&truth, &model.scores(&raw, None)?);
        let n = rows.len();
        let growth = (0..raw.len())
            .into_par_iter()
            .map(|f| {
                let mut order: Vec<usize> = (0..n).collect();
                split::Rng::derive(seed, f as u64 + 1).shuffle(&mut order);
                let mut shuffled = raw.clone();
                shuffled[f] = raw[f].take(&order);
                Ok(evaluate::loss(&truth, &model.scores(&shuffled, None)?) - base)
            })
            .collect::<Result<Vec<f64>, MlError>>()?;
        let all: Vec<usize> = (0..raw.len()).collect();
        Ok(evaluate::by_feature(&growth, &all, &self.0.prepared.checked.features, false))
    }

    /// Partial dependence of any model, an ensemble too, on `feature` over `rows` (a seeded sample of
    /// at most `PD_MAX_ROWS` of them; the grid comes from all of them).
    pub fn partial_dependence(
        &self,
        model: &Model,
        feature: &str,
        rows: &[usize],
        seed: u64,
    ) -> Result<cairn_types::PartialDependence, MlError> {
        if model.features() != self.0.prepared.checked.features.as_slice() {
            return Err(MlError::Internal("the model was fitted on other features".into()));
        }
        crate::partial::compute(model, &self.0.raw, feature, rows, seed)
    }

    /// One metric of `scores` against the target of `rows`: log loss, RMSE and a binary ROC AUC are
    /// computed alone (an ensemble search scores many blends); others come from `metrics`.
    pub fn metric(&self, rows: &[usize], scores: &Scores, name: &str) -> Option<f64> {
        let truth = self.0.prepared.target.select(rows);
        match (name, &truth, scores) {
            ("log_loss", crate::check::Target::Class(y), Scores::Proba { k, p }) => Some(crate::metrics::log_loss(y, p, *k)),
            ("rmse", crate::check::Target::Value(y), Scores::Values(p)) => Some(crate::metrics::rmse(y, p)),
            ("roc_auc", crate::check::Target::Class(y), Scores::Proba { k: 2, p }) => {
                let positive = self.0.prepared.positive.unwrap_or(1);
                let hit: Vec<bool> = y.iter().map(|&c| c == positive).collect();
                let score: Vec<f64> = (0..y.len()).map(|r| p[r * 2 + positive]).collect();
                crate::metrics::roc_auc(&hit, &score)
            }
            _ => evaluate::metrics(&truth, scores, self.0.prepared.positive).get(name).copied(),
        }
    }

    /// Metrics of `scores` against the target of `rows` (`roc_auc`, `log_loss`, … or `rmse`, `r2`, …).
    pub fn metrics(&self, rows: &[usize], scores: &Scores) -> BTreeMap<String, f64> {
        evaluate::metrics(&self.0.prepared.target.select(rows), scores, self.0.prepared.positive)
    }
}
