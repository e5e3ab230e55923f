//! Task events as server-sent events: progress, a preview, then the outcome. A reader that reconnects
//! passes `after` (or Last-Event-ID) and misses nothing.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;

use crate::AppState;
use crate::error::Failure;
use crate::extract::{Path, Query};
use crate::params::*;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only the events after this one (its `id`); 0, the default, sends them all.
    #[serde(default)]
    after: u64,
}

/// How often a running task is checked for new events.
const POLL: Duration = Duration::from_millis(50);

#[utoipa::path(get, path = "/api/tasks/{tid}/events", params(TaskPath, EventsQuery, ("Last-Event-ID" = Option<u64>, Header, description = "What a reconnecting reader saw last; wins over `after`.")), responses((status = 200, description = "The task's events (`TaskEvent` each, with its sequence number as `id`) until it ends.", content_type = "text/event-stream", body = cairn_types::TaskEvent)))]
pub async fn task_events(
    State(s): State<AppState>,
    Path(TaskPath { tid }): Path<TaskPath>,
    Query(q): Query<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Failure> {
    let handle = s.studio.tasks().handle(&tid)?;
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let after = resume.unwrap_or(q.after);
    let stream = futures_util::stream::unfold((handle, after, false), |(handle, after, ended)| async move {
        if ended {
            return None;
        }
        loop {
            let (events, done) = handle.events_after(after);
            if !events.is_empty() || done {
                let last = events.last().map(|e| e.0).unwrap_or(after);
                let batch: Vec<Result<Event, Infallible>> = events
                    .into_iter()
                    .map(|(seq, ev)| Ok(Event::default().id(seq.to_string()).json_data(ev).unwrap_or_default()))
                    .collect();
                // `done` is read after the events, so the final event is always in the last batch.
                return Some((futures_util::stream::iter(batch), (handle, last, done)));
            }
            tokio::time::sleep(POLL).await;
        }
    });
    use futures_util::StreamExt;
    Ok(Sse::new(stream.flatten()).keep_alive(KeepAlive::default()))
}

/// How often a followed project is looked at (one PRAGMA when nothing committed), and so the most
/// change events a stream sends per second while a script logs metric after metric.
const PROJECT_POLL: Duration = Duration::from_millis(700);

/// The project's counts now, then again after every commit to it, from whatever process (the studio, a
/// training worker, `cairn train`, a Python client). The stream ends if the project cannot be read (the
/// UI reconnects and starts from the counts again) and when the server stops.
#[utoipa::path(get, path = "/api/projects/{pid}/changes", params(ProjectPath), responses((status = 200, description = "The project's counts (`ProjectChanges` each), now and after every change, until the server stops.", content_type = "text/event-stream", body = cairn_types::ProjectChanges)))]
pub async fn project_changes(
    State(s): State<AppState>,
    Path(ProjectPath { pid }): Path<ProjectPath>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Failure> {
    let watch = {
        let s = s.clone();
        crate::error::blocking(move || s.studio.watch_project(&pid)).await?
    };
    let stream = futures_util::stream::unfold((s, watch, true), |(s, mut watch, first)| async move {
        if !first {
            tokio::time::sleep(PROJECT_POLL).await;
        }
        loop {
            if *s.stopping.borrow() {
                return None;
            }
            let studio = s.studio.clone();
            let (back, changes) = tokio::task::spawn_blocking(move || {
                let changes = studio.project_changes(&mut watch);
                (watch, changes)
            })
            .await
            .ok()?;
            watch = back;
            match changes {
                Ok(Some(c)) => return Some((Ok(Event::default().json_data(c).unwrap_or_default()), (s, watch, false))),
                Ok(None) => tokio::time::sleep(PROJECT_POLL).await,
                Err(e) => {
                    tracing::warn!("project changes stream ended: {}", e.message);
                    return None;
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
