//! The check path on diabetic_data.csv: `?` is missing, drop weight and payer_code, impute race,
//! one-hot admission_type_id, derive readmitted_30, split 80/20 stratified on readmitted (the split is
//! the first step, so it stratifies on the source column readmitted_30 is made from, which keeps the
//! share of readmitted_30 too); the exported Python script reproduces the same frame.

use cairn_flow::{FlowFile, Source, Step};
use serde_json::json;

use crate::export::{compare_in_python, run_and_export};
use crate::shared;

/// The readmission flow over a source at `path`.
pub fn readmission_flow(path: &str) -> FlowFile {
    let source = Source::csv("diabetic", path, &["?"]);
    let mut f = FlowFile::new("readmission", source);
    f.steps = vec![
        Step::new("drop", json!({"columns": ["weight", "payer_code"]})),
        Step::new("derive", json!({"name": "readmitted_30", "when": {"column": "readmitted", "op": "eq", "value": "<30"}})),
        Step::new("split", json!({"kind": "stratified", "stratify": "readmitted", "test_fraction": 0.2, "seed": 42})),
        Step::new("fill_missing", json!({"columns": ["race"], "strategy": "mode"})),
        Step::new("one_hot", json!({"column": "admission_type_id"})),
    ];
    f
}

#[test]
fn the_readmission_check_path_matches_python() {
    let dir = tempfile::tempdir().unwrap();
    let data = shared("diabetic_data.csv");
    let flow = readmission_flow(data.to_str().unwrap());
    let fitted = run_and_export(dir.path(), &flow);
    assert_eq!(fitted.steps[0].op, "split", "the split comes first");
    assert_eq!(fitted.steps[3].fitted, json!({"values": {"race": "Caucasian"}}));
    let cats = fitted.steps[4].fitted["categories"].as_array().unwrap().len();
    assert_eq!(cats, 8, "{}", fitted.steps[4].fitted);

    use polars::prelude::SerReader;
    let file = std::fs::File::open(dir.path().join("f_readmission.cairn.parquet")).unwrap();
    let df = polars::prelude::ParquetReader::new(file).finish().unwrap();
    assert_eq!(df.height(), 101_766);
    assert!(df.column("weight").is_err() && df.column("payer_code").is_err());
    assert_eq!(df.column("race").unwrap().null_count(), 0);
    assert!(df.column("admission_type_id_1").is_ok());
    // 80/20 within each class of readmitted_30.
    let split = df.column("split").unwrap().str().unwrap().clone();
    let y = df.column("readmitted_30").unwrap().bool().unwrap().clone();
    let (mut test_pos, mut pos, mut test) = (0usize, 0usize, 0usize);
    for i in 0..df.height() {
        let t = split.get(i) == Some("test");
        test += usize::from(t);
        if y.get(i) == Some(true) {
            pos += 1;
            test_pos += usize::from(t);
        }
    }
    assert!((test as f64 / df.height() as f64 - 0.2).abs() < 1e-4, "{test}");
    assert!((test_pos as f64 / pos as f64 - 0.2).abs() < 1e-3, "{test_pos}/{pos}");
    compare_in_python(dir.path(), &["readmission".to_string()]);
}
