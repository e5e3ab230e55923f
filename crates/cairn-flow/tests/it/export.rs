//! Every operator, run by Cairn and by its exported Python script (real Python polars): the frames
//! must be equal — exactly, except floats, which may differ in the last bits.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use cairn_flow::{FlowFile, Options, Output, compile, export_python, operators, run};
use serde_json::{Value, json};

use crate::{fixture, people_flow, python, step};

fn cases() -> Vec<(&'static str, Vec<(&'static str, Value)>)> {
    let date = |c: &str| ("cast", json!({"columns": [c], "to": "date", "format": "%d/%m/%Y", "on_error": "null"}));
    let join = |how: &str| vec![("join", json!({"source": "cities", "how": how, "on": ["city"]}))];
    vec![
        ("select", vec![("select", json!({"columns": ["id", "city", "age"]}))]),
        ("drop", vec![("drop", json!({"columns": ["name", "code"]}))]),
        ("rename", vec![("rename", json!({"mapping": {"city": "town", "age": "years"}}))]),
        ("reorder", vec![("reorder", json!({"columns": ["score", "id"]}))]),
        ("duplicate", vec![("duplicate", json!({"column": "age", "name": "age2"}))]),
        (
            "cast",
            vec![
                ("cast", json!({"columns": ["age", "target"], "to": "float64"})),
                ("cast", json!({"columns": ["id"], "to": "string"})),
                date("visit"),
            ],
        ),
        ("cast_null", vec![date("joined")]),
        (
            "filter",
            vec![(
                "filter",
                json!({"keep": {"all": [{"column": "age", "op": "ge", "value": 30}, {"column": "city", "op": "in", "value": ["Paris", "Lyon"]}]}}),
            )],
        ),
        (
            "filter_text",
            vec![(
                "filter",
                json!({"keep": {"any": [{"column": "code", "op": "starts_with", "value": "AB-1"}, {"not": {"column": "name", "op": "contains", "value": "Surname3"}}]}}),
            )],
        ),
        ("filter_date", vec![date("visit"), ("filter", json!({"keep": {"column": "visit", "op": "lt", "value": "2020-06-01"}}))]),
        ("sort", vec![("sort", json!({"columns": ["city", "age"], "descending": [false, true], "nulls_last": true}))]),
        ("dedupe", vec![("dedupe", json!({"columns": ["city"], "keep_last": true}))]),
        ("limit", vec![("limit", json!({"rows": 10, "offset": 5}))]),
        ("sample", vec![("sample", json!({"fraction": 0.3, "seed": 7}))]),
        ("sample_stratified", vec![("sample", json!({"fraction": 0.5, "stratify": "city"}))]),
        (
            "mark_missing",
            vec![("mark_missing", json!({"values": ["Paris", "yes"]})), ("mark_missing", json!({"values": ["Lyon"], "columns": ["city"]}))],
        ),
        ("drop_missing", vec![("drop_missing", json!({"columns": ["age", "income"]}))]),
        (
            "fill_constant",
            vec![
                ("fill_missing", json!({"columns": ["city"], "strategy": "constant", "value": "Unknown"})),
                ("fill_missing", json!({"columns": ["age"], "strategy": "constant", "value": 0})),
            ],
        ),
        ("fill_mean", vec![("fill_missing", json!({"columns": ["income", "age"], "strategy": "mean"}))]),
        ("fill_median", vec![("fill_missing", json!({"columns": ["age"], "strategy": "median"}))]),
        ("fill_mode", vec![("fill_missing", json!({"columns": ["city", "age"], "strategy": "mode"}))]),
        ("fill_forward", vec![("fill_forward", json!({"columns": ["age", "city"]}))]),
        ("fill_backward", vec![("fill_backward", json!({"columns": ["income"], "limit": 1}))]),
        ("missing_indicator", vec![("missing_indicator", json!({"columns": ["age", "income"]}))]),
        (
            "derive",
            vec![(
                "derive",
                json!({"name": "young_or_no", "when": {"any": [{"column": "age", "op": "lt", "value": 25}, {"not": {"column": "flag", "op": "eq", "value": "yes"}}]}, "as_int": true}),
            )],
        ),
        ("derive_bool", vec![("derive", json!({"name": "rich", "when": {"column": "income", "op": "gt", "value": 1500.25}}))]),
        ("formula_arith", vec![("formula", json!({"name": "ratio", "expr": "income / (age + 1) * 2 - age % 3 + -1.5"}))]),
        (
            "formula_case",
            vec![(
                "formula",
                json!({"name": "band", "expr": "CASE WHEN age >= 40 AND city IN ('Paris', 'Lyon') THEN 'senior' WHEN age IS NULL THEN NULL ELSE UPPER(city) END"}),
            )],
        ),
        (
            "formula_funcs",
            vec![
                (
                    "formula",
                    json!({"name": "f", "expr": "ROUND(SQRT(ABS(income)), 2) + LENGTH(name) + COALESCE(age, 0) + POWER(2, 3) + FLOOR(LN(income + 1))"}),
                ),
                ("formula", json!({"name": "age", "expr": "age NOT BETWEEN 20 AND 30 OR \"city\" <> 'Nice'"})),
            ],
        ),
        (
            "one_hot",
            vec![
                ("one_hot", json!({"column": "city"})),
                ("one_hot", json!({"column": "month", "max_categories": 3, "drop_original": false})),
            ],
        ),
        (
            "ordinal_encode",
            vec![
                ("ordinal_encode", json!({"column": "city"})),
                ("ordinal_encode", json!({"column": "flag", "order": ["no", "yes"], "name": "flag_code"})),
            ],
        ),
        ("frequency_encode", vec![("frequency_encode", json!({"column": "city", "name": "city_freq"}))]),
        ("group_rare", vec![("group_rare", json!({"column": "city", "min_share": 0.05}))]),
        ("target_encode", vec![("target_encode", json!({"column": "city", "target": "target", "name": "city_te"}))]),
        ("scale_standard", vec![("scale", json!({"columns": ["income", "age"], "method": "standard"}))]),
        ("scale_minmax", vec![("scale", json!({"columns": ["score"], "method": "minmax"}))]),
        ("scale_robust", vec![("scale", json!({"columns": ["income"], "method": "robust"}))]),
        ("log", vec![("log", json!({"columns": ["income", "score"]}))]),
        ("bin_quantile", vec![("bin", json!({"columns": ["age"], "method": "quantile", "bins": 4}))]),
        ("bin_width", vec![("bin", json!({"columns": ["score", "income"], "method": "width", "bins": 5}))]),
        ("round", vec![("round", json!({"columns": ["score"], "decimals": 1}))]),
        ("outliers_std_clip", vec![("outliers", json!({"columns": ["income"], "method": "std", "action": "clip"}))]),
        ("outliers_iqr_remove", vec![("outliers", json!({"columns": ["income"], "method": "iqr", "action": "remove"}))]),
        ("outliers_quantile", vec![("outliers", json!({"columns": ["score", "age"], "method": "quantile", "k": 0.05, "action": "clip"}))]),
        ("trim", vec![("trim", json!({"columns": ["name"]}))]),
        ("case", vec![("case", json!({"columns": ["city", "name"], "to": "upper"}))]),
        (
            "replace_text",
            vec![
                ("replace_text", json!({"columns": ["code"], "pattern": "X(\\d+)", "replacement": "Y$1"})),
                ("replace_text", json!({"columns": ["name"], "pattern": "Name", "replacement": "N.", "literal": true})),
            ],
        ),
        ("extract_text", vec![("extract_text", json!({"column": "code", "pattern": "AB-(\\d)-", "name": "digit"}))]),
        (
            "split_text",
            vec![
                ("split_text", json!({"column": "code", "by": "-", "index": 2, "name": "tail"})),
                ("split_text", json!({"column": "code", "by": "-", "index": 5, "name": "none"})),
            ],
        ),
        ("text_length", vec![("text_length", json!({"column": "name", "name": "name_len"}))]),
        (
            "date_parts",
            vec![
                date("visit"),
                ("date_parts", json!({"column": "visit", "parts": ["year", "quarter", "month", "day", "weekday", "ordinal_day"]})),
            ],
        ),
        ("cyclic_encode", vec![("cyclic_encode", json!({"column": "month", "period": 12}))]),
        ("date_diff", vec![date("joined"), date("visit"), ("date_diff", json!({"start": "joined", "end": "visit", "name": "days"}))]),
        ("split_random", vec![("split", json!({"test_fraction": 0.25}))]),
        (
            "split_stratified",
            vec![
                ("split", json!({"kind": "stratified", "stratify": "city", "seed": 3})),
                ("fill_missing", json!({"columns": ["income"], "strategy": "mean"})),
                ("scale", json!({"columns": ["age"], "method": "standard"})),
            ],
        ),
        ("split_time", vec![("split", json!({"kind": "time", "time_column": "score", "column": "part"}))]),
        ("join_inner", join("inner")),
        ("join_left", join("left")),
        ("join_right", join("right")),
        ("join_full", join("full")),
        ("join_semi", join("semi")),
        ("join_anti", join("anti")),
        ("join_cross", vec![("limit", json!({"rows": 7})), ("join", json!({"source": "cities", "how": "cross"}))]),
        (
            "cast_iso_date",
            vec![
                ("cast", json!({"columns": ["visit"], "to": "date", "format": "%d/%m/%Y"})),
                ("cast", json!({"columns": ["visit"], "to": "string"})),
                ("cast", json!({"columns": ["visit"], "to": "date"})),
                ("cast", json!({"columns": ["visit"], "to": "datetime"})),
            ],
        ),
        (
            "pivot",
            vec![
                ("pivot", json!({"index": ["flag"], "on": "city", "values": "income", "agg": "mean"})),
                ("sort", json!({"columns": ["flag"]})),
            ],
        ),
        ("pivot_count", vec![("pivot", json!({"index": ["city"], "on": "month", "values": "id", "agg": "count"}))]),
        ("unpivot", vec![("unpivot", json!({"index": ["id", "city"], "on": ["age", "month"]}))]),
        ("concat", vec![("concat", json!({"sources": ["more"]}))]),
        (
            "group_by",
            vec![(
                "group_by",
                json!({"by": ["city", "flag"], "aggs": [
            {"column": "age", "agg": "mean"}, {"column": "income", "agg": "sum"}, {"column": "id", "agg": "count"},
            {"column": "score", "agg": "std"}, {"column": "score", "agg": "median"}, {"column": "age", "agg": "min"},
            {"column": "age", "agg": "max"}, {"column": "name", "agg": "first"}, {"column": "name", "agg": "last"},
            {"column": "code", "agg": "n_unique"}]}),
            )],
        ),
    ]
}

/// Runs the flow in Cairn to `NAME.cairn.parquet` and exports its script to `NAME.py`.
pub fn run_and_export(dir: &Path, flow: &FlowFile) -> FlowFile {
    // Files are prefixed: a script named like a stdlib module (select.py) would shadow it in Python.
    let out = dir.join(format!("f_{}.cairn.parquet", flow.name));
    let report = run(dir, flow, &Output::File(out), &Options::default()).unwrap_or_else(|e| panic!("{}: {e}", flow.name));
    // The fitted values are reused as they are: compiling the fitted flow fits nothing.
    let plan = compile(dir, &report.flow, &Options::default()).unwrap();
    assert!(!plan.fitted_now);
    // A run over large inputs goes through the streaming engine, a preview through the in-memory one:
    // every operator gives the same frame on both.
    let streamed = cairn_flow::execute(plan.frame.clone(), true).unwrap();
    let in_memory = cairn_flow::execute(plan.frame.clone(), false).unwrap();
    assert!(streamed.equals_missing(&in_memory), "{}: streaming and in-memory engines differ\n{streamed}\n{in_memory}", flow.name);
    let script = export_python(dir, &plan).unwrap();
    std::fs::write(dir.join(format!("f_{}.py", flow.name)), script).unwrap();
    report.flow
}

/// Runs each NAME.py with Python polars and compares its output with NAME.cairn.parquet.
pub fn compare_in_python(dir: &Path, names: &[String]) {
    let driver = r#"
import runpy, sys, traceback
import polars as pl
from polars.testing import assert_frame_equal
failed = 0
for name in sys.argv[1:]:
    name = "f_" + name
    try:
        sys.argv = [name + ".py", name + ".python.parquet"]
        runpy.run_path(name + ".py", run_name="__main__")
        ours = pl.read_parquet(name + ".cairn.parquet")
        theirs = pl.read_parquet(name + ".python.parquet")
        assert_frame_equal(ours, theirs, check_exact=False)
        print("ok", name, ours.shape)
    except Exception:
        failed += 1
        print("FAIL", name)
        traceback.print_exc(file=sys.stdout)
sys.exit(1 if failed else 0)
"#;
    std::fs::write(dir.join("compare.py"), driver).unwrap();
    let out = Command::new(python()).arg("compare.py").args(names).current_dir(dir).output().expect("run python");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "exported scripts differ from Cairn:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(text.lines().filter(|l| l.starts_with("ok ")).count(), names.len(), "{text}");
}

#[test]
fn every_operator_matches_its_exported_python() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let mut covered = BTreeSet::new();
    let mut names = Vec::new();
    for (name, steps) in cases() {
        covered.extend(steps.iter().map(|(op, _)| op.to_string()));
        let flow = people_flow(name, steps.into_iter().map(|(op, p)| step(op, p)).collect());
        run_and_export(dir.path(), &flow);
        names.push(name.to_string());
    }
    let all: BTreeSet<String> = operators().iter().map(|o| o.name.to_string()).collect();
    let missing: Vec<_> = all.difference(&covered).collect();
    assert!(missing.is_empty(), "operators without an export test: {missing:?}");
    compare_in_python(dir.path(), &names);
}

#[test]
fn a_join_with_another_flow_matches_its_exported_python() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let mut cities = FlowFile::new("cities clean", crate::csv_source("cities", "cities.csv"));
    cities.steps = vec![
        step("derive", json!({"name": "big", "when": {"column": "pop", "op": "gt", "value": 500000}})),
        step("scale", json!({"columns": ["pop"], "method": "minmax"})),
    ];
    cairn_flow::save(dir.path(), &cities).unwrap();
    let mut flow = people_flow("join_flow", vec![step("join", json!({"source": "cc", "how": "left", "on": ["city"]}))]);
    flow.sources.push(crate::flow_source("cc", "cities clean"));
    run_and_export(dir.path(), &flow);
    compare_in_python(dir.path(), &["join_flow".to_string()]);

    // Flows that read each other in a loop are refused, naming the loop.
    let mut a = FlowFile::new("a", crate::flow_source("b", "b"));
    let mut b = FlowFile::new("b", crate::flow_source("a", "a"));
    a.steps.clear();
    b.steps.clear();
    cairn_flow::save(dir.path(), &a).unwrap();
    cairn_flow::save(dir.path(), &b).unwrap();
    let e = compile(dir.path(), &a, &Options::default()).err().expect("a loop compiles");
    assert_eq!(e.to_string(), "flows read each other's output in a loop: a → b → a");
}

#[test]
fn a_preview_stops_after_the_chosen_step() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let flow = people_flow(
        "preview",
        vec![step("drop", json!({"columns": ["name"]})), step("one_hot", json!({"column": "city"})), step("explode", json!({}))],
    );
    // The unknown third step is refused whatever the preview.
    assert!(compile(dir.path(), &flow, &Options { upto: Some(1), ..Default::default() }).is_err());
    let flow = FlowFile { steps: flow.steps[..2].to_vec(), ..flow };
    let mut plan = compile(dir.path(), &flow, &Options { upto: Some(1), skip_checks: true, ..Default::default() }).unwrap();
    let schema = plan.frame.collect_schema().unwrap();
    assert!(schema.get("name").is_none() && schema.get("city").is_some());
    assert!(plan.flow.steps[1].fitted.is_null(), "a step after the preview point is not fitted");
}

#[test]
fn steps_after_a_split_fit_on_the_train_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let flow = people_flow(
        "fit_train",
        vec![
            step("split", json!({"kind": "random", "test_fraction": 0.5})),
            step("fill_missing", json!({"columns": ["income"], "strategy": "mean"})),
        ],
    );
    let plan = compile(dir.path(), &flow, &Options::default()).unwrap();
    let fitted = plan.flow.steps[1].fitted["values"]["income"].as_f64().unwrap();
    let df = plan.frame.collect().unwrap();
    // The mean of the train rows' incomes, as filled into a missing value of a train row.
    let income = df.column("income").unwrap().f64().unwrap().clone();
    let split = df.column("split").unwrap().str().unwrap().clone();
    let people = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    let raw: Vec<Option<f64>> = people.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().parse().ok()).collect();
    let (mut sum, mut n, mut all_sum, mut all_n) = (0.0, 0.0, 0.0, 0.0);
    for (i, v) in raw.iter().enumerate() {
        if let Some(v) = v {
            all_sum += v;
            all_n += 1.0;
            if split.get(i) == Some("train") {
                sum += v;
                n += 1.0;
            }
        }
    }
    assert!((fitted - sum / n).abs() < 1e-9, "fitted {fitted}, train mean {}", sum / n);
    assert!((fitted - all_sum / all_n).abs() > 1e-6, "the fit used every row");
    assert_eq!((0..split.len()).filter(|i| split.get(*i) == Some("test")).count(), 120);
    assert!(raw.iter().enumerate().all(|(i, r)| r.is_some() || income.get(i) == Some(fitted)));
}

#[test]
fn fit_on_narrows_the_rows_fitting_steps_learn_from() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let mut flow = people_flow(
        "fit_some",
        vec![
            step("split", json!({"kind": "random", "test_fraction": 0.5})),
            step("fill_missing", json!({"columns": ["income"], "strategy": "mean"})),
        ],
    );
    flow.fit_on = Some(json!({"column": "age", "op": "ge", "value": 40}));
    let plan = compile(dir.path(), &flow, &Options::default()).unwrap();
    let fitted = plan.flow.steps[1].fitted["values"]["income"].as_f64().unwrap();
    let df = plan.frame.collect().unwrap();
    let (age, income, split) =
        (df.column("age").unwrap().i64().unwrap(), df.column("income").unwrap(), df.column("split").unwrap().str().unwrap());
    // The mean over the train rows aged 40 or more, computed here from the raw incomes.
    let people = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    let raw: Vec<Option<f64>> = people.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().parse().ok()).collect();
    let (mut sum, mut n) = (0.0, 0.0);
    for (i, v) in raw.iter().enumerate() {
        if let (Some(v), Some("train"), Some(a)) = (v, split.get(i), age.get(i))
            && a >= 40
        {
            sum += v;
            n += 1.0;
        }
    }
    assert!(n > 0.0 && (fitted - sum / n).abs() < 1e-9, "fitted {fitted}, mean of train rows aged 40+ {}", sum / n);
    assert_eq!(income.null_count(), 0);

    // A fit_on naming a column the fitting step does not see is named; one that is not a condition too.
    flow.fit_on = Some(json!({"column": "agee", "op": "ge", "value": 40}));
    let e = compile(dir.path(), &flow, &Options::default()).err().expect("refused");
    assert!(
        e.to_string().contains("step 2 (Fill missing values): the condition on the rows steps learn from names column \"agee\""),
        "{e}"
    );
    flow.fit_on = Some(json!("age > 40"));
    let e = compile(dir.path(), &flow, &Options::default()).err().expect("refused");
    assert!(e.to_string().contains("fit_on is not a condition"), "{e}");
}
