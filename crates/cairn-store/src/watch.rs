//! Whether anything was committed to a project's database since the last look, so the studio's screens
//! can follow runs and jobs that other processes record (a training worker, `cairn train` in a terminal,
//! a Python script logging through `cairn serve`).
//!
//! `PRAGMA data_version` on a connection that never writes changes whenever any other connection
//! commits, in this process or another; reading it costs no table access.

use std::path::PathBuf;

use rusqlite::Connection;

use crate::project::Project;

/// One watch per follower: `data_version` is relative to the connection that reads it.
#[derive(Debug)]
pub struct ChangeWatch {
    db: Option<PathBuf>,
    conn: Option<Connection>,
    seen: Option<i64>,
    looked: bool,
}

impl ChangeWatch {
    /// A watch on the project's database. A read-only project is not watched (nothing of ours writes
    /// it, and a watching connection would need files we must not create there).
    pub fn new(project: &Project) -> Self {
        let db = (!project.is_read_only()).then(|| project.db_path());
        Self { db, conn: None, seen: None, looked: false }
    }

    /// True on the first call (a follower starts from the current state) and whenever something
    /// committed since the previous call. A database that cannot be read counts as unchanged, and is
    /// opened again on the next call (a reopened connection counts as a change: its numbers are its own).
    pub fn changed(&mut self) -> bool {
        let first = !std::mem::replace(&mut self.looked, true);
        match self.version() {
            Some(v) => {
                let changed = first || self.seen != Some(v);
                self.seen = Some(v);
                changed
            }
            None => first,
        }
    }

    fn version(&mut self) -> Option<i64> {
        if self.conn.is_none() {
            self.conn = Connection::open(self.db.as_ref()?).ok();
            self.seen = None;
        }
        match self.conn.as_ref()?.query_row("PRAGMA data_version", [], |r| r.get(0)) {
            Ok(v) => Some(v),
            Err(_) => {
                self.conn = None;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TrackingStore;

    #[test]
    fn reports_the_first_look_and_each_commit_from_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let project = Project::create(&dir.path().join("p"), None, 0).unwrap();
        let mut watch = ChangeWatch::new(&project);
        assert!(watch.changed(), "the first look reports");
        assert!(!watch.changed(), "nothing committed since");
        project.create_experiment("e", None, &[], 1).unwrap();
        assert!(watch.changed(), "a commit through the project's own connections");
        assert!(!watch.changed());
        // Another process's connection (a worker, `cairn train`), as SQLite sees it.
        Connection::open(project.db_path()).unwrap().execute_batch("CREATE TABLE other_writer (x); DROP TABLE other_writer;").unwrap();
        assert!(watch.changed(), "a commit from another connection");
        assert!(!watch.changed());
    }
}
