//! Model monitoring over polars DataFrames: the computations behind Cairn's Model Monitor.
//!
//! - [`baseline`]: SageMaker Model Monitor's `statistics.json` and `constraints.json` (serde types that read and
//!   write those files) suggested from a reference table, plus the exact per-column value counts drift needs,
//!   bundled as a versioned [`Baseline`].
//! - [`violations`]: SageMaker's six constraint checks with deequ's `linf_simple` / `linf_robust` distances,
//!   written as `constraint_violations.json`.
//! - [`drift`]: per-column drift with Evidently 0.7.23's default tests and values, and the dataset drift share.
//! - [`quality`]: SageMaker's model quality metrics with best-constant baselines and resampled deviations.
//!
//! Nothing here reads files or knows about projects; callers hand in DataFrames (or lazy scans) and get plain
//! serializable results. Bad data never panics: it becomes a [`MonitorError`] or a violation naming the column.

pub mod baseline;
pub mod drift;
mod ks;
pub mod quality;
pub mod sagemaker;
pub mod special;
pub(crate) mod stattests;
pub mod summary;
pub mod violations;

pub use baseline::{Baseline, Constraints, Statistics};
pub use drift::{ColumnDrift, ColumnKind, DriftOptions, DriftReport, StatTest};
pub use summary::{ColumnSummary, Values};
pub use violations::{Violation, Violations};

/// What can go wrong; every message names the column or file field and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// The current window has no rows.
    #[error("the current window has no rows: widen the time window or check that traffic was captured")]
    EmptyWindow,
    /// A column the computation needs is absent.
    #[error("column '{0}' is missing")]
    MissingColumn(String),
    /// A column's data could not be read as needed.
    #[error("column '{column}': {message}")]
    Data { column: String, message: String },
    /// A baseline written by a newer Cairn.
    #[error(
        "this baseline was written by a newer Cairn (format version {found}; this Cairn reads up to {supported}): upgrade Cairn or make the baseline again"
    )]
    NewerBaseline { found: u32, supported: u32 },
    /// A baseline or constraints file that does not parse.
    #[error("{what} is not valid: {message}")]
    Invalid { what: String, message: String },
    /// Model quality inputs that cannot be scored.
    #[error("{0}")]
    Quality(String),
}
