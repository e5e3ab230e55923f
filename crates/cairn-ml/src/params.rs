//! The model catalog (what the train dialog renders) and the validation of hyperparameters against it.
//! One table per model is the single source of names, defaults, ranges and help.

use std::collections::BTreeMap;

use cairn_types::{ModelInfo, ModelKind, ParamSpec, ParamType, Task};

use crate::MlError;

/// Every model, in the order the dialog lists them.
pub(crate) const ALL: [ModelKind; 9] = [
    ModelKind::Gbm,
    ModelKind::Logistic,
    ModelKind::RandomForest,
    ModelKind::DecisionTree,
    ModelKind::Linear,
    ModelKind::ElasticNet,
    ModelKind::Svm,
    ModelKind::Knn,
    ModelKind::GaussianNb,
];

struct P {
    name: &'static str,
    label: &'static str,
    kind: ParamType,
    default: &'static str,
    min: Option<f64>,
    /// The minimum itself is not allowed (a learning rate of 0 learns nothing).
    min_open: bool,
    max: Option<f64>,
    choices: &'static [&'static str],
    help: &'static str,
}

const fn int(name: &'static str, label: &'static str, default: &'static str, min: f64, max: f64, help: &'static str) -> P {
    P { name, label, kind: ParamType::Int, default, min: Some(min), min_open: false, max: Some(max), choices: &[], help }
}

const fn float(
    name: &'static str,
    label: &'static str,
    default: &'static str,
    (min, min_open): (f64, bool),
    max: f64,
    help: &'static str,
) -> P {
    P { name, label, kind: ParamType::Float, default, min: Some(min), min_open, max: Some(max), choices: &[], help }
}

const fn choice(name: &'static str, label: &'static str, default: &'static str, choices: &'static [&'static str], help: &'static str) -> P {
    P { name, label, kind: ParamType::Choice, default, min: None, min_open: false, max: None, choices, help }
}

const CLOSED: bool = false;
const OPEN: bool = true;

fn table(kind: ModelKind) -> Vec<P> {
    match kind {
        ModelKind::Logistic => vec![
            float("alpha", "L2 penalty", "1", (0.0, CLOSED), 1e6, "Shrinks the coefficients; larger is simpler."),
            int("max_iterations", "Max iterations", "100", 1.0, 10_000.0, "L-BFGS iterations at most."),
        ],
        ModelKind::Linear => vec![P {
            name: "fit_intercept",
            label: "Fit intercept",
            kind: ParamType::Bool,
            default: "true",
            min: None,
            min_open: false,
            max: None,
            choices: &[],
            help: "Fit a constant term (off: the fit goes through the origin of the encoded features).",
        }],
        ModelKind::ElasticNet => vec![
            float("penalty", "Penalty", "0.1", (0.0, CLOSED), 1e6, "Overall strength of the L1 + L2 penalty."),
            float("l1_ratio", "L1 ratio", "0.5", (0.0, CLOSED), 1.0, "Share of L1 (sparse) in the penalty: 0 ridge, 1 lasso."),
            int("max_iterations", "Max iterations", "1000", 1.0, 100_000.0, "Coordinate-descent passes at most."),
            float("tolerance", "Tolerance", "0.0001", (0.0, OPEN), 1.0, "Stops when no coefficient moves more than this."),
        ],
        ModelKind::DecisionTree => vec![
            int("max_depth", "Max depth", "10", 1.0, 64.0, "Levels of splits at most."),
            int("min_samples_split", "Min rows to split", "2", 2.0, 1e6, "A node with fewer rows is not split."),
            int("min_samples_leaf", "Min rows per leaf", "1", 1.0, 1e6, "Splits leaving fewer rows on a side are skipped."),
            choice(
                "criterion",
                "Split quality",
                "gini",
                &["gini", "entropy"],
                "How the purity of a split is measured (classification; regression trees use squared error).",
            ),
        ],
        ModelKind::RandomForest => vec![
            int("trees", "Trees", "50", 1.0, 2000.0, "Trees in the forest; their class shares are averaged."),
            int("max_depth", "Max depth", "10", 1.0, 64.0, "Levels of splits per tree at most."),
            float("feature_fraction", "Feature fraction", "0.6", (0.0, OPEN), 1.0, "Share of the features each tree sees."),
            float(
                "sample_fraction",
                "Sample fraction",
                "1",
                (0.0, OPEN),
                1.0,
                "Rows drawn (with replacement) per tree, as a share of the training rows.",
            ),
            int("min_samples_leaf", "Min rows per leaf", "1", 1.0, 1e6, "Splits leaving fewer rows on a side are skipped."),
        ],
        ModelKind::Svm => vec![
            float("c", "C", "1", (0.0, OPEN), 1e4, "Penalty on margin violations; larger fits the training rows harder."),
            choice("kernel", "Kernel", "gaussian", &["gaussian", "linear"], "Gaussian (RBF) bends the boundary; linear does not."),
            float(
                "eps",
                "Kernel width",
                "0",
                (0.0, CLOSED),
                1e6,
                "Gaussian width: k(x, x') = exp(-|x - x'|^2 / eps); 0 picks it from the data (features x their mean variance).",
            ),
            int(
                "max_rows",
                "Max training rows",
                "5000",
                100.0,
                20_000.0,
                "An SVM holds a rows x rows kernel: larger training sets are sampled down to this many.",
            ),
        ],
        ModelKind::GaussianNb => vec![float(
            "var_smoothing",
            "Variance smoothing",
            "0.000000001",
            (0.0, CLOSED),
            1.0,
            "Share of the largest feature variance added to every variance, for stability.",
        )],
        ModelKind::Knn => vec![
            int("k", "Neighbours", "5", 1.0, 200.0, "Rows voting (classification) or averaged (regression)."),
            choice(
                "index",
                "Search index",
                "kd_tree",
                &["kd_tree", "ball_tree"],
                "Spatial index for the neighbour search; ball_tree suits many features.",
            ),
        ],
        ModelKind::Gbm => vec![
            int(
                "iterations",
                "Trees",
                "500",
                1.0,
                10_000.0,
                "Boosting rounds at most (one tree each, per class when multiclass); early stopping usually ends sooner.",
            ),
            float("learning_rate", "Learning rate", "0.2", (0.0, OPEN), 1.0, "Shrinks each tree's contribution; lower needs more trees."),
            int(
                "early_stopping_rounds",
                "Early stopping",
                "20",
                0.0,
                1000.0,
                "Stop when the loss on a validation share of the training rows has not improved for this many rounds, and keep the best round's trees (0: off, all rounds).",
            ),
            float(
                "validation_fraction",
                "Validation share",
                "0.1",
                (0.0, CLOSED),
                0.5,
                "Share of the training rows watched for early stopping (never the test rows).",
            ),
            int("max_depth", "Max depth", "5", 1.0, 30.0, "Levels of splits per tree at most."),
            float(
                "min_leaf_weight",
                "Min leaf weight",
                "1",
                (0.0, CLOSED),
                1e6,
                "Minimum hessian sum in a leaf; larger is more conservative.",
            ),
            float("l2", "L2 penalty", "1", (0.0, CLOSED), 1e6, "Shrinks leaf weights."),
            float("subsample", "Row subsample", "1", (0.0, OPEN), 1.0, "Share of rows drawn for each tree."),
            float(
                "colsample_bytree",
                "Column subsample",
                "0.5",
                (0.0, OPEN),
                1.0,
                "Share of the encoded columns drawn for each tree: faster, and less prone to lean on one column.",
            ),
            int("nbins", "Histogram bins", "256", 8.0, 4096.0, "Bins per feature for split finding."),
        ],
    }
}

/// The tasks a model can do (linfa-trees and its forest only classify; OLS and elastic net only regress).
pub(crate) fn tasks(kind: ModelKind) -> Vec<Task> {
    use Task::*;
    match kind {
        // Logistic regression and naive Bayes are models of class probabilities; least squares and the
        // elastic net fit a number. Their descriptions say so and which model to use instead.
        ModelKind::Logistic | ModelKind::GaussianNb => vec![Classification],
        ModelKind::Linear | ModelKind::ElasticNet => vec![Regression],
        ModelKind::DecisionTree | ModelKind::RandomForest | ModelKind::Svm | ModelKind::Knn | ModelKind::Gbm => {
            vec![Classification, Regression]
        }
    }
}

fn describe(kind: ModelKind) -> (&'static str, &'static str) {
    match kind {
        ModelKind::Gbm => {
            ("Gradient-boosted trees", "Boosted decision trees (forust). Strong on tabular data; handles missing values natively.")
        }
        ModelKind::Logistic => (
            "Logistic regression",
            "A linear model of class log-odds on standardized features (linfa, L-BFGS); multinomial for more than two classes. Classification only: it models class probabilities; for a numeric target use linear regression or the elastic net.",
        ),
        ModelKind::RandomForest => (
            "Random forest",
            "Bagged decision trees on bootstrap samples and feature subsets: classification trees from linfa-trees, regression trees (squared error) of Cairn's own.",
        ),
        ModelKind::DecisionTree => {
            ("Decision tree", "One CART tree, easy to read: linfa-trees for classes, Cairn's own squared-error tree for numbers.")
        }
        ModelKind::Linear => (
            "Linear regression",
            "Ordinary least squares (linfa-linear) on standardized features. Regression only: for classes use logistic regression.",
        ),
        ModelKind::ElasticNet => (
            "Elastic net",
            "Least squares with an L1 + L2 penalty (linfa-elasticnet): shrinks and selects features. Regression only: for classes use logistic regression.",
        ),
        ModelKind::Svm => (
            "Support vector machine",
            "Max-margin model with a linear or Gaussian kernel (linfa-svm). Binary classification (Platt-scaled probabilities) and regression.",
        ),
        ModelKind::Knn => ("k nearest neighbours", "Predicts from the k closest training rows (linfa-nn): a vote, or their mean."),
        ModelKind::GaussianNb => (
            "Gaussian naive Bayes",
            "Per-class normal distributions of each feature, assumed independent (linfa-bayes). Fast baseline. Classification only: it models each class's distribution; for a numeric target use linear regression.",
        ),
    }
}

/// Every model with its hyperparameters.
pub fn catalog() -> Vec<ModelInfo> {
    ALL.iter()
        .map(|&kind| {
            let (label, description) = describe(kind);
            ModelInfo {
                kind,
                label: label.into(),
                tasks: tasks(kind),
                params: table(kind)
                    .into_iter()
                    .map(|p| ParamSpec {
                        name: p.name.into(),
                        label: p.label.into(),
                        kind: p.kind,
                        default: p.default.into(),
                        min: p.min,
                        min_exclusive: p.min_open,
                        max: p.max,
                        choices: p.choices.iter().map(|c| (*c).into()).collect(),
                        help: p.help.into(),
                    })
                    .collect(),
                description: description.into(),
            }
        })
        .collect()
}

/// Effective hyperparameters: every parameter of the model, validated, in canonical spelling.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Params(pub BTreeMap<String, String>);

impl Params {
    /// Values are validated on construction, so the fallbacks below are never reached.
    pub fn f64(&self, name: &str) -> f64 {
        self.0.get(name).and_then(|v| v.parse().ok()).unwrap_or(0.0)
    }
    pub fn usize(&self, name: &str) -> usize {
        self.0.get(name).and_then(|v| v.parse().ok()).unwrap_or(1)
    }
    /// A whole number that may be 0 (off), with its fallback for a model file that lacks it.
    pub fn usize_or(&self, name: &str, fallback: usize) -> usize {
        self.0.get(name).and_then(|v| v.parse().ok()).unwrap_or(fallback)
    }
    pub fn str(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }
}

fn range_text(p: &P) -> String {
    match (p.min, p.max) {
        (Some(lo), Some(hi)) => {
            let open = if p.min_open { "(" } else { "[" };
            format!("{open}{}, {}]", fmt_num(lo), fmt_num(hi))
        }
        _ => format!("one of {}", p.choices.join(", ")),
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

fn canonical(p: &P, raw: &str) -> Option<String> {
    let raw = raw.trim();
    let in_range = |v: f64| {
        let lo_ok = p.min.is_none_or(|lo| if p.min_open { v > lo } else { v >= lo });
        lo_ok && p.max.is_none_or(|hi| v <= hi)
    };
    match p.kind {
        ParamType::Int => raw.parse::<i64>().ok().filter(|&v| in_range(v as f64)).map(|v| v.to_string()),
        ParamType::Float => raw.parse::<f64>().ok().filter(|v| v.is_finite() && in_range(*v)).map(|v| v.to_string()),
        ParamType::Choice => {
            let lower = raw.to_ascii_lowercase();
            p.choices.iter().find(|c| **c == lower).map(|c| (*c).to_string())
        }
        ParamType::Bool => match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some("true".into()),
            "false" | "0" | "no" => Some("false".into()),
            _ => None,
        },
    }
}

/// Checks the given hyperparameters against the model's table and fills in the defaults.
pub(crate) fn resolve(kind: ModelKind, given: &BTreeMap<String, String>) -> Result<Params, MlError> {
    let table = table(kind);
    for name in given.keys() {
        if !table.iter().any(|p| p.name == name) {
            return Err(MlError::UnknownParam {
                model: kind.as_str().into(),
                name: name.clone(),
                known: table.iter().map(|p| p.name.to_string()).collect(),
            });
        }
    }
    let mut out = BTreeMap::new();
    for p in &table {
        let value = match given.get(p.name) {
            Some(raw) => canonical(p, raw).ok_or_else(|| MlError::ParamOutOfRange {
                name: p.name.into(),
                value: raw.clone(),
                allowed: match p.kind {
                    ParamType::Int => format!("a whole number in {}", range_text(p)),
                    ParamType::Float => format!("a number in {}", range_text(p)),
                    ParamType::Choice => range_text(p),
                    ParamType::Bool => "true or false".into(),
                },
            })?,
            None => canonical(p, p.default).unwrap_or_else(|| p.default.to_string()),
        };
        out.insert(p.name.to_string(), value);
    }
    Ok(Params(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_inside_their_ranges() {
        for kind in ALL {
            for p in table(kind) {
                assert!(canonical(&p, p.default).is_some(), "{} {}", kind.as_str(), p.name);
            }
        }
    }
}
