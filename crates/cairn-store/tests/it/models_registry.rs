//! The model registry and logged models over the SQLite store: numbering, stages, aliases, search with
//! MLflow's grammar and page tokens, renames and deletes, logged models and their links to runs.

use cairn_store::TrackingStore;
use cairn_store::models_registry::{LoggedOrder, LoggedSearch, ModelMetric, NewLoggedModel, NewVersion};
use cairn_types::{Metric, Param, Tag};

use crate::fresh_project;

fn tag(k: &str, v: &str) -> Tag {
    Tag { key: k.into(), value: v.into() }
}

fn version<'a>(name: &'a str, source: &'a str) -> NewVersion<'a> {
    NewVersion { name, source, ..Default::default() }
}

#[test]
fn models_versions_stages_and_aliases() {
    let (_dir, p) = fresh_project();
    let m = p.create_registered_model("churn", &[tag("team", "ml")], "scores", "ana", 10).unwrap();
    assert_eq!((m.name.as_str(), m.description.as_str(), m.creation_timestamp), ("churn", "scores", 10));
    let dup = p.create_registered_model("churn", &[], "", "", 11).unwrap_err();
    assert_eq!(dup.mlflow_error_code(), "RESOURCE_ALREADY_EXISTS");
    assert_eq!(p.create_registered_model("a/b", &[], "", "", 11).unwrap_err().mlflow_error_code(), "INVALID_PARAMETER_VALUE");
    assert_eq!(p.get_registered_model("nope").unwrap_err().mlflow_error_code(), "RESOURCE_DOES_NOT_EXIST");

    for i in 1..=3 {
        let v = p.create_model_version(&version("churn", &format!("runs:/r{i}/model")), 20 + i).unwrap();
        assert_eq!((v.version, v.status.as_str(), v.current_stage.as_str()), (i, "READY", "None"));
    }
    p.delete_model_version("churn", "3", "ana", 30).unwrap();
    assert_eq!(p.get_model_version("churn", "3").unwrap_err().mlflow_error_code(), "RESOURCE_DOES_NOT_EXIST");
    assert_eq!(p.create_model_version(&version("churn", "s4"), 31).unwrap().version, 4, "numbers are never reused");

    p.transition_model_version_stage("churn", "1", "production", false, 40).unwrap();
    let moved = p.transition_model_version_stage("churn", "2", "Production", true, 41).unwrap();
    assert_eq!(moved.current_stage, "Production");
    assert_eq!(p.get_model_version("churn", "1").unwrap().current_stage, "Archived");
    assert!(p.transition_model_version_stage("churn", "2", "Archived", true, 42).is_err());
    assert!(p.transition_model_version_stage("churn", "2", "Shipped", false, 42).is_err());
    let latest = p.latest_versions("churn", &[]).unwrap();
    let stages: Vec<(i64, &str)> = latest.iter().map(|v| (v.version, v.current_stage.as_str())).collect();
    assert_eq!(stages, [(4, "None"), (2, "Production"), (1, "Archived")]);

    p.set_model_alias("churn", "champion", "2", "ana", 50).unwrap();
    p.set_model_alias("churn", "champion", "4", "ana", 51).unwrap();
    assert_eq!(p.model_version_by_alias("churn", "champion").unwrap().version, 4);
    assert_eq!(p.get_model_version("churn", "4").unwrap().aliases, ["champion"]);
    for reserved in ["latest", "v3", "V12", "bad alias"] {
        assert!(p.set_model_alias("churn", reserved, "4", "ana", 52).is_err(), "{reserved}");
    }
    assert!(p.set_model_alias("churn", "x", "3", "ana", 52).is_err(), "a deleted version has no alias");
    p.delete_model_version("churn", "4", "ana", 53).unwrap();
    assert_eq!(p.model_version_by_alias("churn", "champion").unwrap_err().mlflow_error_code(), "RESOURCE_DOES_NOT_EXIST");

    p.set_model_version_tag("churn", "1", &tag("ok", "yes"), "ana", 60).unwrap();
    p.set_registered_model_tag("churn", &tag("tier", "gold"), 61).unwrap();
    p.delete_registered_model_tag("churn", "team").unwrap();
    let m = p.rename_registered_model("churn", "churn-v2", "ana", 62).unwrap();
    assert_eq!(m.tags, [tag("tier", "gold")]);
    let status = tag("cairn.approval_status", "PendingManualApproval");
    assert_eq!(p.get_model_version("churn-v2", "1").unwrap().tags, [status, tag("ok", "yes")], "the status is a tag when read");
    assert!(p.get_registered_model("churn").is_err());
    p.delete_registered_model("churn-v2", "ana", 63).unwrap();
    assert!(p.search_model_versions("", 0, &[], None).unwrap().items.is_empty());
}

#[test]
fn registry_search_and_pages() {
    let (_dir, p) = fresh_project();
    for (i, name) in ["alpha", "Beta", "gamma", "delta", "prompt-1"].iter().enumerate() {
        p.create_registered_model(name, &[tag("team", if i % 2 == 0 { "ml" } else { "bi" })], "", "", i as i64).unwrap();
        p.create_model_version(&NewVersion { run_id: "run1", ..version(name, "s") }, 100 + i as i64).unwrap();
    }
    p.set_registered_model_tag("prompt-1", &tag("mlflow.prompt.is_prompt", "true"), 200).unwrap();
    let names = |filter: &str| -> Vec<String> {
        p.search_registered_models(filter, 0, &[], None).unwrap().items.into_iter().map(|m| m.name).collect()
    };
    assert_eq!(names(""), ["Beta", "alpha", "delta", "gamma"], "prompts are not models; name order");
    assert_eq!(names("tags.`mlflow.prompt.is_prompt` = 'true'"), ["prompt-1"]);
    assert_eq!(names("name LIKE '%a' and tags.team = 'ml'"), ["alpha", "gamma"]);
    assert_eq!(names("name ILIKE 'b%'"), ["Beta"]);
    assert!(p.search_registered_models("name = 'a' or name = 'b'", 0, &[], None).is_err());
    assert!(p.search_registered_models("", 1001, &[], None).is_err());

    let first = p.search_registered_models("", 3, &["name DESC".into()], None).unwrap();
    assert_eq!(first.items.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["gamma", "delta", "alpha"]);
    let rest = p.search_registered_models("", 3, &["name DESC".into()], first.next_page_token.as_deref()).unwrap();
    assert_eq!(rest.items.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["Beta"]);
    assert!(rest.next_page_token.is_none());

    let versions = p.search_model_versions("run_id = 'run1' and name IN ('alpha', 'delta')", 0, &["name ASC".into()], None).unwrap();
    assert_eq!(versions.items.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["alpha", "delta"]);
    assert_eq!(p.search_model_versions("version_number > 1", 0, &[], None).unwrap().items.len(), 0);
    assert!(p.search_model_versions("colour = 'red'", 0, &[], None).is_err());
}

#[test]
fn logged_models_and_their_runs() {
    let (_dir, p) = fresh_project();
    let run = p.create_run("0", Some("train"), "ana", 1, &[]).unwrap();
    let run_id = run.info.run_id.as_str();
    let params = [Param { key: "depth".into(), value: "4".into() }];
    let mut ids = Vec::new();
    for (i, kind) in ["tree", "tree", "linear"].iter().enumerate() {
        let new =
            NewLoggedModel { experiment_id: "0", name: Some("m"), model_type: kind, source_run_id: run_id, params: &params, tags: &[] };
        let m = p.create_logged_model(&new, 10 + i as i64).unwrap();
        assert!(m.model_id.starts_with("m-") && m.status == "LOGGED_MODEL_PENDING");
        assert!(m.artifact_location.ends_with(&format!("/.cairn/artifacts/models/{}", m.model_id)));
        let point = ModelMetric {
            metric: Metric { key: "rmse".into(), value: 1.0 - i as f64 / 10.0, timestamp: 5, step: 0 },
            run_id: run_id.into(),
            dataset_name: "val".into(),
            dataset_digest: "d".into(),
        };
        p.log_logged_model_metrics(&[(m.model_id.clone(), point)]).unwrap();
        ids.push(m.model_id);
    }
    assert_eq!(p.finalize_logged_model(&ids[0], "READY", 20).unwrap().status, "LOGGED_MODEL_READY");
    assert!(p.finalize_logged_model(&ids[0], "PENDING", 20).is_err());
    assert!(p.create_logged_model(&NewLoggedModel { experiment_id: "0", name: Some("a.b"), ..Default::default() }, 1).is_err());

    let search = |filter: &str, order: Vec<LoggedOrder>| -> Vec<String> {
        let s = LoggedSearch { experiment_ids: vec!["0".into()], filter: filter.into(), order_by: order, ..Default::default() };
        p.search_logged_models(&s).unwrap().items.into_iter().map(|m| m.model_id).collect()
    };
    assert_eq!(search("model_type = 'tree'", vec![]), [ids[1].clone(), ids[0].clone()], "newest first");
    assert_eq!(search("status = 'READY'", vec![]), [ids[0].clone()]);
    let by_rmse = LoggedOrder { field: "metrics.rmse".into(), ascending: true, dataset_name: Some("val".into()), dataset_digest: None };
    assert_eq!(search("metrics.rmse < 0.95", vec![by_rmse]), [ids[2].clone(), ids[1].clone()]);
    assert_eq!(search("params.depth = '4' and name = 'm'", vec![]).len(), 3);

    p.link_run_models(run_id, &[(ids[0].clone(), 3)], true).unwrap();
    p.link_run_models(run_id, &[(ids[2].clone(), 0)], false).unwrap();
    assert!(p.link_run_models(run_id, &[("m-nope".into(), 0)], true).is_err());
    let links = p.run_model_links(&[run_id.to_string(), "other".into()]).unwrap();
    assert_eq!(links[0], (vec![ids[2].clone()], vec![(ids[0].clone(), 3)]));
    assert_eq!(links[1], (vec![], vec![]));

    p.create_registered_model("reg", &[], "", "", 30).unwrap();
    let source = format!("models:/{}", ids[0]);
    p.create_model_version(&NewVersion { model_id: &ids[0], ..version("reg", &source) }, 31).unwrap();
    assert_eq!(p.get_logged_model(&ids[0], false).unwrap().registrations, [("reg".to_string(), 1)]);
    p.delete_logged_model(&ids[1], 40).unwrap();
    assert_eq!(p.get_logged_model(&ids[1], false).unwrap_err().mlflow_error_code(), "RESOURCE_DOES_NOT_EXIST");
    assert!(p.get_logged_model(&ids[1], true).unwrap().deleted);
    assert_eq!(search("", vec![]).len(), 2);
}

#[test]
fn artifact_uris_name_the_same_folders() {
    let (_dir, p) = fresh_project();
    let run = p.create_run("0", None, "", 1, &[]).unwrap();
    let id = &run.info.run_id;
    let folder = p.artifact_dir(&run.info.artifact_uri);
    assert!(folder.ends_with(format!(".cairn/artifacts/runs/{id}")));
    assert_eq!(p.artifact_dir(&format!("mlflow-artifacts:/0/{id}/artifacts")), folder);
    assert_eq!(p.artifact_dir(&format!("mlflow-artifacts://127.0.0.1:5000/0/{id}/artifacts")), folder);
    let moved = p.root().join("my files");
    assert_eq!(p.artifact_dir(&format!("file://{}", moved.to_string_lossy().replace(' ', "%20"))), moved);
    assert_eq!(p.proxied_artifact_path(&format!("3/{id}/artifacts/plots/a.png")).unwrap(), folder.join("plots/a.png"));
    assert!(p.proxied_artifact_path("0/models/m-abc/artifacts/MLmodel").unwrap().ends_with(".cairn/artifacts/models/m-abc/MLmodel"));
    assert!(p.proxied_artifact_path("elsewhere/x.txt").unwrap().ends_with(".cairn/artifacts/mlflow/elsewhere/x.txt"));
    for bad in ["../x", "0/../../etc", "/etc/passwd"] {
        assert!(p.proxied_artifact_path(bad).is_err(), "{bad}");
    }
}
