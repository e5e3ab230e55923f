//! A column reduced to what every computation here needs: its exact value counts.
//!
//! A [`ColumnSummary`] keeps each distinct finite value once with its count (numbers sorted ascending, strings in
//! byte order), plus how many rows were missing. That is enough to recompute Evidently's tests exactly (KS and
//! Wasserstein need the whole empirical CDF, which the sorted distinct values with counts are), SageMaker's
//! statistics and distances, and it is what a stored baseline keeps of the reference instead of its rows: a
//! categorical column shrinks to its categories, a numeric one to its distinct values.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MonitorError;

/// The storage class of a column, which decides how Evidently would type it (pandas' view of the same data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Storage {
    /// Floating point.
    Float,
    /// Integers. With missing values pandas reads these as floats, so Evidently types them as such.
    Int,
    /// Booleans (counted as 0 and 1).
    Bool,
    /// Text (strings, or polars categoricals).
    String,
    /// Anything else (dates, lists): summarized as missing, not tested.
    Other,
}

/// The distinct finite values of a column with their counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Values {
    /// Numbers, ascending; `-0.0` is counted as `0.0`.
    Numbers { values: Vec<f64>, counts: Vec<u64> },
    /// Strings in byte order.
    Strings { values: Vec<String>, counts: Vec<u64> },
}

/// One column's exact distribution and missing count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// The column's name.
    pub name: String,
    /// Its storage class.
    pub storage: Storage,
    /// Rows in the batch.
    pub rows: u64,
    /// Rows that were null, NaN or ±infinite (Evidently drops all three before testing).
    pub missing: u64,
    /// Of those, the NaN and ±infinite ones (present for SageMaker's completeness, missing only for drift).
    pub non_finite: u64,
    /// The distinct remaining values with counts.
    pub values: Values,
}

impl ColumnSummary {
    /// Summarizes one polars column.
    pub fn from_series(series: &Series) -> Result<Self, MonitorError> {
        let name = series.name().to_string();
        let rows = series.len() as u64;
        let storage = storage_of(series.dtype());
        let err = |e: PolarsError| MonitorError::Data { column: name.clone(), message: e.to_string() };
        match storage {
            Storage::String => {
                let s = series.cast(&DataType::String).map_err(err)?;
                let ca = s.str().map_err(err)?;
                let mut map: PlHashMap<&str, u64> = PlHashMap::new();
                let mut missing = 0u64;
                for v in ca.iter() {
                    match v {
                        Some(v) => *map.entry(v).or_insert(0) += 1,
                        None => missing += 1,
                    }
                }
                let mut pairs: Vec<(&str, u64)> = map.into_iter().collect();
                pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let (values, counts) = pairs.into_iter().map(|(v, c)| (v.to_string(), c)).unzip();
                Ok(Self { name, storage, rows, missing, non_finite: 0, values: Values::Strings { values, counts } })
            }
            Storage::Other => {
                Ok(Self { name, storage, rows, missing: rows, non_finite: 0, values: Values::Numbers { values: vec![], counts: vec![] } })
            }
            _ => {
                let s = series.cast(&DataType::Float64).map_err(err)?;
                let ca = s.f64().map_err(err)?;
                let (values, counts, non_finite) = match count_hashed(ca) {
                    Some(counted) => counted,
                    None => {
                        let mut finite: Vec<f64> = Vec::with_capacity(ca.len() - ca.null_count());
                        let mut non_finite = 0u64;
                        for v in ca.iter().flatten() {
                            if v.is_finite() {
                                finite.push(if v == 0.0 { 0.0 } else { v });
                            } else {
                                non_finite += 1;
                            }
                        }
                        let (values, counts) = count_sorted(finite);
                        (values, counts, non_finite)
                    }
                };
                let missing = rows - counts.iter().sum::<u64>();
                Ok(Self { name, storage, rows, missing, non_finite, values: Values::Numbers { values, counts } })
            }
        }
    }

    /// How many non-missing values the column has.
    pub fn present(&self) -> u64 {
        self.rows - self.missing
    }

    /// How many distinct non-missing values it has.
    pub fn distinct(&self) -> usize {
        match &self.values {
            Values::Numbers { values, .. } => values.len(),
            Values::Strings { values, .. } => values.len(),
        }
    }

    /// Merges the summary of another batch of the same column (for data read in chunks).
    pub fn merge(&mut self, other: &ColumnSummary) -> Result<(), MonitorError> {
        self.rows += other.rows;
        self.missing += other.missing;
        self.non_finite += other.non_finite;
        self.values = match (&self.values, &other.values) {
            (Values::Numbers { values: a, counts: ac }, Values::Numbers { values: b, counts: bc }) => {
                let (values, counts) = merge_sorted(a, ac, b, bc, |x, y| x.total_cmp(y));
                Values::Numbers { values, counts }
            }
            (Values::Strings { values: a, counts: ac }, Values::Strings { values: b, counts: bc }) => {
                let (values, counts) = merge_sorted(a, ac, b, bc, |x, y| x.cmp(y));
                Values::Strings { values, counts }
            }
            _ => {
                return Err(MonitorError::Data {
                    column: self.name.clone(),
                    message: "one batch holds numbers and another text; give the column one type".into(),
                });
            }
        };
        Ok(())
    }
}

/// Summarizes every column of a frame, in parallel.
pub fn summarize(frame: &DataFrame) -> Result<Vec<ColumnSummary>, MonitorError> {
    use rayon::prelude::*;
    frame.columns().par_iter().map(|c| ColumnSummary::from_series(c.as_materialized_series())).collect()
}

pub(crate) fn storage_of(dtype: &DataType) -> Storage {
    match dtype {
        DataType::Float32 | DataType::Float64 => Storage::Float,
        DataType::Boolean => Storage::Bool,
        DataType::String | DataType::Categorical(..) | DataType::Enum(..) => Storage::String,
        d if d.is_integer() => Storage::Int,
        _ => Storage::Other,
    }
}

/// Distinct values a hash count may hold before [`count_hashed`] gives up: 2^20 entries are some 30 MB.
const HASHED_DISTINCT_LIMIT: usize = 1 << 20;

/// The finite values' distinct values (ascending) and counts, and the non-finite count, by hashing: several times
/// faster than sorting every row when values repeat (rounded measurements, prices, integers). `None` once the
/// column has more than [`HASHED_DISTINCT_LIMIT`] distinct values, where a map costs more memory than the sort.
fn count_hashed(ca: &Float64Chunked) -> Option<(Vec<f64>, Vec<u64>, u64)> {
    let mut map: PlHashMap<u64, u64> = PlHashMap::new();
    let mut non_finite = 0u64;
    for v in ca.iter().flatten() {
        if v.is_finite() {
            // -0.0 is counted as 0.0, as in `count_sorted`.
            *map.entry(if v == 0.0 { 0 } else { v.to_bits() }).or_insert(0) += 1;
            if map.len() > HASHED_DISTINCT_LIMIT {
                return None;
            }
        } else {
            non_finite += 1;
        }
    }
    let mut pairs: Vec<(f64, u64)> = map.into_iter().map(|(bits, c)| (f64::from_bits(bits), c)).collect();
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let (values, counts) = pairs.into_iter().unzip();
    Some((values, counts, non_finite))
}

fn count_sorted(mut v: Vec<f64>) -> (Vec<f64>, Vec<u64>) {
    v.sort_unstable_by(|a, b| a.total_cmp(b));
    let mut values = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    for x in v {
        match values.last() {
            Some(last) if *last == x => {
                if let Some(c) = counts.last_mut() {
                    *c += 1;
                }
            }
            _ => {
                values.push(x);
                counts.push(1);
            }
        }
    }
    (values, counts)
}

/// Walks two ascending key lists as one: `f` gets, for each key of their union in order, its index in
/// `a` and in `b` (None where that side lacks it).
pub(crate) fn merge_walk<T>(a: &[T], b: &[T], cmp: impl Fn(&T, &T) -> std::cmp::Ordering, mut f: impl FnMut(Option<usize>, Option<usize>)) {
    use std::cmp::Ordering::*;
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let ord = if i == a.len() {
            Greater
        } else if j == b.len() {
            Less
        } else {
            cmp(&a[i], &b[j])
        };
        match ord {
            Less => {
                f(Some(i), None);
                i += 1;
            }
            Greater => {
                f(None, Some(j));
                j += 1;
            }
            Equal => {
                f(Some(i), Some(j));
                i += 1;
                j += 1;
            }
        }
    }
}

fn merge_sorted<T: Clone>(a: &[T], ac: &[u64], b: &[T], bc: &[u64], cmp: impl Fn(&T, &T) -> std::cmp::Ordering) -> (Vec<T>, Vec<u64>) {
    let mut values = Vec::with_capacity(a.len() + b.len());
    let mut counts = Vec::with_capacity(a.len() + b.len());
    merge_walk(a, b, cmp, |i, j| {
        let value = match (i, j) {
            (Some(i), _) => &a[i],
            (None, Some(j)) => &b[j],
            (None, None) => return,
        };
        values.push(value.clone());
        counts.push(i.map_or(0, |i| ac[i]) + j.map_or(0, |j| bc[j]));
    });
    (values, counts)
}
