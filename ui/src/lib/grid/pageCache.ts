import type { Page } from '../types.gen';
import { pagesFor } from './virtual';

export type PageFetcher = (offset: number, limit: number, signal: AbortSignal) => Promise<Page>;

export interface PageCacheOptions {
  fetch: PageFetcher;
  pageSize: number;
  /** Pages kept; the least recently wanted go first (pages on screen are never evicted). */
  capacity?: number;
  /** Requests at once; more wanted pages wait their turn (nearest to the viewport first). */
  maxInFlight?: number;
  onChange: () => void;
  onError?: (e: unknown) => void;
}

interface Flight {
  ctrl: AbortController;
}

function isAbortError(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && e.name === 'AbortError';
}

/**
 * Rows fetched by page as a virtual grid scrolls: a small LRU of pages, a bounded number of requests in
 * flight, and requests for pages scrolled past are aborted, so a fast scroll costs a few requests, not hundreds.
 */
export class PageCache {
  readonly pageSize: number;
  private readonly fetcher: PageFetcher;
  private readonly capacity: number;
  private readonly maxInFlight: number;
  private readonly onChange: () => void;
  private readonly onError?: (e: unknown) => void;

  private pages = new Map<number, unknown[][]>();
  private inFlight = new Map<number, Flight>();
  private wanted: number[] = [];
  private failed = new Set<number>();
  /** Bumped by clear(): answers to requests made before it are dropped. */
  private generation = 0;
  /** Row count reported by the server, once a page has arrived. */
  total: number | undefined;
  lastError: unknown = undefined;

  constructor(o: PageCacheOptions) {
    this.fetcher = o.fetch;
    this.pageSize = o.pageSize;
    this.capacity = Math.max(1, o.capacity ?? 16);
    this.maxInFlight = Math.max(1, o.maxInFlight ?? 2);
    this.onChange = o.onChange;
    this.onError = o.onError;
  }

  row(i: number): unknown[] | undefined {
    const page = this.pages.get(Math.floor(i / this.pageSize));
    return page?.[i % this.pageSize];
  }

  hasPage(p: number): boolean {
    return this.pages.has(p);
  }

  get loading(): boolean {
    return this.inFlight.size > 0;
  }

  get requestsInFlight(): number[] {
    return [...this.inFlight.keys()];
  }

  /** Rows [start, end) are on screen now: fetch what is missing, drop requests that are no longer needed. */
  want(start: number, end: number): void {
    const pages = pagesFor(start, end, this.pageSize);
    // Nearest the middle of the viewport first: what the user looks at arrives first.
    const mid = (start + end) / 2 / this.pageSize;
    pages.sort((a, b) => Math.abs(a + 0.5 - mid) - Math.abs(b + 0.5 - mid));
    this.wanted = pages;
    for (const p of pages) {
      const rows = this.pages.get(p);
      if (rows) {
        // Re-insert so the Map's order is least-recently-wanted first.
        this.pages.delete(p);
        this.pages.set(p, rows);
      }
    }
    for (const [p, f] of this.inFlight) {
      if (!pages.includes(p)) {
        f.ctrl.abort();
        this.inFlight.delete(p);
      }
    }
    this.pump();
  }

  /** Forgets every page (the sort changed); requests in flight are aborted. */
  clear(): void {
    this.generation++;
    for (const f of this.inFlight.values()) f.ctrl.abort();
    this.inFlight.clear();
    this.pages.clear();
    this.failed.clear();
    this.lastError = undefined;
    this.onChange();
  }

  /** Tries failed pages again. */
  retry(): void {
    this.failed.clear();
    this.lastError = undefined;
    this.pump();
    this.onChange();
  }

  private pump(): void {
    for (const p of this.wanted) {
      if (this.inFlight.size >= this.maxInFlight) break;
      if (this.pages.has(p) || this.inFlight.has(p) || this.failed.has(p)) continue;
      this.load(p);
    }
  }

  private load(p: number): void {
    const ctrl = new AbortController();
    const gen = this.generation;
    this.inFlight.set(p, { ctrl });
    this.fetcher(p * this.pageSize, this.pageSize, ctrl.signal).then(
      (page) => {
        if (gen !== this.generation || ctrl.signal.aborted) return;
        this.inFlight.delete(p);
        this.total = page.total_rows;
        this.pages.set(p, page.rows);
        this.evict();
        this.onChange();
        this.pump();
      },
      (e: unknown) => {
        if (gen !== this.generation || ctrl.signal.aborted || isAbortError(e)) return;
        this.inFlight.delete(p);
        this.failed.add(p);
        this.lastError = e;
        this.onError?.(e);
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
