//! What the CLI prints: errors with hints, progress on a terminal, tables.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

/// Writes a line to stdout. When the reader has gone away (`cairn profile … | head`), stop quietly
/// instead of panicking as `println!` does.
pub fn emit(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n"))
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// `println!` for the CLI's output, through [`emit`].
#[macro_export]
macro_rules! say {
    ($($t:tt)*) => { $crate::output::emit(format_args!($($t)*)) };
}

use cairn_types::{ApiError, Dataset, Profile};

pub fn print_error(e: &ApiError) {
    eprintln!("error: {}", e.message);
    if let Some(h) = &e.hint {
        eprintln!("  hint: {h}");
    }
}

/// One line of progress on stderr, redrawn in place; silent when stderr is not a terminal.
pub struct ProgressLine {
    tty: bool,
    last: Mutex<(String, u64)>,
}

impl ProgressLine {
    pub fn new() -> Self {
        Self { tty: std::io::stderr().is_terminal(), last: Mutex::default() }
    }

    pub fn update(&self, phase: &str, done: u64, total: u64) {
        if !self.tty {
            return;
        }
        let pct = (done * 100).checked_div(total).unwrap_or(0);
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.0 == phase && last.1 == pct {
            return;
        }
        *last = (phase.to_string(), pct);
        let filled = (pct / 5) as usize;
        eprint!("\r{phase:>10} [{}{}] {pct:>3}%", "#".repeat(filled), " ".repeat(20 - filled.min(20)));
        let _ = std::io::stderr().flush();
    }

    pub fn clear(&self) {
        if self.tty {
            eprint!("\r{}\r", " ".repeat(40));
        }
    }
}

pub fn datasets(list: &[Dataset]) {
    if list.is_empty() {
        crate::say!("No datasets yet: import one with `cairn import PROJECT FILE`.");
        return;
    }
    crate::say!("{:<28} {:>10} {:>8}  source", "name", "rows", "columns");
    for d in list {
        crate::say!("{:<28} {:>10} {:>8}  {}", d.name, d.rows, d.columns.len(), d.source.path);
    }
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e12 { format!("{}", x as i64) } else { format!("{x:.4}") }
}

pub fn profile(p: &Profile) {
    crate::say!("{} rows, {} columns, {} duplicate rows", p.rows, p.columns.len(), p.duplicate_rows);
    crate::say!("{:<28} {:<9} {:>8} {:>9}  summary", "column", "type", "missing", "distinct");
    for c in &p.columns {
        let summary = match (&c.numeric, c.top.first()) {
            (Some(n), _) if c.min_label.is_some() => {
                let _ = n;
                format!("{} … {}", c.min_label.as_deref().unwrap_or(""), c.max_label.as_deref().unwrap_or(""))
            }
            (Some(n), _) => format!("min {} · mean {} · max {} · sd {}", num(n.min), num(n.mean), num(n.max), num(n.std)),
            (None, Some(t)) => format!("top {:?} ({})", t.value, t.count),
            _ => String::new(),
        };
        crate::say!("{:<28} {:<9} {:>7.1}% {:>9}  {}", c.name, c.dtype.name(), c.missing_pct, c.distinct, summary);
    }
}
