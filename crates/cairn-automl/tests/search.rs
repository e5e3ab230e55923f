//! The search on real and hostile tables: reproducible with a seed and a trial budget, honest on a
//! column that only in-sample statistics would find useful, going on past a panicking trial, stopping
//! on cancel and on a budget too short, and surviving 5,000 columns and a column of unique strings.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cairn_automl::{Fit, Observer, Options, Quiet, Trainer, search};
use cairn_ml::{MlError, Model, Reporter, TrainingData};
use cairn_types::{ImportOptions, ModelKind, Task, TrainSpec, TrialSummary, Validation};
use polars::prelude::*;

fn spec(target: &str) -> TrainSpec {
    TrainSpec {
        dataset: String::new(),
        target: target.into(),
        task: None,
        model: ModelKind::Gbm,
        params: Default::default(),
        features: None,
        validation: Validation::Auto,
        seed: 1,
        experiment: None,
        run_name: None,
        positive_class: None,
    }
}

struct NoLog;
impl cairn_data::Observer for NoLog {}

/// The first `rows` rows of adult.csv.
fn adult(rows: usize) -> DataFrame {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/adult.csv");
    cairn_data::read_file(&path, &ImportOptions::default(), &NoLog).unwrap().frame.head(Some(rows))
}

/// SplitMix64, for synthetic columns.
fn rng(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn key(t: &TrialSummary) -> (u32, ModelKind, BTreeMap<String, String>, Option<u64>) {
    (t.number, t.model, t.params.clone(), t.score.map(f64::to_bits))
}

#[test]
fn a_seed_and_a_trial_budget_replay_the_same_search() {
    let frame = adult(2500);
    let data = TrainingData::new(&frame, &spec("class")).unwrap();
    let opts = Options { max_trials: Some(7), seed: 7, ..Default::default() };
    let a = search(&data, &opts, Arc::new(Fit), &Quiet).unwrap();
    let b = search(&data, &opts, Arc::new(Fit), &Quiet).unwrap();
    assert_eq!(a.result.leaderboard.len(), 7);
    assert_eq!(a.result.stopped, "trials");
    let ka: Vec<_> = a.result.leaderboard.iter().map(key).collect();
    assert_eq!(ka, b.result.leaderboard.iter().map(key).collect::<Vec<_>>());
    assert_eq!(a.result.ensemble, b.result.ensemble);
    let c = search(&data, &Options { seed: 8, ..opts }, Arc::new(Fit), &Quiet).unwrap();
    assert_ne!(ka, c.result.leaderboard.iter().map(key).collect::<Vec<_>>());
    // Every default family for 2,500 rows was tried, and the result beats a coin by far.
    let kinds: std::collections::HashSet<_> = a.result.leaderboard.iter().map(|t| t.model).collect();
    assert!(kinds.contains(&ModelKind::Gbm) && kinds.contains(&ModelKind::Logistic), "{kinds:?}");
    assert!(a.result.score.unwrap() > 0.85, "{:?}", a.result.score);
    // Importances of the final model, measured on rows its first-part twin never saw.
    let e = a.evaluation.as_ref().unwrap();
    assert_eq!(e.importance_kind, "permutation");
    assert_eq!(e.importances.len(), data.checked().features.len());
    assert!(e.importances[0].importance > 0.0 && e.importances[0].importance >= e.importances[1].importance, "{:?}", e.importances);
    // The final model predicts raw rows like any run's.
    let p = a.model.unwrap().predict(&frame.head(Some(5))).unwrap();
    assert!(p.column("proba_>50K").is_ok());
}

#[test]
fn scores_are_honest_on_a_column_only_in_sample_statistics_would_use() {
    // 3,000 rows, a code with ~2,000 distinct values and a target drawn at random: encoding the code by
    // its target mean on the rows being scored would look predictive. Nothing here is.
    let mut r = rng(3);
    let n = 3000;
    let code: Vec<String> = (0..n).map(|_| format!("c{}", (r() * 2000.0) as u32)).collect();
    let noise: Vec<f64> = (0..n).map(|_| r()).collect();
    let y: Vec<&str> = (0..n).map(|_| if r() < 0.3 { "yes" } else { "no" }).collect();
    let frame = df!("code" => code, "noise" => noise, "y" => y).unwrap();
    let data = TrainingData::new(&frame, &spec("y")).unwrap();
    let out = search(&data, &Options { max_trials: Some(6), seed: 1, ..Default::default() }, Arc::new(Fit), &Quiet).unwrap();
    for t in &out.result.leaderboard {
        let s = t.score.unwrap();
        assert!(s < 0.58, "trial {} ({}) scored {s} on pure noise", t.number, t.model.as_str());
    }
    assert!(out.result.score.unwrap() < 0.58, "{:?}", out.result.score);
}

/// Panics in every logistic fit.
struct Flaky;
impl Trainer for Flaky {
    fn fit(
        &self,
        data: &TrainingData,
        kind: ModelKind,
        params: &BTreeMap<String, String>,
        rows: &[usize],
        seed: u64,
        reporter: &dyn Reporter,
    ) -> Result<Model, MlError> {
        assert!(kind != ModelKind::Logistic, "a bug in the logistic fit");
        Fit.fit(data, kind, params, rows, seed, reporter)
    }
}

#[test]
fn a_trial_that_panics_is_recorded_and_the_search_goes_on() {
    let data = TrainingData::new(&adult(3000), &spec("class")).unwrap();
    let out = search(&data, &Options { max_trials: Some(6), seed: 2, ..Default::default() }, Arc::new(Flaky), &Quiet).unwrap();
    let failed: Vec<&TrialSummary> = out.result.leaderboard.iter().filter(|t| t.error.is_some()).collect();
    assert!(!failed.is_empty());
    for t in &failed {
        assert_eq!(t.model, ModelKind::Logistic);
        assert!(t.error.as_deref().unwrap().contains("panicked: a bug in the logistic fit"), "{:?}", t.error);
        assert!(t.score.is_none());
    }
    // Failed trials are listed last; the others were scored and the final model is theirs.
    assert!(out.result.leaderboard.first().unwrap().score.is_some());
    assert!(out.result.leaderboard.last().unwrap().error.is_some());
    assert!(out.model.is_some());
    assert!(out.result.ensemble.iter().all(|m| m.model != ModelKind::Logistic));
}

/// Cancels once `after` trials have finished; counts the best-so-far models it was given.
struct CancelAfter {
    after: usize,
    finished: AtomicUsize,
    best: AtomicUsize,
}
impl Observer for CancelAfter {
    fn cancelled(&self) -> bool {
        self.finished.load(Ordering::SeqCst) >= self.after
    }
    fn trial_finished(&self, _t: &TrialSummary, _m: &BTreeMap<String, f64>) {
        self.finished.fetch_add(1, Ordering::SeqCst);
    }
    fn new_best(&self, t: &TrialSummary, m: &Model) {
        assert!(t.score.is_some());
        assert_eq!(m.target(), "class");
        self.best.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn cancel_keeps_the_finished_trials_and_the_best_so_far() {
    let data = TrainingData::new(&adult(3000), &spec("class")).unwrap();
    let obs = CancelAfter { after: 3, finished: AtomicUsize::new(0), best: AtomicUsize::new(0) };
    let out = search(&data, &Options { budget_seconds: Some(600.0), seed: 1, ..Default::default() }, Arc::new(Fit), &obs).unwrap();
    assert_eq!(out.result.stopped, "cancelled");
    assert!(out.model.is_none());
    let scored = out.result.leaderboard.iter().filter(|t| t.score.is_some()).count();
    assert!(scored >= 3, "{:?}", out.result.leaderboard);
    assert!(obs.best.load(Ordering::SeqCst) >= 1);
    // Trials running when it was cancelled stopped: none outlived the search.
    assert!(out.result.seconds < 120.0);
}

#[test]
fn a_budget_too_short_for_one_trial_says_so_and_what_to_give() {
    let data = TrainingData::new(&adult(20_000), &spec("class")).unwrap();
    let e = search(&data, &Options { budget_seconds: Some(0.01), seed: 1, ..Default::default() }, Arc::new(Fit), &Quiet).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("the time budget of 0.01 s ran out before"), "{text}");
    let hint = e.hint().unwrap_or_default();
    assert!(hint.contains("--budget"), "{hint}");
}

#[test]
fn five_thousand_columns_and_a_column_of_unique_strings() {
    let mut r = rng(9);
    let n = 300;
    let mut cols: Vec<Column> = (0..5000).map(|c| Column::new(format!("x{c}").into(), (0..n).map(|_| r()).collect::<Vec<f64>>())).collect();
    let x0: Vec<f64> = cols[0].as_materialized_series().f64().unwrap().into_no_null_iter().collect();
    cols.push(Column::new("id".into(), (0..n).map(|i| format!("row-{i}-{}", (r() * 1e9) as u64)).collect::<Vec<String>>()));
    cols.push(Column::new("y".into(), x0.iter().map(|v| if *v > 0.5 { "hi" } else { "lo" }).collect::<Vec<&str>>()));
    let frame = DataFrame::new_infer_height(cols).unwrap();
    let data = TrainingData::new(&frame, &spec("y")).unwrap();
    assert!(data.checked().left_out.iter().any(|l| l.column == "id"), "{:?}", data.checked().left_out);
    let out = search(&data, &Options { max_trials: Some(4), seed: 1, ..Default::default() }, Arc::new(Fit), &Quiet).unwrap();
    assert!(out.result.score.unwrap() > 0.8, "{:?}", out.result);
    assert!(out.model.unwrap().predict(&frame.head(Some(3))).is_ok());
}

#[test]
fn the_target_is_refused_before_any_trial_one_class_or_all_missing() {
    let one = df!("x" => [1.0, 2.0, 3.0, 4.0], "y" => ["a", "a", "a", "a"]).unwrap();
    let e = TrainingData::new(&one, &spec("y")).unwrap_err();
    assert!(e.to_string().contains("one class only"), "{e}");
    let none = df!("x" => [1.0, 2.0, 3.0], "y" => [None::<f64>, None, None]).unwrap();
    let e = TrainingData::new(&none, &spec("y")).unwrap_err();
    assert!(e.to_string().contains("missing in every row"), "{e}");
    // Too few rows to search honestly.
    let tiny = df!("x" => (0..10).map(f64::from).collect::<Vec<_>>(), "y" => (0..10).map(|i| if i % 2 == 0 { "a" } else { "b" }).collect::<Vec<_>>())
        .unwrap();
    let data = TrainingData::new(&tiny, &spec("y")).unwrap();
    let e = search(&data, &Options { max_trials: Some(2), ..Default::default() }, Arc::new(Fit), &Quiet).unwrap_err();
    assert!(e.to_string().contains("too few"), "{e}");
    let e = search(&data, &Options { metric: Some("rmse".into()), ..Default::default() }, Arc::new(Fit), &Quiet).unwrap_err();
    assert!(e.to_string().contains("'rmse' is not a classification metric"), "{e}");
}

#[test]
fn regression_searches_linear_and_boosted_models() {
    let mut r = rng(5);
    let n = 2000;
    let a: Vec<f64> = (0..n).map(|_| r() * 10.0).collect();
    let b: Vec<f64> = (0..n).map(|_| r()).collect();
    let y: Vec<f64> = a.iter().zip(&b).map(|(a, b)| 3.0 * a + 10.0 * (b * 6.0).sin() + r()).collect();
    let frame = df!("a" => a, "b" => b, "y" => y).unwrap();
    let mut s = spec("y");
    s.task = Some(Task::Regression);
    let data = TrainingData::new(&frame, &s).unwrap();
    let out = search(&data, &Options { max_trials: Some(8), seed: 3, ..Default::default() }, Arc::new(Fit), &Quiet).unwrap();
    assert_eq!(out.result.metric, "rmse");
    assert!(!out.result.greater_is_better);
    let kinds: Vec<ModelKind> = out.result.leaderboard.iter().map(|t| t.model).collect();
    assert!(kinds.contains(&ModelKind::ElasticNet) && kinds.contains(&ModelKind::Gbm), "{kinds:?}");
    // A straight line leaves the sine's ±7 RMSE; boosting finds the curve.
    let best = out.result.score.unwrap();
    assert!(best < 2.5, "{best}");
}

#[test]
fn an_ensemble_predicts_the_weighted_mean_of_its_members_and_survives_a_file() {
    let frame = adult(3000);
    let data = TrainingData::new(&frame, &spec("class")).unwrap();
    let rows = data.rows().to_vec();
    let g = data.fit(ModelKind::Gbm, &BTreeMap::new(), &rows, 1, &cairn_ml::Silent).unwrap();
    let l = data.fit(ModelKind::Logistic, &BTreeMap::new(), &rows, 1, &cairn_ml::Silent).unwrap();
    // A single metric, computed alone for the ensemble search, is the full report's.
    let scored = data.predict(&g, &rows[..500]).unwrap();
    let all = data.metrics(&rows[..500], &scored);
    for name in ["roc_auc", "log_loss", "accuracy"] {
        assert_eq!(data.metric(&rows[..500], &scored, name), Some(all[name]), "{name}");
    }
    let head = frame.head(Some(50));
    let (pg, pl) = (g.predict(&head).unwrap(), l.predict(&head).unwrap());
    let blend = Model::blend(vec![(g, 3.0), (l, 1.0)]).unwrap();
    assert_eq!(blend.members(), vec![(ModelKind::Gbm, 0.75), (ModelKind::Logistic, 0.25)]);
    let dir = tempfile_dir();
    let path = dir.join("ensemble.cairn");
    blend.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&format!("\"format\":{}", cairn_ml::MODEL_FORMAT)));
    let back = Model::load(&path).unwrap();
    let pb = back.predict(&head).unwrap();
    let col = |df: &DataFrame| -> Vec<f64> { df.column("proba_>50K").unwrap().f64().unwrap().into_no_null_iter().collect() };
    for ((b, g), l) in col(&pb).iter().zip(col(&pg)).zip(col(&pl)) {
        assert!((b - (0.75 * g + 0.25 * l)).abs() < 1e-12, "{b} vs {g} {l}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cairn-automl-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
