//! The dataset registry: one row per imported dataset.

use cairn_types::Dataset;
use rusqlite::{OptionalExtension, Row, params};

use crate::error::StoreError;
use crate::project::Project;

const COLUMNS: &str = "id, name, source_json, columns_json, rows, digest, version, created_at, import_ms";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(Dataset, String, String)> {
    let source: String = r.get(2)?;
    let columns: String = r.get(3)?;
    Ok((
        Dataset {
            id: r.get(0)?,
            name: r.get(1)?,
            source: placeholder_source(),
            rows: r.get::<_, i64>(4)? as u64,
            columns: Vec::new(),
            digest: r.get(5)?,
            version: r.get(6)?,
            created_at: r.get(7)?,
            import_ms: r.get::<_, i64>(8)? as u64,
        },
        source,
        columns,
    ))
}

fn placeholder_source() -> cairn_types::DatasetSource {
    cairn_types::DatasetSource { path: String::new(), format: cairn_types::FileFormat::Csv, bytes: 0, options: Default::default() }
}

impl Project {
    fn decode(&self, parts: (Dataset, String, String)) -> Result<Dataset, StoreError> {
        let (mut ds, source, columns) = parts;
        let corrupt = |e: serde_json::Error| StoreError::Corrupt {
            path: self.db_path(),
            detail: format!("dataset `{}` has an unreadable record: {e}", ds.name),
        };
        ds.source = serde_json::from_str(&source).map_err(corrupt)?;
        ds.columns = serde_json::from_str(&columns).map_err(corrupt)?;
        Ok(ds)
    }

    /// Registers a dataset (and its first version). Fails (and changes nothing) if the name is taken.
    pub fn insert_dataset(&self, ds: &Dataset) -> Result<(), StoreError> {
        self.ensure_writable(&format!("dataset `{}`", ds.name))?;
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(|e| self.classify(e))?;
        let res = tx.execute(
            &format!("INSERT INTO datasets ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
            params![
                ds.id,
                ds.name,
                to_json(&ds.source),
                to_json(&ds.columns),
                ds.rows as i64,
                ds.digest,
                ds.version,
                ds.created_at,
                ds.import_ms as i64
            ],
        );
        match res {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
                return Err(StoreError::DatasetExists(ds.name.clone()));
            }
            Err(e) => return Err(self.classify(e)),
        }
        record_version(&tx, ds).map_err(|e| self.classify(e))?;
        tx.commit().map_err(|e| self.classify(e))
    }

    /// Gives a registered dataset (same id and name) a new version: its source, columns, rows, digest
    /// and version. Earlier versions stay listed, and their stored copies where they are.
    pub fn replace_dataset_version(&self, ds: &Dataset) -> Result<(), StoreError> {
        self.ensure_writable(&format!("dataset `{}`", ds.name))?;
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(|e| self.classify(e))?;
        let n = tx
            .execute(
                "UPDATE datasets SET source_json = ?2, columns_json = ?3, rows = ?4, digest = ?5, version = ?6, \
                 created_at = ?7, import_ms = ?8 WHERE id = ?1",
                params![
                    ds.id,
                    to_json(&ds.source),
                    to_json(&ds.columns),
                    ds.rows as i64,
                    ds.digest,
                    ds.version,
                    ds.created_at,
                    ds.import_ms as i64
                ],
            )
            .map_err(|e| self.classify(e))?;
        if n == 0 {
            return Err(StoreError::DatasetNotFound(ds.id.clone()));
        }
        record_version(&tx, ds).map_err(|e| self.classify(e))?;
        tx.commit().map_err(|e| self.classify(e))
    }

    /// Every version a dataset has had, newest first, each as the dataset was then (same id and name).
    pub fn dataset_versions(&self, id_or_name: &str) -> Result<Vec<Dataset>, StoreError> {
        let current = self.get_dataset(id_or_name)?;
        self.versions_of(&current, None)
    }

    /// One version of a dataset, current or earlier.
    pub fn dataset_version(&self, id_or_name: &str, version: &str) -> Result<Dataset, StoreError> {
        let current = self.get_dataset(id_or_name)?;
        self.versions_of(&current, Some(version))?
            .pop()
            .ok_or_else(|| StoreError::DatasetNotFound(format!("{} at version {version}", current.name)))
    }

    /// A dataset's versions, newest first: all of them, or only `version`.
    fn versions_of(&self, current: &Dataset, version: Option<&str>) -> Result<Vec<Dataset>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare(
                "SELECT dataset_id, ?2, source_json, columns_json, rows, digest, version, created_at, import_ms \
                 FROM dataset_versions WHERE dataset_id = ?1 AND (?3 IS NULL OR version = ?3) \
                 ORDER BY created_at DESC, version",
            )
            .map_err(|e| self.classify(e))?;
        let rows = stmt.query_map(params![current.id, current.name, version], from_row).map_err(|e| self.classify(e))?;
        rows.map(|r| self.decode(r.map_err(|e| self.classify(e))?)).collect()
    }

    pub fn list_datasets(&self) -> Result<Vec<Dataset>, StoreError> {
        let conn = self.conn()?;
        let mut stmt =
            conn.prepare(&format!("SELECT {COLUMNS} FROM datasets ORDER BY created_at DESC, name")).map_err(|e| self.classify(e))?;
        let rows = stmt.query_map([], from_row).map_err(|e| self.classify(e))?;
        rows.map(|r| self.decode(r.map_err(|e| self.classify(e))?)).collect()
    }

    /// Finds a dataset by id, or else by name.
    pub fn get_dataset(&self, id_or_name: &str) -> Result<Dataset, StoreError> {
        let conn = self.conn()?;
        let found = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM datasets WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1"),
                [id_or_name],
                from_row,
            )
            .optional()
            .map_err(|e| self.classify(e))?;
        match found {
            Some(parts) => self.decode(parts),
            None => Err(StoreError::DatasetNotFound(id_or_name.to_string())),
        }
    }

    pub fn dataset_name_taken(&self, name: &str) -> Result<bool, StoreError> {
        let conn = self.conn()?;
        conn.query_row("SELECT 1 FROM datasets WHERE name = ?1", [name], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| self.classify(e))
    }

    /// Removes a dataset from the registry; returns what was removed so the caller can drop its files.
    pub fn delete_dataset(&self, id: &str) -> Result<Dataset, StoreError> {
        let ds = self.get_dataset(id)?;
        self.ensure_writable(&format!("the removal of dataset `{}`", ds.name))?;
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(|e| self.classify(e))?;
        tx.execute("DELETE FROM dataset_versions WHERE dataset_id = ?1", [&ds.id]).map_err(|e| self.classify(e))?;
        tx.execute("DELETE FROM datasets WHERE id = ?1", [&ds.id]).map_err(|e| self.classify(e))?;
        tx.commit().map_err(|e| self.classify(e))?;
        Ok(ds)
    }
}

/// Registry fields are plain data that always serialize; a failure would be a bug, recorded rather than hidden.
/// Keeps a dataset's version in its history (a version seen again is updated, not doubled).
fn record_version(conn: &rusqlite::Connection, ds: &Dataset) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT OR REPLACE INTO dataset_versions \
         (dataset_id, version, source_json, columns_json, rows, digest, created_at, import_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            ds.id,
            ds.version,
            to_json(&ds.source),
            to_json(&ds.columns),
            ds.rows as i64,
            ds.digest,
            ds.created_at,
            ds.import_ms as i64
        ],
    )
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
