//! Processes identified by pid and start time, so a pid reused by an unrelated process after a restart
//! is never mistaken for the job's.

/// A process: its pid and its start time in clock ticks since boot (Linux), when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessId {
    pub pid: u32,
    pub started: Option<u64>,
}

/// The start time of `pid` from /proc/<pid>/stat (field 22), None where /proc is not available.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces; fields follow the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(19)?.parse().ok()
}

pub fn process_id(pid: u32) -> ProcessId {
    ProcessId { pid, started: start_time(pid) }
}

/// True when the process still runs (and is the same process: same start time, not a zombie).
pub fn alive(p: ProcessId) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", p.pid)) else {
        return false;
    };
    let Some(rest) = stat.rsplit_once(')').map(|r| r.1) else { return false };
    let mut fields = rest.split_whitespace();
    if fields.next() == Some("Z") {
        return false;
    }
    match p.started {
        Some(expected) => rest.split_whitespace().nth(19).and_then(|s| s.parse::<u64>().ok()) == Some(expected),
        None => true,
    }
}

/// Sends a signal with the system's `kill` (no unsafe code here), to the process group when `group`.
pub fn signal(pid: u32, sig: &str, group: bool) -> bool {
    let target = if group { format!("-{pid}") } else { pid.to_string() };
    std::process::Command::new("kill")
        .args([format!("-{sig}"), "--".into(), target])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}
