//! Job records: what was submitted, to which executor, and how it ended.

use cairn_types::{JobInfo, JobState};
use rusqlite::{OptionalExtension, Row, params};

use crate::error::StoreError;
use crate::project::Project;

/// A job as stored: its info plus the spec it runs and where its process is.
#[derive(Debug, Clone)]
pub struct JobRecord {
    pub info: JobInfo,
    pub spec_version: u32,
    pub spec_json: String,
    /// The process's start time (clock ticks since boot), so a reused pid is not mistaken for the job.
    pub pid_started: Option<u64>,
    /// The executor's own id for the job (a Ray submission id, say).
    pub external_id: Option<String>,
}

fn state_str(s: JobState) -> &'static str {
    match s {
        JobState::Queued => "queued",
        JobState::Running => "running",
        JobState::Succeeded => "succeeded",
        JobState::Failed => "failed",
        JobState::Cancelled => "cancelled",
    }
}

fn parse_state(s: &str) -> JobState {
    match s {
        "queued" => JobState::Queued,
        "running" => JobState::Running,
        "succeeded" => JobState::Succeeded,
        "cancelled" => JobState::Cancelled,
        _ => JobState::Failed,
    }
}

const COLUMNS: &str = "id, kind, spec_version, spec_json, run_id, experiment_id, executor, state, created_at, \
                       started_at, ended_at, pid, pid_started, exit_code, error, external_id";
/// Read beside a job's columns: its run's name (the run may have been renamed since).
const RUN_NAME: &str = "(SELECT name FROM runs WHERE runs.run_id = jobs.run_id)";

fn from_row(r: &Row<'_>) -> rusqlite::Result<JobRecord> {
    Ok(JobRecord {
        info: JobInfo {
            id: r.get(0)?,
            kind: r.get(1)?,
            run_id: r.get(4)?,
            experiment_id: r.get(5)?,
            executor: r.get(6)?,
            state: parse_state(&r.get::<_, String>(7)?),
            created_at: r.get(8)?,
            started_at: r.get(9)?,
            ended_at: r.get(10)?,
            pid: r.get::<_, Option<i64>>(11)?.map(|p| p as u32),
            exit_code: r.get(13)?,
            error: r.get(14)?,
            following: None,
            run_name: r.get::<_, Option<String>>(16)?.filter(|n| !n.is_empty()),
        },
        spec_version: r.get::<_, i64>(2)? as u32,
        spec_json: r.get(3)?,
        pid_started: r.get::<_, Option<i64>>(12)?.map(|p| p as u64),
        external_id: r.get(15)?,
    })
}

impl Project {
    pub fn insert_job(&self, job: &JobRecord) -> Result<(), StoreError> {
        self.ensure_writable("a job")?;
        let conn = self.conn()?;
        let i = &job.info;
        conn.execute(
            &format!("INSERT INTO jobs ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)"),
            params![
                i.id,
                i.kind,
                job.spec_version as i64,
                job.spec_json,
                i.run_id,
                i.experiment_id,
                i.executor,
                state_str(i.state),
                i.created_at,
                i.started_at,
                i.ended_at,
                i.pid.map(|p| p as i64),
                job.pid_started.map(|p| p as i64),
                i.exit_code,
                i.error,
                job.external_id
            ],
        )
        .map_err(|e| self.classify(e))?;
        Ok(())
    }

    /// Records that a job's process started.
    pub fn job_started(&self, id: &str, pid: u32, pid_started: Option<u64>, now: i64) -> Result<(), StoreError> {
        let conn = self.conn()?;
        conn.execute(
            "UPDATE jobs SET state = 'running', pid = ?2, pid_started = ?3, started_at = ?4 WHERE id = ?1",
            params![id, pid as i64, pid_started.map(|p| p as i64), now],
        )
        .map_err(|e| self.classify(e))?;
        Ok(())
    }

    /// Records that a job was accepted by a cluster under `external_id` (a Ray submission id), which is
    /// all that is needed to find it again after a restart.
    pub fn job_submitted(&self, id: &str, external_id: &str, now: i64) -> Result<(), StoreError> {
        let conn = self.conn()?;
        conn.execute("UPDATE jobs SET state = 'running', external_id = ?2, started_at = ?3 WHERE id = ?1", params![id, external_id, now])
            .map_err(|e| self.classify(e))?;
        Ok(())
    }

    /// Records how a job ended. A job that already ended keeps its first ending (a cancel that raced a
    /// success does not rewrite it).
    pub fn job_ended(&self, id: &str, state: JobState, exit_code: Option<i32>, error: Option<&str>, now: i64) -> Result<bool, StoreError> {
        let conn = self.conn()?;
        let n = conn
            .execute(
                "UPDATE jobs SET state = ?2, exit_code = ?3, error = ?4, ended_at = ?5 \
                 WHERE id = ?1 AND state IN ('queued', 'running')",
                params![id, state_str(state), exit_code, error, now],
            )
            .map_err(|e| self.classify(e))?;
        Ok(n > 0)
    }

    pub fn get_job(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(&format!("SELECT {COLUMNS}, {RUN_NAME} FROM jobs WHERE id = ?1"), [id], from_row)
            .optional()
            .map_err(|e| self.classify(e))
    }

    pub fn job_for_run(&self, run_id: &str) -> Result<Option<JobRecord>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            &format!("SELECT {COLUMNS}, {RUN_NAME} FROM jobs WHERE run_id = ?1 ORDER BY created_at DESC LIMIT 1"),
            [run_id],
            from_row,
        )
        .optional()
        .map_err(|e| self.classify(e))
    }

    /// Jobs newest first; `active` keeps only queued and running ones.
    pub fn list_jobs(&self, active: bool, limit: u32) -> Result<Vec<JobRecord>, StoreError> {
        let conn = self.conn()?;
        let filter = if active { "WHERE state IN ('queued', 'running')" } else { "" };
        let mut stmt = conn
            .prepare(&format!("SELECT {COLUMNS}, {RUN_NAME} FROM jobs {filter} ORDER BY created_at DESC LIMIT ?1"))
            .map_err(|e| self.classify(e))?;
        let rows = stmt.query_map([limit as i64], from_row).map_err(|e| self.classify(e))?;
        rows.map(|r| r.map_err(|e| self.classify(e))).collect()
    }
}
