//! JSON (an array of records) and NDJSON (one record per line). Syntax is checked with serde_json first,
//! because it reports the line and column of a mistake; polars then reads the records, inferring types
//! from all of them.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;
use serde::de::IgnoredAny;

use crate::error::{DataError, Pos};

fn syntax(path: &Path, line_offset: u64, e: &serde_json::Error) -> DataError {
    DataError::Parse {
        path: path.to_path_buf(),
        pos: Some(Pos { line: e.line() as u64 + line_offset, column: e.column() as u64 }),
        detail: format!("invalid JSON: {e}").replace(&format!(" at line {} column {}", e.line(), e.column()), ""),
    }
}

fn polars_error(path: &Path, e: PolarsError) -> DataError {
    DataError::Parse { path: path.to_path_buf(), pos: None, detail: format!("cannot read the records as a table: {e}") }
}

pub fn read_json(path: &Path, body: &[u8], _sample: bool) -> Result<DataFrame, DataError> {
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first != Some(b'[') {
        // One object per line is NDJSON even in a .json file.
        return read_ndjson(path, body, _sample);
    }
    serde_json::from_slice::<IgnoredAny>(body).map_err(|e| syntax(path, 0, &e))?;
    JsonReader::new(Cursor::new(body)).with_json_format(JsonFormat::Json).infer_schema_len(None).finish().map_err(|e| polars_error(path, e))
}

pub fn read_ndjson(path: &Path, body: &[u8], sample: bool) -> Result<DataFrame, DataError> {
    let mut end = body.len();
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        if sample && i >= 1000 {
            end = line.as_ptr() as usize - body.as_ptr() as usize;
            break;
        }
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed[0] != b'{' {
            return Err(DataError::Parse {
                path: path.to_path_buf(),
                pos: Some(Pos { line: i as u64 + 1, column: 1 }),
                detail: "each line must be one JSON object (`{...}`)".into(),
            });
        }
        serde_json::from_slice::<IgnoredAny>(trimmed).map_err(|e| syntax(path, i as u64, &e))?;
    }
    JsonReader::new(Cursor::new(&body[..end]))
        .with_json_format(JsonFormat::JsonLines)
        .infer_schema_len(None)
        .finish()
        .map_err(|e| polars_error(path, e))
}
