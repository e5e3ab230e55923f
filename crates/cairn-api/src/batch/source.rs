//! The input of a batch prediction, read one chunk at a time: a CSV file (text typed as described in
//! `text.rs`) or a Parquet file (a dataset's stored copy, or the user's), whose columns have their types
//! already and are read as `cairn predict` reads them. Each chunk becomes its output part: the copied
//! input columns, then the predictions, with the rows that failed and why.

use std::path::{Path, PathBuf};

use cairn_data::{DataError, Pos};
use cairn_types::{ApiError, ErrorCode, FileFormat, ImportPreview, RowError};
use polars::prelude::*;

use super::csv::{ChunkRange, CsvInput, Record};
use super::score::{Scorer, in_place, internal};
use super::text::{self, Bad, Inferred};

pub(crate) enum Source {
    Csv(CsvInput),
    Parquet { path: PathBuf, names: Vec<String>, rows: u64 },
}

/// One chunk predicted: its part (copied columns, then predictions), failed rows, and for a CSV input
/// what its copied columns' values allow.
pub(crate) struct Done {
    pub part: DataFrame,
    pub errors: Vec<RowError>,
    pub inferred: Vec<Inferred>,
}

fn unreadable(path: &Path, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::FileUnreadable, format!("{} cannot be read: {e}", path.display()))
}

impl Source {
    pub fn open(path: &Path) -> Result<Source, ApiError> {
        // A Parquet file is known by its magic bytes: the import's preview would read all of it.
        let mut magic = [0u8; 4];
        let parquet =
            std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok_and(|()| &magic == b"PAR1");
        if parquet {
            let file = std::fs::File::open(path).map_err(|e| unreadable(path, e))?;
            let mut reader = ParquetReader::new(file);
            let rows = reader.num_rows().map_err(|e| unreadable(path, e))? as u64;
            let names = reader.schema().map_err(|e| unreadable(path, e))?.iter_names().map(|n| n.to_string()).collect();
            return Ok(Source::Parquet { path: path.to_path_buf(), names, rows });
        }
        let preview = sniff(path)?;
        match preview.format {
            FileFormat::Csv => Ok(Source::Csv(CsvInput::open(path, &preview)?)),
            other => Err(ApiError::new(
                ErrorCode::WrongFormat,
                format!("{} is {other:?}; a batch prediction reads CSV (or TSV) and Parquet files", path.display()),
            )
            .with_hint("import it as a dataset (cairn import) and predict over the dataset")),
        }
    }

    pub fn names(&self) -> &[String] {
        match self {
            Source::Csv(c) => &c.names,
            Source::Parquet { names, .. } => names,
        }
    }

    pub fn is_csv(&self) -> bool {
        matches!(self, Source::Csv(_))
    }

    /// The chunks of `chunk_rows` rows, in order.
    pub fn plan(&self, chunk_rows: u64, cancelled: &dyn Fn() -> bool) -> Result<Vec<ChunkRange>, ApiError> {
        match self {
            Source::Csv(c) => c.plan(chunk_rows, cancelled),
            Source::Parquet { rows, .. } => Ok((0..rows.div_ceil(chunk_rows))
                .map(|i| {
                    let start = i * chunk_rows;
                    let n = chunk_rows.min(rows - start);
                    ChunkRange { start, end: start + n, first_row: start, rows: n, line: 0 }
                })
                .collect()),
        }
    }

    /// Reads and predicts one chunk; `joined` are the input columns copied to the output.
    pub fn predict(&self, scorer: &Scorer, c: &ChunkRange, joined: &[String]) -> Result<Done, ApiError> {
        match self {
            Source::Csv(input) => predict_csv(input, scorer, c, joined),
            Source::Parquet { path, names, .. } => {
                let wanted: Vec<String> = names.iter().filter(|n| joined.contains(n) || scorer.reads(n)).cloned().collect();
                let file = std::fs::File::open(path).map_err(|e| unreadable(path, e))?;
                let df = ParquetReader::new(file)
                    .with_slice(Some((c.start as usize, c.rows as usize)))
                    .with_columns(Some(wanted))
                    .finish()
                    .map_err(|e| unreadable(path, e))?;
                let mut bad = Bad::new();
                let features = match &scorer.flow {
                    Some(flow) => scorer.prepare(flow, &df, &mut bad)?,
                    None => df.select(scorer.features().iter().map(String::as_str)).map_err(|e| internal("the features", e))?,
                };
                let predictions = scorer.predict(&features, &mut bad)?;
                let errors = bad.into_iter().map(|(i, reason)| RowError { row: c.first_row + i as u64 + 1, line: None, reason }).collect();
                Ok(Done { part: with_predictions(&df, joined, predictions)?, errors, inferred: Vec::new() })
            }
        }
    }
}

/// The dialect and columns as an import sniffs them from the file's head. The import dialog reads its
/// first rows too, and refuses a malformed one; a batch prediction reports such rows instead, so the
/// dialect is then sniffed from the lines before it.
fn sniff(path: &Path) -> Result<ImportPreview, ApiError> {
    let line = match cairn_data::preview_file(path, &Default::default()) {
        Ok(p) => return Ok(p),
        Err(DataError::Ragged { line, .. } | DataError::Parse { pos: Some(Pos { line, .. }), .. }) if line > 1 => line,
        Err(e) => return Err(e.into()),
    };
    let mut head = Vec::new();
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, e))?;
    std::io::Read::read_to_end(&mut std::io::Read::take(file, 1 << 20), &mut head).map_err(|e| unreadable(path, e))?;
    let cut = memchr::memchr_iter(b'\n', &head).nth((line - 2) as usize).map(|i| i + 1).unwrap_or(head.len());
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_else(|| "csv".into());
    let tmp = std::env::temp_dir().join(format!("cairn-batch-head-{}-{}.{ext}", std::process::id(), crate::new_id("h")));
    std::fs::write(&tmp, &head[..cut]).map_err(|e| unreadable(&tmp, e))?;
    let preview = cairn_data::preview_file(&tmp, &Default::default());
    let _ = std::fs::remove_file(&tmp);
    Ok(preview?)
}

/// The copied columns then the predictions.
fn with_predictions(df: &DataFrame, joined: &[String], predictions: Vec<Column>) -> Result<DataFrame, ApiError> {
    let mut cols: Vec<Column> = Vec::with_capacity(joined.len() + predictions.len());
    for j in joined {
        cols.push(df.column(j).map_err(|e| internal("a copied column", e))?.clone());
    }
    cols.extend(predictions);
    DataFrame::new(df.height(), cols).map_err(|e| internal("the part", e))
}

fn predict_csv(input: &CsvInput, scorer: &Scorer, c: &ChunkRange, joined: &[String]) -> Result<Done, ApiError> {
    let bytes = input.bytes(c)?;
    let records = input.records(&bytes, c.line);
    if records.len() as u64 != c.rows {
        return Err(internal(
            "reading a chunk again",
            format!("{} records where {} were planned (has the file changed?)", records.len(), c.rows),
        ));
    }
    let ncols = input.names.len();
    let mut bad = Bad::new();
    for (i, r) in records.iter().enumerate() {
        if r.fields as usize != ncols {
            text::fail(&mut bad, i, format!("the row has {} fields where the header has {ncols}", r.fields));
        }
    }
    let wanted: Vec<usize> =
        input.names.iter().enumerate().filter(|(_, n)| joined.contains(n) || scorer.reads(n)).map(|(i, _)| i).collect();
    let good: Vec<usize> = (0..records.len()).filter(|i| !bad.contains_key(i)).collect();
    let mut read: Vec<(Vec<usize>, DataFrame)> = Vec::new();
    parse_halving(input, &bytes, &records, &good, &wanted, &mut read, &mut bad);
    // Every row in place, the unreadable ones empty.
    let schema: Schema = wanted.iter().map(|&i| Field::new(input.names[i].as_str().into(), DataType::String)).collect();
    let text = in_place(read, records.len(), &schema)?;
    let features = match &scorer.flow {
        Some(flow) => scorer.prepare(flow, &text, &mut bad)?,
        None => text::features(&text, scorer.features(), &scorer.kinds, &mut bad).map_err(|e| internal("typing the features", e))?,
    };
    let predictions = scorer.predict(&features, &mut bad)?;
    let mut inferred = Vec::with_capacity(joined.len());
    for j in joined {
        let mut inf = Inferred::START;
        inf.observe(text.column(j).and_then(|c| c.str()).map_err(|e| internal("a copied column", e))?);
        inferred.push(inf);
    }
    let errors =
        bad.into_iter().map(|(i, reason)| RowError { row: c.first_row + i as u64 + 1, line: Some(records[i].line), reason }).collect();
    Ok(Done { part: with_predictions(&text, joined, predictions)?, errors, inferred })
}

/// Parses the records `rows` (indices into `records`), halving on a parse error down to the records
/// the parser refuses, which fail with its message.
fn parse_halving(
    input: &CsvInput,
    bytes: &[u8],
    records: &[Record],
    rows: &[usize],
    columns: &[usize],
    out: &mut Vec<(Vec<usize>, DataFrame)>,
    bad: &mut Bad,
) {
    if rows.is_empty() {
        return;
    }
    let contiguous = rows.windows(2).all(|w| w[1] == w[0] + 1);
    let parsed = if contiguous {
        input.parse(&bytes[records[rows[0]].start..records[rows[rows.len() - 1]].end], columns)
    } else {
        let mut buf = Vec::new();
        for &r in rows {
            buf.extend_from_slice(&bytes[records[r].start..records[r].end]);
            if buf.last() != Some(&b'\n') {
                buf.push(b'\n');
            }
        }
        input.parse(&buf, columns)
    };
    match parsed {
        Ok(df) if df.height() == rows.len() => out.push((rows.to_vec(), df)),
        Ok(df) if rows.len() == 1 => text::fail(bad, rows[0], format!("the row cannot be read ({} rows read from it)", df.height())),
        Err(e) if rows.len() == 1 => text::fail(bad, rows[0], format!("the row cannot be read: {e}")),
        _ => {
            let mid = rows.len() / 2;
            parse_halving(input, bytes, records, &rows[..mid], columns, out, bad);
            parse_halving(input, bytes, records, &rows[mid..], columns, out, bad);
        }
    }
}
