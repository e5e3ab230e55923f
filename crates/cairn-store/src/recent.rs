//! The user's recent projects, kept in their config folder (not in any project).

use std::path::{Path, PathBuf};

use cairn_types::{Millis, RecentProject};

use crate::fsutil::atomic_write;

const KEEP: usize = 20;

/// Recent projects stored as JSON in a config folder, newest first.
#[derive(Debug, Clone)]
pub struct RecentProjects {
    file: PathBuf,
}

impl RecentProjects {
    pub fn new(config_dir: &Path) -> Self {
        Self { file: config_dir.join("recent-projects.json") }
    }

    /// The list, newest first. An unreadable file reads as empty: losing the recent list must never stop
    /// anyone from opening a project.
    pub fn list(&self) -> Vec<RecentProject> {
        let mut list: Vec<RecentProject> = std::fs::read(&self.file)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        for p in &mut list {
            p.exists = Path::new(&p.path).join("cairn.toml").exists();
        }
        list
    }

    /// Puts a project at the top. Failing to save the list is not worth failing the open for.
    pub fn touch(&self, id: &str, name: &str, path: &str, now: Millis) {
        let mut list = self.list();
        list.retain(|p| p.path != path);
        list.insert(0, RecentProject { id: id.into(), name: name.into(), path: path.into(), opened_at: now, exists: true });
        list.truncate(KEEP);
        if let Some(dir) = self.file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(bytes) = serde_json::to_vec_pretty(&list) {
            let _ = atomic_write(&self.file, &bytes);
        }
    }

    pub fn find(&self, id: &str) -> Option<RecentProject> {
        self.list().into_iter().find(|p| p.id == id)
    }
}
