//! The operator catalogue for people and generated forms: each operator's group, label and parameters
//! (kind, default, choices, the column types a picker offers). A test checks every operator has an
//! entry and that each entry's parameters are exactly the ones its operator accepts.

use cairn_types::{DType, OpParam, OpParamKind as K, OpSpec};
use serde_json::{Value, json};

use crate::ops;

const NUM: &[DType] = &[DType::Int, DType::Float];
const TEXT: &[DType] = &[DType::String];
const DATES: &[DType] = &[DType::Date, DType::Datetime];
const ANY: &[DType] = &[DType::Int, DType::Float, DType::Bool, DType::String, DType::Date, DType::Datetime, DType::Other];
const CATS: &[DType] = &[DType::String, DType::Int, DType::Bool];

/// The first letter in upper case: a form's label.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// A parameter under construction.
struct P(OpParam);

fn p(name: &str, kind: K, help: &str) -> P {
    P(OpParam {
        name: name.into(),
        label: capitalised(&name.replace('_', " ")),
        kind,
        required: true,
        default: Value::Null,
        choices: Vec::new(),
        column_types: Vec::new(),
        when: Vec::new(),
        help: help.into(),
    })
}

impl P {
    /// Optional, with this default (null: none).
    fn or(mut self, default: Value) -> P {
        self.0.required = false;
        self.0.default = default;
        self
    }
    fn choices(mut self, c: &[&str]) -> P {
        self.0.choices = c.iter().map(|s| s.to_string()).collect();
        self
    }
    fn types(mut self, t: &[DType]) -> P {
        self.0.column_types = t.to_vec();
        self
    }
    /// Shown only when `param` is one of `values`.
    fn when(mut self, param: &str, values: &[&str]) -> P {
        self.0.when = std::iter::once(param).chain(values.iter().copied()).map(String::from).collect();
        self
    }
    fn label(mut self, l: &str) -> P {
        self.0.label = l.into();
        self
    }
}

/// An operator's entry: (name, group, label, offered for these column types, parameters).
type Entry = (&'static str, &'static str, &'static str, &'static [DType], Vec<P>);

fn table() -> Vec<Entry> {
    let columns = |h: &str| p("columns", K::Columns, h);
    let column = |h: &str| p("column", K::Column, h);
    let new_name = |h: &str| p("name", K::NewColumn, h).label("New column");
    let opt_name = || p("name", K::NewColumn, "the new column's name; empty replaces the column").label("New column").or(Value::Null);
    vec![
        ("select", "columns", "Keep columns", &[], vec![columns("the columns to keep, in this order")]),
        ("drop", "columns", "Drop columns", ANY, vec![columns("the columns to remove")]),
        ("rename", "columns", "Rename columns", ANY, vec![p("mapping", K::Mapping, "old name → new name")]),
        ("reorder", "columns", "Move columns first", &[], vec![columns("these come first; the rest follow")]),
        ("duplicate", "columns", "Duplicate a column", ANY, vec![column("the column to copy"), new_name("the copy's name")]),
        (
            "cast",
            "columns",
            "Change type",
            ANY,
            vec![
                columns("the columns to convert"),
                p("to", K::Choice, "the new type").label("New type").choices(&["int64", "float64", "string", "bool", "date", "datetime"]),
                p("format", K::Text, "strftime format for text dates, e.g. %d/%m/%Y (ISO 8601 when empty)")
                    .label("Date format")
                    .or(Value::Null)
                    .when("to", &["date", "datetime"]),
                p("on_error", K::Choice, "values that do not convert: refuse the flow, or make them missing")
                    .label("Values that fail")
                    .choices(&["error", "null"])
                    .or(json!("error")),
            ],
        ),
        ("filter", "rows", "Filter rows", ANY, vec![p("keep", K::Condition, "keep the rows where this holds").label("Keep rows where")]),
        (
            "sort",
            "rows",
            "Sort rows",
            ANY,
            vec![
                columns("sort by these columns, in this order").label("Sort by"),
                p("descending", K::Bools, "descending, per column").or(json!([])),
                p("nulls_last", K::Bool, "missing values last").label("Missing last").or(json!(false)),
            ],
        ),
        (
            "dedupe",
            "rows",
            "Remove duplicates",
            &[],
            vec![
                columns("rows are duplicates when these are equal (all columns when empty)").or(json!([])),
                p("keep_last", K::Bool, "keep the last of each duplicate instead of the first").label("Keep the last").or(json!(false)),
            ],
        ),
        (
            "limit",
            "rows",
            "Keep a range of rows",
            &[],
            vec![p("rows", K::Integer, "how many rows"), p("offset", K::Integer, "rows to skip first").label("Skip").or(json!(0))],
        ),
        (
            "sample",
            "rows",
            "Sample rows",
            &[],
            vec![
                p("fraction", K::Number, "share of rows to keep, between 0 and 1"),
                p("seed", K::Integer, "the random seed").or(json!(42)),
                p("stratify", K::Column, "keep the fraction within each value of this column")
                    .label("Stratify on")
                    .types(CATS)
                    .or(Value::Null),
            ],
        ),
        (
            "mark_missing",
            "missing",
            "Treat values as missing",
            TEXT,
            vec![
                p("values", K::Texts, "text values that mean missing, e.g. ? or N/A").label("Missing markers"),
                columns("text columns to look in (every text column when empty)").types(TEXT).or(json!([])),
            ],
        ),
        (
            "drop_missing",
            "missing",
            "Drop rows with missing values",
            ANY,
            vec![columns("columns to look in (any column when empty)").or(json!([]))],
        ),
        (
            "fill_missing",
            "missing",
            "Fill missing values",
            ANY,
            vec![
                columns("columns to fill"),
                p("strategy", K::Choice, "a constant, or a statistic of the fit rows")
                    .label("Fill with")
                    .choices(&["mode", "mean", "median", "constant"]),
                p("value", K::Value, "the constant").label("Constant").or(Value::Null).when("strategy", &["constant"]),
            ],
        ),
        (
            "fill_forward",
            "missing",
            "Fill down",
            ANY,
            vec![columns("columns to fill"), p("limit", K::Integer, "at most this many in a row (no limit when empty)").or(Value::Null)],
        ),
        (
            "fill_backward",
            "missing",
            "Fill up",
            ANY,
            vec![columns("columns to fill"), p("limit", K::Integer, "at most this many in a row (no limit when empty)").or(Value::Null)],
        ),
        (
            "missing_indicator",
            "missing",
            "Flag missing values",
            ANY,
            vec![columns("a 0/1 column for each of these"), p("suffix", K::Text, "added to each column's name").or(json!("_missing"))],
        ),
        (
            "derive",
            "derive",
            "New column from a condition",
            ANY,
            vec![
                new_name("the new column's name"),
                p("when", K::Condition, "true where this holds").label("True when"),
                p("as_int", K::Bool, "1/0 instead of true/false").label("As 1/0").or(json!(false)),
            ],
        ),
        (
            "formula",
            "derive",
            "Formula (SQL expression)",
            ANY,
            vec![
                new_name("the new column's name (an existing one is replaced)"),
                p(
                    "expr",
                    K::Text,
                    "a SQL expression, e.g. num_medications / (time_in_hospital + 1) or CASE WHEN age > 60 THEN 'old' ELSE 'young' END",
                )
                .label("Expression"),
            ],
        ),
        (
            "one_hot",
            "encode",
            "One-hot encode",
            CATS,
            vec![
                column("a 0/1 column per category"),
                p("max_categories", K::Integer, "refuse a column with more categories than this").label("At most categories").or(json!(50)),
                p("drop_original", K::Bool, "remove the column itself").label("Drop the column").or(json!(true)),
            ],
        ),
        (
            "ordinal_encode",
            "encode",
            "Ordinal encode",
            CATS,
            vec![
                column("categories to 0, 1, 2 …"),
                p("order", K::Values, "the categories in order (sorted when empty)").or(json!([])),
                opt_name(),
            ],
        ),
        ("frequency_encode", "encode", "Frequency encode", CATS, vec![column("categories to their share of rows"), opt_name()]),
        (
            "group_rare",
            "encode",
            "Group rare categories",
            TEXT,
            vec![
                column("a text column").types(TEXT),
                p("min_share", K::Number, "categories rarer than this share become the grouped category")
                    .label("Least share")
                    .or(json!(0.01)),
                p("other", K::Text, "the name of the grouped category").label("Grouped as").or(json!("Other")),
            ],
        ),
        (
            "target_encode",
            "encode",
            "Target encode",
            CATS,
            vec![
                column("categories to the mean target"),
                p("target", K::Column, "a numeric or 0/1 target").types(&[DType::Int, DType::Float, DType::Bool]),
                p("smoothing", K::Number, "pull rare categories towards the overall mean").or(json!(10.0)),
                opt_name(),
            ],
        ),
        (
            "scale",
            "numeric",
            "Scale",
            NUM,
            vec![
                columns("numeric columns").types(NUM),
                p("method", K::Choice, "standard: mean 0, sd 1; minmax: 0..1; robust: median and IQR")
                    .choices(&["standard", "minmax", "robust"]),
            ],
        ),
        (
            "log",
            "numeric",
            "Log transform",
            NUM,
            vec![columns("numeric columns").types(NUM), p("offset", K::Number, "added before the log").or(json!(1.0))],
        ),
        (
            "bin",
            "numeric",
            "Bin",
            NUM,
            vec![
                columns("numeric columns").types(NUM),
                p("method", K::Choice, "equal-count (quantile) or equal-width bins").choices(&["quantile", "width"]),
                p("bins", K::Integer, "how many bins").or(json!(4)),
            ],
        ),
        (
            "round",
            "numeric",
            "Round",
            &[DType::Float],
            vec![columns("numeric columns").types(NUM), p("decimals", K::Integer, "decimal places").or(json!(0))],
        ),
        (
            "outliers",
            "numeric",
            "Handle outliers",
            NUM,
            vec![
                columns("numeric columns").types(NUM),
                p("method", K::Choice, "fences: mean ± k·sd, quartiles ± k·IQR, or the k and 1-k quantiles")
                    .choices(&["iqr", "std", "quantile"]),
                p("k", K::Number, "the fence width (default 1.5 for iqr, 3 for std, 0.01 for quantile)")
                    .label("Fence width")
                    .or(Value::Null),
                p("action", K::Choice, "clip values to the fences, or remove the rows").choices(&["clip", "remove"]),
            ],
        ),
        ("trim", "text", "Trim whitespace", TEXT, vec![columns("text columns").types(TEXT)]),
        (
            "case",
            "text",
            "Change case",
            TEXT,
            vec![columns("text columns").types(TEXT), p("to", K::Choice, "lower or upper case").label("To").choices(&["lower", "upper"])],
        ),
        (
            "replace_text",
            "text",
            "Replace text",
            TEXT,
            vec![
                columns("text columns").types(TEXT),
                p("pattern", K::Text, "a regular expression (or plain text when literal)"),
                p("replacement", K::Text, "$1 inserts the first group").or(json!("")),
                p("literal", K::Bool, "the pattern is plain text").label("Plain text").or(json!(false)),
            ],
        ),
        (
            "extract_text",
            "text",
            "Extract with a pattern",
            TEXT,
            vec![
                column("a text column").types(TEXT),
                p("pattern", K::Text, "a regular expression with a group"),
                p("group", K::Integer, "which group").or(json!(1)),
                new_name("the new column's name"),
            ],
        ),
        (
            "split_text",
            "text",
            "Split text",
            TEXT,
            vec![
                column("a text column").types(TEXT),
                p("by", K::Text, "the separator").label("Separator"),
                p("index", K::Integer, "which part (0 is the first; -1 the last)").label("Part"),
                new_name("the new column's name"),
            ],
        ),
        ("text_length", "text", "Text length", TEXT, vec![column("a text column").types(TEXT), new_name("the new column's name")]),
        (
            "date_parts",
            "dates",
            "Date parts",
            DATES,
            vec![
                column("a date or datetime column").types(DATES),
                p("parts", K::Choices, "a new column for each").choices(&[
                    "year",
                    "quarter",
                    "month",
                    "day",
                    "weekday",
                    "ordinal_day",
                    "hour",
                    "minute",
                ]),
            ],
        ),
        (
            "cyclic_encode",
            "dates",
            "Cyclic encode",
            NUM,
            vec![column("a numeric column (month, weekday, hour)").types(NUM), p("period", K::Number, "the cycle's length: 12, 7, 24 …")],
        ),
        (
            "date_diff",
            "dates",
            "Time between dates",
            DATES,
            vec![
                p("start", K::Column, "the earlier date").label("From").types(DATES),
                p("end", K::Column, "the later date").label("To").types(DATES),
                p("unit", K::Choice, "whole days, hours or seconds").choices(&["days", "hours", "seconds"]).or(json!("days")),
                new_name("the new column's name"),
            ],
        ),
        (
            "split",
            "split",
            "Train/test split",
            CATS,
            vec![
                p("kind", K::Choice, "random, stratified (same class shares in both parts) or by time")
                    .choices(&["random", "stratified", "time"])
                    .or(json!("random")),
                p("test_fraction", K::Number, "share of rows in the test part, between 0 and 1").or(json!(0.2)),
                p("seed", K::Integer, "the random seed").or(json!(42)),
                p("stratify", K::Column, "keep this column's class shares in both parts")
                    .label("Stratify on")
                    .types(CATS)
                    .when("kind", &["stratified"]),
                p("time_column", K::Column, "the latest rows are the test part").when("kind", &["time"]),
                p("column", K::NewColumn, "the new column saying train or test").label("New column").or(json!("split")),
            ],
        ),
        (
            "join",
            "combine",
            "Join",
            &[],
            vec![
                p("source", K::Source, "another source of the flow"),
                p("how", K::Choice, "which rows to keep")
                    .label("Join kind")
                    .choices(&["inner", "left", "right", "full", "semi", "anti", "cross"]),
                p("on", K::Columns, "key columns with the same name on both sides").label("Keys").or(json!([])),
                p("left_on", K::Columns, "or: keys on this side").label("Keys here").or(json!([])),
                p("right_on", K::Texts, "and the matching keys on the other side").label("Keys there").or(json!([])),
                p("suffix", K::Text, "added to the other side's clashing names").or(json!("_right")),
            ],
        ),
        ("concat", "combine", "Append rows", &[], vec![p("sources", K::Sources, "sources with the same columns")]),
        (
            "group_by",
            "combine",
            "Group and aggregate",
            &[],
            vec![
                p("by", K::Columns, "a row per combination of these").label("Group by"),
                p("aggs", K::Aggregations, "one column per aggregation").label("Aggregations"),
            ],
        ),
        (
            "pivot",
            "reshape",
            "Pivot (long to wide)",
            &[],
            vec![
                p("index", K::Columns, "a row per value of these").label("Rows"),
                p("on", K::Column, "a column per value of this").label("Columns from"),
                p("values", K::Column, "the cells").label("Cells"),
                p("agg", K::Choice, "how cells with several values are combined")
                    .label("Combine by")
                    .choices(&["first", "sum", "mean", "min", "max", "count"])
                    .or(json!("first")),
                p("max_columns", K::Integer, "refuse more new columns than this").label("At most columns").or(json!(100)),
            ],
        ),
        (
            "unpivot",
            "reshape",
            "Unpivot (wide to long)",
            &[],
            vec![
                p("index", K::Columns, "columns kept on every row").label("Keep"),
                p("on", K::Columns, "columns turned into rows").label("Into rows"),
                p("variable_name", K::Text, "the new column of former column names").label("Names column").or(json!("variable")),
                p("value_name", K::Text, "the new column of values").label("Values column").or(json!("value")),
            ],
        ),
    ]
}

/// Every operator with its form, in palette order.
pub fn catalog() -> Vec<OpSpec> {
    let table = table();
    ops::all()
        .iter()
        .map(|op| {
            let entry = table.iter().find(|e| e.0 == op.name());
            let (group, label, for_columns, params) = match entry {
                Some((_, g, l, t, ps)) => (g.to_string(), l.to_string(), t.to_vec(), ps.iter().map(|p| p.0.clone()).collect()),
                None => ("other".into(), op.name().into(), Vec::new(), Vec::new()),
            };
            OpSpec {
                name: op.name().into(),
                label,
                group,
                version: op.version(),
                fits: op.fits(),
                doc: form_doc(op.doc(), &params),
                params,
                for_columns,
            }
        })
        .collect()
}

/// An operator's doc as its form shows it: the parameters it names (in backticks, or snake_case names) by
/// their labels.
fn form_doc(doc: &str, params: &[OpParam]) -> String {
    let mut out = doc.to_string();
    for p in params {
        let label = format!("“{}”", p.label);
        out = out.replace(&format!("`{}`", p.name), &label);
        if p.name.contains('_') {
            out = out.replace(&p.name, &label);
        }
    }
    out
}

/// The catalogue, built once: messages look labels up in it.
fn cached() -> &'static [OpSpec] {
    static CATALOG: std::sync::OnceLock<Vec<OpSpec>> = std::sync::OnceLock::new();
    CATALOG.get_or_init(catalog)
}

/// The operator's name as the palette shows it (its name when it has no entry).
pub(crate) fn op_label(op: &str) -> &str {
    cached().iter().find(|o| o.name == op).map_or(op, |o| o.label.as_str())
}

/// The label the operator's form gives this parameter, if it is one of its parameters.
pub(crate) fn field_label(op: &str, param: &str) -> Option<&'static str> {
    let spec = cached().iter().find(|o| o.name == op)?;
    spec.params.iter().find(|p| p.name == param).map(|p| p.label.as_str())
}

/// The labels of the operator's form, in its order.
pub(crate) fn field_labels(op: &str) -> Vec<&'static str> {
    cached().iter().find(|o| o.name == op).map(|o| o.params.iter().map(|p| p.label.as_str()).collect()).unwrap_or_default()
}

/// Operators without a catalogue entry (a test keeps this empty).
pub fn missing_from_catalog() -> Vec<&'static str> {
    let table = table();
    ops::all().iter().map(|o| o.name()).filter(|n| !table.iter().any(|e| e.0 == *n)).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use polars::prelude::*;

    use super::*;
    use crate::error::Problem;

    fn sample(p: &OpParam) -> Value {
        let first = p.choices.first().cloned().unwrap_or_default();
        match p.kind {
            K::Column | K::Text | K::Value | K::Source => json!("a"),
            K::NewColumn => json!("fresh"),
            K::Columns | K::Texts | K::Values | K::Sources => json!(["a"]),
            K::Number => json!(0.5),
            K::Integer => json!(1),
            K::Bool => json!(false),
            K::Bools => json!([false]),
            K::Choice => json!(first),
            K::Choices => json!([first]),
            K::Condition => json!({"column": "a", "op": "is_null"}),
            K::Mapping => json!({"a": "b"}),
            K::Aggregations => json!([{"column": "a", "agg": "count"}]),
        }
    }

    /// serde's words for parameters that do not match the operator's parameter type.
    fn shape_error(e: &Problem) -> bool {
        let m = e.to_string();
        ["unknown field", "missing field", "invalid type", "unknown variant"].iter().any(|w| m.contains(w))
    }

    #[test]
    fn every_operator_has_a_form_matching_its_parameters() {
        assert!(missing_from_catalog().is_empty(), "{:?}", missing_from_catalog());
        let schema = Schema::from_iter([Field::new("a".into(), DataType::String)]);
        let sources = HashMap::new();
        let ctx = ops::Ctx { sources: &sources };
        for spec in catalog() {
            let op = ops::find(&spec.name).unwrap();
            let all: serde_json::Map<String, Value> = spec.params.iter().map(|p| (p.name.clone(), sample(p))).collect();
            let required: serde_json::Map<String, Value> =
                spec.params.iter().filter(|p| p.required).map(|p| (p.name.clone(), sample(p))).collect();
            for params in [Value::Object(all), Value::Object(required)] {
                if let Err(e) = op.validate(&params, &schema, &ctx) {
                    assert!(!shape_error(&e), "{}: the form's parameters {params} do not fit: {e}", spec.name);
                }
            }
            for p in spec.params.iter().filter(|p| !p.required && !p.default.is_null()) {
                let mut params: serde_json::Map<String, Value> =
                    spec.params.iter().filter(|p| p.required).map(|p| (p.name.clone(), sample(p))).collect();
                params.insert(p.name.clone(), p.default.clone());
                if let Err(e) = op.validate(&Value::Object(params), &schema, &ctx) {
                    assert!(!shape_error(&e), "{}: default of {} does not fit: {e}", spec.name, p.name);
                }
            }
        }
    }
}
