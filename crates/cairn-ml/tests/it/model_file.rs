//! Model files: save, load, predict the same; raw rows with gaps and unseen categories; damaged and
//! newer files refused.

use cairn_ml::{MODEL_FORMAT, MlError, Model, Silent, train};
use cairn_types::{ErrorCode, ModelKind};
use polars::prelude::*;

use crate::{adult, spec, with};

#[test]
fn saved_models_predict_the_same_after_loading() {
    let frame = adult(600);
    let dir = tempfile::tempdir().unwrap();
    for (model, target, params) in [
        (ModelKind::Gbm, "class", vec![("iterations", "20")]),
        (ModelKind::Logistic, "class", vec![]),
        (ModelKind::RandomForest, "class", vec![("trees", "5"), ("max_depth", "5")]),
        (ModelKind::Knn, "hours-per-week", vec![("k", "3")]),
        (ModelKind::ElasticNet, "hours-per-week", vec![]),
        (ModelKind::GaussianNb, "class", vec![]),
        (ModelKind::Svm, "class", vec![("max_rows", "200")]),
    ] {
        let t = train(&frame, &with(spec(target, model), &params), &Silent).unwrap();
        let path = dir.path().join(format!("{}.json", model.as_str()));
        t.model.save(&path).unwrap();
        let loaded = Model::load(&path).unwrap();
        assert_eq!((loaded.kind(), loaded.task()), (t.model.kind(), t.model.task()));
        assert_eq!(loaded.features(), t.model.features());
        assert_eq!(loaded.classes(), t.model.classes());
        let before = t.model.predict(&frame).unwrap();
        let after = loaded.predict(&frame).unwrap();
        assert!(before.equals_missing(&after), "{model:?}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 7, "no temporary files left: {left:?}");
}

#[test]
fn predicts_raw_rows_with_missing_values_and_unseen_categories() {
    let frame = adult(600);
    for model in [ModelKind::Gbm, ModelKind::Logistic, ModelKind::DecisionTree, ModelKind::Knn] {
        let t = train(&frame, &spec("class", model), &Silent).unwrap();
        let mut raw = frame.head(Some(3)).drop("class").unwrap();
        let workclass = Column::new("workclass".into(), [Some("Martian"), None, Some("Private")]);
        let age = Column::new("age".into(), [None, Some(40i64), Some(50)]);
        raw.with_column(workclass).unwrap();
        raw.with_column(age).unwrap();
        let p = t.model.predict(&raw).unwrap();
        assert_eq!(p.height(), 3);
        let total = p.column("proba_<=50K").unwrap().f64().unwrap() + p.column("proba_>50K").unwrap().f64().unwrap();
        for v in total.iter() {
            assert!((v.unwrap() - 1.0).abs() < 1e-9, "{model:?}: {v:?}");
        }
        // Integers given as text (a CSV read as strings) are parsed.
        let mut text = frame.head(Some(2));
        text.with_column(Column::new("age".into(), ["39", "50"])).unwrap();
        assert_eq!(t.model.predict(&text).unwrap().height(), 2);
    }
}

#[test]
fn predict_names_a_missing_or_unreadable_column() {
    let frame = adult(800);
    let t = train(&frame, &with(spec("class", ModelKind::Gbm), &[("iterations", "5")]), &Silent).unwrap();
    let e = t.model.predict(&frame.drop("education").unwrap()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ColumnNotFound);
    assert!(e.to_string().contains("'education'"), "{e}");
    let mut bad = frame.head(Some(2));
    bad.with_column(Column::new("age".into(), ["old", "young"])).unwrap();
    let e = t.model.predict(&bad).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("'age'") && e.to_string().contains("'old'"), "{e}");
    let mut inf = frame.head(Some(2));
    inf.with_column(Column::new("fnlwgt".into(), [f64::INFINITY, 1.0])).unwrap();
    let e = t.model.predict(&inf).unwrap_err();
    assert!(e.to_string().contains("'fnlwgt' holds 1 infinite"), "{e}");
}

#[test]
fn damaged_and_newer_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let t = train(&adult(600), &with(spec("class", ModelKind::Gbm), &[("iterations", "5")]), &Silent).unwrap();
    let path = dir.path().join("m.json");
    t.model.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();

    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let e = Model::load(&path).unwrap_err();
    assert!(matches!(e, MlError::Damaged { .. }), "{e}");
    assert_eq!(e.code(), ErrorCode::ProjectCorrupt);

    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    assert!(matches!(Model::load(&path).unwrap_err(), MlError::Damaged { .. }));

    // A single model is written in format 1, which every reader knows; an ensemble in MODEL_FORMAT.
    assert!(MODEL_FORMAT >= 2);
    let newer = text.replacen("\"format\":1", "\"format\":99", 1);
    assert_ne!(newer, text);
    std::fs::write(&path, newer).unwrap();
    let e = Model::load(&path).unwrap_err();
    assert!(matches!(e, MlError::TooNew { found: 99, .. }), "{e}");
    assert_eq!(e.code(), ErrorCode::SchemaTooNew);
    assert!(e.hint().is_some());

    let e = Model::load(&dir.path().join("absent.json")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io);
}

/// Under 1,024 rows a gbm walks its trees row by row on the calling thread (an endpoint's requests),
/// above that through forust's own parallel `predict`: the same bits either way, for two classes, more
/// classes (one booster each) and a number; and typed values predict as the frame does.
#[test]
fn small_and_large_batches_predict_the_same_bits() {
    let frame = adult(3000);
    for (target, params) in [("class", vec![("iterations", "40")]), ("race", vec![("iterations", "10")]), ("hours-per-week", vec![])] {
        let t = train(&frame, &with(spec(target, ModelKind::Gbm), &params), &Silent).unwrap();
        let whole = t.model.predict_frame(&frame).unwrap();
        let mut pieces = Vec::new();
        for start in (0..frame.height()).step_by(7) {
            pieces.push(t.model.predict_frame(&frame.slice(start as i64, 7)).unwrap());
        }
        let bits = |p: &cairn_ml::Predicted| -> (Vec<String>, Vec<u64>) {
            match p {
                cairn_ml::Predicted::Values(v) => (Vec::new(), v.iter().map(|x| x.to_bits()).collect()),
                cairn_ml::Predicted::Classes { labels, proba, .. } => (labels.clone(), proba.iter().map(|x| x.to_bits()).collect()),
            }
        };
        let (labels, values) = bits(&whole);
        let (mut piece_labels, mut piece_values) = (Vec::new(), Vec::new());
        for p in &pieces {
            let (l, v) = bits(p);
            piece_labels.extend(l);
            piece_values.extend(v);
        }
        assert_eq!(labels, piece_labels, "{target}: labels differ");
        assert!(values == piece_values, "{target}: predictions differ between one batch of 3,000 rows and pieces of 7");
        assert!(values.len() >= frame.height(), "{target}");
    }
}
