//! Schema migrations, applied in order; `PRAGMA user_version` records how many ran.

/// The newest schema this build knows. A project with a higher version is refused, never altered.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub const MIGRATIONS: &[&str] = &[
    // 1: the project's own metadata and the dataset registry.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE datasets (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        source_json TEXT NOT NULL,
        columns_json TEXT NOT NULL,
        rows        INTEGER NOT NULL,
        digest      TEXT NOT NULL,
        version     TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        import_ms   INTEGER NOT NULL
    );
    "#,
];
