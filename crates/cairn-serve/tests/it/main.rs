//! The endpoint server with real parts: models trained by cairn-ml on adult.csv, real HTTP over
//! loopback (in this process through `cairn_serve::spawn`, and the `cairn endpoint-serve` binary for
//! what needs a process: SIGTERM, `kill -9`), answers compared bit for bit with `cairn predict`'s path.

mod bad_input;
mod capture;
mod exact;
mod process;
mod traffic;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cairn_ml::Model;
use cairn_types::{CaptureConfig, EndpointConfig, ImportOptions, ModelKind, TrainSpec, Validation, VariantConfig};

pub const KEY: &str = "test-key-0123456789";

pub fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(name)
}

struct Quiet;
impl cairn_data::Observer for Quiet {}

/// Reads a file as `cairn predict` reads its input (default import options).
pub fn read(path: &Path) -> cairn_data::DataFrame {
    cairn_data::read_file(path, &ImportOptions::default(), &Quiet).expect("read").frame
}

/// The header and the lines of adult.csv (header excluded).
pub fn adult_lines() -> &'static (String, Vec<String>) {
    static LINES: OnceLock<(String, Vec<String>)> = OnceLock::new();
    LINES.get_or_init(|| {
        let text = std::fs::read_to_string(shared("adult.csv")).expect("adult.csv");
        let mut lines = text.lines().map(str::to_string);
        let header = lines.next().unwrap_or_default();
        (header, lines.collect())
    })
}

/// Models trained once per test run, kept in a folder that lives as long as the tests.
pub struct Models {
    _dir: tempfile::TempDir,
    /// gbm, 100 trees, class (binary) on the first 3,000 rows.
    pub gbm: PathBuf,
    /// gbm, class, another seed and depth: answers differ from `gbm`'s.
    pub gbm2: PathBuf,
    /// gbm, race (five classes, one-vs-rest).
    pub multi: PathBuf,
    /// gbm, hours-per-week (regression).
    pub regression: PathBuf,
    /// `gbm` with a tree node pointing outside its tree: it loads, and panics when it predicts.
    pub broken: PathBuf,
    /// gbm, class, trained where education holds codes among its words (HS-grad as 9, Bachelors as
    /// 13.0): requests whose education cells are all numbers are typed by the import and cast back.
    pub coded: PathBuf,
}

fn train(dir: &Path, name: &str, target: &str, params: &[(&str, &str)], seed: u64) -> PathBuf {
    let (header, lines) = adult_lines();
    let csv = dir.join(format!("{name}.csv"));
    let code = |l: &String| if name == "coded" { l.replace(",HS-grad,", ",9,").replace(",Bachelors,", ",13.0,") } else { l.clone() };
    let text: String = std::iter::once(header.clone()).chain(lines.iter().take(3000).map(code)).map(|l| format!("{l}\n")).collect();
    std::fs::write(&csv, text).expect("write the training rows");
    let frame = read(&csv);
    let spec = TrainSpec {
        dataset: "adult".into(),
        target: target.into(),
        task: None,
        model: ModelKind::Gbm,
        params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(),
        features: None,
        validation: Validation::Holdout { test_fraction: 0.2 },
        seed,
        experiment: None,
        run_name: None,
        positive_class: None,
    };
    let trained = cairn_ml::train(&frame, &spec, &cairn_ml::Silent).expect("train");
    let path = dir.join(format!("{name}.cairn"));
    trained.model.save(&path).expect("save");
    path
}

pub fn models() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        let hundred = [("iterations", "100"), ("early_stopping_rounds", "0")];
        let gbm = train(p, "gbm", "class", &hundred, 7);
        let gbm2 = train(p, "gbm2", "class", &[("iterations", "30"), ("early_stopping_rounds", "0"), ("max_depth", "3")], 11);
        let multi = train(p, "multi", "race", &[("iterations", "20"), ("early_stopping_rounds", "0")], 7);
        let regression = train(p, "regression", "hours-per-week", &[("iterations", "30"), ("early_stopping_rounds", "0")], 7);
        let broken = p.join("broken.cairn");
        let text = std::fs::read_to_string(&gbm).expect("read gbm");
        // Every split's left child far outside its tree (1 → 98761): loading checks no index.
        let bad = text.replace("\"left_child\":", "\"left_child\":9876");
        assert_ne!(bad, text, "the model file's layout changed: find another way to break it");
        std::fs::write(&broken, bad).expect("write broken");
        let coded = train(p, "coded", "class", &hundred, 7);
        Models { _dir: dir, gbm, gbm2, multi, regression, broken, coded }
    })
}

pub fn load(path: &Path) -> Model {
    Model::load(path).expect("load model")
}

pub fn variant(name: &str, path: &Path, weight: f64) -> VariantConfig {
    VariantConfig { name: name.into(), model: "adult".into(), version: 1, model_path: path.to_string_lossy().into_owned(), weight }
}

/// An endpoint config in `dir` (its state file there too).
pub fn config(dir: &Path, variants: Vec<VariantConfig>, capture: Option<CaptureConfig>, max_body: u64) -> EndpointConfig {
    EndpointConfig {
        name: "census".into(),
        host: "127.0.0.1".into(),
        port: 0,
        key: KEY.into(),
        variants,
        capture,
        max_body_bytes: max_body,
        state_file: dir.join("state.json").to_string_lossy().into_owned(),
    }
}

pub fn write_config(dir: &Path, config: &EndpointConfig) -> PathBuf {
    let path = dir.join("config.json");
    let tmp = dir.join("config.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(config).expect("config JSON")).expect("write config");
    std::fs::rename(&tmp, &path).expect("rename config");
    path
}

/// An endpoint serving one model, in this process.
pub fn serve_one(dir: &Path, model: &Path) -> cairn_serve::Running {
    let cfg = config(dir, vec![variant("v1", model, 1.0)], None, 8 << 20);
    cairn_serve::spawn(&write_config(dir, &cfg)).expect("start endpoint")
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(std::time::Duration::from_secs(30)).build().expect("client")
}

/// POSTs a body with the key; returns status, headers and body text.
pub fn post(url: &str, content_type: &str, body: impl Into<reqwest::blocking::Body>) -> (u16, reqwest::header::HeaderMap, String) {
    let r = client().post(url).bearer_auth(KEY).header("content-type", content_type).body(body).send().expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().expect("body"))
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
