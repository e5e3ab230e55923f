//! Which rows a training fits on and scores on: a flow's split column is honoured (its test rows are
//! never fitted on, and it is never a feature); without one, a stratified holdout. And the GBM's default
//! stops early on a share of the training rows.

use cairn_ml::{Silent, check, fit_all, train};
use cairn_types::{ModelKind, Validation};
use polars::prelude::*;

use crate::{Recorder, adult, spec, with};

/// adult's first rows with a `split` column: every fifth row is a test row.
fn with_split(rows: usize) -> (DataFrame, Vec<bool>) {
    let mut df = adult(rows);
    let test: Vec<bool> = (0..rows).map(|i| i % 5 == 2).collect();
    let marks: Vec<&str> = test.iter().map(|t| if *t { "test" } else { "train" }).collect();
    df.with_column(Column::new("split".into(), marks)).unwrap();
    (df, test)
}

fn take(df: &DataFrame, keep: &[bool]) -> DataFrame {
    df.filter(&BooleanChunked::new("k".into(), keep.to_vec())).unwrap()
}

fn proba(model: &cairn_ml::Model, df: &DataFrame) -> Vec<f64> {
    let p = model.predict(df).unwrap();
    p.column("proba_>50K").unwrap().f64().unwrap().iter().map(|v| v.unwrap()).collect()
}

#[test]
fn a_split_column_trains_on_its_train_rows_and_tests_on_its_test_rows() {
    let (df, test) = with_split(1500);
    let n_test = test.iter().filter(|t| **t).count();
    let mut s = spec("class", ModelKind::Logistic);
    s.validation = Validation::Auto;
    let c = check(&df, &s).unwrap();
    assert!(!c.features.contains(&"split".to_string()), "split is never a feature");
    assert!(c.left_out.iter().any(|l| l.column == "split" && l.reason.contains("marks which rows train")), "{:?}", c.left_out);
    assert_eq!(c.rows.kind, "split");
    assert_eq!((c.rows.train_rows as usize, c.rows.test_rows as usize), (1500 - n_test, n_test));
    assert!(c.rows.summary.contains("rows marked train in column 'split'"), "{}", c.rows.summary);

    let t = train(&df, &s, &Silent).unwrap();
    assert_eq!(t.params["validation"], "split");
    assert_eq!(t.params["split_column"], "split");
    let e = &t.evaluation;
    assert_eq!((e.train_rows as usize, e.test_rows as usize), (1500 - n_test, n_test));
    assert_eq!(e.rows.as_ref().unwrap().kind, "split");
    // Fitted on the train rows alone: the same model as one fitted on a table of only those rows.
    let train_only = take(&df.drop("split").unwrap(), &test.iter().map(|t| !t).collect::<Vec<_>>());
    let mut s2 = spec("class", ModelKind::Logistic);
    s2.validation = Validation::Auto;
    let alone = fit_all(&train_only, &s2, &Silent).unwrap();
    let test_rows = take(&df, &test);
    let (a, b) = (proba(&t.model, &test_rows), proba(&alone, &test_rows));
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12), "the model saw rows outside the split's train rows");
    // Scored on the test rows: the metric recomputed by hand from the model's answers on them.
    let truth: Vec<bool> = test_rows.column("class").unwrap().str().unwrap().iter().map(|v| v == Some(">50K")).collect();
    let auc = cairn_ml::score::roc_auc(&truth, &a).unwrap();
    assert!((auc - e.metrics["roc_auc"]).abs() < 1e-12, "{auc} vs {}", e.metrics["roc_auc"]);
}

#[test]
fn a_holdout_or_folds_asked_for_divide_the_split_train_rows_only() {
    let (df, test) = with_split(1000);
    let n_test = test.iter().filter(|t| **t).count();
    let mut s = spec("class", ModelKind::Logistic);
    s.validation = Validation::Holdout { test_fraction: 0.25 };
    let c = check(&df, &s).unwrap();
    assert_eq!(c.rows.kind, "holdout");
    assert_eq!((c.rows.train_rows + c.rows.test_rows) as usize, 1000 - n_test);
    assert_eq!(c.rows.unused_rows as usize, n_test);
    assert!(c.rows.summary.contains("rows marked test are not used"), "{}", c.rows.summary);
    s.validation = Validation::KFold { folds: 3 };
    let t = train(&df, &s, &Silent).unwrap();
    assert_eq!(t.evaluation.train_rows as usize, 1000 - n_test);
    assert_eq!(t.evaluation.rows.as_ref().unwrap().kind, "kfold");
    // Chosen by hand as a feature, the split column is refused by name.
    s.features = Some(vec!["age".into(), "split".into()]);
    let e = check(&df, &s).unwrap_err();
    assert!(e.to_string().contains("'split' is the data's split column"), "{e}");
}

#[test]
fn without_a_split_column_a_fifth_is_held_out_and_the_diabetic_identifiers_are_left_out() {
    let mut s = spec("readmitted", ModelKind::Gbm);
    s.validation = Validation::Auto;
    let df = crate::diabetic(3000);
    let c = check(&df, &s).unwrap();
    assert_eq!(c.rows.kind, "holdout");
    assert!((598..=602).contains(&c.rows.test_rows), "{}", c.rows.test_rows);
    let left: Vec<&str> = c.left_out.iter().map(|l| l.column.as_str()).collect();
    // Constant in these first rows: examide and citoglipton ('No' everywhere) carry nothing.
    for id in ["encounter_id", "patient_nbr"] {
        assert!(left.contains(&id), "{left:?}");
        let why = &c.left_out.iter().find(|l| l.column == id).unwrap().reason;
        assert!(why.starts_with("an identifier"), "{id}: {why}");
    }
    assert!(c.features.contains(&"diag_1".to_string()) && c.features.contains(&"medical_specialty".to_string()));
    assert_eq!(c.features.len() + c.left_out.len(), df.width() - 1);
}

#[test]
fn the_gbm_stops_early_on_training_rows_and_keeps_its_best_round() {
    // Few rows and a weak signal: boosting at full length overfits within a few dozen rounds.
    let rec = Recorder::default();
    let df = adult(1500);
    let t = train(&df, &spec("class", ModelKind::Gbm), &rec).unwrap();
    let valid = rec.series("test_log_loss");
    let rounds = valid.len();
    assert_eq!(rec.series("valid_log_loss").len(), rounds, "the watched rows' loss is reported too");
    assert!(rounds > 5 && rounds < 500, "{rounds} rounds kept of 500");
    assert!(rec.logs.lock().unwrap().iter().any(|l| l.contains("watching")), "the log says which rows it watches");
    // The test rows were not watched, yet their loss at the kept round is close to its best.
    let best = valid.iter().map(|v| v.1).fold(f64::INFINITY, f64::min);
    let last = valid.last().unwrap().1;
    assert!(last <= best * 1.05, "last {last}, best {best}");
    // Turned off, it boosts every round asked for.
    let rec = Recorder::default();
    train(&df, &with(spec("class", ModelKind::Gbm), &[("early_stopping_rounds", "0"), ("iterations", "60")]), &rec).unwrap();
    assert_eq!(rec.series("test_log_loss").len(), 60);
    assert!(t.evaluation.metrics["roc_auc"] > 0.85, "{:?}", t.evaluation.metrics);
}
