//! Categorical encodings, all learned on the fit rows and reused as-is on new data: one-hot, ordinal,
//! frequency, target (smoothed mean) encoding, and grouping rare categories.

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::missing::any_json;
use super::{Ctx, TypedOp, bad, collect, engine, need, need_free, need_numeric};
use crate::error::Problem;
use crate::py;

pub struct OneHot;
pub struct Ordinal;
pub struct Frequency;
pub struct RareGroup;
pub struct TargetEncode;

/// Each category of the fit rows with its count, most frequent first (ties: smallest value first).
fn counts(rows: LazyFrame, c: &str) -> Result<(Vec<Value>, Vec<u64>), Problem> {
    let e = col(c);
    let df = collect(
        rows.filter(e.clone().is_not_null())
            .group_by([e.clone()])
            .agg([len().cast(DataType::UInt64).alias("__n")])
            .sort_by_exprs([col("__n"), e], SortMultipleOptions::default().with_order_descending_multi([true, false])),
    )?;
    let v = df.column(c).map_err(engine)?;
    let n = df.column("__n").and_then(|s| s.u64().cloned()).map_err(engine)?;
    let values = (0..df.height()).map(|i| v.get(i).map(any_json).unwrap_or(Value::Null)).collect();
    Ok((values, (0..n.len()).map(|i| n.get(i).unwrap_or(0)).collect()))
}

/// Sorts category values (numbers numerically, text by code point) so fitted lists are stable.
fn sorted(mut v: Vec<Value>) -> Vec<Value> {
    v.sort_by(|a, b| match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a.as_str().unwrap_or_default().cmp(b.as_str().unwrap_or_default()),
    });
    v
}

/// A literal Series of category values in the column's type.
fn series(values: &[Value], dt: &DataType) -> Result<Series, Problem> {
    let s = if *dt == DataType::String {
        Series::new("".into(), values.iter().map(|v| v.as_str().map(str::to_owned)).collect::<Vec<_>>())
    } else if *dt == DataType::Boolean {
        Series::new("".into(), values.iter().map(Value::as_bool).collect::<Vec<_>>())
    } else if dt.is_integer() {
        Series::new("".into(), values.iter().map(Value::as_i64).collect::<Vec<_>>())
    } else {
        Series::new("".into(), values.iter().map(Value::as_f64).collect::<Vec<_>>())
    };
    s.cast(dt).map_err(engine)
}

fn series_py(values: &[Value], dt: &DataType) -> String {
    format!("pl.Series([{}], dtype={})", values.iter().map(py::v).collect::<Vec<_>>().join(", "), py::dtype(dt))
}

fn f64_series(values: &[f64]) -> Series {
    Series::new("".into(), values.to_vec())
}

fn f64s_py(values: &[f64]) -> String {
    format!("pl.Series([{}], dtype=pl.Float64)", values.iter().map(|x| py::f(*x)).collect::<Vec<_>>().join(", "))
}

/// A category value in a column name: text as is, numbers as written.
fn label(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn dtype_of(lf: &LazyFrame, c: &str) -> Result<DataType, Problem> {
    let s = lf.clone().collect_schema().map_err(engine)?;
    need(&s, "column", c)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneHotP {
    column: String,
    /// At most this many indicator columns (the most frequent categories).
    #[serde(default = "fifty")]
    max_categories: usize,
    #[serde(default = "yes")]
    drop_original: bool,
}
fn fifty() -> usize {
    50
}
fn yes() -> bool {
    true
}

#[derive(Default, Serialize, Deserialize)]
pub struct Categories {
    categories: Vec<Value>,
}

impl TypedOp for OneHot {
    type P = OneHotP;
    type F = Categories;
    const NAME: &'static str = "one_hot";
    const DOC: &'static str = "a 0/1 column per category seen in the fit rows: column, max_categories, drop_original";
    const FITS: bool = true;
    fn validate(p: &OneHotP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        let dt = need(s, "column", &p.column)?;
        if dt.is_float() || dt.is_temporal() {
            return Err(Problem::ColumnType {
                column: p.column.clone(),
                found: dt.to_string(),
                expected: "one-hot needs text, integers or booleans (bin numbers first)".into(),
            });
        }
        if p.max_categories == 0 {
            return Err(bad("max_categories", "must be at least 1"));
        }
        Ok(())
    }
    fn fit(p: &OneHotP, rows: LazyFrame) -> Result<Categories, Problem> {
        let (values, _) = counts(rows, &p.column)?;
        Ok(Categories { categories: sorted(values.into_iter().take(p.max_categories).collect()) })
    }
    fn apply(p: &OneHotP, f: &Categories, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let dt = dtype_of(&lf, &p.column)?;
        let exprs: Vec<Expr> = f
            .categories
            .iter()
            .map(|v| {
                let value = super::cond::json_lit(v).cast(dt.clone());
                col(p.column.as_str()).eq(value).fill_null(lit(false)).cast(DataType::UInt8).alias(format!("{}_{}", p.column, label(v)))
            })
            .collect();
        let lf = lf.with_columns(exprs);
        Ok(if p.drop_original { lf.drop(cols([p.column.as_str()])) } else { lf })
    }
    fn python(p: &OneHotP, f: &Categories, s: &Schema) -> String {
        let dt = s.get(&p.column).cloned().unwrap_or(DataType::String);
        let c = py::s(&p.column);
        let exprs: Vec<String> = f
            .categories
            .iter()
            .map(|v| {
                format!(
                    "(pl.col({c}) == pl.lit({}).cast({})).fill_null(False).cast(pl.UInt8).alias({})",
                    py::v(v),
                    py::dtype(&dt),
                    py::s(&format!("{}_{}", p.column, label(v)))
                )
            })
            .collect();
        let mut out = format!("df = df.with_columns([{}])", exprs.join(", "));
        if p.drop_original {
            out.push_str(&format!("\ndf = df.drop([{c}])"));
        }
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapP {
    column: String,
    /// The encoded column's name (the column itself when empty).
    #[serde(default)]
    name: Option<String>,
    /// Ordinal only: the categories in order (learned, sorted, when empty).
    #[serde(default)]
    order: Vec<Value>,
}

impl MapP {
    fn out(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.column)
    }
    fn validate(&self, s: &Schema) -> Result<DataType, Problem> {
        let dt = need(s, "column", &self.column)?;
        if let Some(n) = &self.name {
            need_free(s, "name", n)?;
        }
        Ok(dt)
    }
}

/// Values mapped to numbers; anything else gets `default`.
#[derive(Default, Serialize, Deserialize)]
pub struct ValueMap {
    values: Vec<Value>,
    codes: Vec<f64>,
    default: Option<f64>,
}

fn map_apply(p: &MapP, f: &ValueMap, lf: LazyFrame, out: DataType) -> Result<LazyFrame, Problem> {
    let dt = dtype_of(&lf, &p.column)?;
    let old = lit(series(&f.values, &dt)?);
    let new = lit(f64_series(&f.codes).cast(&out).map_err(engine)?);
    let default = Some(match f.default {
        Some(d) => lit(d).cast(out.clone()),
        None => lit(NULL).cast(out.clone()),
    });
    Ok(lf.with_column(col(p.column.as_str()).replace_strict(old, new, default, Some(out)).alias(p.out())))
}

fn map_python(p: &MapP, f: &ValueMap, s: &Schema, out: &str) -> String {
    let dt = s.get(&p.column).cloned().unwrap_or(DataType::String);
    let default = f.default.map_or("None".into(), py::f);
    format!(
        "df = df.with_columns(pl.col({}).replace_strict({}, {}.cast({out}), default=pl.lit({default}, dtype={out}), return_dtype={out}).alias({}))",
        py::s(&p.column),
        series_py(&f.values, &dt),
        f64s_py(&f.codes),
        py::s(p.out())
    )
}

impl TypedOp for Ordinal {
    type P = MapP;
    type F = ValueMap;
    const NAME: &'static str = "ordinal_encode";
    const DOC: &'static str = "categories to 0, 1, 2 … in the given or sorted order (unseen: missing): column, order, name";
    const FITS: bool = true;
    fn validate(p: &MapP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        p.validate(s).map(|_| ())
    }
    fn fit(p: &MapP, rows: LazyFrame) -> Result<ValueMap, Problem> {
        let values = if p.order.is_empty() { sorted(counts(rows, &p.column)?.0) } else { p.order.clone() };
        let codes = (0..values.len()).map(|i| i as f64).collect();
        Ok(ValueMap { values, codes, default: None })
    }
    fn apply(p: &MapP, f: &ValueMap, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        map_apply(p, f, lf, DataType::Int64)
    }
    fn python(p: &MapP, f: &ValueMap, s: &Schema) -> String {
        map_python(p, f, s, "pl.Int64")
    }
}

impl TypedOp for Frequency {
    type P = MapP;
    type F = ValueMap;
    const NAME: &'static str = "frequency_encode";
    const DOC: &'static str = "categories to their share of the fit rows (unseen: 0): column, name";
    const FITS: bool = true;
    fn validate(p: &MapP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        p.validate(s).map(|_| ())
    }
    fn fit(p: &MapP, rows: LazyFrame) -> Result<ValueMap, Problem> {
        let (values, n) = counts(rows, &p.column)?;
        let total: u64 = n.iter().sum::<u64>().max(1);
        Ok(ValueMap { values, codes: n.iter().map(|x| *x as f64 / total as f64).collect(), default: Some(0.0) })
    }
    fn apply(p: &MapP, f: &ValueMap, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        map_apply(p, f, lf, DataType::Float64)
    }
    fn python(p: &MapP, f: &ValueMap, s: &Schema) -> String {
        map_python(p, f, s, "pl.Float64")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetP {
    column: String,
    /// A numeric or boolean target.
    target: String,
    /// Pulls small categories towards the overall mean (pseudo-count).
    #[serde(default = "ten")]
    smoothing: f64,
    #[serde(default)]
    name: Option<String>,
}
fn ten() -> f64 {
    10.0
}

impl TypedOp for TargetEncode {
    type P = TargetP;
    type F = ValueMap;
    const NAME: &'static str = "target_encode";
    const DOC: &'static str =
        "categories to the smoothed mean of the target on the fit rows (train only; unseen: overall mean): column, target, smoothing, name";
    const FITS: bool = true;
    fn validate(p: &TargetP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need(s, "column", &p.column)?;
        if need(s, "target", &p.target)? != DataType::Boolean {
            need_numeric(s, "target", &p.target)?;
        }
        if let Some(n) = &p.name {
            need_free(s, "name", n)?;
        }
        // Written so that NaN is refused too.
        if !matches!(p.smoothing.partial_cmp(&0.0), Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)) {
            return Err(bad("smoothing", "must be 0 or more"));
        }
        Ok(())
    }
    fn fit(p: &TargetP, rows: LazyFrame) -> Result<ValueMap, Problem> {
        let y = col(p.target.as_str()).cast(DataType::Float64);
        let rows = rows.filter(y.clone().is_not_null());
        let prior = super::missing::scalar(rows.clone().select([y.clone().mean()]))?.as_f64().unwrap_or(0.0);
        let e = col(p.column.as_str());
        let df = collect(
            rows.filter(e.clone().is_not_null())
                .group_by([e.clone()])
                .agg([y.clone().sum().alias("__s"), len().cast(DataType::Float64).alias("__n")])
                .sort([p.column.as_str()], SortMultipleOptions::default()),
        )?;
        let v = df.column(&p.column).map_err(engine)?;
        let sum = df.column("__s").and_then(|s| s.f64().cloned()).map_err(engine)?;
        let n = df.column("__n").and_then(|s| s.f64().cloned()).map_err(engine)?;
        let mut values = Vec::new();
        let mut codes = Vec::new();
        for i in 0..df.height() {
            values.push(v.get(i).map(any_json).unwrap_or(Value::Null));
            let (s, n) = (sum.get(i).unwrap_or(0.0), n.get(i).unwrap_or(0.0));
            codes.push((s + p.smoothing * prior) / (n + p.smoothing));
        }
        Ok(ValueMap { values, codes, default: Some(prior) })
    }
    fn apply(p: &TargetP, f: &ValueMap, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let m = MapP { column: p.column.clone(), name: p.name.clone(), order: vec![] };
        map_apply(&m, f, lf, DataType::Float64)
    }
    fn python(p: &TargetP, f: &ValueMap, s: &Schema) -> String {
        let m = MapP { column: p.column.clone(), name: p.name.clone(), order: vec![] };
        map_python(&m, f, s, "pl.Float64")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RareP {
    column: String,
    /// Categories with a smaller share of the fit rows are grouped.
    #[serde(default = "one_percent")]
    min_share: f64,
    #[serde(default = "other")]
    other: String,
}
fn one_percent() -> f64 {
    0.01
}
fn other() -> String {
    "Other".into()
}

#[derive(Default, Serialize, Deserialize)]
pub struct Kept {
    keep: Vec<Value>,
}

impl TypedOp for RareGroup {
    type P = RareP;
    type F = Kept;
    const NAME: &'static str = "group_rare";
    const DOC: &'static str = "replace text categories rarer than min_share in the fit rows by `other`: column, min_share, other";
    const FITS: bool = true;
    fn validate(p: &RareP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        super::need_text(s, "column", &p.column)?;
        if !(0.0..1.0).contains(&p.min_share) {
            return Err(bad("min_share", "must be between 0 and 1"));
        }
        Ok(())
    }
    fn fit(p: &RareP, rows: LazyFrame) -> Result<Kept, Problem> {
        let (values, n) = counts(rows, &p.column)?;
        let total = n.iter().sum::<u64>().max(1) as f64;
        let keep = values.into_iter().zip(n).filter(|(_, n)| *n as f64 / total >= p.min_share).map(|(v, _)| v);
        Ok(Kept { keep: sorted(keep.collect()) })
    }
    fn apply(p: &RareP, f: &Kept, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let keep = lit(series(&f.keep, &DataType::String)?);
        let c = col(p.column.as_str());
        Ok(lf.with_column(
            when(c.clone().is_null())
                .then(lit(NULL).cast(DataType::String))
                .otherwise(c.replace_strict(keep.clone(), keep, Some(lit(p.other.clone())), Some(DataType::String)))
                .alias(p.column.as_str()),
        ))
    }
    fn python(p: &RareP, f: &Kept, _: &Schema) -> String {
        let keep = series_py(&f.keep, &DataType::String);
        let c = format!("pl.col({})", py::s(&p.column));
        format!(
            "df = df.with_columns(pl.when({c}.is_null()).then(pl.lit(None, dtype=pl.String)).otherwise({c}.replace_strict({keep}, {keep}, default=pl.lit({}), return_dtype=pl.String)).alias({}))",
            py::s(&p.other),
            py::s(&p.column)
        )
    }
}
