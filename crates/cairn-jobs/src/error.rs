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
    #[error("the Ray cluster at {url} cannot be reached: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("the Ray cluster at {url} requires a token and none was given (HTTP 401)")]
    TokenMissing { url: String },
    #[error("the Ray cluster at {url} refused the token (HTTP 403)")]
    TokenRefused { url: String },
    #[error("the Ray cluster at {url} speaks Jobs API version {found} (Ray {ray}); Cairn knows version {known}")]
    RayVersion { url: String, found: String, ray: String, known: String },
    #[error("{url} is not a Ray dashboard: {detail}")]
    NotRay { url: String, detail: String },
    #[error("the Ray cluster answered {method} {url} with HTTP {status}: {detail}")]
    Ray { method: &'static str, url: String, status: u16, detail: String },
    #[error("the job's package is over {} MiB ({} MiB so far); Ray accepts at most {} MiB", .limit / (1024 * 1024), .bytes / (1024 * 1024), .limit / (1024 * 1024))]
    PackageTooLarge { bytes: u64, limit: u64 },
    #[error("the job's folder has {files} files; a package holds at most {limit}")]
    TooManyFiles { files: usize, limit: usize },
    #[error("the Ray cluster already has a job `{id}`")]
    AlreadySubmitted { id: String },
    #[error("the Ray cluster at {url} has no job `{id}`")]
    UnknownJob { url: String, id: String },
    #[error("{} is not trusted: a custom command runs code from it", .dir.display())]
    Untrusted { dir: PathBuf },
    #[error("{what} cannot run on {executor}")]
    Unsupported { what: String, executor: String },
}

impl JobError {
    pub fn code(&self) -> ErrorCode {
        match self {
            JobError::Spawn { .. } | JobError::Files { .. } => ErrorCode::Io,
            JobError::SpecTooNew { .. } | JobError::BadSpec { .. } => ErrorCode::InvalidInput,
            JobError::Unreachable { .. } => ErrorCode::ClusterUnreachable,
            JobError::TokenMissing { .. } | JobError::TokenRefused { .. } => ErrorCode::ClusterAuth,
            JobError::RayVersion { .. } | JobError::NotRay { .. } => ErrorCode::ClusterVersion,
            JobError::Ray { .. } | JobError::Unsupported { .. } => ErrorCode::NotAvailable,
            JobError::PackageTooLarge { .. } | JobError::TooManyFiles { .. } => ErrorCode::PackageTooLarge,
            JobError::Untrusted { .. } => ErrorCode::NotTrusted,
            JobError::AlreadySubmitted { .. } => ErrorCode::AlreadyExists,
            JobError::UnknownJob { .. } => ErrorCode::JobNotFound,
        }
    }

    /// True when the cluster could not be asked at all (retry later), as opposed to an answer.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, JobError::Unreachable { .. })
    }
}

impl From<JobError> for ApiError {
    fn from(e: JobError) -> Self {
        let hint = match &e {
            JobError::Spawn { .. } => "check that the Cairn binary is intact and executable",
            JobError::Files { .. } => "check free disk space and that the project folder is writable",
            JobError::SpecTooNew { .. } => "run the job with the Cairn that created it, or update this one",
            JobError::BadSpec { .. } => "start the job again from the studio",
            JobError::Unreachable { .. } => "check the address (the dashboard port, 8265 by default) and that the cluster is up",
            // The words of the Clusters page, which every client has; the CLI's own flags are in its help.
            JobError::TokenMissing { .. } => "give the cluster's token (its RAY_AUTH_TOKEN) in the cluster's profile",
            JobError::TokenRefused { .. } => "check the token: it must be the cluster's RAY_AUTH_TOKEN",
            JobError::RayVersion { .. } => "use a Ray version whose Jobs API Cairn knows (Ray 2.x, API version 4)",
            JobError::NotRay { .. } => "give the Ray dashboard's address, e.g. http://HEAD:8265",
            JobError::Ray { .. } => "see the Ray dashboard's log for the cause",
            JobError::PackageTooLarge { .. } | JobError::TooManyFiles { .. } => {
                "move large data out of the job's folder (read it from shared storage instead)"
            }
            JobError::AlreadySubmitted { .. } => "the job was submitted already; follow it instead",
            JobError::UnknownJob { .. } => "the job was deleted on the cluster, or the cluster was restarted",
            JobError::Untrusted { .. } => "trust the project's folder first: its code runs with your rights",
            JobError::Unsupported { .. } => "run it on this computer instead",
        };
        ApiError::new(e.code(), e.to_string()).with_hint(hint)
    }
}
