//! Reads CSV text into a DataFrame with the types the scan inferred, one record-aligned block at a time
//! so that a large file shows progress and can be cancelled.

use std::io::Cursor;
use std::path::Path;

use cairn_types::DType;
use polars::prelude::*;

use crate::Observer;
use crate::columns::{Col, Guess};
use crate::error::DataError;
use crate::frame::polars_type;
use crate::infer::datetime_format;
use crate::scan::{ColumnScan, Dialect};

/// How each column is read by the parser, and what is done to it afterwards.
pub struct ReadPlan {
    pub names: Vec<String>,
    pub dtypes: Vec<DType>,
    /// Date/datetime layouts and padding, from the scan.
    pub scans: Vec<ColumnScan>,
}

fn parse_type(dtype: DType, scan: &ColumnScan) -> DataType {
    let as_text = scan.padded || scan.spaced_blanks;
    match dtype {
        DType::Int if !as_text => DataType::Int64,
        DType::Float if !as_text => DataType::Float64,
        DType::Bool if !as_text => DataType::Boolean,
        // Dates, and numbers with spaces around them or cells of only spaces, are read as text and
        // converted after.
        _ => DataType::String,
    }
}

/// The conversion applied after parsing, for columns the parser reads as text. Numbers with spaces, and
/// cells of only spaces, are text only for polars' parser (`text_numbers`); the one-pass builder trims
/// numbers and blanks those cells itself.
fn post_expr(name: &str, dtype: DType, scan: &ColumnScan, text_numbers: bool) -> Option<Expr> {
    let c = col(name);
    let blanks = scan.spaced_blanks && text_numbers;
    let is_blank = |e: Expr| e.str().strip_chars(lit(NULL)).eq(lit(""));
    let trimmed = || {
        let t = c.clone().str().strip_chars(lit(NULL));
        if blanks { when(t.clone().eq(lit(""))).then(lit(NULL).cast(DataType::String)).otherwise(t) } else { t }
    };
    match dtype {
        DType::Int | DType::Float if (scan.padded || scan.spaced_blanks) && text_numbers => {
            let target = if dtype == DType::Int { DataType::Int64 } else { DataType::Float64 };
            Some(trimmed().strict_cast(target))
        }
        // polars casts no text to booleans; the scan saw only true and false (any case) here.
        DType::Bool if (scan.padded || scan.spaced_blanks) && text_numbers => {
            let t = trimmed().str().to_lowercase();
            Some(
                when(t.clone().eq(lit("true")))
                    .then(lit(true))
                    .when(t.eq(lit("false")))
                    .then(lit(false))
                    .otherwise(lit(NULL).cast(DataType::Boolean)),
            )
        }
        DType::Date => Some(trimmed().str().to_date(strict("%Y-%m-%d"))),
        DType::Datetime => {
            let fmt = datetime_format(scan.layout).unwrap_or("%Y-%m-%d %H:%M:%S%.f");
            Some(trimmed().str().to_datetime(Some(TimeUnit::Milliseconds), None, strict(fmt), lit("raise")))
        }
        // Text keeps its spaces; only a cell of nothing but spaces becomes missing.
        DType::String if blanks => Some(when(is_blank(c.clone())).then(lit(NULL).cast(DataType::String)).otherwise(c)),
        _ => None,
    }
}

fn strict(format: &str) -> StrptimeOptions {
    StrptimeOptions { format: Some(format.into()), strict: true, exact: true, cache: true }
}

fn schema(plan: &ReadPlan) -> Schema {
    plan.names.iter().zip(plan.dtypes.iter().zip(&plan.scans)).map(|(n, (d, s))| Field::new(n.as_str().into(), parse_type(*d, s))).collect()
}

/// Parses one block of CSV text (whole records, no header).
pub fn parse_block(bytes: &[u8], d: Dialect, schema: SchemaRef, nulls: &[String]) -> PolarsResult<DataFrame> {
    let nulls: Vec<PlSmallStr> = nulls.iter().map(|s| s.as_str().into()).collect();
    let parse = CsvParseOptions::default()
        .with_separator(d.delimiter)
        .with_quote_char(d.quote)
        .with_null_values(Some(NullValues::AllColumns(nulls)))
        .with_missing_is_null(true);
    CsvReadOptions::default()
        .with_has_header(false)
        .with_schema(Some(schema))
        .with_parse_options(parse)
        .with_rechunk(false)
        .with_n_threads(Some(1))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
}

/// Reads the blocks, then converts the text-read columns (dates, padded numbers).
pub fn read(
    path: &Path,
    body: &[u8],
    blocks: &[(usize, usize, u64)],
    d: Dialect,
    plan: &ReadPlan,
    nulls: &[String],
    obs: &dyn Observer,
) -> Result<DataFrame, DataError> {
    let schema = SchemaRef::new(schema(plan));
    let total = blocks.last().map(|b| b.1).unwrap_or(0) as u64;
    obs.progress("parsing", 0, total, "bytes");
    let done = std::sync::atomic::AtomicU64::new(0);
    // polars parses one buffer on one core here; the blocks give every core its own buffer.
    let parsed = crate::par::map(blocks.len(), |i| {
        let (start, end, line) = blocks[i];
        if obs.cancelled() {
            return Err(DataError::Cancelled);
        }
        let df = parse_block(&body[start..end], d, schema.clone(), nulls).map_err(|e| DataError::Parse {
            path: path.to_path_buf(),
            pos: None,
            detail: format!("in the rows from line {line}: {e}"),
        })?;
        let n = done.fetch_add((end - start) as u64, std::sync::atomic::Ordering::Relaxed) + (end - start) as u64;
        obs.progress("parsing", n, total, "bytes");
        Ok(df)
    });
    let mut frames = Vec::with_capacity(parsed.len());
    for f in parsed {
        frames.push(f?);
    }
    let df = match frames.len() {
        0 => DataFrame::empty_with_schema(&schema),
        1 => frames.pop().unwrap_or_default(),
        _ => {
            let mut it = frames.into_iter();
            let mut acc = it.next().unwrap_or_default();
            for f in it {
                acc.vstack_mut_owned(f)?;
            }
            acc
        }
    };
    let mut df = finish(path, df, plan, true)?;
    if df.first_col_n_chunks() > 1 {
        df.rechunk_mut_par();
    }
    Ok(df)
}

/// Converts the columns read as text (dates, and for polars' parser padded numbers). The one-pass
/// reader's frame keeps one chunk per block: polars works on chunked columns, and copying them into one
/// would cost as much as a tenth of the read.
fn finish(path: &Path, mut df: DataFrame, plan: &ReadPlan, text_numbers: bool) -> Result<DataFrame, DataError> {
    let posts: Vec<Expr> = plan
        .names
        .iter()
        .zip(plan.dtypes.iter().zip(&plan.scans))
        // A `when` names its result after its first branch (a null literal): keep the column's name.
        .filter_map(|(n, (d, s))| post_expr(n, *d, s, text_numbers).map(|e| e.alias(n.as_str())))
        .collect();
    if !posts.is_empty() {
        df = df.lazy().with_columns(posts).collect().map_err(|e| DataError::Parse {
            path: path.to_path_buf(),
            pos: None,
            detail: format!("converting dates or numbers: {e}"),
        })?;
    }
    Ok(df)
}

/// Joins the columns built during the scan, one set per block, into a frame with the final types.
/// None when some column could not keep its type: the caller then parses the file with polars.
pub fn assemble(path: &Path, plan: &ReadPlan, built: Vec<Vec<Col>>) -> Result<Option<DataFrame>, DataError> {
    if built.iter().flatten().any(Col::is_dead) {
        return Ok(None);
    }
    let mut frames = Vec::with_capacity(built.len());
    for piece in built {
        let mut cols = Vec::with_capacity(piece.len());
        for ((col, name), &dtype) in piece.into_iter().zip(&plan.names).zip(&plan.dtypes) {
            let kind = col.kind();
            let Some(s) = col.finish(name) else { return Ok(None) };
            let s = match (dtype, kind) {
                (DType::Int, Some(Guess::Int)) | (DType::Float, Some(Guess::Float)) | (DType::Bool, Some(Guess::Bool)) => s,
                (DType::Float, Some(Guess::Int)) => s.cast(&DataType::Float64)?,
                // A column empty in the head, with numbers further down.
                (DType::Int | DType::Float, Some(Guess::Text)) => match s.strict_cast(&polars_type(dtype)) {
                    Ok(s) => s,
                    Err(_) => return Ok(None),
                },
                (DType::String | DType::Date | DType::Datetime | DType::Other, Some(Guess::Text)) => s,
                _ => return Ok(None),
            };
            cols.push(s.into_column());
        }
        frames.push(DataFrame::new_infer_height(cols)?);
    }
    let mut it = frames.into_iter();
    let Some(mut df) = it.next() else { return Ok(None) };
    for f in it {
        df.vstack_mut_owned(f)?;
    }
    finish(path, df, plan, false).map(Some)
}
