//! `clusters.toml` in the settings folder: one `[[cluster]]` table per profile, without secrets.

use std::path::{Path, PathBuf};

use cairn_types::{AddCluster, ClusterKind, ClusterProfile, TokenStorage};
use serde::{Deserialize, Serialize};

use crate::ClusterError;
use crate::secrets::Secrets;

const FILE: &str = "clusters.toml";

#[derive(Default, Serialize, Deserialize)]
struct ProfilesFile {
    #[serde(default, rename = "cluster")]
    clusters: Vec<Stored>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Stored {
    name: String,
    kind: ClusterKind,
    address: String,
    token: TokenStorage,
}

pub struct Clusters {
    file: PathBuf,
    secrets: Secrets,
}

impl Clusters {
    pub fn new(config_dir: &Path) -> Self {
        Self { file: config_dir.join(FILE), secrets: Secrets::new(config_dir) }
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    pub fn list(&self) -> Result<Vec<ClusterProfile>, ClusterError> {
        Ok(self.read()?.clusters.iter().map(|s| self.profile(s)).collect())
    }

    pub fn get(&self, name: &str) -> Result<ClusterProfile, ClusterError> {
        let file = self.read()?;
        match file.clusters.iter().find(|s| s.name == name) {
            Some(s) => Ok(self.profile(s)),
            None => Err(ClusterError::NotFound { name: name.into(), known: file.clusters.iter().map(|s| s.name.clone()).collect() }),
        }
    }

    /// The profile whose address is `address` (as `normalize` writes it), if any.
    pub fn by_address(&self, address: &str) -> Option<ClusterProfile> {
        let a = normalize(address).ok()?;
        self.read().ok()?.clusters.iter().find(|s| s.address == a).map(|s| self.profile(s))
    }

    /// Adds a profile, or replaces the one with the same name (its old token is forgotten). The token is
    /// stored before the profile is written, so a profile never points at a token that is not there.
    pub fn add(&self, req: &AddCluster) -> Result<ClusterProfile, ClusterError> {
        check_name(&req.name)?;
        let address = normalize(&req.address)?;
        let token = req.token.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let storage = if token.is_some() { self.secrets.preferred() } else { TokenStorage::None };
        let mut file = self.read()?;
        if let Some(old) = file.clusters.iter().find(|s| s.name == req.name)
            && old.token != storage
        {
            self.secrets.delete(old.token, &req.name)?;
        }
        if let Some(t) = token {
            self.secrets.put(storage, &req.name, t)?;
        }
        let stored = Stored { name: req.name.clone(), kind: req.kind, address, token: storage };
        match file.clusters.iter_mut().find(|s| s.name == req.name) {
            Some(s) => *s = stored.clone(),
            None => file.clusters.push(stored.clone()),
        }
        self.write(&file)?;
        Ok(self.profile(&stored))
    }

    pub fn remove(&self, name: &str) -> Result<ClusterProfile, ClusterError> {
        let profile = self.get(name)?;
        let mut file = self.read()?;
        file.clusters.retain(|s| s.name != name);
        self.write(&file)?;
        // The profile is gone first: a token left behind is harmless, a profile without its token is not.
        if let Err(e) = self.secrets.delete(profile.token_storage, name) {
            tracing::warn!("cluster `{name}` removed, its token not: {e}");
        }
        Ok(profile)
    }

    pub fn token(&self, name: &str) -> Result<Option<String>, ClusterError> {
        let p = self.get(name)?;
        self.secrets.get(p.token_storage, name)
    }

    fn profile(&self, s: &Stored) -> ClusterProfile {
        ClusterProfile {
            name: s.name.clone(),
            kind: s.kind,
            address: s.address.clone(),
            token_storage: s.token,
            token_location: self.secrets.location(s.token),
        }
    }

    fn read(&self) -> Result<ProfilesFile, ClusterError> {
        let text = match std::fs::read_to_string(&self.file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ProfilesFile::default()),
            Err(e) => return Err(ClusterError::Unreadable { path: self.file.clone(), detail: e.to_string() }),
        };
        toml::from_str(&text).map_err(|e| ClusterError::Unreadable { path: self.file.clone(), detail: e.to_string().trim().to_string() })
    }

    fn write(&self, file: &ProfilesFile) -> Result<(), ClusterError> {
        let text = format!(
            "# Cairn's cluster profiles. Tokens are not here: see `token` (keyring or encrypted_file).\n{}",
            toml::to_string_pretty(file).unwrap_or_default()
        );
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(|source| ClusterError::Write { path: dir.to_path_buf(), source })?;
        }
        cairn_store::atomic_write(&self.file, text.as_bytes()).map_err(|source| ClusterError::Write { path: self.file.clone(), source })
    }
}

fn check_name(name: &str) -> Result<(), ClusterError> {
    let bad = |why| Err(ClusterError::BadName { name: name.into(), why });
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > 64 {
        return bad("it is longer than 64 characters");
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return bad("it has characters other than letters, digits, `-`, `_` and `.`");
    }
    Ok(())
}

/// `ray://h:p`, `h:p` and `http://h:p/` all mean `http://h:p`; anything else with a scheme is refused.
pub fn normalize(address: &str) -> Result<String, ClusterError> {
    let bad = |why: &str| ClusterError::BadAddress { address: address.into(), why: why.into() };
    let a = address.trim();
    if a.is_empty() {
        return Err(bad("it is empty"));
    }
    let (scheme, rest) = match a.split_once("://") {
        Some(("ray" | "http", rest)) => ("http", rest),
        Some(("https", rest)) => ("https", rest),
        Some((other, _)) => return Err(bad(&format!("Cairn speaks http, https or ray, not `{other}`"))),
        None => ("http", a),
    };
    let rest = rest.trim_end_matches('/');
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(bad("it has no host, or spaces in it"));
    }
    // A dashboard behind a proxy may have a path; the port is in the host part.
    let host = rest.split('/').next().unwrap_or(rest);
    if let Some((_, port)) = host.rsplit_once(':')
        && !host.ends_with(']')
        && port.parse::<u16>().is_err()
    {
        return Err(bad(&format!("the port `{port}` is not a number up to 65535")));
    }
    Ok(format!("{scheme}://{rest}"))
}
