//! Every model trains on adult (binary) and, when it can, on a regression target; multiclass on
//! diabetic; k-fold; per-step reports; determinism; cancellation.

use cairn_ml::{MlError, Silent, train};
use cairn_types::{ErrorCode, ModelKind, Task, Validation};

use crate::{DIABETIC_FEATURES, Recorder, adult, diabetic, spec, with};

const CLASSIFICATION_KEYS: &[&str] = &["accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss"];

fn binary(model: ModelKind, rows: usize, params: &[(&str, &str)], min_auc: f64) {
    let frame = adult(rows);
    let t = train(&frame, &with(spec("class", model), params), &Silent).unwrap();
    let e = &t.evaluation;
    assert_eq!(e.task, Task::Classification);
    for key in CLASSIFICATION_KEYS {
        assert!(e.metrics.contains_key(*key), "{model:?} lacks {key}: {:?}", e.metrics);
    }
    let auc = e.metrics["roc_auc"];
    assert!(auc >= min_auc, "{model:?}: AUC {auc}");
    assert_eq!(e.classes, ["<=50K", ">50K"]);
    assert_eq!(e.positive_class.as_deref(), Some(">50K"), "the minority class");
    let confusion = e.confusion.as_ref().unwrap();
    assert_eq!(confusion.matrix.iter().flatten().sum::<u64>(), e.test_rows);
    assert_eq!(e.train_rows + e.test_rows, rows as u64);
    let roc = e.roc.as_ref().unwrap();
    assert!(roc.x.len() <= 200 && roc.x.len() == roc.y.len() && roc.x.len() == roc.thresholds.len());
    assert_eq!((roc.x[0], roc.y[0]), (0.0, 0.0));
    assert_eq!((*roc.x.last().unwrap(), *roc.y.last().unwrap()), (1.0, 1.0));
    assert!(e.pr.as_ref().unwrap().x.len() <= 200);
    // Importances come back per source column (one-hot columns summed), all 14 features.
    assert_eq!(e.importances.len(), 14, "{:?}", e.importances);
    let expected = match model {
        ModelKind::Svm | ModelKind::Knn | ModelKind::GaussianNb => "permutation",
        _ => "model",
    };
    assert_eq!(e.importance_kind, expected);
    assert!(e.importances.iter().all(|i| i.importance.is_finite()));
    assert!(t.params.contains_key("seed") && t.params["validation"] == "holdout");
    let predicted = t.model.predict(&frame.head(Some(5))).unwrap();
    assert_eq!(predicted.get_column_names(), ["prediction", "proba_<=50K", "proba_>50K"]);
}

fn regression(model: ModelKind, rows: usize, params: &[(&str, &str)], min_r2: f64) {
    let frame = adult(rows);
    let t = train(&frame, &with(spec("hours-per-week", model), params), &Silent).unwrap();
    let e = &t.evaluation;
    assert_eq!(e.task, Task::Regression);
    for key in ["rmse", "mae", "r2", "mape"] {
        assert!(e.metrics[key].is_finite(), "{model:?} {key}: {:?}", e.metrics);
    }
    assert!(e.metrics["r2"] >= min_r2, "{model:?}: {:?}", e.metrics);
    let residuals = e.residuals.as_ref().unwrap();
    assert_eq!(residuals.x.len() as u64, e.test_rows.min(2000));
    assert!(e.confusion.is_none() && e.roc.is_none());
    let predicted = t.model.predict(&frame.head(Some(3))).unwrap();
    assert_eq!(predicted.get_column_names(), ["prediction"]);
}

#[test]
fn gbm() {
    binary(ModelKind::Gbm, 4000, &[], 0.88);
    regression(ModelKind::Gbm, 3000, &[("iterations", "40")], 0.1);
}

#[test]
fn logistic() {
    binary(ModelKind::Logistic, 2000, &[], 0.85);
}

#[test]
fn decision_tree() {
    binary(ModelKind::DecisionTree, 3000, &[("max_depth", "6"), ("min_samples_leaf", "5")], 0.8);
}

#[test]
fn random_forest() {
    binary(ModelKind::RandomForest, 2000, &[("trees", "12"), ("max_depth", "7")], 0.85);
}

#[test]
fn svm() {
    binary(ModelKind::Svm, 800, &[("max_rows", "300")], 0.8);
    regression(ModelKind::Svm, 800, &[("max_rows", "500")], 0.02);
    regression(ModelKind::Svm, 800, &[("max_rows", "500"), ("kernel", "linear")], 0.02);
}

#[test]
fn gaussian_nb() {
    binary(ModelKind::GaussianNb, 3000, &[], 0.75);
}

#[test]
fn knn() {
    binary(ModelKind::Knn, 500, &[("k", "15")], 0.75);
    regression(ModelKind::Knn, 500, &[("k", "15"), ("index", "ball_tree")], 0.0);
}

#[test]
fn linear_and_elastic_net() {
    regression(ModelKind::Linear, 3000, &[], 0.1);
    regression(ModelKind::ElasticNet, 3000, &[], 0.1);
}

#[test]
fn models_refuse_tasks_they_cannot_do() {
    let frame = adult(300);
    for model in [ModelKind::Logistic, ModelKind::GaussianNb] {
        let e = train(&frame, &spec("hours-per-week", model), &Silent).unwrap_err();
        assert_eq!(e.code(), ErrorCode::CannotTrain, "{model:?}: {e}");
        assert!(e.to_string().contains("cannot do regression"), "{e}");
        assert!(e.hint().unwrap().contains("random_forest"), "{:?}", e.hint());
    }
    // The catalogue says why a model does one task only.
    for m in cairn_ml::catalog() {
        if m.tasks.len() == 1 {
            assert!(m.description.contains("only:"), "{:?} does one task and should say why: {}", m.kind, m.description);
        }
    }
    for model in [ModelKind::Linear, ModelKind::ElasticNet] {
        let e = train(&frame, &spec("class", model), &Silent).unwrap_err();
        assert!(e.to_string().contains("cannot do classification"), "{e}");
    }
}

/// Every family that classifies also regresses (but the two whose catalogue says why not), and beats
/// predicting the training mean on held-out rows of a target the features explain.
#[test]
fn every_family_that_classifies_also_regresses() {
    let frame = adult(2000);
    let regressors: Vec<ModelKind> =
        cairn_ml::catalog().into_iter().filter(|m| m.tasks.contains(&cairn_types::Task::Regression)).map(|m| m.kind).collect();
    for kind in [ModelKind::DecisionTree, ModelKind::RandomForest, ModelKind::Knn, ModelKind::Svm, ModelKind::Gbm] {
        assert!(regressors.contains(&kind), "{kind:?} classifies but does not regress");
    }
    for kind in regressors {
        let mut s = spec("education-num", kind);
        s.task = Some(cairn_types::Task::Regression);
        s.features = Some(vec!["education".into(), "age".into(), "hours-per-week".into(), "occupation".into()]);
        let t = train(&frame, &s, &Silent).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let r2 = t.evaluation.metrics["r2"];
        // education fixes education-num, so a model that learns anything explains much of it (the
        // elastic net's default penalty shrinks it to about 0.45).
        assert!(r2 > 0.3, "{kind:?}: r2 {r2}");
        let p = t.model.predict(&frame.head(Some(3))).unwrap();
        assert!(p.column("prediction").unwrap().f64().unwrap().iter().all(|v| v.is_some_and(f64::is_finite)), "{kind:?}");
    }
}

#[test]
fn multiclass_on_diabetic() {
    let frame = diabetic(3000);
    for (model, params) in [(ModelKind::Logistic, vec![]), (ModelKind::Gbm, vec![("iterations", "30"), ("early_stopping_rounds", "0")])] {
        let mut s = with(spec("readmitted", model), &params);
        s.features = Some(DIABETIC_FEATURES.iter().map(|f| f.to_string()).collect());
        let rec = Recorder::default();
        let t = train(&frame, &s, &rec).unwrap();
        let e = &t.evaluation;
        assert_eq!(e.classes, ["<30", ">30", "NO"]);
        assert_eq!(e.confusion.as_ref().unwrap().matrix.len(), 3);
        assert!(e.metrics["roc_auc"] > 0.55, "{model:?}: {:?}", e.metrics);
        assert!(e.roc.is_some(), "one-vs-rest curve of the positive (minority) class");
        assert_eq!(e.positive_class.as_deref(), Some("<30"));
        let p = t.model.predict(&frame.head(Some(4))).unwrap();
        assert_eq!(p.width(), 4);
        if model == ModelKind::Gbm {
            assert_eq!(rec.series("test_log_loss").len(), 30);
        }
    }
}

#[test]
fn gbm_reports_loss_per_round() {
    let rec = Recorder::default();
    train(&adult(2000), &with(spec("class", ModelKind::Gbm), &[("iterations", "25"), ("early_stopping_rounds", "0")]), &rec).unwrap();
    let trainl = rec.series("train_log_loss");
    let valid = rec.series("test_log_loss");
    assert!(rec.series("valid_log_loss").is_empty(), "no rows are watched without early stopping");
    assert_eq!(trainl.iter().map(|s| s.0).collect::<Vec<_>>(), (1..=25).collect::<Vec<_>>());
    assert_eq!(valid.len(), 25);
    assert!(trainl[24].1 < trainl[0].1 && valid[24].1 < valid[0].1, "{trainl:?}");
}

#[test]
fn kfold_reports_each_fold_and_fits_the_final_model_on_all_rows() {
    let frame = adult(1500);
    let mut s = with(spec("class", ModelKind::Gbm), &[("iterations", "20")]);
    s.validation = Validation::KFold { folds: 3 };
    let rec = Recorder::default();
    let t = train(&frame, &s, &rec).unwrap();
    let folds = rec.series("fold_roc_auc");
    assert_eq!(folds.iter().map(|f| f.0).collect::<Vec<_>>(), [1, 2, 3]);
    let mean = folds.iter().map(|f| f.1).sum::<f64>() / 3.0;
    assert!((t.evaluation.metrics["roc_auc"] - mean).abs() < 1e-12);
    assert_eq!(t.evaluation.train_rows, 1500);
    assert_eq!(t.evaluation.test_rows, 1500, "every row scored out of fold");
    assert_eq!(t.params["folds"], "3");
    assert!(rec.logs.lock().unwrap().iter().any(|l| l.contains("fold 2/3")));
    // Per-round series come from the final fit only (train rows), not interleaved folds.
    assert!((1..=20).contains(&rec.series("train_log_loss").len()));
    assert!(rec.series("test_log_loss").is_empty());
}

#[test]
fn same_seed_same_results() {
    let frame = adult(1000);
    for (model, params) in [
        (ModelKind::Gbm, vec![("iterations", "20"), ("subsample", "0.8"), ("colsample_bytree", "0.8")]),
        (ModelKind::RandomForest, vec![("trees", "6"), ("max_depth", "6")]),
        (ModelKind::Logistic, vec![]),
        (ModelKind::Knn, vec![]),
    ] {
        let frame = if model == ModelKind::Knn { frame.head(Some(400)) } else { frame.clone() };
        let s = with(spec("class", model), &params);
        let (a, b) = (train(&frame, &s, &Silent).unwrap(), train(&frame, &s, &Silent).unwrap());
        assert_eq!(a.evaluation.metrics, b.evaluation.metrics, "{model:?}");
        assert_eq!(a.evaluation.importances, b.evaluation.importances, "{model:?}");
        assert!(a.model.predict(&frame).unwrap().equals_missing(&b.model.predict(&frame).unwrap()), "{model:?}");
        let mut other = s.clone();
        other.seed = 8;
        let c = train(&frame, &other, &Silent).unwrap();
        assert_ne!(a.evaluation.metrics, c.evaluation.metrics, "{model:?}: another seed, another split");
    }
}

#[test]
fn cancelling_stops_the_training() {
    let rec = Recorder::default();
    rec.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    let e = train(&adult(500), &spec("class", ModelKind::Gbm), &rec).unwrap_err();
    assert!(matches!(e, MlError::Cancelled), "{e}");
    assert_eq!(e.code(), ErrorCode::Cancelled);
}
