//! Text operators: trim, case, regex replace/extract, split, length. Regular expressions are checked
//! when the step is validated, so a bad pattern is reported with its parameter before anything runs.

use polars::prelude::*;
use serde::Deserialize;

use super::{Ctx, TypedOp, bad, need_free, need_text};
use crate::error::Problem;
use crate::py;

pub struct Trim;
pub struct Case;
pub struct RegexReplace;
pub struct RegexExtract;
pub struct SplitPart;
pub struct Length;

fn texts(s: &Schema, columns: &[String]) -> Result<(), Problem> {
    if columns.is_empty() {
        return Err(bad("columns", "names no column"));
    }
    columns.iter().try_for_each(|c| need_text(s, "columns", c))
}

/// Compiles the pattern with polars' own regex engine on a one-row frame.
fn regex_ok(param: &str, pattern: &str) -> Result<(), Problem> {
    let df = DataFrame::new_infer_height(vec![Column::new("x".into(), [""])]).map_err(super::engine)?;
    df.lazy()
        .select([col("x").str().contains(lit(pattern), true)])
        .collect()
        .map(|_| ())
        .map_err(|e| bad(param, &format!("{pattern:?} is not a valid regular expression: {e}")))
}

fn each(columns: &[String], f: impl Fn(Expr) -> Expr) -> Vec<Expr> {
    columns.iter().map(|c| f(col(c.as_str())).alias(c.as_str())).collect()
}

fn each_py(columns: &[String], f: impl Fn(&str) -> String) -> String {
    let e: Vec<String> = columns.iter().map(|c| format!("pl.col({0}){1}.alias({0})", py::s(c), f(c))).collect();
    format!("df = df.with_columns({})", e.join(", "))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnsP {
    columns: Vec<String>,
}

impl TypedOp for Trim {
    type P = ColumnsP;
    type F = ();
    const NAME: &'static str = "trim";
    const DOC: &'static str = "remove leading and trailing whitespace: columns";
    fn validate(p: &ColumnsP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        texts(s, &p.columns)
    }
    fn apply(p: &ColumnsP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_columns(each(&p.columns, |e| e.str().strip_chars(lit(NULL)))))
    }
    fn python(p: &ColumnsP, _: &(), _: &Schema) -> String {
        each_py(&p.columns, |_| ".str.strip_chars()".into())
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Letters {
    Lower,
    Upper,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseP {
    columns: Vec<String>,
    to: Letters,
}

impl TypedOp for Case {
    type P = CaseP;
    type F = ();
    const NAME: &'static str = "case";
    const DOC: &'static str = "lower- or upper-case text: columns, to (lower|upper)";
    fn validate(p: &CaseP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        texts(s, &p.columns)
    }
    fn apply(p: &CaseP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_columns(each(&p.columns, |e| match p.to {
            Letters::Lower => e.str().to_lowercase(),
            Letters::Upper => e.str().to_uppercase(),
        })))
    }
    fn python(p: &CaseP, _: &(), _: &Schema) -> String {
        let m = match p.to {
            Letters::Lower => ".str.to_lowercase()",
            Letters::Upper => ".str.to_uppercase()",
        };
        each_py(&p.columns, |_| m.into())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaceP {
    columns: Vec<String>,
    pattern: String,
    /// `$1` refers to a capture group.
    #[serde(default)]
    replacement: String,
    /// The pattern is plain text, not a regular expression.
    #[serde(default)]
    literal: bool,
}

impl TypedOp for RegexReplace {
    type P = ReplaceP;
    type F = ();
    const NAME: &'static str = "replace_text";
    const DOC: &'static str = "replace every match of a pattern: columns, pattern, replacement ($1 for groups), literal";
    fn validate(p: &ReplaceP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        texts(s, &p.columns)?;
        if p.pattern.is_empty() {
            return Err(bad("pattern", "is empty"));
        }
        if p.literal { Ok(()) } else { regex_ok("pattern", &p.pattern) }
    }
    fn apply(p: &ReplaceP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_columns(each(&p.columns, |e| e.str().replace_all(lit(p.pattern.clone()), lit(p.replacement.clone()), p.literal))))
    }
    fn python(p: &ReplaceP, _: &(), _: &Schema) -> String {
        let lit = if p.literal { "True" } else { "False" };
        each_py(&p.columns, |_| format!(".str.replace_all({}, {}, literal={lit})", py::s(&p.pattern), py::s(&p.replacement)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractP {
    column: String,
    pattern: String,
    #[serde(default = "one")]
    group: usize,
    name: String,
}
fn one() -> usize {
    1
}

impl TypedOp for RegexExtract {
    type P = ExtractP;
    type F = ();
    const NAME: &'static str = "extract_text";
    const DOC: &'static str = "a capture group of the first match into a new column (missing if no match): column, pattern, group, name";
    fn validate(p: &ExtractP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_text(s, "column", &p.column)?;
        need_free(s, "name", &p.name)?;
        regex_ok("pattern", &p.pattern)
    }
    fn apply(p: &ExtractP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_column(col(p.column.as_str()).str().extract(lit(p.pattern.clone()), p.group).alias(p.name.as_str())))
    }
    fn python(p: &ExtractP, _: &(), _: &Schema) -> String {
        format!(
            "df = df.with_columns(pl.col({}).str.extract({}, {}).alias({}))",
            py::s(&p.column),
            py::s(&p.pattern),
            p.group,
            py::s(&p.name)
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitP {
    column: String,
    by: String,
    /// Which part (0 is the first; -1 the last); missing when there are fewer parts.
    index: i64,
    name: String,
}

impl TypedOp for SplitPart {
    type P = SplitP;
    type F = ();
    const NAME: &'static str = "split_text";
    const DOC: &'static str = "one part of text split by a separator into a new column: column, by, index, name";
    fn validate(p: &SplitP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_text(s, "column", &p.column)?;
        need_free(s, "name", &p.name)?;
        if p.by.is_empty() {
            return Err(bad("by", "is empty"));
        }
        Ok(())
    }
    fn apply(p: &SplitP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_column(col(p.column.as_str()).str().split(lit(p.by.clone())).list().get(lit(p.index), true).alias(p.name.as_str())))
    }
    fn python(p: &SplitP, _: &(), _: &Schema) -> String {
        format!(
            "df = df.with_columns(pl.col({}).str.split({}).list.get({}, null_on_oob=True).alias({}))",
            py::s(&p.column),
            py::s(&p.by),
            p.index,
            py::s(&p.name)
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LengthP {
    column: String,
    name: String,
}

impl TypedOp for Length {
    type P = LengthP;
    type F = ();
    const NAME: &'static str = "text_length";
    const DOC: &'static str = "number of characters into a new column: column, name";
    fn validate(p: &LengthP, s: &Schema, _: &Ctx) -> Result<(), Problem> {
        need_text(s, "column", &p.column)?;
        need_free(s, "name", &p.name)
    }
    fn apply(p: &LengthP, _: &(), lf: LazyFrame, _: &Ctx) -> Result<LazyFrame, Problem> {
        Ok(lf.with_column(col(p.column.as_str()).str().len_chars().alias(p.name.as_str())))
    }
    fn python(p: &LengthP, _: &(), _: &Schema) -> String {
        format!("df = df.with_columns(pl.col({}).str.len_chars().alias({}))", py::s(&p.column), py::s(&p.name))
    }
}
