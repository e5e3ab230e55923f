//! Cluster profiles (where jobs can run besides this computer) and workspace trust.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// What kind of cluster a profile names. Slurm follows Ray.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "lowercase")]
pub enum ClusterKind {
    #[default]
    Ray,
}

/// Where a cluster's token is kept. Never in the project, never in the profile file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenStorage {
    /// The operating system's keyring (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// A file in Cairn's settings folder, encrypted at rest, for machines without a keyring.
    EncryptedFile,
    /// The cluster needs no token.
    None,
}

/// A cluster the user added: its name and address; the token is stored apart (see `token_storage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ClusterProfile {
    pub name: String,
    pub kind: ClusterKind,
    /// The Jobs API address, e.g. `http://head:8265`.
    pub address: String,
    pub token_storage: TokenStorage,
    /// Where the token is, in words for people ("the system keyring", "~/.config/cairn/secrets.enc").
    pub token_location: String,
}

/// `POST /api/clusters`: adds (or replaces) a profile.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct AddCluster {
    pub name: String,
    #[serde(default)]
    pub kind: ClusterKind,
    pub address: String,
    /// None or empty: no token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub token: Option<String>,
}

/// `POST /api/clusters/test`: checks an address (and token) before it is saved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, TS)]
pub struct TestCluster {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub token: Option<String>,
}

/// What "Test connection" found: the cluster answered, speaks a Jobs API Cairn knows and took the token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct ClusterCheck {
    pub address: String,
    pub ray_version: String,
    pub jobs_api_version: String,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// Whether the user trusts a folder's code to run (custom commands), asked once and remembered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, TS)]
pub struct Trust {
    pub folder: String,
    pub trusted: bool,
}

/// `POST /api/projects/{pid}/commands`: the user's own command, in a folder, here or on a cluster.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, TS)]
pub struct StartCommand {
    /// The folder sent as the working directory; None: the project's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dir: Option<String>,
    /// A shell command, e.g. `python train.py --epochs 3`.
    pub command: String,
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cpus: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub gpus: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub memory_mb: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub experiment: Option<String>,
    /// A cluster profile's name; None: this computer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub on: Option<String>,
}
