//! No leak, whatever the step order: every fitting operator learns from the split's train rows alone,
//! with the split placed first, in the middle or last of the steps. The test rows are made unlike the
//! train rows (far larger numbers, a category of their own, a high target), so any test row reaching a
//! fit moves its value; each fitted value is compared with the same statistic computed by hand, in
//! plain Rust, over the train rows.

use std::collections::BTreeMap;

use cairn_flow::{FlowError, FlowFile, Options, Problem, compile};
use serde_json::{Value, json};

use crate::{csv_source, step};

const ROWS: usize = 400;
const CATS: [&str; 5] = ["a", "b", "c", "d", "e"];

fn split_step() -> cairn_flow::Step {
    step("split", json!({"kind": "random", "test_fraction": 0.2, "seed": 7}))
}

/// Which rows the split marks as test: it depends only on the row numbers and the seed.
fn test_rows(dir: &std::path::Path) -> Vec<bool> {
    let ids: String = std::iter::once("id\n".to_string()).chain((0..ROWS).map(|i| format!("{i}\n"))).collect();
    std::fs::write(dir.join("ids.csv"), ids).unwrap();
    let mut f = FlowFile::new("ids", csv_source("ids", "ids.csv"));
    f.steps = vec![split_step()];
    let df = compile(dir, &f, &Options::default()).unwrap().frame.collect().unwrap();
    let split = df.column("split").unwrap().str().unwrap().clone();
    split.iter().map(|v| v == Some("test")).collect()
}

/// One row of the table: train rows are ordinary, test rows are far off in every column.
struct Row {
    x: Option<f64>,
    cat: String,
    y: f64,
}

fn rows(test: &[bool]) -> Vec<Row> {
    (0..ROWS)
        .map(|i| {
            if test[i] {
                return Row { x: Some(5000.0 + i as f64), cat: "zz".into(), y: 100.0 };
            }
            // Skewed category shares, so group_rare keeps some and not others.
            let cat = CATS[[0, 0, 1, 1, 2, 2, 3, 3, 4][(i * 7) % 9]].to_string();
            let x = (i % 11 != 0).then(|| ((i * 7919) % 1000) as f64 / 10.0 + (i % 3) as f64 * 0.25);
            Row { x, cat, y: ((i * 31) % 17) as f64 }
        })
        .collect()
}

fn write_table(dir: &std::path::Path, rows: &[Row]) {
    let mut s = String::from("id,x,cat,y\n");
    for (i, r) in rows.iter().enumerate() {
        let x = r.x.map(|v| v.to_string()).unwrap_or_default();
        s.push_str(&format!("{i},{x},{},{}\n", r.cat, r.y));
    }
    std::fs::write(dir.join("table.csv"), s).unwrap();
}

// ---- statistics by hand ----

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn std1(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// The linear-interpolation quantile (numpy's default, polars' `Linear`).
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q * (s.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

/// Category counts, most frequent first, ties by value.
fn counts(cats: &[&str]) -> Vec<(String, usize)> {
    let mut m: BTreeMap<&str, usize> = BTreeMap::new();
    cats.iter().for_each(|c| *m.entry(c).or_default() += 1);
    let mut v: Vec<(String, usize)> = m.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| close(a, b))),
        _ => a == b,
    }
}

/// What each fitting operator must learn from `rows` (the train rows, or all of them).
fn by_hand(op: &str, params: &Value, rows: &[&Row]) -> Value {
    let xs: Vec<f64> = rows.iter().filter_map(|r| r.x).collect();
    let cats: Vec<&str> = rows.iter().map(|r| r.cat.as_str()).collect();
    let sorted_cats = || {
        let mut c: Vec<String> = counts(&cats).into_iter().map(|(c, _)| c).collect();
        c.sort();
        c
    };
    let method = params.get("method").and_then(Value::as_str).unwrap_or_default();
    match op {
        "fill_missing" => match params["strategy"].as_str().unwrap() {
            "mean" => json!({"values": {"x": mean(&xs)}}),
            "median" => json!({"values": {"x": quantile(&xs, 0.5)}}),
            _ => json!({"values": {"cat": counts(&cats)[0].0}}),
        },
        "one_hot" => json!({"categories": sorted_cats()}),
        "ordinal_encode" => {
            let c = sorted_cats();
            json!({"values": c, "codes": (0..c.len()).map(|i| i as f64).collect::<Vec<_>>(), "default": null})
        }
        "frequency_encode" => {
            let c = counts(&cats);
            let n = cats.len() as f64;
            json!({"values": c.iter().map(|x| &x.0).collect::<Vec<_>>(), "codes": c.iter().map(|x| x.1 as f64 / n).collect::<Vec<_>>(), "default": 0.0})
        }
        "target_encode" => {
            let prior = rows.iter().map(|r| r.y).sum::<f64>() / rows.len() as f64;
            let c = sorted_cats();
            let codes: Vec<f64> = c
                .iter()
                .map(|k| {
                    let ys: Vec<f64> = rows.iter().filter(|r| &r.cat == k).map(|r| r.y).collect();
                    (ys.iter().sum::<f64>() + 10.0 * prior) / (ys.len() as f64 + 10.0)
                })
                .collect();
            json!({"values": c, "codes": codes, "default": prior})
        }
        "group_rare" => {
            let n = cats.len() as f64;
            let mut keep: Vec<String> = counts(&cats).into_iter().filter(|(_, k)| *k as f64 / n >= 0.15).map(|(c, _)| c).collect();
            keep.sort();
            json!({"keep": keep})
        }
        "scale" => {
            let (c, s) = match method {
                "standard" => (mean(&xs), std1(&xs)),
                "minmax" => (quantile(&xs, 0.0), quantile(&xs, 1.0) - quantile(&xs, 0.0)),
                _ => (quantile(&xs, 0.5), quantile(&xs, 0.75) - quantile(&xs, 0.25)),
            };
            json!({"columns": {"x": [c, s]}})
        }
        "bin" => {
            let edges: Vec<f64> = match method {
                "quantile" => (1..4).map(|i| quantile(&xs, f64::from(i) / 4.0)).collect(),
                _ => {
                    let (lo, hi) = (quantile(&xs, 0.0), quantile(&xs, 1.0));
                    (1..4).map(|i| lo + (hi - lo) * f64::from(i) / 4.0).collect()
                }
            };
            json!({"columns": {"x": edges}})
        }
        "outliers" => {
            let (lo, hi) = match method {
                "std" => (mean(&xs) - 3.0 * std1(&xs), mean(&xs) + 3.0 * std1(&xs)),
                "iqr" => {
                    let (a, b) = (quantile(&xs, 0.25), quantile(&xs, 0.75));
                    (a - 1.5 * (b - a), b + 1.5 * (b - a))
                }
                _ => (quantile(&xs, 0.01), quantile(&xs, 0.99)),
            };
            json!({"columns": {"x": [lo, hi]}})
        }
        "pivot" => json!({"values": sorted_cats()}),
        other => panic!("no hand computation for {other}"),
    }
}

/// Every fitting operator, with parameters covering each of its strategies.
fn fitting_steps() -> Vec<(&'static str, Value)> {
    let mut v: Vec<(&'static str, Value)> = vec![
        ("fill_missing", json!({"columns": ["x"], "strategy": "mean"})),
        ("fill_missing", json!({"columns": ["x"], "strategy": "median"})),
        ("fill_missing", json!({"columns": ["cat"], "strategy": "mode"})),
        ("one_hot", json!({"column": "cat", "drop_original": false})),
        ("ordinal_encode", json!({"column": "cat", "name": "cat_code"})),
        ("frequency_encode", json!({"column": "cat", "name": "cat_freq"})),
        ("target_encode", json!({"column": "cat", "target": "y", "name": "cat_te"})),
        ("group_rare", json!({"column": "cat", "min_share": 0.15})),
        ("pivot", json!({"index": ["id", "split"], "on": "cat", "values": "x"})),
    ];
    for m in ["standard", "minmax", "robust"] {
        v.push(("scale", json!({"columns": ["x"], "method": m})));
    }
    for m in ["quantile", "width"] {
        v.push(("bin", json!({"columns": ["x"], "method": m, "bins": 4})));
    }
    for m in ["std", "iqr", "quantile"] {
        v.push(("outliers", json!({"columns": ["x"], "method": m, "action": "clip"})));
    }
    v
}

#[test]
fn every_fitting_step_learns_from_the_train_rows_alone_wherever_the_split_stands() {
    let dir = tempfile::tempdir().unwrap();
    let test = test_rows(dir.path());
    assert!((60..=100).contains(&test.iter().filter(|t| **t).count()), "the split holds out about a fifth");
    let table = rows(&test);
    write_table(dir.path(), &table);
    let train: Vec<&Row> = table.iter().zip(&test).filter(|(_, t)| !**t).map(|(r, _)| r).collect();
    let all: Vec<&Row> = table.iter().collect();
    // A step before and after the fitting one that keeps every row (a derived column).
    let before = || step("formula", json!({"name": "x_half", "expr": "x / 2"}));
    let after = || step("formula", json!({"name": "id_twice", "expr": "id * 2"}));
    let checked = fitting_steps();
    // The catalogue's fitting operators are all covered.
    let fitting: Vec<String> = cairn_flow::catalog().into_iter().filter(|o| o.fits).map(|o| o.name).collect();
    for name in &fitting {
        assert!(checked.iter().any(|(op, _)| name.as_str() == *op), "the leak test does not cover the fitting operator {name}");
    }
    for (op, params) in checked {
        let expected = by_hand(op, &params, &train);
        assert!(!close(&expected, &by_hand(op, &params, &all)), "{op} {params}: the table must make test rows move the fit");
        let orders: [(&str, Vec<cairn_flow::Step>); 3] = [
            ("first", vec![split_step(), step(op, params.clone()), after()]),
            ("middle", vec![before(), split_step(), step(op, params.clone()), after()]),
            ("last", vec![before(), step(op, params.clone()), after(), split_step()]),
        ];
        for (place, steps) in orders {
            let mut f = FlowFile::new("t", csv_source("table", "table.csv"));
            f.steps = steps;
            let plan = compile(dir.path(), &f, &Options::default()).unwrap_or_else(|e| panic!("{op} {params}, split {place}: {e}"));
            assert_eq!(plan.flow.steps[0].op, "split", "the split is moved to the front ({place})");
            let fitted = &plan.flow.steps.iter().find(|s| s.op == op).unwrap().fitted;
            assert!(close(fitted, &expected), "{op} {params}, split {place}: fitted {fitted}, by hand on the train rows {expected}");
            // The output marks the same rows as the split alone does.
            let out = plan.frame.collect().unwrap();
            let marks: Vec<bool> = out.column("split").unwrap().str().unwrap().iter().map(|v| v == Some("test")).collect();
            let ids: Vec<i64> = out
                .column("id")
                .unwrap()
                .cast(&polars::prelude::DataType::Int64)
                .unwrap()
                .i64()
                .unwrap()
                .iter()
                .map(|v| v.unwrap())
                .collect();
            for (id, m) in ids.iter().zip(marks) {
                assert_eq!(m, test[*id as usize], "{op}, split {place}: row {id}");
            }
        }
    }
}

fn compile_err(steps: Vec<cairn_flow::Step>) -> FlowError {
    let dir = tempfile::tempdir().unwrap();
    let test = test_rows(dir.path());
    write_table(dir.path(), &rows(&test));
    std::fs::copy(dir.path().join("table.csv"), dir.path().join("more.csv")).unwrap();
    let mut f = FlowFile::new("t", csv_source("table", "table.csv"));
    f.sources.push(csv_source("more", "more.csv"));
    f.steps = steps;
    match compile(dir.path(), &f, &Options::default()) {
        Ok(_) => panic!("compiled"),
        Err(e) => e,
    }
}

#[test]
fn a_fitting_step_after_the_split_column_is_gone_is_refused_not_fitted_on_every_row() {
    let e = compile_err(vec![
        step("select", json!({"columns": ["x", "cat", "y"]})),
        step("fill_missing", json!({"columns": ["x"], "strategy": "median"})),
        split_step(),
    ]);
    assert!(
        matches!(&e, FlowError::Step { step: 3, problem: Problem::NoTrainRows { column, split_step: 1, removed_by }, .. } if column == "split" && removed_by == "step 2 (select)"),
        "{e:?}"
    );
    assert!(e.to_string().contains("keep \"split\""), "{e}");
}

#[test]
fn a_second_split_and_rows_appended_after_the_split_are_refused() {
    let second = step("split", json!({"kind": "random", "column": "part"}));
    let e = compile_err(vec![split_step(), step("fill_missing", json!({"columns": ["x"], "strategy": "mean"})), second]);
    assert!(e.to_string().contains("a flow has one split"), "{e}");
    let e = compile_err(vec![step("concat", json!({"sources": ["more"]})), split_step()]);
    assert!(matches!(&e, FlowError::Step { step: 2, .. }), "{e:?}");
    assert!(e.to_string().contains("no train/test mark"), "{e}");
}

#[test]
fn a_split_stratified_on_a_column_a_later_step_makes_says_the_split_comes_first() {
    let e = compile_err(vec![
        step("formula", json!({"name": "high", "expr": "y > 8"})),
        step("split", json!({"kind": "stratified", "stratify": "high"})),
    ]);
    assert!(matches!(&e, FlowError::Step { step: 1, .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("the split is the first step") && text.contains("\"high\""), "{text}");
}
