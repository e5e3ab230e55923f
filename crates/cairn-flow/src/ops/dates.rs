//! Date-time operators: parts (year, month …), cyclic encoding, differences between two columns.

use polars::prelude::*;
use serde::Deserialize;

use super::{Ctx, TypedOp, bad, need, need_free, need_numeric};
use crate::error::Problem;
use crate::py;

pub struct DateParts;
pub struct Cyclic;
pub struct DateDiff;

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Year,
    Quarter,
    Month,
    Day,
    Weekday,
    OrdinalDay,
    Hour,
    Minute,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Year => "year",
            Part::Quarter => "quarter",
            Part::Month => "month",
            Part::Day => "day",
            Part::Weekday => "weekday",
            Part::OrdinalDay => "ordinal_day",
            Part::Hour => "hour",
            Part::Minute => "minute",
        }
    }
    fn expr(self, e: Expr) -> Expr {
        let d = e.dt();
        match self {
            Part::Year => d.year(),
            Part::Quarter => d.quarter(),
            Part::Month => d.month(),
            Part::Day => d.day(),
            Part::Weekday => d.weekday(),
            Part::OrdinalDay => d.ordinal_day(),
            Part::Hour => d.hour(),
            Part::Minute => d.minute(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartsP {
    column: String,
    parts: Vec<Part>,
}

impl TypedOp for DateParts {
    type P = PartsP;
    type F = ();
    const NAME: &'static str = "date_parts";
    const DOC: &'static str = "new columns COLUMN_PART for year/quarter/month/day/weekday/ordinal_day/hour/minute: column, parts";
    fn validate(p: &PartsP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        let dt = need(s, "column", &p.column)?;
        if !matches!(dt, DataType::Date | DataType::Datetime(..)) {
            return Err(Problem::ColumnType {
                column: p.column.clone(),
                found: dt.to_string(),
                expected: "it must be a date or datetime (cast text with a format first)".into(),
            });
        }
        if p.parts.is_empty() {
            return Err(bad("parts", "names no part"));
        }
        if dt == DataType::Date && p.parts.iter().any(|x| matches!(x, Part::Hour | Part::Minute)) {
            return Err(bad("parts", &format!("{:?} is a date: it has no hours or minutes", p.column)));
        }
        p.parts.iter().try_for_each(|x| need_free(s, "parts", &format!("{}_{}", p.column, x.name())))
    }
    fn apply(p: &PartsP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_columns(
            p.parts.iter().map(|x| x.expr(col(p.column.as_str())).alias(format!("{}_{}", p.column, x.name()))).collect::<Vec<_>>(),
        ))
    }
    fn python(p: &PartsP, _: &(), _: &Schema) -> String {
        let e: Vec<String> = p
            .parts
            .iter()
            .map(|x| format!("pl.col({}).dt.{}().alias({})", py::s(&p.column), x.name(), py::s(&format!("{}_{}", p.column, x.name()))))
            .collect();
        format!("df = df.with_columns({})", e.join(", "))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CyclicP {
    column: String,
    /// The cycle's length in the column's units (12 for months, 7 for weekdays, 24 for hours).
    period: f64,
}

impl TypedOp for Cyclic {
    type P = CyclicP;
    type F = ();
    const NAME: &'static str = "cyclic_encode";
    const DOC: &'static str = "COLUMN_sin and COLUMN_cos of 2π·x/period, so the ends of a cycle meet: column, period";
    fn validate(p: &CyclicP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_numeric(s, "column", &p.column)?;
        // Written so that NaN is refused too.
        if p.period.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
            return Err(bad("period", "must be positive"));
        }
        need_free(s, "column", &format!("{}_sin", p.column))?;
        need_free(s, "column", &format!("{}_cos", p.column))
    }
    fn apply(p: &CyclicP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let a = col(p.column.as_str()).cast(DataType::Float64) * lit(std::f64::consts::TAU / p.period);
        Ok(lf.with_columns([a.clone().sin().alias(format!("{}_sin", p.column)), a.cos().alias(format!("{}_cos", p.column))]))
    }
    fn python(p: &CyclicP, _: &(), _: &Schema) -> String {
        let a = format!("(pl.col({}).cast(pl.Float64) * {})", py::s(&p.column), py::f(std::f64::consts::TAU / p.period));
        format!(
            "df = df.with_columns({a}.sin().alias({}), {a}.cos().alias({}))",
            py::s(&format!("{}_sin", p.column)),
            py::s(&format!("{}_cos", p.column))
        )
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Days,
    Hours,
    Seconds,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffP {
    start: String,
    end: String,
    #[serde(default = "days")]
    unit: Unit,
    name: String,
}
fn days() -> Unit {
    Unit::Days
}

impl TypedOp for DateDiff {
    type P = DiffP;
    type F = ();
    const NAME: &'static str = "date_diff";
    const DOC: &'static str = "end - start in whole days/hours/seconds into a new column: start, end, unit, name";
    fn validate(p: &DiffP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        let a = need(s, "start", &p.start)?;
        let b = need(s, "end", &p.end)?;
        if !a.is_temporal() || a != b {
            return Err(bad("end", &format!("{:?} ({a}) and {:?} ({b}) must both be dates or both datetimes", p.start, p.end)));
        }
        need_free(s, "name", &p.name)
    }
    fn apply(p: &DiffP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        let d = (col(p.end.as_str()) - col(p.start.as_str())).dt();
        let e = match p.unit {
            Unit::Days => d.total_days(false),
            Unit::Hours => d.total_hours(false),
            Unit::Seconds => d.total_seconds(false),
        };
        Ok(lf.with_column(e.alias(p.name.as_str())))
    }
    fn python(p: &DiffP, _: &(), _: &Schema) -> String {
        let unit = match p.unit {
            Unit::Days => "days",
            Unit::Hours => "hours",
            Unit::Seconds => "seconds",
        };
        format!(
            "df = df.with_columns((pl.col({}) - pl.col({})).dt.total_{unit}().alias({}))",
            py::s(&p.end),
            py::s(&p.start),
            py::s(&p.name)
        )
    }
}
