use cairn_store::TrackingStore;
use cairn_store::tracking::RUN_NAME_TAG;
use cairn_types::{DatasetInput, DatasetRef, ErrorCode, Metric, RunStatus};

use super::{expect_err, m, p, t, tag};

fn new_run(s: &dyn TrackingStore) -> String {
    s.create_run("0", None, "u", 1, &[]).unwrap().info.run_id
}

fn latest(s: &dyn TrackingStore, run: &str, key: &str) -> Metric {
    s.get_run(run).unwrap().data.metrics.into_iter().find(|m| m.key == key).unwrap()
}

fn history(s: &dyn TrackingStore, run: &str, key: &str) -> Vec<Metric> {
    s.get_metric_history(run, key, None, None).unwrap().0
}

pub fn log_batch_round_trip(s: &dyn TrackingStore) {
    let run = new_run(s);
    s.log_batch(
        &run,
        &[m("loss", 0.9, 10, 0), m("loss", 0.5, 20, 1), m("acc", 0.7, 20, 1)],
        &[p("lr", "0.01"), p("model", "gbm")],
        &[t("team", "ml")],
    )
    .unwrap();
    s.log_batch(&run, &[], &[], &[]).unwrap();
    let data = s.get_run(&run).unwrap().data;
    let metric_keys: Vec<&str> = data.metrics.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(metric_keys, ["acc", "loss"], "one latest value per key");
    assert_eq!(latest(s, &run, "loss"), m("loss", 0.5, 20, 1));
    let params: Vec<(&str, &str)> = data.params.iter().map(|p| (p.key.as_str(), p.value.as_str())).collect();
    assert_eq!(params, [("lr", "0.01"), ("model", "gbm")]);
    assert_eq!(tag(&data.tags, "team"), Some("ml"));
    assert_eq!(history(s, &run, "loss"), [m("loss", 0.9, 10, 0), m("loss", 0.5, 20, 1)]);
}

pub fn default_methods_funnel_into_log_batch(s: &dyn TrackingStore) {
    let run = new_run(s);
    s.log_metric(&run, "m", 1.5, 100, 3).unwrap();
    s.log_param(&run, "p", "v").unwrap();
    s.set_tag(&run, "t", "x").unwrap();
    let data = s.get_run(&run).unwrap().data;
    assert_eq!(data.metrics, [m("m", 1.5, 100, 3)]);
    assert_eq!((data.params[0].key.as_str(), data.params[0].value.as_str()), ("p", "v"));
    assert_eq!(tag(&data.tags, "t"), Some("x"));
    // The same checks apply whichever way in.
    expect_err(s.log_metric(&run, "", 1.0, 1, 0), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.log_metric(&run, "m", 1.0, -5, 0), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.log_param(&run, "../p", "v"), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.set_tag(&run, "/t", "v"), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.log_metric("not a run id!", "m", 1.0, 1, 0), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
}

pub fn params_are_immutable(s: &dyn TrackingStore) {
    let run = new_run(s);
    s.log_param(&run, "lr", "0.01").unwrap();
    s.log_param(&run, "lr", "0.01").unwrap();
    s.log_batch(&run, &[], &[p("lr", "0.01"), p("depth", "3")], &[]).unwrap();
    let e = expect_err(
        s.log_batch(&run, &[m("late", 1.0, 1, 0)], &[p("lr", "0.1")], &[t("after", "x")]),
        ErrorCode::AlreadyExists,
        "INVALID_PARAMETER_VALUE",
    );
    let msg = e.to_string();
    assert!(msg.contains("`lr`") && msg.contains("`0.01`") && msg.contains("`0.1`"), "{msg}");
    let data = s.get_run(&run).unwrap().data;
    assert!(data.metrics.is_empty() && tag(&data.tags, "after").is_none(), "a refused batch changes nothing");
    let e = expect_err(s.log_batch(&run, &[], &[p("a", "1"), p("a", "1")], &[]), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    assert!(e.to_string().contains("`a`"), "{e}");
}

pub fn batch_limits_and_keys(s: &dyn TrackingStore) {
    let run = new_run(s);
    let metrics = |n: usize| (0..n).map(|i| m("x", i as f64, 1, i as i64)).collect::<Vec<_>>();
    let params = |n: usize| (0..n).map(|i| p(&format!("p{i}"), "v")).collect::<Vec<_>>();
    let tags = |n: usize| (0..n).map(|i| t(&format!("t{i}"), "v")).collect::<Vec<_>>();
    s.log_batch(&run, &metrics(1000), &[], &[]).unwrap();
    s.log_batch(&run, &metrics(800), &params(100), &tags(100)).unwrap();
    let invalid = |r| expect_err(r, ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    invalid(s.log_batch(&run, &metrics(1001), &[], &[]));
    invalid(s.log_batch(&run, &[], &params(101), &[]));
    invalid(s.log_batch(&run, &[], &[], &tags(101)));
    let e = invalid(s.log_batch(&run, &metrics(900), &[], &tags(101)));
    assert!(e.to_string().contains("100 tags"), "{e}");
    invalid(s.log_batch(&run, &metrics(901), &params(50), &tags(50)));
    s.log_metric(&run, &"k".repeat(250), 1.0, 1, 0).unwrap();
    invalid(s.log_metric(&run, &"k".repeat(251), 1.0, 1, 0));
    for bad in ["", "a//b", "a/", "/a", "./a", "a/../b", "..", "..x", "a\tb", "a*b", "a\"b"] {
        let e = invalid(s.log_metric(&run, bad, 1.0, 1, 0));
        assert!(e.to_string().contains("key"), "{bad:?}: {e}");
    }
    for good in ["val/loss", "f1 score", "a-b_c.d:e", "épsilon", "step:2/acc"] {
        s.log_metric(&run, good, 1.0, 1, 0).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}

pub fn long_values_are_cut(s: &dyn TrackingStore) {
    let run = new_run(s);
    s.log_param(&run, "long", &"é".repeat(7000)).unwrap();
    s.set_tag(&run, "long", &"x".repeat(9000)).unwrap();
    let data = s.get_run(&run).unwrap().data;
    assert_eq!(data.params[0].value.chars().count(), 6000, "param values are cut to 6000 characters, as MLflow's server does");
    assert_eq!(tag(&data.tags, "long").unwrap().len(), 8000);
    // The stored (cut) value is the one that must not change.
    s.log_param(&run, "long", &"é".repeat(6500)).unwrap();
}

pub fn nan_and_inf_round_trip(s: &dyn TrackingStore) {
    let run = new_run(s);
    s.log_batch(&run, &[m("x", f64::NAN, 1, 0), m("x", f64::INFINITY, 2, 1), m("x", f64::NEG_INFINITY, 3, 2)], &[], &[]).unwrap();
    s.log_metric(&run, "y", f64::NAN, 5, 0).unwrap();
    let h = history(s, &run, "x");
    assert_eq!(h.len(), 3);
    assert!(h[0].value.is_nan());
    assert_eq!((h[1].value, h[2].value), (f64::INFINITY, f64::NEG_INFINITY));
    assert_eq!(latest(s, &run, "x").value, f64::NEG_INFINITY, "the highest step is the latest");
    assert!(latest(s, &run, "y").value.is_nan());
    let series = s.metric_series(&run, "x", 0).unwrap();
    assert!(series.points[0].value.is_nan() && series.points[1].value.is_infinite());
    // A repeated NaN point is one point, like any identical point.
    s.log_metric(&run, "y", f64::NAN, 5, 0).unwrap();
    assert_eq!(history(s, &run, "y").len(), 1);
}

pub fn latest_metric_rules(s: &dyn TrackingStore) {
    let run = new_run(s);
    s.log_metric(&run, "a", 1.0, 500, 5).unwrap();
    s.log_metric(&run, "a", 2.0, 100, 6).unwrap();
    assert_eq!(latest(s, &run, "a"), m("a", 2.0, 100, 6), "a higher step wins even with an older timestamp");
    s.log_metric(&run, "a", 3.0, 900, 4).unwrap();
    assert_eq!(latest(s, &run, "a").value, 2.0, "a lower step logged later does not replace it");
    s.log_metric(&run, "a", 0.5, 200, 6).unwrap();
    assert_eq!(latest(s, &run, "a"), m("a", 0.5, 200, 6), "same step: the later timestamp wins");
    s.log_metric(&run, "a", 0.7, 200, 6).unwrap();
    s.log_metric(&run, "a", 0.6, 200, 6).unwrap();
    assert_eq!(latest(s, &run, "a").value, 0.7, "same step and timestamp: the larger value wins");
    // Within one batch, the same rules.
    s.log_batch(&run, &[m("b", 9.0, 1, 3), m("b", 1.0, 1, 7), m("b", 5.0, 2, 2)], &[], &[]).unwrap();
    assert_eq!(latest(s, &run, "b"), m("b", 1.0, 1, 7));
    assert_eq!(history(s, &run, "a").len(), 6);
}

pub fn metric_history_order_and_pages(s: &dyn TrackingStore) {
    let run = new_run(s);
    let points: Vec<Metric> = (0..25).map(|i| m("h", i as f64, 1000 - i, i)).collect();
    s.log_batch(&run, &points, &[], &[]).unwrap();
    s.log_batch(&run, &points[..5], &[], &[]).unwrap();
    let all = history(s, &run, "h");
    assert_eq!(all.len(), 25, "identical points are stored once");
    // MLflow's order: timestamp, then step, then value.
    assert_eq!(all[0], m("h", 24.0, 976, 24));
    let mut paged = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let (page, next) = s.get_metric_history(&run, "h", Some(10), token.as_deref()).unwrap();
        assert!(page.len() <= 10);
        paged.extend(page);
        match next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(paged, all);
    assert!(history(s, &run, "nothing").is_empty());
    assert!(history(s, "0123456789abcdef0123456789abcdef", "h").is_empty(), "MLflow answers an unknown run with no points");
    expect_err(s.get_metric_history(&run, "h", Some(0), None), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.get_metric_history(&run, "h", Some(5), Some("garbage!")), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
}

pub fn logging_needs_an_active_run(s: &dyn TrackingStore) {
    let run = new_run(s);
    s.update_run(&run, Some(RunStatus::Finished), Some(5), None).unwrap();
    s.log_metric(&run, "after_finish", 1.0, 6, 0).unwrap();
    s.delete_run(&run, 7).unwrap();
    let e = expect_err(s.log_metric(&run, "m", 1.0, 8, 0), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    assert!(e.to_string().contains(&run), "{e}");
    expect_err(s.log_param(&run, "p", "v"), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.set_tag(&run, "t", "v"), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.delete_tag(&run, "t"), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.log_inputs(&run, &[]), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    s.restore_run(&run, 9).unwrap();
    s.log_metric(&run, "m", 1.0, 10, 0).unwrap();
}

pub fn tags_and_run_name(s: &dyn TrackingStore) {
    let run = new_run(s);
    s.set_tag(&run, "k", "1").unwrap();
    s.set_tag(&run, "k", "2").unwrap();
    s.log_batch(&run, &[], &[], &[t("dup", "a"), t("dup", "b")]).unwrap();
    let tags = s.get_run(&run).unwrap().data.tags;
    assert_eq!((tag(&tags, "k"), tag(&tags, "dup")), (Some("2"), Some("b")), "tags are overwritten, the last one wins");
    s.set_tag(&run, RUN_NAME_TAG, "renamed").unwrap();
    let got = s.get_run(&run).unwrap();
    assert_eq!(got.info.run_name, "renamed", "setting mlflow.runName renames the run");
    assert_eq!(tag(&got.data.tags, RUN_NAME_TAG), Some("renamed"));
    s.delete_tag(&run, "k").unwrap();
    assert_eq!(tag(&s.get_run(&run).unwrap().data.tags, "k"), None);
    let e = expect_err(s.delete_tag(&run, "k"), ErrorCode::InvalidInput, "RESOURCE_DOES_NOT_EXIST");
    assert!(e.to_string().contains("`k`"), "{e}");
}

fn dataset(name: &str, digest: &str, context: Option<&str>) -> DatasetInput {
    DatasetInput {
        dataset: DatasetRef {
            name: name.into(),
            digest: digest.into(),
            source_type: "local".into(),
            source: format!("{{\"uri\": \"/data/{name}.csv\"}}"),
            schema: Some("{}".into()),
            profile: None,
        },
        tags: context.map(|c| vec![t("mlflow.data.context", c)]).unwrap_or_default(),
    }
}

pub fn dataset_inputs(s: &dyn TrackingStore) {
    let run = new_run(s);
    s.log_inputs(&run, &[dataset("train", "d1", Some("training")), dataset("train", "d1", Some("other")), dataset("eval", "d2", None)])
        .unwrap();
    s.log_inputs(&run, &[dataset("train", "d1", Some("again"))]).unwrap();
    let inputs = s.get_run(&run).unwrap().inputs.dataset_inputs;
    assert_eq!(inputs.len(), 2, "the same (name, digest) is kept once");
    assert_eq!(inputs[0], dataset("train", "d1", Some("training")), "the first one logged is kept");
    assert_eq!(inputs[1], dataset("eval", "d2", None));
    // Another run of the experiment shares the data set but has its own input tags.
    let other = new_run(s);
    s.log_inputs(&other, &[dataset("train", "d1", Some("evaluation"))]).unwrap();
    assert_eq!(s.get_run(&other).unwrap().inputs.dataset_inputs, [dataset("train", "d1", Some("evaluation"))]);
    let mut bad = dataset("x", &"d".repeat(37), None);
    expect_err(s.log_inputs(&run, &[bad.clone()]), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    bad.dataset.digest = String::new();
    expect_err(s.log_inputs(&run, &[bad]), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
}

pub fn metric_series_downsampling(s: &dyn TrackingStore) {
    let run = new_run(s);
    let n = 10_000;
    let values = |i: i64| {
        if i == 4321 {
            100.0
        } else if i == 7777 {
            -100.0
        } else {
            (i as f64 / 300.0).sin()
        }
    };
    for chunk in (0..n).collect::<Vec<i64>>().chunks(1000) {
        let batch: Vec<Metric> = chunk.iter().map(|&i| m("wave", values(i), 1_000 + i, i)).collect();
        s.log_batch(&run, &batch, &[], &[]).unwrap();
    }
    let series = s.metric_series(&run, "wave", 0).unwrap();
    assert_eq!(series.total_points, n as u64);
    assert!(series.points.len() <= 1000 && series.points.len() > 900, "{}", series.points.len());
    assert_eq!(series.points.first().unwrap().step, 0, "the first point is kept");
    assert_eq!(series.points.last().unwrap().step, n - 1, "the last point is kept");
    assert!(series.points.windows(2).all(|w| w[0].step < w[1].step), "in step order");
    assert!(series.points.iter().any(|p| p.value == 100.0) && series.points.iter().any(|p| p.value == -100.0), "spikes survive");
    let small = s.metric_series(&run, "wave", 50).unwrap();
    assert!(small.points.len() <= 50);
    let short = s.metric_series(&run, "nothing", 100).unwrap();
    assert_eq!((short.points.len(), short.total_points), (0, 0));
    expect_err(s.metric_series(&run, "wave", 1), ErrorCode::InvalidInput, "INVALID_PARAMETER_VALUE");
    expect_err(s.metric_series("0123456789abcdef0123456789abcdef", "wave", 10), ErrorCode::RunNotFound, "RESOURCE_DOES_NOT_EXIST");
}
