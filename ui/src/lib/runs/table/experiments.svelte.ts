import { backend } from '../../backend';
import { app } from '../../state/app.svelte';
import type { ApiError, Experiment } from '../../types.gen';

/** Counting is one search per experiment: past this many experiments, counts are not shown. */
const MAX_COUNTED = 60;

/**
 * The open project's experiments, shared by the sidebar, the runs view and the train dialog, with how
 * many runs each holds. Reloaded after a training starts (it may have created an experiment).
 */
class ExperimentsState {
  pid = $state<string | null>(null);
  list = $state.raw<Experiment[] | null>(null);
  /** Active runs per experiment id; missing while counting (or when there are too many experiments). */
  counts = $state.raw<Record<string, number>>({});
  error = $state.raw<ApiError | null>(null);
  private loading: Promise<void> | null = null;
  private loadingPid: string | null = null;

  /** Loads the project's experiments; again only when `force` (or for another project). */
  load(pid: string, force = false): Promise<void> {
    if (!force && this.pid === pid && (this.list || this.loading)) return this.loading ?? Promise.resolve();
    if (this.pid !== pid) {
      this.list = null;
      this.counts = {};
    }
    this.pid = pid;
    this.loadingPid = pid;
    const p = this.fetch(pid).finally(() => {
      if (this.loading === p) this.loading = null;
    });
    this.loading = p;
    return p;
  }

  private async fetch(pid: string): Promise<void> {
    try {
      const page = await backend.experiments(pid);
      if (this.loadingPid !== pid) return;
      this.list = [...page.experiments].sort((a, b) => (a.experiment_id === '0' ? -1 : b.experiment_id === '0' ? 1 : a.name.localeCompare(b.name)));
      this.error = null;
      await this.count(pid, this.list);
    } catch (e) {
      if (this.loadingPid === pid) this.error = app.noteError(e);
    }
  }

  /** Runs per experiment: a one-run search each, which answers with the total. */
  private async count(pid: string, list: Experiment[]): Promise<void> {
    if (list.length > MAX_COUNTED) return;
    const pairs = await Promise.all(
      list.map(async (e) => {
        try {
          const page = await backend.searchRuns(pid, { experiment_ids: [e.experiment_id], max_results: 1 });
          return [e.experiment_id, page.total] as const;
        } catch {
          // A count is a nicety: the experiment is listed without one.
          return null;
        }
      }),
    );
    if (this.loadingPid !== pid) return;
    this.counts = Object.fromEntries(pairs.filter((p) => p !== null));
  }

  byId(id: string): Experiment | undefined {
    return this.list?.find((e) => e.experiment_id === id);
  }

  get total(): number | undefined {
    if (!this.list) return undefined;
    let n = 0;
    for (const e of this.list) {
      const c = this.counts[e.experiment_id];
      if (c === undefined) return undefined;
      n += c;
    }
    return n;
  }
}

export const experiments = new ExperimentsState();
