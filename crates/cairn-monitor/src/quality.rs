//! Model quality from (prediction, label[, probability]) pairs with SageMaker Model Monitor's metric names.
//!
//! Each metric has a `*_best_constant_classifier` / `*_best_constant_regressor` baseline: the best value any
//! constant prediction reaches on the same labels (regression: the mean for mse, rmse and r2, the median for
//! mae; classification: the best over predicting each single class, so recall's baseline is 1 and accuracy's is
//! the majority share). With at least 200 rows each metric also has a `standard_deviation`: the sample standard
//! deviation (n − 1) of the metric over five random 80 % subsets drawn without replacement from a seeded
//! generator, so the same data and seed give the same figures.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::MonitorError;

/// Rows needed before a standard deviation is reported.
pub const MIN_ROWS_FOR_DEVIATION: usize = 200;

/// A metric value with its deviation over resamples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_deviation: Option<f64>,
}

/// `regression_metrics` (mae, mse, rmse, r2 and their best-constant baselines) or the classification metrics,
/// keyed by SageMaker's names, in a sorted map so the JSON is stable.
pub type Metrics = BTreeMap<String, Metric>;

/// A binary or multiclass confusion matrix: `actual -> predicted -> count`.
pub type ConfusionMatrix = BTreeMap<String, BTreeMap<String, u64>>;

/// SageMaker's `regression_metrics`.
pub fn regression(predictions: &[f64], labels: &[f64], seed: u64) -> Result<Metrics, MonitorError> {
    check_lengths(predictions.len(), labels.len())?;
    if predictions.iter().chain(labels).any(|v| !v.is_finite()) {
        return Err(MonitorError::Quality("predictions and labels must be finite numbers (drop or fill missing rows first)".into()));
    }
    let idx: Vec<usize> = (0..labels.len()).collect();
    let eval = |rows: &[usize]| -> Vec<(String, f64)> {
        let y: Vec<f64> = rows.iter().map(|&i| labels[i]).collect();
        let p: Vec<f64> = rows.iter().map(|&i| predictions[i]).collect();
        let n = y.len() as f64;
        let mean = y.iter().sum::<f64>() / n;
        let mut sorted = y.clone();
        sorted.sort_by(f64::total_cmp);
        let median =
            if sorted.len() % 2 == 1 { sorted[sorted.len() / 2] } else { (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0 };
        let mae = |c: &dyn Fn(usize) -> f64| y.iter().enumerate().map(|(i, v)| (v - c(i)).abs()).sum::<f64>() / n;
        let mse = |c: &dyn Fn(usize) -> f64| y.iter().enumerate().map(|(i, v)| (v - c(i)).powi(2)).sum::<f64>() / n;
        let ss_tot = mse(&|_| mean) * n;
        let model_mse = mse(&|i| p[i]);
        let const_mse = mse(&|_| mean);
        let r2 = |m: f64| if ss_tot == 0.0 { f64::NAN } else { 1.0 - m * n / ss_tot };
        vec![
            ("mae".into(), mae(&|i| p[i])),
            ("mae_best_constant_regressor".into(), mae(&|_| median)),
            ("mse".into(), model_mse),
            ("mse_best_constant_regressor".into(), const_mse),
            ("rmse".into(), model_mse.sqrt()),
            ("rmse_best_constant_regressor".into(), const_mse.sqrt()),
            ("r2".into(), r2(model_mse)),
            ("r2_best_constant_regressor".into(), r2(const_mse)),
        ]
    };
    Ok(with_deviation(&idx, seed, eval))
}

/// SageMaker's `binary_classification_metrics`: `predictions` and `labels` are the positive class or not;
/// `probabilities` (of the positive class), when given, add `auc`.
pub fn binary(
    predictions: &[bool],
    labels: &[bool],
    probabilities: Option<&[f64]>,
    seed: u64,
) -> Result<(Metrics, ConfusionMatrix), MonitorError> {
    check_lengths(predictions.len(), labels.len())?;
    if let Some(p) = probabilities {
        check_lengths(p.len(), labels.len())?;
        if p.iter().any(|v| !v.is_finite()) {
            return Err(MonitorError::Quality("probabilities must be finite numbers".into()));
        }
    }
    let idx: Vec<usize> = (0..labels.len()).collect();
    let eval = |rows: &[usize]| -> Vec<(String, f64)> {
        let counts = |pred: &dyn Fn(usize) -> bool| {
            let (mut tp, mut fp, mut tn, mut fneg) = (0.0, 0.0, 0.0, 0.0);
            for &i in rows {
                match (pred(i), labels[i]) {
                    (true, true) => tp += 1.0,
                    (true, false) => fp += 1.0,
                    (false, false) => tn += 1.0,
                    (false, true) => fneg += 1.0,
                }
            }
            (tp, fp, tn, fneg)
        };
        let scores = |(tp, fp, tn, fneg): (f64, f64, f64, f64)| {
            let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
            let precision = div(tp, tp + fp);
            let recall = div(tp, tp + fneg);
            let f = |beta: f64| div((1.0 + beta * beta) * precision * recall, beta * beta * precision + recall);
            [
                ("accuracy", div(tp + tn, tp + tn + fp + fneg)),
                ("precision", precision),
                ("recall", recall),
                ("f0_5", f(0.5)),
                ("f1", f(1.0)),
                ("f2", f(2.0)),
            ]
        };
        let model = counts(&|i| predictions[i]);
        let all_pos = scores(counts(&|_| true));
        let all_neg = scores(counts(&|_| false));
        let (tp, fp, tn, fneg) = model;
        let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
        let mut out: Vec<(String, f64)> = Vec::new();
        for (k, (name, v)) in scores(model).into_iter().enumerate() {
            out.push((name.into(), v));
            out.push((format!("{name}_best_constant_classifier"), all_pos[k].1.max(all_neg[k].1)));
        }
        out.push(("true_positive_rate".into(), div(tp, tp + fneg)));
        out.push(("true_negative_rate".into(), div(tn, tn + fp)));
        out.push(("false_positive_rate".into(), div(fp, fp + tn)));
        out.push(("false_negative_rate".into(), div(fneg, fneg + tp)));
        if let Some(p) = probabilities {
            out.push(("auc".into(), auc(rows.iter().map(|&i| (p[i], labels[i])).collect())));
        }
        out
    };
    let mut matrix = ConfusionMatrix::new();
    for (p, l) in predictions.iter().zip(labels) {
        *matrix.entry(u8::from(*l).to_string()).or_default().entry(u8::from(*p).to_string()).or_insert(0) += 1;
    }
    Ok((with_deviation(&idx, seed, eval), matrix))
}

/// SageMaker's `multiclass_classification_metrics`: accuracy and support-weighted precision, recall and F-scores.
pub fn multiclass(predictions: &[String], labels: &[String], seed: u64) -> Result<(Metrics, ConfusionMatrix), MonitorError> {
    check_lengths(predictions.len(), labels.len())?;
    let mut classes: Vec<&String> = labels.iter().chain(predictions).collect();
    classes.sort();
    classes.dedup();
    let class_of = |v: &String| classes.binary_search(&v).unwrap_or(0);
    let pred_ix: Vec<usize> = predictions.iter().map(class_of).collect();
    let label_ix: Vec<usize> = labels.iter().map(class_of).collect();
    let idx: Vec<usize> = (0..labels.len()).collect();
    let eval = |rows: &[usize]| -> Vec<(String, f64)> {
        let weighted = |pred: &dyn Fn(usize) -> usize| {
            let n = rows.len() as f64;
            let (mut acc, mut wp, mut wr, mut f05, mut f1, mut f2) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for &i in rows {
                if pred(i) == label_ix[i] {
                    acc += 1.0;
                }
            }
            for c in 0..classes.len() {
                let (mut tp, mut fp, mut fneg) = (0.0, 0.0, 0.0);
                for &i in rows {
                    match (pred(i) == c, label_ix[i] == c) {
                        (true, true) => tp += 1.0,
                        (true, false) => fp += 1.0,
                        (false, true) => fneg += 1.0,
                        _ => {}
                    }
                }
                let support = (tp + fneg) / n;
                let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
                let (p, r) = (div(tp, tp + fp), div(tp, tp + fneg));
                let f = |b: f64| div((1.0 + b * b) * p * r, b * b * p + r);
                wp += support * p;
                wr += support * r;
                f05 += support * f(0.5);
                f1 += support * f(1.0);
                f2 += support * f(2.0);
            }
            [
                ("accuracy", acc / n),
                ("weighted_precision", wp),
                ("weighted_recall", wr),
                ("weighted_f0_5", f05),
                ("weighted_f1", f1),
                ("weighted_f2", f2),
            ]
        };
        let model = weighted(&|i| pred_ix[i]);
        let mut best = [0.0f64; 6];
        for c in 0..classes.len() {
            for (b, (_, v)) in best.iter_mut().zip(weighted(&|_| c)) {
                *b = b.max(v);
            }
        }
        let mut out = Vec::new();
        for (k, (name, v)) in model.into_iter().enumerate() {
            out.push((name.to_string(), v));
            out.push((format!("{name}_best_constant_classifier"), best[k]));
        }
        out
    };
    let mut matrix = ConfusionMatrix::new();
    for (p, l) in predictions.iter().zip(labels) {
        *matrix.entry(l.clone()).or_default().entry(p.clone()).or_insert(0) += 1;
    }
    Ok((with_deviation(&idx, seed, eval), matrix))
}

fn check_lengths(p: usize, l: usize) -> Result<(), MonitorError> {
    if p != l {
        return Err(MonitorError::Quality(format!("{p} predictions but {l} labels: join them by inference id first")));
    }
    if p == 0 {
        return Err(MonitorError::Quality("no rows with both a prediction and a label: check the ground truth's inference ids".into()));
    }
    Ok(())
}

/// ROC AUC by the rank-sum statistic with average ranks for ties (scikit-learn's `roc_auc_score`).
fn auc(mut pairs: Vec<(f64, bool)>) -> f64 {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < pairs.len() {
        let mut j = i;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0;
        rank_sum += avg * pairs[i..j].iter().filter(|p| p.1).count() as f64;
        i = j;
    }
    let pos = pairs.iter().filter(|p| p.1).count() as f64;
    let neg = pairs.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 { f64::NAN } else { (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg) }
}

/// Evaluates on all rows and, from 200 rows, on five seeded 80 % subsets for the deviation.
fn with_deviation(rows: &[usize], seed: u64, eval: impl Fn(&[usize]) -> Vec<(String, f64)>) -> Metrics {
    let full = eval(rows);
    let mut samples: Vec<Vec<(String, f64)>> = Vec::new();
    if rows.len() >= MIN_ROWS_FOR_DEVIATION {
        let mut rng = SplitMix64(seed);
        let take = rows.len() * 4 / 5;
        for _ in 0..5 {
            let mut shuffled = rows.to_vec();
            for i in (1..shuffled.len()).rev() {
                let j = (rng.next() % (i as u64 + 1)) as usize;
                shuffled.swap(i, j);
            }
            shuffled.truncate(take);
            samples.push(eval(&shuffled));
        }
    }
    full.into_iter()
        .enumerate()
        .map(|(k, (name, value))| {
            let standard_deviation = (!samples.is_empty()).then(|| {
                let vals: Vec<f64> = samples.iter().map(|s| s[k].1).collect();
                let mean = vals.iter().sum::<f64>() / vals.len() as f64;
                (vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (vals.len() - 1) as f64).sqrt()
            });
            (name, Metric { value, standard_deviation })
        })
        .collect()
}

/// A small seeded generator (SplitMix64): deterministic resamples without a dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
