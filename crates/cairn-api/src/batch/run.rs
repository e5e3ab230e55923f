//! The batch transform itself, knowing nothing of projects or jobs: a model file over an input file,
//! chunk by chunk on a few threads, into the work folder, then the output. A job (here or on a cluster)
//! and the tests call it the same way.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use cairn_types::{ApiError, BatchFormat, BatchResult, ErrorCode};

use super::score::Scorer;
use super::source::Source;
use super::work::{self, Fingerprint, Finished};

/// Rows per chunk when none is given: about 5–50 MB of CSV, a few times that in memory.
pub const DEFAULT_CHUNK_ROWS: u64 = 100_000;

/// How to run a batch prediction.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// The output file; the work folder `<out>.cairn-batch/` and the errors file go beside it.
    pub out: PathBuf,
    pub format: BatchFormat,
    /// Input columns copied before the predictions (`*`: all of them).
    pub columns: Vec<String>,
    pub chunk_rows: u64,
    /// Keep the finished chunks of an interrupted run of the same work; false starts over.
    pub resume: bool,
    /// The model as the user named it, for the result.
    pub model_label: String,
    /// Chunks predicted at once (each on its own thread); 0: one per core, at most 4.
    pub threads: usize,
}

/// Chunks done and planned, after each chunk.
pub type OnProgress<'a> = &'a (dyn Fn(u64, u64) + Sync);
/// True stops the work between chunks (what is finished stays for a resume).
pub type Cancelled<'a> = &'a (dyn Fn() -> bool + Sync);

fn cancelled_error() -> ApiError {
    ApiError::new(ErrorCode::Cancelled, "the batch prediction was cancelled").with_hint("run it again with resume to continue")
}

/// The input columns copied to the output, checked against the input's (`*` expands to all).
pub(crate) fn joined_columns(names: &[String], asked: &[String], input: &Path) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::new();
    for a in asked.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        if a == "*" {
            out.extend(names.iter().filter(|n| !out.contains(n)).cloned().collect::<Vec<_>>());
        } else if names.iter().any(|n| n == a) {
            if !out.iter().any(|o| o == a) {
                out.push(a.to_string());
            }
        } else {
            let close = cairn_ml::similar_names(names.iter().map(String::as_str), a);
            let hint = if close.is_empty() {
                format!("its columns are: {}", names.join(", "))
            } else {
                format!("did you mean {}?", close.join(", "))
            };
            return Err(ApiError::new(ErrorCode::ColumnNotFound, format!("{} has no column '{a}' to copy to the output", input.display()))
                .with_hint(hint));
        }
    }
    Ok(out)
}

/// Refuses an input without the model's features, as `cairn predict` does, and copied columns that
/// would clash with the prediction columns.
pub(crate) fn check_input(scorer: &Scorer, names: &[String], joined: &[String], input: &Path) -> Result<(), ApiError> {
    let required = scorer.required();
    let missing: Vec<&str> = required.iter().map(String::as_str).filter(|f| !names.iter().any(|n| n == f)).collect();
    if !missing.is_empty() {
        let shown = cairn_types::words::quoted_names(&missing);
        let why = match &scorer.flow {
            Some(f) => format!("which flow {:?} reads to prepare the model's features", f.flow.name),
            None => "which the model was trained on".into(),
        };
        return Err(ApiError::new(ErrorCode::ColumnNotFound, format!("{} has no column {shown}, {why}", input.display()))
            .with_hint("add the column to the file; its values may be empty, they are treated as missing"));
    }
    if let Some(clash) = joined.iter().find(|j| scorer.outputs.iter().any(|(o, _)| o == *j)) {
        return Err(ApiError::new(ErrorCode::InvalidInput, format!("the input's column '{clash}' has the name of a prediction column"))
            .with_hint("leave it out of the copied columns (--columns)"));
    }
    Ok(())
}

/// Predicts `input` with the model at `model_path` into `options.out`, in chunks; resumable (see
/// `work.rs`). Rows that cannot be scored get empty predictions and are listed with why.
pub fn batch_predict(
    model_path: &Path,
    input: &Path,
    options: &BatchOptions,
    progress: OnProgress<'_>,
    cancelled: Cancelled<'_>,
) -> Result<BatchResult, ApiError> {
    let began = Instant::now();
    if options.chunk_rows == 0 {
        return Err(ApiError::new(ErrorCode::InvalidInput, "chunks of 0 rows").with_hint("give at least 1 row per chunk, e.g. 100000"));
    }
    let scorer = Scorer::load(model_path)?;
    let source = Source::open(input)?;
    let joined = joined_columns(source.names(), &options.columns, input)?;
    check_input(&scorer, source.names(), &joined, input)?;
    let (input_bytes, input_sample) = work::sample_digest(input)?;
    let fingerprint = Fingerprint {
        model: work::digest_file(model_path)?,
        input_bytes,
        input_sample,
        chunk_rows: options.chunk_rows,
        columns: joined.clone(),
        format: options.format,
    };
    let dir = work::work_dir(&options.out);
    let mut manifest = work::start(&dir, fingerprint, options.resume)?;
    let plan = source.plan(options.chunk_rows, cancelled)?;
    manifest.chunks = plan.len() as u64;
    manifest.rows = plan.iter().map(|c| c.rows).sum();
    // A finished chunk must be the same rows of the same file, or it is done again.
    manifest.done.retain(|&i, f| plan.get(i as usize) == Some(&f.range));
    let resumed = manifest.done.len() as u64;
    let rows_resumed: u64 = manifest.done.values().map(|f| f.range.rows).sum();
    work::write_manifest(&dir, &manifest)?;
    progress(resumed, manifest.chunks);

    let threads = match options.threads {
        0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4),
        n => n,
    };
    let todo: Vec<usize> = (0..plan.len()).filter(|i| !manifest.done.contains_key(&(*i as u64))).collect();
    let next = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<ApiError>> = Mutex::new(None);
    let shared = Mutex::new(manifest);
    std::thread::scope(|s| {
        for _ in 0..threads.min(todo.len()).max(1) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed) as usize;
                    let Some(&i) = todo.get(k) else { return };
                    if failed.load(Ordering::Relaxed) {
                        return;
                    }
                    let step = (|| {
                        if cancelled() {
                            return Err(cancelled_error());
                        }
                        let c = &plan[i];
                        let mut done = source.predict(&scorer, c, &joined)?;
                        let failed_rows = done.errors.len() as u64;
                        work::write_part(&dir, i as u64, &mut done.part, &done.errors)?;
                        let mut m = crate::lock(&shared);
                        let finished = Finished { range: *c, scored: c.rows - failed_rows, failed: failed_rows, inferred: done.inferred };
                        m.done.insert(i as u64, finished);
                        work::write_manifest(&dir, &m)?;
                        progress(m.done.len() as u64, m.chunks);
                        Ok(())
                    })();
                    if let Err(e) = step {
                        failed.store(true, Ordering::Relaxed);
                        crate::lock(&first_error).get_or_insert(e);
                        return;
                    }
                }
            });
        }
    });
    if let Some(e) = crate::lock(&first_error).take() {
        return Err(e);
    }
    let manifest = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    if cancelled() {
        return Err(cancelled_error());
    }
    let assembled = work::assemble(&dir, &manifest, &options.out, options.format, &joined, source.is_csv())?;
    let (scored, failed): (u64, u64) = manifest.done.values().fold((0, 0), |(s, f), d| (s + d.scored, f + d.failed));
    // The output is whole: the parts are not needed any more.
    let _ = std::fs::remove_dir_all(&dir);
    Ok(BatchResult {
        model: options.model_label.clone(),
        input: input.to_string_lossy().into_owned(),
        out: options.out.to_string_lossy().into_owned(),
        format: options.format,
        errors_file: assembled.errors_file.map(|p| p.to_string_lossy().into_owned()),
        rows: manifest.rows,
        scored,
        failed,
        chunks: manifest.chunks,
        chunks_resumed: resumed,
        rows_resumed,
        columns: assembled.columns,
        errors: assembled.listed,
        seconds: began.elapsed().as_secs_f64(),
    })
}

/// Chunks done and planned, from an output's work folder (while a batch prediction runs there).
pub fn progress_of(out: &Path) -> Option<(u64, u64)> {
    let m = work::read_manifest(&work::work_dir(out))?;
    Some((m.done.len() as u64, m.chunks))
}
