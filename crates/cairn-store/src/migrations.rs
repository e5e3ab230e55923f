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
    // 3: experiment tracking, shaped like MLflow's store so its REST API can be served from here unchanged.
    // Child tables point at `runs.rid` (an integer) rather than the 32-character run id: smaller rows and
    // indexes, and integer joins when searching 100,000 runs. NaN cannot be stored in a REAL column
    // (SQLite turns it into NULL), so metric rows keep value 0 with `is_nan` = 1, as MLflow does; ±inf are
    // stored as they are. A NULL `artifact_location`/`artifact_uri` means "the default place inside the
    // project", resolved when read, so a project folder can be moved or copied without rewriting rows.
    r#"
    CREATE TABLE experiments (
        experiment_id     INTEGER PRIMARY KEY,
        name              TEXT NOT NULL UNIQUE,
        artifact_location TEXT,
        lifecycle_stage   TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
        creation_time     INTEGER NOT NULL,
        last_update_time  INTEGER NOT NULL
    );
    CREATE INDEX experiments_by_creation ON experiments(creation_time);
    CREATE TABLE experiment_tags (
        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
        key           TEXT NOT NULL,
        value         TEXT NOT NULL,
        PRIMARY KEY (experiment_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX experiment_tags_by_key ON experiment_tags(key, value);
    -- MLflow's clients start runs in experiment "0" when none is set.
    INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
    VALUES (0, 'Default', NULL, 'active',
            CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));

    CREATE TABLE runs (
        rid             INTEGER PRIMARY KEY,
        run_id          TEXT NOT NULL UNIQUE,
        experiment_id   INTEGER NOT NULL REFERENCES experiments(experiment_id),
        name            TEXT NOT NULL,
        user_id         TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED')),
        start_time      INTEGER NOT NULL,
        end_time        INTEGER,
        lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
        artifact_uri    TEXT,
        deleted_time    INTEGER
    );
    -- The default search order (newest first) within an experiment and view.
    CREATE INDEX runs_by_experiment ON runs(experiment_id, lifecycle_stage, start_time);
    CREATE TABLE params (
        rid   INTEGER NOT NULL REFERENCES runs(rid),
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (rid, key)
    ) WITHOUT ROWID;
    CREATE INDEX params_by_key ON params(key, value);
    CREATE TABLE run_tags (
        rid   INTEGER NOT NULL REFERENCES runs(rid),
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (rid, key)
    ) WITHOUT ROWID;
    CREATE INDEX run_tags_by_key ON run_tags(key, value);
    -- Every point. The key doubles as MLflow's de-duplication (an identical point is stored once) and as
    -- the order of a series by step.
    CREATE TABLE metric_history (
        rid       INTEGER NOT NULL REFERENCES runs(rid),
        key       TEXT NOT NULL,
        step      INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        value     REAL NOT NULL,
        is_nan    INTEGER NOT NULL,
        PRIMARY KEY (rid, key, step, timestamp, value, is_nan)
    ) WITHOUT ROWID;
    -- One row per run and key: the point with the highest (step, timestamp, value), for search and order.
    CREATE TABLE latest_metrics (
        rid       INTEGER NOT NULL REFERENCES runs(rid),
        key       TEXT NOT NULL,
        value     REAL NOT NULL,
        timestamp INTEGER NOT NULL,
        step      INTEGER NOT NULL,
        is_nan    INTEGER NOT NULL,
        PRIMARY KEY (rid, key)
    ) WITHOUT ROWID;
    CREATE INDEX latest_metrics_by_key ON latest_metrics(key, value);
    -- Data sets runs read (MLflow's log_inputs): one row per (experiment, name, digest), linked to runs.
    CREATE TABLE input_datasets (
        dataset_id    INTEGER PRIMARY KEY,
        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
        name          TEXT NOT NULL,
        digest        TEXT NOT NULL,
        source_type   TEXT NOT NULL,
        source        TEXT NOT NULL,
        schema        TEXT,
        profile       TEXT,
        UNIQUE (experiment_id, name, digest)
    );
    CREATE TABLE run_inputs (
        input_id   INTEGER PRIMARY KEY,
        rid        INTEGER NOT NULL REFERENCES runs(rid),
        dataset_id INTEGER NOT NULL REFERENCES input_datasets(dataset_id),
        UNIQUE (rid, dataset_id)
    );
    CREATE INDEX run_inputs_by_dataset ON run_inputs(dataset_id);
    CREATE TABLE run_input_tags (
        input_id INTEGER NOT NULL REFERENCES run_inputs(input_id),
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (input_id, key)
    ) WITHOUT ROWID;
    "#,
    // 4: models, as MLflow keeps them. The registry: registered models keyed by an integer so a rename
    // touches one row; versions numbered per model and never reused (a deleted version keeps its row,
    // stage 'Deleted_Internal', as MLflow does); tags on both; aliases naming one version each. Then
    // MLflow 3's logged models, which runs produce and versions are made from.
    r#"
    CREATE TABLE registered_models (
        model_rid              INTEGER PRIMARY KEY,
        name                   TEXT NOT NULL UNIQUE,
        creation_timestamp     INTEGER NOT NULL,
        last_updated_timestamp INTEGER NOT NULL,
        description            TEXT NOT NULL DEFAULT '',
        user_id                TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE registered_model_tags (
        model_rid INTEGER NOT NULL REFERENCES registered_models(model_rid),
        key       TEXT NOT NULL,
        value     TEXT NOT NULL,
        PRIMARY KEY (model_rid, key)
    ) WITHOUT ROWID;
    CREATE TABLE model_versions (
        model_rid              INTEGER NOT NULL REFERENCES registered_models(model_rid),
        version                INTEGER NOT NULL,
        creation_timestamp     INTEGER NOT NULL,
        last_updated_timestamp INTEGER NOT NULL,
        description            TEXT NOT NULL DEFAULT '',
        user_id                TEXT NOT NULL DEFAULT '',
        current_stage          TEXT NOT NULL,
        source                 TEXT NOT NULL,
        run_id                 TEXT NOT NULL DEFAULT '',
        run_link               TEXT NOT NULL DEFAULT '',
        status                 TEXT NOT NULL,
        status_message         TEXT NOT NULL DEFAULT '',
        model_id               TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (model_rid, version)
    ) WITHOUT ROWID;
    CREATE INDEX model_versions_by_run ON model_versions(run_id);
    CREATE TABLE model_version_tags (
        model_rid INTEGER NOT NULL,
        version   INTEGER NOT NULL,
        key       TEXT NOT NULL,
        value     TEXT NOT NULL,
        PRIMARY KEY (model_rid, version, key),
        FOREIGN KEY (model_rid, version) REFERENCES model_versions(model_rid, version)
    ) WITHOUT ROWID;
    CREATE TABLE registered_model_aliases (
        model_rid INTEGER NOT NULL,
        alias     TEXT NOT NULL,
        version   INTEGER NOT NULL,
        PRIMARY KEY (model_rid, alias),
        FOREIGN KEY (model_rid, version) REFERENCES model_versions(model_rid, version)
    ) WITHOUT ROWID;
    CREATE INDEX model_versions_by_model ON model_versions(model_id);
    -- MLflow 3's logged models. A NULL artifact_location is the project's models folder, resolved when
    -- read, as for runs. Metric points keep the run and data set they were measured on.
    CREATE TABLE logged_models (
        model_id                  TEXT PRIMARY KEY,
        experiment_id             INTEGER NOT NULL REFERENCES experiments(experiment_id),
        name                      TEXT NOT NULL,
        artifact_location         TEXT,
        creation_timestamp_ms     INTEGER NOT NULL,
        last_updated_timestamp_ms INTEGER NOT NULL,
        status                    TEXT NOT NULL,
        status_message            TEXT NOT NULL DEFAULT '',
        model_type                TEXT NOT NULL DEFAULT '',
        source_run_id             TEXT NOT NULL DEFAULT '',
        lifecycle_stage           TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted'))
    ) WITHOUT ROWID;
    CREATE INDEX logged_models_by_experiment ON logged_models(experiment_id, creation_timestamp_ms);
    CREATE TABLE logged_model_tags (
        model_id TEXT NOT NULL REFERENCES logged_models(model_id),
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (model_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE logged_model_params (
        model_id TEXT NOT NULL REFERENCES logged_models(model_id),
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (model_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE logged_model_metrics (
        model_id       TEXT NOT NULL REFERENCES logged_models(model_id),
        key            TEXT NOT NULL,
        value          REAL NOT NULL,
        is_nan         INTEGER NOT NULL,
        timestamp      INTEGER NOT NULL,
        step           INTEGER NOT NULL,
        run_id         TEXT NOT NULL,
        dataset_name   TEXT NOT NULL,
        dataset_digest TEXT NOT NULL,
        PRIMARY KEY (model_id, key, run_id, dataset_name, dataset_digest, step, timestamp)
    ) WITHOUT ROWID;
    -- Logged models a run produced (output = 1, at a step) or used (output = 0).
    CREATE TABLE run_models (
        rid      INTEGER NOT NULL REFERENCES runs(rid),
        model_id TEXT NOT NULL REFERENCES logged_models(model_id),
        output   INTEGER NOT NULL,
        step     INTEGER NOT NULL,
        PRIMARY KEY (rid, output, model_id)
    ) WITHOUT ROWID;
    "#,
    // 5: a metric filter (`metrics.auc > 0.8` keeps finite values only) answered from the index alone:
    // with is_nan beside the value no table row is read per matching run (~30% of a 100k-run search).
    r#"
    CREATE INDEX latest_metrics_by_key_finite ON latest_metrics(key, is_nan, value);
    DROP INDEX latest_metrics_by_key;
    "#,
    // 6: every version a dataset has had (a flow run again, a file imported again), so older ones can be
    // browsed; the `datasets` row is the current one. Existing datasets start with their current version.
    r#"
    CREATE TABLE dataset_versions (
        dataset_id   TEXT NOT NULL REFERENCES datasets(id),
        version      TEXT NOT NULL,
        source_json  TEXT NOT NULL,
        columns_json TEXT NOT NULL,
        rows         INTEGER NOT NULL,
        digest       TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        import_ms    INTEGER NOT NULL,
        PRIMARY KEY (dataset_id, version)
    ) WITHOUT ROWID;
    INSERT INTO dataset_versions
        SELECT id, version, source_json, columns_json, rows, digest, created_at, import_ms FROM datasets;
    "#,
    // 7: deployment. A version's approval status (SageMaker's: PendingManualApproval → Approved |
    // Rejected) beside MLflow's columns, and an append-only history of every registry change (registered,
    // status, alias set or removed, deleted) with who, when and why: MLflow keeps neither (#2169, #2863).
    // Keyed by the model's name as it was, so a group's history outlives the group. Then the project's
    // real-time endpoints: what the user asked for (variants, weights, capture) and the process serving it.
    r#"
    ALTER TABLE model_versions ADD COLUMN approval_status TEXT NOT NULL DEFAULT 'PendingManualApproval';
    CREATE TABLE registry_events (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        model_name TEXT NOT NULL,
        version    INTEGER,
        at         INTEGER NOT NULL,
        actor      TEXT NOT NULL DEFAULT '',
        kind       TEXT NOT NULL,
        from_value TEXT NOT NULL DEFAULT '',
        to_value   TEXT NOT NULL DEFAULT '',
        reason     TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX registry_events_by_model ON registry_events(model_name, version);
    CREATE TABLE endpoints (
        name       TEXT PRIMARY KEY,
        spec_json  TEXT NOT NULL,
        status     TEXT NOT NULL,
        message    TEXT NOT NULL DEFAULT '',
        pid        INTEGER,
        port       INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
];
