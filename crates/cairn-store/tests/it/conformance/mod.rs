//! The conformance suite: checks written over `&dyn TrackingStore`, so any backend can run them. `ALL`
//! lists them for another backend's tests; the `sqlite` module below runs each as its own #[test]
//! against a fresh project.

mod experiments;
mod logging;
mod runs;
mod search;

use std::fmt::Debug;

use cairn_store::TrackingError;
use cairn_store::tracking::Result;
use cairn_types::{ErrorCode, Metric, Param, Tag};

macro_rules! suite {
    ($($module:ident :: $name:ident),* $(,)?) => {
        /// Every check, by name.
        #[allow(dead_code)]
        pub const ALL: &[(&str, fn(&dyn cairn_store::TrackingStore))] = &[$((stringify!($name), $module::$name)),*];

        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let (_dir, project) = crate::fresh_project();
                    super::$module::$name(&project);
                }
            )*
        }
    };
}

suite! {
    experiments::default_experiment_exists,
    experiments::create_experiment_assigns_ids_and_tags,
    experiments::experiment_names_are_unique_and_checked,
    experiments::missing_experiments,
    experiments::rename_experiment,
    experiments::delete_and_restore_cascade_to_runs,
    experiments::experiment_tags,
    experiments::search_experiments_grammar_and_order,
    experiments::search_experiments_pages_and_views,
    runs::create_run_defaults,
    runs::create_run_names,
    runs::create_run_needs_an_active_experiment,
    runs::get_missing_run,
    runs::update_run,
    runs::delete_and_restore_run,
    logging::log_batch_round_trip,
    logging::default_methods_funnel_into_log_batch,
    logging::params_are_immutable,
    logging::batch_limits_and_keys,
    logging::long_values_are_cut,
    logging::nan_and_inf_round_trip,
    logging::latest_metric_rules,
    logging::metric_history_order_and_pages,
    logging::logging_needs_an_active_run,
    logging::tags_and_run_name,
    logging::dataset_inputs,
    logging::metric_series_downsampling,
    search::filter_metrics,
    search::filter_params_and_tags,
    search::like_is_case_sensitive_ilike_is_not,
    search::filter_attributes,
    search::filter_datasets,
    search::order_by_with_nan_and_missing_last,
    search::default_order_and_ties,
    search::pages_through_everything,
    search::view_types,
    search::bad_filters_say_where,
    search::bad_requests,
}

/// Asserts that `r` failed with `code` (and MLflow's `mlflow`), and returns the error.
pub fn expect_err<T: Debug>(r: Result<T>, code: ErrorCode, mlflow: &str) -> TrackingError {
    match r {
        Ok(v) => panic!("expected {code:?}, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            assert_eq!(e.mlflow_error_code(), mlflow, "{e}");
            e
        }
    }
}

pub fn m(key: &str, value: f64, timestamp: i64, step: i64) -> Metric {
    Metric { key: key.into(), value, timestamp, step }
}

pub fn p(key: &str, value: &str) -> Param {
    Param { key: key.into(), value: value.into() }
}

pub fn t(key: &str, value: &str) -> Tag {
    Tag { key: key.into(), value: value.into() }
}

/// The value of tag `key`, if set.
pub fn tag<'a>(tags: &'a [Tag], key: &str) -> Option<&'a str> {
    tags.iter().find(|t| t.key == key).map(|t| t.value.as_str())
}
