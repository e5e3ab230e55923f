//! Jobs on a real Ray head (started by tests/ray/run.sh on loopback with token auth, which sets
//! RAY_ADDRESS and RAY_TOKEN). Without those variables every test here prints a note and passes, so a
//! plain `cargo test` needs no Ray.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use cairn_jobs::ray::{RayClient, SubmitRequest};
use cairn_jobs::{Executor, JobError, JobKind, JobSpec, Outcome, Poll, RayExecutor, Resources, SPEC_VERSION, Submitted};

/// The cluster to test against, or None (with a note) when tests/ray/run.sh did not start one.
pub fn cluster() -> Option<(String, String)> {
    match (std::env::var("RAY_ADDRESS"), std::env::var("RAY_TOKEN")) {
        (Ok(a), Ok(t)) if !a.is_empty() => Some((a, t)),
        _ => {
            eprintln!("note: RAY_ADDRESS/RAY_TOKEN not set; skipping (run tests/ray/run.sh for the Ray tests)");
            None
        }
    }
}

fn unique(prefix: &str) -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}_{:x}_{}", t, std::process::id())
}

fn command_job(dir: &Path, command: &str, env: &[(&str, &str)]) -> JobSpec {
    JobSpec {
        version: SPEC_VERSION,
        job_id: unique("job"),
        project: dir.to_path_buf(),
        run_id: String::new(),
        experiment_id: String::new(),
        parent_pid: None,
        kind: JobKind::Command {
            dir: dir.to_path_buf(),
            command: command.into(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            resources: Resources { cpus: Some(0.5), ..Default::default() },
        },
    }
}

/// Polls until the job ends; returns how it ended.
pub fn wait_end(ex: &dyn Executor, job: &Submitted, within: Duration) -> (Outcome, Option<i32>, Option<String>) {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if let Poll::Ended { outcome, exit_code, message } = ex.poll(job).unwrap() {
            return (outcome, exit_code, message);
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("the Ray job did not end within {within:?}");
}

fn script_dir(body: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("train.py"), body).unwrap();
    std::fs::create_dir_all(d.path().join(".git")).unwrap();
    std::fs::write(d.path().join(".git/big"), vec![0u8; 1024]).unwrap();
    d
}

#[test]
fn a_custom_script_runs_with_its_folder_env_and_logs_followed_by_offset() {
    let Some((addr, token)) = cluster() else { return };
    let src = script_dir(
        "import os, time\nprint('hello from', os.environ['GREETING'], flush=True)\n\
         for i in range(3):\n    print('step', i, flush=True)\n    time.sleep(0.3)\n\
         print('exists .git:', os.path.exists('.git'))\n",
    );
    let ex = RayExecutor::connect(&addr, Some(token)).unwrap();
    let spec = command_job(src.path(), "python train.py", &[("GREETING", "cairn")]);
    let jobdir = tempfile::tempdir().unwrap();
    let sub = ex.submit(&spec, jobdir.path()).unwrap();
    assert_eq!(sub.external_id.as_deref(), Some(format!("cairn-{}", spec.job_id).as_str()));

    // Follow the log by offset until the job ends: every line once, in order.
    let mut offset = 0;
    let mut seen = String::new();
    let end = Instant::now() + Duration::from_secs(120);
    loop {
        let (text, next) = ex.logs(&sub, jobdir.path(), offset).unwrap();
        seen.push_str(&text);
        offset = next;
        if let Poll::Ended { outcome, exit_code, .. } = ex.poll(&sub).unwrap() {
            let (rest, _) = ex.logs(&sub, jobdir.path(), offset).unwrap();
            seen.push_str(&rest);
            assert_eq!(outcome, Outcome::Succeeded, "{seen}");
            assert_eq!(exit_code, Some(0));
            break;
        }
        assert!(Instant::now() < end, "timed out: {seen}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(seen.contains("hello from cairn"), "{seen}");
    assert_eq!(seen.matches("step 1").count(), 1, "{seen}");
    assert!(seen.contains("exists .git: False"), "version control is not packed: {seen}");

    // The same submission id again is refused before Ray's 500.
    let err = ex.submit(&spec, jobdir.path()).unwrap_err();
    assert!(matches!(err, JobError::AlreadySubmitted { .. }), "{err}");
}

#[test]
fn the_same_folder_is_uploaded_once() {
    let Some((addr, token)) = cluster() else { return };
    let src = script_dir(&format!("print('{}')\n", unique("content")));
    let pkg = cairn_jobs::package::build(cairn_jobs::package::entries_of(src.path()).unwrap()).unwrap();
    let again = cairn_jobs::package::build(cairn_jobs::package::entries_of(src.path()).unwrap()).unwrap();
    assert_eq!(pkg.name, again.name, "the package is byte-for-byte the same");
    assert!(pkg.name.starts_with("_ray_pkg_") && pkg.name.ends_with(".zip"));
    let client = RayClient::new(&addr, Some(token.clone())).unwrap();
    assert!(!client.has_package(&pkg.name).unwrap());
    let ex = RayExecutor::connect(&addr, Some(token)).unwrap();
    let sub = ex.submit(&command_job(src.path(), "python train.py", &[]), tempfile::tempdir().unwrap().path()).unwrap();
    assert!(client.has_package(&pkg.name).unwrap(), "uploaded under its content-hash name");
    assert_eq!(wait_end(&ex, &sub, Duration::from_secs(120)).0, Outcome::Succeeded);
}

#[test]
fn a_failing_job_reports_its_exit_code_and_message() {
    let Some((addr, token)) = cluster() else { return };
    let src = script_dir("import sys\nprint('about to fail')\nsys.exit(7)\n");
    let ex = RayExecutor::connect(&addr, Some(token)).unwrap();
    let jobdir = tempfile::tempdir().unwrap();
    let sub = ex.submit(&command_job(src.path(), "python train.py", &[]), jobdir.path()).unwrap();
    let (outcome, code, message) = wait_end(&ex, &sub, Duration::from_secs(120));
    assert_eq!(outcome, Outcome::Failed);
    assert_eq!(code, Some(7));
    let message = message.unwrap_or_default();
    assert!(message.contains("exit code 7") || message.contains("7"), "{message}");
    assert!(ex.logs(&sub, jobdir.path(), 0).unwrap().0.contains("about to fail"));
}

#[test]
fn a_running_job_is_stopped() {
    let Some((addr, token)) = cluster() else { return };
    let src = script_dir("import time\nprint('started', flush=True)\ntime.sleep(300)\n");
    let ex = RayExecutor::connect(&addr, Some(token)).unwrap();
    let jobdir = tempfile::tempdir().unwrap();
    let sub = ex.submit(&command_job(src.path(), "python train.py", &[]), jobdir.path()).unwrap();
    let t = Instant::now();
    while !ex.logs(&sub, jobdir.path(), 0).unwrap().0.contains("started") {
        assert!(t.elapsed() < Duration::from_secs(120), "the job never started");
        std::thread::sleep(Duration::from_millis(200));
    }
    ex.cancel(&sub, jobdir.path(), Duration::from_secs(30)).unwrap();
    assert_eq!(wait_end(&ex, &sub, Duration::from_secs(60)).0, Outcome::Stopped);
}

#[test]
fn a_missing_package_fails_the_job_with_rays_reason() {
    let Some((addr, token)) = cluster() else { return };
    let client = RayClient::new(&addr, Some(token.clone())).unwrap();
    let id = unique("cairn-missing");
    let req = SubmitRequest {
        entrypoint: "python -c 'print(1)'".into(),
        submission_id: id.clone(),
        runtime_env: serde_json::json!({ "working_dir": format!("gcs://_ray_pkg_{}.zip", "0".repeat(40)) }),
        metadata: BTreeMap::new(),
        ..Default::default()
    };
    client.submit(&req).unwrap();
    let ex = RayExecutor::connect(&addr, Some(token)).unwrap();
    let sub = Submitted { pid: None, pid_started: None, external_id: Some(id) };
    let (outcome, _, message) = wait_end(&ex, &sub, Duration::from_secs(120));
    assert_eq!(outcome, Outcome::Failed);
    assert!(message.unwrap_or_default().contains("RUNTIME_ENV_SETUP_FAILURE"));
}

#[test]
fn a_wrong_or_missing_token_is_named_and_nothing_is_submitted() {
    let Some((addr, _)) = cluster() else { return };
    let src = script_dir("print('never')\n");
    let err = RayExecutor::connect(&addr, Some("0".repeat(32))).err().unwrap();
    assert!(matches!(err, JobError::TokenRefused { .. }), "{err}");
    assert!(err.to_string().contains("refused the token") && err.to_string().contains("127.0.0.1"), "{err}");
    let err = RayExecutor::connect(&addr, None).err().unwrap();
    assert!(matches!(err, JobError::TokenMissing { .. }), "{err}");

    // Even an executor made without checking submits nothing: the first request is refused.
    let ex = RayExecutor::offline(&addr, Some("wrong".into())).unwrap();
    let spec = command_job(src.path(), "python train.py", &[]);
    let err = ex.submit(&spec, tempfile::tempdir().unwrap().path()).unwrap_err();
    assert!(matches!(err, JobError::TokenRefused { .. }), "{err}");
    let (_, token) = cluster().unwrap();
    let client = RayClient::new(&addr, Some(token)).unwrap();
    assert!(client.job(&format!("cairn-{}", spec.job_id)).unwrap().is_none(), "nothing was submitted");
}

#[test]
fn an_unreachable_cluster_and_a_wrong_address_are_named() {
    // A closed loopback port: needs no cluster.
    let err = RayExecutor::connect("ray://127.0.0.1:9", None).err().unwrap();
    assert!(err.is_unreachable(), "{err}");
    assert!(err.to_string().contains("http://127.0.0.1:9"), "{err}");
    let api: cairn_types::ApiError = err.into();
    assert!(api.hint.is_some());
}

#[test]
fn an_untrusted_folder_is_refused_before_anything_runs() {
    let src = script_dir("print('never')\n");
    let spec = command_job(src.path(), "python train.py", &[]);
    let err = cairn_jobs::check_trusted(&spec, false).unwrap_err();
    assert!(matches!(err, JobError::Untrusted { .. }), "{err}");
    assert!(err.to_string().contains(&src.path().display().to_string()));
    cairn_jobs::check_trusted(&spec, true).unwrap();
}

#[test]
fn a_package_over_the_limit_is_refused_before_uploading() {
    let d = tempfile::tempdir().unwrap();
    // Random bytes do not compress: a file just over the limit is refused once packed.
    let mut bytes = vec![0u8; cairn_jobs::package::MAX_PACKAGE_BYTES as usize + 1];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in bytes.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    std::fs::write(d.path().join("noise.bin"), &bytes).unwrap();
    let err = cairn_jobs::package::build(cairn_jobs::package::entries_of(d.path()).unwrap()).unwrap_err();
    assert!(matches!(err, JobError::PackageTooLarge { .. }), "{err}");
    assert!(err.to_string().contains("at most 100 MiB"), "{err}");
    // A sparse file of 4 GiB: refused by its size, its bytes never read.
    std::fs::remove_file(d.path().join("noise.bin")).unwrap();
    let f = std::fs::File::create(d.path().join("huge.bin")).unwrap();
    f.set_len(4 * 1024 * 1024 * 1024).unwrap();
    let err = cairn_jobs::package::build(cairn_jobs::package::entries_of(d.path()).unwrap()).unwrap_err();
    assert!(matches!(err, JobError::PackageTooLarge { .. }), "{err}");
}
