use cairn_store::TrackingStore;
use cairn_types::{DatasetInput, DatasetRef, ErrorCode, RunStatus, RunsPage, SearchRuns, ViewType};

use super::{expect_err, m, p, t};

/// Five runs in one experiment, covering present, missing and NaN values; "eps" is deleted.
///
/// | run       | start | user | status   | auc  | loss | f1 score | model | team   | dataset (context)   |
/// |-----------|-------|------|----------|------|------|----------|-------|--------|---------------------|
/// | alpha-run | 100   | ana  | FINISHED | 0.9  | 0.3  | 0.8      | gbm   | ML     | train (training)    |
/// | Beta      | 200   | bob  | RUNNING  | 0.7  | NaN  |          | rf    | ml     | eval (evaluation)   |
/// | gamma     | 300   | ana  | FAILED   | 0.95 |      |          |       | Ml-ops |                     |
/// | delta     | 400   | cy   | RUNNING  |      |      |          | GBM   |        |                     |
/// | eps (del) | 500   | ana  | RUNNING  | 0.5  | 0.1  |          |       |        |                     |
struct Fixture {
    experiment: String,
    ids: Vec<String>,
}

fn input(name: &str, digest: &str, context: &str) -> DatasetInput {
    DatasetInput {
        dataset: DatasetRef {
            name: name.into(),
            digest: digest.into(),
            source_type: "local".into(),
            source: "{}".into(),
            schema: None,
            profile: None,
        },
        tags: vec![t("mlflow.data.context", context)],
    }
}

fn fixture(s: &dyn TrackingStore) -> Fixture {
    let experiment = s.create_experiment("search", None, &[], 1).unwrap();
    let mut ids = Vec::new();
    let runs = [("alpha-run", 100, "ana"), ("Beta", 200, "bob"), ("gamma", 300, "ana"), ("delta", 400, "cy"), ("eps", 500, "ana")];
    for (name, start, user) in runs {
        ids.push(s.create_run(&experiment, Some(name), user, start, &[]).unwrap().info.run_id);
    }
    let (a, b, g, d, e) = (&ids[0], &ids[1], &ids[2], &ids[3], &ids[4]);
    s.log_batch(
        a,
        &[m("auc", 0.9, 1, 0), m("loss", 0.3, 1, 0), m("f1 score", 0.8, 1, 0)],
        &[p("model", "gbm"), p("lr", "0.1")],
        &[t("team", "ML"), t("mlflow.source.type", "LOCAL")],
    )
    .unwrap();
    s.log_batch(b, &[m("auc", 0.7, 1, 0), m("loss", f64::NAN, 1, 0)], &[p("model", "rf")], &[t("team", "ml")]).unwrap();
    s.log_batch(g, &[m("auc", 0.95, 1, 0)], &[], &[t("team", "Ml-ops")]).unwrap();
    s.log_batch(d, &[], &[p("model", "GBM")], &[]).unwrap();
    s.log_batch(e, &[m("auc", 0.5, 1, 0), m("loss", 0.1, 1, 0)], &[], &[]).unwrap();
    s.update_run(a, Some(RunStatus::Finished), Some(150), None).unwrap();
    s.update_run(g, Some(RunStatus::Failed), Some(350), None).unwrap();
    s.log_inputs(a, &[input("train", "d1", "training")]).unwrap();
    s.log_inputs(b, &[input("eval", "d2", "evaluation")]).unwrap();
    s.delete_run(e, 600).unwrap();
    Fixture { experiment, ids }
}

fn search_page(s: &dyn TrackingStore, f: &Fixture, filter: &str, order_by: &[&str], view: ViewType) -> RunsPage {
    let req = SearchRuns {
        experiment_ids: vec![f.experiment.clone()],
        filter: filter.into(),
        run_view_type: view,
        order_by: order_by.iter().map(|o| o.to_string()).collect(),
        ..Default::default()
    };
    s.search_runs(&req).unwrap_or_else(|e| panic!("`{filter}` {order_by:?}: {e}"))
}

fn names(s: &dyn TrackingStore, f: &Fixture, filter: &str, order_by: &[&str]) -> Vec<String> {
    let page = search_page(s, f, filter, order_by, ViewType::ActiveOnly);
    assert_eq!(page.total as usize, page.runs.len(), "`{filter}`: total counts the matching runs");
    page.runs.into_iter().map(|r| r.info.run_name).collect()
}

pub fn filter_metrics(s: &dyn TrackingStore) {
    let f = fixture(s);
    assert_eq!(names(s, &f, "metrics.auc > 0.8", &[]), ["gamma", "alpha-run"]);
    assert_eq!(names(s, &f, "metrics.auc >= 0.9", &[]), ["gamma", "alpha-run"]);
    assert_eq!(names(s, &f, "metrics.auc < 0.8", &[]), ["Beta"], "deleted runs are left out");
    assert_eq!(names(s, &f, "metrics.auc = 0.7", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "metrics.auc <= 0.7", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "metrics.loss != 0.3", &[]), ["Beta"], "NaN satisfies != and a missing key nothing");
    assert_eq!(names(s, &f, "metrics.loss < 1", &[]), ["alpha-run"], "NaN is not less than anything");
    assert_eq!(names(s, &f, "metric.`f1 score` > 0.5", &[]), ["alpha-run"]);
    assert_eq!(names(s, &f, "metrics.\"f1 score\" > 5e-1", &[]), ["alpha-run"]);
    assert_eq!(names(s, &f, "metrics.auc > 0.6 AND metrics.loss < 1", &[]), ["alpha-run"]);
    assert_eq!(names(s, &f, "metrics.auc>-1e3", &[]), ["gamma", "Beta", "alpha-run"]);
    assert!(names(s, &f, "metrics.missing != 0", &[]).is_empty(), "a run lacking the key does not match");
}

pub fn filter_params_and_tags(s: &dyn TrackingStore) {
    let f = fixture(s);
    assert_eq!(names(s, &f, "params.model = 'gbm'", &[]), ["alpha-run"]);
    assert_eq!(names(s, &f, "params.model != 'gbm'", &[]), ["delta", "Beta"], "a run without the param does not match !=");
    assert_eq!(names(s, &f, "parameters.lr = '0.1'", &[]), ["alpha-run"]);
    assert_eq!(names(s, &f, "param.lr = \"0.1\"", &[]), ["alpha-run"], "double-quoted values, as MLflow accepts");
    assert_eq!(names(s, &f, "params.model IS NULL", &[]), ["gamma"]);
    assert_eq!(names(s, &f, "params.model is not null", &[]), ["delta", "Beta", "alpha-run"]);
    assert_eq!(names(s, &f, "tags.team = 'ml'", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "tags.`mlflow.source.type` = 'LOCAL'", &[]), ["alpha-run"]);
    assert_eq!(names(s, &f, "tags.mlflow.source.type = 'LOCAL'", &[]), ["alpha-run"], "unquoted keys may hold dots");
    assert_eq!(names(s, &f, "tags.team LIKE '_l%'", &[]), ["gamma", "Beta"], "`_` is one character");
    assert_eq!(names(s, &f, "tags.team != 'ml' and params.model = 'gbm'", &[]), ["alpha-run"]);
    assert_eq!(names(s, &f, "tags.\"mlflow.runName\" = 'delta'", &[]), ["delta"]);
}

pub fn like_is_case_sensitive_ilike_is_not(s: &dyn TrackingStore) {
    let f = fixture(s);
    assert_eq!(names(s, &f, "params.model LIKE 'g%'", &[]), ["alpha-run"]);
    assert_eq!(names(s, &f, "params.model ILIKE 'g%'", &[]), ["delta", "alpha-run"]);
    assert_eq!(names(s, &f, "tags.team LIKE 'M%'", &[]), ["gamma", "alpha-run"]);
    assert_eq!(names(s, &f, "tags.team ILIKE 'ml'", &[]), ["Beta", "alpha-run"]);
    assert_eq!(names(s, &f, "tags.team = 'ML'", &[]), ["alpha-run"], "= is case-sensitive");
    assert!(names(s, &f, "attributes.run_name LIKE 'b%'", &[]).is_empty());
    assert_eq!(names(s, &f, "run_name like 'B%'", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "run_name ILIKE 'b%'", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "run_name LIKE '%a'", &[]), ["delta", "gamma", "Beta"]);
}

pub fn filter_attributes(s: &dyn TrackingStore) {
    let f = fixture(s);
    let (a, b, g) = (&f.ids[0], &f.ids[1], &f.ids[2]);
    assert_eq!(names(s, &f, &format!("run_id IN ('{a}', '{g}')"), &[]), ["gamma", "alpha-run"]);
    assert_eq!(names(s, &f, &format!("attributes.run_id NOT IN ('{a}')"), &[]), ["delta", "gamma", "Beta"]);
    assert_eq!(names(s, &f, &format!("run_id = '{b}'"), &[]), ["Beta"]);
    assert_eq!(names(s, &f, "status = 'RUNNING'", &[]), ["delta", "Beta"]);
    assert!(names(s, &f, "status = 'running'", &[]).is_empty());
    assert_eq!(names(s, &f, "attributes.status != 'RUNNING'", &[]), ["gamma", "alpha-run"]);
    assert_eq!(names(s, &f, "attr.user_id = 'ana'", &[]), ["gamma", "alpha-run"]);
    assert_eq!(names(s, &f, "run.run_name = 'Beta'", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "`Run name` = 'Beta'", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "\"run name\" = 'Beta'", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "start_time > 150 and created <= 300", &[]), ["gamma", "Beta"]);
    assert_eq!(names(s, &f, "end_time > 0", &[]), ["gamma", "alpha-run"], "runs without an end time do not match");
    assert_eq!(names(s, &f, &format!("artifact_uri LIKE '%{a}%'"), &[]), ["alpha-run"]);
}

pub fn filter_datasets(s: &dyn TrackingStore) {
    let f = fixture(s);
    assert_eq!(names(s, &f, "datasets.name = 'train'", &[]), ["alpha-run"]);
    assert_eq!(names(s, &f, "dataset.name IN ('train', 'eval')", &[]), ["Beta", "alpha-run"]);
    assert_eq!(names(s, &f, "datasets.name NOT IN ('train')", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "datasets.context = 'evaluation'", &[]), ["Beta"]);
    assert_eq!(names(s, &f, "datasets.digest LIKE 'd%'", &[]), ["Beta", "alpha-run"]);
    assert_eq!(names(s, &f, "datasets.context ILIKE 'TRAIN%' and metrics.auc > 0", &[]), ["alpha-run"]);
}

pub fn order_by_with_nan_and_missing_last(s: &dyn TrackingStore) {
    let f = fixture(s);
    assert_eq!(names(s, &f, "", &["metrics.auc DESC"]), ["gamma", "alpha-run", "Beta", "delta"]);
    assert_eq!(names(s, &f, "", &["metrics.auc ASC"]), ["Beta", "alpha-run", "gamma", "delta"]);
    // NaN after the values, then missing (ties by start_time DESC), in both directions.
    assert_eq!(names(s, &f, "", &["metrics.loss"]), ["alpha-run", "Beta", "delta", "gamma"]);
    assert_eq!(names(s, &f, "", &["metrics.loss DESC"]), ["alpha-run", "Beta", "delta", "gamma"]);
    assert_eq!(names(s, &f, "", &["params.model DESC"]), ["Beta", "alpha-run", "delta", "gamma"]);
    assert_eq!(names(s, &f, "", &["tags.team asc"]), ["alpha-run", "gamma", "Beta", "delta"]);
    assert_eq!(names(s, &f, "", &["attributes.run_name"]), ["Beta", "alpha-run", "delta", "gamma"]);
    assert_eq!(names(s, &f, "", &["end_time DESC"]), ["gamma", "alpha-run", "delta", "Beta"], "missing end times last");
    assert_eq!(names(s, &f, "", &["start_time ASC"]), ["alpha-run", "Beta", "gamma", "delta"]);
    assert_eq!(names(s, &f, "", &["status", "run_name DESC"]), ["gamma", "alpha-run", "delta", "Beta"]);
    assert_eq!(names(s, &f, "metrics.auc > 0", &["metric.`auc` DESC"]), ["gamma", "alpha-run", "Beta"]);
}

pub fn default_order_and_ties(s: &dyn TrackingStore) {
    let exp = s.create_experiment("ties", None, &[], 1).unwrap();
    let mut ids: Vec<String> = (0..6).map(|_| s.create_run(&exp, None, "u", 42, &[]).unwrap().info.run_id).collect();
    let newest = s.create_run(&exp, None, "u", 43, &[]).unwrap().info.run_id;
    ids.sort();
    ids.insert(0, newest);
    let req = SearchRuns { experiment_ids: vec![exp], ..Default::default() };
    let got: Vec<String> = s.search_runs(&req).unwrap().runs.into_iter().map(|r| r.info.run_id).collect();
    assert_eq!(got, ids, "newest first, then by run id");
}

pub fn pages_through_everything(s: &dyn TrackingStore) {
    let exp = s.create_experiment("pages", None, &[], 1).unwrap();
    for i in 0..23 {
        let run = s.create_run(&exp, None, "u", i, &[]).unwrap().info.run_id;
        s.log_metric(&run, "i", i as f64, 1, 0).unwrap();
    }
    let odd = s.create_run(&exp, None, "u", 99, &[]).unwrap().info.run_id;
    s.log_metric(&odd, "i", -1.0, 1, 0).unwrap();
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let req = SearchRuns {
            experiment_ids: vec![exp.clone()],
            filter: "metrics.i >= 0".into(),
            order_by: vec!["metrics.i DESC".into()],
            max_results: 5,
            page_token: token.clone(),
            ..Default::default()
        };
        let page = s.search_runs(&req).unwrap();
        assert_eq!(page.total, 23);
        pages += 1;
        seen.extend(page.runs.iter().map(|r| r.data.metrics[0].value as i64));
        match page.next_page_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(seen, (0..23).rev().collect::<Vec<i64>>(), "every run once, in order");
    let past_the_end = SearchRuns { experiment_ids: vec![exp], page_token: Some(token.unwrap()), max_results: 1000, ..Default::default() };
    let page = s.search_runs(&past_the_end).unwrap();
    assert!(page.next_page_token.is_none() && page.total == 24);
}

pub fn view_types(s: &dyn TrackingStore) {
    let f = fixture(s);
    let deleted = search_page(s, &f, "", &[], ViewType::DeletedOnly);
    assert_eq!(deleted.runs.iter().map(|r| r.info.run_name.as_str()).collect::<Vec<_>>(), ["eps"]);
    let all = search_page(s, &f, "metrics.auc > 0", &[], ViewType::All);
    assert_eq!(all.total, 4);
    let other = s.create_experiment("other", None, &[], 1).unwrap();
    s.create_run(&other, Some("elsewhere"), "u", 1, &[]).unwrap();
    let req = SearchRuns { experiment_ids: vec![f.experiment.clone(), other], ..Default::default() };
    assert_eq!(s.search_runs(&req).unwrap().total, 5, "several experiments at once");
}

pub fn bad_filters_say_where(s: &dyn TrackingStore) {
    let f = fixture(s);
    let cases = [
        ("metrics.auc 0.5", "at character 13: expected a comparison operator after `metrics.auc`"),
        ("metrics.auc > 'x'", "at character 15: metric `auc` is compared with numbers"),
        ("params.model = gbm", "at character 16: expected a value after `params.model =`"),
        ("metrics.auc > 0.5 or params.x = 'a'", "at character 19: OR is not supported"),
        ("foo.bar = 'x'", "at character 1: `foo` is not a kind of key"),
        ("bogus = 'x'", "`bogus` is not a run attribute"),
        ("metrics.auc LIKE '%'", "at character 13: `LIKE` cannot compare metrics"),
        ("status IN ('A', 'B')", "only run_id"),
        ("tags.x = 'open", "at character 10: the string that starts here is never closed"),
        ("metrics.auc > 0.5 and", "expected a clause after AND"),
        ("(metrics.auc > 0.5)", "parentheses are not supported"),
        ("metrics.val-loss > 1", "backticks"),
        ("run_id IN ()", "the list is empty"),
        ("metrics.a >> 1", "expected a value after `metrics.a >`"),
        ("datasets.foo = 'x'", "not a dataset field"),
        ("metrics.auc > 0.5 metrics.x > 1", "expected AND or the end of the filter"),
        ("metrics.a == 1", "use `=`"),
        ("params.p > 'a'", "cannot compare params"),
        ("start_time > 'yesterday'", "compared with numbers"),
        ("run_id = ('a')", "a list needs IN"),
        ("metrics.a > 1x", "`1x` is not a number"),
        ("tags.`` = 'a'", "quoted name is empty"),
    ];
    for (filter, expected) in cases {
        let req = SearchRuns { experiment_ids: vec![f.experiment.clone()], filter: filter.into(), ..Default::default() };
        let e = expect_err(s.search_runs(&req), ErrorCode::InvalidFilter, "INVALID_PARAMETER_VALUE");
        assert!(e.to_string().contains(expected), "`{filter}`: {e}");
    }
    for (order, expected) in
        [("metrics.auc UP", "expected ASC, DESC"), ("datasets.name", "cannot be ordered"), ("nonsense", "not a run attribute")]
    {
        let req = SearchRuns { experiment_ids: vec![f.experiment.clone()], order_by: vec![order.into()], ..Default::default() };
        let e = expect_err(s.search_runs(&req), ErrorCode::InvalidFilter, "INVALID_PARAMETER_VALUE");
        assert!(e.to_string().contains(expected) && e.to_string().contains(order), "`{order}`: {e}");
    }
    let twice = SearchRuns {
        experiment_ids: vec![f.experiment.clone()],
        order_by: vec!["metrics.auc".into(), "metric.auc DESC".into()],
        ..Default::default()
    };
    expect_err(s.search_runs(&twice), ErrorCode::InvalidFilter, "INVALID_PARAMETER_VALUE");
}

pub fn bad_requests(s: &dyn TrackingStore) {
    let f = fixture(s);
    let base = SearchRuns { experiment_ids: vec![f.experiment.clone()], ..Default::default() };
    let page = s.search_runs(&SearchRuns { max_results: 50_000, ..base.clone() }).unwrap();
    assert_eq!(page.total, 4);
    let e =
        expect_err(s.search_runs(&SearchRuns { max_results: 50_001, ..base.clone() }), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    assert!(e.to_string().contains("50000"), "{e}");
    for token in ["garbage!", "aGVsbG8=", "eyJvZmZzZXQiOiAiYWJjIn0="] {
        let e = expect_err(
            s.search_runs(&SearchRuns { page_token: Some(token.into()), ..base.clone() }),
            ErrorCode::InvalidInput,
            "INVALID_PARAMETER_VALUE",
        );
        assert!(e.to_string().contains("page token"), "{e}");
        assert!(e.hint().is_some());
    }
    expect_err(
        s.search_runs(&SearchRuns { experiment_ids: vec!["x".into()], ..Default::default() }),
        ErrorCode::InvalidInput,
        "INVALID_PARAMETER_VALUE",
    );
    let none = s.search_runs(&SearchRuns::default()).unwrap();
    assert_eq!((none.runs.len(), none.total), (0, 0), "no experiment ids, no runs (as in MLflow)");
    let unknown = s.search_runs(&SearchRuns { experiment_ids: vec!["12345".into()], ..Default::default() }).unwrap();
    assert_eq!(unknown.total, 0);
}
