//! Flow files: round trip, atomic save, and refusals of what this Cairn cannot run.

use cairn_flow::{FlowError, FlowFile, load, save};
use cairn_types::ErrorCode;
use serde_json::json;

use crate::{people_flow, step};

#[test]
fn a_flow_round_trips_through_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = people_flow("clean", vec![step("drop", json!({"columns": ["name"]}))]);
    let path = save(dir.path(), &f).unwrap();
    assert!(path.ends_with("flows/clean.flow.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"op\": \"drop\"") && text.ends_with("}\n"), "{text}");
    assert_eq!(load(dir.path(), "clean").unwrap(), f);
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    std::fs::write(dir.join("flows").join(format!("{name}.flow.json")), text).unwrap();
}

#[test]
fn unknown_ops_newer_versions_and_formats_are_refused_with_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let base = |steps: &str| format!(r#"{{"format": 1, "name": "x", "sources": [{{"name": "p", "path": "p.csv"}}], "steps": [{steps}]}}"#);
    write(dir.path(), "unknown", &base(r#"{"op": "drop", "params": {"columns": ["a"]}}, {"op": "explode_everything"}"#));
    let e = load(dir.path(), "unknown").unwrap_err();
    assert!(matches!(&e, FlowError::UnknownOp { step: 2, op } if op == "explode_everything"), "{e}");
    assert_eq!(e.code(), ErrorCode::FlowInvalid);
    assert!(e.to_api().hint.unwrap().contains("remove the step"));

    write(dir.path(), "newer", &base(r#"{"op": "drop", "version": 7, "params": {"columns": ["a"]}}"#));
    let e = load(dir.path(), "newer").unwrap_err();
    assert_eq!(e.to_string(), "step 1 (drop) is version 7 of the operator; this Cairn knows version 1");

    write(dir.path(), "future", r#"{"format": 9, "name": "x", "whatever": true}"#);
    let e = load(dir.path(), "future").unwrap_err();
    assert_eq!(e.code(), ErrorCode::SchemaTooNew);

    write(dir.path(), "broken", "{\"format\": 1, \"name\": ");
    assert!(matches!(load(dir.path(), "broken").unwrap_err(), FlowError::BadFile { .. }));
    assert!(matches!(load(dir.path(), "missing").unwrap_err(), FlowError::NotFound { .. }));
    // Refusing never touches the file.
    let text = std::fs::read_to_string(dir.path().join("flows/unknown.flow.json")).unwrap();
    assert!(text.contains("explode_everything"));
}

#[test]
fn a_failed_save_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = people_flow("keep", vec![]);
    save(dir.path(), &f).unwrap();
    let bad = FlowFile { name: "../escape".into(), ..f.clone() };
    assert!(save(dir.path(), &bad).is_err());
    assert_eq!(load(dir.path(), "keep").unwrap(), f);
}
