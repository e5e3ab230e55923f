//! Bad input: each problem names the step, the parameter and the column, with a hint.

use cairn_flow::{FlowError, Options, Problem, compile};
use cairn_types::ErrorCode;
use serde_json::json;

use crate::{fixture, people_flow, step};

fn compile_err(steps: Vec<cairn_flow::Step>) -> FlowError {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    match compile(dir.path(), &people_flow("bad", steps), &Options::default()) {
        Ok(_) => panic!("the flow compiled"),
        Err(e) => e,
    }
}

#[test]
fn a_step_naming_a_dropped_column_is_named() {
    let e =
        compile_err(vec![step("drop", json!({"columns": ["age"]})), step("fill_missing", json!({"columns": ["age"], "strategy": "mean"}))]);
    assert_eq!(e.code(), ErrorCode::ColumnNotFound);
    let msg = e.to_string();
    assert!(msg.starts_with("step 2 (Fill missing values): “Columns” names column \"age\""), "{msg}");
    assert!(e.to_api().hint.unwrap().contains("dropped or renamed"));
}

#[test]
fn a_renamed_column_is_named_too() {
    let e = compile_err(vec![step("rename", json!({"mapping": {"city": "town"}})), step("one_hot", json!({"column": "city"}))]);
    assert!(matches!(&e, FlowError::Step { step: 2, problem: Problem::Column { column, .. }, .. } if column == "city"), "{e}");
}

#[test]
fn a_failing_cast_says_how_many_and_shows_examples() {
    let e = compile_err(vec![step("cast", json!({"columns": ["joined"], "to": "date", "format": "%d/%m/%Y"}))]);
    assert_eq!(e.code(), ErrorCode::TypeMismatch);
    let FlowError::Step { step: 1, problem: Problem::Conversion { count, rows, examples, .. }, .. } = &e else { panic!("{e}") };
    assert_eq!((*count, *rows), (9, 240), "{e}");
    assert_eq!(examples, &vec!["not a date".to_string()]);
    assert_eq!(e.to_api().hint.unwrap(), "set “Values that fail” to “null” to make these values missing");
}

#[test]
fn join_keys_of_different_types_are_refused() {
    let e = compile_err(vec![step("join", json!({"source": "cities", "how": "left", "left_on": ["age"], "right_on": ["city"]}))]);
    assert_eq!(e.code(), ErrorCode::TypeMismatch);
    assert!(e.to_string().contains("\"age\" is i64") && e.to_string().contains("cast one side"), "{e}");
}

#[test]
fn statistics_of_a_column_without_values_do_not_break_the_file() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let flow = people_flow(
        "empty",
        vec![
            step("filter", json!({"keep": {"column": "age", "op": "is_null"}})),
            step("scale", json!({"columns": ["age"], "method": "standard"})),
            step("outliers", json!({"columns": ["age"], "method": "iqr", "action": "clip"})),
            step("bin", json!({"columns": ["age"], "method": "quantile"})),
            step("fill_missing", json!({"columns": ["age"], "strategy": "mean"})),
        ],
    );
    let plan = compile(dir.path(), &flow, &Options::default()).unwrap();
    let reread = cairn_flow::FlowFile::parse(&plan.flow.to_text(), "x").unwrap();
    assert!(compile(dir.path(), &reread, &Options::default()).unwrap().frame.collect().unwrap().height() > 0);
}

#[test]
fn bad_params_are_named_by_the_labels_of_their_form() {
    let e = compile_err(vec![step("split", json!({"kind": "stratified", "test_fraction": 1.5, "stratify": "city"}))]);
    assert_eq!(e.to_string(), "step 1 (Train/test split): “Test fraction”: 1.5 is not between 0 and 1");
    let e = compile_err(vec![step("split", json!({"kind": "stratified"}))]);
    assert_eq!(e.to_string(), "step 1 (Train/test split): “Stratify on”: a stratified split needs a column");
    let e = compile_err(vec![step("split", json!({"kind": "time", "time_column": "city"}))]);
    assert!(e.to_string().starts_with("step 1 (Train/test split): “Time column”: \"city\" is str"), "{e}");
    let e = compile_err(vec![step("split", json!({"column": "age"}))]);
    assert_eq!(e.to_string(), "step 1 (Train/test split): “New column”: column \"age\" exists already");
    let e = compile_err(vec![step("sample", json!({"fraction": 2}))]);
    assert_eq!(e.to_string(), "step 1 (Sample rows): “Fraction”: 2 is not between 0 and 1");
    let e = compile_err(vec![step("fill_missing", json!({"columns": ["age"], "strategy": "constant", "value": "n/a"}))]);
    assert!(e.to_string().starts_with("step 1 (Fill missing values): “Constant”: "), "{e}");
    let e = compile_err(vec![step("replace_text", json!({"columns": ["name"], "pattern": "(unclosed"}))]);
    assert!(e.to_string().starts_with("step 1 (Replace text): “Pattern”: \"(unclosed\" is not a valid regular expression"), "{e}");
    let e = compile_err(vec![step("bin", json!({"columns": ["age"], "method": "width", "bins": 1}))]);
    assert_eq!(e.to_string(), "step 1 (Bin): “Bins”: must be between 2 and 1000");
    let e = compile_err(vec![step("pivot", json!({"index": ["city"], "on": "score", "values": "age"}))]);
    assert!(e.to_string().starts_with("step 1 (Pivot (long to wide)): “Columns from”: \"score\" holds floats"), "{e}");
    // A message naming other parameters names them by their labels too.
    let e = compile_err(vec![step("join", json!({"source": "cities", "how": "left"}))]);
    assert_eq!(e.to_string(), "step 1 (Join): “Keys”: give “Keys”, or “Keys here” and “Keys there” of the same length");
    // What serde says of parameters that do not fit, in the form's words.
    let e = compile_err(vec![step("fill_missing", json!({"columns": ["age"]}))]);
    assert_eq!(e.to_string(), "step 1 (Fill missing values): “Fill with” is required");
    let e = compile_err(vec![step("sample", json!({"fraction": "half"}))]);
    assert_eq!(e.to_string(), "step 1 (Sample rows): a setting must be a number, not string \"half\"");
    let e = compile_err(vec![step("split", json!({"kind": "weird"}))]);
    assert_eq!(e.to_string(), "step 1 (Train/test split): \"weird\" is not a choice here (the choices: random, stratified, time)");
    // A hand-written parameter no form has keeps its name, with the settings there are.
    let e = compile_err(vec![step("drop", json!({"colums": ["age"]}))]);
    assert_eq!(e.to_string(), "step 1 (Drop columns): \"colums\" is not a setting of this step (its settings: “Columns”)");
    let e = compile_err(vec![step("date_parts", json!({"column": "joined", "parts": ["year"]}))]);
    assert!(e.to_string().contains("cast text with a format first"), "{e}");
}

#[test]
fn a_formula_names_its_unknown_column_and_where_its_syntax_breaks() {
    let e = compile_err(vec![
        step("drop", json!({"columns": ["income"]})),
        step("formula", json!({"name": "r", "expr": "income / (age + 1)"})),
    ]);
    assert_eq!(e.code(), ErrorCode::ColumnNotFound);
    assert!(e.to_string().starts_with("step 2 (Formula (SQL expression)): “Expression” names column \"income\""), "{e}");
    let e = compile_err(vec![step("formula", json!({"name": "r", "expr": "age * (2 +"}))]);
    assert!(e.to_string().contains("step 1 (Formula (SQL expression)): “Expression”: at character 11"), "{e}");
    let e = compile_err(vec![step("formula", json!({"name": "r", "expr": "MEDIAN(age)"}))]);
    assert!(e.to_string().contains("no function MEDIAN here (known: ABS"), "{e}");
    let e = compile_err(vec![step("formula", json!({"name": "r", "expr": "age IN (1, 'x')"}))]);
    assert!(e.to_string().contains("all numbers or all texts"), "{e}");
}

/// Every parameter of every operator, when a problem names it, is named by its form's label and carries
/// its name as the field the form shows the problem beside.
#[test]
fn every_parameter_a_problem_names_is_worded_by_its_label() {
    for spec in cairn_flow::catalog() {
        for p in &spec.params {
            assert!(p.label.chars().next().is_some_and(char::is_uppercase), "{}.{}: label {:?}", spec.name, p.name, p.label);
            for problem in [
                Problem::Param { param: p.name.clone(), message: "is wrong".into() },
                Problem::Column { param: p.name.clone(), column: "zz".into(), available: vec!["a".into()] },
            ] {
                let e = FlowError::Step { step: 3, op: spec.name.clone(), problem: problem.clone() };
                let text = e.to_string();
                assert!(text.starts_with(&format!("step 3 ({}): “{}”", spec.label, p.label)), "{text}");
                assert!(!text.contains('`'), "{text}");
                assert_eq!(problem.param(&spec.name), Some(p.name.as_str()));
            }
        }
    }
}
