//! The tracking store: MLflow's operations as provided methods that validate once and funnel into a
//! small set of primitives a backend implements (MLflow's own design: log_metric → log_batch). A backend
//! receives checked input only: keys and limits validated, ids parsed, filters parsed into
//! [`RunQuery`]/[`ExperimentQuery`], page tokens decoded.

use cairn_types::{
    DatasetInput, Experiment, ExperimentsPage, LifecycleStage, Metric, MetricSeries, Param, Run, RunInfo, RunStatus, RunsPage,
    SearchExperiments, SearchRuns, Tag,
};

use super::downsample;
use super::error::{Result, TrackingError};
use super::names::{new_run_id, new_run_name};
use super::search::{self, ExperimentQuery, RunQuery};
use super::token;
use super::validate::{self, Batch, RUN_NAME_TAG};

/// The points a chart gets when it does not say.
pub const DEFAULT_SERIES_POINTS: u32 = 1000;

/// A run to create, with its id and name already chosen and its tags checked (the name tag included).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub run_id: String,
    pub experiment_id: i64,
    pub run_name: String,
    pub user_id: String,
    pub start_time: i64,
    pub tags: Vec<Tag>,
}

/// Where experiments, runs, params, metrics and tags are kept. `now` (milliseconds since 1970) is
/// always passed in; a store never reads a clock.
pub trait TrackingStore: Send + Sync {
    // ---- Primitives: what a backend implements. Arguments arrive validated. ----

    /// Creates an experiment; a taken name (deleted experiments included) is `ExperimentExists`.
    fn insert_experiment(&self, name: &str, artifact_location: Option<&str>, tags: &[Tag], now: i64) -> Result<String>;
    fn read_experiment(&self, id: i64) -> Result<Experiment>;
    fn read_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>>;
    /// The experiments of `query`, rows `offset..offset+limit` of its order.
    fn query_experiments(&self, query: &ExperimentQuery) -> Result<Vec<Experiment>>;
    fn write_experiment_name(&self, id: i64, name: &str, now: i64) -> Result<()>;
    /// Deletes (soft) or restores an experiment together with all of its runs.
    fn write_experiment_stage(&self, id: i64, stage: LifecycleStage, now: i64) -> Result<()>;
    fn write_experiment_tag(&self, id: i64, tag: &Tag) -> Result<()>;
    fn remove_experiment_tag(&self, id: i64, key: &str) -> Result<()>;
    /// Creates a run in an active experiment, RUNNING, with its artifact URI.
    fn insert_run(&self, run: &NewRun) -> Result<Run>;
    fn read_run(&self, run_id: &str) -> Result<Run>;
    fn write_run_info(&self, run_id: &str, status: Option<RunStatus>, end_time: Option<i64>, run_name: Option<&str>) -> Result<RunInfo>;
    fn write_run_stage(&self, run_id: &str, stage: LifecycleStage, now: i64) -> Result<()>;
    /// Logs a checked batch atomically into an active run, latest metrics included.
    fn write_batch(&self, run_id: &str, batch: &Batch) -> Result<()>;
    fn remove_run_tag(&self, run_id: &str, key: &str) -> Result<()>;
    /// Links data sets (already de-duplicated) to an active run; a data set it already has is skipped.
    fn write_inputs(&self, run_id: &str, inputs: &[DatasetInput]) -> Result<()>;
    /// A metric's points in MLflow's order (timestamp, step, value), rows `offset..offset+limit`.
    /// An unknown run or key has no points, as in MLflow.
    fn read_metric_history(&self, run_id: &str, key: &str, offset: u64, limit: Option<u64>) -> Result<Vec<Metric>>;
    /// All of a metric's points by step (then timestamp); `RunNotFound` for an unknown run.
    fn read_metric_series(&self, run_id: &str, key: &str) -> Result<Vec<Metric>>;
    /// The runs of `query`, rows `offset..offset+limit` of its order, and how many match in all.
    fn query_runs(&self, query: &RunQuery) -> Result<(Vec<Run>, u64)>;

    // ---- MLflow's operations: validation here, once, for every backend. ----

    /// Creates an experiment and returns its id ("1", "2", …).
    fn create_experiment(&self, name: &str, artifact_location: Option<&str>, tags: &[Tag], now: i64) -> Result<String> {
        validate::experiment_name(name)?;
        for t in tags {
            validate::experiment_tag(t)?;
        }
        self.insert_experiment(name, artifact_location.filter(|l| !l.is_empty()), tags, now)
    }

    /// An experiment, active or deleted; an empty id is the Default experiment ("0").
    fn get_experiment(&self, id: &str) -> Result<Experiment> {
        self.read_experiment(validate::experiment_id(id)?)
    }

    /// The experiment with this name, active or deleted, if any.
    fn get_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>> {
        self.read_experiment_by_name(name)
    }

    fn search_experiments(&self, req: &SearchExperiments) -> Result<ExperimentsPage> {
        let limit = validate::max_results(req.max_results, "experiments")?;
        let query = ExperimentQuery {
            clauses: search::experiment_filter(&req.filter)?,
            order: search::experiment_order(&req.order_by)?,
            view: req.view_type,
            offset: token::decode(req.page_token.as_deref())?,
            limit: limit + 1,
        };
        let mut experiments = self.query_experiments(&query)?;
        let next_page_token = next_page(&mut experiments, query.offset, limit);
        Ok(ExperimentsPage { experiments, next_page_token })
    }

    /// Renames an active experiment; the new name must be free.
    fn rename_experiment(&self, id: &str, new_name: &str, now: i64) -> Result<()> {
        validate::experiment_name(new_name)?;
        self.write_experiment_name(validate::experiment_id(id)?, new_name, now)
    }

    /// Marks an active experiment and all its runs deleted.
    fn delete_experiment(&self, id: &str, now: i64) -> Result<()> {
        self.write_experiment_stage(validate::experiment_id(id)?, LifecycleStage::Deleted, now)
    }

    /// Makes a deleted experiment and all its runs active again.
    fn restore_experiment(&self, id: &str, now: i64) -> Result<()> {
        self.write_experiment_stage(validate::experiment_id(id)?, LifecycleStage::Active, now)
    }

    fn set_experiment_tag(&self, id: &str, key: &str, value: &str) -> Result<()> {
        let tag = Tag { key: key.to_string(), value: value.to_string() };
        validate::experiment_tag(&tag)?;
        self.write_experiment_tag(validate::experiment_id(id)?, &tag)
    }

    fn delete_experiment_tag(&self, id: &str, key: &str) -> Result<()> {
        self.remove_experiment_tag(validate::experiment_id(id)?, key)
    }

    /// Starts a run: a random 32-hex id, the given name or the `mlflow.runName` tag or a generated one
    /// ("brave-otter-417"), which is also set as the `mlflow.runName` tag. Status RUNNING.
    fn create_run(&self, experiment_id: &str, run_name: Option<&str>, user_id: &str, start_time: i64, tags: &[Tag]) -> Result<Run> {
        let experiment_id = validate::experiment_id(experiment_id)?;
        let mut checked: Vec<Tag> = Vec::with_capacity(tags.len() + 1);
        for t in tags {
            let t = validate::run_tag(t)?;
            // A key given twice keeps its last value, as an overwrite would.
            checked.retain(|c| c.key != t.key);
            checked.push(t);
        }
        let given = run_name.filter(|n| !n.is_empty());
        let from_tag = checked.iter().find(|t| t.key == RUN_NAME_TAG).map(|t| t.value.clone()).filter(|n| !n.is_empty());
        if let (Some(a), Some(b)) = (given, from_tag.as_deref())
            && a != b
        {
            return Err(TrackingError::InvalidInput(format!("run_name `{a}` and the tag {RUN_NAME_TAG} `{b}` differ; give the name once")));
        }
        let name = given.map(str::to_string).or(from_tag).unwrap_or_else(new_run_name);
        checked.retain(|t| t.key != RUN_NAME_TAG);
        checked.push(Tag { key: RUN_NAME_TAG.to_string(), value: name.clone() });
        let run = NewRun { run_id: new_run_id(), experiment_id, run_name: name, user_id: user_id.to_string(), start_time, tags: checked };
        self.insert_run(&run)
    }

    /// A run with its params, tags, inputs and the latest value of each metric.
    fn get_run(&self, run_id: &str) -> Result<Run> {
        self.read_run(run_id)
    }

    /// Changes an active run's status, end time or name (an empty name changes nothing); renaming
    /// updates the `mlflow.runName` tag too.
    fn update_run(&self, run_id: &str, status: Option<RunStatus>, end_time: Option<i64>, run_name: Option<&str>) -> Result<RunInfo> {
        self.write_run_info(run_id, status, end_time, run_name.filter(|n| !n.is_empty()))
    }

    fn delete_run(&self, run_id: &str, now: i64) -> Result<()> {
        self.write_run_stage(run_id, LifecycleStage::Deleted, now)
    }

    fn restore_run(&self, run_id: &str, now: i64) -> Result<()> {
        self.write_run_stage(run_id, LifecycleStage::Active, now)
    }

    /// Logs metrics (appended), params (write-once) and tags (overwritten) into an active run, all or
    /// nothing. MLflow's limits: 1000 metrics, 100 params, 100 tags, 1000 in all.
    fn log_batch(&self, run_id: &str, metrics: &[Metric], params: &[Param], tags: &[Tag]) -> Result<()> {
        validate::run_id(run_id)?;
        let batch = Batch::new(metrics, params, tags)?;
        self.write_batch(run_id, &batch)
    }

    fn log_metric(&self, run_id: &str, key: &str, value: f64, timestamp: i64, step: i64) -> Result<()> {
        let m = Metric { key: key.to_string(), value, timestamp, step };
        self.log_batch(run_id, &[m], &[], &[])
    }

    fn log_param(&self, run_id: &str, key: &str, value: &str) -> Result<()> {
        let p = Param { key: key.to_string(), value: value.to_string() };
        self.log_batch(run_id, &[], &[p], &[])
    }

    fn set_tag(&self, run_id: &str, key: &str, value: &str) -> Result<()> {
        let t = Tag { key: key.to_string(), value: value.to_string() };
        self.log_batch(run_id, &[], &[], &[t])
    }

    fn delete_tag(&self, run_id: &str, key: &str) -> Result<()> {
        self.remove_run_tag(run_id, key)
    }

    /// Records the data sets a run read; the same (name, digest) twice is kept once.
    fn log_inputs(&self, run_id: &str, inputs: &[DatasetInput]) -> Result<()> {
        validate::run_id(run_id)?;
        self.write_inputs(run_id, &validate::dataset_inputs(inputs)?)
    }

    /// Every point of a metric in MLflow's order (timestamp, step, value), a page at a time when
    /// `max_results` is given.
    fn get_metric_history(
        &self,
        run_id: &str,
        key: &str,
        max_results: Option<u32>,
        page_token: Option<&str>,
    ) -> Result<(Vec<Metric>, Option<String>)> {
        if max_results == Some(0) {
            return Err(TrackingError::InvalidInput("max_results must be a positive number".into()));
        }
        let offset = token::decode(page_token)?;
        let limit = max_results.map(u64::from);
        let mut points = self.read_metric_history(run_id, key, offset, limit.map(|l| l + 1))?;
        let next = match limit {
            Some(l) => next_page(&mut points, offset, l),
            None => None,
        };
        Ok((points, next))
    }

    /// A metric's series by step for a chart, downsampled to at most `max_points` (0 means 1000),
    /// keeping each stretch's lowest and highest point and the first and last.
    fn metric_series(&self, run_id: &str, key: &str, max_points: u32) -> Result<MetricSeries> {
        let max = match max_points {
            0 => DEFAULT_SERIES_POINTS,
            1 => return Err(TrackingError::InvalidInput("a series needs at least 2 points (its first and last)".into())),
            n => n,
        };
        let points = self.read_metric_series(run_id, key)?;
        let total_points = points.len() as u64;
        Ok(MetricSeries {
            run_id: run_id.to_string(),
            key: key.to_string(),
            points: downsample::min_max(points, max as usize),
            total_points,
        })
    }

    /// MLflow's search: the filter grammar, order_by, view type, max_results (default 1000, at most
    /// 50,000) and page tokens; `total` counts every matching run.
    fn search_runs(&self, req: &SearchRuns) -> Result<RunsPage> {
        let limit = validate::max_results(req.max_results, "runs")?;
        let mut experiment_ids = Vec::with_capacity(req.experiment_ids.len());
        for id in &req.experiment_ids {
            if id.trim().is_empty() {
                return Err(TrackingError::InvalidInput("an experiment id in experiment_ids is empty".into()));
            }
            experiment_ids.push(validate::experiment_id(id)?);
        }
        let query = RunQuery {
            experiment_ids,
            clauses: search::run_filter(&req.filter)?,
            order: search::run_order(&req.order_by)?,
            view: req.run_view_type,
            offset: token::decode(req.page_token.as_deref())?,
            limit: limit + 1,
        };
        let (mut runs, total) = self.query_runs(&query)?;
        let next_page_token = next_page(&mut runs, query.offset, limit);
        Ok(RunsPage { runs, next_page_token, total })
    }
}

/// Primitives are asked for one row more than the page; its presence means another page follows.
fn next_page<T>(rows: &mut Vec<T>, offset: u64, limit: u64) -> Option<String> {
    if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        Some(token::encode(offset + limit))
    } else {
        None
    }
}
