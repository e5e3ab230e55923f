//! Sorted results of recent run searches, reused until anything commits to the database. The runs table
//! asks for page after page of one search (scrolling 100k runs); each page used to run the filter and
//! the sort over every run again, twice (once more for the total).
//!
//! Staleness is told by `PRAGMA data_version` on a connection of the cache's own that never writes:
//! SQLite changes it whenever any other connection — this process's pooled ones, a training worker, a
//! Python client through `cairn serve` — commits.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::project::Project;
use crate::tracking::error::Result;

/// Searches kept (each at most a few MB: one i64 per matching run).
const ENTRIES: usize = 8;

#[derive(Default)]
pub(crate) struct SearchCache(Mutex<Inner>);

#[derive(Default)]
struct Inner {
    watch: Option<Connection>,
    version: i64,
    entries: VecDeque<(String, Arc<Vec<i64>>)>,
}

impl std::fmt::Debug for SearchCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SearchCache")
    }
}

impl SearchCache {
    /// The rows of the search `key`, computed by `compute` unless a cached answer is still current.
    pub(crate) fn rows(&self, p: &Project, key: String, compute: impl FnOnce() -> Result<Vec<i64>>) -> Result<Arc<Vec<i64>>> {
        // A read-only folder has no writer in this process to watch for; it is small enough to search anew.
        if p.is_read_only() {
            return compute().map(Arc::new);
        }
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match inner.current_version(p) {
            Some(v) if v == inner.version => {
                if let Some((_, rows)) = inner.entries.iter().find(|(k, _)| *k == key) {
                    return Ok(rows.clone());
                }
            }
            Some(v) => {
                inner.version = v;
                inner.entries.clear();
            }
            None => return compute().map(Arc::new),
        }
        // Computed while holding the lock: a second caller of the same search waits and reuses it.
        let rows = Arc::new(compute()?);
        if inner.entries.len() >= ENTRIES {
            inner.entries.pop_back();
        }
        inner.entries.push_front((key, rows.clone()));
        Ok(rows)
    }
}

impl Inner {
    fn current_version(&mut self, p: &Project) -> Option<i64> {
        if self.watch.is_none() {
            self.watch = Connection::open(p.db_path()).ok();
        }
        let version = self.watch.as_ref()?.query_row("PRAGMA data_version", [], |r| r.get(0));
        match version {
            Ok(v) => Some(v),
            Err(_) => {
                self.watch = None;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use cairn_types::SearchRuns;

    use crate::{Project, TrackingStore};

    fn search(p: &Project, exp: &str, offset: u64) -> (u64, Vec<String>) {
        let token = (offset > 0).then(|| crate::tracking::token::encode(offset));
        let q = SearchRuns {
            experiment_ids: vec![exp.into()],
            filter: "metrics.m > 0".into(),
            order_by: vec!["metrics.m DESC".into()],
            max_results: 2,
            page_token: token,
            ..Default::default()
        };
        let page = p.search_runs(&q).unwrap();
        (page.total, page.runs.into_iter().map(|r| r.info.run_name).collect())
    }

    fn run(p: &Project, exp: &str, name: &str, m: f64) -> String {
        let id = p.create_run(exp, Some(name), "u", 0, &[]).unwrap().info.run_id;
        p.log_metric(&id, "m", m, 0, 0).unwrap();
        id
    }

    /// Pages come from one cached search until anything commits: a write through the same project, or
    /// through another connection (another process) to the same database.
    #[test]
    fn cached_searches_never_answer_stale() {
        let dir = tempfile::tempdir().unwrap();
        let p = Project::create(&dir.path().join("p"), None, 0).unwrap();
        let exp = p.create_experiment("e", None, &[], 0).unwrap();
        run(&p, &exp, "a", 1.0);
        let b = run(&p, &exp, "b", 2.0);
        run(&p, &exp, "c", 3.0);
        assert_eq!(search(&p, &exp, 0), (3, vec!["c".into(), "b".into()]));
        assert_eq!(search(&p, &exp, 2), (3, vec!["a".into()]));

        run(&p, &exp, "d", 4.0);
        assert_eq!(search(&p, &exp, 0), (4, vec!["d".into(), "c".into()]));

        let other = Project::open(p.root()).unwrap();
        other.log_metric(&b, "m", 9.0, 1, 1).unwrap();
        assert_eq!(search(&p, &exp, 0), (4, vec!["b".into(), "d".into()]));
        run(&other, &exp, "e", 0.5);
        assert_eq!(search(&p, &exp, 2), (5, vec!["c".into(), "a".into()]));
        assert_eq!(search(&p, &exp, 4), (5, vec!["e".into()]));
    }
}
