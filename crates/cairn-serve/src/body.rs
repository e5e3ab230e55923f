//! Request bodies to a table of cells: CSV (with a header, or SageMaker-style without one in the model's
//! feature order) and MLflow's JSON shapes (`dataframe_split`, `dataframe_records`, `instances`,
//! `inputs`). A cell is text as it would stand in a CSV file: JSON numbers as JSON writes them, booleans
//! as `true`/`false`, null as an empty cell, so a JSON request answers what the same rows in a file do.

use std::borrow::Cow;

use cairn_types::ErrorCode;
use serde_json::Value;

use crate::http::Failure;

/// A cell's text; `None` is a missing cell (JSON null, or a key a record lacks).
pub(crate) type Cell<'a> = Option<Cow<'a, str>>;

/// A CSV record's fields, with the line it starts on.
type Record<'a> = (usize, Vec<Cow<'a, str>>);

/// Columns of cells, by name.
pub(crate) struct Table<'a> {
    pub names: Vec<Cow<'a, str>>,
    /// Column-major: `columns[c][r]`.
    pub columns: Vec<Vec<Cell<'a>>>,
    pub rows: usize,
}

impl<'a> Table<'a> {
    /// The column called `name` (the first, when several are).
    pub fn column(&self, name: &str) -> Option<&[Cell<'a>]> {
        self.names.iter().position(|n| n == name).map(|i| self.columns[i].as_slice())
    }

    /// Rows given as lists of values, in the model's feature order.
    fn positional(rows: Vec<Vec<Cell<'a>>>, features: &[String], what: &str) -> Result<Table<'a>, Failure> {
        let mut columns = vec![Vec::with_capacity(rows.len()); features.len()];
        let n = rows.len();
        for (r, row) in rows.into_iter().enumerate() {
            if row.len() != features.len() {
                return Err(Failure::bad(
                    ErrorCode::RaggedRows,
                    format!(
                        "{what} {} has {} values; the model takes {} features: {}",
                        r + 1,
                        row.len(),
                        features.len(),
                        features.join(", ")
                    ),
                    "give one value per feature, in this order, or name the columns",
                ));
            }
            for (c, cell) in row.into_iter().enumerate() {
                columns[c].push(cell);
            }
        }
        Ok(Table { names: features.iter().map(|f| Cow::Owned(f.clone())).collect(), columns, rows: n })
    }
}

/// The two formats `/invocations` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Json,
}

/// The format of a `Content-Type`, as MLflow reads it: `text/csv` or `application/json`, with no
/// parameter but a UTF-8 `charset`; anything else is 415.
pub(crate) fn format_of(content_type: Option<&str>) -> Result<Format, Failure> {
    let unsupported =
        |message: String| Failure::new(415, ErrorCode::UnsupportedMediaType, message).hint("send text/csv or application/json (UTF-8)");
    let Some(ct) = content_type else {
        return Err(unsupported("the request has no Content-Type; this endpoint reads text/csv and application/json".into()));
    };
    let mut parts = ct.split(';').map(str::trim);
    let mime = parts.next().unwrap_or("").to_ascii_lowercase();
    for p in parts.filter(|p| !p.is_empty()) {
        let (key, value) = p.split_once('=').unwrap_or((p, ""));
        if !key.trim().eq_ignore_ascii_case("charset") {
            return Err(unsupported(format!("unrecognized content type parameter '{}' in '{ct}'", key.trim())));
        }
        let charset = value.trim().trim_matches('"').to_ascii_lowercase();
        if charset != "utf-8" {
            return Err(unsupported(format!("the charset '{charset}' is not supported: this endpoint reads UTF-8 only")));
        }
    }
    match mime.as_str() {
        "text/csv" => Ok(Format::Csv),
        "application/json" => Ok(Format::Json),
        _ => Err(unsupported(format!("this endpoint reads text/csv and application/json, not '{ct}'"))),
    }
}

/// The body as text: UTF-8 (a byte-order mark is dropped), not empty.
pub(crate) fn text(body: &[u8]) -> Result<&str, Failure> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let text = std::str::from_utf8(body).map_err(|e| {
        Failure::bad(
            ErrorCode::BadEncoding,
            format!("the request body is not valid UTF-8 (at byte {})", e.valid_up_to()),
            "encode the body as UTF-8",
        )
    })?;
    if text.trim().is_empty() {
        return Err(Failure::bad(ErrorCode::BadRequest, "the request body is empty".into(), "send at least one row"));
    }
    Ok(text)
}

/// Splits CSV text into records (comma-separated, `"`-quoted with doubled quotes inside; blank lines
/// skipped), each with the line it starts on.
fn records(text: &str) -> Result<Vec<Record<'_>>, Failure> {
    let b = text.as_bytes();
    let n = b.len();
    let (mut i, mut line) = (0usize, 1usize);
    let mut out = Vec::new();
    loop {
        while i < n && (b[i] == b'\n' || (b[i] == b'\r' && i + 1 < n && b[i + 1] == b'\n')) {
            i += if b[i] == b'\r' { 2 } else { 1 };
            line += 1;
        }
        if i >= n {
            return Ok(out);
        }
        let start_line = line;
        let mut fields = Vec::new();
        loop {
            if i < n && b[i] == b'"' {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                let close = loop {
                    match b[j.min(n)..].iter().position(|&c| c == b'"') {
                        None => {
                            return Err(Failure::bad(
                                ErrorCode::ParseError,
                                format!("line {start_line}: a quoted field is never closed"),
                                "close the quote; a quote inside a quoted field is written twice",
                            ));
                        }
                        Some(k) if j + k + 1 < n && b[j + k + 1] == b'"' => {
                            escaped = true;
                            j += k + 2;
                        }
                        Some(k) => break j + k,
                    }
                };
                line += b[start..close].iter().filter(|&&c| c == b'\n').count();
                let raw = &text[start..close];
                fields.push(if escaped { Cow::Owned(raw.replace("\"\"", "\"")) } else { Cow::Borrowed(raw) });
                let k = close + 1;
                if k >= n {
                    i = n;
                    break;
                }
                match b[k] {
                    b',' => i = k + 1,
                    b'\n' => {
                        i = k + 1;
                        line += 1;
                        break;
                    }
                    b'\r' if k + 1 == n || b[k + 1] == b'\n' => {
                        i = (k + 2).min(n);
                        line += 1;
                        break;
                    }
                    _ => {
                        return Err(Failure::bad(
                            ErrorCode::ParseError,
                            format!("line {line}: a quoted field has text after its closing quote"),
                            "a quote inside a quoted field must be doubled",
                        ));
                    }
                }
            } else {
                let start = i;
                let stop = b[i..].iter().position(|&c| c == b',' || c == b'\n').map_or(n, |p| i + p);
                let end = if (stop == n || b[stop] == b'\n') && stop > start && b[stop - 1] == b'\r' { stop - 1 } else { stop };
                fields.push(Cow::Borrowed(&text[start..end]));
                if stop == n {
                    i = n;
                    break;
                }
                i = stop + 1;
                if b[stop] == b'\n' {
                    line += 1;
                    break;
                }
            }
        }
        out.push((start_line, fields));
    }
}

/// A CSV body. Its first line is a header when one of its fields names a feature; otherwise every line
/// is a row of values in the model's feature order (as SageMaker's built-in algorithms read CSV).
pub(crate) fn csv<'a>(text: &'a str, features: &[String]) -> Result<Table<'a>, Failure> {
    let mut recs = records(text)?;
    let is_header = recs.first().is_some_and(|(_, first)| first.iter().any(|f| features.iter().any(|name| name == f.trim())));
    if !is_header {
        let rows: Vec<Vec<Cell<'a>>> = recs.into_iter().map(|(_, fields)| fields.into_iter().map(Some).collect()).collect();
        return Table::positional(rows, features, "the CSV body has no header line (no field names a feature), and its row");
    }
    let (_, header) = recs.remove(0);
    if recs.is_empty() {
        return Err(Failure::bad(ErrorCode::BadRequest, "the CSV body has a header but no rows".into(), "send at least one row"));
    }
    let mut columns = vec![Vec::with_capacity(recs.len()); header.len()];
    let rows = recs.len();
    for (line, fields) in recs {
        if fields.len() != header.len() {
            return Err(Failure::bad(
                ErrorCode::RaggedRows,
                format!("line {line} has {} fields, the header has {}", fields.len(), header.len()),
                "give every row one value per header column (empty for a missing value)",
            ));
        }
        for (c, f) in fields.into_iter().enumerate() {
            columns[c].push(Some(f));
        }
    }
    let names = header.into_iter().map(|h| trimmed(h)).collect();
    Ok(Table { names, columns, rows })
}

fn trimmed(c: Cow<'_, str>) -> Cow<'_, str> {
    match c {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    }
}

/// The keys of MLflow's scoring protocol; a body holds exactly one.
const SHAPES: [&str; 4] = ["dataframe_split", "dataframe_records", "instances", "inputs"];

fn shape_error(message: String) -> Failure {
    Failure::bad(
        ErrorCode::BadRequest,
        message,
        "send {\"dataframe_split\": {\"columns\": [...], \"data\": [[...]]}}, {\"dataframe_records\": [{...}]}, {\"instances\": [...]} or {\"inputs\": ...}",
    )
}

/// A JSON body in one of MLflow's shapes (`params` and other keys are ignored).
pub(crate) fn json<'a>(value: &'a Value, features: &[String]) -> Result<Table<'a>, Failure> {
    let Value::Object(map) = value else {
        let got = if value.is_array() { "a list" } else { "a JSON value that is not an object" };
        return Err(shape_error(format!("the body is {got}; it must be an object with exactly one of {}", SHAPES.join(", "))));
    };
    let present: Vec<&str> = SHAPES.iter().copied().filter(|k| map.contains_key(*k)).collect();
    let [key] = present.as_slice() else {
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        return Err(shape_error(format!(
            "the body must hold exactly one of {}; it has the fields [{}]",
            SHAPES.join(", "),
            keys.join(", ")
        )));
    };
    let data = &map[*key];
    match *key {
        "dataframe_split" => split(data, features),
        "dataframe_records" => match data {
            Value::Array(items) => records_of(items, key, features),
            _ => Err(shape_error("dataframe_records must be a list of objects (one per row)".into())),
        },
        _ => match data {
            Value::Array(items) => records_of(items, key, features),
            Value::Object(cols) => columnar(cols, key),
            _ => Err(shape_error(format!("{key} must be a list of rows or an object of columns"))),
        },
    }
}

/// A JSON value as a cell.
pub(crate) fn cell<'a>(v: &'a Value, row: usize, column: &str) -> Result<Cell<'a>, Failure> {
    Ok(match v {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Array(_) | Value::Object(_) => {
            return Err(Failure::bad(
                ErrorCode::TypeMismatch,
                format!("row {}, column '{column}': a value must be a string, number, boolean or null, not {v}", row + 1),
                "send one value per cell",
            ));
        }
    })
}

/// `{"columns": [...], "data": [[...], ...]}` (without `columns`, rows are in feature order).
fn split<'a>(data: &'a Value, features: &[String]) -> Result<Table<'a>, Failure> {
    let rows = match data.get("data") {
        Some(Value::Array(rows)) => rows,
        _ => return Err(shape_error("dataframe_split must hold \"data\": a list of rows".into())),
    };
    let names: Vec<Cow<'a, str>> = match data.get("columns") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(cols)) => cols
            .iter()
            .map(|c| match c {
                Value::String(s) => Ok(Cow::Borrowed(s.as_str())),
                other => Ok(Cow::Owned(other.to_string())),
            })
            .collect::<Result<_, Failure>>()?,
        Some(_) => return Err(shape_error("dataframe_split's \"columns\" must be a list of column names".into())),
    };
    let width = if names.is_empty() { features.len() } else { names.len() };
    let mut table: Vec<Vec<Cell<'a>>> = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        let Value::Array(values) = row else {
            return Err(shape_error(format!("dataframe_split's row {} is not a list of values", r + 1)));
        };
        let column = |c: usize| names.get(c).map_or_else(|| features.get(c).cloned().unwrap_or_default(), |n| n.to_string());
        table.push(values.iter().enumerate().map(|(c, v)| cell(v, r, &column(c))).collect::<Result<_, _>>()?);
        if !names.is_empty() && values.len() != width {
            return Err(Failure::bad(
                ErrorCode::RaggedRows,
                format!("dataframe_split's row {} has {} values for {} columns", r + 1, values.len(), width),
                "give every row one value per column",
            ));
        }
    }
    if names.is_empty() {
        return Table::positional(table, features, "dataframe_split (without columns) row");
    }
    let n = table.len();
    let mut columns = vec![Vec::with_capacity(n); width];
    for row in table {
        for (c, v) in row.into_iter().enumerate() {
            columns[c].push(v);
        }
    }
    Ok(Table { names, columns, rows: n })
}

/// A list of rows: objects (records, by column name) or lists (values in feature order).
fn records_of<'a>(items: &'a [Value], key: &str, features: &[String]) -> Result<Table<'a>, Failure> {
    if items.is_empty() {
        return Err(Failure::bad(ErrorCode::BadRequest, format!("{key} holds no rows"), "send at least one row"));
    }
    if items.iter().all(Value::is_array) {
        let rows = items
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let values = row.as_array().map(Vec::as_slice).unwrap_or_default();
                values.iter().enumerate().map(|(c, v)| cell(v, r, features.get(c).map_or("", String::as_str))).collect()
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        return Table::positional(rows, features, &format!("{key}'s row"));
    }
    let mut names: Vec<Cow<'a, str>> = Vec::new();
    let mut columns: Vec<Vec<Cell<'a>>> = Vec::new();
    for (r, item) in items.iter().enumerate() {
        let Value::Object(rec) = item else {
            return Err(shape_error(format!("{key}'s row {} is neither an object of column values nor a list of values", r + 1)));
        };
        for (k, v) in rec {
            let c = match names.iter().position(|n| n == k) {
                Some(c) => c,
                None => {
                    names.push(Cow::Borrowed(k.as_str()));
                    columns.push(vec![None; r]);
                    names.len() - 1
                }
            };
            columns[c].push(cell(v, r, k)?);
        }
        // A key this record lacks is a missing value, as pandas reads records.
        columns.iter_mut().filter(|col| col.len() == r).for_each(|col| col.push(None));
    }
    Ok(Table { names, columns, rows: items.len() })
}

/// `{"column": [values...], ...}`, or `{"column": value, ...}` for one row.
fn columnar<'a>(cols: &'a serde_json::Map<String, Value>, key: &str) -> Result<Table<'a>, Failure> {
    let scalars = cols.values().all(|v| !v.is_array());
    let rows = if scalars { 1 } else { cols.values().map(|v| v.as_array().map_or(0, Vec::len)).max().unwrap_or(0) };
    let mut names = Vec::with_capacity(cols.len());
    let mut columns = Vec::with_capacity(cols.len());
    for (name, v) in cols {
        let values: Vec<Cell<'a>> = match v {
            Value::Array(items) if items.len() == rows => {
                items.iter().enumerate().map(|(r, x)| cell(x, r, name)).collect::<Result<_, _>>()?
            }
            _ if scalars => vec![cell(v, 0, name)?],
            _ => {
                return Err(Failure::bad(
                    ErrorCode::RaggedRows,
                    format!("{key}: the column '{name}' does not hold {rows} values like the longest column"),
                    "give every column the same number of values",
                ));
            }
        };
        names.push(Cow::Borrowed(name.as_str()));
        columns.push(values);
    }
    if rows == 0 {
        return Err(Failure::bad(ErrorCode::BadRequest, format!("{key} holds no rows"), "send at least one row"));
    }
    Ok(Table { names, columns, rows })
}

/// The JSON text with Python's non-standard number tokens made standard, as Python's `json` (and so
/// MLflow's scoring server) reads them: pandas writes a missing number as `NaN` (→ `null`, a missing cell);
/// `Infinity`/`-Infinity` become the texts "inf"/"-inf", which the model then refuses by name. Strings are
/// left alone. Borrowed when there is nothing to change (the common case costs one scan).
pub(crate) fn python_json(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    let (mut in_str, mut escaped) = (false, false);
    let mut out: Option<String> = None;
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        let token = [("NaN", "null"), ("-Infinity", "\"-inf\""), ("Infinity", "\"inf\"")]
            .into_iter()
            .find(|(t, _)| b[i..].starts_with(t.as_bytes()));
        match (c, token) {
            (b'"', _) => in_str = true,
            (_, Some((t, with))) => {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                o.push_str(&text[last..i]);
                o.push_str(with);
                i += t.len();
                last = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    match out {
        Some(mut o) => {
            o.push_str(&text[last..]);
            std::borrow::Cow::Owned(o)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod python_json_tests {
    #[test]
    fn nan_and_infinity_outside_strings() {
        let t = r#"{"a": [NaN, 1.5, Infinity, -Infinity], "s": "NaN \"Infinity\""}"#;
        let fixed = super::python_json(t);
        let v: serde_json::Value = serde_json::from_str(&fixed).unwrap_or_default();
        assert_eq!(v["a"], serde_json::json!([null, 1.5, "inf", "-inf"]));
        assert_eq!(v["s"], "NaN \"Infinity\"");
        assert!(matches!(super::python_json("[1, 2]"), std::borrow::Cow::Borrowed(_)));
    }
}
