//! `cairn automl` as a user runs it: a search whose trials are nested runs, a final model that
//! `cairn predict` uses, Ctrl-C that keeps the finished trials and the best model so far, and bad input
//! refused with what to do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn cairn(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cairn")).args(args).env("CAIRN_CONFIG_DIR", config).output().expect("run cairn")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A project holding the first `rows` rows of adult.csv as dataset "adult".
fn project(dir: &Path, rows: usize) -> PathBuf {
    let adult = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/adult.csv");
    let all = std::fs::read_to_string(adult).unwrap();
    let file = dir.join("adult.csv");
    std::fs::write(&file, all.lines().take(rows + 1).collect::<Vec<_>>().join("\n")).unwrap();
    let p = dir.join("proj");
    assert!(cairn(dir, &["new", p.to_str().unwrap()]).status.success());
    let out = cairn(dir, &["import", p.to_str().unwrap(), file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    p
}

fn runs(dir: &Path, p: &str, filter: &str) -> serde_json::Value {
    let out = cairn(dir, &["runs", p, "--filter", filter, "--max", "1000", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_search_records_nested_runs_and_its_model_predicts() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path(), 3000);
    let p = p.to_str().unwrap();
    let out = cairn(dir.path(), &["automl", p, "--data", "adult", "--target", "class", "--trials", "5", "--seed", "3", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // stdout is the JSON alone; the search's log went to stderr.
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
    assert!(text(&out.stderr).contains("best so far"), "{}", text(&out.stderr));
    assert_eq!(r["metric"], "roc_auc");
    assert_eq!(r["stopped"], "trials");
    let board = r["leaderboard"].as_array().unwrap();
    assert_eq!(board.len(), 5);
    assert!(r["best_score"].as_f64().unwrap() > 0.8, "{r}");
    let run = r["run_id"].as_str().unwrap();
    assert_eq!(r["best_trial_run_id"], board[0]["run_id"]);

    // Trials are nested runs of the search: MLflow's parent tag, their params and held-out metrics.
    let page = runs(dir.path(), p, &format!("tags.mlflow.parentRunId = '{run}'"));
    assert_eq!(page["total"], 5, "{page}");
    for t in page["runs"].as_array().unwrap() {
        assert_eq!(t["info"]["status"], "FINISHED", "{t}");
        let metrics: Vec<&str> = t["data"]["metrics"].as_array().unwrap().iter().map(|m| m["key"].as_str().unwrap()).collect();
        assert!(metrics.contains(&"roc_auc") && metrics.contains(&"fit_seconds"), "{metrics:?}");
    }
    let parent = runs(dir.path(), p, "tags.cairn.automl = 'search'");
    assert_eq!(parent["runs"][0]["info"]["status"], "FINISHED", "{parent}");

    let raw = dir.path().join("raw.csv");
    let all = std::fs::read_to_string(dir.path().join("adult.csv")).unwrap();
    std::fs::write(&raw, all.lines().take(6).collect::<Vec<_>>().join("\n")).unwrap();
    let out = cairn(dir.path(), &["predict", p, &run[..10], raw.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert_eq!(csv.lines().count(), 6, "{csv}");
    assert!(csv.lines().next().unwrap().ends_with("prediction,proba_<=50K,proba_>50K"), "{csv}");

    // The best trial's model (a gbm) explains each row: contributions that sum to its margin.
    let best = board.iter().find(|t| t["model"] == "gbm").unwrap()["run_id"].as_str().unwrap();
    let out = cairn(dir.path(), &["predict", p, best, raw.to_str().unwrap(), "--explain"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert!(header.contains(&"contrib_age") && header.ends_with(&["contrib_bias", "margin"]), "{header:?}");

    // The human-readable leaderboard.
    let out = cairn(dir.path(), &["automl", p, "--data", "adult", "--target", "class", "--trials", "2", "--models", "gbm"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("2 trials in") && shown.contains("predict with the final model: cairn predict"), "{shown}");
}

#[test]
fn ctrl_c_keeps_finished_trials_and_the_best_model_so_far() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path(), 3000);
    let p = p.to_str().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["automl", p, "--data", "adult", "--target", "class", "--budget", "10m"])
        .env("CAIRN_CONFIG_DIR", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        if line.unwrap().contains("best so far") {
            break;
        }
    }
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cancelled"), "{}", text(&out.stderr));

    let parent = runs(dir.path(), p, "tags.cairn.automl = 'search'");
    let parent = &parent["runs"][0];
    assert_eq!(parent["info"]["status"], "KILLED", "{parent}");
    let id = parent["info"]["run_id"].as_str().unwrap();
    let trials = runs(dir.path(), p, &format!("tags.mlflow.parentRunId = '{id}'"));
    let statuses: Vec<&str> = trials["runs"].as_array().unwrap().iter().map(|t| t["info"]["status"].as_str().unwrap()).collect();
    assert!(statuses.contains(&"FINISHED"), "{statuses:?}");
    assert!(!statuses.contains(&"RUNNING"), "{statuses:?}");
    // The best model so far stays with its trial and predicts.
    let best = parent["data"]["tags"].as_array().unwrap().iter().find(|t| t["key"] == "cairn.automl.best_run").unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    let raw = dir.path().join("adult.csv");
    let out = cairn(dir.path(), &["predict", p, &best, raw.to_str().unwrap(), "--out", dir.path().join("p.csv").to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn bad_input_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let p = project(dir.path(), 300);
    let p = p.to_str().unwrap();
    let one = dir.path().join("one.csv");
    std::fs::write(&one, "x,y\n1,a\n2,a\n3,a\n").unwrap();
    assert!(cairn(dir.path(), &["import", p, one.to_str().unwrap()]).status.success());

    let cases: [(&[&str], &str); 5] = [
        (&["--data", "one", "--target", "y"], "one class only"),
        (&["--data", "adult", "--target", "clas"], "clas"),
        (&["--data", "adult", "--target", "class", "--budget", "soon"], "is not a duration"),
        (&["--data", "adult", "--target", "class", "--metric", "rmse"], "'rmse' is not a classification metric"),
        (&["--data", "adult", "--target", "class", "--trials", "0"], "at least 1"),
    ];
    for (args, says) in cases {
        let out = cairn(dir.path(), &[&["automl", p][..], args].concat());
        assert!(!out.status.success(), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(says) && err.contains("hint:"), "{args:?}: {err}");
    }
    // Refused before a run exists.
    assert_eq!(runs(dir.path(), p, "")["total"], 0);

    // A budget too short for one trial is found in the search: the run fails and says what to give.
    let out = cairn(dir.path(), &["automl", p, "--data", "adult", "--target", "class", "--budget", "0.001s"]);
    assert!(!out.status.success());
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(all.contains("ran out before") && all.contains("--budget"), "{all}");
}

#[test]
fn the_report_explains_a_search_and_escapes_what_the_data_names() {
    let dir = tempfile::tempdir().unwrap();
    let adult = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/adult.csv");
    let all = std::fs::read_to_string(adult).unwrap();
    // A column whose name is markup, and which predicts: the report must show it as text.
    let lines: Vec<String> = all
        .lines()
        .take(2001)
        .enumerate()
        .map(|(i, l)| if i == 0 { format!("{l},<b>x</b>") } else { format!("{l},{}", u8::from(l.ends_with(">50K")) * 3 + (i % 3) as u8) })
        .collect();
    let file = dir.path().join("adult.csv");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let p = dir.path().join("proj");
    let p = p.to_str().unwrap();
    assert!(cairn(dir.path(), &["new", p]).status.success());
    let out = cairn(dir.path(), &["import", p, file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = cairn(dir.path(), &["automl", p, "--data", "adult", "--target", "class", "--trials", "4", "--seed", "5", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = r["run_id"].as_str().unwrap();

    let file = dir.path().join("report.html");
    let out = cairn(dir.path(), &["report", p, &run[..10], "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).trim().ends_with("report.html"), "prints where it wrote: {}", text(&out.stdout));
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.ends_with("</html>"));
    for part in
        ["Global feature importance", "Partial dependence", "Leaderboard", "Ensemble", "Held-out metrics", "<b>class</b>", "roc_auc"]
    {
        assert!(html.contains(part), "no {part:?}");
    }
    // Five features' partial dependence, each a chart; the positive class's probability.
    assert_eq!(
        html.matches("<div class=\"card\"><h3>").count() - html.matches("<h3>ROC").count() - html.matches("<h3>Precision").count(),
        5
    );
    assert!(html.contains("the mean probability of <b>&gt;50K</b>"), "binary: the positive class");
    assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "the column is named, escaped");
    assert!(!html.contains("<b>x</b>") && !html.contains("<script"), "nothing injected, no scripts");
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing fetched");

    // A plain training run has a report too, without partial dependence.
    let out = cairn(dir.path(), &["train", p, "--data", "adult", "--target", "class", "--model", "gbm", "--name", "one gbm"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["report", p, "one gbm"])
        .env("CAIRN_CONFIG_DIR", dir.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(dir.path().join("one-gbm-report.html")).unwrap();
    assert!(html.contains("Global feature importance") && html.contains("Not measured for this run"));
    assert!(!html.contains("Leaderboard"));
}
