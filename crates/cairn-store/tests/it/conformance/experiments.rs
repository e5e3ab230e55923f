use cairn_store::TrackingStore;
use cairn_types::{ErrorCode, ExperimentsPage, LifecycleStage, SearchExperiments, ViewType};

use super::{expect_err, t, tag};

fn ids(page: &ExperimentsPage) -> Vec<&str> {
    page.experiments.iter().map(|e| e.experiment_id.as_str()).collect()
}

fn search(s: &dyn TrackingStore, filter: &str, order_by: &[&str]) -> Vec<String> {
    let req = SearchExperiments {
        filter: filter.into(),
        order_by: order_by.iter().map(|o| o.to_string()).collect(),
        view_type: ViewType::All,
        ..Default::default()
    };
    let page = s.search_experiments(&req).unwrap_or_else(|e| panic!("{filter}: {e}"));
    page.experiments.into_iter().map(|e| e.name).collect()
}

pub fn default_experiment_exists(s: &dyn TrackingStore) {
    let e = s.get_experiment("0").unwrap();
    assert_eq!((e.name.as_str(), e.lifecycle_stage), ("Default", LifecycleStage::Active));
    assert!(!e.artifact_location.is_empty());
    assert_eq!(s.get_experiment("").unwrap().experiment_id, "0", "an empty id is the Default experiment");
    assert_eq!(s.get_experiment_by_name("Default").unwrap().unwrap().experiment_id, "0");
    let page = s.search_experiments(&SearchExperiments::default()).unwrap();
    assert_eq!(ids(&page), ["0"]);
}

pub fn create_experiment_assigns_ids_and_tags(s: &dyn TrackingStore) {
    let a = s.create_experiment("churn", None, &[t("team", "ml"), t("note", "first")], 5_000).unwrap();
    let b = s.create_experiment("fraud", Some(""), &[], 6_000).unwrap();
    assert_eq!((a.as_str(), b.as_str()), ("1", "2"), "ids count up from the Default experiment's 0");
    let e = s.get_experiment(&a).unwrap();
    assert_eq!(e.name, "churn");
    assert_eq!((e.creation_time, e.last_update_time), (5_000, 5_000));
    assert_eq!(tag(&e.tags, "team"), Some("ml"));
    assert_eq!(tag(&e.tags, "note"), Some("first"));
    assert_eq!(s.get_experiment_by_name("fraud").unwrap().unwrap().experiment_id, "2");
    let custom = s.create_experiment("elsewhere", Some("file:///tmp/elsewhere"), &[], 7_000).unwrap();
    assert_eq!(s.get_experiment(&custom).unwrap().artifact_location, "file:///tmp/elsewhere");
}

pub fn experiment_names_are_unique_and_checked(s: &dyn TrackingStore) {
    let id = s.create_experiment("x", None, &[], 1).unwrap();
    let e = expect_err(s.create_experiment("x", None, &[], 2), ErrorCode::AlreadyExists, "RESOURCE_ALREADY_EXISTS");
    assert!(e.to_string().contains("`x`"), "{e}");
    s.delete_experiment(&id, 3).unwrap();
    // Deleted experiments keep their names, as in MLflow.
    expect_err(s.create_experiment("x", None, &[], 4), ErrorCode::AlreadyExists, "RESOURCE_ALREADY_EXISTS");
    expect_err(s.create_experiment("", None, &[], 5), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.create_experiment(&"n".repeat(501), None, &[], 5), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.create_experiment("y", None, &[t("a//b", "v")], 5), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    assert!(s.get_experiment_by_name("y").unwrap().is_none(), "a refused experiment is not half-created");
}

pub fn missing_experiments(s: &dyn TrackingStore) {
    let e = expect_err(s.get_experiment("999"), ErrorCode::ExperimentNotFound, "RESOURCE_DOES_NOT_EXIST");
    assert!(e.to_string().contains("999"), "{e}");
    expect_err(s.get_experiment("abc"), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    assert!(s.get_experiment_by_name("nope").unwrap().is_none());
    expect_err(s.delete_experiment("42", 1), ErrorCode::ExperimentNotFound, "RESOURCE_DOES_NOT_EXIST");
    expect_err(s.rename_experiment("42", "z", 1), ErrorCode::ExperimentNotFound, "RESOURCE_DOES_NOT_EXIST");
    expect_err(s.set_experiment_tag("42", "k", "v"), ErrorCode::ExperimentNotFound, "RESOURCE_DOES_NOT_EXIST");
}

pub fn rename_experiment(s: &dyn TrackingStore) {
    let id = s.create_experiment("old", None, &[], 10).unwrap();
    s.create_experiment("taken", None, &[], 11).unwrap();
    s.rename_experiment(&id, "new", 20).unwrap();
    let e = s.get_experiment(&id).unwrap();
    assert_eq!((e.name.as_str(), e.creation_time, e.last_update_time), ("new", 10, 20));
    assert!(s.get_experiment_by_name("old").unwrap().is_none());
    expect_err(s.rename_experiment(&id, "taken", 21), ErrorCode::AlreadyExists, "RESOURCE_ALREADY_EXISTS");
    expect_err(s.rename_experiment(&id, "", 21), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    s.delete_experiment(&id, 30).unwrap();
    expect_err(s.rename_experiment(&id, "again", 31), ErrorCode::InvalidInput, "INVALID_STATE");
}

pub fn delete_and_restore_cascade_to_runs(s: &dyn TrackingStore) {
    let id = s.create_experiment("e", None, &[], 10).unwrap();
    let r1 = s.create_run(&id, None, "u", 11, &[]).unwrap().info.run_id;
    let r2 = s.create_run(&id, None, "u", 12, &[]).unwrap().info.run_id;
    s.delete_experiment(&id, 50).unwrap();
    let e = s.get_experiment(&id).unwrap();
    assert_eq!((e.lifecycle_stage, e.last_update_time), (LifecycleStage::Deleted, 50));
    for r in [&r1, &r2] {
        assert_eq!(s.get_run(r).unwrap().info.lifecycle_stage, LifecycleStage::Deleted);
    }
    expect_err(s.create_run(&id, None, "u", 13, &[]), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.delete_experiment(&id, 51), ErrorCode::ExperimentNotFound, "RESOURCE_DOES_NOT_EXIST");
    s.restore_experiment(&id, 60).unwrap();
    assert_eq!(s.get_experiment(&id).unwrap().lifecycle_stage, LifecycleStage::Active);
    for r in [&r1, &r2] {
        assert_eq!(s.get_run(r).unwrap().info.lifecycle_stage, LifecycleStage::Active);
    }
    expect_err(s.restore_experiment(&id, 61), ErrorCode::ExperimentNotFound, "RESOURCE_DOES_NOT_EXIST");
}

pub fn experiment_tags(s: &dyn TrackingStore) {
    let id = s.create_experiment("e", None, &[], 1).unwrap();
    s.set_experiment_tag(&id, "k", "v1").unwrap();
    s.set_experiment_tag(&id, "k", "v2").unwrap();
    s.set_experiment_tag(&id, "other", "x").unwrap();
    let e = s.get_experiment(&id).unwrap();
    assert_eq!(tag(&e.tags, "k"), Some("v2"), "a tag is overwritten");
    s.delete_experiment_tag(&id, "k").unwrap();
    assert_eq!(tag(&s.get_experiment(&id).unwrap().tags, "k"), None);
    let e = expect_err(s.delete_experiment_tag(&id, "k"), ErrorCode::InvalidInput, "RESOURCE_DOES_NOT_EXIST");
    assert!(e.to_string().contains("`k`"), "{e}");
    expect_err(s.set_experiment_tag(&id, "", "v"), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.set_experiment_tag(&id, "big", &"v".repeat(20_001)), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    s.delete_experiment(&id, 2).unwrap();
    expect_err(s.set_experiment_tag(&id, "k", "v"), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
}

pub fn search_experiments_grammar_and_order(s: &dyn TrackingStore) {
    s.create_experiment("Churn-A", None, &[t("team", "ml")], 100).unwrap();
    s.create_experiment("churn-b", None, &[t("team", "ML")], 200).unwrap();
    s.create_experiment("fraud", None, &[t("owner", "ana")], 300).unwrap();
    // Default order: creation_time DESC (the Default experiment was created when the project was).
    assert_eq!(search(s, "name != 'Default'", &[]), ["fraud", "churn-b", "Churn-A"]);
    assert_eq!(search(s, "name LIKE 'churn%'", &[]), ["churn-b"], "LIKE is case-sensitive");
    assert_eq!(search(s, "name ILIKE 'churn%'", &["name"]), ["Churn-A", "churn-b"]);
    assert_eq!(search(s, "name = 'fraud'", &[]), ["fraud"]);
    assert_eq!(search(s, "tags.team = 'ml'", &[]), ["Churn-A"]);
    assert_eq!(search(s, "tags.team ILIKE 'ml'", &["name DESC"]), ["churn-b", "Churn-A"]);
    assert_eq!(search(s, "tags.team IS NULL and name != 'Default'", &[]), ["fraud"]);
    assert_eq!(search(s, "tags.`owner` IS NOT NULL", &[]), ["fraud"]);
    assert_eq!(search(s, "creation_time > 150 and creation_time <= 300", &["creation_time ASC"]), ["churn-b", "fraud"]);
    assert_eq!(search(s, "experiment_id IN ('1', '3')", &["experiment_id"]), ["Churn-A", "fraud"]);
    assert_eq!(search(s, "attribute.experiment_id = '2'", &[]), ["churn-b"]);
    assert_eq!(search(s, "name LIKE '%'", &["experiment_id DESC"]), ["fraud", "churn-b", "Churn-A", "Default"]);
    for bad in ["metrics.x > 1", "name > 'a'", "creation_time > 1.5", "tags.team > 'a'", "nme = 'x'"] {
        let req = SearchExperiments { filter: bad.into(), ..Default::default() };
        expect_err(s.search_experiments(&req), ErrorCode::InvalidFilter, "INVALID_PARAMETER_VALUE");
    }
    let req = SearchExperiments { order_by: vec!["tags.team".into()], ..Default::default() };
    expect_err(s.search_experiments(&req), ErrorCode::InvalidFilter, "INVALID_PARAMETER_VALUE");
}

pub fn search_experiments_pages_and_views(s: &dyn TrackingStore) {
    for i in 0..7 {
        s.create_experiment(&format!("e{i}"), None, &[], 100 + i).unwrap();
    }
    s.delete_experiment("3", 500).unwrap();
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        // The Default experiment is left out: its creation time is the project's, not the test's.
        let req = SearchExperiments { filter: "name LIKE 'e%'".into(), max_results: 3, page_token: token.clone(), ..Default::default() };
        let page = s.search_experiments(&req).unwrap();
        assert!(page.experiments.len() <= 3);
        seen.extend(ids(&page).into_iter().map(String::from));
        match page.next_page_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(seen, ["7", "6", "5", "4", "2", "1"], "newest first, the deleted one left out");
    let deleted = SearchExperiments { view_type: ViewType::DeletedOnly, ..Default::default() };
    assert_eq!(ids(&s.search_experiments(&deleted).unwrap()), ["3"]);
    let all = SearchExperiments { view_type: ViewType::All, ..Default::default() };
    assert_eq!(s.search_experiments(&all).unwrap().experiments.len(), 8);
}
