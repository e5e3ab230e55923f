//! Training as a job with real parts: the `cairn` binary as the worker child, a real project database,
//! real data. Covers cancel, a killed worker, a killed app, and recovery after a restart.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cairn_api::{ImportObserver, Studio, system_clock};
use cairn_types::{ErrorCode, ImportRequest, JobState, ModelKind, RunStatus, SearchRuns, TrainSpec};

use crate::shared;

/// The `cairn` binary built beside this test (target/debug/cairn).
pub fn cairn_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    exe.parent().and_then(|deps| deps.parent()).expect("target dir").join("cairn")
}

/// A project with a 3,000-row sample of adult.csv imported as `adult`.
fn project(dir: &Path) -> (Studio, String) {
    let text = std::fs::read_to_string(shared("adult.csv")).unwrap();
    let sample: String = text.lines().take(3001).map(|l| format!("{l}\n")).collect();
    let csv = dir.join("adult.csv");
    std::fs::write(&csv, sample).unwrap();
    let studio = Studio::new(&dir.join("cfg"), system_clock()).with_worker(cairn_bin());
    let info = studio.create_project(&dir.join("p").to_string_lossy(), None).unwrap();
    let obs = ImportObserver { task: None, on_progress: None };
    let req = ImportRequest { path: csv.to_string_lossy().into_owned(), options: Default::default() };
    studio.import_now(&info.id, &req, &obs).unwrap();
    (studio, info.id)
}

fn spec(model: ModelKind) -> TrainSpec {
    TrainSpec {
        dataset: "adult".into(),
        target: "class".into(),
        task: None,
        model,
        params: Default::default(),
        features: None,
        validation: Default::default(),
        seed: 7,
        experiment: Some("census".into()),
        run_name: None,
        positive_class: None,
    }
}

fn wait_job(studio: &Studio, pid: &str, job: &str, within: Duration) -> cairn_types::JobInfo {
    let end = Instant::now() + within;
    loop {
        let j = studio.job(pid, job).unwrap();
        if !matches!(j.state, JobState::Queued | JobState::Running) || Instant::now() > end {
            return j;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn train_search_evaluate_and_predict() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid) = project(dir.path());
    let started = studio.start_training(&pid, spec(ModelKind::Gbm)).unwrap();
    let job = wait_job(&studio, &pid, &started.job_id, Duration::from_secs(300));
    let (log, _, _) = studio.job_log(&pid, &started.job_id, 0).unwrap();
    assert_eq!(job.state, JobState::Succeeded, "job {job:?}\nlog:\n{log}");
    let run = studio.run(&pid, &started.run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Finished);
    let auc = run.data.metrics.iter().find(|m| m.key == "roc_auc").expect("roc_auc logged").value;
    assert!(auc > 0.8, "roc_auc {auc}");
    assert!(run.data.params.iter().any(|p| p.key == "model" && p.value == "gbm"));
    assert!(run.data.tags.iter().any(|t| t.key == "cairn.dataset.digest"));
    assert!(log.contains("training gbm on adult"), "{log}");

    let eval = studio.evaluation(&pid, &started.run_id).unwrap();
    assert!(eval.roc.as_ref().is_some_and(|r| r.x.len() > 2));
    assert!(!eval.importances.is_empty());

    let q = SearchRuns {
        experiment_ids: vec![started.experiment_id.clone()],
        filter: "metrics.roc_auc > 0.8 and params.model = 'gbm'".into(),
        ..Default::default()
    };
    assert_eq!(studio.search_runs(&pid, &q).unwrap().total, 1);

    let raw = dir.path().join("new.csv");
    let text = std::fs::read_to_string(shared("adult.csv")).unwrap();
    let rows: String = text.lines().skip(20_000).take(5).map(|l| format!("{l}\n")).collect();
    std::fs::write(&raw, format!("{}\n{rows}", text.lines().next().unwrap())).unwrap();
    let predicted = studio.predict(&pid, &started.run_id, &raw).unwrap();
    assert_eq!(predicted.height(), 5);
    let names: Vec<String> = predicted.get_column_names().iter().map(|n| n.to_string()).collect();
    assert!(names.contains(&"prediction".to_string()), "{names:?}");

    // A file without a column the model needs is named with the column; empty values are missing, not errors.
    let thin = dir.path().join("thin.csv");
    std::fs::write(&thin, "age,workclass\n30,Private\n").unwrap();
    let err = studio.predict(&pid, &started.run_id, &thin).unwrap_err();
    assert_eq!(err.code, ErrorCode::ColumnNotFound, "{err:?}");
    assert!(err.message.contains("thin.csv") && err.message.contains("'fnlwgt'"), "{err:?}");
    let header = text.lines().next().unwrap();
    let blanks = header.split(',').map(|_| "").collect::<Vec<_>>().join(",");
    let sparse = dir.path().join("sparse.csv");
    std::fs::write(&sparse, format!("{header}\n{}\n{blanks}\n", text.lines().nth(1).unwrap())).unwrap();
    assert_eq!(studio.predict(&pid, &started.run_id, &sparse).unwrap().height(), 2);
}

#[test]
fn bad_specs_are_refused_before_a_run_exists() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid) = project(dir.path());
    let mut s = spec(ModelKind::Logistic);
    s.target = "income".into();
    let err = studio.start_training(&pid, s).unwrap_err();
    assert_eq!(err.code, ErrorCode::ColumnNotFound, "{err:?}");
    let mut s = spec(ModelKind::Gbm);
    s.params.insert("learning_rate".into(), "-3".into());
    let err = studio.start_training(&pid, s).unwrap_err();
    assert!(err.message.contains("learning_rate"), "{err:?}");
    let all = studio.experiments(&pid, &Default::default()).unwrap();
    let ids = all.experiments.into_iter().map(|e| e.experiment_id).collect();
    let runs = studio.search_runs(&pid, &SearchRuns { experiment_ids: ids, ..Default::default() }).unwrap();
    assert_eq!(runs.total, 0, "a refused spec must not leave a run");
}

/// A training long enough to interrupt (a big forest on the sample).
fn slow(studio: &Studio, pid: &str) -> cairn_types::TrainStarted {
    let mut s = spec(ModelKind::RandomForest);
    // Tens of seconds even with the ML crates optimized; every test using it interrupts it early.
    s.params.insert("trees".into(), "2000".into());
    s.validation = cairn_types::Validation::KFold { folds: 10 };
    studio.start_training(pid, s).unwrap()
}

#[test]
fn cancel_marks_the_run_killed() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid) = project(dir.path());
    let started = slow(&studio, &pid);
    std::thread::sleep(Duration::from_millis(1500));
    let job = studio.cancel_job(&pid, &started.job_id).unwrap();
    assert_eq!(job.state, JobState::Cancelled, "{job:?}");
    let run = studio.run(&pid, &started.run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Killed);
}

fn kill9(pid: u32) {
    let ok = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap().success();
    assert!(ok, "kill -9 {pid}");
}

#[test]
fn a_killed_worker_is_marked_failed_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid) = project(dir.path());
    let started = slow(&studio, &pid);
    std::thread::sleep(Duration::from_millis(1500));
    let job = studio.job(&pid, &started.job_id).unwrap();
    kill9(job.pid.expect("pid"));
    let job = wait_job(&studio, &pid, &started.job_id, Duration::from_secs(20));
    assert_eq!(job.state, JobState::Failed);
    assert!(job.error.as_deref().unwrap_or("").contains("without reporting"), "{job:?}");
    let run = studio.run(&pid, &started.run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Failed);
    assert!(run.data.tags.iter().any(|t| t.key == "cairn.error"));
}

/// The app (here `cairn train`, the worker's parent) is killed with -9 mid-training: the worker notices
/// and records the run failed; and when both die, the next start marks it failed. Nothing stays RUNNING
/// and the database passes its integrity check.
#[test]
fn killing_the_app_never_leaves_a_run_running() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid) = project(dir.path());
    let project_dir = dir.path().join("p");
    let cfg = dir.path().join("cfg");
    let start_cli = || {
        std::process::Command::new(cairn_bin())
            .args(["train", &project_dir.to_string_lossy(), "--data", "adult", "--target", "class", "--model", "random_forest"])
            .args(["--param", "trees=2000", "--validation", "kfold:10"])
            .env("CAIRN_CONFIG_DIR", &cfg)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let running_job = |studio: &Studio| {
        let end = Instant::now() + Duration::from_secs(60);
        loop {
            let jobs = studio.jobs(&pid).unwrap();
            if let Some(j) = jobs.into_iter().find(|j| j.state == JobState::Running && j.pid.is_some()) {
                return j;
            }
            assert!(Instant::now() < end, "no job started");
            std::thread::sleep(Duration::from_millis(200));
        }
    };

    // 1. Kill the app only: its worker stops and records why.
    let mut cli = start_cli();
    let job = running_job(&studio);
    std::thread::sleep(Duration::from_millis(800));
    kill9(cli.id());
    let _ = cli.wait();
    let job = wait_job(&studio, &pid, &job.id, Duration::from_secs(20));
    assert_eq!(job.state, JobState::Failed, "{job:?}");
    assert!(job.error.as_deref().unwrap_or("").contains("closed"), "{job:?}");

    // 2. Kill the app and its worker together: the next start marks the run failed.
    let mut cli = start_cli();
    let job = running_job(&studio);
    kill9(cli.id());
    kill9(job.pid.unwrap());
    let _ = cli.wait();
    std::thread::sleep(Duration::from_millis(300));
    let restarted = Studio::new(&cfg, system_clock()).with_worker(cairn_bin());
    let info = restarted.open_project(&project_dir.to_string_lossy()).unwrap();
    let job = restarted.job(&info.id, &job.id).unwrap();
    assert_ne!(job.state, JobState::Running, "{job:?}");
    let run = restarted.run(&info.id, &job.run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Failed);

    let all = restarted.experiments(&info.id, &Default::default()).unwrap();
    let ids = all.experiments.into_iter().map(|e| e.experiment_id).collect();
    let q = SearchRuns { experiment_ids: ids, filter: "attributes.status = 'RUNNING'".into(), ..Default::default() };
    assert_eq!(restarted.search_runs(&info.id, &q).unwrap().total, 0, "a run stayed RUNNING");
    let ok: String = rusqlite::Connection::open(project_dir.join(".cairn/cairn.db"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}
