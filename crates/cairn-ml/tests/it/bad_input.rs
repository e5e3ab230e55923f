//! Every kind of bad input is refused by `check` (and so by `train`) before any fit, naming what is wrong.

use cairn_ml::{MlError, Silent, check, train};
use cairn_types::{ApiError, ErrorCode, ModelKind, Task, TrainSpec, Validation};
use polars::prelude::*;

use crate::{Recorder, adult, frame, spec, with};

fn refused(df: &DataFrame, s: &TrainSpec) -> MlError {
    let e = check(df, s).unwrap_err();
    let rec = Recorder::default();
    let again = train(df, s, &rec).unwrap_err();
    assert_eq!(e.to_string(), again.to_string(), "train refuses what check refuses");
    assert!(rec.metrics.lock().unwrap().is_empty(), "nothing was fitted");
    e
}

fn small() -> DataFrame {
    rows(40)
}

fn rows(n: usize) -> DataFrame {
    frame(vec![
        Column::new("x".into(), (0..n).map(|i| i as f64).collect::<Vec<_>>()),
        Column::new("colour".into(), (0..n).map(|i| ["red", "green", "blue"][i % 3]).collect::<Vec<_>>()),
        Column::new("label".into(), (0..n).map(|i| if i % 2 == 0 { "a" } else { "b" }).collect::<Vec<_>>()),
        Column::new("y".into(), (0..n).map(|i| (i * i) as f64).collect::<Vec<_>>()),
    ])
}

#[test]
fn a_good_spec_passes_with_effective_params() {
    let c = check(&adult(500), &spec("class", ModelKind::Gbm)).unwrap();
    assert_eq!(c.task, Task::Classification);
    assert_eq!(c.classes, ["<=50K", ">50K"]);
    assert_eq!(c.features.len(), 14);
    assert_eq!(c.params["iterations"], "500");
    assert_eq!(c.params["learning_rate"], "0.2");
    assert_eq!(c.params["colsample_bytree"], "0.5");
    assert_eq!(c.params["early_stopping_rounds"], "20");
    let c = check(&adult(500), &spec("hours-per-week", ModelKind::Gbm)).unwrap();
    assert_eq!(c.task, Task::Regression);
    assert!(c.classes.is_empty());
    // An integer with few values is a class label.
    let c = check(&adult(500), &spec("education-num", ModelKind::Gbm)).unwrap();
    assert_eq!(c.task, Task::Classification);
    let numbers: Vec<i64> = c.classes.iter().map(|v| v.parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]) && numbers.len() > 10, "numeric classes sort as numbers: {numbers:?}");
}

#[test]
fn missing_target_lists_close_names() {
    let e = refused(&adult(100), &spec("Class", ModelKind::Gbm));
    assert_eq!(e.code(), ErrorCode::ColumnNotFound);
    assert!(e.to_string().contains("'Class'") && e.to_string().contains("did you mean 'class'"), "{e}");
    let api: ApiError = e.into();
    assert_eq!(api.code, ErrorCode::ColumnNotFound);
    assert!(api.hint.is_some());
}

#[test]
fn constant_or_one_class_targets() {
    let mut df = small();
    df.with_column(Column::new("label".into(), vec!["a"; 40])).unwrap();
    let e = refused(&df, &spec("label", ModelKind::Logistic));
    assert_eq!(e.code(), ErrorCode::CannotTrain);
    assert!(e.to_string().contains("one class only ('a')"), "{e}");
    df.with_column(Column::new("y".into(), vec![3.0; 40])).unwrap();
    let e = refused(&df, &spec("y", ModelKind::Linear));
    assert!(e.to_string().contains("constant"), "{e}");
}

#[test]
fn no_rows_or_no_target_values() {
    let e = refused(&small().head(Some(0)), &spec("label", ModelKind::Gbm));
    assert_eq!(e.code(), ErrorCode::CannotTrain);
    assert!(e.to_string().contains("no rows"), "{e}");
    let mut df = small();
    df.with_column(Column::new("label".into(), vec![None::<&str>; 40])).unwrap();
    let e = refused(&df, &spec("label", ModelKind::Gbm));
    assert!(e.to_string().contains("missing in every row"), "{e}");
}

#[test]
fn rows_without_a_target_are_dropped_with_a_warning() {
    let mut df = small();
    let label: Vec<Option<&str>> = (0..40).map(|i| if i < 4 { None } else { Some(["a", "b"][i % 2]) }).collect();
    df.with_column(Column::new("label".into(), label)).unwrap();
    let c = check(&df, &spec("label", ModelKind::Gbm)).unwrap();
    assert!(c.warnings.iter().any(|w| w.contains("4 row(s) without a value in 'label'")), "{:?}", c.warnings);
    let t = train(&df, &with(spec("label", ModelKind::Gbm), &[("iterations", "3")]), &Silent).unwrap();
    assert_eq!(t.evaluation.train_rows + t.evaluation.test_rows, 36);
}

#[test]
fn unknown_feature() {
    let mut s = spec("label", ModelKind::Gbm);
    s.features = Some(vec!["x".into(), "colours".into()]);
    let e = refused(&small(), &s);
    assert_eq!(e.code(), ErrorCode::ColumnNotFound);
    assert!(e.to_string().contains("'colours'") && e.to_string().contains("'colour'"), "{e}");
    s.features = Some(vec!["x".into(), "label".into()]);
    assert_eq!(refused(&small(), &s).code(), ErrorCode::InvalidInput, "the target as a feature");
}

#[test]
fn text_of_any_cardinality_is_used_and_identifiers_are_left_out_with_why() {
    let mut df = rows(60);
    df.with_column(Column::new("name".into(), (0..60).map(|i| format!("person {i}")).collect::<Vec<_>>())).unwrap();
    let c = check(&df, &spec("label", ModelKind::Gbm)).unwrap();
    assert!(!c.features.contains(&"name".to_string()), "{:?}", c.features);
    assert_eq!(c.left_out.len(), 1, "{:?}", c.left_out);
    assert_eq!(c.left_out[0].column, "name");
    assert!(c.left_out[0].reason.starts_with("an identifier: 60 distinct values in 60 rows"), "{}", c.left_out[0].reason);
    // Chosen by hand, it is used, with a warning.
    let mut s = spec("label", ModelKind::Gbm);
    s.features = Some(vec!["x".into(), "name".into()]);
    let c = check(&df, &s).unwrap();
    assert_eq!(c.features, ["x", "name"]);
    assert!(c.warnings.iter().any(|w| w.contains("'name' looks like an identifier")), "{:?}", c.warnings);
    // The real thing: diabetic's diagnosis codes (hundreds of them) train every model family.
    let data = crate::diabetic(3000);
    for model in [ModelKind::Gbm, ModelKind::Logistic, ModelKind::RandomForest, ModelKind::GaussianNb] {
        let mut s = spec("readmitted", model);
        s.features = Some(vec!["age".into(), "diag_1".into(), "diag_2".into()]);
        let t = train(&data, &s, &Silent).unwrap_or_else(|e| panic!("{model:?}: {e}"));
        // Naive Bayes' normal densities over hundreds of indicators make a poor classifier, but it trains.
        let floor = if model == ModelKind::GaussianNb { 0.0 } else { 0.4 };
        assert!(t.evaluation.metrics["accuracy"] > floor, "{model:?}: {:?}", t.evaluation.metrics);
    }
}

#[test]
fn infinite_values_are_counted() {
    let mut df = small();
    let x: Vec<f64> = (0..40)
        .map(|i| {
            if i % 10 == 0 {
                f64::INFINITY
            } else if i == 3 {
                f64::NAN
            } else {
                i as f64
            }
        })
        .collect();
    df.with_column(Column::new("x".into(), x)).unwrap();
    let e = refused(&df, &spec("label", ModelKind::Gbm));
    assert!(matches!(&e, MlError::Infinite { column, count: 4 } if column == "x"), "{e}");
    assert!(e.to_string().contains("'x'") && e.to_string().contains('4'), "{e}");
}

#[test]
fn hyperparameters_out_of_range_or_unknown() {
    let df = small();
    for (name, value, range) in [
        ("learning_rate", "0", "(0, 1]"),
        ("iterations", "0", "[1, 10000]"),
        ("max_depth", "3.5", "whole number"),
        ("subsample", "abc", "(0, 1]"),
    ] {
        let e = refused(&df, &with(spec("label", ModelKind::Gbm), &[(name, value)]));
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        let text = e.to_string();
        assert!(text.contains(name) && text.contains(value) && text.contains(range), "{text}");
    }
    let e = refused(&df, &with(spec("label", ModelKind::Gbm), &[("trees", "10")]));
    assert!(matches!(e, MlError::UnknownParam { .. }), "{e}");
    assert!(e.to_string().contains("iterations"), "lists the known names: {e}");
    let e = refused(&df, &with(spec("label", ModelKind::Svm), &[("kernel", "cubic")]));
    assert!(e.to_string().contains("gaussian, linear"), "{e}");
}

#[test]
fn too_few_rows_for_the_validation() {
    let mut df = small();
    let label: Vec<&str> = (0..40).map(|i| if i < 3 { "rare" } else { "common" }).collect();
    df.with_column(Column::new("label".into(), label)).unwrap();
    let mut s = spec("label", ModelKind::Gbm);
    s.validation = Validation::KFold { folds: 5 };
    let e = refused(&df, &s);
    assert_eq!(e.code(), ErrorCode::CannotTrain);
    assert!(e.to_string().contains("'rare' has 3 row(s), fewer than the 5 folds"), "{e}");
    s.validation = Validation::KFold { folds: 1 };
    assert_eq!(refused(&df, &s).code(), ErrorCode::InvalidInput);
    s.validation = Validation::Holdout { test_fraction: 1.0 };
    assert_eq!(refused(&df, &s).code(), ErrorCode::InvalidInput);
    s.validation = Validation::Holdout { test_fraction: 0.2 };
    assert_eq!(refused(&df.head(Some(2)), &s).code(), ErrorCode::CannotTrain);
}

#[test]
fn regression_on_text_and_other_mismatches() {
    let mut s = spec("label", ModelKind::Gbm);
    s.task = Some(Task::Regression);
    let e = refused(&small(), &s);
    assert_eq!(e.code(), ErrorCode::CannotTrain);
    assert!(e.to_string().contains("numeric target") && e.to_string().contains("'label'"), "{e}");

    let mut df = small();
    df.with_column(Column::new("colour".into(), (0..40).map(|i| ["r", "g", "b"][i % 3]).collect::<Vec<_>>())).unwrap();
    let e = refused(&df, &spec("colour", ModelKind::Svm));
    assert!(e.hint().unwrap().contains("logistic or gbm"), "{:?}", e.hint());

    let mut s = spec("label", ModelKind::Gbm);
    s.positive_class = Some("c".into());
    let e = refused(&small(), &s);
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("a, b"), "{e}");
}
