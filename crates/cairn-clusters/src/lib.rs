//! Cluster profiles: the clusters a user can send jobs to, by name. A profile (name, kind, address) is
//! kept in the user's settings folder (`clusters.toml`), never in a project; its token is kept apart, in
//! the operating system's keyring where one answers, else in a file sealed with a key that only this
//! user on this machine can read (see [`secrets`]). The profile says which, so the UI can tell the user.

mod error;
mod profiles;
pub mod secrets;

pub use error::ClusterError;
pub use profiles::{Clusters, normalize};
