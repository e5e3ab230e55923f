//! Targets that cannot be analysed are refused with an error naming the column and what to do.

use cairn_data::Observer;
use cairn_insights::InsightsError;
use cairn_types::{ErrorCode, InsightsRequest, Task};
use polars::prelude::*;

use crate::{diabetic, req, run};

fn small() -> DataFrame {
    df!(
        "readmitted" => ["NO", "<30", ">30", "NO", "NO", "<30", "NO", ">30", "NO", "NO", "NO", "<30"],
        "age" => [30i64, 40, 50, 60, 70, 80, 30, 40, 50, 60, 70, 80],
        "empty" => [None::<f64>; 12],
        "same" => ["a"; 12],
    )
    .expect("frame")
}

#[test]
fn a_missing_target_names_close_columns() {
    let e = run(&small(), &req("readmited", None)).expect_err("no such column");
    let api = cairn_types::ApiError::from(e);
    assert_eq!(api.code, ErrorCode::ColumnNotFound);
    assert!(api.message.contains("'readmited' does not exist"), "{}", api.message);
    assert!(api.message.contains("did you mean 'readmitted'"), "{}", api.message);
    assert!(api.hint.is_some());
}

#[test]
fn a_missing_value_for_column_equals_lists_the_values() {
    let e = run(diabetic(), &req("readmitted", Some("<3O"))).expect_err("no such value");
    let msg = e.to_string();
    assert!(matches!(e, InsightsError::ValueNotFound { .. }));
    assert!(msg.contains("'<3O' is not a value of 'readmitted'") && msg.contains("'<30'"), "{msg}");
}

#[test]
fn an_all_missing_target_is_refused() {
    let e = run(&small(), &req("empty", None)).expect_err("empty target");
    assert!(matches!(&e, InsightsError::TargetEmpty { name } if name == "empty"), "{e}");
    assert_eq!(cairn_types::ApiError::from(e).code, ErrorCode::InvalidInput);
}

#[test]
fn a_one_class_target_is_refused() {
    let e = run(&small(), &req("same", None)).expect_err("one class");
    assert!(e.to_string().contains("one class only ('a')"), "{e}");
    // Every row equal to the value: the derived target has one class too.
    let e = run(&small(), &req("same", Some("a"))).expect_err("one class");
    assert!(matches!(e, InsightsError::OneClass { .. }), "{e}");
}

#[test]
fn regression_on_text_is_refused() {
    let r = InsightsRequest { target: "readmitted".into(), equals: None, task: Some(Task::Regression) };
    let e = run(&small(), &r).expect_err("text target");
    assert!(e.to_string().contains("'readmitted'"), "{e}");
}

struct CancelAt(std::sync::atomic::AtomicU64);
impl Observer for CancelAt {
    fn progress(&self, _: &str, _: u64, _: u64, _: &str) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed) >= 3
    }
}

#[test]
fn cancelling_stops_the_report() {
    let df = diabetic().head(Some(3000));
    let profile = cairn_data::profile::profile(&df, "t", "v", &crate::Quiet).expect("profile");
    let obs = CancelAt(Default::default());
    let ds = cairn_insights::DatasetRef { id: "t", name: "t", version: "v" };
    let e = cairn_insights::report(&df, &profile, ds, &req("readmitted", Some("<30")), &obs).expect_err("cancelled");
    assert!(matches!(e, InsightsError::Cancelled), "{e}");
}

#[test]
fn a_frame_whose_features_are_all_unusable_still_reports() {
    let df = df!("y" => ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b"], "same" => [1i64; 10]).expect("frame");
    let r = run(&df, &req("y", None)).expect("report");
    assert!(r.quick_model.is_none());
    assert!(r.quick_model_error.as_deref().is_some_and(|e| e.contains("no column")), "{:?}", r.quick_model_error);
}
