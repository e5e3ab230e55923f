//! The demo table a newcomer starts on has real signal: a default GBM learns its readmission target on
//! a held-out fifth, the insights report's quick model sees it too, and the same GBM on a shuffled
//! target does not (so the check can fail).

use cairn_ml::{Silent, train};
use cairn_types::TrainSpec;
use polars::prelude::*;

use crate::{req, run};

/// The demo project's table (`cairn demo`): the same rows and seed.
fn demo() -> DataFrame {
    cairn_data::demo::readmissions(20_000, 20_260_101).expect("demo table")
}

/// A default GBM's test ROC AUC: holdout 0.2, seed 42.
fn gbm_auc(df: &DataFrame) -> f64 {
    let spec: TrainSpec = serde_json::from_value(serde_json::json!({
        "dataset": "readmissions",
        "target": "readmitted_30d",
        "model": "gbm",
        "validation": {"kind": "holdout", "test_fraction": 0.2},
        "seed": 42,
    }))
    .expect("spec");
    let trained = train(df, &spec, &Silent).expect("train");
    trained.evaluation.metrics["roc_auc"]
}

#[test]
fn a_default_gbm_learns_the_demo_target() {
    let df = demo();
    let auc = gbm_auc(&df);
    assert!(auc >= 0.75, "the demo's target is barely learnable: ROC AUC {auc:.3}");

    let mut shuffled = df.clone();
    let y = df.column("readmitted_30d").expect("target").as_materialized_series().shuffle(Some(7));
    shuffled.with_column(y.into_column()).expect("shuffled target");
    let noise = gbm_auc(&shuffled);
    eprintln!("demo GBM test ROC AUC {auc:.3}; on a shuffled target {noise:.3}");
    assert!(noise < 0.6, "a shuffled target must not be learnable: ROC AUC {noise:.3}");
}

#[test]
fn the_demo_insights_report_shows_signal() {
    let r = run(&demo(), &req("readmitted_30d", None)).expect("report");
    let rate = r.target.positive_rate.expect("binary target");
    assert!((0.1..0.2).contains(&rate), "positive rate {rate}");
    let m = r.quick_model.as_ref().expect("quick model");
    eprintln!(
        "demo insights: positive rate {rate:.3}, quick model {} {:.3}, top features {:?}",
        m.metric,
        m.score,
        m.importances.iter().take(5).map(|i| &i.feature).collect::<Vec<_>>()
    );
    assert!(m.score >= 0.75, "quick model {} {:.3}", m.metric, m.score);
    let top: Vec<&str> = m.importances.iter().take(5).map(|i| i.feature.as_str()).collect();
    assert!(top.contains(&"prior_inpatient_visits"), "{top:?}");
    // Still a realistic table: missing values, a skewed count, identifiers.
    assert!(r.columns.iter().any(|c| c.missing_pct > 5.0));
    assert!(r.columns.iter().any(|c| c.name == "prior_inpatient_visits" && c.skewness.is_some_and(|s| s > 1.0)));
}
