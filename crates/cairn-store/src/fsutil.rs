use std::io::Write;
use std::path::Path;

/// Writes a file so that readers see either the old or the new content, never half of it:
/// write a temporary sibling, flush it to disk, then rename over the target.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, true)
}

/// Like [`atomic_write`] without waiting for the disk: for caches, which are recomputed if lost.
pub fn cache_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_renamed(path, bytes, false)
}

fn write_renamed(path: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// True when the folder's permission bits forbid writing. Checked by mode rather than by trying, because
/// a process running as root may write anyway, and Cairn should honour a folder someone made read-only.
pub fn folder_is_read_only(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(m) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                m.permissions().mode() & 0o222 == 0
            }
            #[cfg(not(unix))]
            {
                m.permissions().readonly()
            }
        }
        Err(_) => false,
    }
}
