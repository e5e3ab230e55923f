//! Batch predictions on a real Ray head (see tests/ray/run.sh): the model and the input travel in the
//! job's package, the output is written where the cluster writes (this machine), progress is followed
//! from the log, the result lands in the local run; a job stopped mid-run resumes from its finished chunks.

use std::time::{Duration, Instant};

use cairn_api::batch::{BatchOptions, batch_predict};
use cairn_types::{BatchFormat, BatchPredictRequest, JobState};

use crate::batch::{CITIES, trained};
use crate::ray::cluster;
use crate::ray_train::wait_job;

#[test]
fn a_batch_prediction_on_ray_writes_its_output_and_resumes_after_a_stop() {
    let Some((addr, token)) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid, model) = trained(dir.path());
    studio.set_cluster_token(&addr, Some(token));
    let file = dir.path().join("rows.csv");
    crate::write_big_csv(&file, "id,age,income,city,plan", 400_000, |i| {
        let age = if i % 19 == 0 { "abc".to_string() } else { (18 + i % 60).to_string() };
        format!("{i},{age},{}.5,{},{}", 1000 + (i * 37) % 5000, CITIES[(i % 6) as usize], if i % 2 == 0 { "pro" } else { "basic" })
    });
    let reference = dir.path().join("reference.csv");
    let opts = BatchOptions {
        out: reference.clone(),
        format: BatchFormat::Csv,
        columns: vec!["id".into()],
        chunk_rows: 2000,
        resume: false,
        model_label: "here".into(),
        threads: 1,
    };
    let r = batch_predict(&model, &file, &opts, &|_, _| {}, &|| false).unwrap();
    assert_eq!((r.rows, r.failed, r.chunks), (400_000, 21_053, 200));

    let out = dir.path().join("on_ray.csv");
    let req = BatchPredictRequest {
        model: "churn@champion".into(),
        file: Some(file.to_string_lossy().into_owned()),
        out: out.to_string_lossy().into_owned(),
        columns: vec!["id".into()],
        chunk_rows: Some(2000),
        on: Some(addr.clone()),
        ..Default::default()
    };
    let started = studio.start_batch_prediction(&pid, req).unwrap();
    // Stopped once a few chunks are done (the work folder is on this machine, so progress is seen here).
    let end = Instant::now() + Duration::from_secs(240);
    loop {
        let s = studio.batch_status(&pid, &started.job_id).unwrap();
        if s.progress.as_ref().is_some_and(|p| p.done >= 3) {
            break;
        }
        assert!(matches!(s.job.state, JobState::Queued | JobState::Running), "ended before the stop: {:?}", s.job);
        assert!(Instant::now() < end, "no progress on the cluster");
        std::thread::sleep(Duration::from_millis(20));
    }
    let job = studio.cancel_job(&pid, &started.job_id).unwrap();
    assert_eq!(job.state, JobState::Cancelled, "{job:?}");
    let left = cairn_api::batch::progress_of(&out).expect("the work folder stays");
    assert!(left.0 >= 3 && left.0 < 200, "{left:?}");

    let again = studio.rerun_job(&pid, &started.job_id).unwrap();
    let job = wait_job(&studio, &pid, &again.job_id, Duration::from_secs(300));
    let (log, _, _) = studio.job_log(&pid, &again.job_id, 0).unwrap();
    assert_eq!(job.state, JobState::Succeeded, "{job:?}\n{log}");
    assert!(job.executor.starts_with("ray:"), "{}", job.executor);
    assert!(log.contains("on the cluster") && log.contains("[chunks] 200/200"), "{log}");
    assert!(!log.contains("CAIRN-RESULT"), "the result block is not shown as log");
    let result = studio.batch_status(&pid, &again.job_id).unwrap().result.expect("the result recorded from the log");
    assert!(result.chunks_resumed >= left.0, "{result:?}");
    assert_eq!((result.rows, result.failed), (400_000, 21_053));
    assert_eq!(result.errors[0].row, 1);
    assert!(result.errors[0].reason.contains("'abc'"), "{:?}", result.errors[0]);
    assert!(std::fs::read(&out).unwrap() == std::fs::read(&reference).unwrap(), "the cluster's output differs from this computer's");
    let errors = std::fs::read_to_string(result.errors_file.as_deref().unwrap()).unwrap();
    assert_eq!(errors.lines().count(), 21_054);
    let run = studio.run(&pid, &again.run_id).unwrap();
    assert!(run.data.metrics.iter().any(|m| m.key == "rows_failed" && m.value == 21_053.0), "{:?}", run.data.metrics);
}
