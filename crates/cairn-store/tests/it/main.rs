//! cairn-store's integration tests, one binary: the tracking conformance suite (run here against the
//! SQLite backend), SQLite-specific behaviour, and multi-process reliability.
#![allow(clippy::unwrap_used)]

mod conformance;
mod models_registry;
mod reliability;
mod sqlite;

use cairn_store::Project;

/// A new, empty project in a temporary folder (dropped with the folder).
pub fn fresh_project() -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let project = Project::create(&dir.path().join("p"), Some("test"), 1_000).unwrap();
    (dir, project)
}
