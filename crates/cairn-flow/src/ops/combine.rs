//! Combining: joins of seven kinds with another source, concatenation, group-by aggregation. Key
//! types are compared before joining, so mismatched keys are named instead of failing deep in polars.

use polars::prelude::*;
use serde::Deserialize;

use super::{Ctx, TypedOp, bad, engine, need, need_all, need_free};
use crate::error::Problem;
use crate::py;

pub struct Join;
pub struct Concat;
pub struct GroupBy;

fn other<'a>(ctx: &Ctx<'a>, name: &str) -> Result<&'a LazyFrame, Problem> {
    ctx.sources.get(name).ok_or_else(|| {
        let mut names: Vec<&String> = ctx.sources.keys().collect();
        names.sort();
        bad("source", &format!("no source {name:?} in the flow (sources: {names:?})"))
    })
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum How {
    Inner,
    Left,
    Right,
    Full,
    Semi,
    Anti,
    Cross,
}

impl How {
    fn name(self) -> &'static str {
        match self {
            How::Inner => "inner",
            How::Left => "left",
            How::Right => "right",
            How::Full => "full",
            How::Semi => "semi",
            How::Anti => "anti",
            How::Cross => "cross",
        }
    }
    /// Rows come out in the input's order (the right input's for a right join).
    fn order(self) -> (MaintainOrderJoin, &'static str) {
        match self {
            How::Right => (MaintainOrderJoin::RightLeft, "right_left"),
            _ => (MaintainOrderJoin::LeftRight, "left_right"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinP {
    /// Another source of the flow.
    source: String,
    how: How,
    /// Key columns with the same name on both sides.
    #[serde(default)]
    on: Vec<String>,
    #[serde(default)]
    left_on: Vec<String>,
    #[serde(default)]
    right_on: Vec<String>,
    #[serde(default = "right_suffix")]
    suffix: String,
}
fn right_suffix() -> String {
    "_right".into()
}

impl JoinP {
    fn keys(&self) -> (Vec<String>, Vec<String>) {
        if self.on.is_empty() { (self.left_on.clone(), self.right_on.clone()) } else { (self.on.clone(), self.on.clone()) }
    }
}

impl TypedOp for Join {
    type P = JoinP;
    type F = ();
    const NAME: &'static str = "join";
    const DOC: &'static str = "join another source: source, how (inner|left|right|full|semi|anti|cross), on | left_on + right_on, suffix";
    fn validate(p: &JoinP, s: &Schema, ctx: &Ctx) -> Result<(), Problem> {
        let rs = other(ctx, &p.source)?.clone().collect_schema().map_err(engine)?;
        let (l, r) = p.keys();
        if p.how == How::Cross {
            return if l.is_empty() { Ok(()) } else { Err(bad("on", "a cross join takes no keys")) };
        }
        if l.is_empty() || l.len() != r.len() {
            return Err(bad("on", "give `on`, or `left_on` and `right_on` of the same length"));
        }
        for (a, b) in l.iter().zip(&r) {
            let ta = need(s, if p.on.is_empty() { "left_on" } else { "on" }, a)?;
            let tb = rs.get(b).cloned().ok_or_else(|| Problem::Column {
                param: if p.on.is_empty() { "right_on".into() } else { "on".into() },
                column: b.clone(),
                available: rs.iter_names().map(|n| format!("{}: {n}", p.source)).collect(),
            })?;
            if ta != tb {
                return Err(Problem::ColumnType {
                    column: a.clone(),
                    found: ta.to_string(),
                    expected: format!("the key {b:?} of {:?} is {tb}; cast one side first so both keys have one type", p.source),
                });
            }
        }
        Ok(())
    }
    fn apply(p: &JoinP, _: &(), lf: LazyFrame, ctx: &Ctx) -> Result<LazyFrame, Problem> {
        let right = other(ctx, &p.source)?.clone();
        let how = match p.how {
            How::Inner => JoinType::Inner,
            How::Left => JoinType::Left,
            How::Right => JoinType::Right,
            How::Full => JoinType::Full,
            How::Semi => JoinType::Semi,
            How::Anti => JoinType::Anti,
            How::Cross => JoinType::Cross,
        };
        let mut args = JoinArgs::new(how).with_suffix(Some(p.suffix.as_str().into()));
        // The order is asked for explicitly, for cross joins too: the streaming engine (a full run) would
        // otherwise pair them right row by right row.
        args.maintain_order = p.how.order().0;
        // A cross join pairs every row with every row: it has no keys.
        let (l, r) = if p.how == How::Cross { Default::default() } else { p.keys() };
        let e = |v: &[String]| v.iter().map(|c| col(c.as_str())).collect::<Vec<_>>();
        Ok(lf.join(right, e(&l), e(&r), args))
    }
    fn python(p: &JoinP, _: &(), _: &Schema) -> String {
        let other = format!("sources[{}]", py::s(&p.source));
        if p.how == How::Cross {
            return format!("df = df.join({other}, how=\"cross\", suffix={}, maintain_order=\"left_right\")", py::s(&p.suffix));
        }
        let (l, r) = p.keys();
        format!(
            "df = df.join({other}, left_on={}, right_on={}, how=\"{}\", suffix={}, maintain_order=\"{}\")",
            py::strs(&l),
            py::strs(&r),
            p.how.name(),
            py::s(&p.suffix),
            p.how.order().1
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcatP {
    /// Sources whose rows are appended below, in order; they must have the same columns and types.
    sources: Vec<String>,
}

impl TypedOp for Concat {
    type P = ConcatP;
    type F = ();
    const NAME: &'static str = "concat";
    const DOC: &'static str = "append the rows of other sources with the same columns: sources";
    fn validate(p: &ConcatP, s: &Schema, ctx: &Ctx) -> Result<(), Problem> {
        if p.sources.is_empty() {
            return Err(bad("sources", "names no source"));
        }
        for name in &p.sources {
            let rs = other(ctx, name)?.clone().collect_schema().map_err(engine)?;
            if rs.as_ref() != s {
                let mine: Vec<String> = s.iter().map(|(n, t)| format!("{n}: {t}")).collect();
                let theirs: Vec<String> = rs.iter().map(|(n, t)| format!("{n}: {t}")).collect();
                return Err(bad("sources", &format!("{name:?} has columns [{}], the flow has [{}]", theirs.join(", "), mine.join(", "))));
            }
        }
        Ok(())
    }
    fn apply(p: &ConcatP, _: &(), lf: LazyFrame, ctx: &Ctx) -> Result<LazyFrame, Problem> {
        let mut all = vec![lf];
        for name in &p.sources {
            all.push(other(ctx, name)?.clone());
        }
        concat(all, UnionArgs { maintain_order: true, ..Default::default() }).map_err(engine)
    }
    fn python(p: &ConcatP, _: &(), _: &Schema) -> String {
        let others: Vec<String> = p.sources.iter().map(|s| format!("sources[{}]", py::s(s))).collect();
        format!("df = pl.concat([df, {}], how=\"vertical\")", others.join(", "))
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Agg {
    Count,
    Sum,
    Mean,
    Median,
    Min,
    Max,
    Std,
    First,
    Last,
    NUnique,
}

impl Agg {
    fn name(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::Sum => "sum",
            Agg::Mean => "mean",
            Agg::Median => "median",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Std => "std",
            Agg::First => "first",
            Agg::Last => "last",
            Agg::NUnique => "n_unique",
        }
    }
    fn numeric(self) -> bool {
        matches!(self, Agg::Sum | Agg::Mean | Agg::Median | Agg::Std)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggP {
    column: String,
    agg: Agg,
    /// Defaults to COLUMN_AGG.
    #[serde(default)]
    name: Option<String>,
}

impl AggP {
    fn out(&self) -> String {
        self.name.clone().unwrap_or_else(|| format!("{}_{}", self.column, self.agg.name()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupP {
    by: Vec<String>,
    aggs: Vec<AggP>,
}

impl TypedOp for GroupBy {
    type P = GroupP;
    type F = ();
    const NAME: &'static str = "group_by";
    const DOC: &'static str = "one row per group, in order of first appearance: by, aggs [{column, agg (count|sum|mean|median|min|max|std|first|last|n_unique), name}]";
    fn validate(p: &GroupP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_all(s, "by", &p.by)?;
        if p.aggs.is_empty() {
            return Err(bad("aggs", "names no aggregation"));
        }
        let mut names: Vec<String> = p.by.clone();
        for a in &p.aggs {
            let dt = need(s, "aggs", &a.column)?;
            if a.agg.numeric() && !(dt.is_primitive_numeric() || dt == DataType::Boolean) {
                return Err(bad("aggs", &format!("{} of {:?} needs numbers; it is {dt}", a.agg.name(), a.column)));
            }
            let out = a.out();
            if names.contains(&out) {
                return Err(bad("aggs", &format!("two output columns are named {out:?}; give one a `name`")));
            }
            names.push(out);
        }
        let _ = need_free;
        Ok(())
    }
    fn apply(p: &GroupP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let aggs: Vec<Expr> = p
            .aggs
            .iter()
            .map(|a| {
                let c = col(a.column.as_str());
                let e = match a.agg {
                    Agg::Count => c.count().cast(DataType::UInt32),
                    Agg::Sum => c.sum(),
                    Agg::Mean => c.mean(),
                    Agg::Median => c.median(),
                    Agg::Min => c.min(),
                    Agg::Max => c.max(),
                    Agg::Std => c.std(1),
                    Agg::First => c.first(),
                    Agg::Last => c.last(),
                    Agg::NUnique => c.n_unique().cast(DataType::UInt32),
                };
                e.alias(a.out())
            })
            .collect();
        Ok(lf.group_by_stable(p.by.iter().map(|c| col(c.as_str())).collect::<Vec<_>>()).agg(aggs))
    }
    fn python(p: &GroupP, _: &(), _: &Schema) -> String {
        let aggs: Vec<String> = p
            .aggs
            .iter()
            .map(|a| {
                let c = format!("pl.col({})", py::s(&a.column));
                let e = match a.agg {
                    Agg::Count => format!("{c}.count().cast(pl.UInt32)"),
                    Agg::Std => format!("{c}.std(ddof=1)"),
                    Agg::NUnique => format!("{c}.n_unique().cast(pl.UInt32)"),
                    other => format!("{c}.{}()", other.name()),
                };
                format!("{e}.alias({})", py::s(&a.out()))
            })
            .collect();
        format!("df = df.group_by({}, maintain_order=True).agg({})", py::strs(&p.by), aggs.join(", "))
    }
}
