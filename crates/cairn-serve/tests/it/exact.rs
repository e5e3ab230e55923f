//! Every protocol answers, to the bit, what `cairn predict` answers for the same rows in a CSV file
//! (cairn-data's import with default options, then `Model::predict`, as crates/cairn-api's
//! `predict_explained` does).

use std::path::Path;

use serde_json::{Value, json};

use crate::{KEY, adult_lines, client, json as parse, load, models, post, read, serve_one};

/// One answer column: text labels or the bits of numbers (None: missing).
#[derive(Debug, Clone, PartialEq)]
enum Cells {
    Text(Vec<String>),
    Bits(Vec<Option<u64>>),
}

type Answer = Vec<(String, Cells)>;

fn bits(v: f64) -> Option<u64> {
    (!v.is_nan()).then_some(v.to_bits())
}

/// A CSV field as a file would hold it.
fn field(t: &str) -> String {
    if t.contains([',', '"', '\n']) { format!("\"{}\"", t.replace('"', "\"\"")) } else { t.to_string() }
}

fn csv_text(header: &[String], rows: &[Vec<String>]) -> String {
    let line = |cells: &[String]| cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",");
    std::iter::once(line(header)).chain(rows.iter().map(|r| line(r))).map(|l| l + "\n").collect()
}

/// What `cairn predict` answers for these rows: the rows as a CSV file, imported and predicted.
fn truth(model: &Path, header: &[String], rows: &[Vec<String>]) -> Result<Answer, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rows.csv");
    std::fs::write(&file, csv_text(header, rows)).expect("write rows");
    let frame = read(&file);
    let out = load(model).predict(&frame).map_err(|e| e.to_string())?;
    Ok(out
        .columns()
        .iter()
        .map(|c| {
            let cells = match c.str() {
                Ok(s) => Cells::Text(s.iter().map(|v| v.unwrap_or_default().to_string()).collect()),
                Err(_) => Cells::Bits(c.f64().expect("f64 column").iter().map(|v| v.and_then(bits)).collect()),
            };
            (c.name().to_string(), cells)
        })
        .collect())
}

fn from_values(names: &[String], values: impl Fn(&str) -> Vec<Value>) -> Answer {
    names
        .iter()
        .map(|n| {
            let vals = values(n);
            let cells = if vals.iter().any(Value::is_string) {
                Cells::Text(vals.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect())
            } else {
                Cells::Bits(vals.iter().map(|v| v.as_f64().and_then(bits)).collect())
            };
            (n.clone(), cells)
        })
        .collect()
}

/// MLflow's `{"predictions": [{column: value}]}`.
fn from_records(names: &[String], text: &str) -> Answer {
    let v = parse(text);
    let rows = v["predictions"].as_array().cloned().unwrap_or_else(|| panic!("no predictions: {text}"));
    from_values(names, |n| rows.iter().map(|r| r[n].clone()).collect())
}

/// KServe's outputs.
fn from_v2(names: &[String], text: &str) -> Answer {
    let v = parse(text);
    let outputs = v["outputs"].as_array().cloned().unwrap_or_else(|| panic!("no outputs: {text}"));
    from_values(names, |n| {
        let o = outputs.iter().find(|o| o["name"] == n).unwrap_or_else(|| panic!("no output {n}: {text}"));
        o["data"].as_array().cloned().unwrap_or_default()
    })
}

/// A CSV answer (labels stay text; the rest parse as numbers).
fn from_csv(text: &str) -> Answer {
    let mut lines = text.lines();
    let names: Vec<String> = lines.next().unwrap_or_default().split(',').map(str::to_string).collect();
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    names
        .iter()
        .enumerate()
        .map(|(c, n)| {
            let col: Vec<&str> = rows.iter().map(|r| r[c].as_str()).collect();
            let cells = if col.iter().all(|t| t.is_empty() || t.parse::<f64>().is_ok()) {
                Cells::Bits(col.iter().map(|t| t.parse::<f64>().ok().and_then(bits)).collect())
            } else {
                Cells::Text(col.iter().map(|t| t.to_string()).collect())
            };
            (n.clone(), cells)
        })
        .collect()
}

/// A cell as JSON: a number when it is one as written (so JSON carries numbers), else the text.
fn json_cell(t: &str) -> Value {
    let plain = !t.is_empty() && t.trim() == t && !t.starts_with('+') && !t.starts_with('.') && !t.ends_with('.');
    match serde_json::from_str::<Value>(t) {
        Ok(v @ Value::Number(_)) if plain => v,
        _ => Value::String(t.to_string()),
    }
}

/// 40 held-out rows of adult.csv with the awkward cells a client sends.
fn rows() -> (Vec<String>, Vec<Vec<String>>) {
    let (header, lines) = adult_lines();
    let header: Vec<String> = header.split(',').map(str::to_string).collect();
    let mut rows: Vec<Vec<String>> = lines[5000..5040].iter().map(|l| l.split(',').map(str::to_string).collect()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let edits: [(usize, &str, &str); 11] = [
        (0, "age", ""),
        (1, "workclass", "Space-Force"),
        (2, "hours-per-week", "?"),
        (3, "capital-gain", " 2174 "),
        (4, "native-country", ""),
        (5, "education", " Bachelors"),
        (6, "age", "39.5"),
        (7, "occupation", "NA"),
        (8, "fnlwgt", "1e5"),
        (9, "relationship", "Own-child, really"),
        (10, "marital-status", "Quote \"x\""),
    ];
    for (r, c, v) in edits {
        rows[r][col(c)] = v.to_string();
    }
    (header, rows)
}

/// The rows in the model's feature order (for bodies without names).
fn in_feature_order(features: &[String], header: &[String], rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let idx: Vec<usize> = features.iter().map(|f| header.iter().position(|h| h == f).expect("feature in header")).collect();
    rows.iter().map(|r| idx.iter().map(|&i| r[i].clone()).collect()).collect()
}

fn check(want: &Answer, got: &Answer, what: &str) {
    assert_eq!(want.len(), got.len(), "{what}: columns differ");
    for ((wn, wc), (gn, gc)) in want.iter().zip(got) {
        assert_eq!(wn, gn, "{what}: column names differ");
        assert!(wc == gc, "{what}: column {wn} differs\nwant {wc:?}\ngot  {gc:?}");
    }
}

fn names(a: &Answer) -> Vec<String> {
    a.iter().map(|(n, _)| n.clone()).collect()
}

#[test]
fn every_protocol_answers_what_cairn_predict_answers() {
    let m = models();
    for (label, model) in [("binary", &m.gbm), ("five classes", &m.multi), ("regression", &m.regression)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let ep = serve_one(dir.path(), model);
        let base = format!("http://{}", ep.addr);
        let (header, rows) = rows();
        let want = truth(model, &header, &rows).expect("cairn predict");
        let cols = names(&want);
        let features = load(model).features().to_vec();
        let ordered = in_feature_order(&features, &header, &rows);
        let inv = format!("{base}/invocations");

        let (s, h, body) = post(&inv, "text/csv", csv_text(&header, &rows));
        assert_eq!(s, 200, "{label} csv: {body}");
        assert_eq!(h["x-cairn-variant"], "v1");
        assert_eq!(h["x-amzn-invoked-production-variant"], "v1");
        check(&want, &from_records(&cols, &body), &format!("{label}: CSV with a header"));

        let headerless: String = ordered.iter().map(|r| r.iter().map(|c| field(c)).collect::<Vec<_>>().join(",") + "\n").collect();
        let (s, _, body) = post(&inv, "text/csv; charset=utf-8", headerless);
        assert_eq!(s, 200, "{label} headerless: {body}");
        check(&want, &from_records(&cols, &body), &format!("{label}: CSV without a header"));

        let r = client()
            .post(&inv)
            .bearer_auth(KEY)
            .header("content-type", "text/csv")
            .header("accept", "text/csv")
            .body(csv_text(&header, &rows));
        let body = r.send().expect("csv answer").text().expect("text");
        check(&want, &from_csv(&body), &format!("{label}: CSV answer"));

        let jrows: Vec<Vec<Value>> = rows.iter().map(|r| r.iter().map(|c| json_cell(c)).collect()).collect();
        let records: Vec<Value> = jrows.iter().map(|r| Value::Object(header.iter().cloned().zip(r.iter().cloned()).collect())).collect();
        let columnar: serde_json::Map<String, Value> =
            header.iter().enumerate().map(|(c, h)| (h.clone(), Value::Array(jrows.iter().map(|r| r[c].clone()).collect()))).collect();
        let jordered: Vec<Vec<Value>> = ordered.iter().map(|r| r.iter().map(|c| json_cell(c)).collect()).collect();
        let bodies = [
            ("dataframe_split", json!({"dataframe_split": {"columns": header, "data": jrows}, "params": {"ignored": 1}})),
            ("dataframe_records", json!({"dataframe_records": records})),
            ("instances (records)", json!({"instances": records})),
            ("instances (lists in feature order)", json!({"instances": jordered})),
            ("inputs (columns)", json!({"inputs": columnar})),
        ];
        for (what, b) in bodies {
            let (s, _, body) = post(&inv, "application/json", b.to_string());
            assert_eq!(s, 200, "{label} {what}: {body}");
            check(&want, &from_records(&cols, &body), &format!("{label}: {what}"));
        }

        let n = rows.len();
        let tensors: Vec<Value> = header
            .iter()
            .enumerate()
            .map(|(c, h)| json!({"name": h, "shape": [n], "datatype": "BYTES", "data": rows.iter().map(|r| r[c].clone()).collect::<Vec<_>>()}))
            .collect();
        let flat: Vec<String> = ordered.iter().flatten().cloned().collect();
        let v2 = [
            ("v2 columns", json!({"id": "req-1", "inputs": tensors})),
            ("v2 rows", json!({"inputs": [{"name": "input-0", "shape": [n, features.len()], "datatype": "BYTES", "data": flat}]})),
        ];
        for (what, b) in v2 {
            let (s, h, body) = post(&format!("{base}/v2/models/census/infer"), "application/json", b.to_string());
            assert_eq!(s, 200, "{label} {what}: {body}");
            assert_eq!(h["x-cairn-variant"], "v1");
            check(&want, &from_v2(&cols, &body), &format!("{label}: {what}"));
        }
        ep.stop().expect("stop");
    }
}

#[test]
fn typed_v2_tensors_and_single_rows_answer_the_same() {
    let m = models();
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &m.gbm);
    let base = format!("http://{}", ep.addr);
    let (header, rows) = rows();
    let want = truth(&m.gbm, &header, &rows).expect("cairn predict");
    let cols = names(&want);
    let model = load(&m.gbm);
    let numeric: Vec<&String> =
        model.features().iter().zip(model.feature_kinds()).filter(|(_, k)| *k == cairn_ml::FeatureKind::Number).map(|(f, _)| f).collect();
    let n = rows.len();
    // Numbers as FP64 (null where the cell is missing), text as BYTES.
    let tensors: Vec<Value> = header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            if numeric.contains(&h) {
                let data: Vec<Value> = rows.iter().map(|r| r[c].trim().parse::<f64>().map_or(Value::Null, |x| json!(x))).collect();
                json!({"name": h, "shape": [n, 1], "datatype": "FP64", "data": data})
            } else {
                json!({"name": h, "shape": [n], "datatype": "BYTES", "data": rows.iter().map(|r| r[c].clone()).collect::<Vec<_>>()})
            }
        })
        .collect();
    let (s, _, body) =
        post(&format!("{base}/v2/models/census/versions/v1/infer"), "application/json", json!({"inputs": tensors}).to_string());
    assert_eq!(s, 200, "{body}");
    check(&want, &from_v2(&cols, &body), "v2 typed tensors");

    // One row per request, each against `cairn predict` on a file of that row alone.
    for r in 0..12 {
        let one = vec![rows[r].clone()];
        let want = truth(&m.gbm, &header, &one).expect("cairn predict");
        let record = Value::Object(header.iter().cloned().zip(one[0].iter().map(|c| json_cell(c))).collect());
        let (s, _, body) = post(&format!("{base}/invocations"), "application/json", json!({"dataframe_records": [record]}).to_string());
        assert_eq!(s, 200, "row {r}: {body}");
        check(&want, &from_records(&cols, &body), &format!("row {r} alone"));
    }
    ep.stop().expect("stop");
}

/// Columns whose cells the import types in every way it can: each answer (or the refusal) must be
/// `cairn predict`'s, whichever way the server reads them.
#[test]
fn awkward_columns_are_read_as_the_import_reads_them() {
    let m = models();
    let dir = tempfile::tempdir().expect("tempdir");
    let ep = serve_one(dir.path(), &m.coded);
    let inv = format!("http://{}/invocations", ep.addr);
    let (header, all) = rows();
    let base: Vec<Vec<String>> = all[12..16].to_vec();
    let cases: [(&str, [&str; 4]); 19] = [
        // The import reads these as integers (9) or floats (13.0), and the model sees "9" and "13.0".
        ("education", ["9", "09", "+9", " 9"]),
        ("education", ["13.00", "9", "13", "1.3e1"]),
        ("education", ["9", "13.0", "HS-grad", "09"]),
        ("age", ["39", "-0", "+5", " 7"]),
        ("age", ["39", "NA", "", " \t"]),
        ("age", ["40.0", ".5", "5.", "1E2"]),
        ("age", ["-0", "-0.0", "0", "nan"]),
        ("age", ["true", "FALSE", "true", ""]),
        ("age", ["123456789012345678901", "2", "3", "4"]),
        ("age", ["\u{a0}5", "6", "7", "8"]),
        ("education", ["12", "13", "007", ""]),
        ("education", ["1.50", "2", "3", "4"]),
        ("education", ["2024-01-01", "2024-02-29", "", "2023-12-31"]),
        ("education", ["2024-01-01 10:11:12", "2024-01-02 00:00:00", "", "?"]),
        ("education", [" Bachelors", "Bachelors ", "Masters", "HS-grad"]),
        ("education", ["TRUE", "x", "true", "False"]),
        ("education", ["NaN", "null", "N/A", "NULL"]),
        ("education", ["true", "false", "TRUE", ""]),
        ("education", ["-", "+", ".", "5th-6th"]),
    ];
    let c = |name: &str| header.iter().position(|h| h == name).expect("column");
    for (column, cells) in cases {
        let mut rows = base.clone();
        for (r, v) in cells.iter().enumerate() {
            rows[r][c(column)] = v.to_string();
        }
        let want = truth(&m.coded, &header, &rows).expect("cairn predict");
        let (s, _, body) = post(&inv, "text/csv", csv_text(&header, &rows));
        assert_eq!(s, 200, "{column} {cells:?}: {body}");
        check(&want, &from_records(&names(&want), &body), &format!("{column} = {cells:?}"));
    }
    // Refused by both: a word in a number column, an infinite number.
    for (column, cells) in [("age", ["39", "abc", "1", "2"]), ("age", ["inf", "1", "2", "3"]), ("age", ["2024-01-01", "", "", ""])] {
        let mut rows = base.clone();
        for (r, v) in cells.iter().enumerate() {
            rows[r][c(column)] = v.to_string();
        }
        assert!(truth(&m.coded, &header, &rows).is_err(), "cairn predict accepts {cells:?}");
        let (s, _, body) = post(&inv, "text/csv", csv_text(&header, &rows));
        assert_eq!(s, 400, "{column} {cells:?}: {body}");
        assert!(body.contains("age"), "{body}");
    }
    ep.stop().expect("stop");
}
