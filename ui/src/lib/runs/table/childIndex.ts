// Which runs of the table have children, and which: one search for every child run of the experiments
// (MLflow's nested runs), grouped by parent. Past `limit` children the index is partial, and a parent's
// children are searched for when it is opened.
import type { Run, RunsPage } from '../../types.gen';
import { childrenFilter, NESTED_FILTER, parentRunId, parentsFilter } from '../run/mlflowFacts';

/** Past this many parents the check for missing ones is skipped (one filter with every id would be long). */
const MAX_PARENT_CHECK = 200;
import { groupByParent } from './nesting';

export type ChildFetcher = (filter: string, limit: number, signal: AbortSignal) => Promise<RunsPage>;

export class ChildIndex {
  private byParent = new Map<string, Run[]>();
  private asked = new Set<string>();
  /** Parents whose children were searched for alone (exact even when the index is partial). */
  private searched = new Map<string, Run[]>();
  private readonly abort = new AbortController();
  /** True once the first search answered with every child run. */
  complete = false;
  loaded = false;
  /** Child runs in the experiments (all of them, even past the limit). */
  total = 0;
  lastError: unknown = undefined;
  /** Children whose parent is not among these experiments' runs (deleted, or elsewhere): nesting hides them. */
  orphans = 0;

  constructor(
    private readonly fetcher: ChildFetcher,
    private readonly onChange: () => void,
    private readonly limit = 1000,
  ) {}

  /**
   * The children of a run; undefined while unknown. A partial index (children sorted by time, cut at the
   * limit) may hold only some of a parent's children, so there only a parent opened (searched alone) is known.
   */
  children(rid: string): Run[] | undefined {
    const own = this.searched.get(rid);
    if (own) return own;
    if (!this.complete) return undefined;
    return this.byParent.get(rid) ?? [];
  }

  async load(): Promise<void> {
    try {
      const page = await this.fetcher(NESTED_FILTER, this.limit, this.abort.signal);
      this.byParent = groupByParent(page.runs, parentRunId);
      this.total = page.total;
      this.complete = page.runs.length >= page.total;
      this.loaded = true;
      this.lastError = undefined;
      this.orphans = await this.countOrphans();
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.lastError = e;
    }
    this.onChange();
  }

  /** One search for the parents by id; those it does not find left their children without a row. */
  private async countOrphans(): Promise<number> {
    const parents = [...this.byParent.keys()];
    if (!parents.length || parents.length > MAX_PARENT_CHECK) return 0;
    try {
      const found = await this.fetcher(parentsFilter(parents), parents.length, this.abort.signal);
      const there = new Set(found.runs.map((r) => r.info.run_id));
      return parents.filter((p) => !there.has(p)).reduce((a, p) => a + (this.byParent.get(p)?.length ?? 0), 0);
    } catch {
      // Not knowing only means no warning; the table itself is fine.
      return 0;
    }
  }

  /** Makes sure an opened parent's children are known, searching for them alone if the index is partial. */
  async ensure(rid: string): Promise<void> {
    if (this.complete || this.asked.has(rid)) return;
    this.asked.add(rid);
    try {
      const page = await this.fetcher(childrenFilter(rid), this.limit, this.abort.signal);
      this.searched.set(rid, page.runs);
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
    for (const groups of [this.byParent, this.searched]) {
      const g = p ? groups.get(p) : undefined;
      const k = g?.findIndex((r) => r.info.run_id === run.info.run_id) ?? -1;
      if (g && k >= 0) g[k] = run;
    }
    this.onChange();
  }

  close(): void {
    this.abort.abort();
  }
}
