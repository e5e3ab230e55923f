//! A CSV file read in chunks of whole records, never whole. The dialect (delimiter, quote, header, missing
//! markers) is sniffed once from the head as an import does; a first pass finds the chunks' byte ranges
//! at record boundaries (a newline counts when an even number of quotes precede it, as cairn-data splits
//! a file for its parallel reader), so chunk N can be read, or skipped on a resume, on its own. Every
//! column is parsed as text and typed afterwards: by the model for its features, and over the whole file
//! for the columns copied to the output (see `text.rs`), so no chunk infers a type of its own.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn_types::{ApiError, ErrorCode, FileFormat, ImportPreview, TextEncoding};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// How much of the file the planning pass reads at a time.
const READ_BLOCK: usize = 8 << 20;

/// A chunk of records: its bytes and where its rows are in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ChunkRange {
    /// Byte range in the file (CSV), or row range (Parquet: `start` is the first row).
    pub start: u64,
    pub end: u64,
    /// The 0-based index of its first data row in the file.
    pub first_row: u64,
    pub rows: u64,
    /// The line `start` is on (CSV; 1 is the file's first line).
    pub line: u64,
}

/// A CSV input: its dialect and columns, as an import of the file would read them.
pub(crate) struct CsvInput {
    pub path: PathBuf,
    pub names: Vec<String>,
    pub delimiter: u8,
    pub quote: Option<u8>,
    /// The missing-value markers (the empty one stands for cells of only spaces and tabs).
    pub nulls: Vec<String>,
    /// Where the first data record may start, and its line.
    body_start: u64,
    body_line: u64,
}

fn io_err(path: &Path, e: std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::FileUnreadable, format!("cannot read {}: {e}", path.display()))
}

fn one_byte(v: Option<&str>, default: u8) -> Option<u8> {
    match v {
        None => Some(default),
        Some("") => None,
        Some(s) => s.as_bytes().first().copied(),
    }
}

impl CsvInput {
    /// The dialect the file's head suggests (as `cairn predict` and an import with default options read
    /// it). Only UTF-8 text can be cut into chunks at byte offsets; other encodings are refused.
    pub fn open(path: &Path, preview: &ImportPreview) -> Result<CsvInput, ApiError> {
        if preview.format != FileFormat::Csv {
            return Err(ApiError::new(ErrorCode::WrongFormat, format!("{} is not a CSV file", path.display())));
        }
        if preview.encoding != TextEncoding::Utf8 {
            return Err(ApiError::new(
                ErrorCode::BadEncoding,
                format!("{} is {:?} text; a batch prediction reads CSV files in UTF-8 only", path.display(), preview.encoding),
            )
            .with_hint("import the file as a dataset (cairn import) and predict over the dataset, or convert it to UTF-8"));
        }
        let delimiter = one_byte(preview.delimiter.as_deref(), b',').unwrap_or(b',');
        let quote = one_byte(preview.quote.as_deref(), b'"');
        let names = preview.columns.iter().map(|c| c.name.clone()).collect();
        let mut input =
            CsvInput { path: path.to_path_buf(), names, delimiter, quote, nulls: preview.null_values.clone(), body_start: 0, body_line: 1 };
        input.find_body(preview.has_header)?;
        Ok(input)
    }

    /// Skips a byte-order mark, blank lines and the header record.
    fn find_body(&mut self, has_header: bool) -> Result<(), ApiError> {
        let mut f = std::fs::File::open(&self.path).map_err(|e| io_err(&self.path, e))?;
        let mut head = Vec::new();
        (&mut f).take(1 << 20).read_to_end(&mut head).map_err(|e| io_err(&self.path, e))?;
        let bom = if head.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
        self.body_start = bom as u64;
        if !has_header {
            return Ok(());
        }
        let mut walk = Walker::new(self.quote, bom as u64, 1);
        let mut header_end = None;
        walk.feed(&head[bom..], bom as u64, &mut |_, end, _| {
            header_end.get_or_insert(end);
            false
        });
        let end = header_end.ok_or_else(|| {
            ApiError::new(ErrorCode::ParseError, format!("{}: the header line is longer than 1 MB or never ends", self.path.display()))
        })?;
        // The line after the header: count the newlines it spans.
        self.body_line = 1 + memchr::memchr_iter(b'\n', &head[..(end as usize).min(head.len())]).count() as u64;
        self.body_start = end;
        Ok(())
    }

    /// Cuts the file into chunks of `chunk_rows` records (the last one shorter), reading it once.
    pub fn plan(&self, chunk_rows: u64, cancelled: &dyn Fn() -> bool) -> Result<Vec<ChunkRange>, ApiError> {
        let mut f = std::fs::File::open(&self.path).map_err(|e| io_err(&self.path, e))?;
        f.seek(SeekFrom::Start(self.body_start)).map_err(|e| io_err(&self.path, e))?;
        let mut chunks = Vec::new();
        let mut cur = ChunkRange { start: self.body_start, end: self.body_start, first_row: 0, rows: 0, line: self.body_line };
        let mut walk = Walker::new(self.quote, self.body_start, self.body_line);
        let mut buf = vec![0u8; READ_BLOCK];
        let mut offset = self.body_start;
        loop {
            let n = f.read(&mut buf).map_err(|e| io_err(&self.path, e))?;
            if n == 0 {
                break;
            }
            walk.feed(&buf[..n], offset, &mut |_, end, line_after| {
                cur.rows += 1;
                cur.end = end;
                if cur.rows == chunk_rows {
                    chunks.push(cur);
                    cur = ChunkRange { start: end, end, first_row: cur.first_row + cur.rows, rows: 0, line: line_after };
                }
                true
            });
            offset += n as u64;
            if cancelled() {
                return Err(ApiError::new(ErrorCode::Cancelled, "cancelled"));
            }
        }
        if walk.inside {
            return Err(ApiError::new(
                ErrorCode::ParseError,
                format!("{}: a quoted field starts on line {} and is never closed", self.path.display(), walk.rec_line),
            )
            .with_hint("close the quote, or double quotes inside a quoted field"));
        }
        walk.finish(offset, &mut |_, end, _| {
            cur.rows += 1;
            cur.end = end;
            true
        });
        if cur.rows > 0 {
            cur.end = offset;
            chunks.push(cur);
        } else if let Some(last) = chunks.last_mut() {
            // Trailing blank lines belong to the last chunk.
            last.end = offset;
        }
        Ok(chunks)
    }

    /// A chunk's bytes.
    pub fn bytes(&self, c: &ChunkRange) -> Result<Vec<u8>, ApiError> {
        let mut f = std::fs::File::open(&self.path).map_err(|e| io_err(&self.path, e))?;
        f.seek(SeekFrom::Start(c.start)).map_err(|e| io_err(&self.path, e))?;
        let mut buf = vec![0u8; (c.end - c.start) as usize];
        f.read_exact(&mut buf).map_err(|e| io_err(&self.path, e))?;
        Ok(buf)
    }

    /// The chunk's records: where each is in `bytes`, its line and how many fields it has.
    pub fn records(&self, bytes: &[u8], line: u64) -> Vec<Record> {
        let mut out = Vec::new();
        let mut walk = Walker::new(self.quote, 0, line);
        walk.delimiter = Some(self.delimiter);
        walk.feed(bytes, 0, &mut |start, end, _| {
            out.push(Record { start: start as usize, end: end as usize, line: 0, fields: 0 });
            true
        });
        walk.finish(bytes.len() as u64, &mut |start, end, _| {
            out.push(Record { start: start as usize, end: end as usize, line: 0, fields: 0 });
            true
        });
        for (r, (line, fields)) in out.iter_mut().zip(walk.found) {
            r.line = line;
            r.fields = fields;
        }
        out
    }

    /// Parses records (whole lines of `bytes`) with every column of `columns` (indices) as text,
    /// missing markers and blank cells as null.
    pub fn parse(&self, bytes: &[u8], columns: &[usize]) -> PolarsResult<DataFrame> {
        let schema: Schema = self.names.iter().map(|n| Field::new(n.as_str().into(), DataType::String)).collect();
        let parse = CsvParseOptions::default()
            .with_separator(self.delimiter)
            .with_quote_char(self.quote)
            .with_missing_is_null(true)
            .with_truncate_ragged_lines(true);
        let df = CsvReadOptions::default()
            .with_has_header(false)
            .with_schema(Some(Arc::new(schema)))
            .with_projection(Some(Arc::new(columns.to_vec())))
            .with_parse_options(parse)
            .with_rechunk(false)
            .with_n_threads(Some(1))
            .into_reader_with_file_handle(std::io::Cursor::new(bytes))
            .finish()?;
        self.nulls_applied(df)
    }

    /// Missing values as an import reads them: an empty cell, one of only spaces and tabs (when the
    /// empty marker is among the markers), or exactly a marker.
    fn nulls_applied(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        let blank = self.nulls.iter().any(String::is_empty);
        let markers: Vec<&str> = self.nulls.iter().map(String::as_str).filter(|m| !m.is_empty()).collect();
        let mut cols = Vec::with_capacity(df.width());
        for c in df.columns() {
            let ca = c.str()?;
            let needs = ca.iter().flatten().any(|v| is_missing(v, blank, &markers));
            if !needs {
                cols.push(c.clone());
                continue;
            }
            let out: StringChunked = ca.iter().map(|v| v.filter(|v| !is_missing(v, blank, &markers))).collect();
            cols.push(out.with_name(c.name().clone()).into_column());
        }
        DataFrame::new(df.height(), cols)
    }
}

#[inline]
fn is_missing(v: &str, blank: bool, markers: &[&str]) -> bool {
    v.is_empty() || (blank && v.bytes().all(|b| b == b' ' || b == b'\t')) || markers.contains(&v)
}

/// One record of a chunk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record {
    pub start: usize,
    pub end: usize,
    pub line: u64,
    pub fields: u32,
}

/// Finds records in a stream of bytes fed in order: newlines outside quotes end them; blank lines
/// (empty, or a lone `\r`) are not records, as the import skips them.
struct Walker {
    quote: Option<u8>,
    /// When set, fields are counted too (per record, into `found` with its line).
    delimiter: Option<u8>,
    inside: bool,
    /// The line the current position is on, and the line the current record started on.
    line: u64,
    rec_line: u64,
    rec_start: u64,
    /// The record's first byte and its length so far, to tell blank lines.
    first: Option<u8>,
    fields: u32,
    found: Vec<(u64, u32)>,
}

impl Walker {
    fn new(quote: Option<u8>, start: u64, line: u64) -> Walker {
        Walker { quote, delimiter: None, inside: false, line, rec_line: line, rec_start: start, first: None, fields: 1, found: Vec::new() }
    }

    /// Walks `block` (at `offset` in the stream), calling `on(start, end, line_after)` for each record;
    /// `on` answers false to stop.
    fn feed(&mut self, block: &[u8], offset: u64, on: &mut dyn FnMut(u64, u64, u64) -> bool) {
        if self.first.is_none() && self.rec_start >= offset && ((self.rec_start - offset) as usize) < block.len() {
            self.first = Some(block[(self.rec_start - offset) as usize]);
        }
        let q = self.quote.unwrap_or(b'\n');
        let d = self.delimiter.unwrap_or(b'\n');
        for i in memchr::memchr3_iter(b'\n', q, d, block) {
            let b = block[i];
            if b != b'\n' {
                if Some(b) == self.quote {
                    self.inside = !self.inside;
                } else if !self.inside {
                    self.fields += 1;
                }
                continue;
            }
            self.line += 1;
            if self.inside {
                continue;
            }
            let at = offset + i as u64;
            let len = at - self.rec_start;
            let blank = len == 0 || (len == 1 && self.first == Some(b'\r'));
            let go = if blank { true } else { self.record(at + 1, on) };
            self.rec_start = at + 1;
            self.rec_line = self.line;
            self.fields = 1;
            self.first = block.get(i + 1).copied();
            if !go {
                return;
            }
        }
    }

    fn record(&mut self, end: u64, on: &mut dyn FnMut(u64, u64, u64) -> bool) -> bool {
        if self.delimiter.is_some() {
            self.found.push((self.rec_line, self.fields));
        }
        on(self.rec_start, end, self.line)
    }

    /// The last record, when the stream does not end with a newline.
    fn finish(&mut self, total: u64, on: &mut dyn FnMut(u64, u64, u64) -> bool) {
        let len = total.saturating_sub(self.rec_start);
        if len > 0 && !(len == 1 && self.first == Some(b'\r')) {
            self.record(total, on);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(text: &str) -> (Vec<(u64, u64, u64)>, Vec<(u64, u32)>) {
        let mut w = Walker::new(Some(b'"'), 0, 1);
        w.delimiter = Some(b',');
        let mut out = Vec::new();
        // Fed in pieces of 3 bytes, so records cross block edges.
        let bytes = text.as_bytes();
        for (k, piece) in bytes.chunks(3).enumerate() {
            w.feed(piece, (k * 3) as u64, &mut |s, e, l| {
                out.push((s, e, l));
                true
            });
        }
        w.finish(bytes.len() as u64, &mut |s, e, l| {
            out.push((s, e, l));
            true
        });
        (out, w.found)
    }

    #[test]
    fn records_skip_blank_lines_and_keep_quoted_newlines() {
        let text = "a,b\n\r\n\"x\ny\",2\n\n3,\"4,5\"\r\nlast,1";
        let (recs, found) = walk(text);
        let slices: Vec<&str> = recs.iter().map(|&(s, e, _)| &text[s as usize..e as usize]).collect();
        assert_eq!(slices, ["a,b\n", "\"x\ny\",2\n", "3,\"4,5\"\r\n", "last,1"]);
        // Lines the records start on, and their fields (a delimiter inside quotes does not count).
        assert_eq!(found, [(1, 2), (3, 2), (6, 2), (7, 2)]);
    }
}
