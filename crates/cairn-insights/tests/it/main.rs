//! The insights report on real data (diabetic_data.csv) and on small frames built to have one problem
//! each: a leaking feature, a constant column, collinear columns, and targets that cannot be analysed.

mod demo;
mod edge;
mod synthetic;
mod text_numbers;

use std::path::PathBuf;
use std::sync::OnceLock;

use cairn_data::Observer;
use cairn_insights::{DatasetRef, InsightsError};
use cairn_types::{ColumnFlag, ImportOptions, InsightsReport, InsightsRequest, Task};
use polars::prelude::*;

pub struct Quiet;
impl Observer for Quiet {}

pub fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(name)
}

pub fn diabetic() -> &'static DataFrame {
    static DIABETIC: OnceLock<DataFrame> = OnceLock::new();
    DIABETIC.get_or_init(|| {
        cairn_data::read_file(&shared("diabetic_data.csv"), &ImportOptions::default(), &Quiet).expect("read diabetic_data.csv").frame
    })
}

pub fn req(target: &str, equals: Option<&str>) -> InsightsRequest {
    InsightsRequest { target: target.into(), equals: equals.map(String::from), task: None }
}

pub fn run(df: &DataFrame, r: &InsightsRequest) -> Result<InsightsReport, InsightsError> {
    let profile = cairn_data::profile::profile(df, "test", "v1", &Quiet).expect("profile");
    cairn_insights::report(df, &profile, DatasetRef { id: "test", name: "test", version: "v1" }, r, &Quiet)
}

pub fn flags(r: &InsightsReport, column: &str) -> Vec<ColumnFlag> {
    r.columns.iter().find(|c| c.name == column).map(|c| c.flags.iter().map(|f| f.flag).collect()).unwrap_or_default()
}

pub fn reason(r: &InsightsReport, column: &str, flag: ColumnFlag) -> String {
    r.columns
        .iter()
        .find(|c| c.name == column)
        .and_then(|c| c.flags.iter().find(|f| f.flag == flag))
        .map(|f| f.reason.clone())
        .unwrap_or_default()
}

/// The check path: the full diabetic data with `readmitted = <30`.
#[test]
fn diabetic_readmitted_within_30_days() {
    let r = run(diabetic(), &req("readmitted", Some("<30"))).expect("report");
    assert_eq!(r.rows, 101_766);
    let t = &r.target;
    assert_eq!(t.name, "readmitted = <30");
    assert_eq!(t.task, Task::Classification);
    assert_eq!(t.positive_class.as_deref(), Some("true"));
    let rate = t.positive_rate.expect("positive rate");
    // 11,357 of 101,766 encounters were readmitted within 30 days.
    assert!((rate - 11_357.0 / 101_766.0).abs() < 1e-9, "rate {rate}");
    assert!(t.imbalanced);

    // Identifiers: encounter_id is unique per row; patient_nbr is a key shared by a patient's encounters.
    assert!(flags(&r, "encounter_id").contains(&ColumnFlag::Identifier));
    assert!(flags(&r, "patient_nbr").contains(&ColumnFlag::Identifier));
    assert!(reason(&r, "encounter_id", ColumnFlag::Identifier).contains("101,766 distinct values in 101,766 rows"));
    assert!(
        reason(&r, "patient_nbr", ColumnFlag::Identifier).contains("rows per value"),
        "{}",
        reason(&r, "patient_nbr", ColumnFlag::Identifier)
    );
    // Code columns named *_id have few values: categories, not identifiers.
    assert!(!flags(&r, "admission_type_id").contains(&ColumnFlag::Identifier));
    let ids: Vec<&str> =
        r.columns.iter().filter(|c| c.flags.iter().any(|f| f.flag == ColumnFlag::Identifier)).map(|c| c.name.as_str()).collect();
    assert_eq!(ids, ["encounter_id", "patient_nbr"]);

    assert!(flags(&r, "weight").contains(&ColumnFlag::MostlyMissing));
    assert!(flags(&r, "examide").contains(&ColumnFlag::Constant));
    assert!(flags(&r, "citoglipton").contains(&ColumnFlag::Constant));
    assert!(flags(&r, "acetohexamide").contains(&ColumnFlag::NearConstant));
    assert!(flags(&r, "diag_1").contains(&ColumnFlag::HighCardinality));
    assert!(flags(&r, "number_emergency").contains(&ColumnFlag::Skewed));
    assert!(flags(&r, "readmitted").contains(&ColumnFlag::TargetSource));

    // The source of the target is not a feature: no leakage score, not in the quick model.
    assert!(r.leakage.iter().all(|l| l.feature != "readmitted"));
    assert!(r.leakage.iter().all(|l| !l.flagged), "nothing in this data predicts readmission almost perfectly");
    let enc = r.leakage.iter().find(|l| l.feature == "encounter_id").expect("scored");
    assert!((enc.score - 0.5).abs() < 1e-9, "a key unique per row carries nothing to held-out rows: {}", enc.score);
    let top = &r.leakage[0];
    assert_eq!(top.metric, "roc_auc");
    assert!(top.score > 0.55 && top.score < 0.8, "{top:?}");

    assert_eq!(r.duplicates.rows, 0);
    assert_eq!(r.duplicates.ignored, ["encounter_id", "patient_nbr"]);

    let c = &r.correlations;
    assert!(c.columns.contains(&"num_medications".to_string()));
    assert!(!c.columns.contains(&"encounter_id".to_string()));
    let p = c.columns.len();
    assert_eq!(c.matrix.len(), p * p);
    let pair = &c.top_pairs[0];
    assert!(pair.r.abs() > 0.3 && pair.r.abs() < 0.9, "{pair:?}");
    assert!(c.vif.iter().all(|v| v.vif.is_some_and(|x| (1.0..10.0).contains(&x))), "{:?}", c.vif);

    let m = r.quick_model.as_ref().expect("quick model");
    assert_eq!(m.metric, "roc_auc");
    assert!(m.score > 0.6 && m.score < 0.8, "score {}", m.score);
    for left in ["encounter_id", "patient_nbr", "readmitted", "examide"] {
        assert!(!m.features.iter().any(|f| f == left), "{left} must not be a feature");
        assert!(m.left_out.iter().any(|l| l.column == left));
    }
    assert!(!m.importances.is_empty());

    let html = cairn_insights::render_html(&r);
    assert!(html.contains("encounter_id") && html.contains("patient_nbr") && html.contains("11.2%"));
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"), "self-contained, no network");
    let json = serde_json::to_string(&r).expect("json");
    let back: InsightsReport = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back.target.positive_rate, r.target.positive_rate);
}

/// The raw three-class target, on a slice of the data (debug builds are slow).
#[test]
fn diabetic_multiclass_target() {
    let df = diabetic().head(Some(8000));
    let r = run(&df, &req("readmitted", None)).expect("report");
    assert_eq!(r.target.task, Task::Classification);
    let names: Vec<&str> = r.target.classes.iter().map(|c| c.value.as_str()).collect();
    assert_eq!(names.len(), 3);
    for v in ["NO", ">30", "<30"] {
        assert!(names.contains(&v), "{names:?}");
    }
    assert_eq!(r.target.classes.iter().map(|c| c.count).sum::<u64>(), 8000);
    assert!(r.target.positive_rate.is_none());
    assert!(flags(&r, "readmitted").contains(&ColumnFlag::TargetSource));
    assert!(r.leakage.iter().all(|l| l.metric == "roc_auc" && l.score < 0.95));
    assert!(r.quick_model.is_some(), "{:?}", r.quick_model_error);
}

/// A numeric target gets regression checks: R² scores, a histogram, no classes.
#[test]
fn diabetic_numeric_target() {
    let df = diabetic().head(Some(5000));
    let r = run(&df, &req("num_medications", None)).expect("report");
    assert_eq!(r.target.task, Task::Regression);
    assert!(r.target.classes.is_empty() && r.target.histogram.is_some());
    assert!(r.leakage.iter().all(|l| l.metric == "r2"));
    assert!(r.correlations.columns.iter().all(|c| c != "num_medications"), "the target is not its own feature");
    assert_eq!(r.quick_model.as_ref().map(|m| m.metric.as_str()), Some("r2"));
}
