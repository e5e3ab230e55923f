//! The metric, param and tag keys runs use, for the runs table's column picker and filter completion.

use cairn_types::RunKeys;

use crate::error::StoreError;
use crate::project::Project;

/// More keys than anyone picks from a menu.
const MAX_KEYS: usize = 1000;

impl Project {
    /// Keys used by active runs of the given experiments (all experiments when empty), sorted.
    pub fn run_keys(&self, experiment_ids: &[String]) -> Result<RunKeys, StoreError> {
        let conn = self.conn()?;
        let ids: Vec<i64> = experiment_ids.iter().filter_map(|i| i.parse().ok()).collect();
        let scope = if experiment_ids.is_empty() {
            String::new()
        } else {
            let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
            format!(" AND r.experiment_id IN ({list})")
        };
        // A skip-scan over the (key, value) index: one probe per distinct key, then one EXISTS probe for
        // whether a run in scope uses it. A plain DISTINCT over 100k runs reads every row (seconds).
        let keys = |table: &str| -> Result<Vec<String>, StoreError> {
            let sql = format!(
                "WITH RECURSIVE k(key) AS (
                     SELECT MIN(key) FROM {table}
                     UNION ALL SELECT (SELECT MIN(key) FROM {table} WHERE key > k.key) FROM k WHERE k.key IS NOT NULL)
                 SELECT key FROM k WHERE key IS NOT NULL AND EXISTS (
                     SELECT 1 FROM {table} t JOIN runs r ON r.rid = t.rid
                     WHERE t.key = k.key AND r.lifecycle_stage = 'active'{scope})
                 LIMIT {MAX_KEYS}"
            );
            let mut stmt = conn.prepare(&sql).map_err(|e| self.classify(e))?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| self.classify(e))?;
            rows.map(|r| r.map_err(|e| self.classify(e))).collect()
        };
        Ok(RunKeys { metrics: keys("latest_metrics")?, params: keys("params")?, tags: keys("run_tags")? })
    }
}

#[cfg(test)]
mod tests {
    use cairn_types::{Metric, Param, Tag};

    use crate::{Project, TrackingStore};

    #[test]
    fn keys_are_scoped_to_the_experiments_and_to_active_runs() {
        let dir = tempfile::tempdir().unwrap();
        let p = Project::create(&dir.path().join("p"), None, 0).unwrap();
        let a = p.create_experiment("a", None, &[], 0).unwrap();
        let b = p.create_experiment("b", None, &[], 0).unwrap();
        let log = |exp: &str, metric: &str, param: &str, tag: &str| {
            let run = p.create_run(exp, None, "u", 0, &[]).unwrap().info.run_id;
            let m = Metric { key: metric.into(), value: 1.0, timestamp: 0, step: 0 };
            let pa = Param { key: param.into(), value: "1".into() };
            let t = Tag { key: tag.into(), value: "x".into() };
            p.log_batch(&run, &[m], &[pa], &[t]).unwrap();
            run
        };
        log(&a, "auc", "depth", "team");
        log(&a, "loss", "depth", "team");
        let gone = log(&b, "rmse", "alpha", "owner");
        let keys = p.run_keys(std::slice::from_ref(&a)).unwrap();
        assert_eq!(keys.metrics, ["auc", "loss"]);
        assert_eq!(keys.params, ["depth"]);
        assert!(keys.tags.contains(&"team".to_string()) && !keys.tags.contains(&"owner".to_string()), "{keys:?}");
        assert_eq!(p.run_keys(&[]).unwrap().metrics, ["auc", "loss", "rmse"]);
        p.delete_run(&gone, 1).unwrap();
        assert_eq!(p.run_keys(&[]).unwrap().metrics, ["auc", "loss"]);
    }
}
