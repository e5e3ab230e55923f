//! Endpoint records: what the user asked an endpoint to serve, and the process serving it now.
//! The spec is kept as JSON (the API layer owns its shape); the store keeps status, pid and port, so a
//! studio opened again finds the processes it started.

use rusqlite::{OptionalExtension, Row, params};

use crate::error::StoreError;
use crate::project::Project;

#[derive(Debug, Clone, PartialEq)]
pub struct EndpointRecord {
    pub name: String,
    pub spec_json: String,
    /// `starting`, `running`, `stopped` or `failed`.
    pub status: String,
    /// Why it is in that status (the last failure, say).
    pub message: String,
    pub pid: Option<u32>,
    pub port: Option<u16>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "name, spec_json, status, message, pid, port, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<EndpointRecord> {
    Ok(EndpointRecord {
        name: r.get(0)?,
        spec_json: r.get(1)?,
        status: r.get(2)?,
        message: r.get(3)?,
        pid: r.get::<_, Option<i64>>(4)?.map(|p| p as u32),
        port: r.get::<_, Option<i64>>(5)?.map(|p| p as u16),
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

impl Project {
    /// Inserts or replaces an endpoint's record (a deploy over a stopped endpoint of the same name).
    pub fn put_endpoint(&self, e: &EndpointRecord) -> Result<(), StoreError> {
        self.ensure_writable("an endpoint")?;
        let conn = self.conn()?;
        conn.execute(
            &format!("INSERT OR REPLACE INTO endpoints ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"),
            params![e.name, e.spec_json, e.status, e.message, e.pid.map(i64::from), e.port.map(i64::from), e.created_at, e.updated_at],
        )
        .map_err(|err| self.classify(err))?;
        Ok(())
    }

    pub fn endpoint(&self, name: &str) -> Result<Option<EndpointRecord>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(&format!("SELECT {COLUMNS} FROM endpoints WHERE name = ?1"), [name], from_row)
            .optional()
            .map_err(|err| self.classify(err))
    }

    pub fn list_endpoints(&self) -> Result<Vec<EndpointRecord>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM endpoints ORDER BY name")).map_err(|err| self.classify(err))?;
        let rows = stmt.query_map([], from_row).map_err(|err| self.classify(err))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|err| self.classify(err))
    }

    /// Records a status (and the process, when known) without touching the spec.
    pub fn set_endpoint_status(
        &self,
        name: &str,
        status: &str,
        message: &str,
        process: Option<(u32, u16)>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.ensure_writable("an endpoint's status")?;
        let conn = self.conn()?;
        let (pid, port) = (process.map(|p| i64::from(p.0)), process.map(|p| i64::from(p.1)));
        conn.execute(
            "UPDATE endpoints SET status = ?2, message = ?3, pid = ?4, port = ?5, updated_at = ?6 WHERE name = ?1",
            params![name, status, message, pid, port, now],
        )
        .map_err(|err| self.classify(err))?;
        Ok(())
    }

    pub fn set_endpoint_spec(&self, name: &str, spec_json: &str, now: i64) -> Result<(), StoreError> {
        self.ensure_writable("an endpoint")?;
        let conn = self.conn()?;
        conn.execute("UPDATE endpoints SET spec_json = ?2, updated_at = ?3 WHERE name = ?1", params![name, spec_json, now])
            .map_err(|err| self.classify(err))?;
        Ok(())
    }

    pub fn delete_endpoint(&self, name: &str) -> Result<(), StoreError> {
        self.ensure_writable("an endpoint")?;
        let conn = self.conn()?;
        conn.execute("DELETE FROM endpoints WHERE name = ?1", [name]).map_err(|err| self.classify(err))?;
        Ok(())
    }
}
