//! Which rows a training fits on and which it scores on. When the data carries a split column (a flow's
//! `split` step), its test rows are never fitted on: by default the model trains on the train rows and
//! is scored on the test rows; a holdout or k-fold asked for divides the train rows alone, so nothing the
//! flow fitted on its train rows is ever judged on rows it learned from.

use cairn_types::{RowsPlan, Validation};
use polars::prelude::*;

use crate::MlError;
use crate::check::Target;
use crate::columns::{TEST, TRAIN, int_commas as int};
use crate::split;

/// The rows of one training, as indices into the rows that have a target.
#[derive(Debug, Clone)]
pub(crate) enum Scheme {
    /// Fit on `train`, score on `test`.
    Fixed { train: Vec<usize>, test: Vec<usize> },
    /// Cross-validation over `rows`: each fold is scored by a model fitted on the others; the kept
    /// model is fitted on all of `rows`.
    Folds { rows: Vec<usize>, folds: Vec<Vec<usize>> },
}

fn pct(f: f64) -> String {
    let p = f * 100.0;
    if (p - p.round()).abs() < 1e-9 { format!("{}%", p.round()) } else { format!("{p:.1}%") }
}

/// The train and test rows of the split column (others: neither).
pub(crate) fn marked(frame: &DataFrame, column: &str) -> Result<(Vec<usize>, Vec<usize>), MlError> {
    let s = frame.column(column)?.as_materialized_series().cast(&DataType::String)?;
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, v) in s.str()?.iter().enumerate() {
        match v {
            Some(TRAIN) => train.push(i),
            Some(TEST) => test.push(i),
            _ => {}
        }
    }
    Ok((train, test))
}

/// `rows`' positions mapped back to row indices.
fn back(rows: &[usize], picked: Vec<usize>) -> Vec<usize> {
    picked.into_iter().map(|i| rows[i]).collect()
}

/// The rows plan for `validation` over `frame` (the rows with a target), `dropped` rows having had no
/// target. The class checks of the chosen rows are the caller's.
pub(crate) fn plan(
    frame: &DataFrame,
    target: &Target,
    validation: &Validation,
    split_column: Option<&str>,
    seed: u64,
    dropped: usize,
    warnings: &mut Vec<String>,
) -> Result<(Scheme, RowsPlan), MlError> {
    let n = target.len();
    let (fit, marked_test) = match split_column {
        Some(c) => marked(frame, c)?,
        None => ((0..n).collect(), Vec::new()),
    };
    if fit.is_empty() {
        return Err(MlError::cannot(
            format!("no row with a target value is marked '{TRAIN}' in the split column '{}'", split_column.unwrap_or_default()),
            "check the flow's split, or the filters after it",
        ));
    }
    let neither = n - fit.len() - marked_test.len();
    let no_target = if dropped > 0 { format!("; {} rows without a target value are not used", int(dropped)) } else { String::new() };
    let unmarked = if neither > 0 { format!("; {} rows marked neither train nor test are not used", int(neither)) } else { String::new() };
    let in_split = |what: &str| match split_column {
        Some(c) => format!("{what} marked train in column '{c}'"),
        None => what.to_string(),
    };
    let holdout = |f: f64, fit: &[usize]| -> (Vec<usize>, Vec<usize>) {
        let (tr, te) = split::holdout(&target.select(fit), f, seed);
        (back(fit, tr), back(fit, te))
    };
    let (scheme, kind, summary, unused) = match *validation {
        Validation::Auto if split_column.is_some() && !marked_test.is_empty() => {
            let c = split_column.unwrap_or_default();
            let summary = format!(
                "trains on the {} rows marked train in column '{c}' and tests on the {} marked test{unmarked}{no_target}",
                int(fit.len()),
                int(marked_test.len())
            );
            (Scheme::Fixed { train: fit, test: marked_test }, "split", summary, neither + dropped)
        }
        Validation::Auto | Validation::Holdout { .. } => {
            let f = match *validation {
                Validation::Holdout { test_fraction } => test_fraction,
                _ => 0.2,
            };
            if matches!(validation, Validation::Auto) && split_column.is_some() {
                warnings.push(format!(
                    "the split column '{}' marks no row with a target as test: {} of its train rows are held out for testing instead",
                    split_column.unwrap_or_default(),
                    pct(f)
                ));
            }
            let (train, test) = holdout(f, &fit);
            let unused_test = if marked_test.is_empty() {
                String::new()
            } else {
                format!("; the {} rows marked test are not used (choose the data's split to test on them)", int(marked_test.len()))
            };
            let summary = format!(
                "trains on {} of the {} and tests on the other {} ({} held out at random{}){unused_test}{unmarked}{no_target}",
                int(train.len()),
                in_split(&format!("{} rows", int(fit.len()))),
                int(test.len()),
                pct(f),
                if matches!(target, Target::Class(_)) { ", stratified by class" } else { "" }
            );
            (Scheme::Fixed { train, test }, "holdout", summary, marked_test.len() + neither + dropped)
        }
        Validation::KFold { folds } => {
            let k = folds as usize;
            let picked = split::kfold(&target.select(&fit), k, seed);
            let folds: Vec<Vec<usize>> = picked.into_iter().map(|f| back(&fit, f)).collect();
            let unused_test = if marked_test.is_empty() {
                String::new()
            } else {
                format!("; the {} rows marked test are not used", int(marked_test.len()))
            };
            let summary = format!(
                "{k}-fold cross-validation over the {}: each fold is tested by a model fitted on the others, and the saved model is fitted on all of them{unused_test}{unmarked}{no_target}",
                in_split(&format!("{} rows", int(fit.len())))
            );
            (Scheme::Folds { rows: fit, folds }, "kfold", summary, marked_test.len() + neither + dropped)
        }
    };
    let (train_rows, test_rows) = match &scheme {
        Scheme::Fixed { train, test } => (train.len(), test.len()),
        Scheme::Folds { rows, .. } => (rows.len(), rows.len()),
    };
    let rows = RowsPlan {
        kind: kind.into(),
        split_column: split_column.map(String::from),
        train_rows: train_rows as u64,
        test_rows: test_rows as u64,
        unused_rows: unused as u64,
        summary,
    };
    Ok((scheme, rows))
}
