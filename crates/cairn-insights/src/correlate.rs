//! Pearson correlations between numeric columns and variance inflation factors (VIF).
//!
//! Each pair's r uses the rows where both are present. VIF needs one consistent matrix, so it is
//! computed from the correlations over rows complete in every column, by sweeping the matrix (the
//! sweep's pivot is 1 - R² of a column on the columns swept before it; a pivot near 0 means the column
//! is an exact combination of others, and it and the columns it combines have an infinite VIF).

use cairn_types::{CorrelationPair, Correlations, LeftOut, VifScore};
use polars::prelude::*;
use rayon::prelude::*;

/// At most this many columns enter the matrix (the heatmap stays readable; the cost grows as its square).
pub(crate) const MAX_COLUMNS: usize = 40;
const TOP_PAIRS: usize = 15;
pub(crate) const VIF_FLAG: f64 = 10.0;
const MIN_ROWS: usize = 10;

pub(crate) fn correlations(df: &DataFrame, columns: &[String], mut left_out: Vec<LeftOut>) -> Result<Correlations, PolarsError> {
    let mut names: Vec<String> = columns.to_vec();
    if names.len() > MAX_COLUMNS {
        for c in names.drain(MAX_COLUMNS..) {
            left_out.push(LeftOut { column: c, reason: format!("only the first {MAX_COLUMNS} numeric columns are correlated") });
        }
    }
    let data: Vec<Vec<f64>> = names
        .par_iter()
        .map(|c| -> Result<Vec<f64>, PolarsError> {
            let s = df.column(c)?.as_materialized_series().to_physical_repr().cast(&DataType::Float64)?;
            Ok(s.f64()?.iter().map(|v| v.filter(|x| x.is_finite()).unwrap_or(f64::NAN)).collect())
        })
        .collect::<Result<_, _>>()?;
    let p = names.len();
    let pairs: Vec<(usize, usize)> = (0..p).flat_map(|i| (i + 1..p).map(move |j| (i, j))).collect();
    let rs: Vec<Option<f64>> = pairs.par_iter().map(|&(i, j)| pearson(&data[i], &data[j])).collect();
    let mut matrix = vec![None; p * p];
    for i in 0..p {
        matrix[i * p + i] = Some(1.0);
    }
    let mut top = Vec::new();
    for (&(i, j), r) in pairs.iter().zip(&rs) {
        matrix[i * p + j] = *r;
        matrix[j * p + i] = *r;
        if let Some(r) = r {
            top.push(CorrelationPair { a: names[i].clone(), b: names[j].clone(), r: *r });
        }
    }
    top.sort_by(|a, b| b.r.abs().total_cmp(&a.r.abs()));
    top.truncate(TOP_PAIRS);
    let vif = vif(&names, &data);
    Ok(Correlations { columns: names, matrix, top_pairs: top, vif, left_out })
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mut n, mut sx, mut sy) = (0usize, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        if !a.is_nan() && !b.is_nan() {
            n += 1;
            sx += a;
            sy += b;
        }
    }
    if n < MIN_ROWS {
        return None;
    }
    let (mx, my) = (sx / n as f64, sy / n as f64);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        if !a.is_nan() && !b.is_nan() {
            let (da, db) = (a - mx, b - my);
            sxy += da * db;
            sxx += da * da;
            syy += db * db;
        }
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// VIF of each column on the others, over rows complete in all of them.
fn vif(names: &[String], data: &[Vec<f64>]) -> Vec<VifScore> {
    let p = names.len();
    if p < 2 {
        return Vec::new();
    }
    let rows: Vec<usize> = (0..data[0].len()).filter(|&r| data.iter().all(|c| !c[r].is_nan())).collect();
    if rows.len() < MIN_ROWS.max(p + 2) {
        return Vec::new();
    }
    let n = rows.len() as f64;
    let means: Vec<f64> = data.iter().map(|c| rows.iter().map(|&r| c[r]).sum::<f64>() / n).collect();
    let centred: Vec<Vec<f64>> = data.iter().zip(&means).map(|(c, m)| rows.iter().map(|&r| c[r] - m).collect()).collect();
    let mut cov = vec![0.0; p * p];
    let cells: Vec<(usize, usize, f64)> = (0..p)
        .flat_map(|i| (i..p).map(move |j| (i, j)))
        .collect::<Vec<_>>()
        .par_iter()
        .map(|&(i, j)| (i, j, centred[i].iter().zip(&centred[j]).map(|(a, b)| a * b).sum::<f64>()))
        .collect();
    for (i, j, v) in cells {
        cov[i * p + j] = v;
        cov[j * p + i] = v;
    }
    // Correlation matrix; a column constant on the complete rows has no VIF.
    let sd: Vec<f64> = (0..p).map(|i| cov[i * p + i].sqrt()).collect();
    let usable: Vec<usize> = (0..p).filter(|&i| sd[i] > 0.0).collect();
    let q = usable.len();
    let mut a = vec![0.0; q * q];
    for (x, &i) in usable.iter().enumerate() {
        for (y, &j) in usable.iter().enumerate() {
            a[x * q + y] = cov[i * p + j] / (sd[i] * sd[j]);
        }
    }
    // Sweep every column in turn; a column whose pivot is ~0 is a combination of those swept before.
    let mut swept = vec![false; q];
    for k in 0..q {
        let d = a[k * q + k];
        if d < 1e-9 {
            continue;
        }
        swept[k] = true;
        for i in 0..q {
            for j in 0..q {
                if i != k && j != k {
                    a[i * q + j] -= a[i * q + k] * a[k * q + j] / d;
                }
            }
        }
        for i in 0..q {
            if i != k {
                a[i * q + k] /= d;
                a[k * q + i] /= d;
            }
        }
        a[k * q + k] = -1.0 / d;
    }
    // Columns an unswept one is a combination of are in that exact dependency too: their VIF on all
    // the others is infinite as well. The swept off-diagonal entries are the regression's coefficients.
    let mut infinite: Vec<bool> = swept.iter().map(|s| !s).collect();
    for j in (0..q).filter(|&j| !swept[j]) {
        for k in (0..q).filter(|&k| swept[k]) {
            if a[k * q + j].abs() > 1e-6 {
                infinite[k] = true;
            }
        }
    }
    let mut out: Vec<VifScore> = usable
        .iter()
        .enumerate()
        .map(|(x, &i)| {
            // After sweeping, -a[k][k] is the inverse correlation matrix's diagonal: the VIF.
            let vif = if !infinite[x] { Some(-a[x * q + x]).filter(|v| v.is_finite() && *v >= 1.0 - 1e-6) } else { None };
            VifScore { column: names[i].clone(), vif, flagged: vif.is_none_or(|v| v > VIF_FLAG) }
        })
        .collect();
    out.sort_by(|a, b| b.vif.unwrap_or(f64::INFINITY).total_cmp(&a.vif.unwrap_or(f64::INFINITY)));
    out
}
