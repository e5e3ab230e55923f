//! The `cairn` binary as a user runs it: help, the happy path, and errors that say what to do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(name)
}

fn cairn(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn")).args(args).env("CAIRN_CONFIG_DIR", config).output().expect("run cairn")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = cairn(dir.path(), &["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in ["serve", "new", "import", "profile", "demo", "datasets"] {
        assert!(help.contains(cmd), "--help does not mention {cmd}:\n{help}");
    }
}

#[test]
fn new_import_and_profile_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("proj");
    let p = p.to_str().unwrap();
    assert!(cairn(dir.path(), &["new", p]).status.success());
    let adult = shared("adult.csv");
    let out = cairn(dir.path(), &["import", p, adult.to_str().unwrap(), "--name", "census"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("32561 rows × 15 columns"), "{}", text(&out.stdout));
    let out = cairn(dir.path(), &["profile", p, "census", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let profile: serde_json::Value = serde_json::from_slice(&out.stdout).expect("profile JSON");
    assert_eq!(profile["rows"], 32561);
    let out = cairn(dir.path(), &["datasets", p]);
    assert!(text(&out.stdout).contains("census"));
}

#[test]
fn errors_name_the_thing_and_give_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("proj");
    let p = p.to_str().unwrap();
    cairn(dir.path(), &["new", p]);

    let out = cairn(dir.path(), &["import", p, "/no/such/file.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error: /no/such/file.csv does not exist") && err.contains("hint:"), "{err}");

    let plain = dir.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    let out = cairn(dir.path(), &["import", plain.to_str().unwrap(), "x.csv"]);
    let err = text(&out.stderr);
    assert!(err.contains("is not a Cairn project") && err.contains("cairn new"), "{err}");

    let out = cairn(dir.path(), &["import", p, shared("adult.csv").to_str().unwrap(), "--type", "age"]);
    let err = text(&out.stderr);
    assert!(err.contains("COLUMN=TYPE"), "{err}");

    let out = cairn(dir.path(), &["import", p, shared("adult.csv").to_str().unwrap(), "--type", "age=decimal"]);
    assert!(text(&out.stderr).contains("unknown type"), "{}", text(&out.stderr));
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("proj");
    cairn(dir.path(), &["demo", p.to_str().unwrap()]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["profile", p.to_str().unwrap(), "readmissions"])
        .env("CAIRN_CONFIG_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -1`: read nothing and hang up.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
}

/// `train` → `runs --filter` → `predict` on raw rows, as in the README; then Ctrl-C during a training
/// cancels its run (KILLED), never leaving it RUNNING.
#[test]
fn train_search_predict_and_interrupt() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("proj");
    let p = p.to_str().unwrap();
    assert!(cairn(dir.path(), &["new", p]).status.success());
    let adult = shared("adult.csv");
    assert!(cairn(dir.path(), &["import", p, adult.to_str().unwrap()]).status.success());

    let out = cairn(dir.path(), &["train", p, "--data", "adult", "--target", "class", "--model", "gbm", "--param", "iterations=30"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("finished: accuracy"), "{}", text(&out.stdout));
    let out = cairn(dir.path(), &["train", p, "--data", "adult", "--target", "class", "--model", "gbm", "--param", "iterations=0"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("iterations") && text(&out.stderr).contains("hint:"), "{}", text(&out.stderr));

    let out = cairn(dir.path(), &["runs", p, "--filter", "metrics.roc_auc > 0.85", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page["total"], 1, "{page}");
    let run = page["runs"][0]["info"]["run_id"].as_str().unwrap().to_string();

    let raw = dir.path().join("raw.csv");
    let all = std::fs::read_to_string(&adult).unwrap();
    let rows: Vec<&str> = all.lines().take(4).collect();
    std::fs::write(&raw, rows.join("\n")).unwrap();
    let out = cairn(dir.path(), &["predict", p, &run[..8], raw.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.lines().next().unwrap().ends_with("prediction,proba_<=50K,proba_>50K"), "{csv}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["train", p, "--data", "adult", "--target", "class", "--model", "random_forest", "--param", "trees=2000"])
        .args(["--validation", "kfold:10", "--name", "interrupted"])
        .env("CAIRN_CONFIG_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        if line.unwrap().starts_with("fitting") {
            break;
        }
    }
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cancelled"), "{}", text(&out.stderr));
    let out = cairn(dir.path(), &["runs", p, "--filter", "attributes.run_name = 'interrupted'", "--json"]);
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page["runs"][0]["info"]["status"], "KILLED", "{page}");
}

/// The wrangling issue's check path from a hand-written flow file: run it, export it as Python, run the
/// script with Python polars and compare; a broken flow file is refused with the step and left as it is.
#[test]
fn flow_run_and_export_python_on_diabetic_data() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("proj");
    assert!(cairn(dir.path(), &["new", p.to_str().unwrap()]).status.success());
    let data = shared("diabetic_data.csv");
    let flow = serde_json::json!({
        "format": 1,
        "name": "readmission",
        "sources": [{"name": "diabetic", "path": data, "null_values": ["?"]}],
        "steps": [
            {"op": "drop", "params": {"columns": ["weight", "payer_code"]}},
            {"op": "derive", "params": {"name": "readmitted_30", "when": {"column": "readmitted", "op": "eq", "value": "<30"}}},
            {"op": "split", "params": {"kind": "stratified", "stratify": "readmitted", "test_fraction": 0.2}},
            {"op": "fill_missing", "params": {"columns": ["race"], "strategy": "mode"}},
            {"op": "one_hot", "params": {"column": "admission_type_id"}}
        ]
    });
    std::fs::create_dir_all(p.join("flows")).unwrap();
    let flow_file = p.join("flows/readmission.flow.json");
    std::fs::write(&flow_file, serde_json::to_string_pretty(&flow).unwrap()).unwrap();

    let out_file = dir.path().join("cairn.parquet");
    let out = cairn(dir.path(), &["flow", "run", p.to_str().unwrap(), "readmission", "--out", out_file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("101766 rows × 57 columns"), "{}", text(&out.stdout));
    // What the steps learned is kept in the flow file.
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&flow_file).unwrap()).unwrap();
    assert_eq!(saved["steps"][3]["fitted"]["values"]["race"], "Caucasian");

    // Without --out: a Parquet file in the project's artifacts with its lineage beside it.
    let out = cairn(dir.path(), &["flow", "run", p.to_str().unwrap(), "readmission"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let art = p.join(".cairn/artifacts/flows/readmission");
    let names: Vec<String> = std::fs::read_dir(&art).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(names.iter().any(|n| n.ends_with(".parquet")) && names.iter().any(|n| n.ends_with(".lineage.json")), "{names:?}");

    let script = dir.path().join("readmission.py");
    let out = cairn(dir.path(), &["flow", "export-python", p.to_str().unwrap(), "readmission", "--out", script.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cairn-flow/tests/python-venv.sh");
    let py = Command::new("bash").arg(venv).output().unwrap();
    assert!(py.status.success(), "{}", text(&py.stderr));
    let python = text(&py.stdout).trim().to_string();
    let check = format!(
        "import runpy, sys\nimport polars as pl\nfrom polars.testing import assert_frame_equal\nsys.argv = ['x', {py_out:?}]\nrunpy.run_path({script:?}, run_name='__main__')\nassert_frame_equal(pl.read_parquet({cairn:?}), pl.read_parquet({py_out:?}), check_exact=False)\nprint('same')\n",
        py_out = dir.path().join("python.parquet").to_str().unwrap(),
        script = script.to_str().unwrap(),
        cairn = out_file.to_str().unwrap(),
    );
    let out = Command::new(python).arg("-c").arg(check).output().unwrap();
    assert!(out.status.success() && text(&out.stdout).contains("same"), "{}{}", text(&out.stdout), text(&out.stderr));

    // Renamed and back; a name that is taken is refused with a hint, both files kept.
    let out = cairn(dir.path(), &["flow", "rename", p.to_str().unwrap(), "readmission", "readmission-30"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Renamed flow \"readmission\" to \"readmission-30\""), "{}", text(&out.stdout));
    assert!(!flow_file.exists() && p.join("flows/readmission-30.flow.json").exists());
    std::fs::copy(p.join("flows/readmission-30.flow.json"), &flow_file).unwrap();
    let out = cairn(dir.path(), &["flow", "rename", p.to_str().unwrap(), "readmission-30", "readmission"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("already has a flow \"readmission\"") && err.contains("hint:"), "{err}");
    assert!(flow_file.exists() && p.join("flows/readmission-30.flow.json").exists());
    std::fs::remove_file(p.join("flows/readmission-30.flow.json")).unwrap();

    // A hand-edited file with an unknown op: refused with the step and a hint, the file untouched.
    let mut broken = flow.clone();
    broken["steps"][1]["op"] = "derive_magic".into();
    let broken_text = serde_json::to_string_pretty(&broken).unwrap();
    std::fs::write(&flow_file, &broken_text).unwrap();
    let out = cairn(dir.path(), &["flow", "run", p.to_str().unwrap(), "readmission"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("step 2: unknown operator \"derive_magic\"") && err.contains("hint:"), "{err}");
    assert_eq!(std::fs::read_to_string(&flow_file).unwrap(), broken_text);
}

/// Blank cells (empty, one space, several, a tab) in a numeric column, with a BOM and hundreds of
/// categories, as a new user imports them: numeric, the blanks missing, with or without `--null ?`. A
/// type error's hint speaks in flags here (the API's speaks of the import dialog's controls).
#[test]
fn blank_cells_are_missing_from_the_command_line_too() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("proj");
    let p = p.to_str().unwrap();
    assert!(cairn(dir.path(), &["new", p]).status.success());
    let mut csv = String::from("\u{feff}id,score,clinic,flag\n");
    for i in 0..900 {
        let score = match i % 30 {
            1 => String::new(),
            2 => " ".into(),
            3 => "   ".into(),
            4 => "\t".into(),
            _ => (i % 70).to_string(),
        };
        let flag = if i % 45 == 7 { "?".to_string() } else { (i % 2).to_string() };
        csv.push_str(&format!("{i},{score},clinic-{},{flag}\n", i % 400));
    }
    let file = dir.path().join("scores.csv");
    std::fs::write(&file, csv).unwrap();
    for (name, extra) in [("plain", &[][..]), ("question", &["--null", "?"][..])] {
        let mut args = vec!["import", p, file.to_str().unwrap(), "--name", name];
        args.extend_from_slice(extra);
        let out = cairn(dir.path(), &args);
        assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
        let out = cairn(dir.path(), &["profile", p, name, "--json"]);
        let profile: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let col = |c: &str| profile["columns"].as_array().unwrap().iter().find(|x| x["name"] == c).unwrap().clone();
        assert_eq!(col("id")["dtype"], "int", "the BOM is not part of the first name");
        assert_eq!((col("score")["dtype"].as_str(), col("score")["missing"].as_u64()), (Some("int"), Some(120)), "{name}");
        assert_eq!((col("clinic")["dtype"].as_str(), col("clinic")["distinct"].as_u64()), (Some("string"), Some(400)));
        assert_eq!((col("flag")["dtype"].as_str(), col("flag")["missing"].as_u64()), (Some("int"), Some(20)), "{name}");
    }

    let out = cairn(dir.path(), &["import", p, file.to_str().unwrap(), "--name", "typed", "--null", "", "--type", "flag=int"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("column `flag` cannot be read as int") && err.contains("\"?\""), "{err}");
    assert!(err.contains("--null VALUE") && err.contains("--type COLUMN=string") && !err.contains("Read as missing"), "{err}");
}

/// `cairn model`: register a trained run, approve, approve again (refused), reject without and with a
/// reason, aliases, the list as JSON, the history and the card; the actor is $USER unless --actor.
#[test]
fn model_register_approve_reject_alias_list() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("proj");
    let p = p.to_str().unwrap();
    let csv = dir.path().join("adult.csv");
    let all = std::fs::read_to_string(shared("adult.csv")).unwrap();
    std::fs::write(&csv, all.lines().take(1001).collect::<Vec<_>>().join("\n")).unwrap();
    assert!(cairn(dir.path(), &["new", p]).status.success());
    assert!(cairn(dir.path(), &["import", p, csv.to_str().unwrap()]).status.success());
    let out = cairn(dir.path(), &["train", p, "--data", "adult", "--target", "class", "--model", "gbm", "--name", "first"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));

    let model = |args: &[&str]| {
        let mut all = vec!["model"];
        all.extend_from_slice(args);
        Command::new(env!("CARGO_BIN_EXE_cairn")).args(&all).env("CAIRN_CONFIG_DIR", dir.path()).env("USER", "tester").output().unwrap()
    };
    let out = model(&["register", p, "first", "--name", "census", "--description", "income"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("registered census@1 (PendingManualApproval)"), "{}", text(&out.stdout));
    let out = model(&["approve", p, "census@1"]);
    assert!(text(&out.stdout).contains("census@1 Approved by tester"), "{}{}", text(&out.stdout), text(&out.stderr));
    let out = model(&["approve", p, "census@1", "--actor", "bo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("version 1 of model `census` is already Approved"), "{}", text(&out.stderr));
    let out = model(&["reject", p, "census@1"]);
    assert!(!out.status.success() && text(&out.stderr).contains("--reason"), "clap asks for the reason: {}", text(&out.stderr));
    let out = model(&["reject", p, "census@1", "--reason", "too slow", "--actor", "bo"]);
    assert!(text(&out.stdout).contains("Rejected by bo: too slow"), "{}{}", text(&out.stdout), text(&out.stderr));
    let out = model(&["alias", p, "census@1", "champion"]);
    assert!(text(&out.stdout).contains("census@champion → version 1"), "{}{}", text(&out.stdout), text(&out.stderr));
    let out = model(&["approve", p, "census@champion", "--reason", "re-measured"]);
    assert!(out.status.success(), "an alias names the version: {}", text(&out.stderr));

    let out = model(&["list", p, "--json"]);
    let groups: serde_json::Value = serde_json::from_slice(&out.stdout).expect("list JSON");
    let v = &groups[0]["versions"][0];
    assert_eq!(
        (groups[0]["name"].as_str(), v["approval"]["status"].as_str(), v["aliases"][0].as_str()),
        (Some("census"), Some("Approved"), Some("champion"))
    );
    assert!(text(&model(&["list", p]).stdout).contains("v1    Approved"), "{}", text(&model(&["list", p]).stdout));

    let out = model(&["alias", p, "census", "champion", "--remove"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = model(&["history", p, "census", "--json"]);
    let events: serde_json::Value = serde_json::from_slice(&out.stdout).expect("history JSON");
    let kinds: Vec<(&str, &str)> =
        events.as_array().unwrap().iter().map(|e| (e["kind"].as_str().unwrap(), e["actor"].as_str().unwrap())).collect();
    assert_eq!(
        kinds,
        [
            ("registered", "tester"),
            ("status", "tester"),
            ("status", "bo"),
            ("alias_set", "tester"),
            ("status", "tester"),
            ("alias_removed", "tester")
        ]
    );
    let card = text(&model(&["card", p, "census@1"]).stdout);
    assert!(card.contains("predicts `class`") && card.contains("trained on `adult`") && card.contains("re-measured"), "{card}");
    let out = model(&["approve", p, "census@7"]);
    assert!(text(&out.stderr).contains("has no version 7"), "{}", text(&out.stderr));
}
