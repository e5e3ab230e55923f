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
    // 2: jobs, so a training survives an app restart (re-attached) or is marked failed, never left running.
    r#"
    CREATE TABLE jobs (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        spec_version  INTEGER NOT NULL,
        spec_json     TEXT NOT NULL,
        run_id        TEXT NOT NULL,
        experiment_id TEXT NOT NULL,
        executor      TEXT NOT NULL,
        state         TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        started_at    INTEGER,
        ended_at      INTEGER,
        pid           INTEGER,
        pid_started   INTEGER,
        exit_code     INTEGER,
        error         TEXT,
        external_id   TEXT
    );
    CREATE INDEX jobs_by_state ON jobs(state);
    CREATE INDEX jobs_by_run ON jobs(run_id);
    "#,
];
