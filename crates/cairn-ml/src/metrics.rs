//! Test metrics and curves, as plain functions of truth and scores. A metric that is undefined on the
//! given rows (an AUC with one class present, an R² of a constant) is left out rather than reported
//! as NaN, which JSON cannot carry.

use std::collections::BTreeMap;

use cairn_types::Curve;

/// Probabilities are clipped this far from 0 and 1 so one confident mistake costs a finite amount.
const EPS: f64 = 1e-15;
/// Curves are downsampled to at most this many points.
pub(crate) const CURVE_POINTS: usize = 200;

pub(crate) fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in row.iter().enumerate() {
        if *v > row[best] {
            best = i;
        }
    }
    best
}

pub(crate) fn log_loss(y: &[usize], p: &[f64], k: usize) -> f64 {
    let total: f64 = y.iter().enumerate().map(|(r, &c)| -p.get(r * k + c).copied().unwrap_or(0.0).clamp(EPS, 1.0).ln()).sum();
    total / y.len().max(1) as f64
}

pub(crate) fn rmse(y: &[f64], p: &[f64]) -> f64 {
    (y.iter().zip(p).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / y.len().max(1) as f64).sqrt()
}

/// Area under the ROC curve by the rank-sum (Mann–Whitney) formula; tied scores share their mean
/// rank, which equals the trapezoid rule across a tie.
pub fn roc_auc(truth: &[bool], score: &[f64]) -> Option<f64> {
    let pos = truth.iter().filter(|t| **t).count();
    let neg = truth.len() - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && score[order[j + 1]] == score[order[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += mean_rank * order[i..=j].iter().filter(|&&r| truth[r]).count() as f64;
        i = j + 1;
    }
    let (p, n) = (pos as f64, neg as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// (true positives, false positives, threshold) after each distinct score, from the highest down.
fn sweep(truth: &[bool], score: &[f64]) -> Vec<(f64, f64, f64)> {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut out = Vec::new();
    for (i, &r) in order.iter().enumerate() {
        if truth[r] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last_of_tie = order.get(i + 1).is_none_or(|&next| score[next] != score[r]);
        if last_of_tie {
            out.push((tp, fp, score[r]));
        }
    }
    out
}

/// Average precision: the sum over thresholds of precision times the recall gained there.
pub fn average_precision(truth: &[bool], score: &[f64]) -> Option<f64> {
    let pos = truth.iter().filter(|t| **t).count() as f64;
    if pos == 0.0 {
        return None;
    }
    let mut prev_recall = 0.0;
    let mut ap = 0.0;
    for (tp, fp, _) in sweep(truth, score) {
        let recall = tp / pos;
        ap += (recall - prev_recall) * tp / (tp + fp);
        prev_recall = recall;
    }
    Some(ap)
}

/// ROC (x: false-positive rate, y: true-positive rate) from (0, 0) up.
pub(crate) fn roc_curve(truth: &[bool], score: &[f64]) -> Curve {
    let pos = truth.iter().filter(|t| **t).count().max(1) as f64;
    let neg = (truth.len() - truth.iter().filter(|t| **t).count()).max(1) as f64;
    let top = score.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut c = Curve { x: vec![0.0], y: vec![0.0], thresholds: vec![if top.is_finite() { top.next_up() } else { 1.0 }] };
    for (tp, fp, t) in sweep(truth, score) {
        c.x.push(fp / neg);
        c.y.push(tp / pos);
        c.thresholds.push(t);
    }
    downsample(c, CURVE_POINTS)
}

/// Precision–recall (x: recall, y: precision), from the highest threshold down.
pub(crate) fn pr_curve(truth: &[bool], score: &[f64]) -> Curve {
    let pos = truth.iter().filter(|t| **t).count().max(1) as f64;
    let top = score.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut c = Curve { x: vec![0.0], y: vec![1.0], thresholds: vec![if top.is_finite() { top.next_up() } else { 1.0 }] };
    for (tp, fp, t) in sweep(truth, score) {
        c.x.push(tp / pos);
        c.y.push(tp / (tp + fp));
        c.thresholds.push(t);
    }
    downsample(c, CURVE_POINTS)
}

/// At most `max` points, evenly spaced along the curve, first and last kept.
pub(crate) fn downsample(c: Curve, max: usize) -> Curve {
    let n = c.x.len();
    if n <= max || max < 2 {
        return c;
    }
    let pick: Vec<usize> = (0..max).map(|i| (i * (n - 1) + (max - 1) / 2) / (max - 1)).collect();
    let take = |v: &[f64]| pick.iter().filter_map(|&i| v.get(i).copied()).collect();
    Curve { x: take(&c.x), y: take(&c.y), thresholds: take(&c.thresholds) }
}

/// `matrix[actual][predicted]`.
pub(crate) fn confusion(y: &[usize], pred: &[usize], k: usize) -> Vec<Vec<u64>> {
    let mut m = vec![vec![0u64; k]; k];
    for (&a, &p) in y.iter().zip(pred) {
        if a < k && p < k {
            m[a][p] += 1;
        }
    }
    m
}

/// Classification metrics; `positive` is the class scored in the binary case.
pub(crate) fn classification(y: &[usize], p: &[f64], k: usize, positive: usize) -> BTreeMap<String, f64> {
    let pred: Vec<usize> = (0..y.len()).map(|r| argmax(&p[r * k..(r + 1) * k])).collect();
    let m = confusion(y, &pred, k);
    let mut out = BTreeMap::new();
    let n = y.len().max(1) as f64;
    out.insert("accuracy".into(), (0..k).map(|c| m[c][c] as f64).sum::<f64>() / n);
    let actual = |c: usize| m[c].iter().sum::<u64>() as f64;
    let predicted = |c: usize| m.iter().map(|row| row[c]).sum::<u64>() as f64;
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let prf = |c: usize| {
        let tp = m[c][c] as f64;
        let (precision, recall) = (ratio(tp, predicted(c)), ratio(tp, actual(c)));
        (precision, recall, ratio(2.0 * precision * recall, precision + recall))
    };
    let present: Vec<usize> = (0..k).filter(|&c| actual(c) > 0.0).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    out.insert("balanced_accuracy".into(), mean(&present.iter().map(|&c| prf(c).1).collect::<Vec<_>>()));
    let scores = |c: usize| -> Vec<f64> { (0..y.len()).map(|r| p[r * k + c]).collect() };
    let truth = |c: usize| -> Vec<bool> { y.iter().map(|&v| v == c).collect() };
    if k == 2 {
        let (precision, recall, f1) = prf(positive);
        out.insert("precision".into(), precision);
        out.insert("recall".into(), recall);
        out.insert("f1".into(), f1);
        let (t, s) = (truth(positive), scores(positive));
        if let Some(auc) = roc_auc(&t, &s) {
            out.insert("roc_auc".into(), auc);
        }
        if let Some(ap) = average_precision(&t, &s) {
            out.insert("pr_auc".into(), ap);
        }
    } else {
        let labels: Vec<usize> = (0..k).filter(|&c| actual(c) > 0.0 || predicted(c) > 0.0).collect();
        let all: Vec<(f64, f64, f64)> = labels.iter().map(|&c| prf(c)).collect();
        out.insert("precision".into(), mean(&all.iter().map(|v| v.0).collect::<Vec<_>>()));
        out.insert("recall".into(), mean(&all.iter().map(|v| v.1).collect::<Vec<_>>()));
        out.insert("f1".into(), mean(&all.iter().map(|v| v.2).collect::<Vec<_>>()));
        let aucs: Vec<f64> = (0..k).filter_map(|c| roc_auc(&truth(c), &scores(c))).collect();
        if !aucs.is_empty() {
            out.insert("roc_auc".into(), mean(&aucs));
        }
        let aps: Vec<f64> = (0..k).filter_map(|c| average_precision(&truth(c), &scores(c))).collect();
        if !aps.is_empty() {
            out.insert("pr_auc".into(), mean(&aps));
        }
    }
    out.insert("log_loss".into(), log_loss(y, p, k));
    out
}

pub(crate) fn regression(y: &[f64], p: &[f64]) -> BTreeMap<String, f64> {
    let n = y.len().max(1) as f64;
    let mut out = BTreeMap::new();
    out.insert("rmse".into(), rmse(y, p));
    out.insert("mae".into(), y.iter().zip(p).map(|(a, b)| (a - b).abs()).sum::<f64>() / n);
    let mean = y.iter().sum::<f64>() / n;
    let total: f64 = y.iter().map(|a| (a - mean).powi(2)).sum();
    let residual: f64 = y.iter().zip(p).map(|(a, b)| (a - b).powi(2)).sum();
    if total > 0.0 {
        out.insert("r2".into(), 1.0 - residual / total);
    }
    // A percentage of zero is undefined: rows whose actual value is 0 are skipped. A fraction
    // (0.1 = 10 %), as scikit-learn reports it.
    let (sum, count) = y.iter().zip(p).filter(|(a, _)| **a != 0.0).fold((0.0, 0usize), |(s, c), (a, b)| (s + ((a - b) / a).abs(), c + 1));
    if count > 0 {
        out.insert("mape".into(), sum / count as f64);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsample_keeps_ends() {
        let c = Curve { x: (0..1000).map(f64::from).collect(), y: vec![0.0; 1000], thresholds: vec![0.0; 1000] };
        let d = downsample(c, 200);
        assert_eq!(d.x.len(), 200);
        assert_eq!(d.x[0], 0.0);
        assert_eq!(d.x[199], 999.0);
    }
}
