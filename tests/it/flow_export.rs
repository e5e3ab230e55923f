//! The Python export of a flow over an imported dataset reads the file the dataset was imported from, with
//! the import's options, named at the top of the script (`SOURCES`): the script, moved with a copy of that
//! file to another folder and pointed at it, gives Cairn's output. A file changed since the import is not
//! read: the script reads Cairn's stored copy and says why.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::Server;

/// Python with the pinned polars the flow tests use (made once, from PyPI).
fn python() -> PathBuf {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/cairn-flow/tests/python-venv.sh");
    let out = Command::new("bash").arg(script).output().expect("python-venv.sh");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Runs `script` (with SOURCES[key] pointed at `source` when given) to `out`, and checks its frame equals `cairn`'s.
fn same_as_cairn(dir: &Path, script: &str, source: Option<(&str, &Path)>, cairn: &Path) {
    let script = match source {
        Some((key, path)) => {
            let at = script.find("SOURCES = {").expect("a SOURCES dict");
            let line_start = at + script[at..].find(&format!("    {key:?}: ")).expect("the source's line");
            let line_end = line_start + script[line_start..].find('\n').expect("end of line");
            format!("{}    {key:?}: {:?},{}", &script[..line_start], path.to_str().unwrap(), &script[line_end..])
        }
        None => script.to_string(),
    };
    let file = dir.join("exported.py");
    std::fs::write(&file, &script).unwrap();
    let out = dir.join("python.parquet");
    let check = format!(
        "import runpy, sys\nimport polars as pl\nfrom polars.testing import assert_frame_equal\nsys.argv = ['x', {out:?}]\nrunpy.run_path({file:?}, run_name='__main__')\nassert_frame_equal(pl.read_parquet({cairn:?}), pl.read_parquet({out:?}), check_exact=False)\nprint('same')\n",
        out = out.to_str().unwrap(),
        file = file.to_str().unwrap(),
        cairn = cairn.to_str().unwrap(),
    );
    let ran = Command::new(python()).arg("-c").arg(check).current_dir(dir).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&ran.stdout), String::from_utf8_lossy(&ran.stderr));
    assert!(ran.status.success() && said.contains("same"), "{said}\n{script}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_exported_script_reads_the_imported_file_and_runs_elsewhere() {
    let s = Server::start().await;
    let pid = s.project("p").await;
    // What the import reads its own way: `;` between fields, Latin-1 text, `-` as missing, names and
    // numbers padded with spaces, dates, booleans in any case.
    let mut text = String::from(" id ;city;score ; visit;member\n");
    for i in 0..40 {
        let city = ["Orléans", "Nîmes", "-", "Lyon"][i % 4];
        let score = if i % 7 == 0 { "-".to_string() } else { format!(" {}.5 ", i * 3) };
        let member = ["True", "false", "TRUE", "-"][i % 4];
        text.push_str(&format!("{};{city};{score};2024-0{}-1{};{member}\n", i + 1, 1 + i % 9, i % 10));
    }
    let latin1: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).expect("Latin-1")).collect();
    let csv = s.path("visits.csv");
    std::fs::write(&csv, &latin1).unwrap();
    let done = s
        .import(&pid, &csv, json!({"name": "visits", "delimiter": ";", "encoding": "latin1", "null_values": ["-"], "overrides": []}))
        .await;
    assert_eq!(done["type"], "succeeded", "{done}");
    let types: Vec<(String, String)> = done["result"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c["dtype"].as_str().unwrap().to_string()))
        .collect();
    let want = [("id", "int"), ("city", "string"), ("score", "float"), ("visit", "date"), ("member", "bool")];
    assert_eq!(types, want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>());

    let (st, flow) = s.post(&format!("/api/projects/{pid}/flows"), json!({"name": "visit-log", "dataset": "visits"})).await;
    assert_eq!(st, 200, "{flow}");
    let mut doc = flow.clone();
    let step = |op: &str, params: Value| json!({"op": op, "version": 1, "params": params, "fitted": null, "enabled": true});
    doc["steps"] = json!([
        step("split", json!({"kind": "random", "test_fraction": 0.25})),
        step("fill_missing", json!({"columns": ["score"], "strategy": "median"})),
        step("fill_missing", json!({"columns": ["city"], "strategy": "mode"})),
        step("date_parts", json!({"column": "visit", "parts": ["month", "weekday"]})),
        step("derive", json!({"name": "south", "when": {"column": "city", "op": "eq", "value": "Nîmes"}, "as_int": true})),
    ]);
    let r = s.http.put(format!("{}/api/projects/{pid}/flows/visit-log", s.base)).bearer_auth(&s.token).json(&doc).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (st, t) = s.post(&format!("/api/projects/{pid}/flows/visit-log/run"), json!({})).await;
    assert_eq!(st, 200, "{t}");
    let end = s.events(t["task_id"].as_str().unwrap()).await;
    let result: &Value = &end.last().unwrap()["result"];
    let cairn = PathBuf::from(result["parquet"].as_str().expect("the output's Parquet"));

    let (st, py) = s.get(&format!("/api/projects/{pid}/flows/visit-log/python")).await;
    assert_eq!(st, 200, "{py}");
    let script = py["script"].as_str().unwrap().to_string();
    // The file it is offered as is the one its usage line names.
    assert_eq!(py["file_name"], "visit_log.py");
    assert!(script.contains("Usage: python visit_log.py [OUT.parquet | OUT.csv]"), "{script}");
    let original = csv.canonicalize().unwrap();
    assert!(
        script.contains(&format!(
            "SOURCES = {{\n    \"visits\": {:?},  # dataset visits, imported from this file\n}}",
            original.to_str().unwrap()
        )),
        "{script}"
    );
    assert!(!script.contains(".cairn/artifacts"), "{script}");
    assert!(
        script.contains("separator=\";\"") && script.contains("encoding=\"cp1252\"") && script.contains("null_values=[\"-\"]"),
        "{script}"
    );
    same_as_cairn(s.dir.path(), &script, None, &cairn);

    // Elsewhere: the file copied to another folder (the project's gone from there), SOURCES pointed at it.
    let away = tempfile::tempdir().unwrap();
    let copy = away.path().join("my visits.csv");
    std::fs::copy(&csv, &copy).unwrap();
    same_as_cairn(away.path(), &script, Some(("visits", &copy)), &cairn);

    // The file changed since the import: the script reads Cairn's copy of the data as imported, and says so.
    let mut changed = latin1.clone();
    changed.extend_from_slice(b"41;Lyon;1.5;2024-01-01;true\n");
    std::fs::write(&csv, changed).unwrap();
    let (_, py) = s.get(&format!("/api/projects/{pid}/flows/visit-log/python")).await;
    let script = py["script"].as_str().unwrap().to_string();
    assert!(script.contains(".cairn/artifacts/datasets/") && script.contains("has changed since it was imported"), "{script}");
    same_as_cairn(s.dir.path(), &script, None, &cairn);
}
