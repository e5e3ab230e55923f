//! What only the SQLite backend has: file URIs into the project, read-only projects, the migration,
//! bulk import, and threads sharing one project.

use cairn_store::{Project, SCHEMA_VERSION, TrackingStore};
use cairn_types::{
    Dataset, DatasetSource, ErrorCode, FileFormat, LifecycleStage, Metric, Param, Run, RunData, RunInfo, RunInputs, RunStatus, SearchRuns,
    Tag,
};

use crate::conformance::expect_err;
use crate::fresh_project;

#[test]
fn artifact_uris_point_into_the_project() {
    let (dir, project) = fresh_project();
    let root = project.root().to_string_lossy().into_owned();
    let run = project.create_run("0", None, "u", 1, &[]).unwrap();
    assert_eq!(run.info.artifact_uri, format!("file://{root}/.cairn/artifacts/runs/{}", run.info.run_id));
    let default = project.get_experiment("0").unwrap();
    assert_eq!(default.artifact_location, format!("file://{root}/.cairn/artifacts/experiments/0"));
    // An experiment given its own location keeps its runs under it, as MLflow does.
    let custom = project.create_experiment("remote", Some("s3://bucket/exp"), &[], 1).unwrap();
    let r = project.create_run(&custom, None, "u", 1, &[]).unwrap();
    assert_eq!(r.info.artifact_uri, format!("s3://bucket/exp/{}/artifacts", r.info.run_id));
    // URIs follow the folder when a project is moved.
    let moved = dir.path().join("moved project");
    std::fs::rename(project.root(), &moved).unwrap();
    let project = Project::open(&moved).unwrap();
    let uri = project.get_run(&run.info.run_id).unwrap().info.artifact_uri;
    assert!(uri.starts_with("file://") && uri.contains("/moved%20project/.cairn/artifacts/runs/"), "{uri}");
}

#[test]
fn schema_is_migration_7_and_sound() {
    assert_eq!(SCHEMA_VERSION, 7);
    let (_dir, project) = fresh_project();
    let run = project.create_run("0", None, "u", 1, &[]).unwrap().info.run_id;
    project.log_metric(&run, "m", 1.0, 1, 0).unwrap();
    let conn = rusqlite::Connection::open(project.db_path()).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let broken: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(broken, 0);
}

#[test]
fn a_version_2_project_is_upgraded() {
    let (_dir, project) = fresh_project();
    project.insert_dataset(&dataset("d1", "people", "v1")).unwrap();
    let conn = rusqlite::Connection::open(project.db_path()).unwrap();
    conn.execute_batch(
        "DROP TABLE endpoints; DROP TABLE registry_events; DROP TABLE dataset_versions; DROP TABLE run_models; DROP TABLE logged_model_metrics; DROP TABLE logged_model_params;
         DROP TABLE logged_model_tags; DROP TABLE logged_models; DROP TABLE registered_model_aliases;
         DROP TABLE model_version_tags; DROP TABLE model_versions; DROP TABLE registered_model_tags;
         DROP TABLE registered_models;
         DROP TABLE run_input_tags; DROP TABLE run_inputs; DROP TABLE input_datasets; DROP TABLE latest_metrics;
         DROP TABLE metric_history; DROP TABLE run_tags; DROP TABLE params; DROP TABLE runs;
         DROP TABLE experiment_tags; DROP TABLE experiments; PRAGMA user_version = 2;",
    )
    .unwrap();
    drop(conn);
    let project = Project::open(project.root()).unwrap();
    assert_eq!(project.get_experiment("0").unwrap().name, "Default");
    assert!(project.search_registered_models("", 0, &[], None).unwrap().items.is_empty());
    // Datasets registered before the history existed start it with their current version.
    let history = project.dataset_versions("people").unwrap();
    assert_eq!(history.iter().map(|d| d.version.as_str()).collect::<Vec<_>>(), ["v1"]);
}

fn dataset(id: &str, name: &str, version: &str) -> Dataset {
    Dataset {
        id: id.into(),
        name: name.into(),
        source: DatasetSource {
            path: format!("/data/{name}-{version}.csv"),
            format: FileFormat::Csv,
            bytes: 10,
            options: Default::default(),
        },
        rows: 3,
        columns: Vec::new(),
        digest: format!("digest-{version}"),
        version: version.into(),
        created_at: 1,
        import_ms: 1,
    }
}

#[test]
fn a_dataset_keeps_every_version_it_had_until_it_is_deleted() {
    let (_dir, project) = fresh_project();
    project.insert_dataset(&dataset("d1", "people", "v1")).unwrap();
    let mut v2 = dataset("d1", "people", "v2");
    v2.created_at = 2;
    v2.rows = 5;
    project.replace_dataset_version(&v2).unwrap();
    // The same version again (a file imported again unchanged) is not listed twice.
    project.replace_dataset_version(&v2).unwrap();
    let history = project.dataset_versions("d1").unwrap();
    assert_eq!(history.iter().map(|d| (d.version.as_str(), d.rows)).collect::<Vec<_>>(), [("v2", 5), ("v1", 3)]);
    assert!(history.iter().all(|d| d.name == "people" && d.id == "d1"));
    assert_eq!(project.dataset_version("people", "v1").unwrap().source.path, "/data/people-v1.csv");
    let e = project.dataset_version("people", "v9").unwrap_err();
    assert!(e.to_string().contains("people at version v9"), "{e}");
    // A taken name changes nothing, history included.
    assert!(project.insert_dataset(&dataset("d2", "people", "v7")).is_err());
    assert!(project.dataset_versions("d2").is_err());
    project.delete_dataset("d1").unwrap();
    let conn = rusqlite::Connection::open(project.db_path()).unwrap();
    let left: i64 = conn.query_row("SELECT count(*) FROM dataset_versions", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);
}

#[test]
fn read_only_projects_refuse_writes_and_still_read() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, project) = fresh_project();
    let run = project.create_run("0", Some("kept"), "u", 1, &[]).unwrap().info.run_id;
    project.log_metric(&run, "m", 2.0, 1, 0).unwrap();
    let root = project.root().to_path_buf();
    let set_mode = |mode| {
        for p in [root.join(".cairn"), root.clone()] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    };
    set_mode(0o555);
    let ro = Project::open(&root);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let ro = ro.unwrap();
        assert!(ro.is_read_only());
        assert_eq!(ro.get_run(&run).unwrap().data.metrics[0].value, 2.0);
        let page = ro.search_runs(&SearchRuns { experiment_ids: vec!["0".into()], filter: "metrics.m > 1".into(), ..Default::default() });
        assert_eq!(page.unwrap().total, 1);
        expect_err(ro.log_metric(&run, "m", 1.0, 1, 1), ErrorCode::ProjectReadOnly, "PERMISSION_DENIED");
        expect_err(ro.create_experiment("x", None, &[], 1), ErrorCode::ProjectReadOnly, "PERMISSION_DENIED");
        expect_err(ro.create_run("0", None, "u", 1, &[]), ErrorCode::ProjectReadOnly, "PERMISSION_DENIED");
        let api: cairn_types::ApiError = ro.delete_run(&run, 1).unwrap_err().into();
        assert_eq!(api.code, ErrorCode::ProjectReadOnly);
        assert!(api.hint.is_some());
    }));
    set_mode(0o755);
    result.unwrap();
}

fn imported(i: usize) -> Run {
    Run {
        info: RunInfo {
            run_id: format!("{i:032x}"),
            run_name: format!("run-{i}"),
            experiment_id: String::new(),
            user_id: "bench".into(),
            status: RunStatus::Finished,
            start_time: i as i64,
            end_time: Some(i as i64 + 10),
            artifact_uri: String::new(),
            lifecycle_stage: LifecycleStage::Active,
        },
        data: RunData {
            metrics: vec![Metric { key: "auc".into(), value: (i % 100) as f64 / 100.0, timestamp: 1, step: 0 }],
            params: vec![Param { key: "model".into(), value: if i.is_multiple_of(2) { "gbm" } else { "rf" }.into() }],
            tags: vec![Tag { key: "team".into(), value: "ml".into() }],
        },
        inputs: RunInputs::default(),
    }
}

#[test]
fn bulk_import_is_all_or_nothing() {
    let (_dir, project) = fresh_project();
    let exp = project.create_experiment("bulk", None, &[], 1).unwrap();
    let runs: Vec<Run> = (0..2000).map(imported).collect();
    assert_eq!(project.import_runs(&exp, &runs).unwrap(), 2000);
    let page = project
        .search_runs(&SearchRuns {
            experiment_ids: vec![exp.clone()],
            filter: "metrics.auc >= 0.5 and params.model = 'gbm'".into(),
            order_by: vec!["metrics.auc DESC".into()],
            max_results: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 500);
    assert_eq!(page.runs[0].data.metrics[0].value, 0.98);
    assert_eq!(page.runs[0].info.run_name, page.runs[0].data.tags.iter().find(|t| t.key == "mlflow.runName").unwrap().value);
    // One id already taken: nothing of the second import is kept.
    let again: Vec<Run> = (1999..2100).map(imported).collect();
    expect_err(project.import_runs(&exp, &again), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    assert!(project.get_run(&format!("{:032x}", 2050)).is_err());
}

#[test]
fn threads_share_a_project() {
    let (_dir, project) = fresh_project();
    let run = project.create_run("0", None, "u", 1, &[]).unwrap().info.run_id;
    std::thread::scope(|scope| {
        for t in 0..6i64 {
            let (project, run) = (&project, &run);
            scope.spawn(move || {
                for b in 0..20i64 {
                    let points: Vec<Metric> =
                        (0..50).map(|j| Metric { key: format!("t{t}"), value: j as f64, timestamp: b, step: b * 50 + j }).collect();
                    project.log_batch(run, &points, &[], &[]).unwrap();
                }
            });
        }
    });
    let data = project.get_run(&run).unwrap().data;
    assert_eq!(data.metrics.len(), 6);
    for m in &data.metrics {
        assert_eq!(m.step, 999, "{}", m.key);
        assert_eq!(project.get_metric_history(&run, &m.key, None, None).unwrap().0.len(), 1000);
    }
}
