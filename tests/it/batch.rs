//! Batch predictions with real parts: a GBM trained by the `cairn` worker, registered and aliased; files
//! with blanks, unseen categories, quoted fields and values whose type a chunk alone would guess wrong;
//! the chunks' predictions checked byte for byte against `cairn predict` on the whole file; bad rows
//! reported by row and line; a worker killed with -9 mid-run and resumed; the HTTP routes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cairn_api::batch::{BatchOptions, batch_predict};
use cairn_api::{ImportObserver, Studio, system_clock};
use cairn_types::{BatchFormat, BatchPredictRequest, ErrorCode, ImportRequest, JobState, ModelKind, RegisterModel, TrainSpec};

use crate::training::cairn_bin;

pub(crate) const CITIES: [&str; 6] = ["Lyon", "Oslo", "Lima", "Pune", "Kobe", "Graz"];

/// A training table: numbers with blanks, two text features, a yes/no target that depends on them.
fn training_csv(path: &Path, rows: u64) {
    let mut s = String::from("id,age,income,city,plan,churn\n");
    for i in 0..rows {
        let age = 18 + (i * 7919) % 60;
        let income = 1000.0 + ((i * 104_729) % 9000) as f64 / 4.0;
        let city = CITIES[(i % 6) as usize];
        let plan = if i % 3 == 0 { "pro" } else { "basic" };
        let churn = if (age < 35) ^ (income > 2800.0) ^ (i % 11 == 0) ^ (city == "Oslo") { "yes" } else { "no" };
        let age = if i % 23 == 0 { String::new() } else { age.to_string() };
        let income = if i % 17 == 0 { String::new() } else { format!("{income}") };
        let _ = writeln!(s, "{i},{age},{income},{city},{plan},{churn}");
    }
    std::fs::write(path, s).unwrap();
}

/// A project with a GBM trained on `training_csv`, registered as `churn` v1 with the alias `champion`.
pub(crate) fn trained(dir: &Path) -> (Studio, String, PathBuf) {
    let csv = dir.join("train.csv");
    training_csv(&csv, 2000);
    let studio = Studio::new(&dir.join("cfg"), system_clock()).with_worker(cairn_bin());
    let info = studio.create_project(&dir.join("p").to_string_lossy(), None).unwrap();
    let obs = ImportObserver { task: None, on_progress: None };
    let req = ImportRequest { path: csv.to_string_lossy().into_owned(), options: Default::default() };
    studio.import_now(&info.id, &req, &obs).unwrap();
    let spec = TrainSpec {
        dataset: "train".into(),
        target: "churn".into(),
        task: None,
        model: ModelKind::Gbm,
        params: Default::default(),
        features: Some(vec!["age".into(), "income".into(), "city".into(), "plan".into()]),
        validation: Default::default(),
        seed: 3,
        experiment: None,
        run_name: None,
        positive_class: None,
    };
    let started = studio.start_training(&info.id, spec).unwrap();
    let job = wait(&studio, &info.id, &started.job_id, Duration::from_secs(300));
    assert_eq!(job.state, JobState::Succeeded, "{job:?}");
    let version = studio
        .register_model(
            &info.id,
            &RegisterModel { run_id: started.run_id.clone(), model: "churn".into(), description: None, intended_use: None, actor: None },
        )
        .unwrap();
    studio.set_alias(&info.id, "churn", "champion", version.version, None).unwrap();
    let model = studio.artifact_path(&info.id, &started.run_id, "model.cairn").unwrap();
    (studio, info.id, model)
}

fn wait(studio: &Studio, pid: &str, job: &str, within: Duration) -> cairn_types::JobInfo {
    let end = Instant::now() + within;
    loop {
        let j = studio.job(pid, job).unwrap();
        if !matches!(j.state, JobState::Queued | JobState::Running) || Instant::now() > end {
            return j;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Rows to predict: blanks and spaces in number columns, unseen cities, quoted fields with commas and
/// quotes, and columns whose first rows suggest another type than the whole file has: `zip` looks like
/// integers until row 300 (so the file's column is text and keeps "00501"), `score` like integers until
/// row 200 (a float column), `city` holds digits in its first rows (still a text feature).
fn predict_csv(path: &Path, rows: u64) {
    let mut s = String::from("id,zip,score,age,income,city,plan,note\n");
    for i in 0..rows {
        let zip = if i == 300 { "A17".to_string() } else { format!("{:05}", 501 + i % 40) };
        let score = if i < 200 { (i % 9).to_string() } else { format!("{}.25", i % 9) };
        let age = match i % 13 {
            0 => String::new(),
            5 => "  ".into(),
            7 => "NA".into(),
            _ => (18 + (i * 31) % 60).to_string(),
        };
        let income = match i % 11 {
            0 => String::new(),
            4 => format!(" {}.5 ", 1500 + i % 2000),
            _ => format!("{}", 1200.0 + ((i * 977) % 4000) as f64 / 8.0),
        };
        let city = if i < 5 {
            format!("{}", 100 + i)
        } else if i % 29 == 0 {
            "Atlantis".into()
        } else {
            CITIES[(i % 6) as usize].into()
        };
        let plan = if i % 41 == 0 {
            ""
        } else if i % 2 == 0 {
            "pro"
        } else {
            "basic"
        };
        let note = if i % 10 == 0 { "\"said \"\"hi\"\", then left\"".to_string() } else { "ok".into() };
        let _ = writeln!(s, "{i},{zip},{score},{age},{income},{city},{plan},{note}");
    }
    std::fs::write(path, s).unwrap();
}

fn options(out: &Path, format: BatchFormat, columns: &[&str], chunk_rows: u64) -> BatchOptions {
    BatchOptions {
        out: out.to_path_buf(),
        format,
        columns: columns.iter().map(|c| c.to_string()).collect(),
        chunk_rows,
        resume: false,
        model_label: "test".into(),
        threads: 2,
    }
}

#[test]
fn chunks_predict_exactly_what_cairn_predict_does_and_bad_rows_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid, model) = trained(dir.path());
    let run_id = studio.resolve_model(&pid, "churn@champion").unwrap().run_id;
    let file = dir.path().join("new.csv");
    predict_csv(&file, 500);

    // The whole file at once, as `cairn predict --out` writes it.
    let mut whole = studio.predict(&pid, &run_id, &file).unwrap();
    let expected = cairn_api::csv_string(&mut whole).unwrap();
    // In chunks of 7 rows, every column copied: the same bytes.
    let out = dir.path().join("out.csv");
    let r = batch_predict(&model, &file, &options(&out, BatchFormat::Csv, &["*"], 7), &|_, _| {}, &|| false).unwrap();
    assert_eq!((r.rows, r.scored, r.failed, r.chunks), (500, 500, 0, 72), "{r:?}");
    assert!(r.errors_file.is_none());
    let got = std::fs::read_to_string(&out).unwrap();
    assert!(got == expected, "batch output differs from cairn predict:\n{}", first_difference(&got, &expected));
    assert!(got.lines().nth(1).unwrap().starts_with("0,00501,0.0,"), "{}", got.lines().nth(1).unwrap());
    assert!(!dir.path().join("out.csv.cairn-batch").exists(), "the work folder is removed once the output is whole");

    // Rows that cannot be read or scored: a word and an infinite number in number columns, a row with
    // a field too many; a quoted field spans two lines before them, so lines and rows differ.
    let mut text = std::fs::read_to_string(&file).unwrap();
    text = text.replacen("\"said \"\"hi\"\", then left\"", "\"two\nlines\"", 1);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // lines[0] is the header; data row k (1-based) is lines[k + 1] after the two-line field in row 1.
    lines[6] = lines[6].replacen(",pro,", ",pro,extra,", 1);
    lines[14] = "12,00513,3,abc,1300,Lyon,pro,ok".into();
    lines[22] = "20,00521,2,44,inf,Oslo,pro,ok".into();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let err = studio.predict(&pid, &run_id, &bad).unwrap_err();
    assert!(matches!(err.code, ErrorCode::RaggedRows | ErrorCode::InvalidInput), "cairn predict refuses the whole file: {err:?}");

    let out = dir.path().join("bad_out.csv");
    let r = batch_predict(&model, &bad, &options(&out, BatchFormat::Csv, &["id"], 8), &|_, _| {}, &|| false).unwrap();
    assert_eq!((r.rows, r.scored, r.failed), (500, 497, 3), "{r:?}");
    let listed: Vec<(u64, Option<u64>)> = r.errors.iter().map(|e| (e.row, e.line)).collect();
    assert_eq!(listed, [(5, Some(7)), (13, Some(15)), (21, Some(23))], "{:?}", r.errors);
    assert!(r.errors[0].reason.contains("9 fields where the header has 8"), "{}", r.errors[0].reason);
    assert!(r.errors[1].reason.contains("'age'") && r.errors[1].reason.contains("'abc'"), "{}", r.errors[1].reason);
    assert!(r.errors[2].reason.contains("infinite"), "{}", r.errors[2].reason);
    let errors_file = std::fs::read_to_string(r.errors_file.as_deref().unwrap()).unwrap();
    assert_eq!(errors_file.lines().count(), 4, "{errors_file}");
    assert!(errors_file.starts_with("row,line,reason\n5,7,"), "{errors_file}");

    // Every other row is predicted as cairn predict predicts the file without the bad rows.
    let good_lines: Vec<&String> = lines.iter().enumerate().filter(|(i, _)| ![6, 14, 22].contains(i)).map(|(_, l)| l).collect();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, good_lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let mut whole = studio.predict(&pid, &run_id, &good).unwrap();
    let expected = cairn_api::csv_string(&mut whole).unwrap();
    // id, then the three prediction columns (the last three of cairn predict's lines; row 0's quoted
    // note spans two lines there, so it is left out).
    let by_id = |csv: &str| -> Vec<(String, String)> {
        csv.lines()
            .skip(1)
            .map(|l| {
                let id = l.split(',').next().unwrap_or("").to_string();
                let preds: Vec<&str> = l.rsplitn(4, ',').take(3).collect();
                (id, preds.into_iter().rev().collect::<Vec<_>>().join(","))
            })
            .collect()
    };
    let expected: std::collections::HashMap<String, String> = by_id(&expected).into_iter().collect();
    let got = by_id(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(got.len(), 500);
    assert_eq!(got.iter().filter(|(id, _)| id.is_empty() || id == "4").count(), 1, "row 5 (id 4) is unreadable");
    for (id, preds) in &got {
        match id.as_str() {
            "0" => {}
            // The row with a field too many is not read at all: its copied id is empty too.
            "" | "12" | "20" => assert_eq!(preds, ",,", "row {id} failed: its predictions are empty"),
            _ => assert_eq!(Some(preds), expected.get(id), "row {id}"),
        }
    }
}

fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  batch:   {x}\n  predict: {y}", i + 1);
        }
    }
    format!("lengths {} and {}", a.lines().count(), b.lines().count())
}

#[test]
fn a_worker_killed_mid_run_resumes_from_its_last_finished_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid, model) = trained(dir.path());
    let file = dir.path().join("big.csv");
    crate::write_big_csv(&file, "id,age,income,city,plan", 600_000, |i| {
        format!(
            "{i},{},{}.5,{},{}",
            18 + i % 60,
            1000 + (i * 37) % 5000,
            CITIES[(i % 7 % 6) as usize],
            if i % 2 == 0 { "pro" } else { "basic" }
        )
    });
    // The same work uninterrupted, in this process, for comparison.
    let reference = dir.path().join("reference.parquet");
    let r = batch_predict(&model, &file, &options(&reference, BatchFormat::Parquet, &["id", "city"], 4000), &|_, _| {}, &|| false).unwrap();
    assert_eq!((r.rows, r.chunks, r.failed), (600_000, 150, 0));

    let out = dir.path().join("scores.parquet");
    let req = BatchPredictRequest {
        model: "churn@champion".into(),
        file: Some(file.to_string_lossy().into_owned()),
        out: out.to_string_lossy().into_owned(),
        columns: vec!["id".into(), "city".into()],
        chunk_rows: Some(4000),
        ..Default::default()
    };
    let started = studio.start_batch_prediction(&pid, req.clone()).unwrap();
    let end = Instant::now() + Duration::from_secs(120);
    let done = loop {
        let s = studio.batch_status(&pid, &started.job_id).unwrap();
        let done = s.progress.as_ref().map(|p| p.done).unwrap_or(0);
        if done >= 3 {
            break done;
        }
        assert!(s.job.state == JobState::Running || s.job.state == JobState::Queued, "ended before the kill: {:?}", s.job);
        assert!(Instant::now() < end, "no progress");
        std::thread::sleep(Duration::from_millis(10));
    };
    // A second job on the same output is refused while this one runs (they would share the work folder).
    let err = studio.start_batch_prediction(&pid, req).unwrap_err();
    assert_eq!(err.code, ErrorCode::AlreadyExists, "{err:?}");
    let job = studio.job(&pid, &started.job_id).unwrap();
    let ok = std::process::Command::new("kill").args(["-9", &job.pid.expect("pid").to_string()]).status().unwrap().success();
    assert!(ok);
    let job = wait(&studio, &pid, &started.job_id, Duration::from_secs(20));
    assert_eq!(job.state, JobState::Failed, "{job:?}");
    assert!(!out.exists(), "no output from a killed run");
    let left = cairn_api::batch::progress_of(&out).expect("the work folder stays");
    assert!(left.0 >= done && left.0 < 150, "{left:?}");

    // A re-run cancelled once it has done a little more keeps what it did too.
    let cancelled = studio.rerun_job(&pid, &started.job_id).unwrap();
    let end = Instant::now() + Duration::from_secs(60);
    while cairn_api::batch::progress_of(&out).map_or(0, |p| p.0) < left.0 + 2 {
        assert!(Instant::now() < end, "the re-run made no progress: {:?}", studio.job(&pid, &cancelled.job_id).unwrap());
        std::thread::sleep(Duration::from_millis(5));
    }
    let job = studio.cancel_job(&pid, &cancelled.job_id).unwrap();
    assert_eq!(job.state, JobState::Cancelled, "{job:?}");
    let left = cairn_api::batch::progress_of(&out).expect("the work folder stays");
    assert!(left.0 < 150, "{left:?}");

    // Re-running the job again resumes: the finished chunks are kept, the output equals the uninterrupted one.
    let again = studio.rerun_job(&pid, &cancelled.job_id).unwrap();
    let job = wait(&studio, &pid, &again.job_id, Duration::from_secs(300));
    let (log, _, _) = studio.job_log(&pid, &again.job_id, 0).unwrap();
    assert_eq!(job.state, JobState::Succeeded, "{job:?}\n{log}");
    let status = studio.batch_status(&pid, &again.job_id).unwrap();
    let result = status.result.expect("a result");
    assert_eq!((result.chunks_resumed, result.rows_resumed), (left.0, left.0 * 4000), "{result:?}");
    assert_eq!((result.rows, result.scored), (600_000, 600_000));
    assert!(log.contains("[chunks] 150/150"), "{log}");
    assert!(std::fs::read(&out).unwrap() == std::fs::read(&reference).unwrap(), "the resumed output differs from an uninterrupted run's");
    let run = studio.run(&pid, &again.run_id).unwrap();
    assert!(run.data.metrics.iter().any(|m| m.key == "rows_scored" && m.value == 600_000.0), "{:?}", run.data.metrics);
}

#[tokio::test(flavor = "multi_thread")]
async fn over_http_a_dataset_is_predicted_and_bad_requests_are_refused_before_a_run() {
    let server = crate::Server::start_with(Some(cairn_bin())).await;
    let dir = server.dir.path().join("t");
    std::fs::create_dir_all(&dir).unwrap();
    // The model, trained by a studio of its own in a project the server then opens.
    let d = dir.clone();
    tokio::task::spawn_blocking(move || drop(trained(&d))).await.unwrap();
    let (s, p) = server.post("/api/projects/open", serde_json::json!({"path": dir.join("p")})).await;
    assert_eq!(s, 200, "{p}");
    let pid = p["id"].as_str().unwrap().to_string();

    // A dataset whose income holds an infinite number in row 4: its stored Parquet copy is read in
    // chunks, and the row `predict` refuses is found by halving.
    let csv = dir.join("more.csv");
    predict_csv(&csv, 300);
    let mut lines: Vec<String> = std::fs::read_to_string(&csv).unwrap().lines().map(str::to_string).collect();
    lines[4] = "3,00504,3,40,inf,Oslo,pro,ok".into();
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    let last = server.import(&pid, &csv, serde_json::json!({})).await;
    assert_eq!(last["type"], "succeeded", "{last}");
    let out = dir.join("more_scores.parquet");
    let body = serde_json::json!({"model": "churn@champion", "dataset": "more", "out": out, "columns": ["id"], "chunk_rows": 64});
    let (s, job) = server.post(&format!("/api/projects/{pid}/batch-predictions"), body).await;
    assert_eq!(s, 200, "{job}");
    assert_eq!(job["kind"], "batch");
    let jid = job["id"].as_str().unwrap().to_string();
    let end = Instant::now() + Duration::from_secs(120);
    let status = loop {
        let (s, st) = server.get(&format!("/api/projects/{pid}/batch-predictions/{jid}")).await;
        assert_eq!(s, 200, "{st}");
        if !matches!(st["job"]["state"].as_str(), Some("queued" | "running")) || Instant::now() > end {
            break st;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status["job"]["state"], "succeeded", "{status}");
    let r = &status["result"];
    assert_eq!((r["rows"].as_u64(), r["failed"].as_u64(), r["chunks"].as_u64()), (Some(300), Some(1), Some(5)), "{r}");
    assert_eq!(r["errors"][0]["row"], 4, "{r}");
    assert!(r["errors"][0]["reason"].as_str().unwrap().contains("infinite"), "{r}");
    assert!(r["errors"][0].get("line").is_none(), "a Parquet input has no lines: {r}");
    assert_eq!(status["progress"]["done"], 5);
    assert!(out.is_file());

    // Refused before anything is recorded: a column the model needs is missing, an unknown model, a
    // relative output on a cluster, neither file nor dataset.
    let runs_before = server.get(&format!("/api/projects/{pid}/jobs")).await.1.as_array().unwrap().len();
    let thin = dir.join("thin.csv");
    std::fs::write(&thin, "id,age\n1,30\n").unwrap();
    let cases = [
        (serde_json::json!({"model": "churn@champion", "file": thin, "out": dir.join("x.csv")}), "COLUMN_NOT_FOUND"),
        (serde_json::json!({"model": "nope@1", "file": csv, "out": dir.join("x.csv")}), "MODEL_NOT_FOUND"),
        (serde_json::json!({"model": "churn@champion", "file": csv, "out": "rel.csv", "on": "ray://127.0.0.1:9"}), "INVALID_INPUT"),
        (serde_json::json!({"model": "churn@champion", "out": dir.join("x.csv")}), "INVALID_INPUT"),
        (serde_json::json!({"model": "churn@champion", "file": csv, "out": dir.join("x.csv"), "columns": ["nope"]}), "COLUMN_NOT_FOUND"),
    ];
    for (body, code) in cases {
        let (s, e) = server.post(&format!("/api/projects/{pid}/batch-predictions"), body.clone()).await;
        assert!(s >= 400, "{body}: {s} {e}");
        assert_eq!(e["code"], code, "{body}: {e}");
    }
    let (_, e) = server
        .post(
            &format!("/api/projects/{pid}/batch-predictions"),
            serde_json::json!({"model": "churn@champion", "file": csv, "out": "rel.csv", "on": "ray://127.0.0.1:9"}),
        )
        .await;
    assert!(e["message"].as_str().unwrap().contains("absolute"), "{e}");
    assert_eq!(server.get(&format!("/api/projects/{pid}/jobs")).await.1.as_array().unwrap().len(), runs_before);
}
