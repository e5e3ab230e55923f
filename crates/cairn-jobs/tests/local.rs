//! The local executor with a stand-in worker: a shell script that behaves like `cairn worker SPEC`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cairn_jobs::{Executor, JobKind, JobSpec, LocalExecutor, Poll, SPEC_VERSION, alive, process_id};
use cairn_types::{ModelKind, TrainSpec};

fn spec(dir: &Path) -> JobSpec {
    JobSpec {
        version: SPEC_VERSION,
        job_id: "job_1".into(),
        project: dir.to_path_buf(),
        run_id: "r1".into(),
        experiment_id: "0".into(),
        parent_pid: Some(std::process::id()),
        kind: JobKind::Train {
            spec: TrainSpec {
                dataset: "d".into(),
                target: "t".into(),
                task: None,
                model: ModelKind::Gbm,
                params: Default::default(),
                features: None,
                validation: Default::default(),
                seed: 1,
                experiment: None,
                run_name: None,
                positive_class: None,
            },
            data: None,
        },
    }
}

/// A worker script: prints its arguments, then runs `body`.
fn worker(dir: &Path, body: &str) -> PathBuf {
    let p = dir.join("worker.sh");
    std::fs::write(&p, format!("#!/bin/sh\necho \"args: $1 $2\"\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    p
}

fn wait_ended(ex: &LocalExecutor, job: &cairn_jobs::Submitted, within: Duration) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if ex.poll(job).unwrap() != Poll::Running {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn a_job_runs_in_a_child_with_its_log_and_spec() {
    let dir = tempfile::tempdir().unwrap();
    let ex = LocalExecutor::new(worker(dir.path(), "echo done; exit 3"));
    let jobdir = dir.path().join("job");
    let (sub, mut child) = ex.spawn(&spec(dir.path()), &jobdir).unwrap();
    assert!(sub.pid.is_some());
    assert_eq!(LocalExecutor::wait_child(&mut child), Some(3));
    let log = std::fs::read_to_string(jobdir.join("log.txt")).unwrap();
    assert!(log.contains("args: worker") && log.contains("spec.json") && log.contains("done"), "{log}");
    let back = JobSpec::read(&jobdir.join("spec.json")).unwrap();
    assert_eq!(back, spec(dir.path()));
}

#[test]
fn cancel_writes_the_marker_and_a_worker_that_honours_it_stops() {
    let dir = tempfile::tempdir().unwrap();
    let jobdir = dir.path().join("job");
    let body = format!("while [ ! -f {}/cancel ]; do sleep 0.05; done; echo cancelled", jobdir.display());
    let ex = LocalExecutor::new(worker(dir.path(), &body));
    let sub = ex.submit(&spec(dir.path()), &jobdir).unwrap();
    assert_eq!(ex.poll(&sub).unwrap(), Poll::Running);
    ex.cancel(&sub, &jobdir, Duration::from_secs(5)).unwrap();
    assert!(wait_ended(&ex, &sub, Duration::from_secs(5)));
    assert!(std::fs::read_to_string(jobdir.join("log.txt")).unwrap().contains("cancelled"));
}

#[test]
fn a_worker_that_ignores_the_marker_is_stopped_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let jobdir = dir.path().join("job");
    let ex = LocalExecutor::new(worker(dir.path(), "sleep 60"));
    let sub = ex.submit(&spec(dir.path()), &jobdir).unwrap();
    let t = Instant::now();
    ex.cancel(&sub, &jobdir, Duration::from_millis(200)).unwrap();
    assert!(wait_ended(&ex, &sub, Duration::from_secs(5)), "still running after TERM/KILL");
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_reused_pid_is_not_the_job() {
    let me = process_id(std::process::id());
    assert!(alive(me));
    let other = cairn_jobs::ProcessId { pid: me.pid, started: me.started.map(|s| s + 1) };
    assert!(!alive(other));
    assert!(!alive(cairn_jobs::ProcessId { pid: u32::MAX - 1, started: None }));
}

#[test]
fn a_spec_from_a_newer_cairn_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("spec.json");
    let mut v = serde_json::to_value(spec(dir.path())).unwrap();
    v["version"] = serde_json::json!(SPEC_VERSION + 1);
    std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    let err = JobSpec::read(&p).unwrap_err();
    assert!(err.to_string().contains("this Cairn reads up to"), "{err}");
}
