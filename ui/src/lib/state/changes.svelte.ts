import { backend } from '../backend';
import { experiments } from '../runs/table/experiments.svelte';
import type { ProjectChanges } from '../types.gen';
import { app } from './app.svelte';

/**
 * The open project as the server's change stream describes it: its counts, and a version that moves on
 * every commit to it from anywhere (a training job, `cairn train` in a terminal, a Python script logging
 * through `cairn serve`). The sidebar's counts are re-read when they change; screens that list project
 * data (the runs table) re-read it when `version` moves.
 */
class ProjectChangesState {
  pid = $state<string | null>(null);
  counts = $state.raw<ProjectChanges | null>(null);
  /** Moves on each change after the first look (a reconnect's first event included: changes may have been missed). */
  version = $state(0);
  private ctl: AbortController | null = null;

  /** Follows `pid` until the returned function is called (or another project is followed). */
  follow(pid: string): () => void {
    this.stop();
    this.pid = pid;
    this.counts = null;
    const ctl = new AbortController();
    this.ctl = ctl;
    backend.watchProject(pid, (c) => this.apply(pid, c), ctl.signal).catch((e: unknown) => {
      // Without the stream the screens still work; they only stop following other processes' work.
      if (this.ctl === ctl) app.noteError(e);
    });
    return () => {
      if (this.ctl === ctl) this.stop();
    };
  }

  private stop(): void {
    this.ctl?.abort();
    this.ctl = null;
    this.pid = null;
  }

  private apply(pid: string, c: ProjectChanges): void {
    if (this.pid !== pid) return;
    const prev = this.counts;
    this.counts = c;
    if (!prev) return;
    this.version++;
    if (prev.runs !== c.runs || prev.experiments !== c.experiments) void experiments.load(pid, true);
    if (prev.datasets !== c.datasets) void app.refreshDatasets();
  }
}

export const projectChanges = new ProjectChangesState();
