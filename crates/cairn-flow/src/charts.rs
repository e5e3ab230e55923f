//! Chart data for the wrangling page, computed on the preview's rows: a histogram or a box plot of a
//! numeric column (boxes per group of another column), a bar chart of a column's most common values, a
//! scatter of two numeric columns (evenly thinned to a few thousand points).

use std::collections::HashMap;

use cairn_types::{ApiError, BoxStats, ChartData, ChartKind, ErrorCode};
use polars::prelude::*;

const BINS: usize = 30;
const BARS: usize = 30;
const POINTS: usize = 3000;
const BOXES: usize = 12;

fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Column, ApiError> {
    df.column(name).map_err(|_| {
        ApiError::new(ErrorCode::ColumnNotFound, format!("the preview has no column {name:?}"))
            .with_hint("an earlier step may have dropped or renamed it; pick another column")
    })
}

/// A column's values as numbers (booleans 0/1, dates in days); text is refused.
fn numbers(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, ApiError> {
    let c = column(df, name)?;
    let dt = c.dtype();
    if !(dt.is_primitive_numeric() || matches!(dt, DataType::Boolean | DataType::Date | DataType::Datetime(_, _))) {
        return Err(ApiError::new(ErrorCode::TypeMismatch, format!("column {name:?} is {dt}, not numeric"))
            .with_hint("a bar chart shows the values of a text column"));
    }
    let s = c
        .as_materialized_series()
        .to_physical_repr()
        .cast(&DataType::Float64)
        .map_err(|e| ApiError::new(ErrorCode::TypeMismatch, e.to_string()))?;
    let ca = s.f64().map_err(|e| ApiError::new(ErrorCode::TypeMismatch, e.to_string()))?;
    Ok(ca.iter().map(|v| v.filter(|x| x.is_finite())).collect())
}

fn texts(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, ApiError> {
    let s = column(df, name)?
        .as_materialized_series()
        .cast(&DataType::String)
        .map_err(|e| ApiError::new(ErrorCode::TypeMismatch, e.to_string()))?;
    let ca = s.str().map_err(|e| ApiError::new(ErrorCode::TypeMismatch, e.to_string()))?;
    Ok(ca.iter().map(|v| v.map(String::from)).collect())
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn label(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 { format!("{x:.0}") } else { format!("{:.4}", x).trim_end_matches('0').to_string() }
}

/// The chart's data over `df`.
pub fn chart(df: &DataFrame, kind: ChartKind, x: &str, y: Option<&str>) -> Result<ChartData, ApiError> {
    let rows = df.height() as u64;
    let mut out = ChartData { rows, ..Default::default() };
    match kind {
        ChartKind::Histogram => {
            let v = numbers(df, x)?;
            let vals: Vec<f64> = v.iter().flatten().copied().collect();
            out.missing = rows - vals.len() as u64;
            if vals.is_empty() {
                return Ok(out);
            }
            let (min, max) = vals.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
            let bins = if max > min { BINS } else { 1 };
            let width = if max > min { (max - min) / bins as f64 } else { 1.0 };
            let mut counts = vec![0u64; bins];
            for x in vals {
                let i = (((x - min) / width) as usize).min(bins - 1);
                counts[i] += 1;
            }
            out.labels = (0..bins).map(|i| label(min + width * i as f64)).collect();
            out.counts = counts;
        }
        ChartKind::Bar => {
            let v = texts(df, x)?;
            let mut counts: HashMap<String, u64> = HashMap::new();
            for t in v.into_iter() {
                match t {
                    Some(t) => *counts.entry(t).or_default() += 1,
                    None => out.missing += 1,
                }
            }
            let mut pairs: Vec<(String, u64)> = counts.into_iter().collect();
            pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            if pairs.len() > BARS {
                let rest: u64 = pairs[BARS - 1..].iter().map(|p| p.1).sum();
                pairs.truncate(BARS - 1);
                pairs.push(("(others)".into(), rest));
            }
            (out.labels, out.counts) = pairs.into_iter().unzip();
        }
        ChartKind::Scatter => {
            let y = y.ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidInput, "a scatter plot needs a y column").with_hint("pick a second numeric column")
            })?;
            let (xs, ys) = (numbers(df, x)?, numbers(df, y)?);
            let pts: Vec<(f64, f64)> = xs.into_iter().zip(ys).filter_map(|(a, b)| Some((a?, b?))).collect();
            out.missing = rows - pts.len() as u64;
            let step = pts.len().div_ceil(POINTS).max(1);
            for (a, b) in pts.into_iter().step_by(step) {
                out.x.push(a);
                out.y.push(b);
            }
        }
        ChartKind::Box => {
            let v = numbers(df, x)?;
            let groups: Vec<Option<String>> = match y {
                Some(g) => texts(df, g)?,
                None => vec![Some(x.to_string()); v.len()],
            };
            let mut by: HashMap<String, Vec<f64>> = HashMap::new();
            for (val, g) in v.into_iter().zip(groups) {
                match val {
                    Some(val) => by.entry(g.unwrap_or_else(|| "(missing)".into())).or_default().push(val),
                    None => out.missing += 1,
                }
            }
            let mut groups: Vec<(String, Vec<f64>)> = by.into_iter().collect();
            groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
            groups.truncate(BOXES);
            for (group, mut vals) in groups {
                vals.sort_by(f64::total_cmp);
                out.boxes.push(BoxStats {
                    group,
                    min: vals[0],
                    q1: quantile(&vals, 0.25),
                    median: quantile(&vals, 0.5),
                    q3: quantile(&vals, 0.75),
                    max: vals[vals.len() - 1],
                    count: vals.len() as u64,
                });
            }
        }
    }
    Ok(out)
}
