//! `cairn model register|approve|reject|alias|list|history|card`: the model registry. Changes are
//! recorded as the OS user (`$USER`) unless `--actor` names someone else.

use std::path::PathBuf;

use cairn_api::Studio;
use cairn_types::{ApiError, ApprovalStatus, ErrorCode, ModelVersionInfo, RegisterModel, words};

use crate::say;

#[derive(Debug, clap::Subcommand)]
pub enum ModelCommand {
    /// Register a run's model (a training, an AutoML search or trial) as a new version of a group,
    /// pending approval; the group is made on first use.
    Register {
        project: PathBuf,
        /// Run id (or a unique prefix, or its name).
        run: String,
        /// The model group.
        #[arg(long)]
        name: String,
        #[arg(long)]
        description: Option<String>,
        /// The model card's intended use.
        #[arg(long)]
        intended_use: Option<String>,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Approve a version (GROUP@VERSION or GROUP@ALIAS); a rejected version needs --reason.
    Approve {
        project: PathBuf,
        spec: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Reject a version, saying why.
    Reject {
        project: PathBuf,
        spec: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Point ALIAS at GROUP@VERSION (moving it), or remove it with --remove (GROUP is enough then).
    Alias {
        project: PathBuf,
        spec: String,
        alias: String,
        #[arg(long)]
        remove: bool,
        #[arg(long)]
        actor: Option<String>,
    },
    /// List the groups and their versions (status, aliases, key metric), or one group's.
    List {
        project: PathBuf,
        group: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every change to a group (registered, status, aliases, deletions), oldest first.
    History {
        project: PathBuf,
        group: String,
        #[arg(long)]
        json: bool,
    },
    /// A version's model card: intended use, held-out metrics, training data lineage, status.
    Card {
        project: PathBuf,
        spec: String,
        #[arg(long)]
        json: bool,
    },
}

impl ModelCommand {
    pub fn project(&self) -> &PathBuf {
        match self {
            ModelCommand::Register { project, .. }
            | ModelCommand::Approve { project, .. }
            | ModelCommand::Reject { project, .. }
            | ModelCommand::Alias { project, .. }
            | ModelCommand::List { project, .. }
            | ModelCommand::History { project, .. }
            | ModelCommand::Card { project, .. } => project,
        }
    }
}

fn json(v: serde_json::Result<serde_json::Value>) {
    say!("{}", v.and_then(|v| serde_json::to_string_pretty(&v)).unwrap_or_default());
}

/// `GROUP@VERSION` or `GROUP@ALIAS` → (group, version).
fn version_of(studio: &Studio, pid: &str, spec: &str) -> Result<(String, i64), ApiError> {
    let Some((group, sel)) = spec.rsplit_once('@').filter(|(g, s)| !g.is_empty() && !s.is_empty()) else {
        return Err(ApiError::new(ErrorCode::InvalidInput, format!("`{spec}` names no version"))
            .with_hint("write GROUP@VERSION (churn@3) or GROUP@ALIAS (churn@champion)"));
    };
    let digits = sel.strip_prefix(['v', 'V']).unwrap_or(sel);
    if let Ok(n) = digits.parse::<i64>() {
        return Ok((group.to_string(), n));
    }
    let g = studio.model_group(pid, group)?;
    let found = g.aliases.iter().find(|a| a.alias == sel).map(|a| a.version);
    let version = found.ok_or_else(|| {
        ApiError::new(ErrorCode::ModelNotFound, format!("model `{group}` has no version or alias `{sel}`"))
            .with_hint(format!("list its versions with `cairn model list PROJECT {group}`"))
    })?;
    Ok((group.to_string(), version))
}

fn line(v: &ModelVersionInfo) -> String {
    let aliases = if v.aliases.is_empty() { String::new() } else { format!("  [{}]", v.aliases.join(", ")) };
    let metric = v.key_metric.as_ref().map(|m| format!("  {} {:.4}", m.key, m.value)).unwrap_or_default();
    let run = if v.run_name.is_empty() { v.run_id.clone() } else { v.run_name.clone() };
    format!("  v{:<4} {:<22} {}{metric}{aliases}  run {run}", v.version, v.approval.status.as_str(), v.model_kind)
}

pub fn run(studio: &Studio, pid: &str, cmd: ModelCommand) -> Result<(), ApiError> {
    match cmd {
        ModelCommand::Register { run, name, description, intended_use, actor, .. } => {
            let run_id = crate::resolve_run(studio, pid, &run)?;
            let req = RegisterModel { run_id, model: name, description, intended_use, actor };
            let v = studio.register_model(pid, &req)?;
            say!("registered {}@{} (PendingManualApproval) from run {}", v.group, v.version, v.run_name);
        }
        ModelCommand::Approve { spec, reason, actor, .. } => {
            let (group, version) = version_of(studio, pid, &spec)?;
            let v = studio.set_approval(pid, &group, version, ApprovalStatus::Approved, actor.as_deref(), reason.as_deref())?;
            say!("{}@{} Approved by {}", v.group, v.version, v.approval.actor);
        }
        ModelCommand::Reject { spec, reason, actor, .. } => {
            let (group, version) = version_of(studio, pid, &spec)?;
            let v = studio.set_approval(pid, &group, version, ApprovalStatus::Rejected, actor.as_deref(), Some(&reason))?;
            say!("{}@{} Rejected by {}: {}", v.group, v.version, v.approval.actor, v.approval.reason);
        }
        ModelCommand::Alias { spec, alias, remove: true, actor, .. } => {
            let group = spec.rsplit_once('@').map_or(spec.as_str(), |(g, _)| g);
            studio.remove_alias(pid, group, &alias, actor.as_deref())?;
            say!("removed alias `{alias}` of {group}");
        }
        ModelCommand::Alias { spec, alias, actor, .. } => {
            let (group, version) = version_of(studio, pid, &spec)?;
            let v = studio.set_alias(pid, &group, &alias, version, actor.as_deref())?;
            say!("{}@{alias} → version {}", v.group, v.version);
        }
        ModelCommand::List { group, json: as_json, .. } => {
            let groups = match group {
                Some(g) => vec![studio.model_group(pid, &g)?],
                None => studio.model_groups(pid)?,
            };
            if as_json {
                json(serde_json::to_value(&groups));
                return Ok(());
            }
            if groups.is_empty() {
                say!("no registered models; register one with `cairn model register PROJECT RUN --name GROUP`");
            }
            for g in groups {
                say!("{} ({} version(s))", g.name, g.versions.len());
                for v in &g.versions {
                    say!("{}", line(v));
                }
            }
        }
        ModelCommand::History { group, json: as_json, .. } => {
            let events = studio.model_history(pid, &group)?;
            if as_json {
                json(serde_json::to_value(&events));
                return Ok(());
            }
            for e in events {
                let version = e.version.map(|v| format!(" v{v}")).unwrap_or_default();
                let alias = e.alias.map(|a| format!(" `{a}`")).unwrap_or_default();
                let change = match (e.from.is_empty(), e.to.is_empty()) {
                    (true, true) => String::new(),
                    (true, false) => format!(" → {}", e.to),
                    (false, true) => format!(" (was {})", e.from),
                    (false, false) => format!(" {} → {}", e.from, e.to),
                };
                let reason = if e.reason.is_empty() { String::new() } else { format!(": {}", e.reason) };
                let who = if e.actor.is_empty() { "?" } else { &e.actor };
                say!("{}  {who:<12} {}{version}{alias}{change}{reason}", words::iso_minute(e.at), e.kind.as_str());
            }
        }
        ModelCommand::Card { spec, json: as_json, .. } => {
            let (group, version) = version_of(studio, pid, &spec)?;
            let c = studio.model_card(pid, &group, version)?;
            if as_json {
                json(serde_json::to_value(&c));
                return Ok(());
            }
            let a = &c.version.approval;
            say!("{}@{}  {}  run {} ({})", group, version, c.version.model_kind, c.version.run_name, c.version.run_id);
            let reviewed = a.at.map(|t| {
                format!(
                    " by {} at {}{}",
                    a.actor,
                    words::iso_minute(t),
                    if a.reason.is_empty() { String::new() } else { format!(": {}", a.reason) }
                )
            });
            say!("status: {}{}", a.status.as_str(), reviewed.unwrap_or_default());
            say!("predicts `{}` ({}) from {} feature(s)", c.target, c.task, c.features.len());
            if !c.intended_use.is_empty() {
                say!("intended use: {}", c.intended_use);
            }
            for m in &c.metrics {
                say!("  {:<16} {:.4}", m.key, m.value);
            }
            if let Some(l) = &c.lineage {
                say!("trained on `{}` version {} (digest {})", l.dataset, l.dataset_version, l.dataset_digest);
                if let (Some(f), Some(d)) = (&l.flow, &l.flow_digest) {
                    say!("  made by flow `{f}` (digest {d})");
                }
            }
        }
    }
    Ok(())
}
