// A search's leaderboard as the run page shows it: read every POLL_MS while the search runs (its job
// rewrites it after every trial), with the trials still running from their nested runs; read once more
// when it ends, for the final leaderboard with the ensemble.
import { backend, hasCode } from '../backend';
import { app } from '../state/app.svelte';
import { childrenFilter } from '../runs/run/mlflowFacts';
import type { ApiError, AutomlResult, Run } from '../types.gen';

const POLL_MS = 1000;
/** Reads after the job ended while the leaderboard still says it runs. */
const SETTLE_READS = 10;

export class SearchState {
  result = $state.raw<AutomlResult | null>(null);
  /** The trials' nested runs: those still running while the search runs, every one once it ended. */
  children = $state.raw<Run[]>([]);
  /** True until the first trial has ended (the leaderboard does not exist before). */
  waiting = $state(true);
  error = $state.raw<ApiError | null>(null);

  private live = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busy = false;
  /** A read asked for while one was under way: done right after it. */
  private again = false;
  private stopped = false;
  private settling = 0;
  private readonly abort = new AbortController();

  constructor(
    readonly pid: string,
    readonly rid: string,
    readonly experimentId: string,
  ) {}

  /** Follows the search while `live`; when it stops being live, reads the final leaderboard once. */
  setLive(live: boolean): void {
    const was = this.live;
    this.live = live;
    if (live && was) return;
    clearTimeout(this.timer);
    if (this.busy) this.again = true;
    else void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
  }

  private async tick(): Promise<void> {
    const signal = this.abort.signal;
    this.busy = true;
    const live = this.live;
    try {
      const [result, running] = await Promise.all([
        backend.automlResult(this.pid, this.rid, signal).catch((e: unknown) => {
          // No leaderboard until the first trial ends: not an error while the search runs.
          if (hasCode(e, 'FILE_NOT_FOUND')) return null;
          throw e;
        }),
        // While it runs, the trials not on the leaderboard yet; at the end, every one (a trial stopped with the
        // search may never reach the leaderboard).
        backend
          .searchRuns(this.pid, { experiment_ids: [this.experimentId], filter: childrenFilter(this.rid) + (live ? ` and attributes.status = 'RUNNING'` : ''), max_results: 1000 }, signal)
          .then((p) => p.runs),
      ]);
      if (this.stopped) return;
      if (result) this.result = result;
      this.waiting = !result;
      this.children = running;
      this.error = null;
    } catch (e) {
      if (this.stopped) return;
      this.error = app.noteError(e);
    } finally {
      this.busy = false;
    }
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      void this.tick();
    } else if (this.live) {
      this.timer = setTimeout(() => void this.tick(), POLL_MS);
    } else if (this.result?.stopped === 'running' && this.settling++ < SETTLE_READS) {
      // The job is over but its last leaderboard may still be on its way (a cancel ends the job's record
      // as the search winds down): read again for a while.
      this.timer = setTimeout(() => void this.tick(), POLL_MS);
    }
  }
}
