//! Evidently 0.7.23's drift tests, each computed from two exact [`Values`] summaries exactly as its Python source
//! computes them from the rows (`evidently/legacy/calculations/stattests/*.py` over scipy 1.17).

use crate::ks::ks_2samp_pvalue;
use crate::special::{chi2_sf, normal_cdf};
use crate::summary::{Values, merge_walk};

/// The union of two summaries' keys, ascending, with the reference and current count of each.
pub(crate) fn joint_counts(reference: &Values, current: &Values) -> Option<Vec<(u64, u64)>> {
    fn join<T>(a: &[T], ac: &[u64], b: &[T], bc: &[u64], cmp: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<(u64, u64)> {
        let mut out = Vec::with_capacity(a.len().max(b.len()));
        merge_walk(a, b, cmp, |i, j| out.push((i.map_or(0, |i| ac[i]), j.map_or(0, |j| bc[j]))));
        out
    }
    match (reference, current) {
        (Values::Numbers { values: a, counts: ac }, Values::Numbers { values: b, counts: bc }) => {
            Some(join(a, ac, b, bc, |x, y| x.total_cmp(y)))
        }
        (Values::Strings { values: a, counts: ac }, Values::Strings { values: b, counts: bc }) => Some(join(a, ac, b, bc, |x, y| x.cmp(y))),
        _ => None,
    }
}

fn total(counts: &[(u64, u64)]) -> (f64, f64) {
    let (r, c) = counts.iter().fold((0u64, 0u64), |(r, c), (a, b)| (r + a, c + b));
    (r as f64, c as f64)
}

/// Pearson's chi-square p-value with expected counts `ref_count · (m/n)` (`_chi_stat_test`). A category the
/// reference never had gives an infinite statistic, so p = 0.
pub fn chi_square(counts: &[(u64, u64)]) -> f64 {
    let (n_ref, n_cur) = total(counts);
    let k_norm = n_cur / n_ref;
    let stat: f64 = counts
        .iter()
        .map(|&(r, c)| {
            let exp = r as f64 * k_norm;
            let d = c as f64 - exp;
            d * d / exp
        })
        .sum();
    chi2_sf(counts.len() as f64 - 1.0, stat)
}

/// The pooled two-proportion Z-test on the first (smallest) value (`_z_stat_test`).
pub fn z_test(counts: &[(u64, u64)]) -> f64 {
    let ref_distinct = counts.iter().filter(|c| c.0 > 0).count();
    let cur_distinct = counts.iter().filter(|c| c.1 > 0).count();
    if ref_distinct == 1 && cur_distinct == 1 && counts.iter().any(|c| c.0 > 0 && c.1 > 0) {
        return 1.0;
    }
    let (n1, n2) = total(counts);
    let first = counts.first().copied().unwrap_or((0, 0));
    // The proportion of rows that are *not* the first value, as Evidently maps it to 0 and the rest to 1.
    let p1 = (n1 - first.0 as f64) / n1;
    let p2 = (n2 - first.1 as f64) / n2;
    let pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    let z = (p1 - p2) / (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    2.0 * (1.0 - normal_cdf(z.abs()))
}

/// scipy's `jensenshannon(p, q)` with the natural log over per-value frequencies, empty bins not filled.
pub fn jensen_shannon(counts: &[(u64, u64)]) -> f64 {
    let (n_ref, n_cur) = total(counts);
    let p: Vec<f64> = counts.iter().map(|c| c.0 as f64 / n_ref).collect();
    let q: Vec<f64> = counts.iter().map(|c| c.1 as f64 / n_cur).collect();
    js_from_frequencies(&p, &q)
}

fn js_from_frequencies(p: &[f64], q: &[f64]) -> f64 {
    let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
    let rel_entr = |x: f64, y: f64| if x > 0.0 && y > 0.0 { x * (x / y).ln() } else { 0.0 };
    let (mut left, mut right) = (0.0, 0.0);
    for (&a, &b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = (a + b) / 2.0;
        left += rel_entr(a, m);
        right += rel_entr(b, m);
    }
    ((left + right) / 2.0).sqrt()
}

/// The population stability index over per-value frequencies or Sturges bins (`_psi`, `get_binned_data`).
pub fn psi(reference: &Values, current: &Values, numerical: bool, integer: bool) -> Option<f64> {
    let (mut r, mut c) = binned_frequencies(reference, current, numerical, integer)?;
    fill_zeroes(&mut r);
    fill_zeroes(&mut c);
    Some(r.iter().zip(&c).map(|(a, b)| (a - b) * (a / b).ln()).sum())
}

/// Evidently's zero fill: `min_nonzero / 1e6` when that minimum is at most 1e-4, else 1e-4.
fn fill_zeroes(v: &mut [f64]) {
    let min = v.iter().copied().filter(|x| *x != 0.0).fold(f64::INFINITY, f64::min);
    let fill = if min <= 0.0001 { min / 1e6 } else { 0.0001 };
    v.iter_mut().filter(|x| **x == 0.0).for_each(|x| *x = fill);
}

/// Frequencies per Sturges bin of the pooled data when the reference has more than 20 distinct numbers, else per
/// distinct value.
fn binned_frequencies(reference: &Values, current: &Values, numerical: bool, integer: bool) -> Option<(Vec<f64>, Vec<f64>)> {
    if let (true, Values::Numbers { values: rv, counts: rc }, Values::Numbers { values: cv, counts: cc }) = (numerical, reference, current)
        && rv.len() > 20
    {
        let n: u64 = rc.iter().sum::<u64>() + cc.iter().sum::<u64>();
        let lo = rv.first()?.min(*cv.first().unwrap_or(&f64::INFINITY));
        let hi = rv.last()?.max(*cv.last().unwrap_or(&f64::NEG_INFINITY));
        let edges = sturges_edges(lo, hi, n, integer);
        let (nr, nc) = (rc.iter().sum::<u64>() as f64, cc.iter().sum::<u64>() as f64);
        let r = histogram(rv, rc, &edges).into_iter().map(|x| x as f64 / nr).collect();
        let c = histogram(cv, cc, &edges).into_iter().map(|x| x as f64 / nc).collect();
        return Some((r, c));
    }
    let counts = joint_counts(reference, current)?;
    let (nr, nc) = total(&counts);
    Some((counts.iter().map(|x| x.0 as f64 / nr).collect(), counts.iter().map(|x| x.1 as f64 / nc).collect()))
}

/// `np.histogram_bin_edges(data, "sturges")` from the data's range and size.
pub fn sturges_edges(lo: f64, hi: f64, n: u64, integer: bool) -> Vec<f64> {
    let (mut first, mut last) = (lo, hi);
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    let ptp = hi - lo;
    let mut width = ptp / ((n as f64).log2() + 1.0);
    let bins = if width != 0.0 {
        if integer && width < 1.0 {
            width = 1.0;
        }
        ((last - first) / width).ceil() as usize
    } else {
        1
    };
    // np.linspace(first, last, bins + 1): i·step + first, the last edge set to `last` exactly.
    let step = (last - first) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| i as f64 * step + first).collect();
    if let Some(e) = edges.last_mut() {
        *e = last;
    }
    edges
}

/// `np.histogram(data, edges)` counts of a sorted summary: `[e_i, e_{i+1})`, the last bin closed.
fn histogram(values: &[f64], counts: &[u64], edges: &[f64]) -> Vec<u64> {
    let mut out = vec![0u64; edges.len().saturating_sub(1)];
    let last = out.len().saturating_sub(1);
    for (v, c) in values.iter().zip(counts) {
        // The first edge whose value exceeds v, minus one, is v's bin.
        let upper = edges.partition_point(|e| e <= v);
        let bin = if upper == 0 {
            continue;
        } else if upper == edges.len() {
            if *v == edges[edges.len() - 1] { last } else { continue }
        } else {
            upper - 1
        };
        out[bin] += c;
    }
    out
}

/// KS statistic and scipy's p-value from two numeric summaries.
pub fn ks(rv: &[f64], rc: &[u64], cv: &[f64], cc: &[u64]) -> f64 {
    let (n1, n2) = (rc.iter().sum::<u64>(), cc.iter().sum::<u64>());
    let (mut max_s, mut min_s) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    walk_cdfs(rv, rc, cv, cc, |cdf1, cdf2, _| {
        let diff = cdf1 - cdf2;
        max_s = max_s.max(diff);
        min_s = min_s.max(-diff);
    });
    let min_s = min_s.clamp(0.0, 1.0);
    let d = if min_s > max_s { min_s } else { max_s };
    ks_2samp_pvalue(n1 as usize, n2 as usize, d).1
}

/// scipy's `wasserstein_distance` over two numeric summaries, divided by max(reference population std, 0.001).
pub fn wasserstein_norm(rv: &[f64], rc: &[u64], cv: &[f64], cc: &[u64]) -> f64 {
    let mut dist = 0.0;
    walk_cdfs(rv, rc, cv, cc, |cdf1, cdf2, delta| dist += (cdf1 - cdf2).abs() * delta);
    dist / population_std(rv, rc).max(0.001)
}

/// `np.std` (ddof 0) of a numeric summary.
pub fn population_std(values: &[f64], counts: &[u64]) -> f64 {
    let n = counts.iter().sum::<u64>() as f64;
    let mean = values.iter().zip(counts).map(|(v, c)| v * *c as f64).sum::<f64>() / n;
    let ss: f64 = values.iter().zip(counts).map(|(v, c)| (v - mean) * (v - mean) * *c as f64).sum();
    (ss / n).sqrt()
}

/// Walks the union of two sorted summaries, calling `f(cdf1, cdf2, gap to the next value)` at each distinct
/// value, with each CDF computed as scipy does (`count ≤ x` divided by the sample size).
fn walk_cdfs(rv: &[f64], rc: &[u64], cv: &[f64], cc: &[u64], mut f: impl FnMut(f64, f64, f64)) {
    let (n1, n2) = (rc.iter().sum::<u64>() as f64, cc.iter().sum::<u64>() as f64);
    let (mut i, mut j) = (0, 0);
    let (mut c1, mut c2) = (0u64, 0u64);
    while i < rv.len() || j < cv.len() {
        let x = match (rv.get(i), cv.get(j)) {
            (Some(a), Some(b)) => a.min(*b),
            (Some(a), None) => *a,
            (None, Some(b)) => *b,
            (None, None) => break,
        };
        if rv.get(i) == Some(&x) {
            c1 += rc[i];
            i += 1;
        }
        if cv.get(j) == Some(&x) {
            c2 += cc[j];
            j += 1;
        }
        let next = match (rv.get(i), cv.get(j)) {
            (Some(a), Some(b)) => a.min(*b),
            (Some(a), None) => *a,
            (None, Some(b)) => *b,
            (None, None) => x,
        };
        f(c1 as f64 / n1, c2 as f64 / n2, next - x);
    }
}
