// Which runs of the table have children, and which: one search for every child run of the experiments
// (MLflow's nested runs), grouped by parent. Past `limit` children the index is partial, and a parent's
// children are searched for when it is opened.
import type { Run, RunsPage } from '../../types.gen';
import { childrenFilter, NESTED_FILTER, parentRunId } from '../run/mlflowFacts';
import { groupByParent } from './nesting';

export type ChildFetcher = (filter: string, limit: number, signal: AbortSignal) => Promise<RunsPage>;

export class ChildIndex {
  private byParent = new Map<string, Run[]>();
  private asked = new Set<string>();
  private readonly abort = new AbortController();
  /** True once the first search answered with every child run. */
  complete = false;
  loaded = false;
  /** Child runs in the experiments (all of them, even past the limit). */
  total = 0;
  lastError: unknown = undefined;

  constructor(
    private readonly fetcher: ChildFetcher,
    private readonly onChange: () => void,
    private readonly limit = 1000,
  ) {}

  /** The children of a run; undefined while unknown (a partial index, before the run was opened). */
  children(rid: string): Run[] | undefined {
    const g = this.byParent.get(rid);
    if (g) return g;
    return this.complete ? [] : undefined;
  }

  async load(): Promise<void> {
    try {
      const page = await this.fetcher(NESTED_FILTER, this.limit, this.abort.signal);
      this.byParent = groupByParent(page.runs, parentRunId);
      this.total = page.total;
      this.complete = page.runs.length >= page.total;
      this.loaded = true;
      this.lastError = undefined;
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.lastError = e;
    }
    this.onChange();
  }

  /** Makes sure an opened parent's children are known, searching for them alone if the index is partial. */
  async ensure(rid: string): Promise<void> {
    if (this.complete || this.byParent.has(rid) || this.asked.has(rid)) return;
    this.asked.add(rid);
    try {
      const page = await this.fetcher(childrenFilter(rid), this.limit, this.abort.signal);
      this.byParent.set(rid, page.runs);
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.asked.delete(rid);
      this.lastError = e;
    }
    this.onChange();
  }

  /** Replaces one child (a tag or note changed). */
  patch(run: Run): void {
    const p = parentRunId(run);
    const g = p ? this.byParent.get(p) : undefined;
    const k = g?.findIndex((r) => r.info.run_id === run.info.run_id) ?? -1;
    if (g && k >= 0) g[k] = run;
    this.onChange();
  }

  close(): void {
    this.abort.abort();
  }
}
