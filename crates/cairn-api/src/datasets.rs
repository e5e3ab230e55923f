//! Importing, listing, paging and profiling datasets.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn_data::Observer;
use cairn_store::{Project, cache_write};
use cairn_types::{
    ApiError, Dataset, DatasetSource, DatasetVersion, ErrorCode, ImportOptions, ImportPreview, ImportRequest, Page, Profile, SortOrder,
    TaskStarted,
};

use crate::projects::expand;
use crate::tasks::TaskHandle;
use crate::{Studio, new_id};

/// Bumped when the way files are read changes, so stored copies and profiles are rebuilt.
const READER_VERSION: &str = "cairn-reader-2";
/// The most rows one page request may ask for.
const PAGE_MAX: u64 = 1000;

/// Called with a phase, the work done and the total (0 when unknown).
pub type OnProgress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// Forwards progress from the data layer to a task (or to nothing, for the CLI).
pub struct ImportObserver<'a> {
    pub task: Option<&'a TaskHandle>,
    pub on_progress: Option<OnProgress<'a>>,
}

impl Observer for ImportObserver<'_> {
    fn progress(&self, phase: &str, done: u64, total: u64, unit: &str) {
        if let Some(t) = self.task {
            t.progress(phase, done, total, unit);
        }
        if let Some(f) = self.on_progress {
            f(phase, done, total);
        }
    }
    fn preview(&self, page: Page) {
        if let Some(t) = self.task {
            t.preview(page);
        }
    }
    fn cancelled(&self) -> bool {
        self.task.is_some_and(|t| t.is_cancelled())
    }
}

/// The dataset's working copy (Parquet), named by version.
pub(crate) fn data_path(project: &Project, version: &str) -> Result<PathBuf, ApiError> {
    Ok(project.artifacts("datasets")?.join(format!("{version}.parquet")))
}

fn profile_path(project: &Project, version: &str) -> Result<PathBuf, ApiError> {
    Ok(project.artifacts("profiles")?.join(format!("{version}.json")))
}

/// Resolves a user's path: `~` expanded, relative paths taken from the project folder.
fn resolve(project: &Project, path: &str) -> Result<PathBuf, ApiError> {
    if path.trim().is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidInput, "no file was given: the path is empty")
            .with_hint("type or choose the path of a CSV, Parquet or JSON file"));
    }
    let p = expand(path);
    Ok(if p.is_absolute() { p } else { project.root().join(p) })
}

fn check_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::new(ErrorCode::InvalidInput, format!("{name:?} is not a usable dataset name"))
            .with_hint("use 1 to 200 visible characters"));
    }
    Ok(name.to_string())
}

impl Studio {
    pub fn list_datasets(&self, pid: &str) -> Result<Vec<Dataset>, ApiError> {
        Ok(self.project(pid)?.list_datasets()?)
    }

    pub fn dataset(&self, pid: &str, id_or_name: &str) -> Result<Dataset, ApiError> {
        Ok(self.project(pid)?.get_dataset(id_or_name)?)
    }

    /// The first name free in the project, starting from `base`: `base`, `base-2`, `base-3` …
    pub(crate) fn free_name(&self, project: &Project, base: &str) -> Result<String, ApiError> {
        let mut name = base.to_string();
        let mut k = 2;
        while project.dataset_name_taken(&name)? {
            name = format!("{base}-{k}");
            k += 1;
        }
        Ok(name)
    }

    /// Sniffs a file for the import dialog.
    pub fn preview_import(&self, pid: &str, req: &ImportRequest) -> Result<ImportPreview, ApiError> {
        let project = self.project(pid)?;
        let path = resolve(&project, &req.path)?;
        let mut preview = cairn_data::preview_file(&path, &req.options).map_err(|e| upload_named(&project, &path, e.into()))?;
        preview.suggested_name = self.free_name(&project, &preview.suggested_name)?;
        Ok(preview)
    }

    /// Starts an import as a task.
    pub fn start_import(&self, pid: &str, req: ImportRequest) -> Result<TaskStarted, ApiError> {
        let project = self.project(pid)?;
        let path = resolve(&project, &req.path)?;
        let name = self.dataset_name(&project, &path, &req.options)?;
        let title = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let frames = self.frames.clone();
        let clock = self.clock.clone();
        let task_id = self.tasks.spawn("import", &title, self.now(), self.clock.clone(), move |task| {
            let obs = ImportObserver { task: Some(task), on_progress: None };
            let ds = import_as(&project, &path, &name, &req.options, &obs, &frames, clock(), None)
                .map_err(|e| upload_named(&project, &path, e))?;
            serde_json::to_value(ds).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
        });
        Ok(TaskStarted { task_id })
    }

    /// Imports without a task, reporting progress to `obs` (the CLI).
    pub fn import_now(&self, pid: &str, req: &ImportRequest, obs: &ImportObserver<'_>) -> Result<Dataset, ApiError> {
        let project = self.project(pid)?;
        let path = resolve(&project, &req.path)?;
        let name = self.dataset_name(&project, &path, &req.options)?;
        import_as(&project, &path, &name, &req.options, obs, &self.frames, self.now(), None)
    }

    /// The dataset's name: the user's, else the file's stem. Checked before any work, so a clash fails fast.
    fn dataset_name(&self, project: &Project, path: &Path, opts: &ImportOptions) -> Result<String, ApiError> {
        project.ensure_writable("a new dataset")?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "data".into());
        let name = check_name(opts.name.as_deref().unwrap_or(&stem))?;
        if project.dataset_name_taken(&name)? {
            return Err(cairn_store::StoreError::DatasetExists(name).into());
        }
        Ok(name)
    }

    pub fn delete_dataset(&self, pid: &str, id: &str) -> Result<Dataset, ApiError> {
        let project = self.project(pid)?;
        let ds = project.delete_dataset(id)?;
        // Another dataset may share this version (the same file imported twice); keep its files then.
        let shared = project.list_datasets()?.iter().any(|d| d.version == ds.version);
        if !shared {
            self.frames.wait_stored(Some(&ds.version));
            self.frames.forget(&ds.version);
            let _ = std::fs::remove_file(data_path(&project, &ds.version)?);
            let _ = std::fs::remove_file(profile_path(&project, &ds.version)?);
        }
        Ok(ds)
    }

    pub(crate) fn frame(&self, project: &Project, ds: &Dataset) -> Result<Arc<cairn_data::DataFrame>, ApiError> {
        let path = data_path(project, &ds.version)?;
        if !path.exists() {
            self.frames.wait_stored(Some(&ds.version));
        }
        match self.frames.get(&ds.version, &path) {
            Err(cairn_data::DataError::NotFound(_)) => self.rebuild(project, ds, path),
            other => Ok(other?),
        }
    }

    /// Reads a dataset's source again when its stored copy is gone (a crash before it was written, or a
    /// cleaned artifacts folder). The source must still have the digest recorded at import.
    fn rebuild(&self, project: &Project, ds: &Dataset, path: PathBuf) -> Result<Arc<cairn_data::DataFrame>, ApiError> {
        tracing::info!("rebuilding the stored copy of `{}` from {}", ds.name, ds.source.path);
        let frame = Arc::new(read_source(ds)?);
        self.frames.insert(&ds.version, frame.clone());
        if !project.is_read_only() {
            self.frames.store_behind(&ds.version, frame.clone(), path);
        }
        Ok(frame)
    }

    /// Waits for every background write; call before the process exits.
    pub fn flush(&self) {
        self.frames.wait_stored(None);
    }

    /// Every version of a dataset, newest first, with the flow run that made each and whether its rows
    /// can still be read.
    pub fn dataset_versions(&self, pid: &str, did: &str) -> Result<Vec<DatasetVersion>, ApiError> {
        let project = self.project(pid)?;
        let current = project.get_dataset(did)?.version;
        let mut out = Vec::new();
        for ds in project.dataset_versions(did)? {
            let stored = data_path(&project, &ds.version)?;
            let available = stored.exists() || Path::new(&ds.source.path).exists();
            let lineage = cairn_flow::Lineage::of_output(Path::new(&ds.source.path)).map(|l| l.to_api());
            out.push(DatasetVersion { current: ds.version == current, lineage, available, dataset: ds });
        }
        Ok(out)
    }

    /// Rows `[offset, offset+limit)` of the current version (or of an earlier `version`), optionally
    /// sorted by a column.
    pub fn rows(
        &self,
        pid: &str,
        did: &str,
        version: Option<&str>,
        offset: u64,
        limit: u64,
        sort: Option<(&str, SortOrder)>,
    ) -> Result<Page, ApiError> {
        let project = self.project(pid)?;
        let ds = match version {
            Some(v) => project.dataset_version(did, v)?,
            None => project.get_dataset(did)?,
        };
        let frame = self.frame(&project, &ds)?;
        let limit = limit.min(PAGE_MAX);
        // Past the last row is an empty page; beyond i64 the data layer would count from the end.
        let offset = offset.min(i64::MAX as u64);
        let index = match sort {
            Some((column, order)) => Some(self.frames.sorted(&ds.version, &frame, column, order)?),
            None => None,
        };
        Ok(cairn_data::take_page(&frame, index.as_deref(), offset, limit)?)
    }

    /// The cached profile, or NOT_COMPUTED.
    pub fn profile(&self, pid: &str, did: &str) -> Result<Profile, ApiError> {
        let project = self.project(pid)?;
        let ds = project.get_dataset(did)?;
        let path = profile_path(&project, &ds.version)?;
        let cached = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<Profile>(&b).ok());
        match cached {
            Some(mut p) => {
                p.dataset_id = ds.id;
                Ok(p)
            }
            None => Err(ApiError::new(ErrorCode::NotComputed, format!("dataset `{}` has no profile yet", ds.name))
                .with_hint("open its Profile tab to compute it")),
        }
    }

    /// Computes (or returns the cached) profile now, without a task.
    pub fn profile_now(&self, pid: &str, did: &str, obs: &dyn Observer) -> Result<Profile, ApiError> {
        if let Ok(p) = self.profile(pid, did) {
            return Ok(p);
        }
        let project = self.project(pid)?;
        let ds = project.get_dataset(did)?;
        let frame = self.frame(&project, &ds)?;
        compute_profile(&project, &ds, &frame, obs)
    }

    /// Computes the profile as a task.
    pub fn start_profile(self: &Arc<Self>, pid: &str, did: &str) -> Result<TaskStarted, ApiError> {
        let project = self.project(pid)?;
        let ds = project.get_dataset(did)?;
        let studio = self.clone();
        let (pid, did) = (pid.to_string(), ds.id.clone());
        let task_id = self.tasks.spawn("profile", &ds.name, self.now(), self.clock.clone(), move |task| {
            let obs = ImportObserver { task: Some(task), on_progress: None };
            let p = studio.profile_now(&pid, &did, &obs)?;
            serde_json::to_value(p).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
        });
        Ok(TaskStarted { task_id })
    }

    /// Where an uploaded file is kept until it is imported: a folder of its own under `.cairn/uploads`.
    /// A successful import moves it into the project's data folder; an upload the import refuses, or that
    /// the user gives up on, never reaches it (`discard_upload`, and a sweep of day-old ones here).
    pub fn upload_target(&self, pid: &str, file_name: &str) -> Result<PathBuf, ApiError> {
        let project = self.project(pid)?;
        project.ensure_writable("an uploaded file")?;
        let clean: String = Path::new(file_name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
            .collect();
        if clean.is_empty() || clean.starts_with('.') {
            return Err(ApiError::new(ErrorCode::InvalidInput, format!("{file_name:?} is not a usable file name")));
        }
        let staging = uploads_dir(&project);
        sweep_uploads(&staging, std::time::Duration::from_secs(24 * 3600));
        let dir = staging.join(new_id("up"));
        std::fs::create_dir_all(&dir).map_err(|e| cairn_store::StoreError::io(&dir, e))?;
        Ok(dir.join(clean))
    }

    /// Deletes an upload that was not imported (the import dialog closed, or another file chosen). Only
    /// a file still waiting in `.cairn/uploads` can be discarded; an imported one is in the data folder.
    pub fn discard_upload(&self, pid: &str, path: &str) -> Result<(), ApiError> {
        let project = self.project(pid)?;
        match staged(&project, Path::new(path)) {
            Some(dir) => {
                std::fs::remove_dir_all(&dir).map_err(|e| cairn_store::StoreError::io(&dir, e))?;
                Ok(())
            }
            None if !Path::new(path).exists() => Ok(()),
            None => Err(ApiError::new(ErrorCode::InvalidInput, format!("{path} is not an upload waiting to be imported"))
                .with_hint("only a file uploaded in the import dialog, and not imported yet, can be discarded")),
        }
    }
}

/// Uploads waiting to be imported, each in a folder of its own.
fn uploads_dir(project: &Project) -> PathBuf {
    project.root().join(".cairn/uploads")
}

/// The staging folder of `path` when it is an upload waiting to be imported.
fn staged(project: &Project, path: &Path) -> Option<PathBuf> {
    let root = uploads_dir(project).canonicalize().ok()?;
    let dir = path.canonicalize().ok()?.parent()?.to_path_buf();
    (dir.parent() == Some(root.as_path())).then_some(dir)
}

/// An error about an upload names it as the user knows it (its file name), not by where it waits.
fn upload_named(project: &Project, path: &Path, mut e: ApiError) -> ApiError {
    if staged(project, path).is_some() {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        e.message = e.message.replace(&path.to_string_lossy().into_owned(), &format!("the uploaded file {name}"));
    }
    e
}

/// Removes uploads older than `age`: ones whose dialog was closed by a crash or a closed browser tab.
fn sweep_uploads(staging: &Path, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(staging) else { return };
    for e in entries.flatten() {
        let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|d| d > age);
        if old {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Moves an imported upload from its staging folder into the project's data folder, under a name not
/// yet taken there. Returns where it now is; other files are left where they are.
fn settle_upload(project: &Project, path: &Path) -> Result<PathBuf, ApiError> {
    let Some(dir) = staged(project, path) else { return Ok(path.to_path_buf()) };
    let data = project.data_dir();
    std::fs::create_dir_all(&data).map_err(|e| cairn_store::StoreError::io(&data, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "upload".into());
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (name.clone(), String::new()),
    };
    let mut target = data.join(&name);
    let mut k = 2;
    while target.exists() {
        target = data.join(format!("{stem}-{k}{ext}"));
        k += 1;
    }
    std::fs::rename(path, &target).map_err(|e| cairn_store::StoreError::io(&target, e))?;
    let _ = std::fs::remove_dir(&dir);
    Ok(target)
}

fn compute_profile(project: &Project, ds: &Dataset, frame: &cairn_data::DataFrame, obs: &dyn Observer) -> Result<Profile, ApiError> {
    let profile = cairn_data::profile::profile(frame, &ds.id, &ds.version, obs)?;
    save_profile(project, &profile);
    Ok(profile)
}

/// Caches a profile by the dataset's version. A read-only project still shows profiles; it just cannot
/// keep them, and a failed cache write only costs a recomputation later.
fn save_profile(project: &Project, profile: &Profile) {
    if project.is_read_only() {
        return;
    }
    let Ok(path) = profile_path(project, &profile.version) else { return };
    if let Ok(bytes) = serde_json::to_vec(profile)
        && let Err(e) = cache_write(&path, &bytes)
    {
        tracing::warn!("cannot cache the profile at {}: {e}", path.display());
    }
}

/// Reads the file, stores its working copy and registers it. Either all of that happens or none of it:
/// the stored copy is removed again if registering fails. With `previous`, the data becomes that dataset's new version (same id and name; the
/// older version's stored copy stays, so runs trained on it still find their data).
#[allow(clippy::too_many_arguments)]
pub(crate) fn import_as(
    project: &Project,
    path: &Path,
    name: &str,
    opts: &ImportOptions,
    obs: &dyn Observer,
    frames: &Arc<crate::frames::Frames>,
    now: cairn_types::Millis,
    previous: Option<&Dataset>,
) -> Result<Dataset, ApiError> {
    let started = std::time::Instant::now();
    let imported = cairn_data::read_file(path, opts, obs)?;
    if obs.cancelled() {
        return Err(ApiError::new(ErrorCode::Cancelled, "cancelled"));
    }
    // An upload joins the data folder only now that it has been read: a refused one never does.
    let staged_at = staged(project, path).map(|_| path.to_path_buf());
    let path = &settle_upload(project, path)?;
    let mut options = imported.options.clone();
    options.name = Some(name.to_string());
    let mut key = blake3::Hasher::new();
    key.update(READER_VERSION.as_bytes());
    key.update(imported.digest.as_bytes());
    let mut read_opts = options.clone();
    read_opts.name = None;
    key.update(serde_json::to_string(&read_opts).unwrap_or_default().as_bytes());
    let version = key.finalize().to_hex()[..32].to_string();

    let stored = data_path(project, &version)?;
    let frame = Arc::new(imported.frame);
    let id = previous.map(|p| p.id.clone()).unwrap_or_else(|| new_id("ds"));
    obs.progress("profiling", 0, frame.width() as u64, "columns");
    let profile = cairn_data::profile::profile(&frame, &id, &version, obs)?;
    let ds = Dataset {
        id,
        name: name.to_string(),
        source: DatasetSource {
            path: path.canonicalize().unwrap_or(path.to_path_buf()).to_string_lossy().into_owned(),
            format: imported.format,
            bytes: imported.bytes,
            options,
        },
        rows: frame.height() as u64,
        columns: imported.columns,
        digest: imported.digest,
        version: version.clone(),
        created_at: now,
        import_ms: started.elapsed().as_millis() as u64,
    };
    let registered = match previous {
        Some(_) => project.replace_dataset_version(&ds),
        None => project.insert_dataset(&ds),
    };
    if let Err(e) = registered {
        // Nothing half-done: an upload goes back to wait for another try.
        if let Some(back) = staged_at {
            let _ = std::fs::rename(path, back);
        }
        return Err(e.into());
    }
    save_profile(project, &profile);
    frames.insert(&version, frame.clone());
    // The stored copy is written after the import returns: the data is registered (its source and digest
    // recorded), profiled and in memory, and a missing copy is rebuilt from the source.
    if !stored.exists() {
        frames.store_behind(&version, frame, stored);
    }
    Ok(ds)
}

/// Reads a dataset's source file again, as it was imported, refusing a source whose bytes changed.
fn read_source(ds: &Dataset) -> Result<cairn_data::DataFrame, ApiError> {
    let changed = || {
        ApiError::new(
            ErrorCode::SourceChanged,
            format!(
                "the stored copy of dataset `{}` is missing, and its source {} is gone or has changed since it was imported",
                ds.name, ds.source.path
            ),
        )
        .with_hint("import the file again as a new dataset")
    };
    let obs = ImportObserver { task: None, on_progress: None };
    let read = cairn_data::read_file(Path::new(&ds.source.path), &ds.source.options, &obs).map_err(|e| match e {
        cairn_data::DataError::NotFound(_) => changed(),
        other => other.into(),
    })?;
    if read.digest != ds.digest {
        return Err(changed());
    }
    Ok(read.frame)
}

/// A dataset's frame without the studio's cache (a worker process): its stored copy, else its source.
pub(crate) fn load_frame(project: &Project, ds: &Dataset) -> Result<cairn_data::DataFrame, ApiError> {
    match cairn_data::read_parquet(&data_path(project, &ds.version)?) {
        Ok(df) => Ok(df),
        Err(cairn_data::DataError::NotFound(_)) => read_source(ds),
        Err(e) => Err(e.into()),
    }
}
