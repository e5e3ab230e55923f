//! Creating, opening and finding projects.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn_store::{ChangeWatch, Project, TrackingStore};
use cairn_types::{ApiError, ErrorCode, ProjectChanges, ProjectInfo, RecentProject, SearchExperiments, SearchRuns, ViewType};

use crate::{Studio, lock};

/// Expands `~` so paths typed by people work.
pub(crate) fn expand(path: &str) -> PathBuf {
    let path = path.trim();
    if let Some(rest) = path.strip_prefix("~/").or(if path == "~" { Some("") } else { None })
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    PathBuf::from(path)
}

/// One follower of a project's changes (an open screen's event stream): see `Studio::project_changes`.
#[derive(Debug)]
pub struct ProjectWatch {
    pid: String,
    watch: ChangeWatch,
    version: u64,
}

impl Studio {
    /// Starts following a project's changes.
    pub fn watch_project(&self, pid: &str) -> Result<ProjectWatch, ApiError> {
        let project = self.project(pid)?;
        Ok(ProjectWatch { pid: pid.to_string(), watch: ChangeWatch::new(&project), version: 0 })
    }

    /// The project's counts when something was committed to it since the last call (always on the
    /// first), else `None`. Only a commit costs the counting: an idle project costs one PRAGMA a call.
    pub fn project_changes(&self, w: &mut ProjectWatch) -> Result<Option<ProjectChanges>, ApiError> {
        if !w.watch.changed() {
            return Ok(None);
        }
        w.version += 1;
        Ok(Some(ProjectChanges { version: w.version, ..self.project_counts(&w.pid)? }))
    }

    /// How many datasets, experiments, runs and active jobs the project holds (the sidebar's counts).
    pub fn project_counts(&self, pid: &str) -> Result<ProjectChanges, ApiError> {
        let project = self.project(pid)?;
        let mut experiment_ids = Vec::new();
        let mut page_token = None;
        loop {
            let q = SearchExperiments { view_type: ViewType::ActiveOnly, page_token, ..Default::default() };
            let page = project.search_experiments(&q)?;
            experiment_ids.extend(page.experiments.into_iter().map(|e| e.experiment_id));
            page_token = page.next_page_token;
            if page_token.is_none() {
                break;
            }
        }
        let runs = if experiment_ids.is_empty() {
            0
        } else {
            let q = SearchRuns {
                experiment_ids: experiment_ids.clone(),
                filter: String::new(),
                run_view_type: ViewType::ActiveOnly,
                max_results: 1,
                order_by: vec![],
                page_token: None,
            };
            project.search_runs(&q)?.total
        };
        Ok(ProjectChanges {
            version: 0,
            datasets: project.list_datasets()?.len() as u64,
            experiments: experiment_ids.len() as u64,
            runs,
            jobs_active: project.list_jobs(true, u32::MAX)?.len() as u64,
        })
    }

    pub fn recent_projects(&self) -> Vec<RecentProject> {
        self.recent.list()
    }

    /// Takes a project off the recent list and answers it as it was. Its folder is left alone: the
    /// project opens again from its path, and is listed again once opened.
    pub fn forget_recent_project(&self, id: &str) -> Result<RecentProject, ApiError> {
        let removed = self.recent.remove(id).map_err(|e| {
            ApiError::new(ErrorCode::Io, format!("cannot save the recent projects list: {e}"))
                .with_hint("check that your settings folder can be written")
        })?;
        removed.ok_or_else(|| {
            ApiError::new(ErrorCode::ProjectNotFound, format!("no recent project has id `{id}`"))
                .with_hint("reload the list of recent projects")
        })
    }

    fn register(&self, project: Project) -> ProjectInfo {
        let info = project.info();
        self.recent.touch(&info.id, &info.name, &info.path, self.now());
        let project = Arc::new(project);
        let fresh = lock(&self.projects).insert(info.id.clone(), project.clone()).is_none();
        if fresh {
            self.recover_jobs(&project);
            self.recover_endpoints(&project);
        }
        // A server started without a project serves the first one opened (the UI reopens it on reload
        // and the MLflow API logs into it); later openings do not move a script's logging elsewhere.
        let mut initial = lock(&self.initial_project);
        if initial.is_none() {
            *initial = Some(info.id.clone());
        }
        info
    }

    /// Opens the project in `path`. A folder that is not a project answers NOT_A_PROJECT, so the UI can
    /// offer to make it one.
    pub fn open_project(&self, path: &str) -> Result<ProjectInfo, ApiError> {
        let project = Project::open(&expand(path))?;
        Ok(self.register(project))
    }

    /// Makes `path` a project (creating the folder if needed) and opens it.
    pub fn create_project(&self, path: &str, name: Option<&str>) -> Result<ProjectInfo, ApiError> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let project = Project::create(&expand(path), name, self.now())?;
        Ok(self.register(project))
    }

    /// An open project by id; a recent project is reopened on demand (after a server restart, say).
    pub fn project(&self, id: &str) -> Result<Arc<Project>, ApiError> {
        if let Some(p) = lock(&self.projects).get(id) {
            return Ok(p.clone());
        }
        let recent = self.recent.find(id).ok_or_else(|| {
            ApiError::new(ErrorCode::ProjectNotFound, format!("no open project has id `{id}`")).with_hint("open the project's folder again")
        })?;
        let project = Project::open(Path::new(&recent.path))?;
        if project.id() != id {
            return Err(
                ApiError::new(ErrorCode::ProjectNotFound, format!("project `{id}` has moved")).with_hint("open the project's folder again")
            );
        }
        let p = Arc::new(project);
        lock(&self.projects).insert(id.to_string(), p.clone());
        self.recover_jobs(&p);
        self.recover_endpoints(&p);
        Ok(p)
    }

    pub fn project_info(&self, id: &str) -> Result<ProjectInfo, ApiError> {
        Ok(self.project(id)?.info())
    }
}
