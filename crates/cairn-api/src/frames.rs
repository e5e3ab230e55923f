//! Datasets kept in memory for the grid, and their sort orders, within a memory budget. Scrolling reads
//! slices of a cached frame (microseconds) instead of reading the stored copy on every page.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use cairn_data::{DataError, DataFrame};
use cairn_types::SortOrder;

use crate::lock;

/// Bytes of frames kept in memory before the least recently used is dropped.
pub const DEFAULT_BUDGET: usize = 4 << 30;

type Index = cairn_data::SortIndex;

struct Entry {
    frame: Arc<DataFrame>,
    bytes: usize,
    used: u64,
    sorted: HashMap<(String, SortOrder), Arc<Index>>,
}

pub struct Frames {
    budget: usize,
    entries: Mutex<(HashMap<String, Entry>, u64)>,
    /// Versions whose stored copy is being written in the background.
    pending: Mutex<HashSet<String>>,
    stored: Condvar,
}

impl Frames {
    pub fn new(budget: usize) -> Self {
        Self { budget, entries: Mutex::default(), pending: Mutex::default(), stored: Condvar::new() }
    }

    /// Writes a version's stored copy (Parquet) on a background thread. The copy is a cache of the
    /// source file, which the registry names with its digest, so a copy that never got written (a crash)
    /// is rebuilt from the source; meanwhile the frame is served from memory.
    pub fn store_behind(self: &Arc<Self>, version: &str, frame: Arc<DataFrame>, path: PathBuf) {
        lock(&self.pending).insert(version.to_string());
        let me = self.clone();
        let v = version.to_string();
        let write = move || {
            let mut df = (*frame).clone();
            if let Err(e) = cairn_data::write_parquet(&mut df, &path) {
                tracing::warn!("cannot store {}: {e}; it will be rebuilt from its source when needed", path.display());
            }
            lock(&me.pending).remove(&v);
            me.stored.notify_all();
        };
        if let Err(e) = std::thread::Builder::new().name("cairn-store".into()).spawn(write) {
            tracing::warn!("cannot start a writer thread ({e}); the copy will be rebuilt from its source when needed");
            lock(&self.pending).remove(version);
            self.stored.notify_all();
        }
    }

    /// Waits until the stored copy of `version` (or of every version, for None) has been written.
    pub fn wait_stored(&self, version: Option<&str>) {
        let mut pending = lock(&self.pending);
        while version.map_or(!pending.is_empty(), |v| pending.contains(v)) {
            pending = self.stored.wait(pending).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Adds a frame just read (after an import), so the first page needs no disk read.
    pub fn insert(&self, version: &str, frame: Arc<DataFrame>) {
        let bytes = frame.estimated_size();
        let mut guard = lock(&self.entries);
        let (map, tick) = &mut *guard;
        *tick += 1;
        map.insert(version.into(), Entry { frame, bytes, used: *tick, sorted: HashMap::new() });
        let mut total: usize = map.values().map(|e| e.bytes).sum();
        while total > self.budget && map.len() > 1 {
            let Some(oldest) = map.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone()) else { break };
            if let Some(e) = map.remove(&oldest) {
                total -= e.bytes;
            }
        }
    }

    /// The frame of a dataset version, read from its stored copy on first use.
    pub fn get(&self, version: &str, stored: &Path) -> Result<Arc<DataFrame>, DataError> {
        {
            let mut guard = lock(&self.entries);
            let (map, tick) = &mut *guard;
            *tick += 1;
            if let Some(e) = map.get_mut(version) {
                e.used = *tick;
                return Ok(e.frame.clone());
            }
        }
        let frame = Arc::new(cairn_data::read_parquet(stored)?);
        self.insert(version, frame.clone());
        Ok(frame)
    }

    /// The row order sorting a version by a column, computed once.
    pub fn sorted(&self, version: &str, frame: &DataFrame, column: &str, order: SortOrder) -> Result<Arc<Index>, DataError> {
        let key = (column.to_string(), order);
        if let Some(idx) = lock(&self.entries).0.get(version).and_then(|e| e.sorted.get(&key)) {
            return Ok(idx.clone());
        }
        let idx = Arc::new(cairn_data::sort_index(frame, column, order)?);
        if let Some(e) = lock(&self.entries).0.get_mut(version) {
            e.sorted.insert(key, idx.clone());
        }
        Ok(idx)
    }

    pub fn forget(&self, version: &str) {
        lock(&self.entries).0.remove(version);
    }
}
