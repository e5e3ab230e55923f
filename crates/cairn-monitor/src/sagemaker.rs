//! Serde types for SageMaker Model Monitor's `statistics.json`, `constraints.json` and
//! `constraint_violations.json`. Fields SageMaker writes that are not modelled are kept in `extra` so a file
//! read and written again keeps them; optional fields absent from a file stay absent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Cairn's own marker in a baseline file: a newer format is refused with a clear error.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CairnMeta {
    /// The baseline format; [`crate::baseline::FORMAT_VERSION`] when written by this Cairn.
    pub format_version: u32,
}

/// `statistics.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statistics {
    /// SageMaker's format version (0).
    pub version: u32,
    /// Present when Cairn wrote the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cairn: Option<CairnMeta>,
    /// Dataset-level counts.
    pub dataset: DatasetStats,
    /// One entry per column.
    pub features: Vec<FeatureStats>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `dataset` of `statistics.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetStats {
    /// Rows.
    pub item_count: u64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// SageMaker's inferred column types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InferredType {
    Integral,
    Fractional,
    String,
    Unknown,
}

impl InferredType {
    /// The name SageMaker writes.
    pub fn as_str(self) -> &'static str {
        match self {
            InferredType::Integral => "Integral",
            InferredType::Fractional => "Fractional",
            InferredType::String => "String",
            InferredType::Unknown => "Unknown",
        }
    }
}

/// One feature of `statistics.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureStats {
    pub name: String,
    pub inferred_type: InferredType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerical_statistics: Option<NumericalStats>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_statistics: Option<StringStats>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Present and missing counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Common {
    pub num_present: u64,
    pub num_missing: u64,
}

/// `numerical_statistics`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericalStats {
    pub common: Common,
    pub mean: f64,
    pub sum: f64,
    pub std_dev: f64,
    pub min: f64,
    pub max: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<NumericalDistribution>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `distribution` of a numerical feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericalDistribution {
    pub kll: Kll,
}

/// `kll`: histogram buckets and the sketch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kll {
    pub buckets: Vec<KllBucket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sketch: Option<KllSketch>,
}

/// One histogram bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KllBucket {
    pub lower_bound: f64,
    pub upper_bound: f64,
    pub count: f64,
}

/// The sketch. Cairn writes no real KLL sketch: `data` holds one level with the exact percentiles 0, 1, …, 100
/// of the column (exact, so better than a sketch; the drift tests use the exact values kept beside the baseline).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KllSketch {
    pub parameters: KllParameters,
    pub data: Vec<Vec<f64>>,
}

/// KLL parameters (SageMaker's defaults c = 0.64, k = 2048).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KllParameters {
    pub c: f64,
    pub k: f64,
}

/// `string_statistics`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StringStats {
    pub common: Common,
    pub distinct_count: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<StringDistribution>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `distribution` of a string feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StringDistribution {
    pub categorical: Categorical,
}

/// Category counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Categorical {
    pub buckets: Vec<CategoryBucket>,
}

/// One category.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryBucket {
    pub value: String,
    pub count: u64,
}

/// `constraints.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cairn: Option<CairnMeta>,
    pub features: Vec<FeatureConstraints>,
    pub monitoring_config: MonitoringConfig,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One feature's constraints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureConstraints {
    pub name: String,
    pub inferred_type: InferredType,
    /// The fraction of rows that must be present (a violation below it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_constraints: Option<NumConstraints>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_constraints: Option<StringConstraints>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `num_constraints`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumConstraints {
    pub is_non_negative: bool,
}

/// `string_constraints`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StringConstraints {
    pub domains: Vec<String>,
}

/// `Enabled` / `Disabled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Toggle {
    Enabled,
    Disabled,
}

/// `monitoring_config`, with SageMaker's defaults from [`MonitoringConfig::default`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonitoringConfig {
    pub evaluate_constraints: Toggle,
    pub emit_metrics: Toggle,
    pub datatype_check_threshold: f64,
    pub domain_content_threshold: f64,
    pub distribution_constraints: DistributionConstraints,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `distribution_constraints`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistributionConstraints {
    pub perform_comparison: Toggle,
    pub comparison_threshold: f64,
    pub comparison_method: ComparisonMethod,
    #[serde(default = "default_categorical_threshold")]
    pub categorical_comparison_threshold: f64,
    #[serde(default = "default_categorical_method")]
    pub categorical_drift_method: CategoricalDriftMethod,
}

fn default_categorical_threshold() -> f64 {
    0.1
}
fn default_categorical_method() -> CategoricalDriftMethod {
    CategoricalDriftMethod::LInfinity
}

/// Numerical distance: deequ's `linf_simple` or `linf_robust`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComparisonMethod {
    Simple,
    Robust,
}

/// Categorical distance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CategoricalDriftMethod {
    LInfinity,
    ChiSquared,
}

impl Default for MonitoringConfig {
    fn default() -> Self {
        Self {
            evaluate_constraints: Toggle::Enabled,
            emit_metrics: Toggle::Enabled,
            datatype_check_threshold: 1.0,
            domain_content_threshold: 1.0,
            distribution_constraints: DistributionConstraints {
                perform_comparison: Toggle::Enabled,
                comparison_threshold: 0.1,
                comparison_method: ComparisonMethod::Robust,
                categorical_comparison_threshold: 0.1,
                categorical_drift_method: CategoricalDriftMethod::LInfinity,
            },
            extra: Map::new(),
        }
    }
}
