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
            "SELECT rid FROM runs WHERE lifecycle_stage = 'active'".to_string()
        } else {
            let list = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
            format!("SELECT rid FROM runs WHERE lifecycle_stage = 'active' AND experiment_id IN ({list})")
        };
        let keys = |table: &str| -> Result<Vec<String>, StoreError> {
            let sql = format!("SELECT DISTINCT key FROM {table} WHERE rid IN ({scope}) ORDER BY key LIMIT {MAX_KEYS}");
            let mut stmt = conn.prepare(&sql).map_err(|e| self.classify(e))?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| self.classify(e))?;
            rows.map(|r| r.map_err(|e| self.classify(e))).collect()
        };
        Ok(RunKeys { metrics: keys("latest_metrics")?, params: keys("params")?, tags: keys("run_tags")? })
    }
}
