use std::path::PathBuf;

use cairn_types::{ApiError, DType, ErrorCode};

/// Where in a text file something is: 1-based line and column (column in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

/// Everything that can go wrong reading, converting or describing data. Each names the file and,
/// where it applies, the line, column and field, and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{} does not exist", .0.display())]
    NotFound(PathBuf),
    #[error("cannot read {}: {source}", .path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("{} is a folder, not a file", .0.display())]
    NotAFile(PathBuf),
    #[error("{} is empty: it has no header and no rows", .0.display())]
    Empty(PathBuf),
    #[error("{} is not valid {encoding} text: line {}, column {}, byte 0x{byte:02x} cannot be decoded", .path.display(), .pos.line, .pos.column)]
    BadEncoding { path: PathBuf, encoding: &'static str, pos: Pos, byte: u8 },
    #[error("{} line {line}: found {found} fields but the header has {expected}", .path.display())]
    Ragged { path: PathBuf, line: u64, expected: usize, found: usize },
    #[error("{} is not {expected}: {found}", .path.display())]
    WrongFormat { path: PathBuf, expected: String, found: String },
    #[error("{}{}: {detail}", .path.display(), pos_suffix(.pos))]
    Parse { path: PathBuf, pos: Option<Pos>, detail: String },
    #[error("{}: column `{column}` cannot be read as {}: {count} value(s) fail, first {}", .path.display(), .dtype.name(), examples_text(.examples))]
    TypeMismatch { path: PathBuf, column: String, dtype: DType, count: u64, examples: Vec<(Option<u64>, String)> },
    #[error("no column named `{name}`{}", suggestion(.name, .available))]
    ColumnNotFound { name: String, available: Vec<String> },
    #[error("{field}: {detail}")]
    InvalidOption { field: String, detail: String },
    #[error("cancelled")]
    Cancelled,
    #[error("cannot write {}: {source}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Polars(#[from] polars::error::PolarsError),
}

fn pos_suffix(pos: &Option<Pos>) -> String {
    pos.map(|p| format!(" line {}, column {}", p.line, p.column)).unwrap_or_default()
}

fn examples_text(ex: &[(Option<u64>, String)]) -> String {
    ex.iter()
        .map(|(line, v)| match line {
            Some(l) => format!("line {l}: {v:?}"),
            None => format!("{v:?}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Words for the import dialog (its controls are "Read as missing" and a type per column); the CLI
/// words its own, with flags. A value that looks like a placeholder is offered as a missing marker.
fn mismatch_hint(column: &str, examples: &[(Option<u64>, String)]) -> String {
    let mut values: Vec<&str> = Vec::new();
    for (_, v) in examples {
        if !values.contains(&v.as_str()) && v.chars().count() <= 24 {
            values.push(v);
        }
    }
    let quoted = values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ");
    match values.len() {
        0 => format!("import `{column}` as string, or fix those values"),
        1 => format!(
            "if {quoted} stands for a missing value, add it to Read as missing; otherwise import `{column}` as string, or fix those values"
        ),
        _ => format!(
            "if {quoted} stand for missing values, add them to Read as missing; otherwise import `{column}` as string, or fix those values"
        ),
    }
}

fn suggestion(name: &str, available: &[String]) -> String {
    let lower = name.to_lowercase();
    let close = available.iter().find(|a| {
        let a = a.to_lowercase();
        a == lower || a.contains(&lower) || lower.contains(&a)
    });
    match close {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None if available.len() <= 12 => format!(" (columns: {})", available.join(", ")),
        None => String::new(),
    }
}

impl DataError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DataError::NotFound(_) => ErrorCode::FileNotFound,
            DataError::Unreadable { .. } => ErrorCode::FileUnreadable,
            DataError::NotAFile(_) => ErrorCode::InvalidInput,
            DataError::Empty(_) => ErrorCode::EmptyFile,
            DataError::BadEncoding { .. } => ErrorCode::BadEncoding,
            DataError::Ragged { .. } => ErrorCode::RaggedRows,
            DataError::WrongFormat { .. } => ErrorCode::WrongFormat,
            DataError::Parse { .. } => ErrorCode::ParseError,
            DataError::TypeMismatch { .. } => ErrorCode::TypeMismatch,
            DataError::ColumnNotFound { .. } => ErrorCode::ColumnNotFound,
            DataError::InvalidOption { .. } => ErrorCode::InvalidInput,
            DataError::Cancelled => ErrorCode::Cancelled,
            DataError::Write { .. } => ErrorCode::Io,
            DataError::Polars(_) => ErrorCode::Internal,
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            DataError::NotFound(_) => "check the path; relative paths are resolved from the folder Cairn was started in".into(),
            DataError::Unreadable { .. } => "check that the file is readable by you (permissions) and not locked".into(),
            DataError::NotAFile(_) => "choose a data file inside the folder".into(),
            DataError::Empty(_) => "choose a file with a header line and at least one row".into(),
            DataError::BadEncoding { .. } => {
                "if the file came from Excel or an older Windows program, choose Latin-1 as its Encoding".into()
            }
            DataError::Ragged { .. } => {
                "check the Delimiter and Quote chosen, and the quoting on that line: a field containing the delimiter must be quoted".into()
            }
            DataError::WrongFormat { .. } => "choose the file's real Format, or convert it to CSV, Parquet or JSON".into(),
            DataError::Parse { .. } => "fix the file at that position, or choose another Format or Quote".into(),
            DataError::TypeMismatch { column, examples, .. } => mismatch_hint(column, examples),
            DataError::ColumnNotFound { .. } => "check the column's spelling; names are case-sensitive".into(),
            DataError::InvalidOption { .. } => "correct that option and try again".into(),
            DataError::Write { .. } => "check free disk space and that the project folder is writable".into(),
            DataError::Cancelled | DataError::Polars(_) => return None,
        })
    }
}

impl From<DataError> for ApiError {
    fn from(e: DataError) -> Self {
        let mut err = ApiError::new(e.code(), e.to_string());
        err.hint = e.hint();
        err
    }
}

/// Line and column (1-based, in characters) of byte offset `at` in `text`.
pub fn position(text: &[u8], at: usize) -> Pos {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let line_start = memchr::memrchr(b'\n', before).map(|i| i + 1).unwrap_or(0);
    let column = String::from_utf8_lossy(&text[line_start..at]).chars().count() as u64 + 1;
    Pos { line, column }
}
