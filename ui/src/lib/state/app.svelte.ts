import { tick } from 'svelte';
import { backend, hasCode, toApiError } from '../backend';
import type { ApiError, Dataset, ProjectInfo, ServerInfo } from '../types.gen';

/** What the import dialog starts from: a path typed or dropped on the desktop, or a file the browser holds. */
export type ImportSeed = { path?: string; file?: File };

/** Session-wide state: the server, the open project and its datasets, and the open import dialog. */
class AppState {
  info = $state.raw<ServerInfo | null>(null);
  infoError = $state.raw<ApiError | null>(null);
  unauthorized = $state(!backend.hasToken());
  /** Set once, when the first screen shows its data (the moment `/api/ready` is sent). */
  ready = $state(false);

  project = $state.raw<ProjectInfo | null>(null);
  datasets = $state.raw<Dataset[] | null>(null);
  projectError = $state.raw<ApiError | null>(null);
  private loadingPid: string | null = null;

  importSeed = $state.raw<ImportSeed | null>(null);
  /** A desktop menu asked to open or create a project: the welcome screen acts on it once. */
  intent = $state<'open' | 'new' | null>(null);

  /** Any call that answers 401 switches the whole app to the "open the link" screen. */
  noteError(e: unknown): ApiError {
    if (hasCode(e, 'UNAUTHORIZED')) this.unauthorized = true;
    return toApiError(e);
  }

  async loadInfo(): Promise<ServerInfo | null> {
    try {
      this.info = await backend.info();
      this.infoError = null;
    } catch (e) {
      this.infoError = this.noteError(e);
    }
    return this.info;
  }

  async markReady(): Promise<void> {
    if (this.ready) return;
    this.ready = true;
    await tick();
    try {
      await backend.ready();
    } catch {
      // Start-up timing is a diagnostic; the app works without it.
    }
  }

  async loadProject(pid: string): Promise<void> {
    if (this.project?.id === pid && this.datasets) return;
    this.loadingPid = pid;
    this.projectError = null;
    if (this.project?.id !== pid) {
      this.project = null;
      this.datasets = null;
    }
    try {
      const [p, ds] = await this.fetchProject(pid);
      if (this.loadingPid !== pid) return;
      this.project = p;
      this.datasets = ds;
      void this.markReady();
    } catch (e) {
      if (this.loadingPid !== pid) return;
      this.projectError = this.noteError(e);
    }
  }

  /**
   * A restarted server knows no open projects, so a reloaded tab would ask for an unknown id: the project is
   * then reopened from its path in the recent list, once.
   */
  private async fetchProject(pid: string): Promise<[ProjectInfo, Dataset[]]> {
    try {
      return await Promise.all([backend.project(pid), backend.datasets(pid)]);
    } catch (e) {
      if (!hasCode(e, 'PROJECT_NOT_FOUND')) throw e;
      const known = (await backend.recentProjects()).find((r) => r.id === pid && r.exists);
      if (!known) throw e;
      const p = await backend.openProject(known.path);
      return [p, await backend.datasets(p.id)];
    }
  }

  async refreshDatasets(): Promise<void> {
    const pid = this.project?.id;
    if (!pid) return;
    try {
      const ds = await backend.datasets(pid);
      if (this.project?.id === pid) this.datasets = ds;
    } catch (e) {
      this.noteError(e);
    }
  }

  /** Puts a dataset the server just created or deleted into the list without waiting for a reload. */
  upsertDataset(d: Dataset): void {
    const list = this.datasets ?? [];
    const i = list.findIndex((x) => x.id === d.id);
    this.datasets = i < 0 ? [...list, d] : list.map((x) => (x.id === d.id ? d : x));
  }

  removeDataset(id: string): void {
    this.datasets = (this.datasets ?? []).filter((x) => x.id !== id);
  }

  closeProject(): void {
    this.project = null;
    this.datasets = null;
    this.projectError = null;
    this.loadingPid = null;
  }

  canImport(): boolean {
    return !!this.project && !this.project.read_only;
  }

  /** A path dropped on the desktop window while the import dialog is open: the dialog takes it up. */
  droppedPath = $state<string | null>(null);

  openImport(seed: ImportSeed = {}): void {
    if (!this.canImport()) return;
    if (this.importSeed) {
      if (seed.path) this.droppedPath = seed.path;
      return;
    }
    this.importSeed = seed;
  }

  closeImport(): void {
    this.importSeed = null;
    this.droppedPath = null;
  }
}

export const app = new AppState();
