//! Column operators: select, drop, rename, reorder, duplicate, cast.

use polars::prelude::*;
use serde::Deserialize;

use super::{Ctx, TypedOp, bad, collect, engine, need, need_all, need_free};
use crate::error::Problem;
use crate::py;

pub struct Select;
pub struct Drop;
pub struct Rename;
pub struct Reorder;
pub struct Duplicate;
pub struct Cast;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsP {
    columns: Vec<String>,
}

impl TypedOp for Select {
    type P = ColumnsP;
    type F = ();
    const NAME: &'static str = "select";
    const DOC: &'static str = "keep only these columns, in this order: columns";
    fn validate(p: &ColumnsP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "columns", &p.columns)
    }
    fn apply(p: &ColumnsP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.select(p.columns.iter().map(|c| col(c.as_str())).collect::<Vec<_>>()))
    }
    fn python(p: &ColumnsP, _: &(), _: &Schema) -> String {
        format!("df = df.select({})", py::strs(&p.columns))
    }
}

impl TypedOp for Drop {
    type P = ColumnsP;
    type F = ();
    const NAME: &'static str = "drop";
    const DOC: &'static str = "remove these columns: columns";
    fn validate(p: &ColumnsP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "columns", &p.columns)
    }
    fn apply(p: &ColumnsP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.drop(cols(p.columns.clone())))
    }
    fn python(p: &ColumnsP, _: &(), _: &Schema) -> String {
        format!("df = df.drop({})", py::strs(&p.columns))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenameP {
    /// Old name → new name.
    mapping: std::collections::BTreeMap<String, String>,
}

impl TypedOp for Rename {
    type P = RenameP;
    type F = ();
    const NAME: &'static str = "rename";
    const DOC: &'static str = "rename columns: mapping {old: new}";
    fn validate(p: &RenameP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        if p.mapping.is_empty() {
            return Err(bad("mapping", "renames nothing"));
        }
        for (old, new) in &p.mapping {
            need(s, "mapping", old)?;
            if new.is_empty() {
                return Err(bad("mapping", &format!("the new name for {old:?} is empty")));
            }
            if s.get(new).is_some() && !p.mapping.contains_key(new) {
                return Err(bad("mapping", &format!("{old:?} → {new:?}: column {new:?} exists already")));
            }
        }
        Ok(())
    }
    fn apply(p: &RenameP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.rename(p.mapping.keys(), p.mapping.values(), true))
    }
    fn python(p: &RenameP, _: &(), _: &Schema) -> String {
        let m: Vec<String> = p.mapping.iter().map(|(a, b)| format!("{}: {}", py::s(a), py::s(b))).collect();
        format!("df = df.rename({{{}}})", m.join(", "))
    }
}

impl TypedOp for Reorder {
    type P = ColumnsP;
    type F = ();
    const NAME: &'static str = "reorder";
    const DOC: &'static str = "move these columns first, in this order; the rest follow: columns";
    fn validate(p: &ColumnsP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "columns", &p.columns)
    }
    fn apply(p: &ColumnsP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let mut lf = lf;
        let s = lf.collect_schema().map_err(engine)?;
        let order = reordered(&p.columns, &s);
        Ok(lf.select(order.iter().map(|c| col(c.as_str())).collect::<Vec<_>>()))
    }
    fn python(p: &ColumnsP, _: &(), s: &Schema) -> String {
        format!("df = df.select({})", py::strs(&reordered(&p.columns, s)))
    }
}

fn reordered(first: &[String], s: &Schema) -> Vec<String> {
    let mut order = first.to_vec();
    order.extend(s.iter_names().map(|n| n.to_string()).filter(|n| !first.contains(n)));
    order
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicateP {
    column: String,
    name: String,
}

impl TypedOp for Duplicate {
    type P = DuplicateP;
    type F = ();
    const NAME: &'static str = "duplicate";
    const DOC: &'static str = "copy a column under a new name: column, name";
    fn validate(p: &DuplicateP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need(s, "column", &p.column)?;
        need_free(s, "name", &p.name)
    }
    fn apply(p: &DuplicateP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_column(col(p.column.as_str()).alias(p.name.as_str())))
    }
    fn python(p: &DuplicateP, _: &(), _: &Schema) -> String {
        format!("df = df.with_columns(pl.col({}).alias({}))", py::s(&p.column), py::s(&p.name))
    }
}

/// A type a column can be cast to.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Int64,
    Float64,
    String,
    Bool,
    Date,
    Datetime,
}

impl Kind {
    pub fn dtype(self) -> DataType {
        match self {
            Kind::Int64 => DataType::Int64,
            Kind::Float64 => DataType::Float64,
            Kind::String => DataType::String,
            Kind::Bool => DataType::Boolean,
            Kind::Date => DataType::Date,
            Kind::Datetime => DataType::Datetime(TimeUnit::Microseconds, None),
        }
    }
}

/// What to do with values that do not convert.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Refuse the flow, saying how many values fail and showing some.
    #[default]
    Error,
    /// Make them missing.
    Null,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CastP {
    columns: Vec<String>,
    to: Kind,
    /// strftime format for text → date/datetime, e.g. "%d/%m/%Y".
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    on_error: OnError,
}

impl CastP {
    /// Text becomes a date or datetime by parsing (with the format, or ISO 8601 when none is given).
    fn parses(&self, input: Option<&DataType>) -> bool {
        matches!(self.to, Kind::Date | Kind::Datetime) && (self.format.is_some() || input == Some(&DataType::String))
    }

    fn expr(&self, c: &str, strict: bool, input: Option<&DataType>) -> Expr {
        let e = col(c);
        let opts = |fmt: &Option<String>| StrptimeOptions { format: fmt.as_deref().map(Into::into), strict, exact: true, cache: true };
        match (self.to, self.parses(input)) {
            (Kind::Date, true) => e.str().to_date(opts(&self.format)),
            (Kind::Datetime, true) => e.str().to_datetime(Some(TimeUnit::Microseconds), None, opts(&self.format), lit("raise")),
            _ if strict => e.strict_cast(self.to.dtype()),
            _ => e.cast(self.to.dtype()),
        }
    }

    fn python(&self, c: &str, strict: bool, input: Option<&DataType>) -> String {
        let strict = if strict { "True" } else { "False" };
        let e = format!("pl.col({})", py::s(c));
        let f = self.format.as_deref().map_or("None".into(), py::s);
        match (self.to, self.parses(input)) {
            (Kind::Date, true) => format!("{e}.str.to_date({f}, strict={strict}, exact=True)"),
            (Kind::Datetime, true) => {
                format!("{e}.str.to_datetime({f}, time_unit=\"us\", strict={strict}, exact=True)")
            }
            _ => format!("{e}.cast({}, strict={strict})", py::dtype(&self.to.dtype())),
        }
    }
}

impl TypedOp for Cast {
    type P = CastP;
    type F = ();
    const NAME: &'static str = "cast";
    const DOC: &'static str =
        "convert columns to int64/float64/string/bool/date/datetime: columns, to, format (strftime), on_error (error|null)";
    fn validate(p: &CastP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "columns", &p.columns)?;
        if p.format.is_some() {
            if !matches!(p.to, Kind::Date | Kind::Datetime) {
                return Err(bad("format", "is only for casting text to date or datetime"));
            }
            for c in &p.columns {
                super::need_text(s, "columns", c)?;
            }
        }
        Ok(())
    }
    fn check(p: &CastP, lf: &LazyFrame) -> Result<(), Problem> {
        if p.on_error == OnError::Null {
            return Ok(());
        }
        // Values that were present and become missing are the ones that fail to convert.
        let s = lf.clone().collect_schema().map_err(engine)?;
        for c in &p.columns {
            let failed = col(c.as_str()).is_not_null().and(p.expr(c, false, s.get(c)).is_null());
            let df = collect(
                lf.clone().select([failed.clone().sum().cast(DataType::UInt64).alias("n"), len().cast(DataType::UInt64).alias("rows")]),
            )?;
            let n = df.column("n").and_then(|s| s.u64().map(|a| a.get(0).unwrap_or(0))).map_err(engine)?;
            if n > 0 {
                let rows = df.column("rows").and_then(|s| s.u64().map(|a| a.get(0).unwrap_or(0))).map_err(engine)?;
                let ex = collect(
                    lf.clone()
                        .filter(failed)
                        .select([col(c.as_str()).cast(DataType::String)])
                        .unique_stable(None, UniqueKeepStrategy::First)
                        .limit(5),
                )?;
                let examples = ex
                    .column(c)
                    .ok()
                    .and_then(|s| s.str().ok().map(|a| (0..a.len()).filter_map(|i| a.get(i).map(str::to_owned)).collect()))
                    .unwrap_or_default();
                return Err(Problem::Conversion { column: c.clone(), to: format!("{:?}", p.to).to_lowercase(), count: n, rows, examples });
            }
        }
        Ok(())
    }
    fn apply(p: &CastP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        // The check above already refused failing values; non-strict here keeps the plan total.
        let mut lf = lf;
        let s = lf.collect_schema().map_err(engine)?;
        Ok(lf.with_columns(p.columns.iter().map(|c| p.expr(c, false, s.get(c))).collect::<Vec<_>>()))
    }
    fn python(p: &CastP, _: &(), s: &Schema) -> String {
        let strict = p.on_error == OnError::Error;
        let e: Vec<String> = p.columns.iter().map(|c| p.python(c, strict, s.get(c))).collect();
        format!("df = df.with_columns({})", e.join(", "))
    }
}
