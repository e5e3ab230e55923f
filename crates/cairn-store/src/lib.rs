//! The project on disk: a folder with `cairn.toml`, `.cairn/cairn.db` (SQLite, WAL, migrations) and
//! `.cairn/artifacts/`, plus the registry of datasets and the user's recent projects.

mod conn;
mod endpoints;
mod error;
mod fsutil;
mod jobs;
mod migrations;
pub mod models_registry;
mod project;
mod recent;
mod registry;
mod run_keys;
pub mod tracking;
mod watch;

pub use conn::Conn;
pub use endpoints::EndpointRecord;
pub use error::StoreError;
pub use fsutil::{atomic_write, cache_write, folder_is_read_only};
pub use jobs::JobRecord;
pub use migrations::SCHEMA_VERSION;
pub use models_registry::RegistryError;
pub use project::{Project, project_id};
pub use recent::RecentProjects;
pub use tracking::{TrackingError, TrackingStore};
pub use watch::ChangeWatch;
