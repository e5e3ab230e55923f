// A run's place among MLflow's nested runs: its parent (for the header's link) and its children (a sweep's
// trials), read once when the run page opens and again when the run ends.
import { backend } from '../../backend';
import { app } from '../../state/app.svelte';
import type { Run } from '../../types.gen';
import { childrenFilter, parentRunId } from './mlflowFacts';

export class Family {
  parent = $state.raw<Run | null>(null);
  /** The parent's id when the run has one, even if the parent cannot be read (deleted). */
  parentId = $state<string | undefined>(undefined);
  children = $state.raw<Run[]>([]);
  /** Children in all, when there are more than were read. */
  total = $state(0);

  constructor(
    readonly pid: string,
    readonly rid: string,
  ) {}

  async load(run: Run, signal: AbortSignal): Promise<void> {
    const pidOf = parentRunId(run);
    this.parentId = pidOf;
    const parent = pidOf
      ? backend.run(this.pid, pidOf, signal).catch(() => null)
      : Promise.resolve(null);
    const kids = backend
      .searchRuns(this.pid, { experiment_ids: [run.info.experiment_id], filter: childrenFilter(this.rid), order_by: ['attributes.start_time ASC'], max_results: 500 }, signal)
      .catch((e: unknown) => {
        if (!signal.aborted) app.noteError(e);
        return null;
      });
    const [p, k] = await Promise.all([parent, kids]);
    if (signal.aborted) return;
    this.parent = p;
    this.children = k?.runs ?? [];
    this.total = k?.total ?? 0;
  }
}
