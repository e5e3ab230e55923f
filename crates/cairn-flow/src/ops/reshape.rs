//! Reshaping: pivot (long to wide; the new columns are the values seen in the fit rows, so new data
//! gets the same columns) and unpivot (wide to long).

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::missing::any_json;
use super::{Ctx, TypedOp, bad, collect, engine, need, need_all};
use crate::error::Problem;
use crate::py;

pub struct Pivot;
pub struct Unpivot;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum PivotAgg {
    First,
    Sum,
    Mean,
    Min,
    Max,
    Count,
}

impl PivotAgg {
    fn name(self) -> &'static str {
        match self {
            PivotAgg::First => "first",
            PivotAgg::Sum => "sum",
            PivotAgg::Mean => "mean",
            PivotAgg::Min => "min",
            PivotAgg::Max => "max",
            PivotAgg::Count => "count",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PivotP {
    /// One output row per distinct combination of these.
    index: Vec<String>,
    /// Its values become columns.
    on: String,
    /// The values in the new columns.
    values: String,
    #[serde(default = "first")]
    agg: PivotAgg,
    /// At most this many new columns.
    #[serde(default = "hundred")]
    max_columns: usize,
}
fn first() -> PivotAgg {
    PivotAgg::First
}
fn hundred() -> usize {
    100
}

/// The `on` values seen in the fit rows, sorted.
#[derive(Default, Serialize, Deserialize)]
pub struct OnValues {
    values: Vec<Value>,
}

fn label(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl TypedOp for Pivot {
    type P = PivotP;
    type F = OnValues;
    const NAME: &'static str = "pivot";
    const DOC: &'static str =
        "long to wide: a column per `on` value seen in the fit rows: index, on, values, agg (first|sum|mean|min|max|count), max_columns";
    const FITS: bool = true;
    fn validate(p: &PivotP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "index", &p.index)?;
        let dt = need(s, "on", &p.on)?;
        if dt.is_float() {
            return Err(bad("on", &format!("{:?} holds floats; pivot on text, integers or dates", p.on)));
        }
        let vt = need(s, "values", &p.values)?;
        if matches!(p.agg, PivotAgg::Sum | PivotAgg::Mean) && !vt.is_primitive_numeric() {
            return Err(bad("agg", &format!("{} needs numbers; {:?} is {vt}", p.agg.name(), p.values)));
        }
        Ok(())
    }
    fn fit(p: &PivotP, rows: LazyFrame) -> Result<OnValues, Problem> {
        let e = col(p.on.as_str());
        let df = collect(
            rows.select([e.clone()])
                .filter(e.clone().is_not_null())
                .unique(None, UniqueKeepStrategy::Any)
                .sort([p.on.as_str()], SortMultipleOptions::default()),
        )?;
        let c = df.column(&p.on).map_err(engine)?;
        if df.height() > p.max_columns {
            return Err(bad("on", &format!("{:?} has {} distinct values, more than max_columns ({})", p.on, df.height(), p.max_columns)));
        }
        Ok(OnValues { values: (0..df.height()).map(|i| c.get(i).map(any_json).unwrap_or(Value::Null)).collect() })
    }
    fn apply(p: &PivotP, f: &OnValues, lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let mut lf = lf;
        let dt = lf.collect_schema().map_err(engine)?.get(&p.on).cloned().unwrap_or(DataType::String);
        let aggs: Vec<Expr> = f
            .values
            .iter()
            .map(|v| {
                let x = col(p.values.as_str()).filter(col(p.on.as_str()).eq(super::cond::json_lit(v).cast(dt.clone())));
                let a = match p.agg {
                    PivotAgg::First => x.first(),
                    PivotAgg::Sum => x.sum(),
                    PivotAgg::Mean => x.mean(),
                    PivotAgg::Min => x.min(),
                    PivotAgg::Max => x.max(),
                    PivotAgg::Count => x.count().cast(DataType::UInt32),
                };
                a.alias(label(v))
            })
            .collect();
        Ok(lf.group_by_stable(p.index.iter().map(|c| col(c.as_str())).collect::<Vec<_>>()).agg(aggs))
    }
    fn python(p: &PivotP, f: &OnValues, s: &Schema) -> String {
        let dt = s.get(&p.on).cloned().unwrap_or(DataType::String);
        let aggs: Vec<String> = f
            .values
            .iter()
            .map(|v| {
                let x = format!(
                    "pl.col({}).filter(pl.col({}) == pl.lit({}).cast({}))",
                    py::s(&p.values),
                    py::s(&p.on),
                    py::v(v),
                    py::dtype(&dt)
                );
                let a = match p.agg {
                    PivotAgg::Count => format!("{x}.count().cast(pl.UInt32)"),
                    other => format!("{x}.{}()", other.name()),
                };
                format!("{a}.alias({})", py::s(&label(v)))
            })
            .collect();
        format!("df = df.group_by({}, maintain_order=True).agg({})", py::strs(&p.index), aggs.join(", "))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnpivotP {
    /// Columns kept on every output row.
    index: Vec<String>,
    /// Columns turned into (variable, value) rows; they must share one type.
    on: Vec<String>,
    #[serde(default = "variable")]
    variable_name: String,
    #[serde(default = "value")]
    value_name: String,
}
fn variable() -> String {
    "variable".into()
}
fn value() -> String {
    "value".into()
}

impl TypedOp for Unpivot {
    type P = UnpivotP;
    type F = ();
    const NAME: &'static str = "unpivot";
    const DOC: &'static str = "wide to long: a row per index row and `on` column: index, on, variable_name, value_name";
    fn validate(p: &UnpivotP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "index", &p.index)?;
        need_all(s, "on", &p.on)?;
        let first = need(s, "on", &p.on[0])?;
        for c in &p.on[1..] {
            let dt = need(s, "on", c)?;
            if dt != first {
                return Err(bad("on", &format!("{:?} is {first} but {c:?} is {dt}; cast them to one type first", p.on[0])));
            }
        }
        if p.index.contains(&p.variable_name) || p.index.contains(&p.value_name) || p.variable_name == p.value_name {
            return Err(bad("value_name", "the variable and value names must differ from each other and from the index"));
        }
        Ok(())
    }
    fn apply(p: &UnpivotP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.unpivot(UnpivotArgsDSL {
            on: Some(cols(p.on.clone())),
            index: cols(p.index.clone()),
            variable_name: Some(p.variable_name.as_str().into()),
            value_name: Some(p.value_name.as_str().into()),
        }))
    }
    fn python(p: &UnpivotP, _: &(), _: &Schema) -> String {
        format!(
            "df = df.unpivot(on={}, index={}, variable_name={}, value_name={})",
            py::strs(&p.on),
            py::strs(&p.index),
            py::s(&p.variable_name),
            py::s(&p.value_name)
        )
    }
}
