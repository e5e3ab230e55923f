//! The job spec: what a worker needs to run a job, and nothing it could look up itself.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cairn_types::{AutomlSpec, BatchSpec, TrainSpec};
use serde::{Deserialize, Serialize};

use crate::error::JobError;

/// Bumped when the spec changes shape; a worker refuses specs newer than it knows.
/// 2: the custom-command kind and resource requests. 3: AutoML trials on a cluster. 4: batch predictions.
pub const SPEC_VERSION: u32 = 4;

/// What a job asks the cluster for; None leaves it to the executor's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpus: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpus: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobKind {
    /// A built-in training, logged into the run.
    Train {
        spec: TrainSpec,
        /// The training data inside the job's working directory, for a worker without the project (on a
        /// cluster); None reads the dataset from the project.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<String>,
    },
    /// An AutoML search: its trials are nested runs of the job's run, whose model is the final one.
    Automl {
        spec: AutomlSpec,
        /// The Ray dashboard the trials run on (resolved from `spec.on`); None: here.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cluster: Option<String>,
    },
    /// One trial of a search running on the laptop, run on a cluster with the search's data packed
    /// with it (`data`, in the working directory); its report goes home in the log. `trial` is
    /// cairn-automl's `TrialRequest`.
    AutomlTrial { spec: AutomlSpec, trial: serde_json::Value, data: String },
    /// A batch prediction: a model over a file in chunks, resumable from its work folder. On a cluster
    /// the model and the input travel in the package (`packed`: their names in the working directory).
    Batch {
        spec: BatchSpec,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        packed: Option<BatchPacked>,
    },
    /// The user's own command run in (a copy of) the user's folder, e.g. `python train.py`.
    Command {
        dir: PathBuf,
        command: String,
        #[serde(default)]
        env: BTreeMap<String, String>,
        #[serde(default)]
        resources: Resources,
    },
}

/// The names, in a cluster job's working directory, of the files a batch prediction reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPacked {
    pub model: String,
    pub input: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    pub version: u32,
    pub job_id: String,
    pub project: PathBuf,
    pub run_id: String,
    pub experiment_id: String,
    /// The process that started the job; a local worker stops when it is gone, so closing the app
    /// never leaves a training running unseen.
    #[serde(default)]
    pub parent_pid: Option<u32>,
    #[serde(flatten)]
    pub kind: JobKind,
}

impl JobSpec {
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            JobKind::Train { .. } => "train",
            JobKind::Automl { .. } => "automl",
            JobKind::AutomlTrial { .. } => "automl_trial",
            JobKind::Batch { .. } => "batch",
            JobKind::Command { .. } => "command",
        }
    }

    pub fn write(&self, path: &Path) -> Result<(), JobError> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| JobError::BadSpec { path: path.to_path_buf(), detail: e.to_string() })?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|source| JobError::Files { path: path.to_path_buf(), source })
    }

    pub fn read(path: &Path) -> Result<JobSpec, JobError> {
        let bytes = std::fs::read(path).map_err(|source| JobError::Files { path: path.to_path_buf(), source })?;
        let v: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| JobError::BadSpec { path: path.to_path_buf(), detail: e.to_string() })?;
        let found = v.get("version").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
        if found > SPEC_VERSION {
            return Err(JobError::SpecTooNew { found, known: SPEC_VERSION });
        }
        serde_json::from_value(v).map_err(|e| JobError::BadSpec { path: path.to_path_buf(), detail: e.to_string() })
    }
}
