//! `derive`: a new boolean column from a condition (e.g. `readmitted_30 = readmitted == "<30"`).

use polars::prelude::*;
use serde::Deserialize;

use super::cond::Cond;
use super::{Ctx, TypedOp, need_free};
use crate::error::Problem;
use crate::py;

pub struct Derive;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeriveP {
    /// The new column.
    name: String,
    /// The condition; rows where a compared value is missing get a missing result.
    when: Cond,
    /// Write 1/0 (Int8) instead of true/false.
    #[serde(default)]
    as_int: bool,
}

impl TypedOp for Derive {
    type P = DeriveP;
    type F = ();
    const NAME: &'static str = "derive";
    const DOC: &'static str = "new column from a condition: name, when {column, op, value} | {all|any: [...]} | {not}, as_int";
    fn validate(p: &DeriveP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_free(s, "name", &p.name)?;
        p.when.validate(s, "when")
    }
    fn apply(p: &DeriveP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let s = lf.clone().collect_schema().map_err(super::engine)?;
        let mut e = p.when.expr(&s);
        if p.as_int {
            e = e.cast(DataType::Int8);
        }
        Ok(lf.with_column(e.alias(p.name.as_str())))
    }
    fn python(p: &DeriveP, _: &(), s: &Schema) -> String {
        let cast = if p.as_int { ".cast(pl.Int8)" } else { "" };
        format!("df = df.with_columns(({}){cast}.alias({}))", p.when.python(s), py::s(&p.name))
    }
}
