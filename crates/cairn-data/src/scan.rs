//! One pass over CSV text, before polars parses it: counts records, finds record-aligned blocks for
//! parsing with progress, refuses ragged rows with their line, and infers every column's type over the
//! whole file (polars infers from the first rows only, and a float first seen late would fail).

use std::path::Path;

use memchr::{memchr, memchr2};

use crate::Observer;
use crate::columns::{Col, Guess};
use crate::error::{DataError, Pos};
use crate::infer::{self, ANY, DATETIME};

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
    /// Cells read as missing because they are blank: empty, or only spaces and tabs.
    pub blanks: u64,
    /// Some blank cell holds spaces, so the parser must read the column as text and blank it after.
    pub spaced_blanks: bool,
}

impl ColumnScan {
    const START: ColumnScan = ColumnScan { mask: ANY, layout: 0, seen: false, padded: false, blanks: 0, spaced_blanks: false };
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
    /// Build typed columns while scanning, starting from these guesses (one per column).
    pub build: Option<Vec<Guess>>,
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
    /// The columns built while scanning, one set per block, when `ScanSpec::build` asked for them.
    pub built: Vec<Vec<Col>>,
}

enum End {
    Delim,
    Newline,
    Eof,
}

struct Field {
    start: usize,
    end: usize,
    /// Quoted with doubled quotes inside: always a string, unescaped when built.
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
            let stop = memchr2(self.delim, b'\n', &buf[k..]).map(|p| k + p).unwrap_or(n);
            if stop > k && !(stop == k + 1 && buf[k] == b'\r') {
                let line_start = memchr::memrchr(b'\n', &buf[..start]).map(|p| p + 1).unwrap_or(0);
                let column = String::from_utf8_lossy(&buf[line_start..start]).chars().count() as u64;
                return Err(DataError::Parse {
                    path: path.to_path_buf(),
                    pos: Some(Pos { line: self.line, column }),
                    detail: format!(
                        "a quoted field has text after its closing quote ({}); a quote inside a quoted field must be doubled",
                        String::from_utf8_lossy(&buf[start - 1..stop.min(start + 60)]).trim_end()
                    ),
                });
            }
            k = stop;
            let field = Field { start, end: close, irregular };
            return Ok(self.finish(field, k));
        }
        let start = self.i;
        // Fields are short, so a plain loop beats a vectorized search's set-up cost.
        let mut stop = start;
        while stop < n && buf[stop] != self.delim && buf[stop] != b'\n' {
            stop += 1;
        }
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

/// Null markers indexed by length and first byte, so almost every field is rejected by two lookups
/// (a one-character marker like `?` would otherwise be compared with every one-digit number).
struct Nulls<'a> {
    markers: &'a [String],
    lengths: u64,
    first: [bool; 256],
    /// The empty marker is among them: it stands for every blank cell, spaces-only ones included.
    blank: bool,
}

impl<'a> Nulls<'a> {
    fn new(markers: &'a [String]) -> Self {
        let lengths = markers.iter().filter(|m| m.len() < 64).fold(0u64, |acc, m| acc | (1 << m.len()));
        let mut first = [false; 256];
        for m in markers {
            if let Some(&b) = m.as_bytes().first() {
                first[b as usize] = true;
            }
        }
        Self { markers, lengths, first, blank: markers.iter().any(String::is_empty) }
    }

    /// A cell of only spaces and tabs, when blank cells are missing. The first byte rules out almost
    /// every field, so whole-file scans do not slow down.
    #[inline]
    fn spaces_only(&self, f: &[u8]) -> bool {
        self.blank && matches!(f.first(), Some(b' ' | b'\t')) && f.iter().all(|b| matches!(b, b' ' | b'\t'))
    }

    #[inline]
    fn find(&self, f: &[u8]) -> Option<usize> {
        if f.len() >= 64 || self.lengths & (1 << f.len()) == 0 || !self.first[f[0] as usize] {
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

/// What one piece of the file taught, with line numbers relative to the piece's start.
struct Piece {
    rows: u64,
    newlines: u64,
    columns: Vec<ColumnScan>,
    failures: Vec<CheckFailures>,
    nulls_seen: Vec<bool>,
    built: Vec<Col>,
}

/// A problem in a piece, at a line relative to the piece's start.
enum PieceError {
    Ragged { line: u64, found: usize },
    Data(DataError),
}

/// Files smaller than this are scanned in one piece; splitting costs more than it saves.
const PARALLEL_MIN: usize = 1 << 20;

/// Cuts `body[start..]` into about `pieces` ranges that begin at record boundaries. A newline is a
/// boundary when an even number of quote characters precede it (doubled quotes inside a field keep
/// the parity), so a quoted field with line breaks is never cut.
pub fn split(body: &[u8], start: usize, quote: Option<u8>, pieces: usize) -> Vec<(usize, usize)> {
    let n = body.len();
    let step = (n - start) / pieces.max(1);
    let mut cuts = vec![start];
    let (mut counted, mut inside) = (start, false);
    for k in 1..pieces {
        let mut at = (start + k * step).max(*cuts.last().unwrap_or(&start));
        while let Some(nl) = memchr(b'\n', &body[at..]) {
            let cand = at + nl + 1;
            if let Some(q) = quote {
                inside ^= memchr::memchr_iter(q, &body[counted..cand]).count() % 2 == 1;
                counted = cand;
            }
            if !inside {
                if cand < n {
                    cuts.push(cand);
                }
                break;
            }
            at = cand;
        }
    }
    cuts.dedup();
    cuts.iter().enumerate().map(|(i, &c)| (c, cuts.get(i + 1).copied().unwrap_or(n))).collect()
}

struct Ctx<'a> {
    path: &'a Path,
    body: &'a [u8],
    spec: &'a ScanSpec<'a>,
    ncols: usize,
    nulls: Nulls<'a>,
    obs: &'a dyn Observer,
    done: std::sync::atomic::AtomicU64,
}

fn scan_piece(cx: &Ctx<'_>, range: (usize, usize)) -> Result<Piece, PieceError> {
    let (body, spec, ncols) = (&cx.body[..range.1], cx.spec, cx.ncols);
    let d = spec.dialect;
    let mut r = Reader { buf: body, i: range.0, line: 0, delim: d.delimiter, quote: d.quote };
    let mut columns = vec![ColumnScan::START; ncols];
    let mut failures = vec![CheckFailures::default(); ncols];
    let mut nulls_seen = vec![false; spec.nulls.len()];
    let checks: Vec<u8> = (0..ncols).map(|c| spec.checks.get(c).copied().unwrap_or(0)).collect();
    let infer_limit = spec.infer_rows.unwrap_or(u64::MAX);
    let mut rows = 0u64;
    let mut reported = range.0;
    let quote = d.quote.unwrap_or(b'"');
    // Rows are about as long as the header line; a rough capacity saves most regrowing.
    let capacity = (range.1 - range.0) / (ncols * 4).max(16);
    let mut built: Vec<Col> = match &spec.build {
        Some(g) => g.iter().map(|&g| Col::new(g, capacity)).collect(),
        None => Vec::new(),
    };
    let building = !built.is_empty();

    while !r.skip_blank() {
        if spec.max_rows.is_some_and(|m| rows >= m) {
            break;
        }
        let rec_line = r.line;
        let classify = rows < infer_limit;
        let mut c = 0usize;
        loop {
            let (f, end) = r.field(cx.path).map_err(PieceError::Data)?;
            if c < ncols {
                let raw = &body[f.start..f.end];
                // Null markers are looked for in every row: polars is only given the ones that occur.
                let missing = if raw.is_empty() {
                    columns[c].blanks += 1;
                    true
                } else if cx.nulls.spaces_only(raw) {
                    columns[c].blanks += 1;
                    columns[c].spaced_blanks = true;
                    true
                } else if let Some(k) = cx.nulls.find(raw) {
                    nulls_seen[k] = true;
                    true
                } else {
                    false
                };
                if building {
                    let col = &mut built[c];
                    if missing {
                        col.null();
                    } else {
                        col.value(raw, f.irregular, quote);
                    }
                }
                if !missing && (classify || checks[c] != 0) {
                    let col = &mut columns[c];
                    if classify {
                        col.seen = true;
                    }
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
            return Err(PieceError::Ragged { line: rec_line, found: c });
        }
        rows += 1;
        if r.i - reported >= 4 << 20 {
            let done = cx.done.fetch_add((r.i - reported) as u64, std::sync::atomic::Ordering::Relaxed);
            reported = r.i;
            cx.obs.progress("reading", done, cx.body.len() as u64, "bytes");
            if cx.obs.cancelled() {
                return Err(PieceError::Data(DataError::Cancelled));
            }
        }
    }
    cx.done.fetch_add((r.i - reported) as u64, std::sync::atomic::Ordering::Relaxed);
    Ok(Piece { rows, newlines: r.line, columns, failures, nulls_seen, built })
}

/// Scans CSV text (already UTF-8, without BOM). Large files are cut at record boundaries into pieces
/// that are scanned in parallel and merged in order, so line numbers stay exact.
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
    let (start, first_line) = (r.i, r.line);
    // A row limit counts rows in file order, so those scans stay in one piece.
    let sequential = spec.max_rows.is_some() || spec.infer_rows.is_some() || body.len() - start < PARALLEL_MIN;
    let pieces = if sequential {
        1
    } else {
        // Several pieces per core, at least 1 MB each: workers take the next piece when done, so one
        // slow piece does not leave the other cores idle.
        let balanced = (crate::par::workers() * 4).min((body.len() - start) / PARALLEL_MIN).max(1);
        balanced.max((body.len() - start).div_ceil(spec.block_size.max(1)))
    };
    let ranges = if pieces == 1 { vec![(start, body.len())] } else { split(body, start, d.quote, pieces) };
    let cx = Ctx { path, body, spec, ncols, nulls: Nulls::new(spec.nulls), obs, done: Default::default() };
    obs.progress("reading", 0, body.len() as u64, "bytes");
    let results = crate::par::map(ranges.len(), |i| scan_piece(&cx, ranges[i]));

    let mut out = ScanResult {
        names,
        rows: 0,
        columns: vec![ColumnScan::START; ncols],
        blocks: Vec::with_capacity(ranges.len()),
        nulls_seen: vec![false; spec.nulls.len()],
        failures: vec![CheckFailures::default(); ncols],
        built: Vec::new(),
    };
    let mut line = first_line;
    for (piece, range) in results.into_iter().zip(&ranges) {
        let p = match piece {
            Ok(p) => p,
            Err(PieceError::Ragged { line: rel, found }) => {
                return Err(DataError::Ragged { path: path.to_path_buf(), line: line + rel, expected: ncols, found });
            }
            Err(PieceError::Data(DataError::Parse { path, pos: Some(pos), detail })) => {
                let pos = Pos { line: line + pos.line, column: pos.column };
                return Err(DataError::Parse { path, pos: Some(pos), detail });
            }
            Err(PieceError::Data(e)) => return Err(e),
        };
        if range.1 > range.0 {
            out.blocks.push((range.0, range.1, line));
        }
        out.rows += p.rows;
        for (acc, c) in out.columns.iter_mut().zip(&p.columns) {
            acc.mask &= c.mask;
            acc.layout |= c.layout;
            acc.seen |= c.seen;
            acc.padded |= c.padded;
            acc.blanks += c.blanks;
            acc.spaced_blanks |= c.spaced_blanks;
        }
        for (acc, f) in out.failures.iter_mut().zip(p.failures) {
            acc.count += f.count;
            for (l, v) in f.examples {
                if acc.examples.len() < 3 {
                    acc.examples.push((line + l, v));
                }
            }
        }
        for (acc, s) in out.nulls_seen.iter_mut().zip(&p.nulls_seen) {
            *acc |= *s;
        }
        if range.1 > range.0 && spec.build.is_some() {
            out.built.push(p.built);
        }
        line += p.newlines;
    }
    Ok(out)
}
