//! Long operations (imports, profiles) run on their own threads as tasks: they report progress, may show
//! a preview, can be cancelled, and end with a result or an error. The server streams their events.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use cairn_types::{ApiError, ErrorCode, Millis, Page, Progress, TaskEvent, TaskInfo, TaskState};

use crate::{lock, new_id};

/// How many finished tasks are remembered for late readers.
const KEEP_FINISHED: usize = 200;

/// One running or finished task.
pub struct TaskHandle {
    info: Mutex<TaskInfo>,
    /// Events with increasing sequence numbers; consecutive progress events are merged into one.
    events: Mutex<Vec<(u64, TaskEvent)>>,
    cancel: AtomicBool,
}

impl TaskHandle {
    pub fn info(&self) -> TaskInfo {
        lock(&self.info).clone()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn push(&self, event: TaskEvent) {
        let mut events = lock(&self.events);
        let seq = events.last().map(|e| e.0 + 1).unwrap_or(1);
        if let (TaskEvent::Progress { .. }, Some((_, TaskEvent::Progress { .. }))) = (&event, events.last()) {
            events.pop();
        }
        events.push((seq, event));
    }

    pub fn progress(&self, phase: &str, done: u64, total: u64, unit: &str) {
        let progress = Progress { phase: phase.into(), done, total, unit: unit.into() };
        lock(&self.info).progress = progress.clone();
        self.push(TaskEvent::Progress { progress });
    }

    pub fn preview(&self, page: Page) {
        self.push(TaskEvent::Preview { page });
    }

    /// Events after sequence number `after`, and whether the task has finished.
    pub fn events_after(&self, after: u64) -> (Vec<(u64, TaskEvent)>, bool) {
        let events = lock(&self.events);
        let new = events.iter().filter(|(s, _)| *s > after).cloned().collect();
        // Finished means the final event is in the list, so a reader never stops before seeing it.
        let done = matches!(events.last(), Some((_, TaskEvent::Succeeded { .. } | TaskEvent::Failed { .. } | TaskEvent::Cancelled)));
        (new, done)
    }

    fn finish(&self, outcome: Result<serde_json::Value, ApiError>, now: Millis) {
        let event = {
            let mut info = lock(&self.info);
            info.ended_at = Some(now);
            match outcome {
                Ok(result) => {
                    info.state = TaskState::Succeeded;
                    info.result = Some(result.clone());
                    TaskEvent::Succeeded { result }
                }
                Err(e) if e.code == ErrorCode::Cancelled => {
                    info.state = TaskState::Cancelled;
                    TaskEvent::Cancelled
                }
                Err(error) => {
                    info.state = TaskState::Failed;
                    info.error = Some(error.clone());
                    TaskEvent::Failed { error }
                }
            }
        };
        self.push(event);
    }
}

/// All tasks of this process.
#[derive(Default)]
pub struct Tasks {
    all: Mutex<HashMap<String, Arc<TaskHandle>>>,
    finished: Mutex<VecDeque<String>>,
}

impl Tasks {
    /// Runs `work` on a new thread as a task; returns its id at once.
    pub fn spawn<F>(self: &Arc<Self>, kind: &str, title: &str, now: Millis, clock: crate::Clock, work: F) -> String
    where
        F: FnOnce(&TaskHandle) -> Result<serde_json::Value, ApiError> + Send + 'static,
    {
        let id = new_id("task");
        let handle = Arc::new(TaskHandle {
            info: Mutex::new(TaskInfo {
                id: id.clone(),
                kind: kind.into(),
                title: title.into(),
                state: TaskState::Running,
                progress: Progress { phase: "starting".into(), done: 0, total: 0, unit: String::new() },
                error: None,
                result: None,
                started_at: now,
                ended_at: None,
            }),
            events: Mutex::default(),
            cancel: AtomicBool::new(false),
        });
        lock(&self.all).insert(id.clone(), handle.clone());
        let tasks = self.clone();
        let task_id = id.clone();
        let spawned = std::thread::Builder::new().name(format!("cairn-{kind}")).spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&handle)))
                .unwrap_or_else(|_| Err(ApiError::new(ErrorCode::Internal, "the task stopped on an internal error (a bug in Cairn)")));
            if let Err(e) = &outcome {
                tracing::info!(task = %task_id, code = ?e.code, "task ended: {}", e.message);
            }
            handle.finish(outcome, clock());
            tasks.retire(task_id);
        });
        if spawned.is_err()
            && let Some(h) = self.get(&id)
        {
            h.finish(Err(ApiError::new(ErrorCode::Internal, "cannot start a thread for the task")), now);
        }
        id
    }

    fn retire(&self, id: String) {
        let mut finished = lock(&self.finished);
        finished.push_back(id);
        while finished.len() > KEEP_FINISHED {
            if let Some(old) = finished.pop_front() {
                lock(&self.all).remove(&old);
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<Arc<TaskHandle>> {
        lock(&self.all).get(id).cloned()
    }

    pub fn handle(&self, id: &str) -> Result<Arc<TaskHandle>, ApiError> {
        self.get(id).ok_or_else(|| ApiError::new(ErrorCode::TaskNotFound, format!("no task `{id}`")))
    }

    /// Asks a task to stop; it ends as cancelled at its next check.
    pub fn cancel(&self, id: &str) -> Result<TaskInfo, ApiError> {
        let h = self.handle(id)?;
        h.cancel.store(true, Ordering::Relaxed);
        Ok(h.info())
    }

    pub fn list(&self) -> Vec<TaskInfo> {
        let mut v: Vec<TaskInfo> = lock(&self.all).values().map(|h| h.info()).collect();
        v.sort_by_key(|t| std::cmp::Reverse(t.started_at));
        v
    }
}
