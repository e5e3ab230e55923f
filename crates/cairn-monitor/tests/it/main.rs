//! cairn-monitor over real polars frames: the issue's bad inputs, a baseline's files round-tripped, the six
//! checks, and the quality metrics.

use cairn_monitor::baseline::{Baseline, read_constraints, read_statistics};
use cairn_monitor::violations::{CheckType, check, linf_robust};
use cairn_monitor::{DriftOptions, MonitorError, StatTest, quality};
use polars::prelude::*;

mod lazy;

fn reference() -> DataFrame {
    let n = 2000;
    df![
        "age" => (0..n).map(|i| (i % 70) as i64 + 18).collect::<Vec<_>>(),
        "income" => (0..n).map(|i| 1000.0 + (i * 37 % 1000) as f64).collect::<Vec<_>>(),
        "city" => (0..n).map(|i| ["oslo", "rome", "lima"][i % 3]).collect::<Vec<_>>(),
    ]
    .unwrap()
}

fn kinds(v: &cairn_monitor::Violations, col: &str) -> Vec<CheckType> {
    v.violations.iter().filter(|x| x.feature_name == col).map(|x| x.constraint_check_type).collect()
}

#[test]
fn same_data_has_no_violation_and_no_drift() {
    let r = reference();
    let b = Baseline::from_frame(&r).unwrap();
    assert!(check(&b, &r).unwrap().violations.is_empty());
    let rep = b.drift(&r, &DriftOptions::default()).unwrap();
    assert_eq!(rep.drifted_columns, 0);
    assert_eq!(rep.tested_columns, 3);
    assert!(rep.columns.iter().all(|c| c.score.is_some()));
}

#[test]
fn missing_and_extra_columns_are_named() {
    let b = Baseline::from_frame(&reference()).unwrap();
    let mut cur = reference().drop("city").unwrap();
    cur.with_column(Column::new("zip".into(), vec!["0150"; 2000])).unwrap();
    let v = check(&b, &cur).unwrap();
    assert_eq!(kinds(&v, "city"), vec![CheckType::MissingColumnCheck]);
    assert_eq!(kinds(&v, "zip"), vec![CheckType::ExtraColumnCheck]);
    assert!(v.violations.iter().any(|x| x.description.contains("Column 'city' is missing")));
    let rep = b.drift(&cur, &DriftOptions::default()).unwrap();
    let city = rep.columns.iter().find(|c| c.column == "city").unwrap();
    assert!(city.error.as_deref().unwrap().contains("'city' is missing"));
    let zip = rep.columns.iter().find(|c| c.column == "zip").unwrap();
    assert!(zip.error.as_deref().unwrap().contains("'zip' is not in the reference"));
}

#[test]
fn all_values_missing_is_a_completeness_violation_and_no_drift_score() {
    let b = Baseline::from_frame(&reference()).unwrap();
    let mut cur = reference();
    cur.with_column(Column::new("income".into(), vec![None::<f64>; 2000])).unwrap();
    let v = check(&b, &cur).unwrap();
    let c = v.violations.iter().find(|x| x.feature_name == "income").unwrap();
    assert_eq!(c.constraint_check_type, CheckType::CompletenessCheck);
    assert!(c.description.contains("Expected completeness: 100.0%, Observed: Only 0.0% of data is present"), "{}", c.description);
    let rep = b.drift(&cur, &DriftOptions::default()).unwrap();
    let income = rep.columns.iter().find(|c| c.column == "income").unwrap();
    assert!(income.score.is_none() && income.error.as_deref().unwrap().contains("all 2000 rows missing"));
}

#[test]
fn a_new_category_is_a_domain_violation_and_chi_square_zero() {
    let r = reference();
    let b = Baseline::from_frame(&r).unwrap();
    let cur = df![
        "age" => (0..500).map(|i| (i % 70) as i64 + 18).collect::<Vec<_>>(),
        "income" => (0..500).map(|i| 1000.0 + (i * 37 % 1000) as f64).collect::<Vec<_>>(),
        "city" => (0..500).map(|i| if i % 10 == 0 { "kyiv" } else { ["oslo", "rome", "lima"][i % 3] }).collect::<Vec<_>>(),
    ]
    .unwrap();
    let v = check(&b, &cur).unwrap();
    let c = v.violations.iter().find(|x| x.constraint_check_type == CheckType::CategoricalValuesCheck).unwrap();
    assert_eq!(c.feature_name, "city");
    assert!(c.description.contains("Only 90.0% of values are in the domain") && c.description.contains("'kyiv' (50)"), "{}", c.description);
    // A reference under 1,000 rows: chi-square, and a category the reference never had gives p = 0.
    let small = r.head(Some(900));
    let rep = cairn_monitor::drift::drift(&small, &cur, &DriftOptions::default()).unwrap();
    let city = rep.columns.iter().find(|c| c.column == "city").unwrap();
    assert_eq!((city.test, city.score, city.drifted), (Some(StatTest::ChiSquare), Some(0.0), true));
}

#[test]
fn a_column_whose_type_changed_is_named() {
    let b = Baseline::from_frame(&reference()).unwrap();
    let mut cur = reference();
    let ages: Vec<String> = (0..2000).map(|i| if i % 100 == 0 { "unknown".to_string() } else { (i % 70 + 18).to_string() }).collect();
    cur.with_column(Column::new("age".into(), ages)).unwrap();
    let v = check(&b, &cur).unwrap();
    let t = v.violations.iter().find(|x| x.constraint_check_type == CheckType::DataTypeCheck).unwrap();
    assert_eq!(t.feature_name, "age");
    assert_eq!(
        t.description,
        "Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. Observed: Only 99.0% of data is Integral."
    );
    let rep = b.drift(&cur, &DriftOptions::default()).unwrap();
    let age = rep.columns.iter().find(|c| c.column == "age").unwrap();
    assert!(age.error.as_deref().unwrap().contains("column 'age' changed type"), "{:?}", age.error);
}

#[test]
fn an_empty_window_is_an_error() {
    let b = Baseline::from_frame(&reference()).unwrap();
    let empty = reference().head(Some(0));
    assert!(matches!(check(&b, &empty), Err(MonitorError::EmptyWindow)));
    assert!(matches!(b.drift(&empty, &DriftOptions::default()), Err(MonitorError::EmptyWindow)));
    let msg = b.drift(&empty, &DriftOptions::default()).unwrap_err().to_string();
    assert!(msg.contains("no rows"), "{msg}");
}

#[test]
fn a_baseline_from_a_newer_cairn_is_refused() {
    let b = Baseline::from_frame(&reference()).unwrap();
    let dir = std::env::temp_dir().join(format!("cairn-monitor-it-{}", std::process::id()));
    b.write_dir(&dir).unwrap();
    let back = Baseline::read_dir(&dir).unwrap();
    assert_eq!(back, b, "a baseline read back equals the one written");
    let stats = std::fs::read_to_string(dir.join("statistics.json")).unwrap().replace("\"format_version\": 1", "\"format_version\": 99");
    assert!(matches!(read_statistics(&stats), Err(MonitorError::NewerBaseline { found: 99, supported: 1 })));
    let header =
        std::fs::read_to_string(dir.join("cairn_baseline.json")).unwrap().replace("\"format_version\": 1", "\"format_version\": 7");
    std::fs::write(dir.join("cairn_baseline.json"), header).unwrap();
    let err = Baseline::read_dir(&dir).unwrap_err().to_string();
    assert!(err.contains("newer Cairn (format version 7"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sagemaker_files_round_trip_exactly() {
    let stats = r#"{"version":0,"dataset":{"item_count":4},"features":[{"name":"a","inferred_type":"Fractional","numerical_statistics":{"common":{"num_present":4,"num_missing":0},"mean":2.5,"sum":10.0,"std_dev":1.118033988749895,"min":1.0,"max":4.0,"distribution":{"kll":{"buckets":[{"lower_bound":1.0,"upper_bound":4.0,"count":4.0}],"sketch":{"parameters":{"c":0.64,"k":2048.0},"data":[[1.0,2.0,3.0,4.0]]}}}}},{"name":"b","inferred_type":"String","string_statistics":{"common":{"num_present":3,"num_missing":1},"distinct_count":2.0,"distribution":{"categorical":{"buckets":[{"value":"x","count":2},{"value":"y","count":1}]}}}}]}"#;
    let cons = r#"{"version":0,"features":[{"name":"a","inferred_type":"Fractional","completeness":1.0,"num_constraints":{"is_non_negative":true}},{"name":"b","inferred_type":"String","completeness":0.75,"string_constraints":{"domains":["x","y"]}}],"monitoring_config":{"evaluate_constraints":"Enabled","emit_metrics":"Enabled","datatype_check_threshold":1.0,"domain_content_threshold":1.0,"distribution_constraints":{"perform_comparison":"Enabled","comparison_threshold":0.1,"comparison_method":"Robust","categorical_comparison_threshold":0.1,"categorical_drift_method":"LInfinity"}}}"#;
    let as_value = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
    assert_eq!(as_value(&serde_json::to_string(&read_statistics(stats).unwrap()).unwrap()), as_value(stats));
    let c = read_constraints(cons).unwrap();
    assert_eq!(as_value(&serde_json::to_string(&c).unwrap()), as_value(cons));
    // The suggested config is SageMaker's defaults.
    assert_eq!(c.monitoring_config, Baseline::from_frame(&reference()).unwrap().constraints.monitoring_config);
}

#[test]
fn baseline_drift_uses_linf_robust() {
    let r = reference();
    let b = Baseline::from_frame(&r).unwrap();
    // Shift income by half its range: linf_simple 0.5, robust 0.5 - 1.8*sqrt(4000/4e6).
    let mut cur = r.clone();
    cur.with_column(Column::new("income".into(), (0..2000).map(|i| 1500.0 + (i * 37 % 1000) as f64).collect::<Vec<_>>())).unwrap();
    let v = check(&b, &cur).unwrap();
    let d = v.violations.iter().find(|x| x.constraint_check_type == CheckType::BaselineDriftCheck).unwrap();
    let want = linf_robust(0.5, 2000, 2000);
    assert!((want - (0.5 - 1.8 * (4000.0f64 / 4e6).sqrt())).abs() < 1e-15);
    assert_eq!(d.description, format!("Baseline drift distance: {want} exceeds threshold: 0.1"));
}

#[test]
fn quality_metrics_and_deviation() {
    let labels: Vec<bool> = (0..300).map(|i| i % 3 == 0).collect();
    let preds: Vec<bool> = (0..300).map(|i| i % 3 == 0 || i % 10 == 1).collect();
    let probs: Vec<f64> = (0..300)
        .map(|i| {
            if i % 3 == 0 {
                0.9
            } else if i % 10 == 1 {
                0.6
            } else {
                0.1
            }
        })
        .collect();
    let (m, cm) = quality::binary(&preds, &labels, Some(&probs), 7).unwrap();
    assert_eq!(m["recall"].value, 1.0);
    assert_eq!(m["recall_best_constant_classifier"].value, 1.0);
    assert!((m["accuracy_best_constant_classifier"].value - 200.0 / 300.0).abs() < 1e-12);
    assert_eq!(cm["0"]["1"], 20);
    assert_eq!(m["auc"].value, 1.0);
    assert!(m["precision"].standard_deviation.is_some());
    let (again, _) = quality::binary(&preds, &labels, Some(&probs), 7).unwrap();
    assert_eq!(m, again, "seeded resamples are deterministic");
    let y: Vec<f64> = (0..50).map(|i| i as f64).collect();
    let p: Vec<f64> = y.iter().map(|v| v + 1.0).collect();
    let r = quality::regression(&p, &y, 1).unwrap();
    assert_eq!((r["mae"].value, r["mse"].value, r["rmse"].value), (1.0, 1.0, 1.0));
    assert!(r["mae"].standard_deviation.is_none(), "under 200 rows: no deviation");
    assert!((r["r2_best_constant_regressor"].value).abs() < 1e-12);
    let err = quality::regression(&p[..10], &y, 1).unwrap_err().to_string();
    assert!(err.contains("10 predictions but 50 labels"), "{err}");
    let labels: Vec<String> = (0..30).map(|i| ["a", "b", "c"][i % 3].to_string()).collect();
    let (mc, _) = quality::multiclass(&labels, &labels, 0).unwrap();
    assert_eq!((mc["accuracy"].value, mc["weighted_f1"].value), (1.0, 1.0));
}
