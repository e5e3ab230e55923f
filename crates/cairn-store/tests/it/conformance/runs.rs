use cairn_store::TrackingStore;
use cairn_store::tracking::{RUN_NAME_TAG, is_run_id};
use cairn_types::{ErrorCode, LifecycleStage, RunStatus};

use super::{expect_err, t, tag};

pub fn create_run_defaults(s: &dyn TrackingStore) {
    let run = s.create_run("0", None, "ana", 1_000, &[t("mlflow.source.type", "LOCAL")]).unwrap();
    let info = &run.info;
    assert!(is_run_id(&info.run_id), "32 lowercase hex: {}", info.run_id);
    assert_eq!((info.experiment_id.as_str(), info.user_id.as_str()), ("0", "ana"));
    assert_eq!((info.status, info.start_time, info.end_time), (RunStatus::Running, 1_000, None));
    assert_eq!(info.lifecycle_stage, LifecycleStage::Active);
    assert!(!info.artifact_uri.is_empty());
    // A generated name looks like MLflow's: adjective-noun-number, at most 20 characters.
    let parts: Vec<&str> = info.run_name.split('-').collect();
    assert_eq!(parts.len(), 3, "{}", info.run_name);
    assert!(parts[2].parse::<u32>().is_ok() && info.run_name.len() <= 20, "{}", info.run_name);
    assert_eq!(tag(&run.data.tags, RUN_NAME_TAG), Some(info.run_name.as_str()));
    assert_eq!(tag(&run.data.tags, "mlflow.source.type"), Some("LOCAL"));
    assert!(run.data.metrics.is_empty() && run.data.params.is_empty() && run.inputs.dataset_inputs.is_empty());
    assert_eq!(s.get_run(&info.run_id).unwrap(), run);
    let other = s.create_run("", Some(""), "ana", 1_001, &[]).unwrap();
    assert_ne!(other.info.run_id, info.run_id);
    assert_eq!(other.info.experiment_id, "0", "an empty experiment id is the Default experiment");
}

pub fn create_run_names(s: &dyn TrackingStore) {
    let named = s.create_run("0", Some("baseline"), "u", 1, &[]).unwrap();
    assert_eq!(named.info.run_name, "baseline");
    assert_eq!(tag(&named.data.tags, RUN_NAME_TAG), Some("baseline"));
    let by_tag = s.create_run("0", None, "u", 2, &[t(RUN_NAME_TAG, "from-tag")]).unwrap();
    assert_eq!(by_tag.info.run_name, "from-tag");
    let both = s.create_run("0", Some("same"), "u", 3, &[t(RUN_NAME_TAG, "same")]).unwrap();
    assert_eq!(both.info.run_name, "same");
    let e = expect_err(s.create_run("0", Some("a"), "u", 4, &[t(RUN_NAME_TAG, "b")]), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    assert!(e.to_string().contains("`a`") && e.to_string().contains("`b`"), "{e}");
    let names: std::collections::HashSet<String> =
        (0..20).map(|i| s.create_run("0", None, "u", 10 + i, &[]).unwrap().info.run_name).collect();
    assert!(names.len() > 10, "generated names vary: {names:?}");
}

pub fn create_run_needs_an_active_experiment(s: &dyn TrackingStore) {
    expect_err(s.create_run("77", None, "u", 1, &[]), ErrorCode::ExperimentNotFound, "RESOURCE_DOES_NOT_EXIST");
    expect_err(s.create_run("x", None, "u", 1, &[]), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    let id = s.create_experiment("gone", None, &[], 1).unwrap();
    s.delete_experiment(&id, 2).unwrap();
    let e = expect_err(s.create_run(&id, None, "u", 3, &[]), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    assert!(e.to_string().contains(&format!("experiment {id}")), "{e}");
    expect_err(s.create_run("0", None, "u", 3, &[t("bad//key", "v")]), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
}

pub fn get_missing_run(s: &dyn TrackingStore) {
    let missing = "0123456789abcdef0123456789abcdef";
    let e = expect_err(s.get_run(missing), ErrorCode::RunNotFound, "RESOURCE_DOES_NOT_EXIST");
    assert!(e.to_string().contains(missing), "{e}");
    expect_err(s.update_run(missing, Some(RunStatus::Finished), None, None), ErrorCode::RunNotFound, "RESOURCE_DOES_NOT_EXIST");
    expect_err(s.delete_run(missing, 1), ErrorCode::RunNotFound, "RESOURCE_DOES_NOT_EXIST");
    expect_err(s.log_metric(missing, "m", 1.0, 1, 0), ErrorCode::RunNotFound, "RESOURCE_DOES_NOT_EXIST");
}

pub fn update_run(s: &dyn TrackingStore) {
    let run = s.create_run("0", Some("first"), "u", 100, &[]).unwrap().info.run_id;
    let info = s.update_run(&run, Some(RunStatus::Finished), Some(200), None).unwrap();
    assert_eq!((info.status, info.end_time, info.run_name.as_str()), (RunStatus::Finished, Some(200), "first"));
    let info = s.update_run(&run, None, None, Some("second")).unwrap();
    assert_eq!((info.status, info.run_name.as_str()), (RunStatus::Finished, "second"));
    let got = s.get_run(&run).unwrap();
    assert_eq!(tag(&got.data.tags, RUN_NAME_TAG), Some("second"), "renaming updates the tag");
    assert_eq!(s.update_run(&run, None, None, Some("")).unwrap().run_name, "second", "an empty name changes nothing");
    // MLflow lets a finished run be set running again (a resumed run).
    assert_eq!(s.update_run(&run, Some(RunStatus::Running), None, None).unwrap().status, RunStatus::Running);
    s.delete_run(&run, 300).unwrap();
    expect_err(s.update_run(&run, Some(RunStatus::Killed), None, None), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
}

pub fn delete_and_restore_run(s: &dyn TrackingStore) {
    let run = s.create_run("0", None, "u", 1, &[]).unwrap().info.run_id;
    s.delete_run(&run, 10).unwrap();
    assert_eq!(s.get_run(&run).unwrap().info.lifecycle_stage, LifecycleStage::Deleted, "deleted runs can still be read");
    s.delete_run(&run, 11).unwrap();
    s.restore_run(&run, 12).unwrap();
    assert_eq!(s.get_run(&run).unwrap().info.lifecycle_stage, LifecycleStage::Active);
    s.restore_run(&run, 13).unwrap();
}
