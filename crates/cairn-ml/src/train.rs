//! A training run: check, split, encode, fit, score, and assemble the model and its evaluation.

use std::collections::BTreeMap;
use std::time::Instant;

use cairn_types::{Evaluation, TrainSpec};
use polars::prelude::DataFrame;

use crate::check::{Prepared, Target, prepare};
use crate::evaluate;
use crate::matrix::Matrix;
use crate::model::{Model, Parts};
use crate::models::{self, Estimator, FitInput, Scores};
use crate::preprocess::{Preprocessor, encoding_for};
use crate::rows::Scheme;
use crate::split;
use crate::table::RawColumn;
use crate::{MlError, Reporter};

/// A finished training: the model to save, what it scored, and the params to log with the run.
#[derive(Debug)]
pub struct Trained {
    pub model: Model,
    pub evaluation: Evaluation,
    /// Effective hyperparameters, plus `validation`, `test_fraction` or `folds`, and `seed`.
    pub params: BTreeMap<String, String>,
}

struct Fitted {
    prep: Preprocessor,
    estimator: Estimator,
    seconds: f64,
}

struct Run<'a> {
    spec: &'a TrainSpec,
    prepared: &'a Prepared,
    raw: &'a [RawColumn],
    reporter: &'a dyn Reporter,
}

impl Run<'_> {
    fn classes(&self) -> usize {
        self.prepared.checked.classes.len()
    }

    /// Fits preprocessing and the estimator on `train` rows; `valid` rows are encoded and returned for
    /// scoring (and, when `steps`, scored after each boosting round).
    fn fit(&self, train: &[usize], valid: Option<&[usize]>, steps: bool) -> Result<(Fitted, Option<Matrix>), MlError> {
        if self.reporter.cancelled() {
            return Err(MlError::Cancelled);
        }
        let p = self.prepared;
        let target = &p.target;
        let encoding = Instant::now();
        let (prep, x) =
            Preprocessor::fit(encoding_for(self.spec.model), &p.checked.features, self.raw, train, target, self.classes(), self.spec.seed);
        if prep.width() == 0 {
            return Err(MlError::cannot(
                "every feature is constant on the training rows, so there is nothing to learn from",
                "add features that vary",
            ));
        }
        self.reporter.log(&format!(
            "encoded {} training rows into {} columns in {:.2} s",
            x.rows,
            x.cols,
            encoding.elapsed().as_secs_f64()
        ));
        let y = target.select(train);
        let valid_x = valid.map(|rows| prep.transform(self.raw, Some(rows)));
        let valid_y = valid.map(|rows| target.select(rows));
        let input = FitInput {
            kind: self.spec.model,
            params: &p.params,
            x: &x,
            y: &y,
            classes: self.classes(),
            seed: self.spec.seed,
            reporter: self.reporter,
            valid: valid_x.as_ref().zip(valid_y.as_ref()),
            report_steps: steps,
        };
        let started = Instant::now();
        let estimator = models::fit(&input)?;
        let seconds = started.elapsed().as_secs_f64();
        estimator.report_steps(&input)?;
        Ok((Fitted { prep, estimator, seconds }, valid_x))
    }

    fn importances(&self, fitted: &Fitted, x: &Matrix, truth: &Target) -> Result<(Vec<cairn_types::Importance>, String), MlError> {
        let features = &self.prepared.checked.features;
        let sources = &fitted.prep.sources;
        match fitted.estimator.importances(fitted.prep.width()) {
            Some(values) => Ok((evaluate::by_feature(&values, sources, features, true), "model".into())),
            None => {
                self.reporter.log("measuring permutation importance");
                let values = evaluate::permutation(&fitted.estimator, x, truth, sources, features.len(), self.spec.seed)?;
                let per_feature: Vec<usize> = (0..features.len()).collect();
                Ok((evaluate::by_feature(&values, &per_feature, features, false), "permutation".into()))
            }
        }
    }

    fn model(&self, fitted: Fitted) -> Model {
        let p = self.prepared;
        Model::new(Parts {
            kind: self.spec.model,
            task: p.checked.task,
            target: self.spec.target.clone(),
            features: p.checked.features.clone(),
            kinds: p.kinds.clone(),
            classes: p.checked.classes.clone(),
            positive_class: p.positive.and_then(|i| p.checked.classes.get(i).cloned()),
            preprocessor: fitted.prep,
            estimator: fitted.estimator,
        })
    }
}

/// Trains and evaluates a model as the spec says; `check` runs first, so bad input fails before any fit.
pub fn train(frame: &DataFrame, spec: &TrainSpec, reporter: &dyn Reporter) -> Result<Trained, MlError> {
    train_as(frame, spec, reporter, true)
}

/// A cross-validated score without the final fit on every row: with k-fold validation the model (and
/// its importances) is the first fold's. For a baseline that is only looked at, not kept (insights).
pub fn cross_validate(frame: &DataFrame, spec: &TrainSpec, reporter: &dyn Reporter) -> Result<Trained, MlError> {
    train_as(frame, spec, reporter, false)
}

fn train_as(frame: &DataFrame, spec: &TrainSpec, reporter: &dyn Reporter, final_fit: bool) -> Result<Trained, MlError> {
    let prepared = prepare(frame, spec)?;
    for w in &prepared.checked.warnings {
        reporter.log(&format!("warning: {w}"));
    }
    let raw = prepared.read_features()?;
    let run = Run { spec, prepared: &prepared, raw: &raw, reporter };
    let target = &prepared.target;
    let positive = prepared.positive;
    let classes = &prepared.checked.classes;

    let mut params = prepared.params.0.clone();
    params.insert("seed".into(), spec.seed.to_string());
    let plan = &prepared.checked.rows;
    params.extend(prepared.checked.validation_params(spec));
    reporter.log(&format!("{} {}", spec.model.as_str(), plan.summary));
    for l in &prepared.checked.left_out {
        reporter.log(&format!("left out '{}': {}", l.column, l.reason));
    }
    let (model, mut evaluation) = match &prepared.scheme {
        Scheme::Fixed { train: train_rows, test: test_rows } => {
            // Models that cannot report inside their fit still show a started phase (not just its end).
            reporter.progress("fit", 0, 1);
            let (fitted, test_x) = run.fit(train_rows, Some(test_rows), true)?;
            let test_x = test_x.ok_or_else(|| MlError::Internal("no test matrix".into()))?;
            reporter.progress("evaluate", 0, 1);
            let truth = target.select(test_rows);
            let scores = fitted.estimator.predict(&test_x)?;
            let mut e = evaluate::charts(&truth, &scores, classes, positive);
            e.metrics = evaluate::metrics(&truth, &scores, positive);
            (e.importances, e.importance_kind) = run.importances(&fitted, &test_x, &truth)?;
            e.train_rows = train_rows.len() as u64;
            e.fit_seconds = fitted.seconds;
            (run.model(fitted), e)
        }
        Scheme::Folds { rows: all, folds } => {
            let k = folds.len();
            let (mut per_fold, mut seconds) = (Vec::new(), 0.0);
            let mut pooled_rows = Vec::with_capacity(all.len());
            let mut pooled: Option<Scores> = None;
            let mut first: Option<(Fitted, Matrix, Target)> = None;
            for (i, test_rows) in folds.iter().enumerate() {
                reporter.log(&format!("fitting fold {}/{k}", i + 1));
                reporter.progress("folds", i as u64, k as u64);
                let train_rows = split::complement(all, test_rows);
                let (fitted, test_x) = run.fit(&train_rows, Some(test_rows), false)?;
                let test_x = test_x.ok_or_else(|| MlError::Internal("no test matrix".into()))?;
                seconds += fitted.seconds;
                let truth = target.select(test_rows);
                let scores = fitted.estimator.predict(&test_x)?;
                let m = evaluate::metrics(&truth, &scores, positive);
                for (key, value) in &m {
                    reporter.metric(&format!("fold_{key}"), *value, (i + 1) as i64);
                }
                per_fold.push(m);
                pooled_rows.extend_from_slice(test_rows);
                pooled = Some(append(pooled, scores));
                if first.is_none() {
                    first = Some((fitted, test_x, truth));
                }
            }
            reporter.progress("folds", k as u64, k as u64);
            let pooled = pooled.ok_or_else(|| MlError::Internal("no folds".into()))?;
            let mut e = evaluate::charts(&target.select(&pooled_rows), &pooled, classes, positive);
            e.metrics = evaluate::mean_metrics(&per_fold);
            // The model kept: one fit on every fold's rows, or (cross-validation only) the first fold's.
            let (fitted, held_out) = if final_fit {
                reporter.log(&format!("fitting the final model on all {} rows", all.len()));
                let (fitted, _) = run.fit(all, None, true)?;
                seconds += fitted.seconds;
                (fitted, first.map(|(f, x, t)| (Some(f), x, t)))
            } else {
                let (f, x, t) = first.ok_or_else(|| MlError::Internal("no folds".into()))?;
                (f, Some((None, x, t)))
            };
            (e.importances, e.importance_kind) = match fitted.estimator.importances(fitted.prep.width()) {
                Some(_) => run.importances(&fitted, &Matrix { data: Vec::new(), rows: 0, cols: 0 }, target)?,
                // Permutation importance needs held-out rows: the first fold's model on its test rows.
                None => match &held_out {
                    Some((Some(f), x, truth)) => run.importances(f, x, truth)?,
                    Some((None, x, truth)) => run.importances(&fitted, x, truth)?,
                    None => (Vec::new(), "permutation".into()),
                },
            };
            e.train_rows = all.len() as u64;
            e.fit_seconds = seconds;
            (run.model(fitted), e)
        }
    };
    evaluation.task = prepared.checked.task;
    evaluation.rows = Some(plan.clone());
    evaluation.left_out = prepared.checked.left_out.clone();
    reporter.progress("evaluate", 1, 1);
    Ok(Trained { model, evaluation, params })
}

/// Fits on every row the data lets fitting see (all of them, or its split's train rows), holding none out: a final model whose evaluation is known already, or a
/// benchmark that scores on a file of its own. Per-round series are not reported.
pub fn fit_all(frame: &DataFrame, spec: &TrainSpec, reporter: &dyn Reporter) -> Result<Model, MlError> {
    let prepared = prepare(frame, spec)?;
    let raw = prepared.read_features()?;
    let run = Run { spec, prepared: &prepared, raw: &raw, reporter };
    let (fitted, _) = run.fit(&prepared.pool, None, false)?;
    Ok(run.model(fitted))
}

/// Concatenates the scores of successive folds.
fn append(acc: Option<Scores>, next: Scores) -> Scores {
    match acc {
        None => next,
        Some(a) => a.append(next),
    }
}
