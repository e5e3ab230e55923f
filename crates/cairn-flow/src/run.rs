//! Executing a flow: compile, collect once, write Parquet or CSV atomically. Output to the project's
//! artifacts records lineage (the flow's digest and each source file's digest) beside the Parquet file.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compile::{Options, Plan, compile, source_path};
use crate::error::FlowError;
use crate::model::FlowFile;

/// Where a run's output goes.
#[derive(Debug, Clone)]
pub enum Output {
    /// This file; `.csv` writes CSV, anything else Parquet.
    File(PathBuf),
    /// `.cairn/artifacts/flows/NAME/DIGEST.parquet` with `DIGEST.lineage.json` beside it.
    Artifacts,
}

/// What a run produced.
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub path: PathBuf,
    pub rows: usize,
    pub columns: usize,
    /// The flow with every fitted value filled in (save it when `fitted_now`).
    #[serde(skip)]
    pub flow: FlowFile,
    pub fitted_now: bool,
    pub lineage: Lineage,
}

/// Where an output came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lineage {
    pub flow: String,
    pub flow_digest: String,
    /// (source name, blake3 of the file).
    pub sources: Vec<(String, String)>,
}

/// A source file's BLAKE3, remembered per file version (path, length, modification time) so a flow run
/// again over the same file does not read it twice.
fn file_digest(path: &Path) -> std::io::Result<String> {
    type Key = (PathBuf, u64, std::time::SystemTime);
    static DIGESTS: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<Key, String>>> = std::sync::OnceLock::new();
    let meta = std::fs::metadata(path)?;
    let key = meta.modified().ok().map(|m| (path.to_path_buf(), meta.len(), m));
    let cache = DIGESTS.get_or_init(Default::default);
    if let Some(d) = key.as_ref().and_then(|k| cache.lock().ok()?.get(k).cloned()) {
        return Ok(d);
    }
    let mut h = blake3::Hasher::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut h)?;
    let digest = h.finalize().to_hex().to_string();
    if let (Some(k), Ok(mut c)) = (key, cache.lock()) {
        if c.len() >= 64 {
            c.clear();
        }
        c.insert(k, digest.clone());
    }
    Ok(digest)
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> FlowError + '_ {
    move |source| FlowError::Io { path: path.display().to_string(), source }
}

/// Runs a compiled flow over all its rows: on polars' streaming engine when its inputs are large (see
/// [`crate::compile::STREAMING_FROM_BYTES`]), else in memory. Previews always run in memory: they read
/// the first rows only.
pub fn execute(frame: LazyFrame, streaming: bool) -> PolarsResult<DataFrame> {
    if !streaming {
        return frame.collect();
    }
    // One plan, one sink: only `collect_all` over several plans answers more than one frame.
    frame.collect_with_engine(Engine::Streaming).map(|r| r.unwrap_single())
}

/// Runs the flow and writes its output.
pub fn run(project: &Path, flow: &FlowFile, output: &Output, opts: &Options) -> Result<RunReport, FlowError> {
    let plan = compile(project, flow, opts)?;
    let lineage = lineage(project, &plan)?;
    let streaming = plan.streams();
    let mut df = execute(plan.frame, streaming).map_err(|e| FlowError::Invalid(format!("running flow {:?} failed: {e}", flow.name)))?;
    let path = write(project, &mut df, &lineage, &plan.flow, output)?;
    Ok(RunReport { path, rows: df.height(), columns: df.width(), fitted_now: plan.fitted_now, flow: plan.flow, lineage })
}

/// Where a compiled flow's output comes from: the flow as compiled (fitted values included; the same
/// digest means the same output) and each source's digest — a file's BLAKE3, a dataset's version
/// (itself a digest of the imported file and its read options) or the digest of the flow it reads.
pub fn lineage(project: &Path, plan: &Plan) -> Result<Lineage, FlowError> {
    let mut sources = Vec::new();
    for s in &plan.flow.sources {
        let digest = match (plan.subflows.get(&s.name), &s.dataset) {
            (Some(sub), _) => format!("flow:{}", sub.flow.digest()),
            (None, Some(d)) => format!("dataset:{}", d.version),
            (None, None) => {
                let p = source_path(project, s);
                file_digest(&p).map_err(io(&p))?
            }
        };
        sources.push((s.name.clone(), digest));
    }
    Ok(Lineage { flow: plan.flow.name.clone(), flow_digest: plan.flow.digest(), sources })
}

impl Lineage {
    /// The wire form.
    pub fn to_api(&self) -> cairn_types::FlowLineage {
        let sources = self.sources.iter().map(|(n, d)| cairn_types::SourceDigest { name: n.clone(), digest: d.clone() }).collect();
        cairn_types::FlowLineage { flow: self.flow.clone(), flow_digest: self.flow_digest.clone(), sources }
    }

    /// The lineage written beside an output in the artifacts, if `output` is one.
    pub fn of_output(output: &Path) -> Option<Lineage> {
        serde_json::from_slice(&std::fs::read(lineage_path(output)).ok()?).ok()
    }
}

/// The folder of a flow's outputs in the project's artifacts.
pub fn outputs_dir(project: &Path, flow: &str) -> PathBuf {
    project.join(".cairn").join("artifacts").join("flows").join(flow)
}

fn lineage_path(output: &Path) -> PathBuf {
    output.with_extension("lineage.json")
}

fn flow_copy_path(output: &Path) -> PathBuf {
    output.with_extension("flow.json")
}

/// The flow as it wrote an output of the artifacts (fitted values included), kept beside the output:
/// the flow's file may have changed since, and a model trained on the output needs this one.
pub fn flow_of_output(output: &Path) -> Option<FlowFile> {
    let text = std::fs::read_to_string(flow_copy_path(output)).ok()?;
    FlowFile::parse(&text, &flow_copy_path(output).display().to_string()).ok()
}

/// Writes a flow's output frame atomically (CSV for a `.csv` file, else Parquet); to the artifacts with
/// its lineage and the flow as compiled (`flow`) beside it. Returns the file written.
pub fn write(project: &Path, df: &mut DataFrame, lineage: &Lineage, flow: &FlowFile, output: &Output) -> Result<PathBuf, FlowError> {
    let path = match output {
        Output::File(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(io(dir))?;
            }
            p.clone()
        }
        Output::Artifacts => {
            let dir = outputs_dir(project, &lineage.flow);
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
            dir.join(format!("{}.parquet", &lineage.flow_digest[..16]))
        }
    };
    let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut bytes = Vec::new();
    let written = if csv { CsvWriter::new(&mut bytes).finish(df) } else { ParquetWriter::new(&mut bytes).finish(df).map(|_| ()) };
    written.map_err(|e| FlowError::Io { path: path.display().to_string(), source: std::io::Error::other(e.to_string()) })?;
    cairn_store::atomic_write(&path, &bytes).map_err(io(&path))?;
    if matches!(output, Output::Artifacts) {
        let lpath = lineage_path(&path);
        let text = serde_json::to_string_pretty(lineage).unwrap_or_default();
        cairn_store::atomic_write(&lpath, text.as_bytes()).map_err(io(&lpath))?;
        let fpath = flow_copy_path(&path);
        cairn_store::atomic_write(&fpath, flow.to_text().as_bytes()).map_err(io(&fpath))?;
    }
    Ok(path)
}
