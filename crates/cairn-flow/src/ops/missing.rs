//! Missing values: drop rows, fill (constant, or mean/median/mode learned on the fit rows),
//! forward/backward fill, indicator columns.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::cond::json_lit;
use super::{Ctx, TypedOp, bad, collect, engine, need, need_all, need_free, need_numeric};
use crate::error::Problem;
use crate::py;

pub struct MarkMissing;
pub struct DropMissing;
pub struct FillMissing;
pub struct FillForward;
pub struct FillBackward;
pub struct MissingIndicator;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsP {
    /// All columns when empty (drop_missing only).
    #[serde(default)]
    columns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkP {
    /// Text values that mean "missing", e.g. "?" or "N/A".
    values: Vec<String>,
    /// Text columns to look in; every text column when empty.
    #[serde(default)]
    columns: Vec<String>,
}

impl MarkP {
    fn targets(&self, s: &Schema) -> Vec<String> {
        if !self.columns.is_empty() {
            return self.columns.clone();
        }
        s.iter().filter(|(_, t)| **t == DataType::String).map(|(n, _)| n.to_string()).collect()
    }
}

impl TypedOp for MarkMissing {
    type P = MarkP;
    type F = ();
    const NAME: &'static str = "mark_missing";
    const DOC: &'static str = "treat these text values as missing: values, columns (every text column when empty)";
    fn validate(p: &MarkP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        if p.values.is_empty() {
            return Err(bad("values", "names no value"));
        }
        p.columns.iter().try_for_each(|c| super::need_text(s, "columns", c))
    }
    fn apply(p: &MarkP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let mut lf = lf;
        let s = lf.collect_schema().map_err(engine)?;
        let exprs: Vec<Expr> = p
            .targets(&s)
            .iter()
            .map(|c| {
                let hit = p.values.iter().map(|v| col(c.as_str()).eq(lit(v.as_str()))).reduce(|a, b| a.or(b)).unwrap_or(lit(false));
                when(hit).then(lit(NULL).cast(DataType::String)).otherwise(col(c.as_str())).alias(c.as_str())
            })
            .collect();
        Ok(if exprs.is_empty() { lf } else { lf.with_columns(exprs) })
    }
    fn python(p: &MarkP, _: &(), s: &Schema) -> String {
        let exprs: Vec<String> = p
            .targets(s)
            .iter()
            .map(|c| {
                let e = format!("pl.col({})", py::s(c));
                format!("pl.when({e}.is_in({})).then(None).otherwise({e}).alias({})", py::strs(&p.values), py::s(c))
            })
            .collect();
        if exprs.is_empty() { "pass".into() } else { format!("df = df.with_columns({})", exprs.join(", ")) }
    }
}

impl TypedOp for DropMissing {
    type P = ColumnsP;
    type F = ();
    const NAME: &'static str = "drop_missing";
    const DOC: &'static str = "drop rows with a missing value in these columns (any column when empty): columns";
    fn validate(p: &ColumnsP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        p.columns.iter().try_for_each(|c| need(s, "columns", c).map(|_| ()))
    }
    fn apply(p: &ColumnsP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.drop_nulls((!p.columns.is_empty()).then(|| cols(p.columns.clone()))))
    }
    fn python(p: &ColumnsP, _: &(), _: &Schema) -> String {
        let subset = if p.columns.is_empty() { "None".into() } else { py::strs(&p.columns) };
        format!("df = df.drop_nulls(subset={subset})")
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    Constant,
    Mean,
    Median,
    Mode,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillP {
    columns: Vec<String>,
    strategy: Strategy,
    /// The constant (strategy "constant").
    #[serde(default)]
    value: Value,
}

/// The value learned per column.
#[derive(Default, Serialize, Deserialize)]
pub struct FillF {
    values: BTreeMap<String, Value>,
}

impl FillP {
    fn value_for<'a>(&'a self, f: &'a FillF, c: &str) -> &'a Value {
        match self.strategy {
            Strategy::Constant => &self.value,
            _ => f.values.get(c).unwrap_or(&Value::Null),
        }
    }
}

impl TypedOp for FillMissing {
    type P = FillP;
    type F = FillF;
    const NAME: &'static str = "fill_missing";
    const DOC: &'static str = "fill missing values: columns, strategy (constant|mean|median|mode), value";
    const FITS: bool = true;
    fn validate(p: &FillP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "columns", &p.columns)?;
        for c in &p.columns {
            let dt = need(s, "columns", c)?;
            match p.strategy {
                Strategy::Mean | Strategy::Median => need_numeric(s, "columns", c)?,
                Strategy::Constant => {
                    let ok = match &p.value {
                        Value::Number(_) => dt.is_primitive_numeric(),
                        Value::String(_) => dt == DataType::String,
                        Value::Bool(_) => dt == DataType::Boolean,
                        _ => false,
                    };
                    if !ok {
                        return Err(bad("value", &format!("{} cannot fill column {c:?}, which is {dt}", p.value)));
                    }
                }
                Strategy::Mode => {}
            }
        }
        Ok(())
    }
    fn fit(p: &FillP, rows: LazyFrame) -> Result<FillF, Problem> {
        let mut values = BTreeMap::new();
        if p.strategy == Strategy::Constant {
            return Ok(FillF { values });
        }
        for c in &p.columns {
            let e = col(c.as_str());
            let v = match p.strategy {
                Strategy::Mean => scalar(rows.clone().select([e.mean()]))?,
                Strategy::Median => scalar(rows.clone().select([e.median()]))?,
                // The most frequent value; ties go to the smallest, so the choice is stable.
                _ => scalar(
                    rows.clone()
                        .filter(e.clone().is_not_null())
                        .group_by([e.clone()])
                        .agg([len().alias("__n")])
                        .sort_by_exprs([col("__n"), e.clone()], SortMultipleOptions::default().with_order_descending_multi([true, false]))
                        .select([e])
                        .limit(1),
                )?,
            };
            values.insert(c.clone(), v);
        }
        Ok(FillF { values })
    }
    fn apply(p: &FillP, f: &FillF, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let mut lf = lf;
        let s = lf.collect_schema().map_err(engine)?;
        let exprs: Vec<Expr> = p
            .columns
            .iter()
            .map(|c| {
                let v = p.value_for(f, c);
                let e = col(c.as_str());
                // Means and medians are fractional: the column becomes Float64, as in pandas and sklearn.
                match (p.strategy, s.get(c)) {
                    (Strategy::Mean | Strategy::Median, _) => e.cast(DataType::Float64).fill_null(json_lit(v)),
                    (_, Some(dt)) if !v.is_null() => e.fill_null(json_lit(v).cast(dt.clone())),
                    _ => e,
                }
            })
            .collect();
        Ok(lf.with_columns(exprs))
    }
    fn python(p: &FillP, f: &FillF, s: &Schema) -> String {
        let exprs: Vec<String> = p
            .columns
            .iter()
            .map(|c| {
                let v = p.value_for(f, c);
                let e = format!("pl.col({})", py::s(c));
                match (p.strategy, s.get(c)) {
                    (Strategy::Mean | Strategy::Median, _) => format!("{e}.cast(pl.Float64).fill_null({})", lit_py(v)),
                    (_, Some(dt)) if !v.is_null() => format!("{e}.fill_null({}.cast({}))", lit_py(v), py::dtype(dt)),
                    _ => e,
                }
            })
            .collect();
        format!("df = df.with_columns({})", exprs.join(", "))
    }
}

/// A JSON scalar as Python polars literal typed like `json_lit` (integers Int64, numbers Float64).
pub(crate) fn lit_py(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_i64() => format!("pl.lit({}, dtype=pl.Int64)", py::v(v)),
        Value::Number(_) => format!("pl.lit({}, dtype=pl.Float64)", py::v(v)),
        Value::Null => "pl.lit(None)".into(),
        _ => format!("pl.lit({})", py::v(v)),
    }
}

/// The single value of a one-cell query as JSON (null when there are no rows).
pub(crate) fn scalar(lf: LazyFrame) -> Result<Value, Problem> {
    let df = collect(lf)?;
    let Some(c) = df.columns().first() else { return Ok(Value::Null) };
    if c.is_empty() {
        return Ok(Value::Null);
    }
    Ok(any_json(c.get(0).map_err(engine)?))
}

/// A polars value as JSON: integers stay integers, floats keep every bit.
pub(crate) fn any_json(v: AnyValue) -> Value {
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(b),
        AnyValue::String(s) => Value::String(s.into()),
        AnyValue::StringOwned(s) => Value::String(s.to_string()),
        AnyValue::Float32(x) => serde_json::Number::from_f64(f64::from(x)).map_or(Value::Null, Value::Number),
        AnyValue::Float64(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        other => match other.extract::<i64>() {
            Some(i) if other.is_integer() => Value::from(i),
            _ => Value::String(other.to_string()),
        },
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirP {
    columns: Vec<String>,
    /// Fill at most this many missing values in a row.
    #[serde(default)]
    limit: Option<u32>,
}

fn dir_validate(p: &DirP, s: &Schema) -> Result<(), Problem> {
    need_all(s, "columns", &p.columns)
}

fn dir_py(p: &DirP, method: &str) -> String {
    let limit = p.limit.map_or("None".into(), |l| l.to_string());
    let exprs: Vec<String> =
        p.columns.iter().map(|c| format!("pl.col({}).fill_null(strategy=\"{method}\", limit={limit})", py::s(c))).collect();
    format!("df = df.with_columns({})", exprs.join(", "))
}

fn dir_apply(p: &DirP, lf: LazyFrame, forward: bool) -> LazyFrame {
    let strategy = if forward {
        FillNullStrategy::Forward(p.limit.map(|l| l as IdxSize))
    } else {
        FillNullStrategy::Backward(p.limit.map(|l| l as IdxSize))
    };
    lf.with_columns(p.columns.iter().map(|c| col(c.as_str()).fill_null_with_strategy(strategy)).collect::<Vec<_>>())
}

impl TypedOp for FillForward {
    type P = DirP;
    type F = ();
    const NAME: &'static str = "fill_forward";
    const DOC: &'static str = "fill missing values with the last value above: columns, limit";
    fn validate(p: &DirP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        dir_validate(p, s)
    }
    fn apply(p: &DirP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(dir_apply(p, lf, true))
    }
    fn python(p: &DirP, _: &(), _: &Schema) -> String {
        dir_py(p, "forward")
    }
}

impl TypedOp for FillBackward {
    type P = DirP;
    type F = ();
    const NAME: &'static str = "fill_backward";
    const DOC: &'static str = "fill missing values with the next value below: columns, limit";
    fn validate(p: &DirP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        dir_validate(p, s)
    }
    fn apply(p: &DirP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(dir_apply(p, lf, false))
    }
    fn python(p: &DirP, _: &(), _: &Schema) -> String {
        dir_py(p, "backward")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorP {
    columns: Vec<String>,
    #[serde(default = "suffix")]
    suffix: String,
}
fn suffix() -> String {
    "_missing".into()
}

impl TypedOp for MissingIndicator {
    type P = IndicatorP;
    type F = ();
    const NAME: &'static str = "missing_indicator";
    const DOC: &'static str = "add a 0/1 column per column saying the value is missing: columns, suffix";
    fn validate(p: &IndicatorP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "columns", &p.columns)?;
        p.columns.iter().try_for_each(|c| need_free(s, "suffix", &format!("{c}{}", p.suffix)))
    }
    fn apply(p: &IndicatorP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_columns(
            p.columns.iter().map(|c| col(c.as_str()).is_null().cast(DataType::Int8).alias(format!("{c}{}", p.suffix))).collect::<Vec<_>>(),
        ))
    }
    fn python(p: &IndicatorP, _: &(), _: &Schema) -> String {
        let exprs: Vec<String> = p
            .columns
            .iter()
            .map(|c| format!("pl.col({}).is_null().cast(pl.Int8).alias({})", py::s(c), py::s(&format!("{c}{}", p.suffix))))
            .collect();
        format!("df = df.with_columns({})", exprs.join(", "))
    }
}
