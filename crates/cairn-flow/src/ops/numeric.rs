//! Numeric operators: scaling (standard, min-max, robust), log, binning (quantile or equal width),
//! rounding, and outliers (clip or remove by std-dev, IQR or quantiles). Statistics are learned on the
//! fit rows and baked into the step.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Ctx, TypedOp, bad, collect, engine, need_all, need_numeric};
use crate::error::Problem;
use crate::py;

pub struct Scale;
pub struct Log;
pub struct Bin;
pub struct Round;
pub struct Outliers;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumsP<M> {
    columns: Vec<String>,
    method: M,
}

fn numeric_all(s: &Schema, columns: &[String]) -> Result<(), Problem> {
    need_all(s, "columns", columns)?;
    columns.iter().try_for_each(|c| need_numeric(s, "columns", c))
}

/// Statistics of each column on the fit rows, one query for all of them.
fn stats(rows: LazyFrame, columns: &[String], make: &dyn Fn(Expr) -> Vec<Expr>) -> Result<BTreeMap<String, Vec<f64>>, Problem> {
    let mut exprs = Vec::new();
    let mut per = 0;
    for (i, c) in columns.iter().enumerate() {
        let es = make(col(c.as_str()).cast(DataType::Float64));
        per = es.len();
        exprs.extend(es.into_iter().enumerate().map(|(j, e)| e.cast(DataType::Float64).alias(format!("__{i}_{j}"))));
    }
    let df = collect(rows.select(exprs))?;
    let mut out = BTreeMap::new();
    for (i, c) in columns.iter().enumerate() {
        let mut v = Vec::new();
        for j in 0..per {
            let s = df.column(&format!("__{i}_{j}")).and_then(|s| s.f64().cloned()).map_err(engine)?;
            v.push(s.get(0).unwrap_or(f64::NAN));
        }
        out.insert(c.clone(), v);
    }
    Ok(out)
}

fn q(e: Expr, p: f64) -> Expr {
    e.quantile(lit(p), QuantileMethod::Linear)
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum ScaleMethod {
    Standard,
    MinMax,
    Robust,
}

/// Per column: (center, scale); the result is (x - center) / scale.
#[derive(Default, Serialize, Deserialize)]
pub struct Affine {
    columns: BTreeMap<String, (f64, f64)>,
}

impl TypedOp for Scale {
    type P = NumsP<ScaleMethod>;
    type F = Affine;
    const NAME: &'static str = "scale";
    const DOC: &'static str = "(x - center) / scale learned on the fit rows: columns, method (standard|minmax|robust)";
    const FITS: bool = true;
    fn validate(p: &Self::P, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        numeric_all(s, &p.columns)
    }
    fn fit(p: &Self::P, rows: LazyFrame) -> Result<Affine, Problem> {
        let m = p.method;
        let st = stats(rows, &p.columns, &|e| match m {
            ScaleMethod::Standard => vec![e.clone().mean(), e.std(1)],
            ScaleMethod::MinMax => vec![e.clone().min(), e.max()],
            ScaleMethod::Robust => vec![e.clone().median(), q(e.clone(), 0.75), q(e, 0.25)],
        })?;
        let columns = st
            .into_iter()
            .map(|(c, v)| {
                let (center, scale) = match m {
                    ScaleMethod::Standard => (v[0], v[1]),
                    ScaleMethod::MinMax => (v[0], v[1] - v[0]),
                    ScaleMethod::Robust => (v[0], v[1] - v[2]),
                };
                // A constant column scales by 1 rather than dividing by zero.
                let scale = if scale.is_finite() && scale != 0.0 { scale } else { 1.0 };
                (c, (if center.is_finite() { center } else { 0.0 }, scale))
            })
            .collect();
        Ok(Affine { columns })
    }
    fn apply(_: &Self::P, f: &Affine, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_columns(
            f.columns
                .iter()
                .map(|(c, (m, s))| ((col(c.as_str()).cast(DataType::Float64) - lit(*m)) / lit(*s)).alias(c.as_str()))
                .collect::<Vec<_>>(),
        ))
    }
    fn python(_: &Self::P, f: &Affine, _: &Schema) -> String {
        let e: Vec<String> = f
            .columns
            .iter()
            .map(|(c, (m, s))| format!("((pl.col({0}).cast(pl.Float64) - {1}) / {2}).alias({0})", py::s(c), py::f(*m), py::f(*s)))
            .collect();
        format!("df = df.with_columns({})", e.join(", "))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogP {
    columns: Vec<String>,
    /// Added before the logarithm (1 gives log1p); values at or below -offset become missing.
    #[serde(default = "one")]
    offset: f64,
}
fn one() -> f64 {
    1.0
}

impl TypedOp for Log {
    type P = LogP;
    type F = ();
    const NAME: &'static str = "log";
    const DOC: &'static str = "natural log of (x + offset); non-positive arguments become missing: columns, offset";
    fn validate(p: &LogP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        numeric_all(s, &p.columns)
    }
    fn apply(p: &LogP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_columns(
            p.columns
                .iter()
                .map(|c| {
                    let x = col(c.as_str()).cast(DataType::Float64) + lit(p.offset);
                    when(x.clone().gt(lit(0.0)))
                        .then(x.log(lit(std::f64::consts::E)))
                        .otherwise(lit(NULL).cast(DataType::Float64))
                        .alias(c.as_str())
                })
                .collect::<Vec<_>>(),
        ))
    }
    fn python(p: &LogP, _: &(), _: &Schema) -> String {
        let e: Vec<String> = p
            .columns
            .iter()
            .map(|c| {
                let x = format!("(pl.col({}).cast(pl.Float64) + {})", py::s(c), py::f(p.offset));
                format!(
                    "pl.when({x} > 0.0).then({x}.log({})).otherwise(pl.lit(None, dtype=pl.Float64)).alias({})",
                    py::f(std::f64::consts::E),
                    py::s(c)
                )
            })
            .collect();
        format!("df = df.with_columns({})", e.join(", "))
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum BinMethod {
    Quantile,
    Width,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BinP {
    columns: Vec<String>,
    method: BinMethod,
    #[serde(default = "four")]
    bins: u32,
}
fn four() -> u32 {
    4
}

/// Per column, the inner edges; a value's bin is how many edges lie below it.
#[derive(Default, Serialize, Deserialize)]
pub struct Edges {
    columns: BTreeMap<String, Vec<f64>>,
}

impl TypedOp for Bin {
    type P = BinP;
    type F = Edges;
    const NAME: &'static str = "bin";
    const DOC: &'static str = "bin number 0..bins-1 with edges from the fit rows: columns, method (quantile|width), bins";
    const FITS: bool = true;
    fn validate(p: &BinP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        numeric_all(s, &p.columns)?;
        if !(2..=1000).contains(&p.bins) {
            return Err(bad("bins", "must be between 2 and 1000"));
        }
        Ok(())
    }
    fn fit(p: &BinP, rows: LazyFrame) -> Result<Edges, Problem> {
        let n = p.bins;
        let m = p.method;
        let st = stats(rows, &p.columns, &|e| match m {
            BinMethod::Quantile => (1..n).map(|i| q(e.clone(), f64::from(i) / f64::from(n))).collect(),
            BinMethod::Width => vec![e.clone().min(), e.max()],
        })?;
        let columns = st
            .into_iter()
            .map(|(c, v)| {
                let mut edges: Vec<f64> = match m {
                    BinMethod::Quantile => v,
                    BinMethod::Width => (1..n).map(|i| v[0] + (v[1] - v[0]) * f64::from(i) / f64::from(n)).collect(),
                };
                edges.retain(|x| x.is_finite());
                edges.dedup();
                (c, edges)
            })
            .collect();
        Ok(Edges { columns })
    }
    fn apply(_: &BinP, f: &Edges, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_columns(
            f.columns
                .iter()
                .map(|(c, edges)| {
                    let x = col(c.as_str());
                    edges
                        .iter()
                        .map(|e| x.clone().gt(lit(*e)).cast(DataType::Int64))
                        .reduce(|a, b| a + b)
                        .unwrap_or(x.clone().is_not_null().cast(DataType::Int64) * lit(0i64))
                        .alias(c.as_str())
                })
                .collect::<Vec<_>>(),
        ))
    }
    fn python(_: &BinP, f: &Edges, _: &Schema) -> String {
        let e: Vec<String> = f
            .columns
            .iter()
            .map(|(c, edges)| {
                let x = format!("pl.col({})", py::s(c));
                let sum = if edges.is_empty() {
                    format!("({x}.is_not_null().cast(pl.Int64) * pl.lit(0, dtype=pl.Int64))")
                } else {
                    edges.iter().map(|e| format!("({x} > {}).cast(pl.Int64)", py::f(*e))).collect::<Vec<_>>().join(" + ")
                };
                format!("({sum}).alias({})", py::s(c))
            })
            .collect();
        format!("df = df.with_columns({})", e.join(", "))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundP {
    columns: Vec<String>,
    #[serde(default)]
    decimals: u32,
}

impl TypedOp for Round {
    type P = RoundP;
    type F = ();
    const NAME: &'static str = "round";
    const DOC: &'static str = "round to `decimals` places (halves to even): columns, decimals";
    fn validate(p: &RoundP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        numeric_all(s, &p.columns)
    }
    fn apply(p: &RoundP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_columns(p.columns.iter().map(|c| col(c.as_str()).round(p.decimals, RoundMode::HalfToEven)).collect::<Vec<_>>()))
    }
    fn python(p: &RoundP, _: &(), _: &Schema) -> String {
        let e: Vec<String> =
            p.columns.iter().map(|c| format!("pl.col({}).round({}, mode=\"half_to_even\")", py::s(c), p.decimals)).collect();
        format!("df = df.with_columns({})", e.join(", "))
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Fence {
    /// mean ± k standard deviations.
    Std,
    /// [q1 - k·IQR, q3 + k·IQR].
    Iqr,
    /// [quantile k, quantile 1 - k].
    Quantile,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum OutlierAction {
    Clip,
    Remove,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlierP {
    columns: Vec<String>,
    method: Fence,
    /// k: 3 (std), 1.5 (iqr), 0.01 (quantile) by default.
    #[serde(default)]
    k: Option<f64>,
    action: OutlierAction,
}

impl OutlierP {
    fn k(&self) -> f64 {
        self.k.unwrap_or(match self.method {
            Fence::Std => 3.0,
            Fence::Iqr => 1.5,
            Fence::Quantile => 0.01,
        })
    }
}

/// Per column, the low and high fences.
#[derive(Default, Serialize, Deserialize)]
pub struct Fences {
    columns: BTreeMap<String, (f64, f64)>,
}

impl TypedOp for Outliers {
    type P = OutlierP;
    type F = Fences;
    const NAME: &'static str = "outliers";
    const DOC: &'static str =
        "clip to, or remove rows outside, fences from the fit rows: columns, method (std|iqr|quantile), k, action (clip|remove)";
    const FITS: bool = true;
    fn validate(p: &OutlierP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        numeric_all(s, &p.columns)?;
        let k = p.k();
        let ok = match p.method {
            Fence::Quantile => k > 0.0 && k < 0.5,
            _ => k > 0.0,
        };
        if !ok {
            return Err(bad("k", &format!("{k} is out of range for {:?}", p.method)));
        }
        Ok(())
    }
    fn fit(p: &OutlierP, rows: LazyFrame) -> Result<Fences, Problem> {
        let (m, k) = (p.method, p.k());
        let st = stats(rows, &p.columns, &|e| match m {
            Fence::Std => vec![e.clone().mean(), e.std(1)],
            Fence::Iqr => vec![q(e.clone(), 0.25), q(e, 0.75)],
            Fence::Quantile => vec![q(e.clone(), k), q(e, 1.0 - k)],
        })?;
        let columns = st
            .into_iter()
            .map(|(c, v)| {
                let f = match m {
                    Fence::Std => (v[0] - k * v[1], v[0] + k * v[1]),
                    Fence::Iqr => (v[0] - k * (v[1] - v[0]), v[1] + k * (v[1] - v[0])),
                    Fence::Quantile => (v[0], v[1]),
                };
                (c, f)
            })
            // A column without finite fences (no values in the fit rows) is left as it is; JSON cannot
            // hold NaN, so it is not stored.
            .filter(|(_, (lo, hi)): &(String, (f64, f64))| lo.is_finite() && hi.is_finite())
            .collect();
        Ok(Fences { columns })
    }
    fn apply(p: &OutlierP, f: &Fences, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let finite = f.columns.iter().filter(|(_, (lo, hi))| lo.is_finite() && hi.is_finite());
        Ok(match p.action {
            OutlierAction::Clip => lf.with_columns(
                finite
                    .map(|(c, (lo, hi))| col(c.as_str()).cast(DataType::Float64).clip(lit(*lo), lit(*hi)).alias(c.as_str()))
                    .collect::<Vec<_>>(),
            ),
            // Missing values are not outliers: they stay.
            OutlierAction::Remove => match finite
                .map(|(c, (lo, hi))| {
                    let x = col(c.as_str());
                    x.clone().is_null().or(x.clone().gt_eq(lit(*lo)).and(x.lt_eq(lit(*hi))))
                })
                .reduce(|a, b| a.and(b))
            {
                Some(keep) => lf.filter(keep),
                None => lf,
            },
        })
    }
    fn python(p: &OutlierP, f: &Fences, _: &Schema) -> String {
        let finite = f.columns.iter().filter(|(_, (lo, hi))| lo.is_finite() && hi.is_finite());
        match p.action {
            OutlierAction::Clip => {
                let e: Vec<String> = finite
                    .map(|(c, (lo, hi))| {
                        format!("pl.col({0}).cast(pl.Float64).clip({1}, {2}).alias({0})", py::s(c), py::f(*lo), py::f(*hi))
                    })
                    .collect();
                if e.is_empty() { "pass".into() } else { format!("df = df.with_columns({})", e.join(", ")) }
            }
            OutlierAction::Remove => {
                let e: Vec<String> = finite
                    .map(|(c, (lo, hi))| {
                        let x = format!("pl.col({})", py::s(c));
                        format!("({x}.is_null() | (({x} >= {}) & ({x} <= {})))", py::f(*lo), py::f(*hi))
                    })
                    .collect();
                if e.is_empty() { "pass".into() } else { format!("df = df.filter({})", e.join(" & ")) }
            }
        }
    }
}
