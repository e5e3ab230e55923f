//! Row operators: filter, sort, dedupe, limit, sample.

use polars::prelude::*;
use serde::Deserialize;

use super::cond::Cond;
use super::split::{DROP_KEY_PY, chosen, chosen_python, drop_key, fraction_ok, key_python, with_key};
use super::{Ctx, TypedOp, bad, engine, need, need_all};
use crate::error::Problem;
use crate::py;

pub struct Filter;
pub struct Sort;
pub struct Dedupe;
pub struct Limit;
pub struct Sample;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterP {
    /// Rows where this holds are kept (a missing result drops the row).
    keep: Cond,
}

impl TypedOp for Filter {
    type P = FilterP;
    type F = ();
    const NAME: &'static str = "filter";
    const DOC: &'static str = "keep rows where a condition holds: keep {column, op, value} | {all|any: [...]} | {not}";
    fn validate(p: &FilterP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        p.keep.validate(s, "keep")
    }
    fn apply(p: &FilterP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let s = lf.clone().collect_schema().map_err(engine)?;
        Ok(lf.filter(p.keep.expr(&s)))
    }
    fn python(p: &FilterP, _: &(), s: &Schema) -> String {
        format!("df = df.filter({})", p.keep.python(s))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SortP {
    columns: Vec<String>,
    /// One flag per column, or one for all.
    #[serde(default)]
    descending: Vec<bool>,
    #[serde(default)]
    nulls_last: bool,
}

impl SortP {
    fn desc(&self) -> Vec<bool> {
        match self.descending.len() {
            0 => vec![false; self.columns.len()],
            1 => vec![self.descending[0]; self.columns.len()],
            _ => self.descending.clone(),
        }
    }
}

impl TypedOp for Sort {
    type P = SortP;
    type F = ();
    const NAME: &'static str = "sort";
    const DOC: &'static str = "sort rows (stable): columns, descending [per column], nulls_last";
    fn validate(p: &SortP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "columns", &p.columns)?;
        if p.descending.len() > 1 && p.descending.len() != p.columns.len() {
            return Err(bad("descending", "needs one flag, or one per column"));
        }
        Ok(())
    }
    fn apply(p: &SortP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let opts =
            SortMultipleOptions::default().with_order_descending_multi(p.desc()).with_nulls_last(p.nulls_last).with_maintain_order(true);
        Ok(lf.sort(p.columns.iter().map(|c| c.as_str()).collect::<Vec<_>>(), opts))
    }
    fn python(p: &SortP, _: &(), _: &Schema) -> String {
        let d: Vec<&str> = p.desc().iter().map(|b| if *b { "True" } else { "False" }).collect();
        format!(
            "df = df.sort({}, descending=[{}], nulls_last={}, maintain_order=True)",
            py::strs(&p.columns),
            d.join(", "),
            if p.nulls_last { "True" } else { "False" }
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DedupeP {
    /// Columns that make rows duplicates (all when empty).
    #[serde(default)]
    columns: Vec<String>,
    /// Keep the first or the last of each group of duplicates.
    #[serde(default)]
    keep_last: bool,
}

impl TypedOp for Dedupe {
    type P = DedupeP;
    type F = ();
    const NAME: &'static str = "dedupe";
    const DOC: &'static str = "remove duplicate rows, keeping order: columns (all when empty), keep_last";
    fn validate(p: &DedupeP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        p.columns.iter().try_for_each(|c| need(s, "columns", c).map(|_| ()))
    }
    fn apply(p: &DedupeP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let subset = (!p.columns.is_empty()).then(|| cols(p.columns.clone()));
        let keep = if p.keep_last { UniqueKeepStrategy::Last } else { UniqueKeepStrategy::First };
        Ok(lf.unique_stable(subset, keep))
    }
    fn python(p: &DedupeP, _: &(), _: &Schema) -> String {
        let subset = if p.columns.is_empty() { "None".into() } else { py::strs(&p.columns) };
        let keep = if p.keep_last { "last" } else { "first" };
        format!("df = df.unique(subset={subset}, keep=\"{keep}\", maintain_order=True)")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitP {
    rows: u32,
    #[serde(default)]
    offset: u32,
}

impl TypedOp for Limit {
    type P = LimitP;
    type F = ();
    const NAME: &'static str = "limit";
    const DOC: &'static str = "keep `rows` rows starting at `offset`";
    fn validate(_: &LimitP, _: &Schema, _: &Ctx) -> Result<(), Problem> {
        Ok(())
    }
    fn apply(p: &LimitP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.slice(i64::from(p.offset), p.rows as IdxSize))
    }
    fn python(p: &LimitP, _: &(), _: &Schema) -> String {
        format!("df = df.slice({}, {})", p.offset, p.rows)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleP {
    fraction: f64,
    #[serde(default = "seed")]
    seed: u32,
    /// Keep each class's share of this column (stratified sample).
    #[serde(default)]
    stratify: Option<String>,
}
fn seed() -> u32 {
    42
}

impl TypedOp for Sample {
    type P = SampleP;
    type F = ();
    const NAME: &'static str = "sample";
    const DOC: &'static str = "keep a pseudo-random fraction of rows, in their order: fraction, seed, stratify";
    fn validate(p: &SampleP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        fraction_ok("fraction", p.fraction)?;
        p.stratify.iter().try_for_each(|c| need(s, "stratify", c).map(|_| ()))
    }
    fn apply(p: &SampleP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(drop_key(with_key(lf, p.seed).filter(chosen(p.fraction, p.stratify.as_deref())?)))
    }
    fn python(p: &SampleP, _: &(), _: &Schema) -> String {
        format!("{}\ndf = df.filter({})\n{DROP_KEY_PY}", key_python(p.seed), chosen_python(p.fraction, p.stratify.as_deref()))
    }
}
