//! Datasets kept in memory for the grid, and their sort orders, within a memory budget. Scrolling reads
//! slices of a cached frame (microseconds) instead of reading the stored copy on every page.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

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
}

impl Frames {
    pub fn new(budget: usize) -> Self {
        Self { budget, entries: Mutex::default() }
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
