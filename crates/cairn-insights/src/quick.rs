//! The quick model: cairn-ml's gradient boosting, cross-validated, on the features a model can use.

use std::collections::BTreeMap;

use cairn_types::{ColumnFlag, ColumnQuality, DType, LeftOut, ModelKind, QuickModel, Task, TrainSpec, Validation};
use polars::prelude::*;

use crate::Observer;
use crate::error::InsightsError;
use crate::target::Target;

pub(crate) const FOLDS: u32 = 3;
/// Fewer, shallower rounds than a tuned model: a baseline in seconds, not the best score.
const PARAMS: &[(&str, &str)] = &[("iterations", "60"), ("learning_rate", "0.2"), ("max_depth", "5"), ("nbins", "64")];

struct Forward<'a>(&'a dyn Observer);

impl cairn_ml::Reporter for Forward<'_> {
    fn progress(&self, phase: &str, done: u64, total: u64) {
        if phase == "folds" {
            self.0.progress("quick model", done, total, "folds");
        }
    }
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// Which columns the baseline uses, and why the others are left out.
pub(crate) fn features(quality: &[ColumnQuality], target: &Target) -> (Vec<String>, Vec<LeftOut>) {
    let (mut use_, mut left_out) = (Vec::new(), Vec::new());
    for q in quality {
        let why = |f: ColumnFlag| q.flags.iter().any(|r| r.flag == f);
        let reason = if q.name == target.column {
            if target.equals.is_some() { Some("the target is derived from it") } else { None }
        } else if why(ColumnFlag::Identifier) {
            Some("an identifier")
        } else if why(ColumnFlag::Empty) {
            Some("empty")
        } else if why(ColumnFlag::Constant) {
            Some("constant")
        } else if q.dtype == DType::Other {
            Some("a type models cannot use")
        } else {
            None
        };
        match reason {
            Some(r) => left_out.push(LeftOut { column: q.name.clone(), reason: r.into() }),
            None if q.name != target.column => use_.push(q.name.clone()),
            None => {}
        }
    }
    (use_, left_out)
}

pub(crate) fn fit(
    df: &DataFrame,
    target: &Target,
    features: Vec<String>,
    left_out: Vec<LeftOut>,
    seed: u64,
    obs: &dyn Observer,
) -> Result<QuickModel, InsightsError> {
    let mut cols: Vec<Column> = features.iter().map(|f| df.column(f).cloned()).collect::<Result<_, _>>()?;
    let ts = target.series(df)?;
    let target_name = ts.name().to_string();
    cols.push(ts.into());
    let frame = DataFrame::new_infer_height(cols)?;
    let spec = TrainSpec {
        dataset: String::new(),
        target: target_name,
        task: Some(target.task),
        model: ModelKind::Gbm,
        params: PARAMS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        features: Some(features.clone()),
        validation: Validation::KFold { folds: FOLDS },
        seed,
        experiment: None,
        run_name: None,
        positive_class: target.equals.as_ref().map(|_| "true".to_string()),
    };
    let started = std::time::Instant::now();
    let trained = cairn_ml::cross_validate(&frame, &spec, &Forward(obs)).map_err(|e| match e {
        cairn_ml::MlError::Cancelled => InsightsError::Cancelled,
        other => InsightsError::Internal(other.to_string()),
    })?;
    let e = trained.evaluation;
    let metric = match target.task {
        Task::Regression => "r2",
        Task::Classification if e.metrics.contains_key("roc_auc") => "roc_auc",
        Task::Classification => "accuracy",
    };
    let params: BTreeMap<String, String> = trained.params;
    Ok(QuickModel {
        model: "gbm".into(),
        folds: FOLDS,
        metric: metric.into(),
        score: e.metrics.get(metric).copied().unwrap_or(f64::NAN),
        metrics: e.metrics,
        importances: e.importances,
        features,
        left_out,
        params,
        seconds: started.elapsed().as_secs_f64(),
    })
}
