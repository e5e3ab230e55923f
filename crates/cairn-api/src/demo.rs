//! The demo project: a synthetic hospital-readmission table, imported and profiled like a user's file.

use std::path::Path;

use cairn_types::{ApiError, ErrorCode, ImportOptions, ImportRequest, ProjectInfo};

use crate::Studio;
use crate::datasets::ImportObserver;

/// Rows in the demo table; enough to feel real, small enough to generate in a blink.
pub const DEMO_ROWS: usize = 20_000;
pub const DEMO_SEED: u64 = 20_260_101;
const DEMO_DATASET: &str = "readmissions";

impl Studio {
    /// Creates (or reopens) a demo project in `path` with the readmissions dataset imported and profiled.
    pub fn create_demo(&self, path: &str) -> Result<ProjectInfo, ApiError> {
        let existing = Path::new(path).join("cairn.toml").exists();
        let info = if existing { self.open_project(path)? } else { self.create_project(path, Some("Readmission demo"))? };
        if self.dataset(&info.id, DEMO_DATASET).is_ok() {
            return Ok(info);
        }
        let project = self.project(&info.id)?;
        let csv = project.data_dir().join("readmissions.csv");
        let mut df = cairn_data::demo::readmissions(DEMO_ROWS, DEMO_SEED)
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("generating the demo table: {e}")))?;
        cairn_data::write_csv(&mut df, &csv)?;
        let req = ImportRequest {
            path: csv.to_string_lossy().into_owned(),
            options: ImportOptions { name: Some(DEMO_DATASET.into()), ..Default::default() },
        };
        let obs = ImportObserver { task: None, on_progress: None };
        let ds = self.import_now(&info.id, &req, &obs)?;
        self.profile_now(&info.id, &ds.id, &obs)?;
        Ok(info)
    }
}
