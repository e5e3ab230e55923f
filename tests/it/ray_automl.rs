//! AutoML with its trials on a real Ray head (see tests/ray/run.sh): each trial is a one-core Ray job
//! running `cairn worker` with the search's data packed once; the search, the ensemble and the final fit
//! stay here. The same seed and trial budget give the same leaderboard as on this computer, and a
//! cluster that goes away mid-search ends it with the trials that finished (through a TCP relay the
//! test cuts, as in ray_outage.rs).

use std::time::{Duration, Instant};

use cairn_api::{Studio, system_clock};
use cairn_jobs::ray::RayStatus;
use cairn_types::{AddCluster, AutomlResult, AutomlSpec, ClusterKind, JobState, RunStatus};

use crate::ray::cluster;
use crate::ray_outage::Relay;
use crate::ray_train::{project, studio, wait_job};
use crate::training::cairn_bin;

fn spec(on: Option<&str>, trials: Option<u32>, budget: Option<f64>) -> AutomlSpec {
    AutomlSpec {
        dataset: "adult".into(),
        target: "class".into(),
        task: None,
        metric: None,
        budget_seconds: budget,
        max_trials: trials,
        seed: 11,
        models: None,
        features: None,
        positive_class: None,
        experiment: Some("automl-on-ray".into()),
        run_name: None,
        on: on.map(String::from),
    }
}

/// What must agree between two searches: every trial's model, params and score, and the ensemble.
fn board(r: &AutomlResult) -> Vec<(u32, String, String, Option<String>)> {
    r.leaderboard
        .iter()
        .map(|t| (t.number, t.model.as_str().to_string(), format!("{:?}", t.params), t.score.map(|s| format!("{s:.12}"))))
        .collect()
}

#[test]
fn ray_automl_trials_on_the_cluster_give_the_same_leaderboard_as_here() {
    let Some((addr, token)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = studio(&dir.path().join("cfg"), &addr, &token);
    let pid = project(dir.path(), &s);

    let here = s.start_automl(&pid, spec(None, Some(6), None)).unwrap();
    let job = wait_job(&s, &pid, &here.job_id, Duration::from_secs(300));
    assert_eq!(job.state, JobState::Succeeded, "{job:?}");
    let there = s.start_automl(&pid, spec(Some(&addr), Some(6), None)).unwrap();
    let job = wait_job(&s, &pid, &there.job_id, Duration::from_secs(300));
    let (log, _, _) = s.job_log(&pid, &there.job_id, 0).unwrap();
    assert_eq!(job.state, JobState::Succeeded, "{job:?}\n{log}");
    assert!(log.contains("trials run on the cluster at"), "{log}");

    let (a, b) = (s.automl_result(&pid, &here.run_id).unwrap(), s.automl_result(&pid, &there.run_id).unwrap());
    assert_eq!(b.leaderboard.len(), 6);
    assert!(b.leaderboard.iter().all(|t| t.error.is_none() && t.score.is_some()), "{:?}", b.leaderboard);
    assert_eq!(board(&a), board(&b), "the same seed and trial budget, here and on the cluster");
    assert_eq!(a.ensemble, b.ensemble);
    assert_eq!(a.score.map(|s| format!("{s:.12}")), b.score.map(|s| format!("{s:.12}")));

    // Every trial is a nested run of the search, with its metrics, as for a search here.
    let run = s.run(&pid, &there.run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Finished);
    assert!(run.data.tags.iter().any(|t| t.key == "cairn.automl.cluster" && t.value.starts_with("http://127.0.0.1")));
    for t in &b.leaderboard {
        let trial = s.run(&pid, t.run_id.as_deref().expect("a nested run per trial")).unwrap();
        assert_eq!(trial.info.status, RunStatus::Finished);
        assert!(trial.data.tags.iter().any(|g| g.key == "mlflow.parentRunId" && g.value == there.run_id));
        assert!(trial.data.metrics.iter().any(|m| m.key == "roc_auc"), "{:?}", trial.data.metrics);
    }
}

#[test]
fn ray_automl_a_cluster_going_away_mid_search_ends_it_with_the_finished_trials() {
    let Some((addr, token)) = cluster() else { return };
    let upstream = addr.trim_start_matches("http://").to_string();
    let relay = Relay::start(0, upstream);
    let dir = tempfile::tempdir().unwrap();
    let s = Studio::new(&dir.path().join("cfg"), system_clock()).with_worker(cairn_bin());
    let address = format!("http://127.0.0.1:{}", relay.port);
    s.add_cluster(&AddCluster { name: "lab".into(), kind: ClusterKind::Ray, address, token: Some(token) }).unwrap();
    let pid = project(dir.path(), &s);
    let started = s.start_automl(&pid, spec(Some("lab"), None, Some(600.0))).unwrap();

    // Two trials finished on the cluster, then it goes away (its relay is cut, connections included).
    let end = Instant::now() + Duration::from_secs(180);
    loop {
        let finished = s.automl_result(&pid, &started.run_id).map(|r| r.leaderboard.iter().filter(|t| t.score.is_some()).count());
        if finished.unwrap_or(0) >= 2 {
            break;
        }
        assert!(Instant::now() < end, "no two trials finished on the cluster");
        std::thread::sleep(Duration::from_millis(200));
    }
    let cut = Instant::now();
    relay.stop();

    // The search ends well before its 600 s budget, with a model from the trials it had.
    let job = wait_job(&s, &pid, &started.job_id, Duration::from_secs(120));
    let (log, _, _) = s.job_log(&pid, &started.job_id, 0).unwrap();
    assert_eq!(job.state, JobState::Succeeded, "{job:?}\n{log}");
    assert!(cut.elapsed() < Duration::from_secs(90), "ended {:?} after the cut", cut.elapsed());
    assert!(log.contains("stopped answering") && log.contains("the search ends with the trials that finished"), "{log}");
    let r = s.automl_result(&pid, &started.run_id).unwrap();
    assert_eq!(r.stopped, "cluster", "{r:?}");
    assert!(r.leaderboard.iter().filter(|t| t.score.is_some()).count() >= 2);
    assert!(!r.ensemble.is_empty() && r.score.is_some(), "{r:?}");
    // Trials that were running when it went away failed, saying why.
    for t in r.leaderboard.iter().filter(|t| t.score.is_none()) {
        let e = t.error.as_deref().unwrap_or("");
        assert!(e.contains("stopped answering") || e.contains("stopped: the time budget"), "{t:?}");
    }
    let run = s.run(&pid, &started.run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Finished);
    assert!(run.data.tags.iter().any(|t| t.key == "cairn.model.file"), "the final model is saved");
}

#[test]
fn ray_automl_a_cancelled_search_leaves_no_trial_running_on_the_cluster() {
    let Some((addr, token)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = studio(&dir.path().join("cfg"), &addr, &token);
    let pid = project(dir.path(), &s);
    let started = s.start_automl(&pid, spec(Some(&addr), None, Some(600.0))).unwrap();
    let end = Instant::now() + Duration::from_secs(180);
    while s.automl_result(&pid, &started.run_id).map_or(0, |r| r.leaderboard.len()) < 1 {
        assert!(Instant::now() < end, "no trial finished on the cluster");
        std::thread::sleep(Duration::from_millis(200));
    }
    s.cancel_job(&pid, &started.job_id).unwrap();
    let job = wait_job(&s, &pid, &started.job_id, Duration::from_secs(60));
    assert_eq!(job.state, JobState::Cancelled, "{job:?}");
    let r = s.automl_result(&pid, &started.run_id).unwrap();
    assert_eq!(r.stopped, "cancelled");

    // Every trial job the search submitted has ended on the cluster, and those running at the cancel
    // were stopped (STOPPED), not left to finish (SUCCEEDED).
    let client = cairn_jobs::ray::RayClient::new(&addr, Some(token)).unwrap();
    let ids: Vec<String> = (1..=r.leaderboard.len() as u32 + 8).map(|n| format!("cairn-{}-t{n:04}", started.job_id)).collect();
    let end = Instant::now() + Duration::from_secs(30);
    let statuses = loop {
        let statuses: Vec<(String, RayStatus)> =
            ids.iter().filter_map(|id| client.job(id).unwrap().map(|j| (id.clone(), j.status))).collect();
        if statuses.iter().all(|(_, st)| st.is_terminal()) {
            break statuses;
        }
        assert!(Instant::now() < end, "trials still running on the cluster after the cancel: {statuses:?}");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(statuses.iter().any(|(_, st)| *st == RayStatus::Stopped), "no trial was stopped: {statuses:?}");
}
