//! The operator registry. Each operator is a `TypedOp` with typed parameters; the registry holds them
//! behind the untyped `Op` trait that flows call with a step's JSON.

mod columns;
mod combine;
mod cond;
mod dates;
mod derive;
mod encode;
mod formula;
mod missing;
mod numeric;
mod reshape;
mod rows;
mod split;
mod text;

use std::collections::HashMap;
use std::marker::PhantomData;

use polars::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Problem;

pub(crate) use cond::Cond;
pub(crate) use split::TRAIN;

/// What a step may need besides its input: the flow's other sources (joins, concatenation).
pub struct Ctx<'a> {
    pub sources: &'a HashMap<String, LazyFrame>,
}

/// An operator as flows see it: parameters and fitted values are JSON.
pub trait Op: Sync {
    fn name(&self) -> &'static str;
    /// The operator's current version; steps written by a newer one are refused.
    fn version(&self) -> u32;
    /// One line for people: what it does and its parameters.
    fn doc(&self) -> &'static str;
    /// True when the operator learns something from the fit rows.
    fn fits(&self) -> bool;
    /// The parameters make sense for an input with this schema.
    fn validate(&self, params: &Value, schema: &Schema, ctx: &Ctx) -> Result<(), Problem>;
    /// Checks over all rows that only data can answer (values that fail to convert).
    fn check(&self, params: &Value, input: &LazyFrame) -> Result<(), Problem>;
    /// Learns from the fit rows.
    fn fit(&self, params: &Value, rows: LazyFrame) -> Result<Value, Problem>;
    /// Adds the step to the plan.
    fn apply(&self, params: &Value, fitted: &Value, input: LazyFrame, ctx: &Ctx) -> Result<LazyFrame, Problem>;
    /// The step as Python polars statements over `df` (a LazyFrame) and `sources` (a dict).
    fn python(&self, params: &Value, fitted: &Value, schema: &Schema) -> Result<String, Problem>;
    /// The column the step marks rows "train"/"test" in, for the steps after it to fit on train rows.
    fn split_column(&self, _params: &Value) -> Option<String> {
        None
    }
}

/// An operator with typed parameters `P` and typed fitted values `F`.
pub trait TypedOp: Sync + Send + 'static {
    type P: DeserializeOwned;
    type F: DeserializeOwned + serde::Serialize + Default;
    const NAME: &'static str;
    const VERSION: u32 = 1;
    const DOC: &'static str;
    const FITS: bool = false;
    fn validate(p: &Self::P, schema: &Schema, ctx: &Ctx) -> Result<(), Problem>;
    fn check(_p: &Self::P, _input: &LazyFrame) -> Result<(), Problem> {
        Ok(())
    }
    fn fit(_p: &Self::P, _rows: LazyFrame) -> Result<Self::F, Problem> {
        Ok(Self::F::default())
    }
    fn apply(p: &Self::P, f: &Self::F, input: LazyFrame, ctx: &Ctx) -> Result<LazyFrame, Problem>;
    fn python(p: &Self::P, f: &Self::F, schema: &Schema) -> String;
    fn split_column(_p: &Self::P) -> Option<String> {
        None
    }
}

struct Typed<T>(PhantomData<T>);

fn params<P: DeserializeOwned>(v: &Value) -> Result<P, Problem> {
    let v = if v.is_null() { Value::Object(Default::default()) } else { v.clone() };
    serde_json::from_value(v).map_err(|e| {
        let msg = e.to_string();
        // serde names the field in "missing field `x`" / "unknown field `x`"; use it as the parameter.
        let param = msg.split('`').nth(1).unwrap_or("params").to_string();
        Problem::Param { param, message: msg }
    })
}

fn fitted<F: DeserializeOwned + Default>(v: &Value) -> Result<F, Problem> {
    if v.is_null() {
        return Ok(F::default());
    }
    serde_json::from_value(v.clone())
        .map_err(|e| Problem::Param { param: "fitted".into(), message: format!("does not fit this step: {e}") })
}

impl<T: TypedOp> Op for Typed<T> {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn version(&self) -> u32 {
        T::VERSION
    }
    fn doc(&self) -> &'static str {
        T::DOC
    }
    fn fits(&self) -> bool {
        T::FITS
    }
    fn validate(&self, p: &Value, schema: &Schema, ctx: &Ctx) -> Result<(), Problem> {
        T::validate(&params(p)?, schema, ctx)
    }
    fn check(&self, p: &Value, input: &LazyFrame) -> Result<(), Problem> {
        T::check(&params(p)?, input)
    }
    fn fit(&self, p: &Value, rows: LazyFrame) -> Result<Value, Problem> {
        let f = T::fit(&params(p)?, rows)?;
        serde_json::to_value(f).map_err(|e| Problem::Engine(e.to_string()))
    }
    fn apply(&self, p: &Value, f: &Value, input: LazyFrame, ctx: &Ctx) -> Result<LazyFrame, Problem> {
        T::apply(&params(p)?, &fitted(f)?, input, ctx)
    }
    fn python(&self, p: &Value, f: &Value, schema: &Schema) -> Result<String, Problem> {
        Ok(T::python(&params(p)?, &fitted(f)?, schema))
    }
    fn split_column(&self, p: &Value) -> Option<String> {
        params(p).ok().and_then(|p| T::split_column(&p))
    }
}

macro_rules! registry {
    ($($t:ty),* $(,)?) => {
        static OPS: &[&dyn Op] = &[$(&Typed::<$t>(PhantomData)),*];
    };
}

registry!(
    columns::Select,
    columns::Drop,
    columns::Rename,
    columns::Reorder,
    columns::Duplicate,
    columns::Cast,
    rows::Filter,
    rows::Sort,
    rows::Dedupe,
    rows::Limit,
    rows::Sample,
    missing::MarkMissing,
    missing::DropMissing,
    missing::FillMissing,
    missing::FillForward,
    missing::FillBackward,
    missing::MissingIndicator,
    derive::Derive,
    formula::Formula,
    encode::OneHot,
    encode::Ordinal,
    encode::Frequency,
    encode::RareGroup,
    encode::TargetEncode,
    numeric::Scale,
    numeric::Log,
    numeric::Bin,
    numeric::Round,
    numeric::Outliers,
    text::Trim,
    text::Case,
    text::RegexReplace,
    text::RegexExtract,
    text::SplitPart,
    text::Length,
    dates::DateParts,
    dates::Cyclic,
    dates::DateDiff,
    split::Split,
    combine::Join,
    combine::Concat,
    combine::GroupBy,
    reshape::Pivot,
    reshape::Unpivot,
);

/// Every operator, in the order the UI lists them.
pub fn all() -> &'static [&'static dyn Op] {
    OPS
}

/// The operator with this name.
pub fn find(name: &str) -> Option<&'static dyn Op> {
    OPS.iter().copied().find(|o| o.name() == name)
}

// ---- helpers shared by operators ----

/// The column's type, or a problem naming the parameter and the columns there are.
pub(crate) fn need(schema: &Schema, param: &str, column: &str) -> Result<DataType, Problem> {
    schema.get(column).cloned().ok_or_else(|| Problem::Column {
        param: param.into(),
        column: column.into(),
        available: schema.iter_names().map(|n| n.to_string()).collect(),
    })
}

/// Every named column exists.
pub(crate) fn need_all(schema: &Schema, param: &str, columns: &[String]) -> Result<(), Problem> {
    if columns.is_empty() {
        return Err(bad(param, "names no column"));
    }
    columns.iter().try_for_each(|c| need(schema, param, c).map(|_| ()))
}

/// The column exists and holds numbers.
pub(crate) fn need_numeric(schema: &Schema, param: &str, column: &str) -> Result<(), Problem> {
    let dt = need(schema, param, column)?;
    if dt.is_primitive_numeric() {
        Ok(())
    } else {
        Err(Problem::ColumnType { column: column.into(), found: dt.to_string(), expected: "it must be numeric".into() })
    }
}

/// The column exists and holds text.
pub(crate) fn need_text(schema: &Schema, param: &str, column: &str) -> Result<(), Problem> {
    let dt = need(schema, param, column)?;
    if dt == DataType::String {
        Ok(())
    } else {
        Err(Problem::ColumnType { column: column.into(), found: dt.to_string(), expected: "it must be text".into() })
    }
}

/// The new column name is free.
pub(crate) fn need_free(schema: &Schema, param: &str, column: &str) -> Result<(), Problem> {
    if column.is_empty() {
        return Err(bad(param, "is empty"));
    }
    match schema.get(column) {
        Some(_) => Err(bad(param, &format!("column {column:?} exists already"))),
        None => Ok(()),
    }
}

pub(crate) fn bad(param: &str, message: &str) -> Problem {
    Problem::Param { param: param.into(), message: message.into() }
}

pub(crate) fn engine(e: PolarsError) -> Problem {
    Problem::Engine(e.to_string())
}

/// Runs a small query and returns its frame (fitting and checks).
pub(crate) fn collect(lf: LazyFrame) -> Result<DataFrame, Problem> {
    lf.collect().map_err(engine)
}
