//! Raw columns to an encoded matrix, fitted on the training rows only and saved in the model, so
//! prediction repeats exactly what training did.

use std::collections::HashMap;

use cairn_types::ModelKind;
use serde::{Deserialize, Serialize};

use crate::check::Target;
use crate::matrix::Matrix;
use crate::table::{MISSING, RawColumn};

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
    /// Numbers imputed; text as one ordinal code per column. Trees split a code range in one
    /// threshold, so codes ordered by the training target mean let a single split separate high from
    /// low categories (the optimal split for two classes and squared error, Breiman et al. 1984) with
    /// one column instead of dozens, which keeps linfa's tree fit (linear in columns) fast.
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
    /// One indicator per category, then one for missing if training saw any; unseen values are all
    /// zeros. `centers` (train means) are subtracted when non-empty.
    OneHot { categories: Vec<String>, missing_indicator: bool, centers: Vec<f64> },
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
    /// Fits on `rows` of `raw` and returns the training matrix too.
    pub fn fit(encoding: Encoding, names: &[String], raw: &[RawColumn], rows: &[usize], y: &Target) -> (Self, Matrix) {
        let scaled = matches!(encoding, Encoding::Scaled | Encoding::Centered);
        let features: Vec<FeaturePrep> = raw
            .iter()
            .map(|col| match col {
                RawColumn::Num(v) => {
                    let train: Vec<f64> = rows.iter().map(|&r| v[r]).collect();
                    let median = median(train.clone());
                    let (mean, std) = if scaled { mean_std(train.into_iter()) } else { (0.0, 1.0) };
                    FeaturePrep::Number { median, mean, std, impute: encoding != Encoding::Native }
                }
                RawColumn::Text { dict, codes } => {
                    let mut count = vec![0usize; dict.len()];
                    let mut missing = 0;
                    for &r in rows {
                        match codes[r] {
                            MISSING => missing += 1,
                            c => count[c as usize] += 1,
                        }
                    }
                    let mut seen: Vec<usize> = (0..dict.len()).filter(|&i| count[i] > 0).collect();
                    match encoding {
                        Encoding::Ordinal | Encoding::Native => {
                            let order = category_order(codes, rows, &count, missing, y);
                            let mut keyed: Vec<(f64, String, Option<usize>)> =
                                seen.iter().map(|&i| (order(Some(i)), dict[i].clone(), Some(i))).collect();
                            if missing > 0 {
                                keyed.push((order(None), String::new(), None));
                            }
                            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
                            let missing_code = keyed.iter().position(|k| k.2.is_none()).map(|p| p as f64);
                            let categories = keyed.into_iter().filter(|k| k.2.is_some()).map(|k| k.1).collect();
                            // The missing code sits among the category codes, at its own target mean.
                            FeaturePrep::Ordinal { categories, missing_code }
                        }
                        _ => {
                            seen.sort_by(|&a, &b| dict[a].cmp(&dict[b]));
                            let categories = seen.iter().map(|&i| dict[i].clone()).collect();
                            FeaturePrep::OneHot { categories, missing_indicator: missing > 0, centers: Vec::new() }
                        }
                    }
                }
            })
            .collect();
        let mut prep = Preprocessor { encoding, features, kept: Vec::new(), names: Vec::new(), sources: Vec::new() };
        let (full, full_names, full_sources) = prep.encode(raw, rows, names);
        if encoding == Encoding::Centered {
            prep.center(&full);
        }
        let full = if encoding == Encoding::Centered { prep.encode(raw, rows, names).0 } else { full };
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
                FeaturePrep::OneHot { categories, missing_indicator, centers } => {
                    let width = categories.len() + usize::from(*missing_indicator);
                    *centers = (c..c + width)
                        .map(|j| full.col(j).iter().sum::<f64>() / full.rows.max(1) as f64)
                        .collect();
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
        let (full, _, _) = self.encode(raw, rows, &[]);
        let keep: Vec<usize> = (0..full.cols).filter(|&c| self.kept.get(c).copied().unwrap_or(false)).collect();
        full.select_cols(&keep)
    }

    /// Every encoded column (kept or not), with names (when `names` is given) and sources.
    fn encode(&self, raw: &[RawColumn], rows: &[usize], names: &[String]) -> (Matrix, Vec<String>, Vec<usize>) {
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
                (FeaturePrep::OneHot { categories, missing_indicator, centers }, RawColumn::Text { dict, codes }) => {
                    let map = lookup(dict, categories);
                    let width = categories.len() + usize::from(*missing_indicator);
                    let start = data.len();
                    data.resize(start + width * n, 0.0);
                    for (i, &r) in rows.iter().enumerate() {
                        let hot = match codes[r] {
                            MISSING => missing_indicator.then_some(categories.len()),
                            c => map[c as usize],
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
                        FeaturePrep::OneHot { categories, missing_indicator, .. } => {
                            categories.len() + usize::from(*missing_indicator)
                        }
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

/// Sort key of each category (None: missing) for ordinal codes: the share of class 1 (two classes),
/// the mean (regression), or minus the count (several classes, where no single order is best).
fn category_order<'a>(
    codes: &'a [u32],
    rows: &'a [usize],
    count: &'a [usize],
    missing: usize,
    y: &'a Target,
) -> impl Fn(Option<usize>) -> f64 + 'a {
    let mut sums = vec![0.0; count.len() + 1];
    let mut total = 0.0;
    let value = |r: usize| match y {
        Target::Class(c) => c[r] as f64,
        Target::Value(v) => v[r],
    };
    let by_mean = match y {
        Target::Class(c) => c.iter().all(|&k| k <= 1),
        Target::Value(_) => true,
    };
    for &r in rows {
        let slot = match codes[r] {
            MISSING => count.len(),
            c => c as usize,
        };
        sums[slot] += value(r);
        total += value(r);
    }
    let global = total / rows.len().max(1) as f64;
    move |cat: Option<usize>| {
        let (slot, n) = match cat {
            Some(i) => (i, count[i]),
            None => (count.len(), missing),
        };
        if by_mean {
            // Shrunk towards the global mean so a category seen once does not land at an extreme.
            (sums[slot] + global) / (n as f64 + 1.0)
        } else {
            -(n as f64)
        }
    }
}
