//! Text columns of any cardinality for tree models: each category becomes the smoothed mean of the
//! target over the training rows that hold it (one column per class when there are several classes),
//! plus its share of the training rows. A training row's own value is computed out of fold — from the
//! training rows of the other folds — so a category seen a few times cannot hand the model its own
//! rows' targets (the leak of in-sample target encoding); new rows get the statistics of all training
//! rows. Unseen categories get the overall mean and a share of 0; missing is a category of its own.

use serde::{Deserialize, Serialize};

use crate::check::Target;
use crate::split::Rng;
use crate::table::MISSING;

/// Folds of the out-of-fold statistics.
const FOLDS: u64 = 5;
/// Pseudo-count pulling a category's mean towards the overall mean: a category seen `m` times sits
/// half-way between its own mean and the overall one.
pub(crate) const SMOOTHING: f64 = 20.0;
/// More classes than this get one column per class no longer (too wide); their categories keep the share.
const MAX_CLASS_COLUMNS: usize = 10;

/// What a text column learned from the training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TargetStats {
    pub categories: Vec<String>,
    /// Per category (then one slot for missing), `width` smoothed means.
    pub means: Vec<f64>,
    pub width: usize,
    /// The overall means: what an unseen category gets.
    pub prior: Vec<f64>,
    /// Per category (then missing), its share of the training rows.
    pub shares: Vec<f64>,
    /// Whether the share is a column of its own: only past a few categories, where it tells common
    /// from rare ones (for a handful of categories the mean already separates them).
    #[serde(default = "yes")]
    pub share_column: bool,
}

fn yes() -> bool {
    true
}

/// Categories from which the share is a column of its own.
const SHARE_FROM: usize = 8;

/// The per-row value the statistics are means of: class indicators, or the value itself.
fn outputs(y: &Target, classes: usize) -> usize {
    match y {
        Target::Value(_) => 1,
        Target::Class(_) if classes <= 2 => 1,
        Target::Class(_) if classes <= MAX_CLASS_COLUMNS => classes,
        Target::Class(_) => 0,
    }
}

/// Row `r`'s contribution to the sums: its value, its class-1 indicator, or its class's indicator.
fn row_values(y: &Target, r: usize, out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    match y {
        Target::Value(v) => out[0] = v[r],
        Target::Class(c) if out.len() == 1 => out[0] = f64::from(c[r] == 1),
        Target::Class(c) => {
            if let Some(o) = out.get_mut(c[r]) {
                *o = 1.0;
            }
        }
    }
}

/// Smoothed means from per-slot sums and counts.
fn smooth(sums: &[f64], counts: &[f64], prior: &[f64], width: usize) -> Vec<f64> {
    let mut out = vec![0.0; sums.len()];
    for (slot, n) in counts.iter().enumerate() {
        for (j, p) in prior.iter().enumerate().take(width) {
            let i = slot * width + j;
            out[i] = (sums[i] + SMOOTHING * p) / (n + SMOOTHING);
        }
    }
    out
}

/// Sums and counts per slot (categories, then missing) over `rows`.
fn tally(slot_of: &[usize], slots: usize, rows: &[usize], y: &Target, width: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut sums = vec![0.0; slots * width];
    let mut counts = vec![0.0; slots];
    let mut total = vec![0.0; width];
    let mut one = vec![0.0; width];
    for (i, &r) in rows.iter().enumerate() {
        let slot = slot_of[i];
        counts[slot] += 1.0;
        row_values(y, r, &mut one);
        for j in 0..width {
            sums[slot * width + j] += one[j];
        }
    }
    for slot in 0..slots {
        for j in 0..width {
            total[j] += sums[slot * width + j];
        }
    }
    let n = rows.len().max(1) as f64;
    let prior = total.iter().map(|t| t / n).collect();
    (sums, counts, prior)
}

impl TargetStats {
    /// Learns from `rows` of a dictionary-encoded column; returns the statistics and each training row's
    /// out-of-fold values (`width` per row, in `rows` order).
    pub fn fit(dict: &[String], codes: &[u32], rows: &[usize], y: &Target, classes: usize, seed: u64) -> (Self, Vec<f64>) {
        let width = outputs(y, classes);
        // Slots: the categories seen in the training rows, sorted, then missing.
        let mut seen = vec![false; dict.len()];
        rows.iter().filter(|&&r| codes[r] != MISSING).for_each(|&r| seen[codes[r] as usize] = true);
        let mut order: Vec<usize> = (0..dict.len()).filter(|&i| seen[i]).collect();
        order.sort_by(|&a, &b| dict[a].cmp(&dict[b]));
        let mut slot_of_code = vec![usize::MAX; dict.len()];
        order.iter().enumerate().for_each(|(s, &c)| slot_of_code[c] = s);
        let missing_slot = order.len();
        let slots = order.len() + 1;
        let slot_of: Vec<usize> =
            rows.iter().map(|&r| if codes[r] == MISSING { missing_slot } else { slot_of_code[codes[r] as usize] }).collect();
        let (sums, counts, prior) = tally(&slot_of, slots, rows, y, width);
        let n = rows.len().max(1) as f64;
        let stats = TargetStats {
            categories: order.iter().map(|&c| dict[c].clone()).collect(),
            means: smooth(&sums, &counts, &prior, width),
            width,
            prior,
            shares: counts.iter().map(|c| c / n).collect(),
            share_column: order.len() > SHARE_FROM,
        };
        // Out of fold: each row's fold by a seeded shuffle of the training rows.
        let mut fold = vec![0u64; rows.len()];
        let mut rng = Rng::new(seed ^ 0x7e_c0de);
        let mut idx: Vec<usize> = (0..rows.len()).collect();
        rng.shuffle(&mut idx);
        idx.iter().enumerate().for_each(|(k, &i)| fold[i] = k as u64 % FOLDS);
        // One pass sums each fold's rows; a fold's statistics are the totals minus its own rows.
        let folds = FOLDS as usize;
        let mut f_sums = vec![0.0; folds * slots * width];
        let mut f_counts = vec![0.0; folds * slots];
        let mut f_total = vec![0.0; folds * width];
        let mut f_n = vec![0.0; folds];
        let mut one = vec![0.0; width];
        for (i, &r) in rows.iter().enumerate() {
            let (f, slot) = (fold[i] as usize, slot_of[i]);
            f_counts[f * slots + slot] += 1.0;
            f_n[f] += 1.0;
            row_values(y, r, &mut one);
            for j in 0..width {
                f_sums[(f * slots + slot) * width + j] += one[j];
                f_total[f * width + j] += one[j];
            }
        }
        let means_by_fold: Vec<Vec<f64>> = (0..folds)
            .map(|f| {
                let s: Vec<f64> = sums.iter().enumerate().map(|(i, v)| v - f_sums[f * slots * width + i]).collect();
                let c: Vec<f64> = counts.iter().enumerate().map(|(i, v)| v - f_counts[f * slots + i]).collect();
                let rest = (n - f_n[f]).max(1.0);
                let prior: Vec<f64> = (0..width).map(|j| (stats.prior[j] * n - f_total[f * width + j]) / rest).collect();
                smooth(&s, &c, &prior, width)
            })
            .collect();
        let mut oof = vec![0.0; rows.len() * width];
        for i in 0..rows.len() {
            let (means, slot) = (&means_by_fold[fold[i] as usize], slot_of[i]);
            oof[i * width..(i + 1) * width].copy_from_slice(&means[slot * width..(slot + 1) * width]);
        }
        (stats, oof)
    }

    /// Per dictionary entry of a column being encoded: its slot, if it was seen in training.
    pub fn lookup(&self, dict: &[String]) -> Vec<Option<usize>> {
        dict.iter().map(|d| self.categories.binary_search(d).ok()).collect()
    }

    /// The means of a row: its category's, missing's, or the prior for an unseen category.
    pub fn means_of(&self, slot: Option<usize>) -> &[f64] {
        match slot {
            Some(s) if (s + 1) * self.width <= self.means.len() => &self.means[s * self.width..(s + 1) * self.width],
            _ => &self.prior,
        }
    }

    pub fn share_of(&self, slot: Option<usize>) -> f64 {
        slot.and_then(|s| self.shares.get(s).copied()).unwrap_or(0.0)
    }

    /// The slot of missing values.
    pub fn missing_slot(&self) -> usize {
        self.categories.len()
    }
}
