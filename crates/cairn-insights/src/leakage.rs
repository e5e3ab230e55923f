//! Single-feature scores: how well each feature alone predicts the target, on held-out folds.
//!
//! Every feature becomes codes (its values, or 32 quantile bins for numbers with many values; missing is
//! a code of its own), and each row is scored with its code's target mean over the *other* folds
//! (smoothed toward the overall mean). That is a one-feature model cross-validated, so a row key unique
//! per row scores 0.5 (its codes are never seen in other folds), while a key rows share scores what
//! those shared rows reveal. Classification is scored by ROC AUC (one-vs-rest, weighted by class share,
//! for several classes), regression by R² (for numbers also the linear fit's r², whichever is higher).

use cairn_types::{ColumnProfile, DType, LeakageScore, Task};
use polars::prelude::*;
use rayon::prelude::*;

use crate::target::{Target, Values};

pub(crate) const FOLDS: usize = 5;
const BINS: usize = 32;
/// Pseudo-rows of the overall mean added to every code's mean.
const SMOOTHING: f64 = 5.0;
/// A single feature scoring above this is flagged.
pub(crate) const LEAK: f64 = 0.95;

struct Coded {
    codes: Vec<u32>,
    n: usize,
}

fn code_hashable<K: std::hash::Hash + Eq>(values: impl Iterator<Item = Option<K>>, len: usize) -> Coded {
    let mut map: std::collections::HashMap<K, u32> = std::collections::HashMap::with_capacity(1024);
    let mut codes = Vec::with_capacity(len);
    let mut null_code = None;
    let mut next = 0u32;
    for v in values {
        let c = match v {
            Some(k) => *map.entry(k).or_insert_with(|| {
                next += 1;
                next - 1
            }),
            None => *null_code.get_or_insert_with(|| {
                next += 1;
                next - 1
            }),
        };
        codes.push(c);
    }
    Coded { codes, n: next as usize }
}

/// The codes of a column: by value (text, booleans, keys, few-valued numbers) or by quantile bin.
fn encode(s: &Series, p: &ColumnProfile, as_key: bool) -> Result<Option<Coded>, PolarsError> {
    let len = s.len();
    match p.dtype {
        DType::String | DType::Bool => {
            let t = s.cast(&DataType::String)?;
            Ok(Some(code_hashable(t.str()?.iter(), len)))
        }
        DType::Int if as_key => {
            let t = s.cast(&DataType::Int64)?;
            Ok(Some(code_hashable(t.i64()?.iter(), len)))
        }
        DType::Int | DType::Float | DType::Date | DType::Datetime => {
            let f = s.to_physical_repr().cast(&DataType::Float64)?;
            let ca = f.f64()?;
            let vals: Vec<Option<f64>> = ca.iter().map(|v| v.filter(|x| !x.is_nan())).collect();
            if p.distinct <= BINS as u64 * 2 {
                return Ok(Some(code_hashable(vals.iter().map(|v| v.map(f64::to_bits)), len)));
            }
            let mut sorted: Vec<f64> = vals.iter().flatten().copied().collect();
            sorted.sort_unstable_by(f64::total_cmp);
            let mut edges: Vec<f64> = (1..BINS).map(|k| sorted[(k * sorted.len() / BINS).min(sorted.len() - 1)]).collect();
            edges.dedup();
            let missing = edges.len() as u32 + 1;
            let codes = vals.iter().map(|v| v.map_or(missing, |x| edges.partition_point(|e| *e <= x) as u32)).collect();
            Ok(Some(Coded { codes, n: missing as usize + 1 }))
        }
        DType::Other => Ok(None),
    }
}

/// Each row's fold (present rows only matter), seeded so a report is reproducible.
pub(crate) fn folds(n: usize, seed: u64) -> Vec<u8> {
    let mut state = seed ^ 0x5DEE_CE66_D1CE_4E5B;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (((z >> 32) * FOLDS as u64) >> 32) as u8
        })
        .collect()
}

/// Out-of-fold target means per code: `k` sums per code (class counts, or one sum of values).
fn out_of_fold(coded: &Coded, fold: &[u8], rows: &[usize], k: usize, value: impl Fn(usize, &mut [f64]), prior: &[f64]) -> Vec<f64> {
    let n = coded.n;
    let mut tot = vec![0.0; n * k];
    let mut cnt = vec![0.0; n];
    let mut ftot = vec![0.0; FOLDS * n * k];
    let mut fcnt = vec![0.0; FOLDS * n];
    let mut buf = vec![0.0; k];
    for &r in rows {
        let c = coded.codes[r] as usize;
        let f = fold[r] as usize;
        buf.iter_mut().for_each(|b| *b = 0.0);
        value(r, &mut buf);
        for j in 0..k {
            tot[c * k + j] += buf[j];
            ftot[(f * n + c) * k + j] += buf[j];
        }
        cnt[c] += 1.0;
        fcnt[f * n + c] += 1.0;
    }
    let mut out = Vec::with_capacity(rows.len() * k);
    for &r in rows {
        let c = coded.codes[r] as usize;
        let f = fold[r] as usize;
        let others = cnt[c] - fcnt[f * n + c];
        for j in 0..k {
            let s = tot[c * k + j] - ftot[(f * n + c) * k + j];
            out.push((s + SMOOTHING * prior[j]) / (others + SMOOTHING));
        }
    }
    out
}

/// One feature's held-out score.
fn score(coded: &Coded, raw: Option<&[Option<f64>]>, target: &Target, fold: &[u8], rows: &[usize]) -> Option<(String, f64)> {
    match &target.values {
        Values::Classes { y, labels } => {
            let k = labels.len();
            let mut prior = vec![0.0; k];
            for &r in rows {
                prior[y[r] as usize] += 1.0;
            }
            let total: f64 = prior.iter().sum();
            prior.iter_mut().for_each(|p| *p /= total);
            let scored: Vec<usize> = match target.positive {
                Some(p) => vec![p],
                None => (0..k).collect(),
            };
            let p = out_of_fold(coded, fold, rows, k, |r, b| b[y[r] as usize] = 1.0, &prior);
            let (mut sum, mut weight) = (0.0, 0.0);
            for &c in &scored {
                let truth: Vec<bool> = rows.iter().map(|&r| y[r] as usize == c).collect();
                let s: Vec<f64> = (0..rows.len()).map(|i| p[i * k + c]).collect();
                if let Some(auc) = cairn_ml::score::roc_auc(&truth, &s) {
                    let w = if scored.len() == 1 { 1.0 } else { prior[c] };
                    sum += w * auc;
                    weight += w;
                }
            }
            (weight > 0.0).then(|| ("roc_auc".to_string(), sum / weight))
        }
        Values::Numbers(v) => {
            let mean = rows.iter().map(|&r| v[r]).sum::<f64>() / rows.len() as f64;
            let sst: f64 = rows.iter().map(|&r| (v[r] - mean).powi(2)).sum();
            if sst == 0.0 {
                return None;
            }
            let p = out_of_fold(coded, fold, rows, 1, |r, b| b[0] = v[r], &[mean]);
            let sse: f64 = rows.iter().zip(&p).map(|(&r, q)| (v[r] - q).powi(2)).sum();
            let binned = 1.0 - sse / sst;
            let linear = raw.map_or(0.0, |x| pearson_r2(x, v, rows));
            Some(("r2".to_string(), binned.max(linear)))
        }
    }
}

/// The squared correlation of a feature and the target over rows where both are present.
fn pearson_r2(x: &[Option<f64>], y: &[f64], rows: &[usize]) -> f64 {
    let pairs: Vec<(f64, f64)> = rows.iter().filter_map(|&r| x[r].map(|a| (a, y[r]))).collect();
    let n = pairs.len() as f64;
    if n < 3.0 {
        return 0.0;
    }
    let (mx, my) = pairs.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 { 0.0 } else { sxy * sxy / (sxx * syy) }
}

/// Scores every feature (every column but the target's), strongest first.
pub(crate) fn scores(
    df: &DataFrame,
    profile: &[ColumnProfile],
    keys: &[String],
    target: &Target,
    seed: u64,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<Vec<LeakageScore>, PolarsError> {
    let rows: Vec<usize> = (0..df.height()).filter(|&r| target.is_present(r)).collect();
    let fold = folds(df.height(), seed);
    let features: Vec<&ColumnProfile> = profile.iter().filter(|p| p.name != target.column && p.count > 0).collect();
    let total = features.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let mut out: Vec<LeakageScore> = features
        .par_iter()
        .map(|p| -> Result<Option<LeakageScore>, PolarsError> {
            if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(None);
            }
            let s = df.column(&p.name)?.as_materialized_series();
            let as_key = keys.contains(&p.name);
            let Some(coded) = encode(s, p, as_key)? else { return Ok(None) };
            let raw: Option<Vec<Option<f64>>> =
                (target.task == Task::Regression && matches!(p.dtype, DType::Int | DType::Float) && !as_key)
                    .then(|| s.cast(&DataType::Float64).ok())
                    .flatten()
                    .and_then(|f| f.f64().ok().map(|ca| ca.iter().map(|v| v.filter(|x| x.is_finite())).collect()));
            let result = score(&coded, raw.as_deref(), target, &fold, &rows);
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if !progress(n, total) {
                stopped.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(result.map(|(metric, score)| LeakageScore { feature: p.name.clone(), metric, score, flagged: score > LEAK }))
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.feature.cmp(&b.feature)));
    Ok(out)
}
