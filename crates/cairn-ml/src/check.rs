//! Everything that can be refused before training starts: the target, the task, the features, the
//! hyperparameters and the validation. `train` runs the same checks first, so a spec that passes here
//! fails later only for reasons of the fit itself.

use std::collections::BTreeMap;

use cairn_types::{LeftOutColumn, ModelKind, RowsPlan, Task, TrainSpec, Validation};
use polars::prelude::*;

use crate::MlError;
use crate::columns;
use crate::params::{self, Params};
use crate::rows::{self, Scheme};
use crate::table::{SourceKind, close_names, kind_of};

/// An integer target with at most this many distinct values is taken for classes.
const MAX_INT_CLASSES: usize = 20;
/// More classes than this is almost surely a mistaken target.
const MAX_CLASSES: usize = 200;

/// What `check` found: what will be trained, and what the user should know.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub task: Task,
    /// The feature columns used, in order.
    pub features: Vec<String>,
    /// Classification: the classes, sorted (numerically for numeric targets).
    pub classes: Vec<String>,
    pub warnings: Vec<String>,
    /// Effective hyperparameters, defaults included, in canonical spelling.
    pub params: BTreeMap<String, String>,
    /// Columns left out by default, with why.
    pub left_out: Vec<LeftOutColumn>,
    /// Which rows are fitted on and which scored.
    pub rows: RowsPlan,
    /// Classification: the class scored by ROC and PR curves.
    pub positive_class: Option<String>,
}

/// The target as the models see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// Class indices into `Checked::classes`.
    Class(Vec<usize>),
    Value(Vec<f64>),
}

impl Target {
    pub fn len(&self) -> usize {
        match self {
            Target::Class(v) => v.len(),
            Target::Value(v) => v.len(),
        }
    }
    pub fn select(&self, rows: &[usize]) -> Target {
        match self {
            Target::Class(v) => Target::Class(rows.iter().map(|&r| v[r]).collect()),
            Target::Value(v) => Target::Value(rows.iter().map(|&r| v[r]).collect()),
        }
    }
}

/// Everything `train` needs beyond the checked summary.
pub(crate) struct Prepared {
    pub checked: Checked,
    /// The rows whose target is present.
    pub frame: DataFrame,
    pub kinds: Vec<SourceKind>,
    pub target: Target,
    /// Classification: the class scored by ROC/PR (binary: positive class; multiclass: one-vs-rest).
    pub positive: Option<usize>,
    pub params: Params,
    /// The rows each fit and each score uses.
    pub scheme: Scheme,
    /// Every row fitting may see: all of them, or the split's train rows.
    pub pool: Vec<usize>,
}

impl Prepared {
    /// The chosen features' values, read as the models take them.
    pub fn read_features(&self) -> Result<Vec<crate::table::RawColumn>, MlError> {
        self.checked.features.iter().zip(&self.kinds).map(|(name, kind)| crate::table::read(&self.frame, name, *kind)).collect()
    }
}

impl Checked {
    /// The params a run logs about its validation: `validation` (split, holdout or kfold) and its
    /// `test_fraction`, `folds` or `split_column`.
    pub fn validation_params(&self, spec: &TrainSpec) -> Vec<(String, String)> {
        let mut out = vec![("validation".to_string(), self.rows.kind.clone())];
        if let Some(c) = &self.rows.split_column {
            out.push(("split_column".into(), c.clone()));
        }
        match spec.validation {
            Validation::Holdout { test_fraction } => out.push(("test_fraction".into(), test_fraction.to_string())),
            Validation::Auto if self.rows.kind == "holdout" => out.push(("test_fraction".into(), "0.2".into())),
            Validation::KFold { folds } => out.push(("folds".into(), folds.to_string())),
            Validation::Auto => {}
        }
        out
    }
}

/// Checks a spec against the data without training anything.
pub fn check(frame: &DataFrame, spec: &TrainSpec) -> Result<Checked, MlError> {
    prepare(frame, spec).map(|p| p.checked)
}

pub(crate) fn prepare(frame: &DataFrame, spec: &TrainSpec) -> Result<Prepared, MlError> {
    let mut warnings = Vec::new();
    let target_col = frame
        .column(&spec.target)
        .map_err(|_| MlError::TargetNotFound { name: spec.target.clone(), close: close_names(frame, &spec.target) })?
        .as_materialized_series()
        .clone();
    let tdtype = target_col.dtype().clone();
    if kind_of(&tdtype).is_none_or(|k| matches!(k, SourceKind::Date | SourceKind::Datetime)) {
        return Err(MlError::cannot(
            format!("the target '{}' holds {tdtype} values, which cannot be predicted", spec.target),
            "choose a target holding labels (text, true/false, whole numbers) or numbers",
        ));
    }

    // Rows without a target teach nothing: they are dropped (NaN counts as missing).
    let present: Vec<bool> = if tdtype.is_float() {
        target_col.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.is_some_and(|x| !x.is_nan())).collect()
    } else {
        target_col.is_not_null().iter().map(|v| v.unwrap_or(false)).collect()
    };
    let kept = present.iter().filter(|p| **p).count();
    if frame.height() == 0 {
        return Err(MlError::cannot("the dataset has no rows", "import a file with data rows"));
    }
    if kept == 0 {
        return Err(MlError::cannot(
            format!("the target '{}' is missing in every row", spec.target),
            "choose a target column that has values",
        ));
    }
    let dropped = frame.height() - kept;
    let frame = if kept < frame.height() {
        warnings.push(format!("{} row(s) without a value in '{}' were left out", frame.height() - kept, spec.target));
        frame.filter(&BooleanChunked::new("present".into(), present))?
    } else {
        frame.clone()
    };
    let target_col = frame.column(&spec.target)?.as_materialized_series().clone();

    let task = match spec.task {
        Some(t) => t,
        None if tdtype.is_string() || tdtype.is_categorical() || tdtype.is_enum() || tdtype.is_bool() => Task::Classification,
        None if tdtype.is_integer() && target_col.n_unique()? <= MAX_INT_CLASSES => Task::Classification,
        None => Task::Regression,
    };
    if task == Task::Regression && kind_of(&tdtype) == Some(SourceKind::Text) {
        return Err(MlError::cannot(
            format!("regression needs a numeric target, but '{}' holds text", spec.target),
            "choose classification for a text target, or a numeric target",
        ));
    }
    if !params::tasks(spec.model).contains(&task) {
        return Err(wrong_task(spec.model, task));
    }

    let split_column = columns::split_column(&frame, &spec.target);
    let fit_rows = match &split_column {
        Some(c) => rows::marked(&frame, c)?.0,
        None => (0..frame.height()).collect(),
    };
    // The validation as it will run: the data's split, or a holdout or k-fold over the fit rows.
    let validation = match spec.validation {
        Validation::Auto if split_column.is_some() => None,
        Validation::Auto => Some(Validation::Holdout { test_fraction: 0.2 }),
        v => Some(v),
    };

    let (target, classes, positive) = match task {
        Task::Classification => {
            let (classes, y) = class_labels(&target_col)?;
            let counts = class_counts(&y, classes.len());
            if classes.len() < 2 {
                return Err(MlError::cannot(
                    format!("the target '{}' has one class only ('{}')", spec.target, classes.join("")),
                    "a classifier needs at least two classes: choose another target, or filter less",
                ));
            }
            if classes.len() > MAX_CLASSES {
                return Err(MlError::cannot(
                    format!("the target '{}' has {} classes; at most {MAX_CLASSES} are supported", spec.target, classes.len()),
                    "for a numeric target choose regression; otherwise group the classes in a flow",
                ));
            }
            if spec.model == ModelKind::Svm && classes.len() > 2 {
                return Err(MlError::cannot(
                    format!("the SVM classifies two classes only, and '{}' has {}", spec.target, classes.len()),
                    "use logistic or gbm for more than two classes",
                ));
            }
            let positive = positive_class(spec, &classes, &counts)?;
            let fit_y: Vec<usize> = fit_rows.iter().map(|&r| y[r]).collect();
            let fit_counts = class_counts(&fit_y, classes.len());
            if fit_counts.iter().filter(|n| **n > 0).count() < 2 {
                return Err(MlError::cannot(
                    format!(
                        "the rows marked train in the split column '{}' hold one class of '{}' only",
                        split_column.as_deref().unwrap_or_default(),
                        spec.target
                    ),
                    "a classifier needs at least two classes to learn from: check the flow's split (stratify it on the target)",
                ));
            }
            if let Some(v) = &validation {
                check_validation(v, fit_rows.len(), Some((&classes, &fit_counts)))?;
            }
            if matches!(validation, Some(Validation::Holdout { .. })) {
                let single: Vec<&String> = classes.iter().zip(&fit_counts).filter(|(_, n)| **n == 1).map(|(c, _)| c).collect();
                if !single.is_empty() {
                    let names: Vec<String> = single.iter().map(|c| format!("'{c}'")).collect();
                    warnings.push(format!("class {} has a single row: it is trained on but cannot be tested", names.join(", ")));
                }
            }
            (Target::Class(y), classes, Some(positive))
        }
        Task::Regression => {
            let y: Vec<f64> = target_col.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
            let infinite = y.iter().filter(|v| v.is_infinite()).count();
            if infinite > 0 {
                return Err(MlError::Infinite { column: spec.target.clone(), count: infinite });
            }
            let (lo, hi) = y.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            if lo == hi {
                return Err(MlError::cannot(
                    format!("the target '{}' is constant ({lo}) in every row", spec.target),
                    "there is nothing to learn: choose another target",
                ));
            }
            if let Some(v) = &validation {
                check_validation(v, fit_rows.len(), None)?;
            }
            (Target::Value(y), Vec::new(), None)
        }
    };

    let (features, kinds, left_out) =
        columns::choose(&frame, &spec.target, split_column.as_deref(), spec.features.as_deref(), &mut warnings)?;
    check_values(&frame, &features, &kinds)?;
    let params = params::resolve(spec.model, &spec.params)?;
    let (scheme, rows) = rows::plan(&frame, &target, &spec.validation, split_column.as_deref(), spec.seed, dropped, &mut warnings)?;
    if spec.model == ModelKind::Svm {
        let max_rows = params.usize("max_rows");
        let train_rows = rows.train_rows as usize;
        if train_rows > max_rows {
            warnings.push(format!("the SVM trains on a sample of {max_rows} of the {train_rows} training rows (max_rows)"));
        }
    }
    let positive_class = positive.and_then(|i| classes.get(i).cloned());
    let checked = Checked { task, features, classes, warnings, params: params.0.clone(), left_out, rows, positive_class };
    Ok(Prepared { checked, frame, kinds, target, positive, params, scheme, pool: fit_rows })
}

/// Values no model can take: infinite numbers.
fn check_values(frame: &DataFrame, features: &[String], kinds: &[SourceKind]) -> Result<(), MlError> {
    for (name, kind) in features.iter().zip(kinds) {
        let s = frame.column(name)?.as_materialized_series();
        if *kind == SourceKind::Number && s.dtype().is_float() {
            let f = s.cast(&DataType::Float64)?;
            let infinite = f.f64()?.iter().filter(|v| v.is_some_and(f64::is_infinite)).count();
            if infinite > 0 {
                return Err(MlError::Infinite { column: name.clone(), count: infinite });
            }
        }
    }
    Ok(())
}

fn wrong_task(model: ModelKind, task: Task) -> MlError {
    let (what, hint) = match task {
        Task::Regression => (
            "regression",
            "it models class probabilities: use gbm, random_forest, decision_tree, linear or elastic_net for a numeric target",
        ),
        Task::Classification => {
            ("classification", "it fits a number: use logistic, gbm, random_forest, decision_tree, knn, svm or gaussian_nb")
        }
    };
    MlError::cannot(format!("the {} model cannot do {what}", model.as_str()), hint)
}

/// The target's classes (sorted: numerically for numbers) and each row's class index.
fn class_labels(s: &Series) -> Result<(Vec<String>, Vec<usize>), MlError> {
    let dtype = s.dtype().clone();
    if dtype.is_primitive_numeric() || dtype.is_bool() {
        let v: Vec<f64> = s.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        let mut distinct = v.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let y = v.iter().map(|x| distinct.partition_point(|d| d.total_cmp(x).is_lt())).collect();
        let name = |d: &f64| match () {
            _ if dtype.is_bool() => (*d != 0.0).to_string(),
            _ if dtype.is_integer() => format!("{}", *d as i64),
            _ => format!("{d}"),
        };
        return Ok((distinct.iter().map(name).collect(), y));
    }
    let s = if dtype.is_string() { s.clone() } else { s.cast(&DataType::String)? };
    let ca = s.str()?;
    let mut distinct: Vec<&str> = ca.iter().flatten().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let y = ca.iter().map(|v| distinct.binary_search(&v.unwrap_or("")).unwrap_or(0)).collect();
    Ok((distinct.into_iter().map(String::from).collect(), y))
}

pub(crate) fn class_counts(y: &[usize], k: usize) -> Vec<usize> {
    let mut counts = vec![0; k];
    for &c in y {
        if c < k {
            counts[c] += 1;
        }
    }
    counts
}

fn positive_class(spec: &TrainSpec, classes: &[String], counts: &[usize]) -> Result<usize, MlError> {
    if let Some(p) = &spec.positive_class {
        return classes.iter().position(|c| c == p).ok_or_else(|| {
            MlError::invalid(
                format!("the positive class '{p}' is not a class of '{}' ({})", spec.target, classes.join(", ")),
                "pick one of the listed classes, or leave it empty for the minority class",
            )
        });
    }
    // The minority class; on a tie the later one, so 0/1 targets score 1.
    let mut best = 0;
    for (i, &c) in counts.iter().enumerate() {
        if c <= counts[best] {
            best = i;
        }
    }
    Ok(best)
}

fn check_validation(v: &Validation, rows: usize, classes: Option<(&[String], &[usize])>) -> Result<(), MlError> {
    let smallest =
        classes.and_then(|(names, counts)| counts.iter().enumerate().min_by_key(|(_, c)| **c).map(|(i, c)| (names[i].clone(), *c)));
    match *v {
        // Resolved before it is checked: the data's split, or a holdout.
        Validation::Auto => {}
        Validation::Holdout { test_fraction } => {
            if !(test_fraction > 0.0 && test_fraction < 1.0) {
                return Err(MlError::invalid(
                    format!("the test fraction must be between 0 and 1 (exclusive), not {test_fraction}"),
                    "use e.g. 0.2 to score on a fifth of the rows",
                ));
            }
            let test = (rows as f64 * test_fraction).round() as usize;
            if rows < 3 || test == 0 || test >= rows - 1 {
                return Err(MlError::cannot(
                    format!("{rows} row(s) are too few to hold out {test_fraction} of them for testing"),
                    "use more rows, or another test fraction",
                ));
            }
        }
        Validation::KFold { folds } => {
            if !(2..=20).contains(&folds) {
                return Err(MlError::invalid(
                    format!("the number of folds must be between 2 and 20, not {folds}"),
                    "5 or 10 folds are usual",
                ));
            }
            let k = folds as usize;
            if rows < k {
                return Err(MlError::cannot(format!("{rows} row(s) cannot be split in {k} folds"), "use fewer folds"));
            }
            if let Some((name, n)) = smallest.filter(|(_, n)| *n < k) {
                return Err(MlError::cannot(
                    format!("the class '{name}' has {n} row(s), fewer than the {k} folds"),
                    "use fewer folds, a holdout, or filter that class out in a flow",
                ));
            }
        }
    }
    Ok(())
}
