import { pagesFor } from '../../grid/virtual';
import type { Run, RunsPage } from '../../types.gen';

/** Runs per request: ~3 screens of rows, ~120 KB of JSON with Cairn's usual metrics and params. */
export const RUN_PAGE_SIZE = 100;

/**
 * The page token that starts at row `offset`. The server's tokens are base64 of exactly `{"offset": N}`,
 * so a virtual table can jump to any page without walking the ones before it.
 */
export function pageToken(offset: number): string | undefined {
  return offset > 0 ? btoa('{"offset": ' + Math.floor(offset) + '}') : undefined;
}

/** One search of the runs table: the experiments, MLflow filter and order_by sent with every page. */
export interface RunsQuery {
  experimentIds: string[];
  filter: string;
  orderBy: string[];
}

export type RunsFetcher = (offset: number, limit: number, signal: AbortSignal) => Promise<RunsPage>;

export interface RunPagesOptions {
  fetch: RunsFetcher;
  pageSize?: number;
  /** Pages kept; the least recently wanted go first (pages on screen are never evicted). */
  capacity?: number;
  /** Requests at once; more wanted pages wait their turn (nearest to the viewport first). */
  maxInFlight?: number;
  onChange: () => void;
}

function isAbortError(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && e.name === 'AbortError';
}

/**
 * The runs of one search, fetched by page as the table scrolls (the grid's PageCache, for runs): a small
 * LRU of pages, a bounded number of requests in flight, requests for pages scrolled past aborted. Unlike
 * dataset rows, runs change while they are on screen (a run finishes, a tag is added), so pages can be
 * re-read in place (`refresh`) and single runs replaced (`patch`) without a flash of empty rows.
 */
export class RunPages {
  readonly pageSize: number;
  private readonly fetcher: RunsFetcher;
  private readonly capacity: number;
  private readonly maxInFlight: number;
  private readonly onChange: () => void;

  private pages = new Map<number, Run[]>();
  private inFlight = new Map<number, AbortController>();
  private wanted: number[] = [];
  private failed = new Set<number>();
  /** Pages to read again even though they are cached (a refresh). */
  private stale = new Set<number>();
  private closed = false;
  /** How many runs match, once a page has arrived. */
  total: number | undefined;
  lastError: unknown = undefined;

  constructor(o: RunPagesOptions) {
    this.fetcher = o.fetch;
    this.pageSize = o.pageSize ?? RUN_PAGE_SIZE;
    this.capacity = Math.max(1, o.capacity ?? 12);
    this.maxInFlight = Math.max(1, o.maxInFlight ?? 2);
    this.onChange = o.onChange;
  }

  run(i: number): Run | undefined {
    return this.pages.get(Math.floor(i / this.pageSize))?.[i % this.pageSize];
  }

  /** Where a run is among the cached pages (undefined when it is on none of them). */
  indexOf(rid: string): number | undefined {
    for (const [p, runs] of this.pages) {
      const k = runs.findIndex((r) => r.info.run_id === rid);
      if (k >= 0) return p * this.pageSize + k;
    }
    return undefined;
  }

  get loading(): boolean {
    return this.inFlight.size > 0;
  }

  get requestsInFlight(): number[] {
    return [...this.inFlight.keys()];
  }

  /** Rows [start, end) are on screen now: fetch what is missing, drop requests no longer needed. */
  want(start: number, end: number): void {
    if (this.closed) return;
    // Before the first answer the count is unknown: the first page is asked for so that it becomes known.
    const stop = this.total === undefined ? Math.max(end, start + 1) : Math.min(end, this.total);
    const pages = pagesFor(start, stop, this.pageSize);
    const mid = (start + end) / 2 / this.pageSize;
    pages.sort((a, b) => Math.abs(a + 0.5 - mid) - Math.abs(b + 0.5 - mid));
    this.wanted = pages;
    for (const p of pages) {
      const runs = this.pages.get(p);
      if (runs) {
        // Re-inserted so the Map's order is least-recently-wanted first.
        this.pages.delete(p);
        this.pages.set(p, runs);
      }
    }
    for (const [p, ctrl] of this.inFlight) {
      if (!pages.includes(p)) {
        ctrl.abort();
        this.inFlight.delete(p);
      }
    }
    this.pump();
  }

  /** Reads the pages on screen again (runs that were RUNNING), keeping the old ones until the new arrive. */
  refresh(): void {
    if (this.closed) return;
    for (const p of this.wanted) if (!this.inFlight.has(p)) this.stale.add(p);
    this.failed.clear();
    this.pump();
  }

  /** Puts a run the server just returned (after a tag or note change) in place of its old copy. */
  patch(run: Run): void {
    for (const runs of this.pages.values()) {
      const k = runs.findIndex((r) => r.info.run_id === run.info.run_id);
      if (k >= 0) runs[k] = run;
    }
    this.onChange();
  }

  retry(): void {
    this.failed.clear();
    this.lastError = undefined;
    this.pump();
    this.onChange();
  }

  /** Stops for good: requests in flight are aborted and nothing more is fetched. */
  close(): void {
    this.closed = true;
    for (const c of this.inFlight.values()) c.abort();
    this.inFlight.clear();
  }

  private pump(): void {
    for (const p of this.wanted) {
      if (this.inFlight.size >= this.maxInFlight) break;
      if (this.inFlight.has(p) || this.failed.has(p)) continue;
      if (this.pages.has(p) && !this.stale.has(p)) continue;
      this.load(p);
    }
  }

  private load(p: number): void {
    const ctrl = new AbortController();
    this.inFlight.set(p, ctrl);
    this.stale.delete(p);
    this.fetcher(p * this.pageSize, this.pageSize, ctrl.signal).then(
      (page) => {
        if (ctrl.signal.aborted || this.closed) return;
        this.inFlight.delete(p);
        this.total = page.total;
        this.lastError = undefined;
        this.pages.set(p, page.runs);
        this.evict();
        this.onChange();
        this.pump();
      },
      (e: unknown) => {
        if (ctrl.signal.aborted || this.closed || isAbortError(e)) return;
        this.inFlight.delete(p);
        this.failed.add(p);
        this.lastError = e;
        this.onChange();
        this.pump();
      },
    );
  }

  private evict(): void {
    for (const p of this.pages.keys()) {
      if (this.pages.size <= this.capacity) break;
      if (!this.wanted.includes(p)) this.pages.delete(p);
    }
  }
}
