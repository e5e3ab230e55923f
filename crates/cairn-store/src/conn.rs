//! Connections to a project's database, kept open between calls. Opening one per call paid, on every
//! call, for opening the file, the setup pragmas, a cold page cache (each page read again through a
//! syscall) and an empty prepared-statement cache: ~25 ms per logged metric and searches over 100k runs
//! several times slower than the query itself.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

/// Idle connections kept at most; more are opened when calls overlap and closed when they end.
const KEEP: usize = 4;

#[derive(Default)]
pub(crate) struct Pool(Mutex<Vec<Connection>>);

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pool")
    }
}

impl Pool {
    pub(crate) fn take(&self) -> Option<Connection> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }
}

/// A connection that goes back to its project's pool when dropped.
pub struct Conn {
    conn: Option<Connection>,
    pool: Option<Arc<Pool>>,
}

impl Conn {
    pub(crate) fn pooled(conn: Connection, pool: &Arc<Pool>) -> Conn {
        Conn { conn: Some(conn), pool: Some(pool.clone()) }
    }

    /// A connection closed when dropped (read-only and immutable ones, which must not outlive the call).
    pub fn unpooled(conn: Connection) -> Conn {
        Conn { conn: Some(conn), pool: None }
    }
}

impl Deref for Conn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("a connection until dropped")
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("a connection until dropped")
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        let (Some(conn), Some(pool)) = (self.conn.take(), self.pool.as_ref()) else { return };
        // A connection left inside a transaction (it cannot be, Transaction rolls back on drop) is closed.
        if !conn.is_autocommit() {
            return;
        }
        let mut idle = pool.0.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP {
            idle.push(conn);
        }
    }
}
