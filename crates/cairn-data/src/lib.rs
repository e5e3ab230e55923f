//! Data on polars: reading files into typed frames (CSV sniffing and whole-file type inference, Parquet,
//! JSON), pages of rows for the grid, column profiles, and the synthetic demo table.

mod columns;
mod csv;
pub mod demo;
mod error;
mod frame;
mod import;
mod infer;
mod json;
mod par;
pub mod profile;
mod scan;
mod sniff;
mod store;

pub use error::{DataError, Pos};
pub use frame::{CELL_MAX_CHARS, append_columns, column_infos, dtype_of, page};
pub use import::{Imported, Notes, null_values, preview_file, read_file};
/// The type classifier the CSV reader infers columns with, for readers of a file in pieces (a batch
/// prediction types the columns it copies over the whole file, as an import would).
pub use infer::{classify, datetime_format, resolve};
pub use polars::prelude::DataFrame;
/// A row order (the indices that sort a frame).
pub type SortIndex = polars::prelude::IdxCa;
pub use store::{csv_string, read_parquet, sort_index, take_page, write_csv, write_parquet};

use cairn_types::Page;

/// Receives progress from long operations and tells them when to stop. Calls come from worker threads.
pub trait Observer: Sync {
    /// `done` of `total` `unit`s (bytes, rows, columns) in `phase`; total 0 when unknown.
    fn progress(&self, _phase: &str, _done: u64, _total: u64, _unit: &str) {}
    /// A first page of rows, shown while a large import goes on.
    fn preview(&self, _page: Page) {}
    /// Checked between steps; true stops the work with `DataError::Cancelled`.
    fn cancelled(&self) -> bool {
        false
    }
}
