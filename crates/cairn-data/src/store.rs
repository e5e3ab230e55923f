//! Datasets at rest (Parquet, written atomically) and sorted access for the grid.

use std::path::Path;

use cairn_types::{Page, SortOrder};
use polars::prelude::*;

use crate::error::DataError;
use crate::frame::page;

fn write_err(path: &Path, e: impl std::fmt::Display) -> DataError {
    DataError::Write { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) }
}

/// Writes `df` to `path` via a temporary sibling and a rename, so a crash never leaves half a file.
pub fn write_parquet(df: &mut DataFrame, path: &Path) -> Result<u64, DataError> {
    let tmp = path.with_extension(format!("parquet.tmp-{}", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp).map_err(|e| DataError::Write { path: tmp.clone(), source: e })?;
        // LZ4 keeps writing cheap; the data is local and read often.
        let size = ParquetWriter::new(file).with_compression(ParquetCompression::Lz4Raw).finish(df).map_err(|e| write_err(path, e))?;
        std::fs::rename(&tmp, path).map_err(|e| DataError::Write { path: path.to_path_buf(), source: e })?;
        Ok(size)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub fn write_csv(df: &mut DataFrame, path: &Path) -> Result<(), DataError> {
    let tmp = path.with_extension(format!("csv.tmp-{}", std::process::id()));
    let file = std::fs::File::create(&tmp).map_err(|e| DataError::Write { path: tmp.clone(), source: e })?;
    CsvWriter::new(file).include_header(true).finish(df).map_err(|e| write_err(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| DataError::Write { path: path.to_path_buf(), source: e })
}

/// The frame as CSV text with a header line.
pub fn csv_string(df: &mut DataFrame) -> Result<String, DataError> {
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf).include_header(true).finish(df).map_err(|e| write_err(Path::new("<stdout>"), e))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

pub fn read_parquet(path: &Path) -> Result<DataFrame, DataError> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DataError::NotFound(path.to_path_buf()),
        _ => DataError::Unreadable { path: path.to_path_buf(), source: e },
    })?;
    ParquetReader::new(file).finish().map_err(|e| DataError::Parse {
        path: path.to_path_buf(),
        pos: None,
        detail: format!("the stored dataset cannot be read: {e}"),
    })
}

/// The row order that sorts `df` by `column`, missing values last. Computed once and cached by callers,
/// so scrolling a sorted grid only gathers the rows of each page.
pub fn sort_index(df: &DataFrame, column: &str, order: SortOrder) -> Result<IdxCa, DataError> {
    let c = df.column(column).map_err(|_| DataError::ColumnNotFound {
        name: column.into(),
        available: df.get_column_names().iter().map(|s| s.to_string()).collect(),
    })?;
    let opts =
        SortOptions { descending: order == SortOrder::Desc, nulls_last: true, multithreaded: true, maintain_order: true, limit: None };
    Ok(c.as_materialized_series().arg_sort(opts))
}

/// A page of rows in the order given by `index` (or stored order when None).
pub fn take_page(df: &DataFrame, index: Option<&IdxCa>, offset: u64, limit: u64) -> Result<Page, DataError> {
    let total = df.height() as u64;
    match index {
        None => Ok(page(df, offset, limit, total)),
        Some(idx) => {
            let part = idx.slice(offset as i64, limit as usize);
            let rows = df.take(&part)?;
            let mut p = page(&rows, 0, limit, total);
            p.offset = offset;
            Ok(p)
        }
    }
}
