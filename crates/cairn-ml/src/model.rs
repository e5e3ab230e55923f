//! A trained model: the fitted preprocessing and estimator with what they were trained on, saved as
//! versioned JSON. Prediction takes raw rows and repeats training's encoding.

use std::io::Write;
use std::path::Path;

use cairn_types::{ModelKind, Task};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::MlError;
use crate::metrics::argmax;
use crate::models::{Estimator, Scores};
use crate::preprocess::Preprocessor;
use crate::table::{self, SourceKind};

/// The newest model file format this Cairn reads and writes. Raised when a change would make older
/// readers misread a file: 2 adds `blend` (an ensemble), so a single model is still written as 1.
pub const MODEL_FORMAT: u32 = 2;
/// The format of a model without a blend, which every Cairn reads.
const SINGLE_FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
pub struct Model {
    format: u32,
    cairn_version: String,
    kind: ModelKind,
    task: Task,
    target: String,
    features: Vec<String>,
    kinds: Vec<SourceKind>,
    classes: Vec<String>,
    positive_class: Option<String>,
    preprocessor: Preprocessor,
    estimator: Estimator,
    /// An ensemble: this model's own estimator weighs `weight`, and each member its own; the scores
    /// (probabilities or values) are their weighted mean. Empty for a single model.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    weight: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    blend: Vec<Member>,
}

/// Another model of an ensemble, trained on the same features for the same target.
#[derive(Serialize, Deserialize)]
struct Member {
    kind: ModelKind,
    weight: f64,
    preprocessor: Preprocessor,
    estimator: Estimator,
}

fn one() -> f64 {
    1.0
}

fn is_one(w: &f64) -> bool {
    *w == 1.0
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("kind", &self.kind)
            .field("task", &self.task)
            .field("target", &self.target)
            .field("features", &self.features)
            .field("classes", &self.classes)
            .finish_non_exhaustive()
    }
}

/// Just the version, read before the rest so a newer file is refused with a clear message.
#[derive(Deserialize)]
struct Header {
    format: Option<u32>,
}

pub(crate) struct Parts {
    pub kind: ModelKind,
    pub task: Task,
    pub target: String,
    pub features: Vec<String>,
    pub kinds: Vec<SourceKind>,
    pub classes: Vec<String>,
    pub positive_class: Option<String>,
    pub preprocessor: Preprocessor,
    pub estimator: Estimator,
}

impl Model {
    pub(crate) fn new(p: Parts) -> Model {
        Model {
            format: SINGLE_FORMAT,
            cairn_version: env!("CARGO_PKG_VERSION").into(),
            kind: p.kind,
            task: p.task,
            target: p.target,
            features: p.features,
            kinds: p.kinds,
            classes: p.classes,
            positive_class: p.positive_class,
            preprocessor: p.preprocessor,
            estimator: p.estimator,
            weight: 1.0,
            blend: Vec::new(),
        }
    }

    /// An ensemble of models trained on the same data for the same target, scoring the weighted mean
    /// of their probabilities (or values). Weights are normalized; the first model is the ensemble's
    /// face (its kind, features and classes).
    pub fn blend(members: Vec<(Model, f64)>) -> Result<Model, MlError> {
        let total: f64 = members.iter().map(|(_, w)| *w).sum();
        let usable = |w: f64| w.is_finite() && w >= 0.0;
        if !usable(total) || total == 0.0 || members.iter().any(|(_, w)| !usable(*w)) {
            return Err(MlError::Internal("an ensemble needs positive weights".into()));
        }
        let mut it = members.into_iter().filter(|(_, w)| *w > 0.0);
        let (mut first, w0) = it.next().ok_or_else(|| MlError::Internal("an empty ensemble".into()))?;
        if !first.blend.is_empty() {
            return Err(MlError::Internal("an ensemble cannot hold another ensemble".into()));
        }
        first.weight = w0 / total;
        for (m, w) in it {
            if m.features != first.features || m.classes != first.classes || m.task != first.task || !m.blend.is_empty() {
                return Err(MlError::Internal("ensemble members must share features, task and classes".into()));
            }
            first.blend.push(Member { kind: m.kind, weight: w / total, preprocessor: m.preprocessor, estimator: m.estimator });
        }
        if !first.blend.is_empty() {
            first.format = MODEL_FORMAT;
        }
        Ok(first)
    }

    /// The kinds and weights of an ensemble's models (one entry of weight 1 for a single model).
    pub fn members(&self) -> Vec<(ModelKind, f64)> {
        std::iter::once((self.kind, self.weight)).chain(self.blend.iter().map(|m| (m.kind, m.weight))).collect()
    }

    /// Scores of `rows` of raw columns (all rows when None), blended when this is an ensemble.
    pub(crate) fn scores(&self, raw: &[table::RawColumn], rows: Option<&[usize]>) -> Result<Scores, MlError> {
        let own = self.estimator.predict(&self.preprocessor.transform(raw, rows))?;
        if self.blend.is_empty() {
            return Ok(own);
        }
        let mut acc = weighted(own, self.weight, None);
        for m in &self.blend {
            let s = m.estimator.predict(&m.preprocessor.transform(raw, rows))?;
            acc = weighted(s, m.weight, Some(acc));
        }
        Ok(acc)
    }

    /// The model's features read from `frame` as they were read for training.
    pub(crate) fn read(&self, frame: &DataFrame) -> Result<Vec<table::RawColumn>, MlError> {
        self.features.iter().zip(&self.kinds).map(|(name, kind)| table::read(frame, name, *kind)).collect()
    }

    /// What each feature held at training time, in the order of `features`.
    pub(crate) fn source_kinds(&self) -> &[SourceKind] {
        &self.kinds
    }

    pub fn task(&self) -> Task {
        self.task
    }
    pub fn kind(&self) -> ModelKind {
        self.kind
    }
    /// The feature columns a frame must have to be predicted.
    pub fn features(&self) -> &[String] {
        &self.features
    }
    /// Classification: the classes, in the order of the `proba_<class>` columns.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }
    /// Classification: the class whose probability ROC and PR curves score.
    pub fn positive_class(&self) -> Option<&str> {
        self.positive_class.as_deref()
    }
    /// The column the model predicts.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Writes the model atomically: a temporary file beside it, then a rename.
    pub fn save(&self, path: &Path) -> Result<(), MlError> {
        let io = |source| MlError::Io { action: "write", path: path.to_path_buf(), source };
        let bytes = serde_json::to_vec(self).map_err(|e| MlError::Internal(format!("model to JSON: {e}")))?;
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()
        };
        if let Err(e) = write() {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(e));
        }
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }

    /// Reads a model file; a damaged file or one from a newer format is refused with a clear error.
    pub fn load(path: &Path) -> Result<Model, MlError> {
        let bytes = std::fs::read(path).map_err(|source| MlError::Io { action: "read", path: path.to_path_buf(), source })?;
        let damaged = |reason: String| MlError::Damaged { path: path.to_path_buf(), reason };
        let header: Header = serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))?;
        match header.format {
            None => return Err(damaged("it has no format version (is it a Cairn model?)".into())),
            Some(found) if found > MODEL_FORMAT => {
                return Err(MlError::TooNew { path: path.to_path_buf(), found, supported: MODEL_FORMAT });
            }
            Some(_) => {}
        }
        serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))
    }

    /// Predicts raw rows: column `prediction` (the class label, or a number), and for classification
    /// `proba_<class>` per class. Missing values and unseen categories are encoded as in training.
    pub fn predict(&self, frame: &DataFrame) -> Result<DataFrame, MlError> {
        let columns = match self.predict_frame(frame)? {
            Predicted::Values(v) => vec![Column::new("prediction".into(), v)],
            Predicted::Classes { labels, proba, k } => {
                let rows = labels.len();
                let mut cols = vec![Column::new("prediction".into(), labels)];
                for (c, class) in self.classes.iter().enumerate().take(k) {
                    let v: Vec<f64> = (0..rows).map(|r| proba[r * k + c]).collect();
                    cols.push(Column::new(format!("proba_{class}").into(), v));
                }
                cols
            }
        };
        Ok(DataFrame::new_infer_height(columns)?)
    }

    /// [`predict`](Self::predict)'s columns, before they become a frame.
    pub fn predict_frame(&self, frame: &DataFrame) -> Result<Predicted, MlError> {
        self.predict_raw(&self.read(frame)?)
    }

    /// What each feature held at training time, in the order of [`features`](Self::features): how
    /// values given to [`predict_values`](Self::predict_values) must be read.
    pub fn feature_kinds(&self) -> Vec<FeatureKind> {
        self.kinds
            .iter()
            .map(|k| match k {
                SourceKind::Number => FeatureKind::Number,
                SourceKind::Bool => FeatureKind::Bool,
                SourceKind::Date => FeatureKind::Date,
                SourceKind::Datetime => FeatureKind::Datetime,
                SourceKind::Text => FeatureKind::Text,
            })
            .collect()
    }

    /// Predicts rows given as one column of values per feature, in the order of `features`, already
    /// read as a frame's columns are read for [`predict`](Self::predict) (which takes the same path
    /// from there): for callers that hold typed values and need no frame, like an endpoint's requests.
    pub fn predict_values(&self, values: &[FeatureValues<'_>]) -> Result<Predicted, MlError> {
        if values.len() != self.features.len() {
            return Err(MlError::Internal(format!("{} feature columns given, the model has {}", values.len(), self.features.len())));
        }
        let rows = values.first().map_or(0, FeatureValues::len);
        let mut raw = Vec::with_capacity(values.len());
        for ((name, kind), v) in self.features.iter().zip(&self.kinds).zip(values) {
            if v.len() != rows {
                return Err(MlError::Internal(format!("the column '{name}' has {} values, the first has {rows}", v.len())));
            }
            raw.push(match (kind, v) {
                (SourceKind::Text, FeatureValues::Texts(t)) => table::dictionary(t.iter().copied()),
                (SourceKind::Text, FeatureValues::Numbers(_)) | (_, FeatureValues::Texts(_)) => {
                    return Err(MlError::Internal(format!("the column '{name}' is given as the wrong kind ({kind:?} expected)")));
                }
                (_, FeatureValues::Numbers(n)) => table::RawColumn::Num(n.clone()),
            });
        }
        self.predict_raw(&raw)
    }

    fn predict_raw(&self, raw: &[table::RawColumn]) -> Result<Predicted, MlError> {
        for (name, col) in self.features.iter().zip(raw) {
            if let table::RawColumn::Num(v) = col {
                let infinite = v.iter().filter(|x| x.is_infinite()).count();
                if infinite > 0 {
                    return Err(MlError::invalid(
                        format!("the column '{name}' holds {infinite} infinite value(s)"),
                        "replace or filter them before predicting (training refused them too)",
                    ));
                }
            }
        }
        let rows = raw.first().map_or(0, table::RawColumn::len);
        Ok(match self.scores(raw, None)? {
            Scores::Values(v) => Predicted::Values(v),
            Scores::Proba { k, p } => {
                let labels = (0..rows).map(|r| self.classes.get(argmax(&p[r * k..(r + 1) * k])).cloned().unwrap_or_default()).collect();
                Predicted::Classes { labels, proba: p, k }
            }
        })
    }
}

/// What a feature held at training time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureKind {
    Number,
    /// Read as 0 (false) and 1 (true).
    Bool,
    /// Read as days since 1970-01-01.
    Date,
    /// Read as milliseconds since 1970-01-01 (durations: milliseconds).
    Datetime,
    Text,
}

/// One feature's values for [`Model::predict_values`].
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureValues<'a> {
    /// Every kind but text; NaN is a missing value.
    Numbers(Vec<f64>),
    /// None is a missing value.
    Texts(Vec<Option<&'a str>>),
}

impl FeatureValues<'_> {
    pub fn len(&self) -> usize {
        match self {
            FeatureValues::Numbers(v) => v.len(),
            FeatureValues::Texts(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Predicted rows: the columns of [`Model::predict`]'s frame, before they become one.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicted {
    /// Regression: the `prediction` column.
    Values(Vec<f64>),
    /// Classification: each row's label, and its probabilities row-major (`proba[r * k + c]`, classes
    /// in the order of [`Model::classes`]).
    Classes { labels: Vec<String>, proba: Vec<f64>, k: usize },
}

impl Predicted {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        match self {
            Predicted::Values(v) => v.len(),
            Predicted::Classes { labels, .. } => labels.len(),
        }
    }
}

impl Model {
    /// Why each row is predicted as it is: per feature its exact Shapley contribution to the margin
    /// (TreeSHAP), `contrib_<feature>`, then `contrib_bias` (the expected margin) and `margin` (the
    /// log-odds of the second class, or the predicted value), which the contributions sum to. For a
    /// single gradient-boosted model of two classes or of a number.
    pub fn contributions(&self, frame: &DataFrame) -> Result<DataFrame, MlError> {
        let not_here = || {
            let kinds: Vec<&str> = self.members().iter().map(|(k, _)| k.as_str()).collect();
            MlError::invalid(
                format!(
                    "per-row explanations are exact for one gradient-boosted model of two classes or a number; this model is {}",
                    kinds.join(" + ")
                ),
                "explain a gbm run (an AutoML search keeps its best gbm trials' models in their runs)",
            )
        };
        if !self.blend.is_empty() {
            return Err(not_here());
        }
        let raw = self.read(frame)?;
        let x = self.preprocessor.transform(&raw, None);
        let (contribs, margin) = self.estimator.contributions(&x).ok_or_else(not_here)?;
        let width = x.cols + 1;
        let mut per_feature = vec![vec![0.0; x.rows]; self.features.len()];
        let mut bias = vec![0.0; x.rows];
        for r in 0..x.rows {
            let row = &contribs[r * width..(r + 1) * width];
            for (c, v) in row[..x.cols].iter().enumerate() {
                if let Some(f) = self.preprocessor.sources.get(c).and_then(|&f| per_feature.get_mut(f)) {
                    f[r] += v;
                }
            }
            bias[r] = row[x.cols];
        }
        let mut columns: Vec<Column> =
            self.features.iter().zip(per_feature).map(|(name, v)| Column::new(format!("contrib_{name}").into(), v)).collect();
        columns.push(Column::new("contrib_bias".into(), bias));
        columns.push(Column::new("margin".into(), margin));
        Ok(DataFrame::new_infer_height(columns)?)
    }
}

/// `acc + w * s` (or `w * s` when there is no `acc` yet), for scores of the same shape.
fn weighted(s: Scores, w: f64, acc: Option<Scores>) -> Scores {
    match (s, acc) {
        (Scores::Values(v), None) => Scores::Values(v.into_iter().map(|x| w * x).collect()),
        (Scores::Proba { k, p }, None) => Scores::Proba { k, p: p.into_iter().map(|x| w * x).collect() },
        (Scores::Values(v), Some(Scores::Values(mut a))) => {
            a.iter_mut().zip(v).for_each(|(a, x)| *a += w * x);
            Scores::Values(a)
        }
        (Scores::Proba { p, .. }, Some(Scores::Proba { k, p: mut a })) => {
            a.iter_mut().zip(p).for_each(|(a, x)| *a += w * x);
            Scores::Proba { k, p: a }
        }
        (_, Some(a)) => a,
    }
}
