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

#[test]
fn approval_transitions_and_the_history() {
    use cairn_types::{ApprovalStatus::*, RegistryEventKind as Kind};
    let (_dir, p) = fresh_project();
    p.create_registered_model("churn", &[], "", "ana", 1).unwrap();
    let v = p.create_model_version(&NewVersion { user_id: "ana", ..version("churn", "runs:/r1/model.cairn") }, 2).unwrap();
    assert_eq!((v.approval.status, v.approval.at), (PendingManualApproval, None));

    let code = |e: cairn_store::RegistryError| cairn_types::ApiError::from(e).code;
    use cairn_types::ErrorCode::{InvalidInput, InvalidTransition};
    assert_eq!(code(p.set_approval_status("churn", "1", PendingManualApproval, "bo", "", 3).unwrap_err()), InvalidInput);
    assert_eq!(code(p.set_approval_status("churn", "1", Rejected, "bo", "", 3).unwrap_err()), InvalidInput, "no reason");
    assert_eq!(code(p.set_approval_status("churn", "1", Approved, "", "", 3).unwrap_err()), InvalidInput, "no actor");
    let a = p.set_approval_status("churn", "1", Approved, "bo", "", 4).unwrap();
    assert_eq!((a.approval.status, a.approval.actor.as_str(), a.approval.at), (Approved, "bo", Some(4)));
    let twice = p.set_approval_status("churn", "1", Approved, "bo", "", 5).unwrap_err();
    assert_eq!(twice.mlflow_error_code(), "RESOURCE_CONFLICT");
    assert_eq!(twice.to_string(), "version 1 of model `churn` is already Approved; nothing to change (set Rejected to withdraw it)");
    p.set_approval_status("churn", "1", Rejected, "cy", "leaks the label", 6).unwrap();
    assert_eq!(code(p.set_approval_status("churn", "1", Rejected, "cy", "again", 7).unwrap_err()), InvalidTransition);
    assert_eq!(code(p.set_approval_status("churn", "1", Approved, "cy", "", 7).unwrap_err()), InvalidInput, "un-rejecting needs a reason");

    // Through the tag, as an MLflow client does: a reason tag first, then the status tag.
    let t = |k: &str, v: &str| tag(k, v);
    p.set_model_version_tag("churn", "1", &t("cairn.approval_reason", "fixed the join"), "mlflow", 8).unwrap();
    p.set_model_version_tag("churn", "1", &t("cairn.approval_status", "approved"), "mlflow", 9).unwrap();
    let v = p.get_model_version("churn", "1").unwrap();
    let tags: Vec<(&str, &str)> = v.tags.iter().map(|t| (t.key.as_str(), t.value.as_str())).collect();
    assert_eq!(tags, [("cairn.approval_reason", "fixed the join"), ("cairn.approval_status", "Approved"), ("cairn.approved_by", "mlflow")]);
    assert!(p.set_model_version_tag("churn", "1", &t("cairn.approval_status", "shipped"), "mlflow", 10).is_err());
    assert!(p.set_model_version_tag("churn", "1", &t("cairn.approved_by", "me"), "mlflow", 10).is_err(), "read-only");
    assert!(p.delete_model_version_tag("churn", "1", "cairn.approval_status").is_err());

    p.create_model_version(&NewVersion { user_id: "ana", ..version("churn", "runs:/r2/model.cairn") }, 11).unwrap();
    p.set_model_alias("churn", "champion", "1", "bo", 12).unwrap();
    p.set_model_alias("churn", "champion", "1", "bo", 13).unwrap();
    p.set_model_alias("churn", "champion", "2", "bo", 14).unwrap();
    p.delete_model_alias("churn", "champion", "bo", 15).unwrap();
    p.delete_model_alias("churn", "champion", "bo", 16).unwrap();
    p.set_intended_use("churn", "2", "triage only", "dee", 17).unwrap();
    p.rename_registered_model("churn", "attrition", "dee", 18).unwrap();
    p.delete_model_version("attrition", "2", "ed", 19).unwrap();
    p.delete_registered_model("attrition", "ed", 20).unwrap();

    let h = p.registry_history("attrition", None).unwrap();
    let seen: Vec<(i64, Kind, Option<i64>, &str, &str, &str, Option<&str>, &str)> = h
        .iter()
        .map(|e| (e.at, e.kind, e.version, e.actor.as_str(), e.from.as_str(), e.to.as_str(), e.alias.as_deref(), e.reason.as_str()))
        .collect();
    let pending = "PendingManualApproval";
    assert_eq!(
        seen,
        [
            (2, Kind::Registered, Some(1), "ana", "", "runs:/r1/model.cairn", None, ""),
            (4, Kind::Status, Some(1), "bo", pending, "Approved", None, ""),
            (6, Kind::Status, Some(1), "cy", "Approved", "Rejected", None, "leaks the label"),
            (9, Kind::Status, Some(1), "mlflow", "Rejected", "Approved", None, "fixed the join"),
            (11, Kind::Registered, Some(2), "ana", "", "runs:/r2/model.cairn", None, ""),
            (12, Kind::AliasSet, Some(1), "bo", "", "1", Some("champion"), ""),
            (14, Kind::AliasSet, Some(2), "bo", "1", "2", Some("champion"), ""),
            (15, Kind::AliasRemoved, Some(2), "bo", "2", "", Some("champion"), ""),
            (17, Kind::IntendedUse, Some(2), "dee", "", "triage only", None, ""),
            (18, Kind::Renamed, None, "dee", "churn", "attrition", None, ""),
            (19, Kind::VersionDeleted, Some(2), "ed", "", "", None, ""),
            (20, Kind::GroupDeleted, None, "ed", "", "", None, ""),
        ],
        "every change once, in order; an unchanged alias and a missing one record nothing"
    );
    assert!(p.registry_history("churn", None).unwrap_err().mlflow_error_code() == "RESOURCE_DOES_NOT_EXIST", "it moved with the rename");

    // A group made again under the name reuses version 1; the old group's reviews do not leak into it.
    p.create_registered_model("attrition", &[], "", "ana", 30).unwrap();
    let fresh = p.create_model_version(&NewVersion { user_id: "ana", ..version("attrition", "runs:/r3/model.cairn") }, 31).unwrap();
    assert_eq!((fresh.version, fresh.approval.status, fresh.approval.at), (1, PendingManualApproval, None));
}
