//! Creating, opening and finding projects.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cairn_store::Project;
use cairn_types::{ApiError, ErrorCode, ProjectInfo, RecentProject};

use crate::{Studio, lock};

/// Expands `~` so paths typed by people work.
pub(crate) fn expand(path: &str) -> PathBuf {
    let path = path.trim();
    if let Some(rest) = path.strip_prefix("~/").or(if path == "~" { Some("") } else { None }) {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    PathBuf::from(path)
}

impl Studio {
    pub fn recent_projects(&self) -> Vec<RecentProject> {
        self.recent.list()
    }

    fn register(&self, project: Project) -> ProjectInfo {
        let info = project.info();
        self.recent.touch(&info.id, &info.name, &info.path, self.now());
        let project = Arc::new(project);
        let fresh = lock(&self.projects).insert(info.id.clone(), project.clone()).is_none();
        if fresh {
            self.recover_jobs(&project);
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
            ApiError::new(ErrorCode::ProjectNotFound, format!("no open project has id `{id}`"))
                .with_hint("open the project's folder again")
        })?;
        let project = Project::open(Path::new(&recent.path))?;
        if project.id() != id {
            return Err(ApiError::new(ErrorCode::ProjectNotFound, format!("project `{id}` has moved"))
                .with_hint("open the project's folder again"));
        }
        let p = Arc::new(project);
        lock(&self.projects).insert(id.to_string(), p.clone());
        self.recover_jobs(&p);
        Ok(p)
    }

    pub fn project_info(&self, id: &str) -> Result<ProjectInfo, ApiError> {
        Ok(self.project(id)?.info())
    }
}
