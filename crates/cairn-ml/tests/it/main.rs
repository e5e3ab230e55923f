//! cairn-ml against the shared data sets (sampled: debug builds of polars and linfa are slow) and
//! against every kind of bad input.

mod bad_input;
mod explain;
mod metrics;
mod model_file;
mod models;
mod partial;
mod rows;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use cairn_data::Observer;
use cairn_ml::Reporter;
use cairn_types::{ImportOptions, ModelKind, TrainSpec, Validation};
use polars::prelude::*;

pub fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(name)
}

struct Quiet;
impl Observer for Quiet {}

fn load(name: &str) -> DataFrame {
    cairn_data::read_file(&shared(name), &ImportOptions::default(), &Quiet).expect("read data set").frame
}

/// The first `rows` rows of adult.csv (class <=50K / >50K, 24 % positive).
pub fn adult(rows: usize) -> DataFrame {
    static ADULT: OnceLock<DataFrame> = OnceLock::new();
    ADULT.get_or_init(|| load("adult.csv")).head(Some(rows))
}

/// The first `rows` rows of diabetic_data.csv.
pub fn diabetic(rows: usize) -> DataFrame {
    static DIABETIC: OnceLock<DataFrame> = OnceLock::new();
    DIABETIC.get_or_init(|| load("diabetic_data.csv")).head(Some(rows))
}

pub const DIABETIC_FEATURES: &[&str] = &[
    "race",
    "gender",
    "age",
    "admission_type_id",
    "time_in_hospital",
    "num_lab_procedures",
    "num_procedures",
    "num_medications",
    "number_outpatient",
    "number_emergency",
    "number_inpatient",
    "number_diagnoses",
    "A1Cresult",
    "insulin",
    "change",
    "diabetesMed",
];

pub fn spec(target: &str, model: ModelKind) -> TrainSpec {
    TrainSpec {
        dataset: "test".into(),
        target: target.into(),
        task: None,
        model,
        params: BTreeMap::new(),
        features: None,
        validation: Validation::Holdout { test_fraction: 0.2 },
        seed: 7,
        experiment: None,
        run_name: None,
        positive_class: None,
    }
}

pub fn with(mut spec: TrainSpec, params: &[(&str, &str)]) -> TrainSpec {
    spec.params.extend(params.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    spec
}

/// Records everything a training reports; cancels once `cancel` is set.
#[derive(Default)]
pub struct Recorder {
    pub metrics: Mutex<Vec<(String, f64, i64)>>,
    pub logs: Mutex<Vec<String>>,
    pub cancel: AtomicBool,
}

impl Reporter for Recorder {
    fn metric(&self, key: &str, value: f64, step: i64) {
        self.metrics.lock().unwrap().push((key.to_string(), value, step));
    }
    fn log(&self, line: &str) {
        self.logs.lock().unwrap().push(line.to_string());
    }
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl Recorder {
    pub fn series(&self, key: &str) -> Vec<(i64, f64)> {
        self.metrics.lock().unwrap().iter().filter(|m| m.0 == key).map(|m| (m.2, m.1)).collect()
    }
}

pub fn frame(columns: Vec<Column>) -> DataFrame {
    DataFrame::new_infer_height(columns).unwrap()
}
