use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn_types::{Millis, ProjectInfo};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use crate::conn::{Conn, Pool};
use crate::error::StoreError;
use crate::fsutil::{atomic_write, folder_is_read_only};
use crate::migrations::{MIGRATIONS, SCHEMA_VERSION};

const MANIFEST: &str = "cairn.toml";
/// The manifest format this build writes and reads.
const FORMAT: u32 = 1;

/// `cairn.toml`: what a person may read or edit by hand. Never holds secrets.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    name: String,
    format: u32,
    created_at: Millis,
}

/// An open project folder.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
    id: String,
    name: String,
    created_at: Millis,
    read_only: bool,
    /// Shared by clones: one project open in a process keeps one set of connections.
    pool: Arc<Pool>,
    searches: Arc<crate::tracking::SearchCache>,
}

/// A short stable id for a folder, derived from its canonical path.
pub fn project_id(canonical: &Path) -> String {
    blake3::hash(canonical.to_string_lossy().as_bytes()).to_hex()[..12].to_string()
}

fn canonical(path: &Path) -> Result<PathBuf, StoreError> {
    path.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => StoreError::Missing(path.to_path_buf()),
        _ => StoreError::io(path, e),
    })
}

impl Project {
    /// Makes `path` a project (creating the folder if needed) and opens it.
    pub fn create(path: &Path, name: Option<&str>, now: Millis) -> Result<Project, StoreError> {
        if path.join(MANIFEST).exists() {
            return Err(StoreError::AlreadyAProject(path.to_path_buf()));
        }
        if !path.exists() {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
                && parent.exists()
                && folder_is_read_only(parent)
            {
                return Err(StoreError::ReadOnly { path: parent.to_path_buf(), what: "a new project".into() });
            }
            std::fs::create_dir_all(path).map_err(|e| StoreError::io(path, e))?;
        } else if !path.is_dir() {
            return Err(StoreError::Corrupt { path: path.to_path_buf(), detail: "it is a file, not a folder".into() });
        }
        if folder_is_read_only(path) {
            return Err(StoreError::ReadOnly { path: path.to_path_buf(), what: "a new project".into() });
        }
        let root = canonical(path)?;
        let name = name
            .map(str::to_owned)
            .unwrap_or_else(|| root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or("project".into()));
        for dir in [".cairn/artifacts", "data", "flows"] {
            let d = root.join(dir);
            std::fs::create_dir_all(&d).map_err(|e| StoreError::io(&d, e))?;
        }
        // The database first, the manifest last: a folder only counts as a project once both exist.
        let project = Project {
            id: project_id(&root),
            root,
            name: name.clone(),
            created_at: now,
            read_only: false,
            pool: Default::default(),
            searches: Default::default(),
        };
        project.migrate()?;
        let manifest = Manifest { name, format: FORMAT, created_at: now };
        let text = format!(
            "# A Cairn project. Runs, datasets and the registry live in .cairn/cairn.db.\n{}",
            toml::to_string(&manifest).map_err(|e| StoreError::Corrupt { path: project.manifest(), detail: e.to_string() })?
        );
        atomic_write(&project.manifest(), text.as_bytes()).map_err(|e| StoreError::io(project.manifest(), e))?;
        Ok(project)
    }

    /// Opens an existing project. Applies pending migrations unless the folder is read-only;
    /// refuses, without touching anything, a project written by a newer Cairn.
    pub fn open(path: &Path) -> Result<Project, StoreError> {
        let root = canonical(path)?;
        let manifest_path = root.join(MANIFEST);
        let text = match std::fs::read_to_string(&manifest_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotAProject(root)),
            Err(e) => return Err(StoreError::io(&manifest_path, e)),
        };
        let manifest: Manifest =
            toml::from_str(&text).map_err(|e| StoreError::Corrupt { path: manifest_path.clone(), detail: e.message().to_string() })?;
        if manifest.format > FORMAT {
            return Err(StoreError::SchemaTooNew { path: manifest_path, found: manifest.format, known: FORMAT });
        }
        let read_only = folder_is_read_only(&root) || folder_is_read_only(&root.join(".cairn"));
        let project = Project {
            id: project_id(&root),
            root,
            name: manifest.name,
            created_at: manifest.created_at,
            read_only,
            pool: Default::default(),
            searches: Default::default(),
        };
        let found = project.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { path: project.db_path(), found, known: SCHEMA_VERSION });
        }
        if found < SCHEMA_VERSION {
            if read_only {
                return Err(StoreError::ReadOnly { path: project.root.clone(), what: "the schema upgrade it needs".into() });
            }
            project.migrate()?;
        }
        Ok(project)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub(crate) fn searches(&self) -> &crate::tracking::SearchCache {
        &self.searches
    }

    pub fn info(&self) -> ProjectInfo {
        ProjectInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            path: self.root.to_string_lossy().into_owned(),
            created_at: self.created_at,
            read_only: self.read_only,
            schema_version: SCHEMA_VERSION,
        }
    }

    fn manifest(&self) -> PathBuf {
        self.root.join(MANIFEST)
    }

    pub fn db_path(&self) -> PathBuf {
        self.root.join(".cairn/cairn.db")
    }

    /// `.cairn/artifacts/<kind>/`, created on first use.
    pub fn artifacts(&self, kind: &str) -> Result<PathBuf, StoreError> {
        let dir = self.root.join(".cairn/artifacts").join(kind);
        if !dir.exists() {
            self.ensure_writable(&format!("{kind} artifacts"))?;
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        }
        Ok(dir)
    }

    /// The folder where files uploaded through the browser are kept, beside the user's own data.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// Fails with a clear error when the project cannot be written; `what` says what would be saved.
    pub fn ensure_writable(&self, what: &str) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly { path: self.root.clone(), what: what.into() });
        }
        Ok(())
    }

    /// A connection to the project's database. Cheap to open; each caller gets its own, so threads never
    /// share one, and WAL plus a busy timeout let several processes write without "database is locked".
    pub fn conn(&self) -> Result<Conn, StoreError> {
        let path = self.db_path();
        let sql = |source| StoreError::Sql { path: path.clone(), source };
        if self.read_only {
            if let Some(conn) = self.read_only_wal_conn() {
                return Ok(Conn::unpooled(conn));
            }
            // immutable=1: no -wal/-shm files are created in a folder we must not write.
            let uri = format!("file:{}?immutable=1", path.to_string_lossy());
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
            return Connection::open_with_flags(uri, flags).map(Conn::unpooled).map_err(sql);
        }
        if let Some(conn) = self.pool.take() {
            return Ok(Conn::pooled(conn, &self.pool));
        }
        let conn = Connection::open(&path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sql)?;
        // A 32 MB page cache and reads through mmap: a search over 100k runs touches most of the file.
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;
             PRAGMA cache_size=-32768; PRAGMA mmap_size=268435456;",
        )
        .map_err(|e| self.classify(e))?;
        Ok(Conn::pooled(conn, &self.pool))
    }

    /// For a read-only project whose WAL files exist: a read-only connection that reads them (SQLite can,
    /// without writing anything), so what was committed but not yet copied into the database file is
    /// seen. An immutable connection ignores the WAL; it remains the fallback.
    fn read_only_wal_conn(&self) -> Option<Connection> {
        let db = self.db_path();
        let side = |suffix: &str| PathBuf::from(format!("{}{suffix}", db.to_string_lossy()));
        if !side("-wal").exists() || !side("-shm").exists() {
            return None;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(format!("file:{}?mode=ro", db.to_string_lossy()), flags).ok()?;
        // Opening is lazy; a first read shows whether the WAL can really be used.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())).ok()?;
        Some(conn)
    }

    /// Maps "file is not a database" to a corrupt-project error; everything else stays a database error.
    pub(crate) fn classify(&self, e: rusqlite::Error) -> StoreError {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
            return StoreError::Corrupt { path: self.db_path(), detail: "it is not a SQLite database".into() };
        }
        StoreError::Sql { path: self.db_path(), source: e }
    }

    fn schema_version(&self) -> Result<u32, StoreError> {
        if !self.db_path().exists() {
            return Ok(0);
        }
        let conn = self.conn()?;
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0)).map_err(|e| self.classify(e))
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(|e| self.classify(e))?;
        let found: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.classify(e))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql).map_err(|e| self.classify(e))?;
            tx.pragma_update(None, "user_version", (i + 1) as u32).map_err(|e| self.classify(e))?;
        }
        tx.commit().map_err(|e| self.classify(e))?;
        // Connections stay open (pooled), so nothing copies the WAL into the file on close: do it now, so
        // a reader that ignores the WAL (a read-only copy, an immutable open) sees the current schema.
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(())
    }
}
