//! The endpoint's state: the config file it serves, the models it serves now (one `Arc` swapped whole on
//! a reload, so a request keeps the models it started with), and the metrics and capture files that
//! outlive a swap.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use cairn_ml::{FeatureKind, Model};
use cairn_types::{ApiError, EndpointConfig, ErrorCode};

use cairn_flow::{InferenceFlow, ModelFront};

use crate::capture::CaptureFiles;
use crate::http::Failure;
use crate::metrics::{Metrics, VariantMetrics};

/// A loaded model file with what requests need to find their columns.
pub(crate) struct Loaded {
    pub model: Model,
    pub kinds: Vec<FeatureKind>,
    /// The flow in front of the model, when it takes raw rows of the flow's source.
    pub flow: Option<InferenceFlow>,
    /// The columns a request's positional rows give, in order: the flow's source columns, or the
    /// model's features.
    pub inputs: Vec<String>,
    /// The file's modification time and size when read: a reload reuses the model when both are unchanged.
    stamp: (Option<SystemTime>, u64),
}

/// One model behind the endpoint.
pub(crate) struct Variant {
    pub name: String,
    pub model_name: String,
    pub version: i64,
    pub weight: f64,
    pub path: PathBuf,
    pub loaded: Arc<Loaded>,
    pub metrics: Arc<VariantMetrics>,
}

/// What the endpoint serves between two reloads.
pub(crate) struct Served {
    pub config: EndpointConfig,
    pub variants: Vec<Variant>,
    total_weight: f64,
}

/// The process's shared state.
pub(crate) struct Endpoint {
    pub config_path: PathBuf,
    /// Milliseconds since the Unix epoch.
    pub started_at: i64,
    served: RwLock<Arc<Served>>,
    pub metrics: Metrics,
    pub capture: CaptureFiles,
    /// One reload at a time: two would load the same models twice and race to swap.
    reloading: tokio::sync::Mutex<()>,
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message).with_hint("fix the endpoint's config file (the studio writes it when it deploys)")
}

/// Reads and checks an endpoint config file.
pub(crate) fn read_config(path: &Path) -> Result<EndpointConfig, ApiError> {
    let bytes = std::fs::read(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound { ErrorCode::FileNotFound } else { ErrorCode::FileUnreadable };
        ApiError::new(code, format!("cannot read the endpoint config {}: {e}", path.display()))
    })?;
    let config: EndpointConfig = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(ErrorCode::ParseError, format!("the endpoint config {} is not valid: {e}", path.display()))
            .with_hint("it must hold an EndpointConfig as JSON (crates/cairn-types/src/endpoint.rs)")
    })?;
    if config.variants.is_empty() {
        return Err(invalid(format!("the endpoint config {} names no variant", path.display())));
    }
    let mut names = std::collections::HashSet::new();
    for v in &config.variants {
        if v.name.is_empty() || !names.insert(v.name.as_str()) {
            return Err(invalid(format!("the variant name '{}' is empty or used twice", v.name)));
        }
        if !(v.weight.is_finite() && v.weight > 0.0) {
            return Err(invalid(format!("the variant '{}' has the weight {}; weights must be positive", v.name, v.weight)));
        }
    }
    if let Some(c) = &config.capture
        && !(0.0..=100.0).contains(&c.percent)
    {
        return Err(invalid(format!("the capture percentage {} is not between 0 and 100", c.percent)));
    }
    if config.max_body_bytes == 0 {
        return Err(invalid("max_body_bytes is 0: every request would be refused".into()));
    }
    Ok(config)
}

fn stamp(path: &Path) -> (Option<SystemTime>, u64) {
    std::fs::metadata(path).map(|m| (m.modified().ok(), m.len())).unwrap_or((None, 0))
}

fn load_model(path: &Path) -> Result<Loaded, ApiError> {
    let stamp = stamp(path);
    let model = Model::load(path).map_err(ApiError::from)?;
    let kinds = model.feature_kinds();
    // Decided and kept beside the model by the studio before it starts the endpoint.
    let flow = ModelFront::beside(path).map_err(ApiError::from)?.and_then(|f| f.flow().cloned());
    let inputs = flow.as_ref().map_or_else(|| model.features().to_vec(), InferenceFlow::inputs);
    Ok(Loaded { model, kinds, flow, inputs, stamp })
}

impl Served {
    /// Loads every variant's model, reusing those of `previous` whose file has not changed.
    pub fn load(config: EndpointConfig, previous: Option<&Served>, metrics: &Metrics) -> Result<Served, ApiError> {
        let mut variants = Vec::with_capacity(config.variants.len());
        for v in &config.variants {
            let path = PathBuf::from(&v.model_path);
            let reuse = previous
                .and_then(|p| p.variants.iter().find(|old| old.path == path && old.loaded.stamp == stamp(&path)))
                .map(|old| old.loaded.clone());
            let loaded = match reuse {
                Some(l) => l,
                None => Arc::new(load_model(&path).map_err(|mut e| {
                    e.message = format!("variant '{}' ({} version {}): {}", v.name, v.model, v.version, e.message);
                    e
                })?),
            };
            variants.push(Variant {
                name: v.name.clone(),
                model_name: v.model.clone(),
                version: v.version,
                weight: v.weight,
                path,
                loaded,
                metrics: metrics.variant(&v.name),
            });
        }
        let total_weight = variants.iter().map(|v| v.weight).sum();
        Ok(Served { config, variants, total_weight })
    }

    /// The variant a request goes to (its index): the one it names, else one drawn by weight.
    pub fn pick(&self, wanted: Option<&str>) -> Result<usize, Failure> {
        if let Some(name) = wanted {
            return self.variants.iter().position(|v| v.name == name).ok_or_else(|| {
                let names: Vec<&str> = self.variants.iter().map(|v| v.name.as_str()).collect();
                Failure::new(400, ErrorCode::InvalidInput, format!("this endpoint has no variant '{name}'"))
                    .hint(format!("name one of: {}", names.join(", ")))
            });
        }
        let mut r = random_f64() * self.total_weight;
        for (i, v) in self.variants.iter().enumerate() {
            if r < v.weight {
                return Ok(i);
            }
            r -= v.weight;
        }
        // Rounding can leave r just above the last weight.
        Ok(self.variants.len().saturating_sub(1))
    }

    /// The variant a KServe version path names: its variant name, or its model version number.
    pub fn by_version(&self, version: &str) -> Option<usize> {
        self.variants.iter().position(|v| v.name == version).or_else(|| self.variants.iter().position(|v| v.version.to_string() == version))
    }
}

impl Endpoint {
    /// Reads the config and loads its models.
    pub fn open(config_path: &Path) -> Result<Endpoint, ApiError> {
        let config = read_config(config_path)?;
        let metrics = Metrics::default();
        let served = Served::load(config, None, &metrics)?;
        let started_at = now_ms();
        Ok(Endpoint {
            config_path: config_path.to_path_buf(),
            started_at,
            served: RwLock::new(Arc::new(served)),
            metrics,
            capture: CaptureFiles::new(started_at),
            reloading: tokio::sync::Mutex::new(()),
        })
    }

    /// What is served now; a request holds on to it until it is answered.
    pub fn current(&self) -> Arc<Served> {
        match self.served.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Reads the config again and loads its models, then swaps them in: requests already running finish
    /// on the models they started with, and none waits for the loading.
    pub async fn reload(self: &Arc<Self>) -> Result<Arc<Served>, ApiError> {
        let _one = self.reloading.lock().await;
        let ep = self.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            let config = read_config(&ep.config_path)?;
            let old = ep.current();
            if config.host != old.config.host || (config.port != old.config.port && config.port != 0) {
                tracing::warn!("the config asks for {}:{}; the address is kept until the endpoint restarts", config.host, config.port);
            }
            Served::load(config, Some(&old), &ep.metrics)
        })
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("loading the models failed: {e}")))??;
        let new = Arc::new(loaded);
        match self.served.write() {
            Ok(mut s) => *s = new.clone(),
            Err(poisoned) => *poisoned.into_inner() = new.clone(),
        }
        Ok(new)
    }
}

/// A uniform draw in [0, 1) from a per-thread generator (xoshiro256**, seeded from the OS).
pub(crate) fn random_f64() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

pub(crate) fn random_u64() -> u64 {
    thread_local! {
        static STATE: std::cell::Cell<[u64; 4]> = std::cell::Cell::new(seed());
    }
    STATE.with(|s| {
        let mut x = s.get();
        let out = x[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = x[1] << 17;
        x[2] ^= x[0];
        x[3] ^= x[1];
        x[1] ^= x[2];
        x[0] ^= x[3];
        x[2] ^= t;
        x[3] = x[3].rotate_left(45);
        s.set(x);
        out
    })
}

fn seed() -> [u64; 4] {
    let mut bytes = [0u8; 32];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: the time and thread still make streams differ (ids stay unique per process).
        let t = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1);
        bytes[..16].copy_from_slice(&t.to_le_bytes());
        bytes[16..24].copy_from_slice(&(std::process::id() as u64).to_le_bytes());
    }
    let mut s = [0u64; 4];
    for (i, chunk) in bytes.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        s[i] = u64::from_le_bytes(b);
    }
    if s == [0; 4] {
        s[0] = 0x9E37_79B9_7F4A_7C15;
    }
    s
}

/// A random (version 4) UUID, for capture event ids.
pub(crate) fn uuid_v4() -> String {
    let (a, b) = (random_u64(), random_u64());
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}
