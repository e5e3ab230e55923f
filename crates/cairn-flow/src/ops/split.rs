//! `split`: marks rows "train" or "test" (random, stratified or by time) in a new column; later steps
//! fit on the train rows only. The order is a pseudo-random key both polars engines compute identically
//! from the row number and the seed (integer arithmetic, no engine RNG), so the exported script splits
//! exactly as Cairn does.

use polars::prelude::*;
use serde::Deserialize;

use super::{Ctx, TypedOp, bad, need, need_free};
use crate::error::Problem;
use crate::py;

/// The value marking training rows.
pub const TRAIN: &str = "train";
const ROW: &str = "__cairn_row";
const KEY: &str = "__cairn_key";
const PRIME: u64 = 4_294_967_291; // the largest prime below 2^32: products of two residues fit in u64
const MULT: u64 = 2_654_435_761; // Knuth's multiplicative constant

pub struct Split;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum SplitKind {
    Random,
    Stratified,
    Time,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitP {
    #[serde(default = "random")]
    kind: SplitKind,
    #[serde(default = "fifth")]
    test_fraction: f64,
    #[serde(default = "seed")]
    seed: u32,
    /// The column whose classes keep their share in both parts (stratified).
    #[serde(default)]
    stratify: Option<String>,
    /// The time column; the latest rows are the test rows (time).
    #[serde(default)]
    time_column: Option<String>,
    /// The new column holding "train"/"test".
    #[serde(default = "split_name")]
    column: String,
}
fn random() -> SplitKind {
    SplitKind::Random
}
fn fifth() -> f64 {
    0.2
}
fn seed() -> u32 {
    42
}
fn split_name() -> String {
    "split".into()
}

/// Parts per million of a fraction, so the row counts are integer arithmetic in both engines.
fn ppm(fraction: f64) -> u64 {
    (fraction * 1e6).round() as u64
}

/// The key columns' expressions: a row number, then a unique pseudo-random u64 per row.
pub(crate) fn key_exprs(seed: u32) -> Expr {
    let r = col(ROW).cast(DataType::UInt64);
    let h1 = ((r.clone() + lit(u64::from(seed) + 1)) * lit(MULT)) % lit(PRIME);
    let h2 = (h1.clone() * h1) % lit(PRIME);
    let h3 = (h2 * lit(MULT)) % lit(PRIME);
    (h3 * lit(1u64 << 32) + r).alias(KEY)
}

pub(crate) fn key_python(seed: u32) -> String {
    let u = |x: u64| format!("pl.lit({x}, dtype=pl.UInt64)");
    let r = format!("pl.col(\"{ROW}\").cast(pl.UInt64)");
    format!(
        "h1 = (({r} + {}) * {}) % {p}\nh2 = (h1 * h1) % {p}\nh3 = (h2 * {}) % {p}\ndf = df.with_row_index(\"{ROW}\").with_columns((h3 * {} + {r}).alias(\"{KEY}\"))",
        u(u64::from(seed) + 1),
        u(MULT),
        u(MULT),
        u(1u64 << 32),
        p = u(PRIME),
    )
}

/// True for the rows in the chosen fraction: the first `fraction` of each group in key order.
pub(crate) fn chosen(fraction: f64, by: Option<&str>) -> Result<Expr, Problem> {
    let rank = col(KEY).rank(RankOptions { method: RankMethod::Ordinal, descending: false }, None);
    let n = len().cast(DataType::UInt64);
    let (rank, n) = match by {
        Some(b) => (rank.over([col(b)]).map_err(super::engine)?, n.over([col(b)]).map_err(super::engine)?),
        None => (rank, n),
    };
    let k = (n * lit(ppm(fraction)) + lit(500_000u64)).floor_div(lit(1_000_000u64));
    Ok(rank.cast(DataType::UInt64).lt_eq(k))
}

pub(crate) fn chosen_python(fraction: f64, by: Option<&str>) -> String {
    let over = by.map(|b| format!(".over({})", py::s(b))).unwrap_or_default();
    format!(
        "(pl.col(\"{KEY}\").rank(\"ordinal\"){over}.cast(pl.UInt64) <= ((pl.len().cast(pl.UInt64){over} * pl.lit({}, dtype=pl.UInt64) + pl.lit(500000, dtype=pl.UInt64)) // pl.lit(1000000, dtype=pl.UInt64)))",
        ppm(fraction)
    )
}

pub(crate) fn with_key(lf: LazyFrame, seed: u32) -> LazyFrame {
    lf.with_row_index(ROW, None).with_column(key_exprs(seed))
}

pub(crate) fn drop_key(lf: LazyFrame) -> LazyFrame {
    lf.drop(cols([ROW, KEY]))
}

pub(crate) const DROP_KEY_PY: &str = "df = df.drop([\"__cairn_row\", \"__cairn_key\"])";

pub(crate) fn fraction_ok(param: &str, f: f64) -> Result<(), Problem> {
    if f > 0.0 && f < 1.0 { Ok(()) } else { Err(bad(param, &format!("{f} is not between 0 and 1"))) }
}

impl TypedOp for Split {
    type P = SplitP;
    type F = ();
    const NAME: &'static str = "split";
    const DOC: &'static str = "mark rows train/test: kind (random|stratified|time), test_fraction, seed, stratify, time_column, column";
    fn validate(p: &SplitP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        fraction_ok("test_fraction", p.test_fraction)?;
        need_free(s, "column", &p.column)?;
        match p.kind {
            SplitKind::Stratified => {
                need(s, "stratify", p.stratify.as_deref().ok_or_else(|| bad("stratify", "a stratified split needs a column"))?)?;
            }
            SplitKind::Time => {
                let t = p.time_column.as_deref().ok_or_else(|| bad("time_column", "a time split needs a column"))?;
                let dt = need(s, "time_column", t)?;
                if !(dt.is_temporal() || dt.is_primitive_numeric()) {
                    return Err(bad("time_column", &format!("{t:?} is {dt}; it must hold dates, times or numbers")));
                }
            }
            SplitKind::Random => {}
        }
        Ok(())
    }
    fn apply(p: &SplitP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let test = match p.kind {
            SplitKind::Time => {
                // The latest rows by time (ties in file order) are the test rows; missing times train.
                let t = p.time_column.as_deref().unwrap_or_default();
                let rank = col(t).rank(RankOptions { method: RankMethod::Ordinal, descending: true }, None);
                let k = (len().cast(DataType::UInt64) * lit(ppm(p.test_fraction)) + lit(500_000u64)).floor_div(lit(1_000_000u64));
                rank.cast(DataType::UInt64).lt_eq(k).fill_null(lit(false))
            }
            _ => chosen(p.test_fraction, p.stratify.as_deref().filter(|_| p.kind == SplitKind::Stratified))?,
        };
        let mark = when(test).then(lit("test")).otherwise(lit(TRAIN)).alias(p.column.as_str());
        Ok(match p.kind {
            SplitKind::Time => lf.with_column(mark),
            _ => drop_key(with_key(lf, p.seed).with_column(mark)),
        })
    }
    fn python(p: &SplitP, _: &(), _: &Schema) -> String {
        let mark = |test: String| {
            format!("df = df.with_columns(pl.when({test}).then(pl.lit(\"test\")).otherwise(pl.lit(\"train\")).alias({}))", py::s(&p.column))
        };
        match p.kind {
            SplitKind::Time => {
                let t = py::s(p.time_column.as_deref().unwrap_or_default());
                mark(format!(
                    "(pl.col({t}).rank(\"ordinal\", descending=True).cast(pl.UInt64) <= ((pl.len().cast(pl.UInt64) * pl.lit({}, dtype=pl.UInt64) + pl.lit(500000, dtype=pl.UInt64)) // pl.lit(1000000, dtype=pl.UInt64))).fill_null(False)",
                    ppm(p.test_fraction)
                ))
            }
            _ => {
                let by = p.stratify.as_deref().filter(|_| p.kind == SplitKind::Stratified);
                format!("{}\n{}\n{DROP_KEY_PY}", key_python(p.seed), mark(chosen_python(p.test_fraction, by)))
            }
        }
    }
    fn split_column(p: &SplitP) -> Option<String> {
        Some(p.column.clone())
    }
}
