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
        let mut list: Vec<RecentProject> = std::fs::read(&self.file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
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
        let _ = self.save(&list);
    }

    /// Takes a project off the list (its folder is left alone) and answers the entry as it was; `None`
    /// when it was not listed. Unlike `touch`, a failure to save is the answer: the user asked for it.
    pub fn remove(&self, id: &str) -> std::io::Result<Option<RecentProject>> {
        let mut list = self.list();
        let Some(i) = list.iter().position(|p| p.id == id) else {
            return Ok(None);
        };
        let removed = list.remove(i);
        self.save(&list)?;
        Ok(Some(removed))
    }

    fn save(&self, list: &[RecentProject]) -> std::io::Result<()> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let bytes = serde_json::to_vec_pretty(list).map_err(std::io::Error::other)?;
        atomic_write(&self.file, &bytes)
    }

    pub fn find(&self, id: &str) -> Option<RecentProject> {
        self.list().into_iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_takes_one_entry_off_and_leaves_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("p");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("cairn.toml"), "").unwrap();
        let recent = RecentProjects::new(&dir.path().join("config"));
        recent.touch("a", "A", &project.to_string_lossy(), 1);
        recent.touch("b", "B", "/nowhere/b", 2);

        let removed = recent.remove("a").unwrap().unwrap();
        assert_eq!((removed.id.as_str(), removed.name.as_str()), ("a", "A"));
        let left: Vec<String> = recent.list().into_iter().map(|p| p.id).collect();
        assert_eq!(left, ["b"]);
        assert!(project.join("cairn.toml").exists(), "removing from the list must not touch the folder");
        // A second removal finds nothing, and says so.
        assert!(recent.remove("a").unwrap().is_none());
    }
}
