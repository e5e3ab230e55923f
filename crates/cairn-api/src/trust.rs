//! Workspace trust: a custom command runs the folder's code with the user's rights, so the user says
//! once per folder that they trust it, and Cairn remembers it in their settings (never in the folder,
//! which could otherwise trust itself). Trusting a folder trusts what is inside it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cairn_types::{ApiError, ErrorCode, Trust};

use crate::{Studio, lock};

pub(crate) struct TrustStore {
    file: PathBuf,
    /// Serializes read-modify-write of the file within this process.
    write: Mutex<()>,
}

impl TrustStore {
    pub(crate) fn new(config_dir: &Path) -> Self {
        Self { file: config_dir.join("trusted-folders.json"), write: Mutex::new(()) }
    }

    fn list(&self) -> Vec<PathBuf> {
        std::fs::read(&self.file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    pub(crate) fn is_trusted(&self, folder: &Path) -> bool {
        let Ok(folder) = folder.canonicalize() else { return false };
        self.list().iter().any(|t| folder.starts_with(t))
    }

    fn set(&self, folder: &Path, trusted: bool) -> Result<(), ApiError> {
        let folder =
            folder.canonicalize().map_err(|e| ApiError::new(ErrorCode::FileNotFound, format!("cannot trust {}: {e}", folder.display())))?;
        let _guard = lock(&self.write);
        let mut list = self.list();
        list.retain(|t| t != &folder);
        if trusted {
            list.push(folder);
        }
        if let Some(dir) = self.file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let bytes = serde_json::to_vec_pretty(&list).unwrap_or_default();
        cairn_store::atomic_write(&self.file, &bytes)
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("cannot save {}: {e}", self.file.display())))
    }
}

impl Studio {
    /// Whether the project's folder is trusted.
    pub fn trust(&self, pid: &str) -> Result<Trust, ApiError> {
        let root = self.project(pid)?.root().to_path_buf();
        Ok(Trust { trusted: self.trust.is_trusted(&root), folder: root.to_string_lossy().into_owned() })
    }

    /// The user's answer for the project's folder (or `folder`, relative to it), remembered across restarts.
    pub fn set_trust(&self, pid: &str, folder: Option<&str>, trusted: bool) -> Result<Trust, ApiError> {
        let root = self.project(pid)?.root().to_path_buf();
        let folder = match folder.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => root.join(f),
            None => root,
        };
        self.trust.set(&folder, trusted)?;
        Ok(Trust { trusted: self.trust.is_trusted(&folder), folder: folder.to_string_lossy().into_owned() })
    }

    /// The same for any folder (the command line's `cairn trust FOLDER`).
    pub fn set_folder_trust(&self, folder: &Path, trusted: bool) -> Result<bool, ApiError> {
        self.trust.set(folder, trusted)?;
        Ok(self.trust.is_trusted(folder))
    }

    pub(crate) fn is_trusted(&self, folder: &Path) -> bool {
        self.trust.is_trusted(folder)
    }
}
