//! The model registry with real parts: a real project, a flow's output dataset, models trained by the
//! `cairn` worker, the registry's SQLite history; and the same over HTTP on loopback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cairn_api::{ImportObserver, Studio, system_clock};
use cairn_types::{
    ApprovalStatus, CreateFlow, ErrorCode, FlowRunRequest, ImportRequest, JobState, ModelKind, RegisterModel, RegistryEventKind as Kind,
    TaskState, TrainSpec,
};
use serde_json::json;

use crate::training::cairn_bin;
use crate::{Server, shared};

fn adult_sample(dir: &std::path::Path, rows: usize) -> std::path::PathBuf {
    let text = std::fs::read_to_string(shared("adult.csv")).unwrap();
    let csv = dir.join("adult.csv");
    std::fs::write(&csv, text.lines().take(rows + 1).map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    csv
}

fn spec(dataset: &str, model: ModelKind, seed: u64) -> TrainSpec {
    TrainSpec {
        dataset: dataset.into(),
        target: "class".into(),
        task: None,
        model,
        params: Default::default(),
        features: None,
        validation: Default::default(),
        seed,
        experiment: Some("registry".into()),
        run_name: None,
        positive_class: None,
    }
}

/// Trains with the `cairn` worker and waits for the job to succeed; the run id.
pub fn train_and_wait(studio: &Studio, pid: &str, spec: TrainSpec) -> String {
    let started = studio.start_training(pid, spec).unwrap();
    let end = Instant::now() + Duration::from_secs(300);
    loop {
        let j = studio.job(pid, &started.job_id).unwrap();
        if !matches!(j.state, JobState::Queued | JobState::Running) {
            assert_eq!(j.state, JobState::Succeeded, "{j:?}");
            return started.run_id;
        }
        assert!(Instant::now() < end, "training did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A project whose `adult prepared` dataset is the output of the flow `prep` (drops `fnlwgt`).
fn project_with_flow_output(dir: &std::path::Path) -> (Arc<Studio>, String) {
    let csv = adult_sample(dir, 1500);
    let studio = Arc::new(Studio::new(&dir.join("cfg"), system_clock()).with_worker(cairn_bin()));
    let pid = studio.create_project(&dir.join("p").to_string_lossy(), None).unwrap().id;
    let req = ImportRequest { path: csv.to_string_lossy().into_owned(), options: Default::default() };
    studio.import_now(&pid, &req, &ImportObserver { task: None, on_progress: None }).unwrap();
    let mut flow = studio.create_flow(&pid, &CreateFlow { name: "prep".into(), dataset: "adult".into() }).unwrap();
    flow.steps = vec![
        serde_json::from_value(json!({"op": "drop", "version": 1, "params": {"columns": ["fnlwgt"]}, "fitted": null, "enabled": true}))
            .unwrap(),
    ];
    studio.save_flow(&pid, "prep", &flow).unwrap();
    let task = studio.start_flow_run(&pid, "prep", FlowRunRequest { dataset_name: Some("adult prepared".into()), csv: None }).unwrap();
    let end = Instant::now() + Duration::from_secs(120);
    loop {
        let info = studio.tasks().handle(&task.task_id).unwrap().info();
        if !matches!(info.state, TaskState::Running) {
            assert_eq!(info.state, TaskState::Succeeded, "{info:?}");
            break;
        }
        assert!(Instant::now() < end, "the flow did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    (studio, pid)
}

#[test]
fn register_approve_alias_history_card_compare_and_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let (studio, pid) = project_with_flow_output(dir.path());
    let run1 = train_and_wait(&studio, &pid, spec("adult prepared", ModelKind::Gbm, 1));
    let run2 = train_and_wait(&studio, &pid, spec("adult prepared", ModelKind::Logistic, 2));

    let reg = |run: &str, who: &str| RegisterModel {
        run_id: run.into(),
        model: "census".into(),
        description: Some("income over 50k".into()),
        intended_use: Some("ranking mailing lists; not for credit decisions".into()),
        actor: Some(who.into()),
    };
    let v1 = studio.register_model(&pid, &reg(&run1, "ana")).unwrap();
    assert_eq!((v1.group.as_str(), v1.version, v1.approval.status), ("census", 1, ApprovalStatus::PendingManualApproval));
    assert_eq!((v1.registered_by.as_str(), v1.model_kind.as_str()), ("ana", "gbm"));
    assert_eq!(v1.key_metric.as_ref().map(|m| m.key.as_str()), Some("roc_auc"));
    // No version is approved yet: the bare group resolves to nothing, and says so.
    let none = studio.resolve_model(&pid, "census").unwrap_err();
    assert_eq!(none.code, ErrorCode::ModelNotFound);
    assert!(none.message.contains("no approved version"), "{none:?}");

    let approved = studio.set_approval(&pid, "census", 1, ApprovalStatus::Approved, Some("bo"), Some("AUC fine on holdout")).unwrap();
    assert_eq!((approved.approval.actor.as_str(), approved.approval.at.is_some()), ("bo", true));
    let again = studio.set_approval(&pid, "census", 1, ApprovalStatus::Approved, Some("bo"), None).unwrap_err();
    assert_eq!(again.code, ErrorCode::InvalidTransition);
    assert_eq!(again.code.http_status(), 409);
    assert!(again.message.contains("version 1") && again.message.contains("already Approved"), "{again:?}");
    let no_reason = studio.set_approval(&pid, "census", 1, ApprovalStatus::Rejected, Some("cy"), Some("  ")).unwrap_err();
    assert_eq!(no_reason.code, ErrorCode::InvalidInput, "a rejection needs a reason");
    studio.set_approval(&pid, "census", 1, ApprovalStatus::Rejected, Some("cy"), Some("drifted on new data")).unwrap();
    let back = studio.set_approval(&pid, "census", 1, ApprovalStatus::Approved, Some("cy"), None).unwrap_err();
    assert_eq!(back.code, ErrorCode::InvalidInput, "approving a rejected version needs a reason");
    studio.set_approval(&pid, "census", 1, ApprovalStatus::Approved, Some("cy"), Some("drift was a bad join")).unwrap();

    let v2 = studio.register_model(&pid, &reg(&run2, "ana")).unwrap();
    assert_eq!(v2.version, 2);
    studio.set_alias(&pid, "census", "champion", 1, Some("bo")).unwrap();
    studio.set_alias(&pid, "census", "challenger", 2, Some("bo")).unwrap();
    studio.set_alias(&pid, "census", "champion", 2, Some("dee")).unwrap();
    studio.remove_alias(&pid, "census", "challenger", Some("dee")).unwrap();
    assert_eq!(studio.remove_alias(&pid, "census", "challenger", None).unwrap_err().code, ErrorCode::ModelNotFound);

    let history = studio.model_history(&pid, "census").unwrap();
    let seen: Vec<(Kind, Option<i64>, &str, &str, &str, Option<&str>)> =
        history.iter().map(|e| (e.kind, e.version, e.actor.as_str(), e.from.as_str(), e.to.as_str(), e.alias.as_deref())).collect();
    let source1 = format!("runs:/{run1}/model.cairn");
    let source2 = format!("runs:/{run2}/model.cairn");
    assert_eq!(
        seen,
        [
            (Kind::Registered, Some(1), "ana", "", source1.as_str(), None),
            (Kind::Status, Some(1), "bo", "PendingManualApproval", "Approved", None),
            (Kind::Status, Some(1), "cy", "Approved", "Rejected", None),
            (Kind::Status, Some(1), "cy", "Rejected", "Approved", None),
            (Kind::Registered, Some(2), "ana", "", source2.as_str(), None),
            (Kind::AliasSet, Some(1), "bo", "", "1", Some("champion")),
            (Kind::AliasSet, Some(2), "bo", "", "2", Some("challenger")),
            (Kind::AliasSet, Some(2), "dee", "1", "2", Some("champion")),
            (Kind::AliasRemoved, Some(2), "dee", "2", "", Some("challenger")),
        ]
    );
    assert!(history.windows(2).all(|w| w[0].seq < w[1].seq && w[0].at <= w[1].at), "ordered");
    assert_eq!(history[2].reason, "drifted on new data");

    // The card: the flow that made the training data, with its digest, and the data version trained on.
    let card = studio.model_card(&pid, "census", 1).unwrap();
    let ds = studio.list_datasets(&pid).unwrap().into_iter().find(|d| d.name == "adult prepared").unwrap();
    let lineage = card.lineage.as_ref().expect("lineage");
    assert_eq!((lineage.dataset.as_str(), lineage.dataset_version.as_str()), ("adult prepared", ds.version.as_str()));
    assert_eq!(lineage.dataset_digest, ds.digest);
    assert_eq!(lineage.flow.as_deref(), Some("prep"));
    let versions = studio.dataset_versions(&pid, &ds.id).unwrap();
    let flow_digest = versions[0].lineage.as_ref().map(|l| l.flow_digest.clone());
    assert!(flow_digest.as_ref().is_some_and(|d| !d.is_empty()));
    assert_eq!(lineage.flow_digest, flow_digest);
    assert_eq!((card.target.as_str(), card.task.as_str()), ("class", "classification"));
    assert!(!card.features.iter().any(|f| f == "fnlwgt" || f == "class"), "{:?}", card.features);
    assert!(card.metrics.iter().any(|m| m.key == "roc_auc"));
    assert_eq!(card.intended_use, "ranking mailing lists; not for credit decisions");
    assert_eq!((card.version.approval.status, card.version.approval.reason.as_str()), (ApprovalStatus::Approved, "drift was a bad join"));
    assert_eq!(card.history.iter().filter(|e| e.kind == Kind::Status).count(), 3);
    assert!(card.history.iter().all(|e| e.version == Some(1)));

    let cmp = studio.compare_versions(&pid, "census", 1, 2).unwrap();
    assert!(cmp.params_differ.contains(&"model".to_string()) && cmp.params_differ.contains(&"seed".to_string()), "{:?}", cmp.params_differ);
    assert!(cmp.same_data);
    let auc = |c: &cairn_types::ModelCard| c.metrics.iter().find(|m| m.key == "roc_auc").unwrap().value;
    let delta = cmp.metric_deltas.iter().find(|m| m.key == "roc_auc").unwrap().value;
    assert!((delta - (auc(&cmp.b) - auc(&cmp.a))).abs() < 1e-12);

    // resolve_model: a number, v<number>, an alias, and the bare group (its highest approved version).
    let r = studio.resolve_model(&pid, "census@1").unwrap();
    assert_eq!((r.version, r.alias.as_deref(), r.run_id.as_str()), (1, None, run1.as_str()));
    assert!(r.model_path.ends_with("model.cairn") && r.model_path.is_file());
    assert_eq!(studio.resolve_model(&pid, "census@v2").unwrap().version, 2);
    let champ = studio.resolve_model(&pid, "census@champion").unwrap();
    assert_eq!((champ.version, champ.alias.as_deref()), (2, Some("champion")));
    assert_eq!(studio.resolve_model(&pid, "census").unwrap().version, 1, "v2 is pending: v1 is the highest approved");
    studio.set_approval(&pid, "census", 2, ApprovalStatus::Approved, Some("bo"), None).unwrap();
    assert_eq!(studio.resolve_model(&pid, "census").unwrap().version, 2);
    for (bad, code) in
        [("census@9", ErrorCode::ModelNotFound), ("census@nobody", ErrorCode::ModelNotFound), ("nope", ErrorCode::ModelNotFound)]
    {
        assert_eq!(studio.resolve_model(&pid, bad).unwrap_err().code, code, "{bad}");
    }
    assert_eq!(studio.resolve_model(&pid, "census@").unwrap_err().code, ErrorCode::InvalidInput);

    // A run without a model is refused, naming it.
    std::fs::remove_file(&r.model_path).unwrap();
    let gone = studio.register_model(&pid, &reg(&run1, "ana")).unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotComputed, "{gone:?}");

    studio.delete_model_version(&pid, "census", 2, Some("ed")).unwrap();
    studio.delete_model_group(&pid, "census", Some("ed")).unwrap();
    let after = studio.model_history(&pid, "census").unwrap();
    let tail: Vec<Kind> = after[history.len()..].iter().map(|e| e.kind).collect();
    assert_eq!(tail, [Kind::Status, Kind::AliasRemoved, Kind::VersionDeleted, Kind::GroupDeleted], "the history outlives the group");
}

/// The same operations over HTTP: the routes, their statuses, and the registry seen through MLflow's API.
#[tokio::test(flavor = "multi_thread")]
async fn registry_over_http() {
    let s = Server::start_with(Some(cairn_bin())).await;
    let pid = s.project("p").await;
    let csv = adult_sample(s.dir.path(), 800);
    let done = s.import(&pid, &csv, json!({"name": "adult"})).await;
    assert_eq!(done["type"], "succeeded", "{done}");
    let (st, started) =
        s.post(&format!("/api/projects/{pid}/train"), serde_json::to_value(spec("adult", ModelKind::Gbm, 3)).unwrap()).await;
    assert_eq!(st, 200, "{started}");
    let run = started["run_id"].as_str().unwrap().to_string();
    let job = started["job_id"].as_str().unwrap();
    let end = Instant::now() + Duration::from_secs(300);
    loop {
        let (_, j) = s.get(&format!("/api/projects/{pid}/jobs/{job}")).await;
        if j["state"] != "queued" && j["state"] != "running" {
            assert_eq!(j["state"], "succeeded", "{j}");
            break;
        }
        assert!(Instant::now() < end);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let base = format!("/api/projects/{pid}/models");
    let (st, v) = s.post(&base, json!({"run_id": run, "model": "churn", "actor": "ana"})).await;
    assert_eq!((st, v["version"].as_i64(), v["approval"]["status"].as_str()), (200, Some(1), Some("PendingManualApproval")), "{v}");
    let (st, e) = s.post(&base, json!({"run_id": "0123456789abcdef0123456789abcdef", "model": "churn"})).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("RUN_NOT_FOUND")), "{e}");

    let approve = format!("{base}/churn/versions/1/approval");
    let (st, v) = s.post(&approve, json!({"status": "Approved", "actor": "bo"})).await;
    assert_eq!((st, v["approval"]["actor"].as_str()), (200, Some("bo")), "{v}");
    let (st, e) = s.post(&approve, json!({"status": "Approved"})).await;
    assert_eq!((st, e["code"].as_str()), (409, Some("INVALID_TRANSITION")), "{e}");
    let (st, e) = s.post(&approve, json!({"status": "Rejected"})).await;
    assert_eq!((st, e["code"].as_str()), (422, Some("INVALID_INPUT")), "{e}");

    let r = s
        .http
        .put(format!("{}{base}/churn/aliases/champion", s.base))
        .bearer_auth(&s.token)
        .json(&json!({"version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (st, g) = s.get(&format!("{base}/churn")).await;
    assert_eq!((st, g["aliases"][0]["alias"].as_str()), (200, Some("champion")), "{g}");
    let (st, list) = s.get(&base).await;
    assert_eq!((st, list[0]["versions"][0]["aliases"][0].as_str()), (200, Some("champion")), "{list}");
    let (st, card) = s.get(&format!("{base}/churn/versions/1")).await;
    assert_eq!((st, card["lineage"]["dataset"].as_str(), card["target"].as_str()), (200, Some("adult"), Some("class")), "{card}");
    let (st, cmp) = s.get(&format!("{base}/churn/compare?a=1&b=1")).await;
    assert_eq!((st, cmp["same_data"].as_bool()), (200, Some(true)), "{cmp}");
    let (st, e) = s.get(&format!("{base}/nope/versions/1")).await;
    assert_eq!((st, e["code"].as_str()), (404, Some("MODEL_NOT_FOUND")), "{e}");

    // The MLflow API sees the same version, its status as a tag; setting the tag is a transition.
    let mlflow = |p: &str| format!("/api/2.0/mlflow/model-versions/{p}");
    let (st, mv) = s.get(&format!("{}?name=churn&version=1", mlflow("get"))).await;
    let tags = mv["model_version"]["tags"].as_array().cloned().unwrap_or_default();
    let tag = |k: &str| tags.iter().find(|t| t["key"] == k).and_then(|t| t["value"].as_str()).map(str::to_string);
    assert_eq!(
        (st, tag("cairn.approval_status").as_deref(), tag("cairn.approved_by").as_deref()),
        (200, Some("Approved"), Some("bo")),
        "{mv}"
    );
    let (st, e) =
        s.post(&mlflow("set-tag"), json!({"name": "churn", "version": "1", "key": "cairn.approval_status", "value": "Approved"})).await;
    assert_eq!((st, e["error_code"].as_str()), (409, Some("RESOURCE_CONFLICT")), "{e}");
    let (st, _) = s
        .post(&mlflow("set-tag"), json!({"name": "churn", "version": "1", "key": "cairn.approval_reason", "value": "leaks the target"}))
        .await;
    assert_eq!(st, 200);
    let (st, e) =
        s.post(&mlflow("set-tag"), json!({"name": "churn", "version": "1", "key": "cairn.approval_status", "value": "Rejected"})).await;
    assert_eq!(st, 200, "{e}");
    let (_, h) = s.get(&format!("{base}/churn/history")).await;
    let last = h.as_array().and_then(|a| a.last()).cloned().unwrap_or_default();
    assert_eq!(
        (last["kind"].as_str(), last["actor"].as_str(), last["to"].as_str(), last["reason"].as_str()),
        (Some("status"), Some("mlflow"), Some("Rejected"), Some("leaks the target")),
        "{h}"
    );

    let r = s.http.delete(format!("{}{base}/churn", s.base)).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (st, h) = s.get(&format!("{base}/churn/history")).await;
    assert_eq!((st, h.as_array().and_then(|a| a.last()).map(|e| e["kind"].clone())), (200, Some(json!("group_deleted"))), "{h}");
}
