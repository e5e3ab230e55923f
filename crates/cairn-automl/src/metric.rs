//! The metric a search ranks by, and its direction.

use std::collections::BTreeMap;

use cairn_ml::MlError;
use cairn_types::Task;

const CLASSIFICATION: [(&str, bool); 8] = [
    ("roc_auc", true),
    ("log_loss", false),
    ("accuracy", true),
    ("balanced_accuracy", true),
    ("f1", true),
    ("pr_auc", true),
    ("precision", true),
    ("recall", true),
];
const REGRESSION: [(&str, bool); 4] = [("rmse", false), ("mae", false), ("r2", true), ("mape", false)];

/// A metric name and whether larger is better.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub greater_is_better: bool,
}

impl Metric {
    /// `name` for `task`, or the default: ROC AUC for two classes, log loss for more, RMSE for numbers.
    pub fn for_task(name: Option<&str>, task: Task, classes: usize) -> Result<Metric, MlError> {
        let table: &[(&str, bool)] = match task {
            Task::Classification => &CLASSIFICATION,
            Task::Regression => &REGRESSION,
        };
        let name = match name.map(|n| n.trim().to_ascii_lowercase()) {
            Some(n) if !n.is_empty() => n,
            _ => match task {
                Task::Classification if classes > 2 => "log_loss".into(),
                Task::Classification => "roc_auc".into(),
                Task::Regression => "rmse".into(),
            },
        };
        let found = table.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
            let what = if task == Task::Classification { "classification" } else { "regression" };
            MlError::invalid(format!("the metric '{name}' is not a {what} metric"), format!("use one of {}", names.join(", ")))
        })?;
        Ok(Metric { name: found.0.into(), greater_is_better: found.1 })
    }

    /// The metric as a loss (lower is better); infinite when it is missing or not a number.
    pub fn loss(&self, metrics: &BTreeMap<String, f64>) -> f64 {
        match metrics.get(&self.name) {
            Some(v) if v.is_finite() => {
                if self.greater_is_better {
                    -v
                } else {
                    *v
                }
            }
            _ => f64::INFINITY,
        }
    }

    /// The metric's value from a loss.
    pub fn value(&self, loss: f64) -> f64 {
        if self.greater_is_better { -loss } else { loss }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_by_task_and_refusals_name_the_metric() {
        assert_eq!(Metric::for_task(None, Task::Classification, 2).unwrap().name, "roc_auc");
        assert_eq!(Metric::for_task(None, Task::Classification, 3).unwrap().name, "log_loss");
        assert_eq!(Metric::for_task(Some("RMSE"), Task::Regression, 0).unwrap().name, "rmse");
        let e = Metric::for_task(Some("rmse"), Task::Classification, 2).unwrap_err();
        assert!(e.to_string().contains("'rmse'"), "{e}");
        let m = Metric::for_task(Some("roc_auc"), Task::Classification, 2).unwrap();
        assert_eq!(m.loss(&BTreeMap::from([("roc_auc".into(), 0.9)])), -0.9);
        assert!(m.loss(&BTreeMap::new()).is_infinite());
    }
}
