//! What a file is before reading it: its format (by extension, checked against its bytes), its text
//! encoding, and for CSV its delimiter, quote and header.

use std::path::Path;

use cairn_types::{FileFormat, TextEncoding};
use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::error::{DataError, position};

/// A file's text, decoded to UTF-8 without a byte-order mark.
pub struct Text {
    pub bytes: Vec<u8>,
    /// Where the text starts in `bytes` (after a UTF-8 BOM), so the common case needs no copy.
    pub start: usize,
    pub encoding: TextEncoding,
}

impl Text {
    pub fn body(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

/// What a binary file seems to be, from its first bytes; None for text.
pub fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"PAR1", "a Parquet file"),
        (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"\x1f\x8b", "a gzip-compressed file"),
        (b"BZh", "a bzip2-compressed file"),
        (b"\xfd7zXZ", "an xz-compressed file"),
        (b"(\xb5/\xfd", "a zstd-compressed file"),
        (b"SQLite format 3", "a SQLite database"),
        (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook"),
        (b"\x7fELF", "a program (ELF executable)"),
        (b"ARROW1", "an Arrow IPC file"),
    ];
    for (magic, what) in MAGIC {
        if head.starts_with(magic) {
            return Some(what);
        }
    }
    let utf16 = head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]);
    if !utf16 && head.iter().take(8192).any(|&b| b == 0) {
        return Some("binary data");
    }
    None
}

/// The format to read `path` as: the one the user chose, else the extension's, else what the bytes look like.
/// A file whose bytes contradict the format is refused with what it looks like instead.
pub fn detect_format(path: &Path, head: &[u8], chosen: Option<FileFormat>) -> Result<FileFormat, DataError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let by_ext = match ext.as_str() {
        "csv" | "tsv" | "tab" | "txt" | "dat" => Some(FileFormat::Csv),
        "parquet" | "pq" => Some(FileFormat::Parquet),
        "json" => Some(FileFormat::Json),
        "ndjson" | "jsonl" => Some(FileFormat::Ndjson),
        _ => None,
    };
    let first = head.iter().copied().find(|b| !b.is_ascii_whitespace() && *b != 0xef && *b != 0xbb && *b != 0xbf);
    let looks_json = matches!(first, Some(b'{') | Some(b'['));
    let binary = binary_kind(head);
    let format = chosen.or(by_ext).unwrap_or(match (binary, looks_json) {
        (Some("a Parquet file"), _) => FileFormat::Parquet,
        (_, true) if first == Some(b'[') => FileFormat::Json,
        (_, true) => FileFormat::Ndjson,
        _ => FileFormat::Csv,
    });
    let wrong = |expected: &str, found: String| Err(DataError::WrongFormat { path: path.to_path_buf(), expected: expected.into(), found });
    match format {
        FileFormat::Parquet => {
            if !head.starts_with(b"PAR1") {
                let found = match binary {
                    Some(k) => format!("it looks like {k}"),
                    None if looks_json => "it looks like JSON text".into(),
                    None => "it looks like text (CSV?)".into(),
                };
                return wrong("a Parquet file (Parquet files start with the bytes PAR1)", found);
            }
        }
        FileFormat::Csv | FileFormat::Json | FileFormat::Ndjson => {
            if let Some(kind) = binary {
                let expected = if format == FileFormat::Csv { "CSV text" } else { "JSON text" };
                return wrong(expected, format!("it looks like {kind}"));
            }
            if format != FileFormat::Csv && !looks_json && first.is_some() {
                return wrong("JSON", "it does not start with `{` or `[` (is it CSV?)".into());
            }
        }
    }
    Ok(format)
}

/// Decodes a text file to UTF-8: strips a BOM, transcodes UTF-16 and Latin-1, and refuses invalid UTF-8
/// with the line and column of the first bad byte.
pub fn decode(path: &Path, raw: Vec<u8>, chosen: Option<TextEncoding>) -> Result<Text, DataError> {
    let transcode = |raw: &[u8], enc: &'static encoding_rs::Encoding, kind| {
        let (text, _, _) = enc.decode(raw);
        Text { bytes: text.into_owned().into_bytes(), start: 0, encoding: kind }
    };
    if raw.starts_with(&[0xff, 0xfe]) {
        return Ok(transcode(&raw, UTF_16LE, TextEncoding::Utf16));
    }
    if raw.starts_with(&[0xfe, 0xff]) {
        return Ok(transcode(&raw, UTF_16BE, TextEncoding::Utf16));
    }
    match chosen {
        Some(TextEncoding::Latin1) => return Ok(transcode(&raw, WINDOWS_1252, TextEncoding::Latin1)),
        Some(TextEncoding::Utf16) => return Ok(transcode(&raw, UTF_16LE, TextEncoding::Utf16)),
        _ => {}
    }
    let start = if raw.starts_with(&[0xef, 0xbb, 0xbf]) { 3 } else { 0 };
    // The fast check first; the standard one only to locate the error.
    if simdutf8::basic::from_utf8(&raw[start..]).is_ok() {
        return Ok(Text { bytes: raw, start, encoding: TextEncoding::Utf8 });
    }
    if let Err(e) = std::str::from_utf8(&raw[start..]) {
        let at = start + e.valid_up_to();
        let pos = position(&raw[start..], e.valid_up_to());
        return Err(DataError::BadEncoding { path: path.to_path_buf(), encoding: "UTF-8", pos, byte: raw[at] });
    }
    Ok(Text { bytes: raw, start, encoding: TextEncoding::Utf8 })
}

/// Guesses the encoding of a sample for the import dialog: UTF-8 when it decodes, else Latin-1.
pub fn guess_encoding(raw: &[u8]) -> TextEncoding {
    if raw.starts_with(&[0xff, 0xfe]) || raw.starts_with(&[0xfe, 0xff]) {
        return TextEncoding::Utf16;
    }
    match std::str::from_utf8(raw) {
        Ok(_) => TextEncoding::Utf8,
        // A sample may end inside a multi-byte character; only a real error counts.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Latin1,
    }
}

/// Counts the fields of each of the first lines for a candidate delimiter, honouring quotes.
fn field_counts(text: &[u8], delim: u8, quote: u8, max_lines: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    let (mut fields, mut in_quotes, mut line_len) = (1usize, false, 0usize);
    for &b in text {
        if b == quote {
            in_quotes = !in_quotes;
        } else if !in_quotes && b == delim {
            fields += 1;
        } else if !in_quotes && b == b'\n' {
            if line_len > 0 {
                counts.push(fields);
            }
            if counts.len() >= max_lines {
                return counts;
            }
            fields = 1;
            line_len = 0;
            continue;
        }
        if b != b'\r' {
            line_len += 1;
        }
    }
    if line_len > 0 && counts.len() < max_lines {
        counts.push(fields);
    }
    counts
}

/// Picks the delimiter that splits the first lines into the same number of fields (more than one).
/// Ties go to the extension's delimiter, then to comma, tab, semicolon, pipe.
pub fn sniff_delimiter(text: &[u8], quote: u8, tsv: bool) -> u8 {
    let sample = &text[..text.len().min(256 * 1024)];
    let mut order = vec![b',', b'\t', b';', b'|'];
    if tsv {
        order.swap(0, 1);
    }
    let mut best: Option<(u8, usize, usize)> = None; // delimiter, consistent lines, fields
    for &d in &order {
        let counts = field_counts(sample, d, quote, 100);
        let Some(&first) = counts.first() else { continue };
        if first < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        let better = match best {
            None => true,
            Some((_, bc, bf)) => consistent > bc || (consistent == bc && first > bf && consistent == counts.len()),
        };
        if better {
            best = Some((d, consistent, first));
        }
    }
    best.map(|b| b.0).unwrap_or(if tsv { b'\t' } else { b',' })
}
