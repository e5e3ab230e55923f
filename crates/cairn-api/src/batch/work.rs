//! The work folder beside the output (`<out>.cairn-batch/`): one Parquet part per finished chunk and its
//! failed rows, each written atomically, then recorded in `manifest.json` (rewritten atomically), so a
//! crash at any moment leaves only finished chunks recorded. A rerun that finds the manifest of the same
//! model, input and options skips them. The output is assembled from the parts in input order, streamed
//! one part at a time.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use cairn_types::{ApiError, BatchFormat, ErrorCode, RowError};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::csv::ChunkRange;
use super::score::internal;
use super::text::Inferred;

/// Bumped when the manifest changes shape; another version is not resumed.
const MANIFEST_VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
/// How much of the input's head and tail identify it (with its size) without reading it all.
const SAMPLE: u64 = 1 << 20;
/// The failed rows a result lists (the errors file has them all).
pub(crate) const LISTED_ERRORS: usize = 100;

/// What a manifest was made for: another model, input or options make its parts useless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Fingerprint {
    pub model: String,
    pub input_bytes: u64,
    pub input_sample: String,
    pub chunk_rows: u64,
    pub columns: Vec<String>,
    pub format: BatchFormat,
}

/// A finished chunk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Finished {
    pub range: ChunkRange,
    pub scored: u64,
    pub failed: u64,
    /// For a CSV input: what each copied column's values allow in this chunk.
    #[serde(default)]
    pub inferred: Vec<Inferred>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub version: u32,
    pub fingerprint: Fingerprint,
    pub chunks: u64,
    pub rows: u64,
    /// Chunk index → what it made.
    pub done: BTreeMap<u64, Finished>,
}

fn io(path: &Path, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("{}: {e}", path.display()))
        .with_hint("check that the output's folder exists and is writable (on a cluster: writable by the cluster)")
}

/// BLAKE3 of a file's bytes.
pub(crate) fn digest_file(path: &Path) -> Result<String, ApiError> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    Ok(blake3::hash(&bytes).to_hex().to_string())
}

/// The input's size and a digest of its first and last megabyte.
pub(crate) fn sample_digest(path: &Path) -> Result<(u64, String), ApiError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let size = f.metadata().map_err(|e| io(path, e))?.len();
    let mut h = blake3::Hasher::new();
    let mut buf = Vec::new();
    (&mut f).take(SAMPLE).read_to_end(&mut buf).map_err(|e| io(path, e))?;
    h.update(&buf);
    if size > SAMPLE {
        buf.clear();
        f.seek(SeekFrom::Start(size - SAMPLE.min(size))).map_err(|e| io(path, e))?;
        f.read_to_end(&mut buf).map_err(|e| io(path, e))?;
        h.update(&buf);
    }
    Ok((size, h.finalize().to_hex().to_string()))
}

/// The work folder of an output.
pub(crate) fn work_dir(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    out.with_file_name(format!("{name}.cairn-batch"))
}

/// The errors file of an output: `<stem>.errors.csv` beside it.
pub(crate) fn errors_path(out: &Path) -> PathBuf {
    let stem = out.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    out.with_file_name(format!("{stem}.errors.csv"))
}

fn part_path(dir: &Path, i: u64) -> PathBuf {
    dir.join(format!("part-{i:06}.parquet"))
}

fn errors_part(dir: &Path, i: u64) -> PathBuf {
    dir.join(format!("part-{i:06}.errors.json"))
}

/// Reads the manifest of a work folder, if there is a readable one.
pub(crate) fn read_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(dir.join(MANIFEST)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub(crate) fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), ApiError> {
    let bytes = serde_json::to_vec(m).map_err(|e| internal("the manifest", e))?;
    cairn_store::atomic_write(&dir.join(MANIFEST), &bytes).map_err(|e| io(&dir.join(MANIFEST), e))
}

/// The manifest to continue: the one found when it was made for the same work, else a new one (the
/// folder emptied). `resume` refuses a folder made for other work instead of discarding it.
pub(crate) fn start(dir: &Path, fingerprint: Fingerprint, resume: bool) -> Result<Manifest, ApiError> {
    if resume && let Some(m) = read_manifest(dir) {
        if m.version == MANIFEST_VERSION && m.fingerprint == fingerprint {
            return Ok(m);
        }
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("{} holds the work of another batch prediction (another model, input or options)", dir.display()),
        )
        .with_hint("start without resume to discard it, or give the same model, input, columns and chunk size"));
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| io(dir, e))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    Ok(Manifest { version: MANIFEST_VERSION, fingerprint, chunks: 0, rows: 0, done: BTreeMap::new() })
}

/// Writes a chunk's failed rows, then its part (each atomically); the caller records it after.
pub(crate) fn write_part(dir: &Path, i: u64, part: &mut DataFrame, errors: &[RowError]) -> Result<(), ApiError> {
    let e = errors_part(dir, i);
    let bytes = serde_json::to_vec(errors).map_err(|err| internal("a chunk's errors", err))?;
    cairn_store::atomic_write(&e, &bytes).map_err(|err| io(&e, err))?;
    let p = part_path(dir, i);
    let tmp = p.with_extension("parquet.tmp");
    let file = std::fs::File::create(&tmp).map_err(|err| io(&tmp, err))?;
    ParquetWriter::new(file).with_compression(ParquetCompression::Lz4Raw).finish(part).map_err(|err| io(&tmp, err))?;
    std::fs::rename(&tmp, &p).map_err(|err| io(&p, err))
}

/// Where the assembled output went.
pub(crate) struct Assembled {
    pub columns: Vec<String>,
    pub listed: Vec<RowError>,
    pub errors_file: Option<PathBuf>,
}

enum Writer {
    Parquet(Box<polars::io::parquet::write::BatchedWriter<std::fs::File>>),
    Csv(polars::io::csv::write::BatchedWriter<std::fs::File>),
}

/// Streams the parts into `out` in input order (typing a CSV input's copied columns as an import of the
/// whole file would), and the failed rows into the errors file.
pub(crate) fn assemble(
    dir: &Path,
    m: &Manifest,
    out: &Path,
    format: BatchFormat,
    joined: &[String],
    csv: bool,
) -> Result<Assembled, ApiError> {
    let mut inferred = vec![Inferred::START; joined.len()];
    for f in m.done.values() {
        for (acc, i) in inferred.iter_mut().zip(&f.inferred) {
            acc.merge(i);
        }
    }
    let converts: Vec<Expr> =
        if csv { joined.iter().zip(&inferred).filter_map(|(name, inf)| inf.convert(name, inf.dtype())).collect() } else { Vec::new() };
    let tmp =
        out.with_file_name(format!(".{}.tmp-{}", out.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(), std::process::id()));
    let errors_out = errors_path(out);
    let errors_tmp = errors_out.with_extension("csv.tmp");
    let result = (|| {
        let mut writer: Option<Writer> = None;
        let mut errors_file = std::io::BufWriter::new(std::fs::File::create(&errors_tmp).map_err(|e| io(&errors_tmp, e))?);
        writeln!(errors_file, "row,line,reason").map_err(|e| io(&errors_tmp, e))?;
        let (mut listed, mut failed, mut columns) = (Vec::new(), 0u64, Vec::new());
        for i in 0..m.chunks {
            let p = part_path(dir, i);
            let file = std::fs::File::open(&p).map_err(|e| io(&p, e))?;
            let mut df = ParquetReader::new(file).finish().map_err(|e| io(&p, e))?;
            if !converts.is_empty() {
                df = df.lazy().with_columns(converts.clone()).collect().map_err(|e| internal("typing the copied columns", e))?;
            }
            df.rechunk_mut();
            let w = match &mut writer {
                Some(w) => w,
                None => {
                    columns = df.get_column_names().iter().map(|n| n.to_string()).collect();
                    let file = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
                    writer.insert(match format {
                        BatchFormat::Parquet => Writer::Parquet(Box::new(
                            ParquetWriter::new(file)
                                .with_compression(ParquetCompression::Lz4Raw)
                                .batched(df.schema())
                                .map_err(|e| io(&tmp, e))?,
                        )),
                        BatchFormat::Csv => {
                            Writer::Csv(CsvWriter::new(file).include_header(true).batched(df.schema()).map_err(|e| io(&tmp, e))?)
                        }
                    })
                }
            };
            match w {
                Writer::Parquet(w) => w.write_batch(&df),
                Writer::Csv(w) => w.write_batch(&df),
            }
            .map_err(|e| io(&tmp, e))?;
            let e = errors_part(dir, i);
            let rows: Vec<RowError> = serde_json::from_slice(&std::fs::read(&e).map_err(|err| io(&e, err))?).map_err(|err| io(&e, err))?;
            for r in rows {
                let line = r.line.map(|l| l.to_string()).unwrap_or_default();
                writeln!(errors_file, "{},{line},\"{}\"", r.row, r.reason.replace('"', "\"\"")).map_err(|err| io(&errors_tmp, err))?;
                failed += 1;
                if listed.len() < LISTED_ERRORS {
                    listed.push(r);
                }
            }
        }
        match writer {
            Some(Writer::Parquet(w)) => {
                w.finish().map_err(|e| io(&tmp, e))?;
            }
            Some(Writer::Csv(mut w)) => w.finish().map_err(|e| io(&tmp, e))?,
            None => {
                return Err(ApiError::new(ErrorCode::EmptyFile, "the input has no rows to predict"));
            }
        }
        errors_file.flush().map_err(|e| io(&errors_tmp, e))?;
        drop(errors_file);
        std::fs::rename(&tmp, out).map_err(|e| io(out, e))?;
        let errors_file = if failed > 0 {
            std::fs::rename(&errors_tmp, &errors_out).map_err(|e| io(&errors_out, e))?;
            Some(errors_out.clone())
        } else {
            // No failed row: no errors file, and none left from an earlier run.
            let _ = std::fs::remove_file(&errors_tmp);
            let _ = std::fs::remove_file(&errors_out);
            None
        };
        Ok(Assembled { columns, listed, errors_file })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&errors_tmp);
    }
    result
}
