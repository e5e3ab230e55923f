//! A version's approval status (SageMaker's PendingManualApproval → Approved | Rejected) and the
//! registry's append-only history: every change — a version registered, a status set, an alias set,
//! moved or removed, a card edited, a version or group deleted — is an event written in the same
//! transaction as the change, whichever API made it (Cairn's or MLflow's), with who, when and why.
//!
//! MLflow clients see the status as the version tag `cairn.approval_status` (with `cairn.approved_by`
//! and `cairn.approval_reason`), made when a version is read; setting that tag is a transition.

use std::collections::HashMap;

use cairn_types::{Approval, ApprovalStatus, RegistryEvent, RegistryEventKind as Kind, Tag};
use rusqlite::{Connection, OptionalExtension, params};

use super::sql::{model_rid, one_version, sql_err, touch_model, version_key};
use super::{ModelVersion, RegistryError, Result, check_model_name, parse_version};
use crate::project::Project;

/// The version tag MLflow clients read and set the approval status through.
pub const APPROVAL_STATUS_TAG: &str = "cairn.approval_status";
/// Who set the current status (approved or rejected it); read-only.
pub const APPROVED_BY_TAG: &str = "cairn.approved_by";
/// Why; set it before setting the status tag to give the reason a rejection needs.
pub const APPROVAL_REASON_TAG: &str = "cairn.approval_reason";
/// The model card's intended use, kept as a version tag so MLflow clients see it too.
pub const INTENDED_USE_TAG: &str = "cairn.intended_use";
const MAX_REASON_CHARS: usize = 10_000;

/// One change to record.
pub(super) struct Event<'a> {
    pub name: &'a str,
    pub version: Option<i64>,
    pub at: i64,
    pub actor: &'a str,
    pub kind: Kind,
    pub from: &'a str,
    pub to: &'a str,
    pub reason: &'a str,
}

impl<'a> Event<'a> {
    pub fn new(name: &'a str, at: i64, actor: &'a str, kind: Kind) -> Self {
        Event { name, version: None, at, actor, kind, from: "", to: "", reason: "" }
    }
}

pub(super) fn record(p: &Project, conn: &Connection, e: &Event<'_>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO registry_events (model_name, version, at, actor, kind, from_value, to_value, reason) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut s| s.execute(params![e.name, e.version, e.at, e.actor, e.kind.as_str(), e.from, e.to, e.reason]))
    .map_err(sql_err(p))?;
    Ok(())
}

/// How an alias event stores what the alias named: `champion@3` (aliases never hold `@`).
pub(super) fn alias_value(alias: &str, version: Option<i64>) -> String {
    version.map(|v| format!("{alias}@{v}")).unwrap_or_default()
}

/// What a version tag key means to the registry.
pub(super) enum TagRole {
    Status,
    IntendedUse,
    ReadOnly,
    Plain,
}

pub(super) fn tag_role(key: &str) -> TagRole {
    match key {
        APPROVAL_STATUS_TAG => TagRole::Status,
        INTENDED_USE_TAG => TagRole::IntendedUse,
        APPROVED_BY_TAG => TagRole::ReadOnly,
        _ => TagRole::Plain,
    }
}

pub(super) fn read_only_tag(key: &str) -> RegistryError {
    RegistryError::InvalidInput(format!(
        "tag `{key}` is kept by Cairn's registry and cannot be set or deleted; set `{APPROVAL_STATUS_TAG}` to Approved or \
         Rejected instead (with `{APPROVAL_REASON_TAG}` set first to give a reason)"
    ))
}

/// Whether `from` → `to` is allowed, and with what it needs. Approved → Rejected is allowed (a model
/// found wanting after release, as SageMaker allows); Rejected → Approved needs a reason.
pub fn check_transition(name: &str, version: i64, from: ApprovalStatus, to: ApprovalStatus, reason: &str) -> Result<()> {
    let what = format!("version {version} of model `{name}`");
    if to == ApprovalStatus::PendingManualApproval {
        return Err(RegistryError::InvalidInput(format!("{what} can be set to Approved or Rejected, not back to PendingManualApproval")));
    }
    if from == to {
        return Err(RegistryError::InvalidTransition(format!(
            "{what} is already {}; nothing to change (set Rejected to withdraw it)",
            to.as_str()
        )));
    }
    let needs_reason = match to {
        ApprovalStatus::Rejected => Some("rejecting"),
        _ if from == ApprovalStatus::Rejected => Some("approving a rejected version,"),
        _ => None,
    };
    if let Some(doing) = needs_reason.filter(|_| reason.trim().is_empty()) {
        return Err(RegistryError::InvalidInput(format!("{doing} {what} needs a reason: say why")));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(RegistryError::InvalidInput(format!("the reason is longer than {MAX_REASON_CHARS} characters")));
    }
    Ok(())
}

/// Sets the status. `reason: None` takes a `cairn.approval_reason` tag set before (MLflow's way).
fn set_status(
    p: &Project,
    name: &str,
    version: i64,
    to: ApprovalStatus,
    actor: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<ModelVersion> {
    if actor.trim().is_empty() {
        return Err(RegistryError::InvalidInput("a status change needs the name of who makes it (actor)".into()));
    }
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = version_key(p, tx, name, version)?;
        let err = sql_err(p);
        let from: String = tx
            .query_row("SELECT approval_status FROM model_versions WHERE model_rid = ?1 AND version = ?2", params![rid, version], |r| {
                r.get(0)
            })
            .map_err(&err)?;
        let from = ApprovalStatus::parse(&from).unwrap_or_default();
        let reason = match reason {
            Some(r) => r.to_string(),
            None => tx
                .query_row(
                    "SELECT value FROM model_version_tags WHERE model_rid = ?1 AND version = ?2 AND key = ?3",
                    params![rid, version, APPROVAL_REASON_TAG],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&err)?
                .unwrap_or_default(),
        };
        check_transition(name, version, from, to, &reason)?;
        tx.execute(
            "UPDATE model_versions SET approval_status = ?3, last_updated_timestamp = max(last_updated_timestamp, ?4) \
             WHERE model_rid = ?1 AND version = ?2",
            params![rid, version, to.as_str(), now],
        )
        .map_err(&err)?;
        tx.execute(
            "DELETE FROM model_version_tags WHERE model_rid = ?1 AND version = ?2 AND key = ?3",
            params![rid, version, APPROVAL_REASON_TAG],
        )
        .map_err(&err)?;
        let e = Event {
            version: Some(version),
            from: from.as_str(),
            to: to.as_str(),
            reason: reason.trim(),
            ..Event::new(name, now, actor, Kind::Status)
        };
        record(p, tx, &e)?;
        touch_model(p, tx, rid, now)?;
        one_version(p, tx, rid, name, version)
    })
}

/// An MLflow client set `cairn.approval_status`.
pub(super) fn status_from_tag(p: &Project, name: &str, version: i64, value: &str, actor: &str, now: i64) -> Result<ModelVersion> {
    let to = ApprovalStatus::parse(value).ok_or_else(|| {
        RegistryError::InvalidInput(format!("`{value}` is not an approval status; set `{APPROVAL_STATUS_TAG}` to Approved or Rejected"))
    })?;
    set_status(p, name, version, to, actor, None, now)
}

fn set_intended_use(p: &Project, name: &str, version: i64, text: &str, actor: &str, now: i64) -> Result<ModelVersion> {
    p.store_write(&format!("registered model `{name}`"), |tx| {
        let rid = version_key(p, tx, name, version)?;
        let err = sql_err(p);
        let before: String = tx
            .query_row(
                "SELECT value FROM model_version_tags WHERE model_rid = ?1 AND version = ?2 AND key = ?3",
                params![rid, version, INTENDED_USE_TAG],
                |r| r.get(0),
            )
            .optional()
            .map_err(&err)?
            .unwrap_or_default();
        if before != text {
            tx.execute(
                "INSERT INTO model_version_tags (model_rid, version, key, value) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (model_rid, version, key) DO UPDATE SET value = excluded.value",
                params![rid, version, INTENDED_USE_TAG, text],
            )
            .map_err(&err)?;
            record(p, tx, &Event { version: Some(version), from: &before, to: text, ..Event::new(name, now, actor, Kind::IntendedUse) })?;
            super::sql::touch_version(p, tx, rid, version, now)?;
        }
        one_version(p, tx, rid, name, version)
    })
}

/// Fills each version's review (who set its status, when, why) and the tags MLflow clients read.
/// A review counts only if no `registered` event came after it: a group deleted and made again under
/// the same name reuses version numbers, and the old group's reviews must not leak into the new one.
pub(super) fn load_reviews(p: &Project, conn: &Connection, found: &mut HashMap<(i64, i64), ModelVersion>) -> Result<()> {
    if found.is_empty() {
        return Ok(());
    }
    let err = sql_err(p);
    let by_name: HashMap<(String, i64), (i64, i64)> = found.iter().map(|(k, v)| ((v.name.clone(), v.version), *k)).collect();
    let wanted = serde_json::Value::from(by_name.keys().map(|(n, v)| serde_json::json!([n, v])).collect::<Vec<_>>()).to_string();
    let mut stmt = conn
        .prepare_cached(
            "WITH w(n, v) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1)), \
             last AS (SELECT max(r.seq) AS s FROM registry_events r JOIN w ON r.model_name = w.n AND r.version = w.v \
                      WHERE r.kind IN ('status', 'registered') GROUP BY r.model_name, r.version) \
             SELECT e.model_name, e.version, e.actor, e.at, e.reason FROM registry_events e JOIN last ON e.seq = last.s \
             WHERE e.kind = 'status'",
        )
        .map_err(&err)?;
    let mut rows = stmt.query([&wanted]).map_err(&err)?;
    while let Some(r) = rows.next().map_err(&err)? {
        let key = (r.get::<_, String>(0).map_err(&err)?, r.get::<_, i64>(1).map_err(&err)?);
        if let Some(v) = by_name.get(&key).and_then(|k| found.get_mut(k)) {
            v.approval.actor = r.get(2).map_err(&err)?;
            v.approval.at = Some(r.get(3).map_err(&err)?);
            v.approval.reason = r.get(4).map_err(&err)?;
        }
    }
    for v in found.values_mut() {
        synthesize_tags(v);
    }
    Ok(())
}

fn synthesize_tags(v: &mut ModelVersion) {
    let Approval { status, actor, at, reason } = &v.approval;
    v.tags.retain(|t| !matches!(t.key.as_str(), APPROVAL_STATUS_TAG | APPROVED_BY_TAG));
    v.tags.push(Tag { key: APPROVAL_STATUS_TAG.into(), value: status.as_str().into() });
    if at.is_some() {
        v.tags.push(Tag { key: APPROVED_BY_TAG.into(), value: actor.clone() });
        // A stored reason is one set for the next change; it is what the client last wrote.
        if !v.tags.iter().any(|t| t.key == APPROVAL_REASON_TAG) {
            v.tags.push(Tag { key: APPROVAL_REASON_TAG.into(), value: reason.clone() });
        }
    }
    v.tags.sort_by(|a, b| a.key.cmp(&b.key));
}

fn event_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RegistryEvent> {
    let kind_text: String = r.get(5)?;
    let kind = Kind::parse(&kind_text).unwrap_or(Kind::Status);
    let (mut from, mut to): (String, String) = (r.get(6)?, r.get(7)?);
    let mut alias = None;
    if matches!(kind, Kind::AliasSet | Kind::AliasRemoved) {
        // Stored as `alias@version`: the wire gives the alias apart and the versions alone.
        for side in [&mut from, &mut to] {
            if let Some((a, v)) = side.rsplit_once('@') {
                alias = Some(a.to_string());
                *side = v.to_string();
            }
        }
    }
    Ok(RegistryEvent {
        seq: r.get(0)?,
        model: r.get(1)?,
        version: r.get(2)?,
        at: r.get(3)?,
        actor: r.get(4)?,
        kind,
        alias,
        from,
        to,
        reason: r.get(8)?,
    })
}

impl Project {
    /// Approves or rejects a version (who, when and why go into its history). Approving an approved
    /// version is an [`RegistryError::InvalidTransition`]; rejecting needs a reason, and so does
    /// approving a rejected version.
    pub fn set_approval_status(
        &self,
        name: &str,
        version: &str,
        status: ApprovalStatus,
        actor: &str,
        reason: &str,
        now: i64,
    ) -> Result<ModelVersion> {
        check_model_name(name, "name")?;
        set_status(self, name, parse_version(version)?, status, actor, Some(reason), now)
    }

    /// Sets the model card's intended use of a version (recorded when it changes).
    pub fn set_intended_use(&self, name: &str, version: &str, text: &str, actor: &str, now: i64) -> Result<ModelVersion> {
        check_model_name(name, "name")?;
        super::check_tag(&Tag { key: INTENDED_USE_TAG.into(), value: text.into() })?;
        set_intended_use(self, name, parse_version(version)?, text, actor, now)
    }

    /// Every event of a group (or of one of its versions), oldest first; a deleted group keeps its
    /// history. A name with neither a group nor a history is not found.
    pub fn registry_history(&self, name: &str, version: Option<i64>) -> Result<Vec<RegistryEvent>> {
        check_model_name(name, "name")?;
        self.store_read(|tx| {
            let err = sql_err(self);
            let events: Vec<RegistryEvent> = tx
                .prepare_cached(
                    "SELECT seq, model_name, version, at, actor, kind, from_value, to_value, reason FROM registry_events \
                     WHERE model_name = ?1 AND (?2 IS NULL OR version = ?2) ORDER BY seq",
                )
                .and_then(|mut s| s.query_map(params![name, version], event_from_row)?.collect())
                .map_err(&err)?;
            if events.is_empty() {
                model_rid(self, tx, name)?;
            }
            Ok(events)
        })
    }
}

/// The events of the current version `version`: those since it was last registered under this name.
pub fn current_version_events(events: &[RegistryEvent], version: i64) -> Vec<RegistryEvent> {
    let mine: Vec<&RegistryEvent> = events.iter().filter(|e| e.version == Some(version)).collect();
    let start = mine.iter().rposition(|e| e.kind == Kind::Registered).unwrap_or(0);
    mine[start..].iter().map(|e| (*e).clone()).collect()
}
