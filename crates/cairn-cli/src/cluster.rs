//! `cairn cluster add|list|test|remove` (the user's cluster profiles) and `cairn trust FOLDER`.

use std::io::BufRead;
use std::path::Path;

use cairn_api::Studio;
use cairn_types::{AddCluster, ApiError, ClusterKind, ErrorCode, TokenStorage};

use crate::say;

#[derive(Debug, clap::Subcommand)]
pub enum ClusterCommand {
    /// Add (or replace) a cluster: its name and Jobs API address; the token goes to the OS keyring, or to
    /// an encrypted file where there is none. The connection is tested after saving.
    Add {
        name: String,
        /// The Ray dashboard's address, e.g. http://head:8265.
        #[arg(long)]
        address: String,
        /// The cluster's token (its RAY_AUTH_TOKEN). Prefer --token-stdin: a flag shows in `ps` and history.
        #[arg(long, conflicts_with = "token_stdin")]
        token: Option<String>,
        /// Read the token from the first line of standard input.
        #[arg(long)]
        token_stdin: bool,
    },
    /// List the clusters, with where each token is kept.
    List,
    /// Check a cluster: it answers, speaks a Jobs API Cairn knows, and takes the token.
    Test { name: String },
    /// Remove a cluster and forget its token.
    Remove { name: String },
}

pub fn run(studio: &Studio, cmd: ClusterCommand) -> Result<(), ApiError> {
    match cmd {
        ClusterCommand::Add { name, address, token, token_stdin } => {
            let token = if token_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .map_err(|e| ApiError::new(ErrorCode::Io, format!("cannot read the token from standard input: {e}")))?;
                Some(line.trim().to_string())
            } else {
                token
            };
            let p = studio.add_cluster(&AddCluster { name, kind: ClusterKind::Ray, address, token })?;
            say!("cluster `{}` at {}; token: {}", p.name, p.address, where_token(p.token_storage, &p.token_location));
            match studio.test_cluster(&p.name) {
                Ok(c) => say!("connected: Ray {} (Jobs API {}), token accepted, {} ms", c.ray_version, c.jobs_api_version, c.elapsed_ms),
                Err(e) => say!("saved, but the test failed: {}", e),
            }
        }
        ClusterCommand::List => {
            let list = studio.list_clusters()?;
            if list.is_empty() {
                say!("no clusters; add one with `cairn cluster add NAME --address http://HEAD:8265 --token-stdin`");
            }
            for p in list {
                println!("{}\t{}\ttoken: {}", p.name, p.address, where_token(p.token_storage, &p.token_location));
            }
        }
        ClusterCommand::Test { name } => {
            let c = studio.test_cluster(&name)?;
            say!(
                "connected to {}: Ray {} (Jobs API {}), token accepted, {} ms",
                c.address,
                c.ray_version,
                c.jobs_api_version,
                c.elapsed_ms
            );
        }
        ClusterCommand::Remove { name } => {
            let p = studio.remove_cluster(&name)?;
            say!("removed cluster `{}` ({})", p.name, p.address);
        }
    }
    Ok(())
}

fn where_token(storage: TokenStorage, location: &str) -> String {
    match storage {
        TokenStorage::None => "none".into(),
        _ => format!("in {location}"),
    }
}

/// `cairn trust FOLDER [--revoke]`: the user's decision that a folder's code may run as their commands.
pub fn trust(studio: &Studio, folder: &Path, revoke: bool) -> Result<(), ApiError> {
    let trusted = studio.set_folder_trust(folder, !revoke)?;
    say!("{} is {}", folder.display(), if trusted { "trusted: commands may run its code" } else { "not trusted" });
    Ok(())
}
