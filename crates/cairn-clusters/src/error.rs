use std::path::PathBuf;

use cairn_types::{ApiError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("no cluster named `{name}`{}", known_list(.known))]
    NotFound { name: String, known: Vec<String> },
    #[error("`{name}` is not a usable cluster name: {why}")]
    BadName { name: String, why: &'static str },
    #[error("`{address}` is not a cluster address: {why}")]
    BadAddress { address: String, why: String },
    #[error("cannot read {}: {detail}", .path.display())]
    Unreadable { path: PathBuf, detail: String },
    #[error("cannot save {}: {source}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("the token of cluster `{name}` is in the system keyring, which cannot be used now: {detail}")]
    Keyring { name: String, detail: String },
    #[error("the token of cluster `{name}` cannot be decrypted from {}: {detail}", .path.display())]
    Sealed { name: String, path: PathBuf, detail: String },
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() { " (none added yet)".into() } else { format!(" (known: {})", known.join(", ")) }
}

impl From<ClusterError> for ApiError {
    fn from(e: ClusterError) -> Self {
        let (code, hint) = match &e {
            ClusterError::NotFound { .. } => (ErrorCode::ClusterNotFound, "add it first (Clusters page, or `cairn cluster add`)"),
            ClusterError::BadName { .. } => (ErrorCode::InvalidInput, "use letters, digits, `-`, `_` or `.`"),
            ClusterError::BadAddress { .. } => (ErrorCode::InvalidInput, "give the Ray dashboard's address, e.g. http://head:8265"),
            ClusterError::Unreadable { .. } => {
                (ErrorCode::FileUnreadable, "fix or delete the file; Cairn rewrites it when a cluster is added")
            }
            ClusterError::Write { .. } => (ErrorCode::Io, "check that Cairn's settings folder is writable"),
            ClusterError::Keyring { .. } => (ErrorCode::ClusterAuth, "unlock the keyring, or add the cluster again with its token"),
            ClusterError::Sealed { .. } => (ErrorCode::ClusterAuth, "add the cluster again with its token"),
        };
        ApiError::new(code, e.to_string()).with_hint(hint)
    }
}
