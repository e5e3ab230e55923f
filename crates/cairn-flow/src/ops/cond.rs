//! The condition builder shared by `filter` and `derive`: comparisons of a column with a value,
//! combined with all / any / not. Values are checked against the column's type before anything runs.

use polars::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::{bad, need};
use crate::error::Problem;
use crate::py;

/// A condition over one row.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Cond {
    All {
        all: Vec<Cond>,
    },
    Any {
        any: Vec<Cond>,
    },
    Not {
        not: Box<Cond>,
    },
    Cmp {
        column: String,
        op: CmpOp,
        #[serde(default)]
        value: Value,
    },
}

/// How a column is compared with the value.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    IsNull,
    NotNull,
    In,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
}

impl Cond {
    /// Columns exist and values have their column's type.
    pub fn validate(&self, schema: &Schema, param: &str) -> Result<(), Problem> {
        match self {
            Cond::All { all: cs } | Cond::Any { any: cs } => {
                if cs.is_empty() {
                    return Err(bad(param, "an all/any list is empty"));
                }
                cs.iter().try_for_each(|c| c.validate(schema, param))
            }
            Cond::Not { not } => not.validate(schema, param),
            Cond::Cmp { column, op, value } => {
                let dt = need(schema, param, column)?;
                match op {
                    CmpOp::IsNull | CmpOp::NotNull => Ok(()),
                    CmpOp::In | CmpOp::NotIn => match value {
                        Value::Array(items) if !items.is_empty() => items.iter().try_for_each(|v| value_fits(v, &dt, column, param)),
                        _ => Err(bad(param, &format!("`{op:?}` on {column:?} needs a non-empty list of values"))),
                    },
                    CmpOp::Contains | CmpOp::StartsWith | CmpOp::EndsWith => {
                        if dt != DataType::String || !value.is_string() {
                            return Err(bad(param, &format!("`{op:?}` needs a text column and a text value ({column:?} is {dt})")));
                        }
                        Ok(())
                    }
                    _ => value_fits(value, &dt, column, param),
                }
            }
        }
    }

    /// The polars expression.
    pub fn expr(&self, schema: &Schema) -> Expr {
        match self {
            Cond::All { all } => all.iter().map(|c| c.expr(schema)).reduce(|a, b| a.and(b)).unwrap_or(lit(true)),
            Cond::Any { any } => any.iter().map(|c| c.expr(schema)).reduce(|a, b| a.or(b)).unwrap_or(lit(false)),
            Cond::Not { not } => not.expr(schema).not(),
            Cond::Cmp { column, op, value } => {
                let c = col(column.as_str());
                let temporal = schema.get(column).is_some_and(|d| d.is_temporal());
                let v = || value_expr(value, temporal.then(|| schema.get(column).cloned()).flatten());
                let any_of = || match value {
                    Value::Array(items) => items
                        .iter()
                        .map(|x| c.clone().eq(value_expr(x, temporal.then(|| schema.get(column).cloned()).flatten())))
                        .reduce(|a, b| a.or(b))
                        .unwrap_or(lit(false)),
                    _ => lit(false),
                };
                let text = || value.as_str().unwrap_or_default().to_string();
                match op {
                    CmpOp::Eq => c.eq(v()),
                    CmpOp::Ne => c.neq(v()),
                    CmpOp::Lt => c.lt(v()),
                    CmpOp::Le => c.lt_eq(v()),
                    CmpOp::Gt => c.gt(v()),
                    CmpOp::Ge => c.gt_eq(v()),
                    CmpOp::IsNull => c.is_null(),
                    CmpOp::NotNull => c.is_not_null(),
                    CmpOp::In => any_of(),
                    CmpOp::NotIn => any_of().not(),
                    CmpOp::Contains => c.str().contains_literal(lit(text())),
                    CmpOp::StartsWith => c.str().starts_with(lit(text())),
                    CmpOp::EndsWith => c.str().ends_with(lit(text())),
                }
            }
        }
    }

    /// The same condition in Python polars.
    pub fn python(&self, schema: &Schema) -> String {
        match self {
            Cond::All { all } => format!("({})", all.iter().map(|c| c.python(schema)).collect::<Vec<_>>().join(" & ")),
            Cond::Any { any } => format!("({})", any.iter().map(|c| c.python(schema)).collect::<Vec<_>>().join(" | ")),
            Cond::Not { not } => format!("~{}", not.python(schema)),
            Cond::Cmp { column, op, value } => {
                let c = format!("pl.col({})", py::s(column));
                let dt = schema.get(column).filter(|d| d.is_temporal()).cloned();
                let v = |x: &Value| value_py(x, dt.as_ref());
                let any_of = || match value {
                    Value::Array(items) => {
                        format!("({})", items.iter().map(|x| format!("({c} == {})", v(x))).collect::<Vec<_>>().join(" | "))
                    }
                    _ => "pl.lit(False)".into(),
                };
                let text = py::s(value.as_str().unwrap_or_default());
                match op {
                    CmpOp::Eq => format!("({c} == {})", v(value)),
                    CmpOp::Ne => format!("({c} != {})", v(value)),
                    CmpOp::Lt => format!("({c} < {})", v(value)),
                    CmpOp::Le => format!("({c} <= {})", v(value)),
                    CmpOp::Gt => format!("({c} > {})", v(value)),
                    CmpOp::Ge => format!("({c} >= {})", v(value)),
                    CmpOp::IsNull => format!("{c}.is_null()"),
                    CmpOp::NotNull => format!("{c}.is_not_null()"),
                    CmpOp::In => any_of(),
                    CmpOp::NotIn => format!("~{}", any_of()),
                    CmpOp::Contains => format!("{c}.str.contains({text}, literal=True)"),
                    CmpOp::StartsWith => format!("{c}.str.starts_with({text})"),
                    CmpOp::EndsWith => format!("{c}.str.ends_with({text})"),
                }
            }
        }
    }
}

/// A JSON value fits a column of this type.
fn value_fits(v: &Value, dt: &DataType, column: &str, param: &str) -> Result<(), Problem> {
    let ok = match v {
        Value::Number(_) => dt.is_primitive_numeric(),
        Value::String(_) => *dt == DataType::String || dt.is_temporal(),
        Value::Bool(_) => *dt == DataType::Boolean,
        Value::Null => false,
        _ => false,
    };
    if ok { Ok(()) } else { Err(bad(param, &format!("the value {v} cannot be compared with column {column:?}, which is {dt}"))) }
}

/// A literal; dates and times are given as text and cast to the column's type.
pub fn value_expr(v: &Value, temporal: Option<DataType>) -> Expr {
    let e = json_lit(v);
    // Text parsed as the column's type (ISO 8601), the way `str.to_date` reads it in Python too.
    match temporal {
        Some(DataType::Date) => e.str().to_date(StrptimeOptions::default()),
        Some(dt @ DataType::Datetime(..)) => e.str().to_datetime(None, None, StrptimeOptions::default(), lit("raise")).cast(dt),
        Some(dt) => e.cast(dt),
        None => e,
    }
}

fn value_py(v: &Value, temporal: Option<&DataType>) -> String {
    match temporal {
        Some(DataType::Date) => format!("pl.lit({}).str.to_date()", py::v(v)),
        Some(dt @ DataType::Datetime(..)) => format!("pl.lit({}).str.to_datetime().cast({})", py::v(v), py::dtype(dt)),
        Some(dt) => format!("pl.lit({}).cast({})", py::v(v), py::dtype(dt)),
        None => format!("pl.lit({})", py::v(v)),
    }
}

/// A JSON scalar as a polars literal: integers as Int64, other numbers as Float64.
pub fn json_lit(v: &Value) -> Expr {
    match v {
        Value::Bool(b) => lit(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => lit(i),
            None => lit(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => lit(s.clone()),
        _ => lit(NULL),
    }
}
