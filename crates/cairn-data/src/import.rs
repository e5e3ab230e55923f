//! Reading a user's file (CSV/TSV, Parquet, JSON, NDJSON) into a typed DataFrame, with a digest of its
//! bytes, progress, cancellation and errors that say where and what.

use std::io::Read;
use std::path::Path;

use cairn_types::{ColumnInfo, DEFAULT_NULL_VALUES, DType, FileFormat, ImportOptions, ImportPreview, TextEncoding};
use polars::prelude::*;

use crate::columns::Guess;
use crate::error::DataError;
use crate::frame::{column_infos, page, polars_type};
use crate::scan::{self, Dialect, ScanSpec};
use crate::sniff::{self, Text};
use crate::{Observer, csv, infer, json};

/// Records per block handed to the parser: big enough to parse in parallel, small enough to show progress.
const BLOCK_BYTES: usize = 32 << 20;
/// Files above this size get a quick preview of their head while the rest is read.
const PREVIEW_ABOVE: u64 = 16 << 20;
/// How much of the head the import dialog looks at.
const SNIFF_BYTES: usize = 1 << 20;

/// A file read into memory, with its options resolved.
#[derive(Debug)]
pub struct Imported {
    pub frame: DataFrame,
    pub format: FileFormat,
    /// The options as used: sniffed delimiter, header, quote, markers and encoding filled in.
    pub options: ImportOptions,
    /// BLAKE3 of the file's bytes.
    pub digest: String,
    pub bytes: u64,
    pub columns: Vec<ColumnInfo>,
    pub notes: Notes,
}

/// What reading a file learned besides its rows, for the import dialog.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    /// Per column: the type inferred with the chosen missing markers, before any type the user chose.
    pub detected: Vec<DType>,
    /// Per column: cells read as missing because they are blank (empty, or only spaces and tabs).
    pub blanks: Vec<u64>,
    /// The missing markers that occur; the empty one stands for blank cells.
    pub nulls_seen: Vec<String>,
}

impl Notes {
    /// Notes for a frame read without a CSV scan (Parquet, JSON): its own types, no blank cells.
    fn of_frame(df: &DataFrame) -> Notes {
        let detected = df.columns().iter().map(|c| crate::frame::dtype_of(c.dtype())).collect::<Vec<_>>();
        Notes { blanks: vec![0; detected.len()], detected, nulls_seen: Vec::new() }
    }
}

fn open(path: &Path) -> Result<std::fs::File, DataError> {
    match std::fs::File::open(path) {
        Ok(f) => {
            if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                return Err(DataError::NotAFile(path.to_path_buf()));
            }
            Ok(f)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DataError::NotFound(path.to_path_buf())),
        Err(e) => Err(DataError::Unreadable { path: path.to_path_buf(), source: e }),
    }
}

/// Reads the whole file with progress, hashing it on the way.
fn load(path: &Path, obs: &dyn Observer) -> Result<(Vec<u8>, String), DataError> {
    let mut f = open(path)?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut buf = Vec::with_capacity(size as usize + 1);
    let mut hasher = blake3::Hasher::new();
    let mut chunk = vec![0u8; 8 << 20];
    loop {
        let n = f.read(&mut chunk).map_err(|e| DataError::Unreadable { path: path.to_path_buf(), source: e })?;
        if n == 0 {
            break;
        }
        hasher.update(&chunk[..n]);
        buf.extend_from_slice(&chunk[..n]);
        obs.progress("loading", buf.len() as u64, size, "bytes");
        if obs.cancelled() {
            return Err(DataError::Cancelled);
        }
    }
    Ok((buf, hasher.finalize().to_hex().to_string()))
}

fn head(path: &Path, max: usize) -> Result<(Vec<u8>, u64), DataError> {
    let f = open(path)?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut buf = Vec::with_capacity(max.min(size as usize));
    f.take(max as u64).read_to_end(&mut buf).map_err(|e| DataError::Unreadable { path: path.to_path_buf(), source: e })?;
    Ok((buf, size))
}

fn one_char(field: &str, v: &str) -> Result<u8, DataError> {
    let v = match v {
        "\\t" | "tab" | "TAB" => "\t",
        other => other,
    };
    match v.as_bytes() {
        [b] if b.is_ascii() && *b != b'\n' && *b != b'\r' => Ok(*b),
        _ => Err(DataError::InvalidOption { field: field.into(), detail: format!("{v:?} must be one ASCII character") }),
    }
}

fn char_string(b: u8) -> String {
    (b as char).to_string()
}

pub fn null_values(opts: &ImportOptions) -> Vec<String> {
    opts.null_values.clone().unwrap_or_else(|| DEFAULT_NULL_VALUES.iter().map(|s| s.to_string()).collect())
}

struct NoObserver;
impl Observer for NoObserver {}

/// Decides the dialect: what the user chose, else what the text suggests.
fn dialect(path: &Path, text: &[u8], opts: &ImportOptions, nulls: &[String]) -> Result<Dialect, DataError> {
    let quote = match opts.quote.as_deref() {
        None => Some(b'"'),
        Some("") => None,
        Some(q) => Some(one_char("quote", q)?),
    };
    let tsv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv") || e.eq_ignore_ascii_case("tab"));
    let delimiter = match opts.delimiter.as_deref() {
        Some(d) => one_char("delimiter", d)?,
        None => sniff::sniff_delimiter(text, quote.unwrap_or(b'"'), tsv),
    };
    let has_header = match opts.has_header {
        Some(h) => h,
        None => guess_header(path, text, delimiter, quote, nulls),
    };
    Ok(Dialect { delimiter, quote, has_header })
}

/// A first line is a header unless every one of its values fits the type of the column below it
/// and at least one column is typed (a line of names over numbers is a header; a line of numbers is data).
fn guess_header(path: &Path, text: &[u8], delimiter: u8, quote: Option<u8>, nulls: &[String]) -> bool {
    let sample = &text[..text.len().min(SNIFF_BYTES)];
    let spec = ScanSpec {
        dialect: Dialect { delimiter, quote, has_header: true },
        nulls,
        infer_rows: None,
        max_rows: Some(500),
        checks: Vec::new(),
        block_size: usize::MAX,
        build: None,
    };
    let Ok(res) = scan::scan(path, sample, &spec, &NoObserver) else { return true };
    if res.rows == 0 {
        return true;
    }
    let mut typed = false;
    for (name, col) in res.names.iter().zip(&res.columns) {
        let dtype = infer::resolve(col.mask, col.seen);
        if dtype == DType::String {
            continue;
        }
        typed = true;
        let (m, _) = infer::classify(name.trim().as_bytes());
        if m & infer::required_bit(dtype) == 0 {
            return true;
        }
    }
    !typed
}

/// Maps each override to its column index; an unknown column is an error that lists the real ones.
fn checks(names: &[String], opts: &ImportOptions) -> Result<Vec<u8>, DataError> {
    let mut checks = vec![0u8; names.len()];
    for o in &opts.overrides {
        let i = names
            .iter()
            .position(|n| *n == o.column)
            .ok_or_else(|| DataError::ColumnNotFound { name: o.column.clone(), available: names.to_vec() })?;
        checks[i] = infer::required_bit(o.dtype);
    }
    Ok(checks)
}

fn read_csv(path: &Path, text: &Text, opts: &mut ImportOptions, obs: &dyn Observer, sample: bool) -> Result<(DataFrame, Notes), DataError> {
    let body = text.body();
    let nulls = null_values(opts);
    let d = dialect(path, body, opts, &nulls)?;
    opts.delimiter = Some(char_string(d.delimiter));
    opts.quote = Some(d.quote.map(char_string).unwrap_or_default());
    opts.has_header = Some(d.has_header);
    opts.null_values = Some(nulls.clone());

    let max_rows = if sample { Some(1000) } else { None };
    read_text(path, body, d, opts, &nulls, obs, max_rows, true)
}

/// Reads CSV text. In one pass when `one_pass` (columns built while scanning, from the head's guess),
/// falling back to scan-then-parse when a guess fails; `one_pass = false` forces the two passes.
#[allow(clippy::too_many_arguments)]
fn read_text(
    path: &Path,
    body: &[u8],
    d: Dialect,
    opts: &ImportOptions,
    nulls: &[String],
    obs: &dyn Observer,
    max_rows: Option<u64>,
    one_pass: bool,
) -> Result<(DataFrame, Notes), DataError> {
    // Names come first (checks need them); the header record is cheap to read twice.
    let probe = ScanSpec { dialect: d, nulls, infer_rows: Some(0), max_rows: Some(0), checks: vec![], block_size: usize::MAX, build: None };
    let names = scan::scan(path, body, &probe, &NoObserver)?.names;
    let checks = checks(&names, opts)?;
    let spec = ScanSpec {
        dialect: d,
        nulls,
        infer_rows: opts.infer_rows,
        max_rows,
        build: one_pass.then(|| guesses(path, body, d, nulls, &names, opts)),
        checks,
        block_size: BLOCK_BYTES,
    };
    let res = scan::scan(path, body, &spec, obs)?;
    if let Some((i, f)) = res.failures.iter().enumerate().find(|(_, f)| f.count > 0) {
        let dtype = opts.overrides.iter().find(|o| o.column == res.names[i]).map(|o| o.dtype).unwrap_or(DType::String);
        return Err(DataError::TypeMismatch {
            path: path.to_path_buf(),
            column: res.names[i].clone(),
            dtype,
            count: f.count,
            examples: f.examples.iter().map(|(l, v)| (Some(*l), v.clone())).collect(),
        });
    }
    let detected: Vec<DType> = res
        .columns
        .iter()
        .map(|c| {
            let dt = infer::resolve(c.mask, c.seen);
            // A datetime column that mixes layouts stays text rather than half-parsed.
            if dt == DType::Datetime && infer::datetime_format(c.layout).is_none() { DType::String } else { dt }
        })
        .collect();
    let dtypes = res
        .names
        .iter()
        .zip(&detected)
        .map(|(n, dt)| opts.overrides.iter().find(|o| &o.column == n).map(|o| o.dtype).unwrap_or(*dt))
        .collect();
    let blank = res.columns.iter().any(|c| c.blanks > 0);
    let notes = Notes {
        detected,
        blanks: res.columns.iter().map(|c| c.blanks).collect(),
        nulls_seen: nulls.iter().zip(&res.nulls_seen).filter(|(m, s)| **s || (m.is_empty() && blank)).map(|(m, _)| m.clone()).collect(),
    };
    let plan = csv::ReadPlan { names: res.names.clone(), dtypes, scans: res.columns.clone() };
    if let Some(df) = csv::assemble(path, &plan, res.built)? {
        return Ok((df, notes));
    }
    // A column's values did not all fit the type its head suggested: read again, knowing the types.
    // Only the markers that occur: the parser compares every field with each one it is given.
    let seen: Vec<String> = nulls.iter().zip(&res.nulls_seen).filter(|(m, s)| **s && !m.is_empty()).map(|(m, _)| m.clone()).collect();
    Ok((csv::read(path, body, &res.blocks, d, &plan, &seen, obs)?, notes))
}

/// The types to build columns as while scanning: the user's choice, else what the file's head suggests.
fn guesses(path: &Path, body: &[u8], d: Dialect, nulls: &[String], names: &[String], opts: &ImportOptions) -> Vec<Guess> {
    let cut = body.len().min(256 << 10);
    let head = match memchr::memrchr(b'\n', &body[..cut]) {
        Some(nl) if cut < body.len() => &body[..nl + 1],
        _ => &body[..cut],
    };
    let spec = ScanSpec { dialect: d, nulls, infer_rows: None, max_rows: Some(2000), checks: vec![], block_size: usize::MAX, build: None };
    let sample = scan::scan(path, head, &spec, &NoObserver).ok();
    names
        .iter()
        .enumerate()
        .map(|(i, n)| match opts.overrides.iter().find(|o| &o.column == n).map(|o| o.dtype) {
            Some(DType::Int) => Guess::Int,
            Some(DType::Float) => Guess::Float,
            Some(DType::Bool) => Guess::Bool,
            Some(_) => Guess::Text,
            None => sample.as_ref().and_then(|s| s.columns.get(i)).map(|c| Guess::from_mask(c.mask, c.seen)).unwrap_or(Guess::Text),
        })
        .collect()
}

/// Casts columns the user chose a type for (Parquet and JSON; CSV checks them while scanning).
fn apply_overrides(path: &Path, df: DataFrame, opts: &ImportOptions) -> Result<DataFrame, DataError> {
    if opts.overrides.is_empty() {
        return Ok(df);
    }
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    checks(&names, opts)?;
    let mut df = df;
    for o in &opts.overrides {
        let column = df.column(&o.column)?.as_materialized_series().clone();
        let target = polars_type(o.dtype);
        let cast = column.cast(&target)?;
        let failed = cast.is_null() & column.is_not_null();
        let count = failed.sum().unwrap_or(0) as u64;
        if count > 0 {
            let examples = failed
                .iter()
                .enumerate()
                .filter(|(_, f)| *f == Some(true))
                .take(3)
                .map(|(i, _)| (None, column.get(i).map(|v| v.to_string()).unwrap_or_default()))
                .collect();
            return Err(DataError::TypeMismatch { path: path.to_path_buf(), column: o.column.clone(), dtype: o.dtype, count, examples });
        }
        df.with_column(cast.into_column())?;
    }
    Ok(df)
}

fn read_any(
    path: &Path,
    raw: Vec<u8>,
    format: FileFormat,
    opts: &mut ImportOptions,
    obs: &dyn Observer,
    sample: bool,
) -> Result<(DataFrame, Notes), DataError> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DataError::Empty(path.to_path_buf()));
    }
    let df = match format {
        FileFormat::Parquet => {
            let reader = ParquetReader::new(std::io::Cursor::new(raw));
            let reader = if sample { reader.with_slice(Some((0, 1000))) } else { reader };
            reader.finish().map_err(|e| DataError::Parse {
                path: path.to_path_buf(),
                pos: None,
                detail: format!("not a readable Parquet file: {e}"),
            })?
        }
        FileFormat::Csv | FileFormat::Json | FileFormat::Ndjson => {
            obs.progress("decoding", 0, 0, "bytes");
            let text = sniff::decode(path, raw, opts.encoding)?;
            opts.encoding = Some(text.encoding);
            if text.body().iter().all(|b| b.is_ascii_whitespace()) {
                return Err(DataError::Empty(path.to_path_buf()));
            }
            match format {
                FileFormat::Csv => return read_csv(path, &text, opts, obs, sample),
                FileFormat::Json => json::read_json(path, text.body(), sample)?,
                _ => json::read_ndjson(path, text.body(), sample)?,
            }
        }
    };
    let notes = Notes::of_frame(&df);
    Ok((apply_overrides(path, df, opts)?, notes))
}

/// Reads a whole file as the user asked, inferring types over all of it.
pub fn read_file(path: &Path, opts: &ImportOptions, obs: &dyn Observer) -> Result<Imported, DataError> {
    let size = open(path)?.metadata().map(|m| m.len()).unwrap_or(0);
    if size > PREVIEW_ABOVE && opts.format != Some(FileFormat::Parquet) {
        // A first look at the head, so a large import shows rows within moments; its errors, if any,
        // are reported by the full read below.
        if let Ok(p) = preview_file(path, opts) {
            obs.preview(p.sample);
        }
    }
    let (raw, digest) = load(path, obs)?;
    if raw.is_empty() {
        return Err(DataError::Empty(path.to_path_buf()));
    }
    let bytes = raw.len() as u64;
    let format = sniff::detect_format(path, &raw[..raw.len().min(8192)], opts.format)?;
    let mut options = opts.clone();
    options.format = Some(format);
    let (frame, notes) = read_any(path, raw, format, &mut options, obs, false)?;
    let columns = column_infos(&frame);
    Ok(Imported { frame, format, options, digest, bytes, columns, notes })
}

/// A quick look at a file for the import dialog: format, dialect and types from its first megabyte.
pub fn preview_file(path: &Path, opts: &ImportOptions) -> Result<ImportPreview, DataError> {
    let (mut raw, size) = head(path, SNIFF_BYTES)?;
    if raw.is_empty() {
        return Err(DataError::Empty(path.to_path_buf()));
    }
    let format = sniff::detect_format(path, &raw[..raw.len().min(8192)], opts.format)?;
    let mut options = opts.clone();
    options.format = Some(format);
    if format == FileFormat::Parquet || (format == FileFormat::Json && size > raw.len() as u64) {
        // Parquet needs its footer and JSON its closing bracket: read the whole file.
        raw = load(path, &NoObserver)?.0;
    } else if size > raw.len() as u64 {
        // Cut at the last full line so the sample does not end mid-record.
        if let Some(nl) = memchr::memrchr(b'\n', &raw) {
            raw.truncate(nl + 1);
        }
    }
    if format != FileFormat::Parquet && options.encoding.is_none() {
        options.encoding = Some(sniff::guess_encoding(&raw));
    }
    let (df, notes) = read_any(path, raw, format, &mut options, &NoObserver, true)?;
    let nulls = null_values(&options);
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "data".into());
    Ok(ImportPreview {
        path: path.to_string_lossy().into_owned(),
        file_name: path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
        bytes: size,
        format,
        encoding: options.encoding.unwrap_or(TextEncoding::Utf8),
        delimiter: options.delimiter.clone(),
        quote: options.quote.clone(),
        has_header: options.has_header.unwrap_or(true),
        null_values: nulls,
        null_values_seen: notes.nulls_seen,
        suggested_name: stem,
        columns: column_infos(&df),
        detected: notes.detected,
        blank_cells: notes.blanks,
        sample: page(&df, 0, 50, df.height() as u64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both_ways(text: &[u8]) -> (DataFrame, DataFrame) {
        let path = Path::new("t.csv");
        let nulls = null_values(&ImportOptions::default());
        let d = dialect(path, text, &ImportOptions::default(), &nulls).expect("dialect");
        let one = read_text(path, text, d, &ImportOptions::default(), &nulls, &NoObserver, None, true).expect("one pass").0;
        let two = read_text(path, text, d, &ImportOptions::default(), &nulls, &NoObserver, None, false).expect("two passes").0;
        (one, two)
    }

    fn shared(name: &str) -> Vec<u8> {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(name)).expect("data set")
    }

    #[test]
    fn one_pass_equals_two_passes_on_the_real_data_sets() {
        for name in ["adult.csv", "diabetic_data.csv"] {
            let (one, two) = both_ways(&shared(name));
            assert_eq!(one.schema(), two.schema(), "{name}");
            assert!(one.equals_missing(&two), "{name}: the one-pass reader differs");
        }
    }

    #[test]
    fn late_values_promote_a_column_or_send_the_file_to_the_two_pass_reader() {
        let mut text = String::from("id,score,code,late\n");
        for i in 0..40_000 {
            let score = if i == 30_000 { "2.5".to_string() } else { (i % 100).to_string() };
            let code = if i == 35_000 { "A17".to_string() } else { format!("{:03}", i % 50) };
            let late = if i < 30_000 { String::new() } else { (i % 7).to_string() };
            text.push_str(&format!("{i},{score},{code},{late}\n"));
        }
        let (one, two) = both_ways(text.as_bytes());
        assert!(one.equals_missing(&two));
        assert_eq!(one.column("score").expect("score").dtype(), &DataType::Float64);
        assert_eq!(one.column("code").expect("code").dtype(), &DataType::String);
        // Text keeps its original spelling: 007 stays 007, not 7.
        assert_eq!(one.column("code").expect("code").get(7).expect("cell").to_string(), "\"007\"");
        assert_eq!(one.column("late").expect("late").dtype(), &DataType::Int64);
        assert_eq!(one.column("late").expect("late").null_count(), 30_000);
    }

    #[test]
    fn both_readers_blank_cells_of_spaces_alike() {
        let mut text = String::from("n,x,s,d,b\n");
        for i in 0..30_000 {
            let blank = if i % 3 == 0 { " " } else { "  \t" };
            let cell = |v: String| if i % 97 == 5 { blank.to_string() } else { v };
            text.push_str(&format!(
                "{},{},{},{},{}\n",
                cell(i.to_string()),
                cell(format!("{}.5", i % 10)),
                cell(format!(" s{} ", i % 4)),
                cell(format!("2024-02-{:02}", 1 + i % 28)),
                cell(if i % 2 == 0 { "true".into() } else { "false".into() })
            ));
        }
        let (one, two) = both_ways(text.as_bytes());
        assert_eq!(one.schema(), two.schema());
        assert!(one.equals_missing(&two), "the two readers differ");
        let types: Vec<DataType> = one.columns().iter().map(|c| c.dtype().clone()).collect();
        assert_eq!(types, [DataType::Int64, DataType::Float64, DataType::String, DataType::Date, DataType::Boolean]);
        assert!(
            one.columns().iter().all(|c| c.null_count() == 310),
            "{:?}",
            one.columns().iter().map(|c| c.null_count()).collect::<Vec<_>>()
        );
        // Text keeps the spaces around its words.
        assert_eq!(one.column("s").expect("s").get(0).expect("cell").to_string(), "\" s0 \"");
    }

    #[test]
    fn quoted_fields_with_doubled_quotes_and_text_after_quotes() {
        let mut text = String::from("a,b\n");
        for i in 0..20_000 {
            text.push_str(&format!("{i},\"say \"\"hi\"\" {i}\"\n"));
        }
        let (one, two) = both_ways(text.as_bytes());
        assert!(one.equals_missing(&two));
        assert_eq!(one.column("b").expect("b").get(0).expect("cell").to_string(), "\"say \"hi\" 0\"");
        text.push_str("1,\"x\"tail\n");
        let nulls = null_values(&ImportOptions::default());
        let d = dialect(Path::new("t.csv"), text.as_bytes(), &ImportOptions::default(), &nulls).expect("dialect");
        let err = read_text(Path::new("t.csv"), text.as_bytes(), d, &ImportOptions::default(), &nulls, &NoObserver, None, true)
            .expect_err("text after a closing quote");
        let msg = err.to_string();
        assert!(msg.contains("line 20002, column 3") && msg.contains("must be doubled"), "{msg}");
    }
}
