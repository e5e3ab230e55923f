use std::path::PathBuf;

use cairn_types::{ApiError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("cannot start the worker {}: {source}", .program.display())]
    Spawn { program: PathBuf, source: std::io::Error },
    #[error("cannot write the job's files in {}: {source}", .path.display())]
    Files { path: PathBuf, source: std::io::Error },
    #[error("the job spec has version {found}, but this Cairn reads up to {known}")]
    SpecTooNew { found: u32, known: u32 },
    #[error("the job spec in {} cannot be read: {detail}", .path.display())]
    BadSpec { path: PathBuf, detail: String },
}

impl JobError {
    pub fn code(&self) -> ErrorCode {
        match self {
            JobError::Spawn { .. } | JobError::Files { .. } => ErrorCode::Io,
            JobError::SpecTooNew { .. } | JobError::BadSpec { .. } => ErrorCode::InvalidInput,
        }
    }
}

impl From<JobError> for ApiError {
    fn from(e: JobError) -> Self {
        let hint = match &e {
            JobError::Spawn { .. } => "check that the Cairn binary is intact and executable",
            JobError::Files { .. } => "check free disk space and that the project folder is writable",
            JobError::SpecTooNew { .. } => "run the job with the Cairn that created it, or update this one",
            JobError::BadSpec { .. } => "start the job again from the studio",
        };
        ApiError::new(e.code(), e.to_string()).with_hint(hint)
    }
}
