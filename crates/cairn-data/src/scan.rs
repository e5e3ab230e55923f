//! One pass over CSV text, before polars parses it: counts records, finds record-aligned blocks for
//! parsing with progress, refuses ragged rows with their line, and infers every column's type over the
//! whole file (polars infers from the first rows only, and a float first seen late would fail).

use std::path::Path;

use memchr::{memchr, memchr2};

use crate::error::{DataError, Pos};
use crate::infer::{self, ANY, DATETIME};
use crate::Observer;

/// How a CSV file separates fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub delimiter: u8,
    pub quote: Option<u8>,
    pub has_header: bool,
}

/// What the scan learned about one column.
#[derive(Debug, Clone, Copy)]
pub struct ColumnScan {
    /// Types every non-missing value fits (bits from `infer`).
    pub mask: u8,
    /// Datetime layouts seen.
    pub layout: u8,
    /// At least one value that is not missing.
    pub seen: bool,
    /// Some value has spaces around it, so numbers must be trimmed before parsing.
    pub padded: bool,
}

/// Values that do not fit a type the user chose for a column.
#[derive(Debug, Clone, Default)]
pub struct CheckFailures {
    pub count: u64,
    pub examples: Vec<(u64, String)>,
}

pub struct ScanSpec<'a> {
    pub dialect: Dialect,
    pub nulls: &'a [String],
    /// Classify only the first rows (None: all of them).
    pub infer_rows: Option<u64>,
    /// Stop after this many rows (a sample for the import dialog).
    pub max_rows: Option<u64>,
    /// For each column, the type bit its values must carry (a user's override), or 0.
    pub checks: Vec<u8>,
    pub block_size: usize,
}

pub struct ScanResult {
    pub names: Vec<String>,
    pub rows: u64,
    pub columns: Vec<ColumnScan>,
    /// Record-aligned byte ranges of the body, each with the line number it starts on.
    pub blocks: Vec<(usize, usize, u64)>,
    /// Which of the null markers occurred.
    pub nulls_seen: Vec<bool>,
    pub failures: Vec<CheckFailures>,
}

enum End {
    Delim,
    Newline,
    Eof,
}

struct Field {
    start: usize,
    end: usize,
    /// Quoted with doubled quotes inside, or text after the closing quote: always a string.
    irregular: bool,
}

struct Reader<'a> {
    buf: &'a [u8],
    i: usize,
    line: u64,
    delim: u8,
    quote: Option<u8>,
}

impl Reader<'_> {
    fn field(&mut self, path: &Path) -> Result<(Field, End), DataError> {
        let buf = self.buf;
        let n = buf.len();
        if let Some(q) = self.quote.filter(|&q| self.i < n && buf[self.i] == q) {
            let open_line = self.line;
            let start = self.i + 1;
            let mut j = start;
            let mut irregular = false;
            let close = loop {
                match memchr(q, &buf[j..]) {
                    None => {
                        return Err(DataError::Parse {
                            path: path.to_path_buf(),
                            pos: Some(Pos { line: open_line, column: 0 }),
                            detail: "a quoted field starts on this line and is never closed".into(),
                        });
                    }
                    Some(k) if j + k + 1 < n && buf[j + k + 1] == q => {
                        irregular = true;
                        j += k + 2;
                    }
                    Some(k) => break j + k,
                }
            };
            self.line += memchr::memchr_iter(b'\n', &buf[start..close]).count() as u64;
            let mut k = close + 1;
            // Text after the closing quote belongs to the field (polars keeps it); it makes it a string.
            let tail = memchr2(self.delim, b'\n', &buf[k..]).map(|p| k + p).unwrap_or(n);
            if tail > k && !(tail == k + 1 && buf[k] == b'\r') {
                irregular = true;
            }
            k = tail;
            let field = Field { start, end: close, irregular };
            return Ok(self.finish(field, k));
        }
        let start = self.i;
        let stop = memchr2(self.delim, b'\n', &buf[start..]).map(|p| start + p).unwrap_or(n);
        let mut end = stop;
        if (stop == n || buf[stop] == b'\n') && end > start && buf[end - 1] == b'\r' {
            end -= 1;
        }
        Ok(self.finish(Field { start, end, irregular: false }, stop))
    }

    fn finish(&mut self, field: Field, stop: usize) -> (Field, End) {
        let n = self.buf.len();
        if stop >= n {
            self.i = n;
            return (field, End::Eof);
        }
        self.i = stop + 1;
        if self.buf[stop] == self.delim {
            (field, End::Delim)
        } else {
            self.line += 1;
            (field, End::Newline)
        }
    }

    /// Skips empty lines (polars skips them too); true when the end was reached.
    fn skip_blank(&mut self) -> bool {
        let buf = self.buf;
        while self.i < buf.len() {
            match buf[self.i] {
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                }
                b'\r' if self.i + 1 < buf.len() && buf[self.i + 1] == b'\n' => {
                    self.i += 2;
                    self.line += 1;
                }
                _ => return false,
            }
        }
        true
    }

    fn record(&mut self, path: &Path) -> Result<Vec<String>, DataError> {
        let mut out = Vec::new();
        loop {
            let (f, end) = self.field(path)?;
            let mut text = String::from_utf8_lossy(&self.buf[f.start..f.end]).into_owned();
            if let (true, Some(q)) = (f.irregular, self.quote) {
                let q = (q as char).to_string();
                text = text.replace(&q.repeat(2), &q);
            }
            out.push(text);
            if !matches!(end, End::Delim) {
                return Ok(out);
            }
        }
    }
}

/// Null markers grouped by length, so most fields are rejected by one lookup.
struct Nulls<'a> {
    markers: &'a [String],
    lengths: u64,
}

impl<'a> Nulls<'a> {
    fn new(markers: &'a [String]) -> Self {
        let lengths = markers.iter().filter(|m| m.len() < 64).fold(0u64, |acc, m| acc | (1 << m.len()));
        Self { markers, lengths }
    }

    #[inline]
    fn find(&self, f: &[u8]) -> Option<usize> {
        if f.len() >= 64 || self.lengths & (1 << f.len()) == 0 {
            return None;
        }
        self.markers.iter().position(|m| m.as_bytes() == f)
    }
}

#[inline]
fn trim(f: &[u8]) -> &[u8] {
    let s = f.iter().position(|b| *b != b' ' && *b != b'\t').unwrap_or(f.len());
    let e = f.iter().rposition(|b| *b != b' ' && *b != b'\t').map(|p| p + 1).unwrap_or(s);
    &f[s..e]
}

/// Unique, non-empty column names: blanks become `column_N`, repeats get `_2`, `_3`.
pub fn clean_names(raw: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    raw.into_iter()
        .enumerate()
        .map(|(i, n)| {
            let base = if n.trim().is_empty() { format!("column_{}", i + 1) } else { n.trim().to_string() };
            let mut name = base.clone();
            let mut k = 2;
            while !seen.insert(name.clone()) {
                name = format!("{base}_{k}");
                k += 1;
            }
            name
        })
        .collect()
}

/// Scans CSV text (already UTF-8, without BOM).
pub fn scan(path: &Path, body: &[u8], spec: &ScanSpec<'_>, obs: &dyn Observer) -> Result<ScanResult, DataError> {
    let d = spec.dialect;
    let mut r = Reader { buf: body, i: 0, line: 1, delim: d.delimiter, quote: d.quote };
    if r.skip_blank() {
        return Err(DataError::Empty(path.to_path_buf()));
    }
    let first = r.record(path)?;
    let ncols = first.len();
    let names = if d.has_header {
        clean_names(first)
    } else {
        r = Reader { buf: body, i: 0, line: 1, delim: d.delimiter, quote: d.quote };
        r.skip_blank();
        (1..=ncols).map(|i| format!("column_{i}")).collect()
    };
    let nulls = Nulls::new(spec.nulls);
    let mut columns = vec![ColumnScan { mask: ANY, layout: 0, seen: false, padded: false }; ncols];
    let mut failures = vec![CheckFailures::default(); ncols];
    let mut nulls_seen = vec![false; spec.nulls.len()];
    let checks: Vec<u8> = (0..ncols).map(|c| spec.checks.get(c).copied().unwrap_or(0)).collect();
    let any_checks = checks.iter().any(|&c| c != 0);
    let infer_limit = spec.infer_rows.unwrap_or(u64::MAX);
    let n = body.len();
    let mut rows = 0u64;
    let mut blocks = Vec::new();
    let (mut block_start, mut block_line) = (r.i, r.line);
    let mut next_report = 0usize;

    while !r.skip_blank() {
        if spec.max_rows.is_some_and(|m| rows >= m) {
            break;
        }
        let rec_line = r.line;
        let classify = rows < infer_limit;
        let mut c = 0usize;
        loop {
            let (f, end) = r.field(path)?;
            if c < ncols && (classify || any_checks) {
                let col = &mut columns[c];
                let raw = &body[f.start..f.end];
                if raw.is_empty() {
                    // missing
                } else if let Some(k) = nulls.find(raw) {
                    nulls_seen[k] = true;
                } else {
                    col.seen = true;
                    if col.mask != 0 || checks[c] != 0 {
                        let (mask, layout) = if f.irregular {
                            (0, 0)
                        } else {
                            let t = trim(raw);
                            if t.len() != raw.len() {
                                col.padded = true;
                            }
                            infer::classify(t)
                        };
                        if classify {
                            col.mask &= mask;
                            if mask & DATETIME != 0 {
                                col.layout |= layout;
                            }
                        }
                        if checks[c] != 0 && mask & checks[c] == 0 {
                            let fail = &mut failures[c];
                            fail.count += 1;
                            if fail.examples.len() < 3 {
                                let v = String::from_utf8_lossy(&raw[..raw.len().min(80)]).into_owned();
                                fail.examples.push((rec_line, v));
                            }
                        }
                    }
                }
            }
            c += 1;
            if !matches!(end, End::Delim) {
                break;
            }
        }
        if c != ncols {
            return Err(DataError::Ragged { path: path.to_path_buf(), line: rec_line, expected: ncols, found: c });
        }
        rows += 1;
        if r.i - block_start >= spec.block_size {
            blocks.push((block_start, r.i, block_line));
            (block_start, block_line) = (r.i, r.line);
        }
        if r.i >= next_report {
            obs.progress("checking", r.i as u64, n as u64, "bytes");
            if obs.cancelled() {
                return Err(DataError::Cancelled);
            }
            next_report = r.i + (4 << 20);
        }
    }
    if r.i > block_start {
        blocks.push((block_start, r.i, block_line));
    }
    Ok(ScanResult { names, rows, columns, blocks, nulls_seen, failures })
}
