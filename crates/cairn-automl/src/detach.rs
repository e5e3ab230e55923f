//! Fits on threads of their own, so a search keeps its deadline: a library fit that cannot be stopped
//! midway (linfa's solvers do not ask) is left to finish alone, told to stop, and its trial is recorded
//! as stopped by the budget; the search goes on. A panic in a fit becomes an error.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use cairn_ml::{MlError, Model, Reporter, TrainingData};
use cairn_types::ModelKind;

use crate::{Observer, Trainer};

/// How often a waiting search looks at the clock and at cancellation.
const POLL: Duration = Duration::from_millis(50);

/// Tells a fit to stop: the search gave up on it, or its deadline passed.
struct Stop {
    flag: Arc<AtomicBool>,
    until: Option<Instant>,
}

impl Reporter for Stop {
    fn cancelled(&self) -> bool {
        self.flag.load(Ordering::Relaxed) || self.until.is_some_and(|t| Instant::now() > t)
    }
}

/// One fit of `kind` on `rows`, on its own thread with `threads` rayon threads; returns its model, or
/// `Cancelled` as soon as the observer cancels or `until` passes.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit(
    data: &TrainingData,
    trainer: &Arc<dyn Trainer>,
    kind: ModelKind,
    params: &BTreeMap<String, String>,
    rows: &[usize],
    seed: u64,
    threads: usize,
    observer: &dyn Observer,
    until: Option<Instant>,
) -> Result<Model, MlError> {
    let flag = Arc::new(AtomicBool::new(false));
    let (tx, rx) = channel();
    let (data, trainer, params, rows, stop) = (data.clone(), trainer.clone(), params.clone(), rows.to_vec(), flag.clone());
    std::thread::Builder::new()
        .name("cairn-automl-fit".into())
        .spawn(move || {
            let stop = Stop { flag: stop, until };
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                on_own_threads(threads, || trainer.fit(&data, kind, &params, &rows, seed, &stop))
            }))
            .unwrap_or_else(|p| Err(MlError::Internal(format!("the fit panicked: {}", panic_text(&p)))));
            let _ = tx.send(r);
        })
        .map_err(|e| MlError::Internal(format!("cannot start a thread for a fit: {e}")))?;
    loop {
        match rx.recv_timeout(POLL) {
            Ok(r) => return r,
            Err(RecvTimeoutError::Disconnected) => return Err(MlError::Internal("a fit's thread ended without a result".into())),
            Err(RecvTimeoutError::Timeout) => {
                if observer.cancelled() || until.is_some_and(|t| Instant::now() > t) {
                    flag.store(true, Ordering::Relaxed);
                    return Err(MlError::Cancelled);
                }
            }
        }
    }
}

/// Runs `f` with `threads` rayon threads of its own (in the caller's pool when one cannot be made).
pub(crate) fn on_own_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

pub(crate) fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_else(|| "unknown".into())
}
