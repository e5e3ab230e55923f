//! Raw columns to an encoded matrix, fitted on the training rows only and saved in the model, so
//! prediction repeats exactly what training did.

use std::collections::HashMap;

use cairn_types::ModelKind;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::check::Target;
use crate::matrix::Matrix;
use crate::table::{MISSING, RawColumn};
use crate::target_stats::TargetStats;

/// A text column with more categories than this is one-hot encoded as its most frequent ones and an
/// "other" indicator (linear models, kNN, SVM, naive Bayes).
pub(crate) const MAX_ONE_HOT: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Encoding {
    /// Numbers imputed with the train median and standardized; text one-hot. For models that measure
    /// distances or penalize coefficients (logistic, svm, knn), where scale matters.
    Scaled,
    /// As `Scaled`, and the one-hot indicators are centered too: linfa's elastic net takes the
    /// intercept to be the target mean, which holds only when every column has mean zero.
    Centered,
    /// Numbers imputed; text one-hot (naive Bayes).
    Plain,
    /// Numbers imputed; text as its categories' target statistics (`target_stats`): the smoothed
    /// target mean, out of fold on the training rows, and the category's share. Trees split the mean's
    /// range in one threshold, which separates high from low categories (the optimal split for two
    /// classes and squared error, Breiman et al. 1984) with one column however many categories there
    /// are. (Model files written before kept in-sample ordinal codes: `FeaturePrep::Ordinal`.)
    Ordinal,
    /// As `Ordinal`, but missing numbers stay NaN: forust learns where missing values go.
    Native,
}

pub(crate) fn encoding_for(kind: ModelKind) -> Encoding {
    match kind {
        ModelKind::Logistic | ModelKind::Svm | ModelKind::Knn => Encoding::Scaled,
        ModelKind::Linear | ModelKind::ElasticNet => Encoding::Centered,
        ModelKind::GaussianNb => Encoding::Plain,
        ModelKind::DecisionTree | ModelKind::RandomForest => Encoding::Ordinal,
        ModelKind::Gbm => Encoding::Native,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "as", rename_all = "snake_case")]
enum FeaturePrep {
    /// `(x - mean) / std` after imputation; mean 0 and std 1 when not scaled. `impute` false keeps NaN.
    Number { median: f64, mean: f64, std: f64, impute: bool },
    /// One indicator per category, then one for missing if training saw any, then (`other`) one for
    /// the categories beyond the most frequent and for unseen values; without `other`, unseen values
    /// are all zeros. `centers` (train means) are subtracted when non-empty.
    OneHot {
        categories: Vec<String>,
        missing_indicator: bool,
        centers: Vec<f64>,
        #[serde(default)]
        other: bool,
    },
    /// Target statistics of each category (trees): `width` smoothed means and the share.
    Stats { stats: TargetStats },
    /// Code `i` for `categories[i]`; missing gets `missing_code` when training saw it. Unseen values
    /// become NaN, which the trees send down their larger branch.
    Ordinal { categories: Vec<String>, missing_code: Option<f64> },
}

/// The fitted encoding of every feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Preprocessor {
    encoding: Encoding,
    features: Vec<FeaturePrep>,
    /// Over all encoded columns: false for those constant on the training rows, which carry nothing
    /// and make least squares singular (forust refuses them too).
    kept: Vec<bool>,
    /// Name and source feature of each kept column.
    pub names: Vec<String>,
    pub sources: Vec<usize>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| !x.is_nan());
    if v.is_empty() {
        return 0.0;
    }
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    *m
}

fn mean_std(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut n, mut mean, mut m2) = (0.0, 0.0, 0.0);
    for x in v.filter(|x| !x.is_nan()) {
        // Welford: stable for large, offset values such as timestamps.
        n += 1.0;
        let d = x - mean;
        mean += d / n;
        m2 += d * (x - mean);
    }
    let std = if n > 0.0 { (m2 / n).sqrt() } else { 0.0 };
    (mean, if std > 0.0 && std.is_finite() { std } else { 1.0 })
}

/// Per dictionary entry: the category it is, if any.
fn lookup(dict: &[String], categories: &[String]) -> Vec<Option<usize>> {
    let pos: HashMap<&str, usize> = categories.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    dict.iter().map(|d| pos.get(d.as_str()).copied()).collect()
}

impl Preprocessor {
    /// Fits on `rows` of `raw` and returns the training matrix too (text statistics out of fold).
    pub fn fit(
        encoding: Encoding,
        names: &[String],
        raw: &[RawColumn],
        rows: &[usize],
        y: &Target,
        classes: usize,
        seed: u64,
    ) -> (Self, Matrix) {
        let scaled = matches!(encoding, Encoding::Scaled | Encoding::Centered);
        // Columns are fitted independently, in parallel.
        let fitted: Vec<(FeaturePrep, Option<Vec<f64>>)> = raw
            .par_iter()
            .enumerate()
            .map(|(f, col)| match col {
                RawColumn::Num(v) => {
                    let train: Vec<f64> = rows.iter().map(|&r| v[r]).collect();
                    let median = median(train.clone());
                    let (mean, std) = if scaled { mean_std(train.into_iter()) } else { (0.0, 1.0) };
                    (FeaturePrep::Number { median, mean, std, impute: encoding != Encoding::Native }, None)
                }
                RawColumn::Text { dict, codes } => match encoding {
                    Encoding::Ordinal | Encoding::Native => {
                        let (stats, oof) = TargetStats::fit(dict, codes, rows, y, classes, seed.wrapping_add(f as u64));
                        (FeaturePrep::Stats { stats }, Some(oof))
                    }
                    _ => (one_hot(dict, codes, rows), None),
                },
            })
            .collect();
        let (features, own): (Vec<FeaturePrep>, Vec<Option<Vec<f64>>>) = fitted.into_iter().unzip();
        let mut prep = Preprocessor { encoding, features, kept: Vec::new(), names: Vec::new(), sources: Vec::new() };
        let (full, full_names, full_sources) = prep.encode(raw, rows, names, &own);
        if encoding == Encoding::Centered {
            prep.center(&full);
        }
        let full = if encoding == Encoding::Centered { prep.encode(raw, rows, names, &own).0 } else { full };
        prep.kept = (0..full.cols)
            .map(|c| {
                let mut values = full.col(c).iter().filter(|x| !x.is_nan());
                let first = values.next().copied();
                first.is_some_and(|f| values.any(|&x| x != f))
            })
            .collect();
        let keep: Vec<usize> = (0..full.cols).filter(|&c| prep.kept[c]).collect();
        prep.names = keep.iter().map(|&c| full_names[c].clone()).collect();
        prep.sources = keep.iter().map(|&c| full_sources[c]).collect();
        let train = full.select_cols(&keep);
        (prep, train)
    }

    fn center(&mut self, full: &Matrix) {
        let mut c = 0;
        for f in &mut self.features {
            match f {
                FeaturePrep::Number { .. } | FeaturePrep::Ordinal { .. } => c += 1,
                FeaturePrep::Stats { stats } => c += stats.width + usize::from(stats.share_column),
                FeaturePrep::OneHot { categories, missing_indicator, centers, other } => {
                    let width = categories.len() + usize::from(*missing_indicator) + usize::from(*other);
                    *centers = (c..c + width).map(|j| full.col(j).iter().sum::<f64>() / full.rows.max(1) as f64).collect();
                    c += width;
                }
            }
        }
    }

    /// Number of encoded (kept) columns.
    pub fn width(&self) -> usize {
        self.names.len()
    }

    /// Encodes `rows` of `raw` (all rows when `rows` is None) into the kept columns.
    pub fn transform(&self, raw: &[RawColumn], rows: Option<&[usize]>) -> Matrix {
        let all: Vec<usize>;
        let rows = match rows {
            Some(r) => r,
            None => {
                all = (0..raw.first().map_or(0, RawColumn::len)).collect();
                &all
            }
        };
        let (full, _, _) = self.encode(raw, rows, &[], &[]);
        let keep: Vec<usize> = (0..full.cols).filter(|&c| self.kept.get(c).copied().unwrap_or(false)).collect();
        full.select_cols(&keep)
    }

    /// Every encoded column (kept or not), with names (when `names` is given) and sources. `own` holds,
    /// per feature, the training rows' out-of-fold statistics to use instead of the fitted ones.
    fn encode(&self, raw: &[RawColumn], rows: &[usize], names: &[String], own: &[Option<Vec<f64>>]) -> (Matrix, Vec<String>, Vec<usize>) {
        let n = rows.len();
        let mut data = Vec::new();
        let (mut out_names, mut sources) = (Vec::new(), Vec::new());
        let name = |f: usize| names.get(f).cloned().unwrap_or_default();
        for (f, (prep, col)) in self.features.iter().zip(raw).enumerate() {
            match (prep, col) {
                (FeaturePrep::Number { median, mean, std, impute }, RawColumn::Num(v)) => {
                    data.extend(rows.iter().map(|&r| {
                        let x = if v[r].is_nan() && *impute { *median } else { v[r] };
                        (x - mean) / std
                    }));
                    out_names.push(name(f));
                    sources.push(f);
                }
                (FeaturePrep::OneHot { categories, missing_indicator, centers, other }, RawColumn::Text { dict, codes }) => {
                    let map = lookup(dict, categories);
                    let width = categories.len() + usize::from(*missing_indicator) + usize::from(*other);
                    let other_at = other.then_some(width - 1);
                    let start = data.len();
                    data.resize(start + width * n, 0.0);
                    for (i, &r) in rows.iter().enumerate() {
                        let hot = match codes[r] {
                            MISSING => missing_indicator.then_some(categories.len()),
                            c => map[c as usize].or(other_at),
                        };
                        if let Some(j) = hot {
                            data[start + j * n + i] = 1.0;
                        }
                    }
                    for (j, center) in centers.iter().enumerate().take(width) {
                        data[start + j * n..start + (j + 1) * n].iter_mut().for_each(|x| *x -= center);
                    }
                    for c in categories {
                        out_names.push(format!("{}={c}", name(f)));
                        sources.push(f);
                    }
                    if *missing_indicator {
                        out_names.push(format!("{}=(missing)", name(f)));
                        sources.push(f);
                    }
                    if *other {
                        out_names.push(format!("{}=(other)", name(f)));
                        sources.push(f);
                    }
                }
                (FeaturePrep::Stats { stats }, RawColumn::Text { dict, codes }) => {
                    let map = stats.lookup(dict);
                    let w = stats.width;
                    let slot = |r: usize| match codes[r] {
                        MISSING => Some(stats.missing_slot()),
                        c => map[c as usize],
                    };
                    let mine = own.get(f).and_then(Option::as_ref).filter(|o| o.len() == n * w);
                    for j in 0..w {
                        data.extend(rows.iter().enumerate().map(|(i, &r)| match mine {
                            Some(o) => o[i * w + j],
                            None => stats.means_of(slot(r))[j],
                        }));
                        out_names.push(if w == 1 {
                            format!("{} (target mean)", name(f))
                        } else {
                            format!("{} (target mean {j})", name(f))
                        });
                        sources.push(f);
                    }
                    if stats.share_column {
                        data.extend(rows.iter().map(|&r| stats.share_of(slot(r))));
                        out_names.push(format!("{} (share)", name(f)));
                        sources.push(f);
                    }
                }
                (FeaturePrep::Ordinal { categories, missing_code }, RawColumn::Text { dict, codes }) => {
                    let map = lookup(dict, categories);
                    // Codes skip the missing slot so its position among categories is kept.
                    let code = |p: usize| match missing_code {
                        Some(m) if p as f64 >= *m => p as f64 + 1.0,
                        _ => p as f64,
                    };
                    data.extend(rows.iter().map(|&r| match codes[r] {
                        MISSING => missing_code.unwrap_or(f64::NAN),
                        c => map[c as usize].map_or(f64::NAN, code),
                    }));
                    out_names.push(name(f));
                    sources.push(f);
                }
                // A column read as another kind than fitted cannot happen (reading follows the saved
                // kinds); if it did, it is encoded as missing rather than panicking.
                (prep, _) => {
                    let width = match prep {
                        FeaturePrep::OneHot { categories, missing_indicator, other, .. } => {
                            categories.len() + usize::from(*missing_indicator) + usize::from(*other)
                        }
                        FeaturePrep::Stats { stats } => stats.width + usize::from(stats.share_column),
                        _ => 1,
                    };
                    data.extend(std::iter::repeat_n(f64::NAN, width * n));
                    out_names.extend(std::iter::repeat_n(name(f), width));
                    sources.extend(std::iter::repeat_n(f, width));
                }
            }
        }
        let cols = out_names.len();
        (Matrix { data, rows: n, cols }, out_names, sources)
    }
}

/// One-hot encoding of a text column fitted on `rows`: every category seen, or, past `MAX_ONE_HOT`, the
/// most frequent ones and an "other" indicator for the rest.
fn one_hot(dict: &[String], codes: &[u32], rows: &[usize]) -> FeaturePrep {
    let mut count = vec![0usize; dict.len()];
    let mut missing = 0;
    for &r in rows {
        match codes[r] {
            MISSING => missing += 1,
            c => count[c as usize] += 1,
        }
    }
    let mut seen: Vec<usize> = (0..dict.len()).filter(|&i| count[i] > 0).collect();
    let other = seen.len() > MAX_ONE_HOT;
    if other {
        seen.sort_by(|&a, &b| count[b].cmp(&count[a]).then_with(|| dict[a].cmp(&dict[b])));
        seen.truncate(MAX_ONE_HOT - 1);
    }
    seen.sort_by(|&a, &b| dict[a].cmp(&dict[b]));
    let categories = seen.iter().map(|&i| dict[i].clone()).collect();
    FeaturePrep::OneHot { categories, missing_indicator: missing > 0, centers: Vec::new(), other }
}
