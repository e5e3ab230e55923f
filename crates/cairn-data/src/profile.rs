//! Column profiles on the full data: counts, missing, distinct, numeric statistics and quantiles,
//! histograms, top values. Columns are profiled in parallel; numbers are sorted once, which gives the
//! quantiles, the distinct count and the frequent values together.

use cairn_types::{ColumnProfile, DType, Histogram, NumericStats, Profile, TextStats, ValueCount};
use polars::prelude::*;
use rayon::prelude::*;

use crate::Observer;
use crate::error::DataError;
use crate::frame::dtype_of;

const BINS: usize = 30;
const TOP: usize = 10;
/// Numbers with at most this many distinct values also get a bar chart of their values.
const FEW_DISTINCT: u64 = 20;
/// Duplicate detection hashes whole rows; past this many cells it is skipped rather than slow.
const DUPLICATE_CELLS_MAX: usize = 200_000_000;

/// Profiles every column of `df`. Cancelling stops between columns.
pub fn profile(df: &DataFrame, dataset_id: &str, version: &str, obs: &dyn Observer) -> Result<Profile, DataError> {
    let started = std::time::Instant::now();
    let rows = df.height();
    let total = df.width() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let (columns, duplicates) = rayon::join(
        || -> Result<Vec<ColumnProfile>, DataError> {
            df.columns()
                .par_iter()
                .map(|c| {
                    if obs.cancelled() {
                        return Err(DataError::Cancelled);
                    }
                    let p = column(c, rows);
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    obs.progress("profiling", n, total, "columns");
                    p
                })
                .collect()
        },
        || {
            if rows * df.width().max(1) <= DUPLICATE_CELLS_MAX && df.width() > 0 { duplicate_rows(df) } else { Ok(0) }
        },
    );
    let columns = columns?;
    let duplicate_rows = duplicates?;
    Ok(Profile {
        dataset_id: dataset_id.into(),
        version: version.into(),
        rows: rows as u64,
        columns,
        duplicate_rows,
        compute_ms: started.elapsed().as_millis() as u64,
    })
}

/// Rows equal to an earlier row. Rows are grouped by a 64-bit hash of all their values, and rows that
/// share a hash are compared value by value, so a hash collision never counts as a duplicate.
fn duplicate_rows(df: &DataFrame) -> PolarsResult<u64> {
    let state = PlSeedableRandomStateQuality::seed_from_u64(0x00c0_ffee);
    let cols = df.columns();
    let mut hashes = Vec::with_capacity(df.height());
    cols[0].vec_hash(state.clone(), &mut hashes)?;
    for c in &cols[1..] {
        c.vec_hash_combine(state.clone(), &mut hashes)?;
    }
    let mut order: Vec<u32> = (0..hashes.len() as u32).collect();
    order.sort_unstable_by_key(|&i| (hashes[i as usize], i));
    let same_row = |a: u32, b: u32| cols.iter().all(|c| c.get(a as usize).ok() == c.get(b as usize).ok());
    let mut duplicates = 0u64;
    let mut start = 0;
    while start < order.len() {
        let h = hashes[order[start] as usize];
        let mut end = start + 1;
        while end < order.len() && hashes[order[end] as usize] == h {
            end += 1;
        }
        // Within a group, each row is a duplicate if it equals a distinct row seen before it.
        let mut distinct: Vec<u32> = Vec::new();
        for &row in &order[start..end] {
            if distinct.iter().any(|&d| same_row(d, row)) {
                duplicates += 1;
            } else {
                distinct.push(row);
            }
        }
        start = end;
    }
    Ok(duplicates)
}

fn column(c: &Column, rows: usize) -> Result<ColumnProfile, DataError> {
    let s = c.as_materialized_series();
    let dtype = dtype_of(s.dtype());
    let missing = s.null_count() as u64;
    let mut p = ColumnProfile {
        name: s.name().to_string(),
        dtype,
        count: rows as u64 - missing,
        missing,
        missing_pct: if rows == 0 { 0.0 } else { missing as f64 * 100.0 / rows as f64 },
        distinct: 0,
        numeric: None,
        histogram: None,
        top: Vec::new(),
        other: 0,
        text: None,
        min_label: None,
        max_label: None,
    };
    match dtype {
        DType::Int | DType::Float | DType::Date | DType::Datetime => numeric(s, &mut p)?,
        DType::String => strings(s, &mut p)?,
        DType::Bool => booleans(s, &mut p)?,
        DType::Other => p.distinct = s.n_unique().map(|n| n as u64).unwrap_or(0).saturating_sub(u64::from(missing > 0)),
    }
    Ok(p)
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn numeric(s: &Series, p: &mut ColumnProfile) -> Result<(), DataError> {
    let physical = s.to_physical_repr();
    let f = physical.cast(&DataType::Float64)?;
    let ca = f.f64()?;
    let mut vals = Vec::with_capacity(p.count as usize);
    let (mut non_finite, mut zeros, mut negatives) = (0u64, 0u64, 0u64);
    let (mut mean, mut m2) = (0.0f64, 0.0f64);
    for v in ca.iter().flatten() {
        if !v.is_finite() {
            non_finite += 1;
            continue;
        }
        zeros += u64::from(v == 0.0);
        negatives += u64::from(v < 0.0);
        vals.push(v);
        // Welford's update: stable for large values where sum-of-squares cancels.
        let n = vals.len() as f64;
        let d = v - mean;
        mean += d / n;
        m2 += d * (v - mean);
    }
    sort_values(&mut vals, p.dtype != DType::Float);
    let n = vals.len();
    let mut runs: Vec<(f64, u64)> = Vec::new();
    for &v in &vals {
        match runs.last_mut() {
            Some((last, c)) if *last == v => *c += 1,
            _ => runs.push((v, 1)),
        }
    }
    p.distinct = runs.len() as u64 + u64::from(non_finite > 0);
    if n == 0 {
        return Ok(());
    }
    let (min, max) = (vals[0], vals[n - 1]);
    p.numeric = Some(NumericStats {
        min,
        max,
        mean,
        std: if n > 1 { (m2 / (n - 1) as f64).sqrt() } else { 0.0 },
        p01: quantile(&vals, 0.01),
        p05: quantile(&vals, 0.05),
        p25: quantile(&vals, 0.25),
        median: quantile(&vals, 0.5),
        p75: quantile(&vals, 0.75),
        p95: quantile(&vals, 0.95),
        p99: quantile(&vals, 0.99),
        zeros,
        negatives,
        non_finite,
    });
    p.histogram = Some(histogram(&vals, p.dtype != DType::Float));
    if matches!(p.dtype, DType::Date | DType::Datetime) {
        let label = |v: Option<AnyValue<'_>>| v.map(|v| v.to_string());
        let sorted = s.drop_nulls();
        p.min_label = label(sorted.min_reduce().ok().map(|sc| sc.into_value()).and_then(|v| as_temporal(v, s.dtype())));
        p.max_label = label(sorted.max_reduce().ok().map(|sc| sc.into_value()).and_then(|v| as_temporal(v, s.dtype())));
    } else if p.distinct <= FEW_DISTINCT {
        runs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.total_cmp(&b.0)));
        p.top = runs.iter().take(TOP).map(|(v, c)| ValueCount { value: number_label(*v), count: *c }).collect();
        p.other = p.count - p.top.iter().map(|t| t.count).sum::<u64>();
    }
    Ok(())
}

/// Sorts in place; whole numbers over a modest range are counted into place, in linear time.
fn sort_values(vals: &mut [f64], integral: bool) {
    const MAX_RANGE: f64 = (1 << 20) as f64;
    if integral && vals.len() > 1000 {
        let (min, max) = vals.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        if max - min <= MAX_RANGE {
            let mut counts = vec![0u32; (max - min) as usize + 1];
            for &v in vals.iter() {
                counts[(v - min) as usize] += 1;
            }
            let mut i = 0;
            for (k, &c) in counts.iter().enumerate() {
                vals[i..i + c as usize].fill(min + k as f64);
                i += c as usize;
            }
            return;
        }
    }
    vals.sort_unstable_by(f64::total_cmp);
}

fn as_temporal(v: AnyValue<'static>, dtype: &DataType) -> Option<AnyValue<'static>> {
    match (v, dtype) {
        (AnyValue::Int32(d), DataType::Date) => Some(AnyValue::Date(d)),
        (AnyValue::Int64(t), DataType::Datetime(u, _)) => Some(AnyValue::Datetime(t, *u, None)),
        (v @ (AnyValue::Date(_) | AnyValue::Datetime(..) | AnyValue::DatetimeOwned(..)), _) => Some(v),
        _ => None,
    }
}

fn number_label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

/// Equal-width bins. Whole numbers (and dates) get a whole-number width centred on the values, one bin
/// per value over a small range: 30 bins over 17..=90 would give some bins three ages and others two,
/// and the histogram would saw-tooth.
fn histogram(sorted: &[f64], integral: bool) -> Histogram {
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let span = max - min;
    let (lo, bins, width) = if span == 0.0 {
        (min - 0.5, 1, 1.0)
    } else if integral {
        let width = ((span + 1.0) / BINS as f64).ceil();
        (min - 0.5, ((span + 1.0) / width).ceil() as usize, width)
    } else {
        (min, BINS, span / BINS as f64)
    };
    let mut counts = vec![0u64; bins];
    for &v in sorted {
        let i = (((v - lo) / width) as usize).min(bins - 1);
        counts[i] += 1;
    }
    let edges = (0..=bins).map(|i| lo + width * i as f64).collect();
    Histogram { edges, counts }
}

fn strings(s: &Series, p: &mut ColumnProfile) -> Result<(), DataError> {
    let s = if s.dtype() == &DataType::String { s.clone() } else { s.cast(&DataType::String)? };
    let ca = s.str()?;
    let mut counts: PlHashMap<&str, u64> = PlHashMap::default();
    let (mut min_len, mut max_len, mut total_len) = (u64::MAX, 0u64, 0u64);
    for v in ca.iter().flatten() {
        *counts.entry(v).or_insert(0) += 1;
        let len = if v.is_ascii() { v.len() } else { v.chars().count() } as u64;
        min_len = min_len.min(len);
        max_len = max_len.max(len);
        total_len += len;
    }
    p.distinct = counts.len() as u64;
    let mut top: Vec<(&str, u64)> = counts.into_iter().collect();
    let k = TOP.min(top.len());
    if k > 0 && k < top.len() {
        top.select_nth_unstable_by(k - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        top.truncate(k);
    }
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    p.top = top.into_iter().map(|(v, c)| ValueCount { value: v.chars().take(200).collect(), count: c }).collect();
    p.other = p.count - p.top.iter().map(|t| t.count).sum::<u64>();
    if p.count > 0 {
        p.text = Some(TextStats { min_len, max_len, mean_len: total_len as f64 / p.count as f64 });
    }
    Ok(())
}

fn booleans(s: &Series, p: &mut ColumnProfile) -> Result<(), DataError> {
    let ca = s.bool()?;
    let trues = ca.sum().unwrap_or(0) as u64;
    let falses = p.count - trues;
    p.top = [("true", trues), ("false", falses)]
        .into_iter()
        .filter(|(_, c)| *c > 0)
        .map(|(v, c)| ValueCount { value: v.into(), count: c })
        .collect();
    p.top.sort_by_key(|t| std::cmp::Reverse(t.count));
    p.distinct = p.top.len() as u64;
    Ok(())
}
