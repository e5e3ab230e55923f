//! The model registry in the studio: groups, versions with approval, aliases, history, model cards.
//!
//! A model group is MLflow's registered model; its versions each point at one run's `model.cairn`.
//! Approval follows SageMaker's model registry (PendingManualApproval → Approved | Rejected, with who,
//! when and why); every change is kept in an append-only history, which MLflow lacks (#2169, #2863).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{Metric, Millis, Param};

/// Where a version stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema, TS)]
pub enum ApprovalStatus {
    /// Registered, not yet reviewed.
    #[default]
    PendingManualApproval,
    Approved,
    Rejected,
}

impl ApprovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::PendingManualApproval => "PendingManualApproval",
            ApprovalStatus::Approved => "Approved",
            ApprovalStatus::Rejected => "Rejected",
        }
    }

    /// From SageMaker's spelling in any case (`approved`, `Approved`, `PENDINGMANUALAPPROVAL`, `pending`).
    pub fn parse(s: &str) -> Option<ApprovalStatus> {
        let t = s.trim().to_ascii_lowercase().replace(['_', '-', ' '], "");
        Some(match t.as_str() {
            "pendingmanualapproval" | "pending" => ApprovalStatus::PendingManualApproval,
            "approved" => ApprovalStatus::Approved,
            "rejected" => ApprovalStatus::Rejected,
            _ => return None,
        })
    }
}

/// A version's current status and the change that set it (absent `at`: never reviewed).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct Approval {
    pub status: ApprovalStatus,
    /// Who set the status ('' while pending since registration).
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    #[schema(value_type = Option<i64>)]
    pub at: Option<Millis>,
    pub reason: String,
}

/// What a registry event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum RegistryEventKind {
    /// A version was created (`to`: where its model is).
    Registered,
    /// The approval status changed (`from` → `to`, with a reason).
    Status,
    /// An alias was set on a version (`from`: the version it left, '' if new; `to`: the version).
    AliasSet,
    /// An alias was removed (`from`: the version it named).
    AliasRemoved,
    /// The version's intended use (model card text) was edited.
    IntendedUse,
    VersionDeleted,
    GroupDeleted,
    /// The group was renamed (`from` → `to`); its history follows it.
    Renamed,
}

impl RegistryEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistryEventKind::Registered => "registered",
            RegistryEventKind::Status => "status",
            RegistryEventKind::AliasSet => "alias_set",
            RegistryEventKind::AliasRemoved => "alias_removed",
            RegistryEventKind::IntendedUse => "intended_use",
            RegistryEventKind::VersionDeleted => "version_deleted",
            RegistryEventKind::GroupDeleted => "group_deleted",
            RegistryEventKind::Renamed => "renamed",
        }
    }

    pub fn parse(s: &str) -> Option<RegistryEventKind> {
        use RegistryEventKind::*;
        [Registered, Status, AliasSet, AliasRemoved, IntendedUse, VersionDeleted, GroupDeleted, Renamed]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One entry of a group's history, oldest first by `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
pub struct RegistryEvent {
    #[ts(type = "number")]
    pub seq: i64,
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub version: Option<i64>,
    #[ts(type = "number")]
    #[schema(value_type = i64)]
    pub at: Millis,
    pub actor: String,
    pub kind: RegistryEventKind,
    /// The alias an alias event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub alias: Option<String>,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// A metric a version's list shows: the run's first held-out metric in the order Cairn ranks them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct KeyMetric {
    pub key: String,
    pub value: f64,
}

/// A version as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ModelVersionInfo {
    pub group: String,
    #[ts(type = "number")]
    pub version: i64,
    pub run_id: String,
    /// The run's name ('' when the run is gone).
    pub run_name: String,
    #[ts(type = "number")]
    #[schema(value_type = i64)]
    pub created_at: Millis,
    pub registered_by: String,
    pub description: String,
    /// Where the model is (`runs:/<run>/model.cairn`, …).
    pub source: String,
    pub approval: Approval,
    pub aliases: Vec<String>,
    /// The model's kind (`gbm`, `automl`, …) when the run says.
    pub model_kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub key_metric: Option<KeyMetric>,
}

/// An alias and the version it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
pub struct ModelAliasInfo {
    pub alias: String,
    #[ts(type = "number")]
    pub version: i64,
}

/// A model group with its versions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ModelGroup {
    pub name: String,
    pub description: String,
    #[ts(type = "number")]
    #[schema(value_type = i64)]
    pub created_at: Millis,
    #[ts(type = "number")]
    #[schema(value_type = i64)]
    pub updated_at: Millis,
    pub aliases: Vec<ModelAliasInfo>,
    pub versions: Vec<ModelVersionInfo>,
}

/// `POST /api/projects/{pid}/models`: register a run's model as a new version of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct RegisterModel {
    /// A run whose artifacts hold a `model.cairn` (a training, an AutoML search or one of its trials, or
    /// a run logged with the mlflow client that saved a Cairn model).
    pub run_id: String,
    /// The group; created on first use.
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    /// The model card's intended use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub intended_use: Option<String>,
    /// Who registers it; default: the user running Cairn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub actor: Option<String>,
}

/// `POST …/models/{group}/versions/{version}/approval`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SetApproval {
    /// Approved or Rejected.
    pub status: ApprovalStatus,
    /// Required to reject, and to approve a rejected version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub actor: Option<String>,
}

/// `PUT …/models/{group}/aliases/{alias}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SetAlias {
    #[ts(type = "number")]
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub actor: Option<String>,
}

/// `PUT …/models/{group}/versions/{version}/intended-use`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct SetIntendedUse {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub actor: Option<String>,
}

/// The data a version's run trained on, and what made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct TrainingLineage {
    /// The dataset's name.
    pub dataset: String,
    /// Its id in the project ('' when the run was logged elsewhere).
    pub dataset_id: String,
    /// The version of the data trained on (BLAKE3 of its digest and read options).
    pub dataset_version: String,
    /// BLAKE3 of the data's bytes.
    pub dataset_digest: String,
    /// The flow that wrote that version, when a flow made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub flow: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub flow_digest: Option<String>,
}

/// A version's model card: what it is for, how well it did, and what it learnt from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ModelCard {
    pub version: ModelVersionInfo,
    /// Editable text: what the model is for and what it must not be used for.
    pub intended_use: String,
    /// The run's held-out metrics.
    pub metrics: Vec<Metric>,
    pub params: Vec<Param>,
    pub target: String,
    pub features: Vec<String>,
    pub task: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub lineage: Option<TrainingLineage>,
    /// What a request sends to the model.
    pub input: ModelInput,
    /// Every change to this version, oldest first.
    pub history: Vec<RegistryEvent>,
}

/// What a model takes: raw rows of the source of the flow that made its training data (the flow
/// prepares them), or rows shaped as its training dataset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct ModelInput {
    /// The flow in front of the model, when it takes raw rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub flow: Option<String>,
    /// The columns a request sends, in order (with a flow: its source's; else the model's features).
    pub columns: Vec<InputField>,
    /// The flow's steps not run on requests (they chose the training rows), e.g. "step 2 (filter)".
    pub skipped_steps: Vec<String>,
    /// A row to try, in `columns` order (with a flow: its source's first row, the target left out).
    pub example: Vec<Option<String>>,
    /// Why the model takes dataset rows although a flow made its data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub note: Option<String>,
}

/// One column of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct InputField {
    pub name: String,
    /// With a flow, the type its text is read as (`i64`, `f64`, `str`, `bool`, `date`, …); else empty.
    pub dtype: String,
    /// False when the model does not need it (its label, a column the flow drops): it may be left out.
    pub required: bool,
}

/// Two versions of a group side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct VersionComparison {
    pub a: ModelCard,
    pub b: ModelCard,
    /// Param keys whose values differ (or that one side lacks).
    pub params_differ: Vec<String>,
    /// Metric keys both have, with b's value minus a's.
    pub metric_deltas: Vec<KeyMetric>,
    /// Both trained on the same data version.
    pub same_data: bool,
}
