//! What the search explores: per model family, its hyperparameters' ranges in a unit cube and the cheap
//! point it starts from (CFO starts every learner at its lowest-cost configuration and lets the search
//! raise the cost only where the metric pays for it; Wu, Wang & Huang, AAAI 2021).

use std::collections::BTreeMap;

use cairn_types::{ModelKind, Task};

/// One hyperparameter: its range, whether it is searched on a log scale, and where the search starts.
#[derive(Debug, Clone)]
pub(crate) struct Dim {
    pub name: &'static str,
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
    pub int: bool,
    pub init: f64,
}

const fn float(name: &'static str, lo: f64, hi: f64, log: bool, init: f64) -> Dim {
    Dim { name, lo, hi, log, int: false, init }
}

const fn int(name: &'static str, lo: f64, hi: f64, log: bool, init: f64) -> Dim {
    Dim { name, lo, hi, log, int: true, init }
}

impl Dim {
    fn to_unit(&self, v: f64) -> f64 {
        let u = if self.log { (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln()) } else { (v - self.lo) / (self.hi - self.lo) };
        u.clamp(0.0, 1.0)
    }

    fn at_unit(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let v = if self.log { (self.lo.ln() + u * (self.hi.ln() - self.lo.ln())).exp() } else { self.lo + u * (self.hi - self.lo) };
        if self.int { v.round().clamp(self.lo, self.hi) } else { v.clamp(self.lo, self.hi) }
    }

    fn text(&self, v: f64) -> String {
        if self.int {
            format!("{}", v as i64)
        } else {
            // Four significant digits: enough to search, and params that read well in the runs table.
            let s = format!("{v:.4e}");
            s.parse::<f64>().map(|x| x.to_string()).unwrap_or(s)
        }
    }
}

/// A model family's search space.
#[derive(Debug, Clone)]
pub(crate) struct Space {
    pub kind: ModelKind,
    pub dims: Vec<Dim>,
    /// Hyperparameters held fixed.
    pub fixed: Vec<(&'static str, &'static str)>,
}

impl Space {
    /// The starting point, in the unit cube.
    pub fn init(&self) -> Vec<f64> {
        self.dims.iter().map(|d| d.to_unit(d.init)).collect()
    }

    /// The hyperparameters at point `u`.
    pub fn params(&self, u: &[f64]) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = self.fixed.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
        for (d, &x) in self.dims.iter().zip(u) {
            out.insert(d.name.to_string(), d.text(d.at_unit(x)));
        }
        out
    }
}

/// Rows above which the random forest is left out: its trees (linfa's, exact splits) take seconds each
/// there, and on adult and diabetic_data it scored well below boosting and never joined an ensemble.
const FOREST_MAX_ROWS: usize = 20_000;

/// The families searched by default for a task and data size, cheapest first. kNN is not among them:
/// its predictions search every training row (on 3,000 rows of adult a trial took 8 s against 0.1 s
/// to fit) and it never joined an ensemble; `models` can still ask for it.
pub(crate) fn default_kinds(task: Task, rows: usize) -> Vec<ModelKind> {
    let mut kinds = match task {
        Task::Classification => vec![ModelKind::Logistic, ModelKind::Gbm],
        Task::Regression => vec![ModelKind::ElasticNet, ModelKind::Gbm],
    };
    if rows <= FOREST_MAX_ROWS {
        kinds.push(ModelKind::RandomForest);
    }
    kinds
}

/// Training rows of a trial above which boosting also searches the share of them it fits on, starting
/// at `SAMPLE_START` rows (FLAML grows its sample the same way): on 270,000 rows of 16 classes one full
/// fit outlasted a 30 s budget.
const SAMPLE_ABOVE: usize = 100_000;
const SAMPLE_START: f64 = 50_000.0;
/// The pseudo-hyperparameter: the share of a trial's training rows it fits on (not a model parameter).
pub(crate) const SAMPLE: &str = "sample";

/// The space of a family for trials fitting on `fit_rows` rows (empty for those without
/// hyperparameters worth tuning: one trial each).
pub(crate) fn space_for(kind: ModelKind, fit_rows: usize) -> Space {
    let mut s = space(kind);
    if kind == ModelKind::Gbm && fit_rows > SAMPLE_ABOVE {
        let lo = SAMPLE_START / fit_rows as f64;
        s.dims.push(float(SAMPLE, lo, 1.0, true, lo));
    }
    s
}

/// The space of a family (empty for those without hyperparameters worth tuning: one trial each).
pub(crate) fn space(kind: ModelKind) -> Space {
    let (dims, fixed): (Vec<Dim>, Vec<(&'static str, &'static str)>) = match kind {
        // Early stopping on a share of the training rows ends boosting; the learning rate sets how many
        // rounds that takes, so it is the cost the search raises.
        ModelKind::Gbm => (
            vec![
                float("learning_rate", 0.01, 0.3, true, 0.2),
                int("max_depth", 2.0, 12.0, false, 5.0),
                float("min_leaf_weight", 0.1, 300.0, true, 1.0),
                float("l2", 0.01, 100.0, true, 1.0),
                float("subsample", 0.5, 1.0, false, 1.0),
                float("colsample_bytree", 0.2, 1.0, false, 0.5),
            ],
            vec![("iterations", "3000"), ("early_stopping_rounds", "30"), ("validation_fraction", "0.1")],
        ),
        ModelKind::RandomForest => (
            vec![
                int("trees", 8.0, 300.0, true, 8.0),
                int("max_depth", 4.0, 40.0, false, 8.0),
                float("feature_fraction", 0.1, 1.0, false, 0.5),
                int("min_samples_leaf", 1.0, 64.0, true, 2.0),
            ],
            vec![],
        ),
        // linfa's L-BFGS is slow on wide one-hot data: its iterations are the cost the search raises.
        ModelKind::Logistic => (vec![float("alpha", 1e-3, 1e3, true, 1.0), int("max_iterations", 10.0, 300.0, true, 20.0)], vec![]),
        ModelKind::ElasticNet => {
            (vec![float("penalty", 1e-4, 10.0, true, 0.01), float("l1_ratio", 0.0, 1.0, false, 0.5)], vec![("max_iterations", "1000")])
        }
        ModelKind::Knn => (vec![int("k", 3.0, 100.0, true, 10.0)], vec![("index", "ball_tree")]),
        ModelKind::Linear | ModelKind::DecisionTree | ModelKind::GaussianNb => (vec![], vec![]),
        ModelKind::Svm => (vec![float("c", 0.01, 100.0, true, 1.0)], vec![("kernel", "gaussian"), ("max_rows", "3000")]),
    };
    Space { kind, dims, fixed }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_map_to_valid_params_and_back() {
        let s = space(ModelKind::Gbm);
        let p = s.params(&s.init());
        assert_eq!(p["learning_rate"], "0.2");
        assert_eq!(p["max_depth"], "5");
        assert_eq!(p["iterations"], "3000");
        let lo = s.params(&vec![0.0; s.dims.len()]);
        assert_eq!(lo["learning_rate"], "0.01");
        let hi = s.params(&vec![2.0; s.dims.len()]);
        assert_eq!(hi["max_depth"], "12");
    }

    #[test]
    fn boosting_on_many_rows_starts_on_a_sample_of_them() {
        assert!(space_for(ModelKind::Gbm, 80_000).dims.iter().all(|d| d.name != SAMPLE));
        let s = space_for(ModelKind::Gbm, 250_000);
        let p = s.params(&s.init());
        assert_eq!(p[SAMPLE], "0.2");
        let (model_params, share) = crate::trial::split_sample(&p);
        assert!(!model_params.contains_key(SAMPLE) && share == 0.2);
        assert_eq!(s.params(&vec![1.0; s.dims.len()])[SAMPLE], "1");
    }
}
