//! A job's working directory as a Ray package: a zip of the folder's contents (no top-level folder), built
//! byte-for-byte the same from the same files (sorted entries, a fixed date), so its content-hash name
//! `_ray_pkg_<sha1>.zip` is stable and an unchanged folder is uploaded once.
//!
//! Small files are stored; files from 1 MiB are deflated (the dashboard refuses request bodies over
//! 100 MiB, and a `cairn` binary is several times that), by the system's `gzip -1 -n`, whose stream is
//! a raw deflate between a fixed header and trailer: fast even in debug builds, and with no header
//! name or time, the same bytes each time. Without `gzip` a file is stored. Unix permissions are kept
//! (Ray restores them when it unpacks), so a binary stays executable.

use std::path::{Path, PathBuf};

use crate::JobError;

/// The largest package the dashboard accepts: its HTTP request limit (`DASHBOARD_CLIENT_MAX_SIZE`,
/// 100 MiB in Ray 2.60), below GCS's own 512 MiB. Larger packages are refused before uploading.
pub const MAX_PACKAGE_BYTES: u64 = 100 * 1024 * 1024;
/// Files are not even read when together they pass this (a zip without ZIP64 holds up to 4 GiB).
const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024 * 1024 - 1;
/// Files from this size are deflated.
const DEFLATE_FROM: usize = 1024 * 1024;

/// Folders never packed: version control, Cairn's own store, caches and virtual environments.
const SKIPPED_DIRS: &[&str] = &[".git", ".cairn", "__pycache__", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache"];

/// A file to put in the package: its name inside the zip, where it is read from, and its mode.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub source: PathBuf,
    pub mode: u32,
}

/// A built package: the zip's bytes and its content-hash name.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Package {
    /// The `gcs://` URI a job's `runtime_env` names it by.
    pub fn uri(&self) -> String {
        format!("gcs://{}", self.name)
    }
}

/// Every file under `dir` (skipping [`SKIPPED_DIRS`] and symlinks), named by its path relative to `dir`.
pub fn entries_of(dir: &Path) -> Result<Vec<Entry>, JobError> {
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<Entry>) -> Result<(), JobError> {
    let files = |source| JobError::Files { path: dir.to_path_buf(), source };
    for item in std::fs::read_dir(dir).map_err(files)? {
        let item = item.map_err(files)?;
        let path = item.path();
        let meta = std::fs::symlink_metadata(&path).map_err(|source| JobError::Files { path: path.clone(), source })?;
        let name = item.file_name().to_string_lossy().into_owned();
        if meta.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(root, &path, out)?;
            }
        } else if meta.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push(Entry { name: rel.join("/"), source: path.clone(), mode: mode_of(&meta) });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn mode_of(_: &std::fs::Metadata) -> u32 {
    0o644
}

/// Builds the zip. The total size is checked against [`MAX_PACKAGE_BYTES`] before any file is read.
pub fn build(mut entries: Vec<Entry>) -> Result<Package, JobError> {
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    entries.dedup_by(|a, b| a.name == b.name);
    let mut total: u64 = 22;
    for e in &entries {
        let len = std::fs::metadata(&e.source).map_err(|source| JobError::Files { path: e.source.clone(), source })?.len();
        total += len + 30 + 46 + 2 * e.name.len() as u64;
    }
    if entries.len() > u16::MAX as usize {
        return Err(JobError::TooManyFiles { files: entries.len(), limit: u16::MAX as usize });
    }
    if total >= MAX_INPUT_BYTES {
        return Err(JobError::PackageTooLarge { bytes: total, limit: MAX_PACKAGE_BYTES });
    }
    let mut zip = Vec::new();
    let mut central = Vec::new();
    for e in &entries {
        let data = std::fs::read(&e.source).map_err(|source| JobError::Files { path: e.source.clone(), source })?;
        let (method, crc, body) = match (data.len() >= DEFLATE_FROM).then(|| deflate(&e.source)).flatten() {
            Some((crc, raw)) => (8u8, crc, raw),
            None => (0u8, crc32fast::hash(&data), data.clone()),
        };
        let offset = zip.len() as u32;
        let name = e.name.as_bytes();
        // Local file header: version 2.0, no flags, stored or deflated, 1980-01-01 00:00 (a fixed date
        // keeps the hash stable).
        zip.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        zip.extend_from_slice(&[20, 0, 0, 0, method, 0, 0, 0, 0x21, 0]);
        for v in [crc, body.len() as u32, data.len() as u32] {
            zip.extend_from_slice(&v.to_le_bytes());
        }
        zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
        zip.extend_from_slice(&0u16.to_le_bytes());
        zip.extend_from_slice(name);
        zip.extend_from_slice(&body);
        if zip.len() as u64 >= MAX_PACKAGE_BYTES {
            return Err(JobError::PackageTooLarge { bytes: zip.len() as u64, limit: MAX_PACKAGE_BYTES });
        }
        // Central directory entry: made by Unix (3), so the mode in the external attributes is honoured.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 3, 20, 0, 0, 0, method, 0, 0, 0, 0x21, 0]);
        for v in [crc, body.len() as u32, data.len() as u32] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&((0o100000 | e.mode) << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let dir_offset = zip.len() as u32;
    zip.extend_from_slice(&central);
    zip.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    zip.extend_from_slice(&[0, 0, 0, 0]);
    zip.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    zip.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    zip.extend_from_slice(&(central.len() as u32).to_le_bytes());
    zip.extend_from_slice(&dir_offset.to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    let sha = sha1_smol::Sha1::from(&zip).digest().to_string();
    Ok(Package { name: format!("_ray_pkg_{sha}.zip"), bytes: zip })
}

/// A file's raw deflate stream and CRC-32 from `gzip -1 -n`, or None when gzip is not there or fails.
fn deflate(path: &Path) -> Option<(u32, Vec<u8>)> {
    let file = std::fs::File::open(path).ok()?;
    let out = std::process::Command::new("gzip").args(["-1", "-n", "-c"]).stdin(file).stderr(std::process::Stdio::null()).output().ok()?;
    let g = out.stdout;
    // Header: 1f 8b, method 8, flags 0 (no name, no extra), then mtime, xfl, os: 10 bytes.
    if !out.status.success() || g.len() < 18 || g[0..4] != [0x1f, 0x8b, 8, 0] {
        return None;
    }
    let n = g.len();
    let crc = u32::from_le_bytes([g[n - 8], g[n - 7], g[n - 6], g[n - 5]]);
    Some((crc, g[10..n - 8].to_vec()))
}
