//! The checks every backend relies on, done once before a primitive is called. Limits and messages follow
//! MLflow 3.x (`mlflow/utils/validation.py`), so a script that works against MLflow works here.

use cairn_types::{DatasetInput, Metric, Param, Tag};

use super::error::{Result, TrackingError};

pub const MAX_METRICS_PER_BATCH: usize = 1000;
pub const MAX_PARAMS_TAGS_PER_BATCH: usize = 100;
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;
pub const MAX_KEY_LENGTH: usize = 250;
/// Longer param and tag values are cut to these lengths, as MLflow's server does by default
/// (`MLFLOW_TRUNCATE_LONG_VALUES`), rather than failing a user's script.
pub const MAX_PARAM_VALUE_LENGTH: usize = 6000;
pub const MAX_TAG_VALUE_LENGTH: usize = 8000;
pub const MAX_EXPERIMENT_NAME_LENGTH: usize = 500;
pub const MAX_EXPERIMENT_TAG_VALUE_LENGTH: usize = 20000;
pub const MAX_DATASET_NAME_LENGTH: usize = 500;
pub const MAX_DATASET_DIGEST_LENGTH: usize = 36;
pub const MAX_DATASET_SOURCE_LENGTH: usize = 65535;
pub const MAX_DATASET_SCHEMA_LENGTH: usize = 1_048_575;
pub const MAX_DATASET_PROFILE_LENGTH: usize = 16_777_215;
pub const MAX_INPUT_TAG_KEY_LENGTH: usize = 255;
pub const MAX_INPUT_TAG_VALUE_LENGTH: usize = 500;
pub const DEFAULT_MAX_RESULTS: u32 = 1000;
pub const MAX_RESULTS_LIMIT: u32 = 50_000;
/// The tag that mirrors a run's name.
pub const RUN_NAME_TAG: &str = "mlflow.runName";
/// The input tag that says how a data set was used (training, evaluation …).
pub const DATASET_CONTEXT_TAG: &str = "mlflow.data.context";

fn invalid(msg: impl Into<String>) -> TrackingError {
    TrackingError::InvalidInput(msg.into())
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Cuts `s` to at most `limit` characters (not bytes, like Python's `s[:limit]`).
fn truncate(s: &str, limit: usize) -> String {
    match s.char_indices().nth(limit) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// A metric, param or tag key: MLflow allows letters, digits, `_ - . / :` and spaces, and refuses keys
/// that a file system would read as another path (`a//b`, `./a`, `..`, `/a`, `a/`).
pub fn key(what: &str, key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(invalid(format!("{what} is empty; give it a name")));
    }
    if chars(key) > MAX_KEY_LENGTH {
        return Err(invalid(format!("{what} `{}…` is longer than {MAX_KEY_LENGTH} characters", truncate(key, 40))));
    }
    if let Some(c) = key.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':' | ' '))) {
        return Err(invalid(format!(
            "{what} `{key}` has the character `{c}`; names may only contain letters, digits, \
             underscores (_), dashes (-), periods (.), colons (:), spaces and slashes (/)"
        )));
    }
    if key.starts_with("..") || key.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..") {
        return Err(invalid(format!(
            "{what} `{key}` would name another path when read as a file name (empty, `.` or `..` parts, \
             or a leading or trailing slash)"
        )));
    }
    Ok(())
}

/// MLflow's run id rule for log-batch and log-inputs: a letter or digit, then up to 255 word characters
/// or dashes. Ids this store makes are 32 lowercase hex characters.
pub fn run_id(id: &str) -> Result<()> {
    let mut cs = id.chars();
    let ok =
        cs.next().is_some_and(|c| c.is_ascii_alphanumeric()) && chars(id) <= 256 && cs.all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ok { Ok(()) } else { Err(invalid(format!("`{id}` is not a valid run id"))) }
}

/// Experiment ids are integers on the wire as strings ("0", "1", …); an empty id means the Default
/// experiment, as in MLflow.
pub fn experiment_id(id: &str) -> Result<i64> {
    if id.is_empty() {
        return Ok(0);
    }
    id.trim()
        .parse::<i64>()
        .map_err(|_| invalid(format!("invalid experiment id `{id}`: experiment ids are integers, like \"0\" or \"12\"")))
}

pub fn experiment_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(invalid("an experiment needs a name"));
    }
    if chars(name) > MAX_EXPERIMENT_NAME_LENGTH {
        return Err(invalid(format!("the experiment name is longer than {MAX_EXPERIMENT_NAME_LENGTH} characters")));
    }
    Ok(())
}

pub fn experiment_tag(tag: &Tag) -> Result<()> {
    key("experiment tag key", &tag.key)?;
    if chars(&tag.value) > MAX_EXPERIMENT_TAG_VALUE_LENGTH {
        return Err(invalid(format!(
            "the value of experiment tag `{}` is longer than {MAX_EXPERIMENT_TAG_VALUE_LENGTH} characters",
            tag.key
        )));
    }
    Ok(())
}

/// A run tag, its value cut to MLflow's limit.
pub fn run_tag(tag: &Tag) -> Result<Tag> {
    key("tag key", &tag.key)?;
    Ok(Tag { key: tag.key.clone(), value: truncate(&tag.value, MAX_TAG_VALUE_LENGTH) })
}

pub fn max_results(n: u32, what: &str) -> Result<u64> {
    match n {
        0 => Ok(DEFAULT_MAX_RESULTS as u64),
        n if n > MAX_RESULTS_LIMIT => {
            Err(invalid(format!("max_results of {n} is too large for {what}: it must be at most {MAX_RESULTS_LIMIT}")))
        }
        n => Ok(n as u64),
    }
}

/// A log_batch request that passed every check: keys are valid, values cut to their limits, within
/// MLflow's batch limits, no param key twice. Only [`Batch::new`] makes one, so a backend given a
/// `Batch` knows it was validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    metrics: Vec<Metric>,
    params: Vec<Param>,
    tags: Vec<Tag>,
}

impl Batch {
    pub fn new(metrics: &[Metric], params: &[Param], tags: &[Tag]) -> Result<Batch> {
        let limit = |what: &str, n: usize, max: usize| {
            if n > max {
                Err(invalid(format!("a batch can hold at most {max} {what}; this one has {n}: split it across several requests")))
            } else {
                Ok(())
            }
        };
        limit("metrics", metrics.len(), MAX_METRICS_PER_BATCH)?;
        limit("params", params.len(), MAX_PARAMS_TAGS_PER_BATCH)?;
        limit("tags", tags.len(), MAX_PARAMS_TAGS_PER_BATCH)?;
        limit("metrics, params and tags in all", metrics.len() + params.len() + tags.len(), MAX_ENTITIES_PER_BATCH)?;
        for (i, m) in metrics.iter().enumerate() {
            key(&format!("metrics[{i}].key"), &m.key)?;
            if m.timestamp < 0 {
                return Err(invalid(format!(
                    "metric `{}` has the timestamp {}; timestamps are milliseconds since 1970 and cannot be negative",
                    m.key, m.timestamp
                )));
            }
        }
        let mut seen = std::collections::HashSet::new();
        let mut checked_params = Vec::with_capacity(params.len());
        for (i, p) in params.iter().enumerate() {
            key(&format!("params[{i}].key"), &p.key)?;
            if !seen.insert(p.key.as_str()) {
                return Err(invalid(format!("param `{}` appears twice in one batch; send one value per key", p.key)));
            }
            checked_params.push(Param { key: p.key.clone(), value: truncate(&p.value, MAX_PARAM_VALUE_LENGTH) });
        }
        let mut checked_tags = Vec::with_capacity(tags.len());
        for (i, t) in tags.iter().enumerate() {
            key(&format!("tags[{i}].key"), &t.key)?;
            checked_tags.push(Tag { key: t.key.clone(), value: truncate(&t.value, MAX_TAG_VALUE_LENGTH) });
        }
        Ok(Batch { metrics: metrics.to_vec(), params: checked_params, tags: checked_tags })
    }

    /// Metric points in request order.
    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// Tags in request order; a later tag with the same key wins.
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty() && self.params.is_empty() && self.tags.is_empty()
    }
}

/// Checks dataset inputs and drops repeats of the same (name, digest), keeping the first, as MLflow does.
pub fn dataset_inputs(inputs: &[DatasetInput]) -> Result<Vec<DatasetInput>> {
    let too_long = |what: &str, max: usize| invalid(format!("dataset {what} is longer than {max} characters"));
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for input in inputs {
        let d = &input.dataset;
        if d.name.is_empty() || d.digest.is_empty() {
            return Err(invalid("a dataset input needs a name and a digest"));
        }
        if chars(&d.name) > MAX_DATASET_NAME_LENGTH {
            return Err(too_long("name", MAX_DATASET_NAME_LENGTH));
        }
        if chars(&d.digest) > MAX_DATASET_DIGEST_LENGTH {
            return Err(too_long("digest", MAX_DATASET_DIGEST_LENGTH));
        }
        if chars(&d.source) > MAX_DATASET_SOURCE_LENGTH {
            return Err(too_long("source", MAX_DATASET_SOURCE_LENGTH));
        }
        if d.schema.as_deref().is_some_and(|s| chars(s) > MAX_DATASET_SCHEMA_LENGTH) {
            return Err(too_long("schema", MAX_DATASET_SCHEMA_LENGTH));
        }
        if d.profile.as_deref().is_some_and(|s| chars(s) > MAX_DATASET_PROFILE_LENGTH) {
            return Err(too_long("profile", MAX_DATASET_PROFILE_LENGTH));
        }
        for t in &input.tags {
            if chars(&t.key) > MAX_INPUT_TAG_KEY_LENGTH {
                return Err(too_long("input tag key", MAX_INPUT_TAG_KEY_LENGTH));
            }
            if chars(&t.value) > MAX_INPUT_TAG_VALUE_LENGTH {
                return Err(invalid(format!("the value of input tag `{}` is longer than {MAX_INPUT_TAG_VALUE_LENGTH} characters", t.key)));
            }
        }
        if seen.insert((d.name.clone(), d.digest.clone())) {
            out.push(input.clone());
        }
    }
    Ok(out)
}
