//! Built-in training on a real Ray head (see tests/ray/run.sh): the job runs `cairn worker` on the
//! cluster with the binary and the data packed, and its outcome lands in the local run as a local
//! training's would; a new studio on the same project re-attaches to a running job.

use std::path::Path;
use std::time::{Duration, Instant};

use cairn_api::{ImportObserver, Studio, system_clock};
use cairn_types::{ImportRequest, JobInfo, JobState, ModelKind, RunStatus, TrainSpec};

use crate::ray::cluster;
use crate::shared;
use crate::training::cairn_bin;

pub(crate) fn studio(cfg: &Path, addr: &str, token: &str) -> Studio {
    let s = Studio::new(cfg, system_clock()).with_worker(cairn_bin());
    s.set_cluster_token(addr, Some(token.into()));
    s
}

/// A project with a 3,000-row sample of adult.csv imported as `adult`.
pub(crate) fn project(dir: &Path, studio: &Studio) -> String {
    let text = std::fs::read_to_string(shared("adult.csv")).unwrap();
    let sample: String = text.lines().take(3001).map(|l| format!("{l}\n")).collect();
    let csv = dir.join("adult.csv");
    std::fs::write(&csv, sample).unwrap();
    let info = studio.create_project(&dir.join("p").to_string_lossy(), None).unwrap();
    let obs = ImportObserver { task: None, on_progress: None };
    let req = ImportRequest { path: csv.to_string_lossy().into_owned(), options: Default::default() };
    studio.import_now(&info.id, &req, &obs).unwrap();
    studio.flush();
    info.id
}

pub(crate) fn gbm(params: &[(&str, &str)]) -> TrainSpec {
    TrainSpec {
        dataset: "adult".into(),
        target: "class".into(),
        task: None,
        model: ModelKind::Gbm,
        params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        features: None,
        validation: Default::default(),
        seed: 7,
        experiment: Some("on-ray".into()),
        run_name: None,
        positive_class: None,
    }
}

pub(crate) fn wait_job(studio: &Studio, pid: &str, job: &str, within: Duration) -> JobInfo {
    let end = Instant::now() + within;
    loop {
        let j = studio.job(pid, job).unwrap();
        if !matches!(j.state, JobState::Queued | JobState::Running) || Instant::now() > end {
            return j;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn a_gbm_trained_on_ray_lands_in_the_local_run() {
    let Some((addr, token)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = studio(&dir.path().join("cfg"), &addr, &token);
    let pid = project(dir.path(), &s);
    let started = s.start_training_on(&pid, gbm(&[]), Some(&addr)).unwrap();
    let job = wait_job(&s, &pid, &started.job_id, Duration::from_secs(240));
    let (log, _, done) = s.job_log(&pid, &started.job_id, 0).unwrap();
    assert_eq!(job.state, JobState::Succeeded, "{job:?}\nlog:\n{log}");
    assert!(done);
    assert!(log.contains("on the cluster") && log.contains("finished: "), "{log}");
    assert!(!log.contains("CAIRN-RESULT"), "the result block is not shown as log");
    assert!(job.executor.starts_with("ray:http://127.0.0.1"), "{}", job.executor);

    let run = s.run(&pid, &started.run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Finished);
    let auc = run.data.metrics.iter().find(|m| m.key == "roc_auc").expect("roc_auc logged").value;
    assert!(auc > 0.8, "roc_auc {auc}");
    assert!(run.data.params.iter().any(|p| p.key == "model" && p.value == "gbm"));
    assert!(run.data.tags.iter().any(|t| t.key == "cairn.executor" && t.value.starts_with("ray:")));
    let eval = s.evaluation(&pid, &started.run_id).unwrap();
    assert!(!eval.importances.is_empty());
    // The model came home: it predicts here.
    let rows = dir.path().join("rows.csv");
    let text = std::fs::read_to_string(dir.path().join("adult.csv")).unwrap();
    std::fs::write(&rows, text.lines().take(6).map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let mut preds = s.predict(&pid, &started.run_id, &rows).unwrap();
    assert_eq!(preds.height(), 5);
    let _ = cairn_api::csv_string(&mut preds);
}

#[test]
fn a_new_studio_reattaches_to_a_running_ray_job() {
    let Some((addr, token)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    let first = studio(&cfg, &addr, &token);
    let pid = project(dir.path(), &first);
    let started = first.start_training_on(&pid, gbm(&[("iterations", "400"), ("early_stopping_rounds", "0")]), Some(&addr)).unwrap();
    assert_eq!(first.job(&pid, &started.job_id).unwrap().state, JobState::Running);
    // The app goes away mid-job (its follower stops with it) and starts again on the same project.
    drop(first);
    let again = studio(&cfg, &addr, &token);
    let info = again.open_project(&dir.path().join("p").to_string_lossy()).unwrap();
    let job = again.job(&info.id, &started.job_id).unwrap();
    assert_eq!(job.state, JobState::Running, "not marked failed on restart: {job:?}");
    let job = wait_job(&again, &info.id, &started.job_id, Duration::from_secs(240));
    let (log, _, _) = again.job_log(&info.id, &started.job_id, 0).unwrap();
    assert_eq!(job.state, JobState::Succeeded, "{job:?}\n{log}");
    let run = again.run(&info.id, &started.run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Finished);
    assert!(run.data.metrics.iter().any(|m| m.key == "roc_auc"));
}

#[test]
fn a_remote_training_is_stopped_and_the_run_killed() {
    let Some((addr, token)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = studio(&dir.path().join("cfg"), &addr, &token);
    let pid = project(dir.path(), &s);
    let started = s.start_training_on(&pid, gbm(&[("iterations", "5000"), ("early_stopping_rounds", "0")]), Some(&addr)).unwrap();
    let job = s.cancel_job(&pid, &started.job_id).unwrap();
    assert_eq!(job.state, JobState::Cancelled, "{job:?}");
    assert_eq!(s.run(&pid, &started.run_id).unwrap().info.status, RunStatus::Killed);
}

#[test]
fn a_wrong_token_creates_no_run() {
    let Some((addr, _)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = studio(&dir.path().join("cfg"), &addr, "not-the-token");
    let pid = project(dir.path(), &s);
    let err = s.start_training_on(&pid, gbm(&[]), Some(&addr)).unwrap_err();
    assert_eq!(err.code, cairn_types::ErrorCode::ClusterAuth, "{err:?}");
    assert!(err.message.contains("refused the token"), "{}", err.message);
    assert!(s.jobs(&pid).unwrap().is_empty(), "nothing recorded");
}

#[test]
fn cairn_train_on_ray_follows_the_log_like_a_local_training() {
    let Some((addr, token)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = studio(&dir.path().join("cfg"), &addr, &token);
    project(dir.path(), &s);
    let on = addr.replacen("http://", "ray://", 1);
    let out = std::process::Command::new(cairn_bin())
        .args(["train", &dir.path().join("p").to_string_lossy(), "--data", "adult", "--target", "class", "--model", "gbm"])
        .args(["--on", &on, "--token", &token])
        .env("CAIRN_CONFIG_DIR", dir.path().join("cli-cfg"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("on the cluster") && stdout.contains("finished: roc_auc") || stdout.contains("finished: "), "{stdout}");

    let out = std::process::Command::new(cairn_bin())
        .args(["train", &dir.path().join("p").to_string_lossy(), "--data", "adult", "--target", "class", "--model", "gbm"])
        .args(["--on", &on, "--token", "wrong"])
        .env("CAIRN_CONFIG_DIR", dir.path().join("cli-cfg"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("refused the token"), "{stderr}");
}

#[test]
fn a_custom_command_job_has_a_run_and_needs_trust() {
    let Some((addr, token)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = studio(&dir.path().join("cfg"), &addr, &token);
    let pid = s.create_project(&dir.path().join("p").to_string_lossy(), None).unwrap().id;
    let code = dir.path().join("code");
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("train.py"), "import os, sys\nprint('lr', os.environ['LR'])\nsys.exit(int(os.environ['CODE']))\n").unwrap();
    let job = |exit: &str| cairn_api::CommandJob {
        dir: code.clone(),
        command: "python train.py".into(),
        env: [("LR".to_string(), "0.1".to_string()), ("CODE".to_string(), exit.to_string())].into(),
        resources: cairn_api::Resources { cpus: Some(0.5), ..Default::default() },
        experiment: None,
    };
    let err = s.start_command_on(&pid, job("0"), Some(&addr), false).unwrap_err();
    assert!(err.message.contains("not trusted"), "{}", err.message);
    assert!(s.jobs(&pid).unwrap().is_empty(), "nothing recorded for an untrusted folder");

    let ok = s.start_command_on(&pid, job("0"), Some(&addr), true).unwrap();
    let failed = s.start_command_on(&pid, job("3"), Some(&addr), true).unwrap();
    let j = wait_job(&s, &pid, &ok.job_id, Duration::from_secs(180));
    let (log, _, _) = s.job_log(&pid, &ok.job_id, 0).unwrap();
    assert_eq!(j.state, JobState::Succeeded, "{j:?}\n{log}");
    assert!(log.contains("lr 0.1"), "{log}");
    assert_eq!(s.run(&pid, &ok.run_id).unwrap().info.status, RunStatus::Finished);
    let j = wait_job(&s, &pid, &failed.job_id, Duration::from_secs(180));
    assert_eq!(j.state, JobState::Failed, "{j:?}");
    assert_eq!(j.exit_code, Some(3), "{j:?}");
    assert!(j.error.as_deref().unwrap_or("").contains("exit code 3"), "{j:?}");
    assert_eq!(s.run(&pid, &failed.run_id).unwrap().info.status, RunStatus::Failed);
}

#[test]
fn cairn_job_run_sends_a_folder_and_follows_the_command() {
    let Some((addr, token)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("train.py"), "import os, sys\nprint('args', sys.argv[1:], os.environ['LR'])\n").unwrap();
    let cfg = dir.path().join("cli-cfg");
    let p = dir.path().join("p");
    assert!(
        std::process::Command::new(cairn_bin())
            .args(["new", &p.to_string_lossy()])
            .env("CAIRN_CONFIG_DIR", &cfg)
            .status()
            .unwrap()
            .success()
    );
    let out = std::process::Command::new(cairn_bin())
        .args(["job", "run", &p.to_string_lossy(), "--on", &addr, "--token", &token, "--dir", &code.to_string_lossy()])
        .args(["--env", "LR=0.5", "--cpus", "0.5", "--", "python", "train.py", "a b"])
        .env("CAIRN_CONFIG_DIR", &cfg)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("args ['a b'] 0.5"), "{stdout}");
}
