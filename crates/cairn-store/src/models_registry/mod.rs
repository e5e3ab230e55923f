//! Models, with MLflow's semantics: the registry (registered models, named, tagged and described; their
//! numbered versions, each pointing at a run's or a logged model's files, tagged, in a stage; aliases such
//! as `champion` → version 3) and MLflow 3's logged models, which versions are made from. Kept in the
//! project's SQLite (migration 4) beside the tracking tables.
//!
//! Versions are numbered from 1 and never reused: deleting a version keeps its number taken, as MLflow
//! does. A new version is READY at once (Cairn copies nothing while registering).

mod approval;
mod logged;
mod logged_sql;
mod search;
mod sql;

use cairn_types::{ApiError, Approval, ErrorCode, Tag};

use crate::error::StoreError;
use crate::project::Project;
use crate::tracking::TrackingError;

pub use approval::{APPROVAL_REASON_TAG, APPROVAL_STATUS_TAG, APPROVED_BY_TAG, INTENDED_USE_TAG, check_transition, current_version_events};
pub use logged::{
    LoggedModel, LoggedOrder, LoggedSearch, ModelMetric, NewLoggedModel, STATUSES as LOGGED_MODEL_STATUSES, canonical_status,
};
pub use search::{ModelField, ModelQuery, VersionField, VersionQuery};

/// The stages a version can be in, as MLflow spells them.
pub const STAGES: [&str; 4] = ["None", "Staging", "Production", "Archived"];
/// Registered models per page when the caller does not say, and the most a page may hold.
pub const DEFAULT_MODELS_PER_PAGE: u32 = 100;
pub const MAX_MODELS_PER_PAGE: u32 = 1000;
pub const DEFAULT_VERSIONS_PER_PAGE: u32 = 10_000;
pub const MAX_VERSIONS_PER_PAGE: u32 = 200_000;
const MAX_ALIAS_LENGTH: usize = 255;
const MAX_TAG_KEY_LENGTH: usize = 250;
const MAX_TAG_VALUE_LENGTH: usize = 100_000;

/// A registered model with its tags, aliases and the latest version in each stage.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredModel {
    pub name: String,
    pub creation_timestamp: i64,
    pub last_updated_timestamp: i64,
    pub description: String,
    pub user_id: String,
    pub tags: Vec<Tag>,
    pub aliases: Vec<ModelAlias>,
    /// The highest version in each stage that has one, in the order of [`STAGES`].
    pub latest_versions: Vec<ModelVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelAlias {
    pub alias: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelVersion {
    pub name: String,
    pub version: i64,
    pub creation_timestamp: i64,
    pub last_updated_timestamp: i64,
    pub description: String,
    pub user_id: String,
    pub current_stage: String,
    /// Where the model's files are (`runs:/…`, `models:/m-…`, a URI).
    pub source: String,
    pub run_id: String,
    pub run_link: String,
    /// READY: registering copies nothing, so a version is ready as soon as it exists.
    pub status: String,
    pub status_message: String,
    /// The MLflow 3 logged model this version was made from, if any.
    pub model_id: String,
    /// Its tags, with `cairn.approval_status` (and `cairn.approved_by`, `cairn.approval_reason` once
    /// reviewed) made from `approval` when read, so MLflow clients see the status: never stored.
    pub tags: Vec<Tag>,
    pub aliases: Vec<String>,
    /// The approval status and the change that set it.
    pub approval: Approval,
}

/// A version to create; the store numbers it.
#[derive(Debug, Clone, Default)]
pub struct NewVersion<'a> {
    pub name: &'a str,
    pub source: &'a str,
    pub run_id: &'a str,
    pub run_link: &'a str,
    pub description: &'a str,
    pub user_id: &'a str,
    pub model_id: &'a str,
    pub tags: &'a [Tag],
}

/// A page of results and the token of the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_page_token: Option<String>,
}

/// What can go wrong in the registry; `mlflow_error_code()` is the code MLflow's REST API answers with.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("no registered model named `{0}`")]
    ModelNotFound(String),
    #[error("registered model `{name}` has no version {version}")]
    VersionNotFound { name: String, version: String },
    #[error("registered model `{name}` has no alias `{alias}`")]
    AliasNotFound { name: String, alias: String },
    #[error("Logged model with ID '{0}' not found.")]
    LoggedModelNotFound(String),
    #[error("a registered model named `{0}` already exists")]
    ModelExists(String),
    #[error("{0}")]
    InvalidInput(String),
    /// A change the version's state does not allow (approving an approved version).
    #[error("{0}")]
    InvalidTransition(String),
    /// Filters, page tokens and the project itself fail as the tracking store does.
    #[error(transparent)]
    Tracking(#[from] TrackingError),
}

impl From<StoreError> for RegistryError {
    fn from(e: StoreError) -> Self {
        RegistryError::Tracking(TrackingError::Store(e))
    }
}

impl RegistryError {
    pub fn mlflow_error_code(&self) -> &'static str {
        match self {
            RegistryError::ModelNotFound(_)
            | RegistryError::VersionNotFound { .. }
            | RegistryError::AliasNotFound { .. }
            | RegistryError::LoggedModelNotFound(_) => "RESOURCE_DOES_NOT_EXIST",
            RegistryError::ModelExists(_) => "RESOURCE_ALREADY_EXISTS",
            RegistryError::InvalidInput(_) => "INVALID_PARAMETER_VALUE",
            // MLflow's INVALID_STATE answers 500; a refused transition is the caller's conflict.
            RegistryError::InvalidTransition(_) => "RESOURCE_CONFLICT",
            RegistryError::Tracking(e) => e.mlflow_error_code(),
        }
    }
}

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        let code = match e {
            RegistryError::Tracking(t) => return t.into(),
            RegistryError::ModelNotFound(_)
            | RegistryError::VersionNotFound { .. }
            | RegistryError::AliasNotFound { .. }
            | RegistryError::LoggedModelNotFound(_) => ErrorCode::ModelNotFound,
            RegistryError::ModelExists(_) => ErrorCode::AlreadyExists,
            RegistryError::InvalidInput(_) => ErrorCode::InvalidInput,
            RegistryError::InvalidTransition(_) => ErrorCode::InvalidTransition,
        };
        ApiError::new(code, e.to_string())
    }
}

pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

fn invalid(msg: impl Into<String>) -> RegistryError {
    RegistryError::InvalidInput(msg.into())
}

/// MLflow's rule: not empty, no `/` or `:`, nothing a file system would read as another path.
pub fn check_model_name(name: &str, field: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(invalid(format!("missing value for required parameter '{field}'")));
    }
    if name.contains('/') || name.contains(':') {
        return Err(invalid(format!("invalid model name '{name}': names cannot contain '/' or ':'")));
    }
    if name == "." || name == ".." || name.contains('\0') {
        return Err(invalid(format!("invalid model name '{name}'")));
    }
    Ok(())
}

/// Aliases are letters, digits, `_` and `-`, at most 255 of them.
fn check_alias_chars(alias: &str) -> Result<()> {
    if alias.is_empty() {
        return Err(invalid("a registered model alias cannot be empty"));
    }
    if !alias.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') {
        return Err(invalid(format!(
            "invalid alias name '{alias}': names may only contain alphanumerics, underscores (_), and dashes (-)"
        )));
    }
    if alias.chars().count() > MAX_ALIAS_LENGTH {
        return Err(invalid(format!("alias '{alias}' is longer than {MAX_ALIAS_LENGTH} characters")));
    }
    Ok(())
}

/// An alias to set: valid characters, and not `latest` or `v<number>`, which name versions.
pub fn check_alias(alias: &str) -> Result<()> {
    check_alias_chars(alias)?;
    if alias.eq_ignore_ascii_case("latest") {
        return Err(invalid("'latest' alias name (case insensitive) is reserved"));
    }
    let mut cs = alias.chars();
    if matches!(cs.next(), Some('v' | 'V')) && !alias[1..].is_empty() && alias[1..].chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(format!("version alias name '{alias}' is reserved")));
    }
    Ok(())
}

fn check_tag(tag: &Tag) -> Result<()> {
    if tag.key.is_empty() {
        return Err(invalid("a tag key cannot be empty"));
    }
    if tag.key.chars().count() > MAX_TAG_KEY_LENGTH {
        let start: String = tag.key.chars().take(40).collect();
        return Err(invalid(format!("tag key `{start}…` is longer than {MAX_TAG_KEY_LENGTH} characters")));
    }
    if tag.value.chars().count() > MAX_TAG_VALUE_LENGTH {
        return Err(invalid(format!("the value of tag `{}` is longer than {MAX_TAG_VALUE_LENGTH} characters", tag.key)));
    }
    Ok(())
}

/// A version number as the wire carries it ("3").
pub fn parse_version(version: &str) -> Result<i64> {
    version
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| invalid(format!("parameter 'version' must be a positive whole number, got '{version}'")))
}

/// A stage in MLflow's spelling, from any case (`production` → `Production`).
pub fn canonical_stage(stage: &str) -> Result<&'static str> {
    STAGES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(stage.trim()))
        .copied()
        .ok_or_else(|| invalid(format!("invalid model version stage '{stage}'; use one of {}", STAGES.join(", "))))
}

/// The registry's operations on a project. `now` (milliseconds since 1970) is passed in.
impl Project {
    pub fn create_registered_model(&self, name: &str, tags: &[Tag], description: &str, user_id: &str, now: i64) -> Result<RegisteredModel> {
        check_model_name(name, "name")?;
        tags.iter().try_for_each(check_tag)?;
        sql::create_model(self, name, tags, description, user_id, now)
    }

    pub fn get_registered_model(&self, name: &str) -> Result<RegisteredModel> {
        check_model_name(name, "name")?;
        sql::get_model(self, name)
    }

    /// Renames a model; its history follows it.
    pub fn rename_registered_model(&self, name: &str, new_name: &str, actor: &str, now: i64) -> Result<RegisteredModel> {
        check_model_name(name, "name")?;
        check_model_name(new_name, "new_name")?;
        sql::rename_model(self, name, new_name, actor, now)
    }

    pub fn update_registered_model(&self, name: &str, description: &str, now: i64) -> Result<RegisteredModel> {
        check_model_name(name, "name")?;
        sql::update_model(self, name, description, now)
    }

    /// Deletes a model with all its versions, tags and aliases (its history stays).
    pub fn delete_registered_model(&self, name: &str, actor: &str, now: i64) -> Result<()> {
        check_model_name(name, "name")?;
        sql::delete_model(self, name, actor, now)
    }

    pub fn search_registered_models(
        &self,
        filter: &str,
        max_results: u32,
        order_by: &[String],
        page_token: Option<&str>,
    ) -> Result<Page<RegisteredModel>> {
        let query = ModelQuery::parse(filter, max_results, order_by, page_token)?;
        sql::search_models(self, &query)
    }

    pub fn set_registered_model_tag(&self, name: &str, tag: &Tag, now: i64) -> Result<()> {
        check_model_name(name, "name")?;
        check_tag(tag)?;
        sql::set_model_tag(self, name, tag, now)
    }

    /// Deleting a tag the model does not have changes nothing, as in MLflow.
    pub fn delete_registered_model_tag(&self, name: &str, key: &str) -> Result<()> {
        check_model_name(name, "name")?;
        sql::delete_model_tag(self, name, key)
    }

    /// The latest version in each of `stages` (all stages when empty), in the order asked.
    pub fn latest_versions(&self, name: &str, stages: &[String]) -> Result<Vec<ModelVersion>> {
        check_model_name(name, "name")?;
        let stages: Vec<&str> =
            if stages.is_empty() { STAGES.to_vec() } else { stages.iter().map(|s| canonical_stage(s)).collect::<Result<_>>()? };
        let all = sql::get_model(self, name)?.latest_versions;
        Ok(stages.iter().filter_map(|s| all.iter().find(|v| v.current_stage == *s).cloned()).collect())
    }

    /// Creates a version, PendingManualApproval, recorded as `registered` by its `user_id`.
    pub fn create_model_version(&self, new: &NewVersion<'_>, now: i64) -> Result<ModelVersion> {
        check_model_name(new.name, "name")?;
        if new.source.is_empty() {
            return Err(invalid("missing value for required parameter 'source'"));
        }
        new.tags.iter().try_for_each(check_tag)?;
        sql::create_version(self, new, now)
    }

    /// Every live version of a model, lowest number first.
    pub fn model_versions(&self, name: &str) -> Result<Vec<ModelVersion>> {
        check_model_name(name, "name")?;
        sql::versions_of(self, name)
    }

    pub fn get_model_version(&self, name: &str, version: &str) -> Result<ModelVersion> {
        check_model_name(name, "name")?;
        sql::get_version(self, name, parse_version(version)?)
    }

    pub fn update_model_version(&self, name: &str, version: &str, description: &str, now: i64) -> Result<ModelVersion> {
        check_model_name(name, "name")?;
        sql::update_version(self, name, parse_version(version)?, description, now)
    }

    /// Deletes a version (its number stays taken) and the aliases that pointed at it.
    pub fn delete_model_version(&self, name: &str, version: &str, actor: &str, now: i64) -> Result<()> {
        check_model_name(name, "name")?;
        sql::delete_version(self, name, parse_version(version)?, actor, now)
    }

    /// Moves a version to a stage; with `archive_existing`, the model's other versions in Staging or
    /// Production (the target stage) move to Archived.
    pub fn transition_model_version_stage(
        &self,
        name: &str,
        version: &str,
        stage: &str,
        archive_existing: bool,
        now: i64,
    ) -> Result<ModelVersion> {
        check_model_name(name, "name")?;
        let stage = canonical_stage(stage)?;
        if archive_existing && !matches!(stage, "Staging" | "Production") {
            return Err(invalid(format!(
                "archive_existing_versions can only be used when moving to Staging or Production, not to {stage}"
            )));
        }
        sql::transition(self, name, parse_version(version)?, stage, archive_existing, now)
    }

    pub fn search_model_versions(
        &self,
        filter: &str,
        max_results: u32,
        order_by: &[String],
        page_token: Option<&str>,
    ) -> Result<Page<ModelVersion>> {
        let query = VersionQuery::parse(filter, max_results, order_by, page_token)?;
        sql::search_versions(self, &query)
    }

    /// Sets a tag. `cairn.approval_status` is not stored: it changes the approval status as
    /// [`set_approval_status`](Self::set_approval_status) does, with the reason a `cairn.approval_reason`
    /// tag set before it gives.
    pub fn set_model_version_tag(&self, name: &str, version: &str, tag: &Tag, actor: &str, now: i64) -> Result<()> {
        check_model_name(name, "name")?;
        check_tag(tag)?;
        let version = parse_version(version)?;
        match approval::tag_role(&tag.key) {
            approval::TagRole::Status => approval::status_from_tag(self, name, version, &tag.value, actor, now).map(|_| ()),
            approval::TagRole::IntendedUse => self.set_intended_use(name, &version.to_string(), &tag.value, actor, now).map(|_| ()),
            approval::TagRole::ReadOnly => Err(approval::read_only_tag(&tag.key)),
            approval::TagRole::Plain => sql::set_version_tag(self, name, version, tag, now),
        }
    }

    pub fn delete_model_version_tag(&self, name: &str, version: &str, key: &str) -> Result<()> {
        check_model_name(name, "name")?;
        if matches!(approval::tag_role(key), approval::TagRole::Status | approval::TagRole::ReadOnly) {
            return Err(approval::read_only_tag(key));
        }
        sql::delete_version_tag(self, name, parse_version(version)?, key)
    }

    /// Points an alias at a version (moving it if it pointed elsewhere).
    pub fn set_model_alias(&self, name: &str, alias: &str, version: &str, actor: &str, now: i64) -> Result<()> {
        check_model_name(name, "name")?;
        check_alias(alias)?;
        sql::set_alias(self, name, alias, parse_version(version)?, actor, now)
    }

    pub fn delete_model_alias(&self, name: &str, alias: &str, actor: &str, now: i64) -> Result<()> {
        check_model_name(name, "name")?;
        check_alias_chars(alias)?;
        sql::delete_alias(self, name, alias, actor, now)
    }

    pub fn model_version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion> {
        check_model_name(name, "name")?;
        sql::version_by_alias(self, name, alias)
    }
}
