//! Cluster profiles as the studio uses them: listed, added, tested and removed, and resolved from what a
//! user names ("lab", or an address typed at the command line) to a dashboard address and its token.

use std::time::Instant;

use cairn_jobs::ray::RayClient;
use cairn_types::{AddCluster, ApiError, ClusterCheck, ClusterProfile, ErrorCode, TestCluster};

use crate::{Studio, lock};

impl Studio {
    pub fn list_clusters(&self) -> Result<Vec<ClusterProfile>, ApiError> {
        Ok(self.cluster_profiles.list()?)
    }

    /// Saves a profile (replacing one of the same name). It is not tested here: "Test connection" does
    /// that, and a cluster that is down today can be added for tomorrow.
    pub fn add_cluster(&self, req: &AddCluster) -> Result<ClusterProfile, ApiError> {
        Ok(self.cluster_profiles.add(req)?)
    }

    pub fn remove_cluster(&self, name: &str) -> Result<ClusterProfile, ApiError> {
        Ok(self.cluster_profiles.remove(name)?)
    }

    /// Checks a saved profile: the address answers, it is a Ray whose Jobs API Cairn speaks, and the
    /// token is accepted.
    pub fn test_cluster(&self, name: &str) -> Result<ClusterCheck, ApiError> {
        let p = self.cluster_profiles.get(name)?;
        let token = self.cluster_profiles.token(name)?;
        check(&p.address, token)
    }

    /// The same check for an address and token not saved yet (the "Add cluster" form).
    pub fn test_address(&self, req: &TestCluster) -> Result<ClusterCheck, ApiError> {
        let address = cairn_clusters::normalize(&req.address)?;
        check(&address, req.token.clone().filter(|t| !t.trim().is_empty()))
    }

    /// The dashboard address for what the user named: a profile's name first, else an address.
    pub fn resolve_cluster(&self, on: &str) -> Result<String, ApiError> {
        match self.cluster_profiles.get(on) {
            Ok(p) => Ok(p.address),
            Err(e) if on.contains(':') => cairn_clusters::normalize(on).map_err(|_| ApiError::from(e)),
            Err(e) => Err(e.into()),
        }
    }

    /// Remembers a token for this session only (`--token` at the command line); it wins over a profile's.
    pub fn set_cluster_token(&self, address: &str, token: Option<String>) {
        lock(&self.clusters).insert(cairn_jobs::ray::normalize_address(address), token);
    }

    /// The token for a cluster address: the one given this session, else its profile's.
    pub(crate) fn cluster_token(&self, address: &str) -> Result<Option<String>, ApiError> {
        let a = cairn_jobs::ray::normalize_address(address);
        if let Some(t) = lock(&self.clusters).get(&a) {
            return Ok(t.clone());
        }
        match self.cluster_profiles.by_address(&a) {
            Some(p) => Ok(self.cluster_profiles.token(&p.name)?),
            None => Ok(None),
        }
    }
}

fn check(address: &str, token: Option<String>) -> Result<ClusterCheck, ApiError> {
    let started = Instant::now();
    let v = RayClient::new(address, token)?.check()?;
    if v.ray_version.is_empty() {
        return Err(ApiError::new(ErrorCode::ClusterVersion, format!("{address} did not say its Ray version")));
    }
    Ok(ClusterCheck {
        address: address.to_string(),
        ray_version: v.ray_version,
        jobs_api_version: v.version,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}
