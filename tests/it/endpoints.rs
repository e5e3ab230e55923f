//! Real-time endpoints with real parts: models trained by the `cairn` worker, registered and approved,
//! served by real `cairn endpoint-serve` processes over loopback HTTP; killed with SIGKILL, restarted
//! by the studio's watcher, found again by a new studio, switched between versions under load.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cairn_api::{ImportObserver, Studio, system_clock};
use cairn_types::{
    ApprovalStatus, CaptureSpec, DeployEndpoint, EndpointStatus, ErrorCode, GroundTruthUpload, ImportRequest, InvokeEndpoint, ModelKind,
    RegisterModel, TrainSpec, VariantSpec,
};

use crate::shared;
use crate::training::cairn_bin;

fn studio(dir: &Path) -> Studio {
    Studio::new(&dir.join("cfg"), system_clock()).with_worker(cairn_bin())
}

fn train(studio: &Studio, pid: &str, model: ModelKind) -> String {
    let spec = TrainSpec {
        dataset: "adult".into(),
        target: "class".into(),
        task: None,
        model,
        params: Default::default(),
        features: None,
        validation: Default::default(),
        seed: 1,
        experiment: None,
        run_name: None,
        positive_class: None,
    };
    crate::registry::train_and_wait(studio, pid, spec)
}

/// Rows a user would send: a blank numeric cell, an unseen category, a quoted field.
const ROWS: &str = "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country\n\
39,State-gov,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,2174,0,40,United-States\n\
,Martian,83311,\"Bachelors\",13,Married-civ-spouse,Exec-managerial,Husband,White,Male,0,0,,Atlantis\n\
52,Self-emp-inc,287927,HS-grad,9,Married-civ-spouse,Exec-managerial,Wife,White,Female,15024,0,40,United-States\n";

/// The positive class's probabilities `cairn predict` gives for ROWS with a run's model.
fn predicted(studio: &Studio, pid: &str, run: &str, dir: &Path) -> Vec<u64> {
    let file = dir.join("rows.csv");
    std::fs::write(&file, ROWS).unwrap();
    let df = studio.predict(pid, run, &file).unwrap();
    let col = df.column("proba_>50K").unwrap().f64().unwrap();
    (0..col.len()).map(|i| col.get(i).unwrap().to_bits()).collect()
}

/// The same probabilities as the endpoint answers them (JSON records).
fn served(studio: &Studio, pid: &str, name: &str) -> Vec<u64> {
    let r = studio.invoke_endpoint(pid, name, &InvokeEndpoint { content_type: "text/csv".into(), body: ROWS.into() }).unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    v["predictions"].as_array().unwrap().iter().map(|p| p["proba_>50K"].as_f64().unwrap().to_bits()).collect()
}

fn wait_for(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn kill9(pid: u32) {
    let ok = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap().success();
    assert!(ok, "kill -9 {pid}");
}

#[test]
fn deploy_switch_crash_restart_adopt_stop() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = std::fs::read_to_string(shared("adult.csv")).unwrap();
    let csv = dir.join("adult.csv");
    std::fs::write(&csv, text.lines().take(2001).map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let s = studio(dir);
    let pid = s.create_project(&dir.join("p").to_string_lossy(), None).unwrap().id;
    let req = ImportRequest { path: csv.to_string_lossy().into_owned(), options: Default::default() };
    s.import_now(&pid, &req, &ImportObserver { task: None, on_progress: None }).unwrap();
    let (gbm, logistic) = (train(&s, &pid, ModelKind::Gbm), train(&s, &pid, ModelKind::Logistic));
    for run in [&gbm, &logistic] {
        let reg = RegisterModel { run_id: run.clone(), model: "income".into(), description: None, intended_use: None, actor: None };
        s.register_model(&pid, &reg).unwrap();
    }
    // An unapproved group cannot be deployed by name alone.
    let by_group = DeployEndpoint {
        name: "inc".into(),
        variants: vec![VariantSpec { model: "income".into(), weight: 1.0, name: None }],
        capture: None,
        port: None,
    };
    let err = s.deploy_endpoint(&pid, &by_group).unwrap_err();
    assert_eq!(err.code, ErrorCode::ModelNotFound, "{err:?}");
    s.set_approval(&pid, "income", 1, ApprovalStatus::Approved, Some("ana"), Some("beats the baseline")).unwrap();
    s.set_alias(&pid, "income", "champion", 1, None).unwrap();

    let deploy = DeployEndpoint {
        name: "inc".into(),
        variants: vec![VariantSpec { model: "income@champion".into(), weight: 1.0, name: None }],
        capture: Some(CaptureSpec { percent: 100.0, input: true, output: true }),
        port: None,
    };
    let e = s.deploy_endpoint(&pid, &deploy).unwrap();
    assert_eq!(e.status, EndpointStatus::Running);
    assert_eq!((e.variants[0].model.as_str(), e.variants[0].version), ("income", 1));
    let again = s.deploy_endpoint(&pid, &deploy).unwrap_err();
    assert_eq!(again.code, ErrorCode::AlreadyExists);

    // Bit-for-bit what `cairn predict` answers, for both versions.
    let (v1, v2) = (predicted(&s, &pid, &gbm, dir), predicted(&s, &pid, &logistic, dir));
    assert_ne!(v1, v2);
    assert_eq!(served(&s, &pid, "inc"), v1);

    // A group or version that a running endpoint serves is not deleted.
    assert_eq!(s.delete_model_group(&pid, "income", None).unwrap_err().code, ErrorCode::EndpointLive);
    assert_eq!(s.delete_model_version(&pid, "income", 1, None).unwrap_err().code, ErrorCode::EndpointLive);

    // The alias moves: the endpoint follows, and no request fails while it switches.
    let url = e.url.clone().unwrap();
    let (stop, sent, failed) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load = {
        let (stop, sent, failed, key, url) = (stop.clone(), sent.clone(), failed.clone(), e.key.clone(), url.clone());
        std::thread::spawn(move || {
            let http = reqwest::blocking::Client::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let r = http
                    .post(format!("{url}/invocations"))
                    .bearer_auth(&key)
                    .header("Content-Type", "text/csv")
                    .header("X-Amzn-SageMaker-Inference-Id", format!("req-{i}"))
                    .body(ROWS)
                    .send();
                sent.fetch_add(1, Ordering::Relaxed);
                if !r.is_ok_and(|r| r.status().is_success()) {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    s.set_approval(&pid, "income", 2, ApprovalStatus::Approved, None, None).unwrap();
    s.set_alias(&pid, "income", "champion", 2, None).unwrap();
    wait_for("the endpoint to follow the alias", 30, || served(&s, &pid, "inc") == v2);
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    load.join().unwrap();
    assert!(sent.load(Ordering::Relaxed) > 20, "too few requests during the switch");
    assert_eq!(failed.load(Ordering::Relaxed), 0, "requests failed while the endpoint switched versions");
    assert_eq!(s.endpoint(&pid, "inc").unwrap().variants[0].version, 2);

    // Captured requests read back: each request's inference id is there; ground truth joins on it.
    let capture_lines = || -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        let mut stack = vec![dir.join("p/capture/inc")];
        while let Some(d) = stack.pop() {
            for f in std::fs::read_dir(&d).unwrap().flatten() {
                if f.path().is_dir() {
                    stack.push(f.path());
                } else {
                    out.extend(std::fs::read_to_string(f.path()).unwrap().lines().filter_map(|l| serde_json::from_str(l).ok()));
                }
            }
        }
        out
    };
    let lines = capture_lines();
    assert!(lines.len() >= sent.load(Ordering::Relaxed), "{} captured of {}", lines.len(), sent.load(Ordering::Relaxed));
    assert!(lines.iter().any(|l| l["eventMetadata"]["inferenceId"] == "req-1"));
    let gt = s
        .upload_ground_truth(&pid, "inc", &GroundTruthUpload { text: "inference_id,label\nreq-1,>50K\nreq-2,<=50K\nnobody,<=50K\n".into() })
        .unwrap();
    assert_eq!((gt.written, gt.matched), (3, 2));

    // kill -9: the studio's watcher starts it again, on the same key.
    let first = s.endpoint(&pid, "inc").unwrap();
    kill9(first.pid.unwrap());
    wait_for("the endpoint to be restarted", 60, || {
        let e = s.endpoint(&pid, "inc").unwrap();
        e.status == EndpointStatus::Running && e.pid != first.pid
    });
    assert_eq!(served(&s, &pid, "inc"), v2);
    let restarted = s.endpoint(&pid, "inc").unwrap();
    assert_eq!(restarted.key, first.key);
    assert!(restarted.message.contains("restarted"), "{}", restarted.message);

    // The studio closes; the endpoint runs on and the next studio finds the same process.
    drop(s);
    let s = studio(dir);
    let pid = s.open_project(&dir.join("p").to_string_lossy()).unwrap().id;
    let found = s.endpoint(&pid, "inc").unwrap();
    assert_eq!((found.status, found.pid), (EndpointStatus::Running, restarted.pid));
    assert_eq!(served(&s, &pid, "inc"), v2);

    // It dies while no studio watches: the next studio starts it again.
    drop(s);
    kill9(restarted.pid.unwrap());
    let s = studio(dir);
    let pid = s.open_project(&dir.join("p").to_string_lossy()).unwrap().id;
    wait_for("the endpoint to be started again on open", 60, || {
        let e = s.endpoint(&pid, "inc").unwrap();
        e.status == EndpointStatus::Running && e.pid.is_some() && e.pid != restarted.pid
    });
    assert_eq!(served(&s, &pid, "inc"), v2);

    // Stop: the process is gone, requests are refused saying so, the record stays.
    let last = s.endpoint(&pid, "inc").unwrap().pid.unwrap();
    let stopped = s.stop_endpoint(&pid, "inc").unwrap();
    assert_eq!(stopped.status, EndpointStatus::Stopped);
    assert!(
        !Path::new(&format!("/proc/{last}")).exists()
            || std::fs::read_to_string(format!("/proc/{last}/cmdline")).unwrap_or_default().is_empty()
    );
    let down = s.invoke_endpoint(&pid, "inc", &InvokeEndpoint { content_type: "text/csv".into(), body: ROWS.into() }).unwrap_err();
    assert_eq!(down.code, ErrorCode::EndpointDown);
    s.delete_model_version(&pid, "income", 1, None).unwrap();
    s.delete_endpoint(&pid, "inc").unwrap();
    assert_eq!(s.endpoint(&pid, "inc").unwrap_err().code, ErrorCode::EndpointNotFound);
}
