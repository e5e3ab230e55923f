//! The process behind an endpoint: started as `cairn endpoint-serve config.json` in a process group of
//! its own (it outlives the studio or command that started it, and a crash of it never takes the studio
//! down), watched while a studio runs (restarted with backoff when it dies, reloaded when an alias it
//! follows moves), and found again by the next studio that opens the project.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use cairn_store::Project;
use cairn_types::{ApiError, EndpointConfig, EndpointState, ErrorCode};

/// How long a new process may take to listen and answer `/ping` (loading a large ensemble takes seconds).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a watcher looks at its process and at the aliases it follows.
const WATCH_EVERY: Duration = Duration::from_millis(250);
const RESOLVE_EVERY: Duration = Duration::from_secs(2);
/// Restarts within this window count towards giving up.
const CRASH_WINDOW: Duration = Duration::from_secs(120);
const MAX_CRASHES: usize = 5;

pub(crate) const CONFIG_FILE: &str = "config.json";
pub(crate) const STATE_FILE: &str = "state.json";
pub(crate) const LOG_FILE: &str = "endpoint.log";

/// A running endpoint process as this studio knows it.
pub(crate) struct Process {
    pub pid: u32,
    pub port: u16,
    /// Our own child (we reap it); None when adopted from an earlier studio.
    child: Option<Child>,
}

impl Process {
    /// A process known by pid only (started by another studio); `alive` and `stop` look it up in /proc.
    pub fn adopted(pid: u32) -> Process {
        Process { pid, port: 0, child: None }
    }

    /// Still running? A child is asked (and reaped); an adopted process is looked up in /proc, with its
    /// command line naming this endpoint's config, so a reused pid is not mistaken for it.
    pub fn alive(&mut self, config: &Path) -> bool {
        match &mut self.child {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => is_endpoint_process(self.pid, config),
        }
    }

    /// Asks it to stop (SIGTERM to its group), then kills it after `grace`.
    pub fn stop(&mut self, config: &Path, grace: Duration) {
        // Gone already (or its pid now someone else's): nothing to signal.
        if !self.alive(config) {
            if let Some(c) = &mut self.child {
                let _ = c.wait();
            }
            return;
        }
        cairn_jobs::signal(self.pid, "TERM", true);
        let until = Instant::now() + grace;
        while Instant::now() < until && self.alive(config) {
            std::thread::sleep(Duration::from_millis(20));
        }
        if self.alive(config) {
            cairn_jobs::signal(self.pid, "KILL", true);
        }
        if let Some(c) = &mut self.child {
            let _ = c.wait();
        }
    }

    /// How it ended, in words, for the log and the endpoint's message.
    fn exit_words(&mut self) -> String {
        match self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
            Some(status) => match status.code() {
                Some(code) => format!("the model server exited with code {code}"),
                None => "the model server was killed by a signal".into(),
            },
            None => "the model server is gone".into(),
        }
    }
}

/// True when `pid` runs `… endpoint-serve <config>`.
pub(crate) fn is_endpoint_process(pid: u32, config: &Path) -> bool {
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { return false };
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|r| r.1.trim_start().starts_with('Z')))
        .unwrap_or(true);
    !zombie && args.contains(&b"endpoint-serve".as_slice()) && args.contains(&config.as_os_str().as_encoded_bytes())
}

/// Reads the process's state file, if it is there and whole.
pub(crate) fn read_state(dir: &Path) -> Option<EndpointState> {
    serde_json::from_slice(&std::fs::read(dir.join(STATE_FILE)).ok()?).ok()
}

pub(crate) fn read_config(dir: &Path) -> Result<EndpointConfig, ApiError> {
    let path = dir.join(CONFIG_FILE);
    let bytes = std::fs::read(&path)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("cannot read the endpoint's configuration {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("the endpoint's configuration {} is damaged: {e}", path.display())))
}

/// Writes the config readable by the user only: it holds the endpoint's key.
pub(crate) fn write_config(dir: &Path, config: &EndpointConfig) -> Result<(), ApiError> {
    use std::os::unix::fs::PermissionsExt;
    let io =
        |e: std::io::Error| ApiError::new(ErrorCode::Io, format!("cannot write the endpoint's configuration in {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let bytes = serde_json::to_vec_pretty(config).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    let tmp = dir.join(format!("{CONFIG_FILE}.tmp"));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    std::fs::rename(&tmp, dir.join(CONFIG_FILE)).map_err(io)
}

/// Starts the process and waits until it listens and answers `/ping`.
pub(crate) fn start(program: &Path, dir: &Path) -> Result<Process, ApiError> {
    let config = dir.join(CONFIG_FILE);
    let _ = std::fs::remove_file(dir.join(STATE_FILE));
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(LOG_FILE))
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("cannot open the endpoint's log in {}: {e}", dir.display())))?;
    let err = log.try_clone().map_err(|e| ApiError::new(ErrorCode::Io, e.to_string()))?;
    let mut child = Command::new(program)
        .arg("endpoint-serve")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err)
        // Its own group: a Ctrl-C in the terminal of `cairn endpoint deploy` does not reach it, and a
        // stop signals the group.
        .process_group(0)
        .spawn()
        .map_err(|e| {
            ApiError::new(ErrorCode::EndpointDown, format!("cannot start the model server {}: {e}", program.display()))
                .with_hint("check that the cairn program is installed and executable")
        })?;
    let pid = child.id();
    let until = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(ApiError::new(
                ErrorCode::EndpointDown,
                format!("the model server stopped while starting ({status}): {}", log_tail(dir, 600)),
            )
            .with_hint("see the endpoint's log; a model file moved or damaged is the usual cause"));
        }
        if let Some(state) = read_state(dir).filter(|s| s.pid == pid)
            && ping(state.port)
        {
            return Ok(Process { pid, port: state.port, child: Some(child) });
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ApiError::new(
                ErrorCode::EndpointDown,
                format!("the model server did not answer within {}s", START_TIMEOUT.as_secs()),
            )
            .with_hint("see the endpoint's log"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An earlier studio's process, if it still runs and answers.
pub(crate) fn adopt(dir: &Path, pid: u32) -> Option<Process> {
    let state = read_state(dir).filter(|s| s.pid == pid)?;
    (is_endpoint_process(pid, &dir.join(CONFIG_FILE)) && ping(state.port)).then_some(Process { pid, port: state.port, child: None })
}

pub(crate) fn ping(port: u16) -> bool {
    let url = format!("http://127.0.0.1:{port}/ping");
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .ok()
        .and_then(|c| c.get(url).send().ok())
        .is_some_and(|r| r.status().is_success())
}

/// The last `max` bytes of the endpoint's log, for error messages.
pub(crate) fn log_tail(dir: &Path, max: usize) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = std::fs::File::open(dir.join(LOG_FILE)) {
        let _ = f.read_to_end(&mut bytes);
    }
    let start = bytes.len().saturating_sub(max);
    String::from_utf8_lossy(&bytes[start..]).trim().to_string()
}

/// Appends a line to the endpoint's log (the process writes there too; the studio's lines say so).
pub(crate) fn log_line(dir: &Path, line: &str) {
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(dir.join(LOG_FILE)) {
        let _ = writeln!(f, "[cairn studio] {line}");
    }
}

/// What a watcher needs from the studio: resolve the variants again and rewrite the config when an
/// alias moved (returns true when the config changed), and the time.
pub(crate) trait Supervise: Send + Sync + 'static {
    fn refresh_config(&self, project: &Project, name: &str) -> Result<bool, ApiError>;
    fn now(&self) -> i64;
}

/// Watches one endpoint until it is stopped or deleted, or the studio goes away (`life`); starts it
/// first when `process` is None.
pub(crate) fn watch(
    sup: Arc<dyn Supervise>,
    project: Arc<Project>,
    name: String,
    dir: PathBuf,
    program: PathBuf,
    process: Option<Process>,
    life: Weak<()>,
) {
    let config = dir.join(CONFIG_FILE);
    let mut crashes: Vec<Instant> = Vec::new();
    // None: found dead when the project was opened; started again here, off the opening's path.
    let why = "the model server was not running when the project was opened";
    let Some(mut process) = process.or_else(|| restart(&*sup, &project, &name, &dir, &program, why, &mut crashes)) else { return };
    let mut resolved_at = Instant::now();
    loop {
        std::thread::sleep(WATCH_EVERY);
        if life.upgrade().is_none() {
            return; // The studio is closing: the endpoint runs on, the next studio adopts it.
        }
        let record = match project.endpoint(&name) {
            Ok(Some(r)) => r,
            Ok(None) => return process.stop(&config, Duration::from_secs(5)),
            Err(_) => continue,
        };
        if record.status == "stopped" || record.status == "failed" {
            // Stopped by the user, who signalled it: reap it.
            return process.stop(&config, Duration::from_secs(5));
        }
        if record.pid != Some(process.pid) {
            return; // Another studio started it again and watches it now.
        }
        if !process.alive(&config) {
            let why = process.exit_words();
            match restart(&*sup, &project, &name, &dir, &program, &why, &mut crashes) {
                Some(p) => process = p,
                None => return,
            }
            continue;
        }
        if resolved_at.elapsed() >= RESOLVE_EVERY {
            resolved_at = Instant::now();
            match sup.refresh_config(&project, &name) {
                Ok(true) => {
                    if let Err(e) = reload(process.port, &dir) {
                        log_line(&dir, &format!("could not switch models: {}", e.message));
                    }
                }
                Ok(false) => {}
                Err(e) => log_line(&dir, &format!("cannot resolve the endpoint's models: {}", e.message)),
            }
        }
    }
}

/// Starts a dead endpoint again, with backoff; None (and the endpoint failed) after too many crashes.
fn restart(
    sup: &dyn Supervise,
    project: &Project,
    name: &str,
    dir: &Path,
    program: &Path,
    why: &str,
    crashes: &mut Vec<Instant>,
) -> Option<Process> {
    loop {
        crashes.retain(|t| t.elapsed() < CRASH_WINDOW);
        crashes.push(Instant::now());
        if crashes.len() > MAX_CRASHES {
            let msg = format!("{why}, {} times in {} s; not started again", crashes.len(), CRASH_WINDOW.as_secs());
            log_line(dir, &msg);
            let _ = project.set_endpoint_status(name, "failed", &msg, None, sup.now());
            return None;
        }
        log_line(dir, &format!("{why}; starting it again"));
        let _ = project.set_endpoint_status(name, "restarting", why, None, sup.now());
        std::thread::sleep(Duration::from_millis(125 << crashes.len().min(6)));
        if project.endpoint(name).ok().flatten().is_some_and(|r| r.status == "stopped") {
            return None; // Stopped by the user meanwhile.
        }
        match start(program, dir) {
            Ok(p) => {
                let _ = project.set_endpoint_status(name, "running", &format!("restarted: {why}"), Some((p.pid, p.port)), sup.now());
                log_line(dir, &format!("restarted as process {} on port {}", p.pid, p.port));
                return Some(p);
            }
            Err(e) => log_line(dir, &format!("could not restart: {}", e.message)),
        }
    }
}

/// Asks the process to read its config again (new versions or weights); it swaps without dropping requests.
pub(crate) fn reload(port: u16, dir: &Path) -> Result<(), ApiError> {
    let key = read_config(dir)?.key;
    let resp = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
        .post(format!("http://127.0.0.1:{port}/_cairn/reload"))
        .bearer_auth(key)
        .send()
        .map_err(|e| ApiError::new(ErrorCode::EndpointDown, format!("the model server did not answer the reload: {e}")))?;
    if resp.status().is_success() {
        return Ok(());
    }
    let status = resp.status();
    let body = resp.text().unwrap_or_default();
    Err(ApiError::new(ErrorCode::EndpointDown, format!("the model server refused the new models ({status}): {body}"))
        .with_hint("it goes on serving the models it had; see the endpoint's log"))
}
