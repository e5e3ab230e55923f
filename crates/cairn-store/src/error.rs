use std::path::PathBuf;

use cairn_types::{ApiError, ErrorCode};

/// Everything that can go wrong with a project on disk.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("{} is not a Cairn project (it has no cairn.toml)", .0.display())]
    NotAProject(PathBuf),
    #[error("{} already is a Cairn project", .0.display())]
    AlreadyAProject(PathBuf),
    #[error("the project folder {} is read-only, so Cairn cannot save {what} in it", .path.display())]
    ReadOnly { path: PathBuf, what: String },
    #[error(
        "{} was written by a newer Cairn (project schema {found}; this Cairn knows up to {known}); it was left unchanged",
        .path.display()
    )]
    SchemaTooNew { path: PathBuf, found: u32, known: u32 },
    #[error("{} is damaged: {detail}", .path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("no dataset named or with id `{0}` in this project")]
    DatasetNotFound(String),
    #[error("a dataset named `{0}` already exists in this project")]
    DatasetExists(String),
    #[error("cannot write {}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("database error in {}: {source}", .path.display())]
    Sql { path: PathBuf, source: rusqlite::Error },
}

impl StoreError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::PermissionDenied || source.kind() == std::io::ErrorKind::ReadOnlyFilesystem {
            return StoreError::ReadOnly { path, what: "files".into() };
        }
        StoreError::Io { path, source }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Missing(_) => ErrorCode::FileNotFound,
            StoreError::NotAProject(_) => ErrorCode::NotAProject,
            StoreError::AlreadyAProject(_) => ErrorCode::AlreadyAProject,
            StoreError::ReadOnly { .. } => ErrorCode::ProjectReadOnly,
            StoreError::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            StoreError::Corrupt { .. } => ErrorCode::ProjectCorrupt,
            StoreError::DatasetNotFound(_) => ErrorCode::DatasetNotFound,
            StoreError::DatasetExists(_) => ErrorCode::DatasetExists,
            StoreError::Io { .. } => ErrorCode::Io,
            StoreError::Sql { source, .. } if is_readonly_sql(source) => ErrorCode::ProjectReadOnly,
            StoreError::Sql { .. } => ErrorCode::Io,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            StoreError::Missing(_) => "check the path, or create the folder first".into(),
            StoreError::NotAProject(_) => "make it a project (New project in the studio, or `cairn new PATH`)".into(),
            StoreError::AlreadyAProject(_) => "open it instead".into(),
            StoreError::ReadOnly { path, .. } => {
                format!("make the folder writable (chmod -R u+w {}) or copy the project somewhere you can write", path.display())
            }
            StoreError::SchemaTooNew { .. } => "update Cairn to open this project".into(),
            StoreError::Corrupt { .. } => "restore the project from a backup, or report the file".into(),
            StoreError::DatasetNotFound(_) => "pick one of the project's datasets (`cairn datasets PROJECT` lists them)".into(),
            StoreError::DatasetExists(_) => "choose another name for the dataset".into(),
            StoreError::Sql { source, .. } if is_readonly_sql(source) => "make the project folder writable".into(),
            StoreError::Io { .. } | StoreError::Sql { .. } => "check free disk space and permissions".into(),
        })
    }
}

fn is_readonly_sql(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly) | Some(rusqlite::ErrorCode::CannotOpen) | Some(rusqlite::ErrorCode::PermissionDenied)
    )
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let mut err = ApiError::new(e.code(), e.to_string());
        err.hint = e.hint();
        err
    }
}
