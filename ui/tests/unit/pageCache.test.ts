import { describe, expect, it, vi } from 'vitest';
import { PageCache, type PageFetcher } from '../../src/lib/grid/pageCache';
import type { Page } from '../../src/lib/types.gen';

/** A fetcher whose answers the test releases by hand. */
function controlled(total = 10_000) {
  const calls: { offset: number; limit: number; signal: AbortSignal; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const fetch: PageFetcher = (offset, limit, signal) =>
    new Promise<Page>((res, rej) => {
      const page: Page = { offset, total_rows: total, columns: ['i'], rows: Array.from({ length: Math.min(limit, total - offset) }, (_, k) => [offset + k]) };
      calls.push({ offset, limit, signal, resolve: () => res(page), reject: rej });
    });
  return { fetch, calls };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('PageCache', () => {
  it('fetches the pages of the visible rows and serves rows from them', async () => {
    const { fetch, calls } = controlled();
    const onChange = vi.fn();
    const c = new PageCache({ fetch, pageSize: 100, onChange });
    c.want(150, 180);
    expect(calls.map((x) => x.offset)).toEqual([100]);
    expect(c.row(150)).toBeUndefined();
    calls[0].resolve();
    await flush();
    expect(c.row(150)).toEqual([150]);
    expect(c.row(199)).toEqual([199]);
    expect(c.total).toBe(10_000);
    expect(onChange).toHaveBeenCalled();
  });

  it('does not fetch a page twice', async () => {
    const { fetch, calls } = controlled();
    const c = new PageCache({ fetch, pageSize: 100, onChange: () => {} });
    c.want(0, 50);
    c.want(10, 60);
    expect(calls).toHaveLength(1);
    calls[0].resolve();
    await flush();
    c.want(0, 99);
    expect(calls).toHaveLength(1);
  });

  it('limits requests in flight and fetches the middle of the viewport first', () => {
    const { fetch, calls } = controlled();
    const c = new PageCache({ fetch, pageSize: 10, maxInFlight: 2, onChange: () => {} });
    c.want(0, 50);
    expect(calls.map((x) => x.offset)).toEqual([20, 10]);
  });

  it('aborts requests for pages scrolled past (no request storm)', () => {
    const { fetch, calls } = controlled(1_000_000);
    const c = new PageCache({ fetch, pageSize: 200, maxInFlight: 2, onChange: () => {} });
    for (let top = 0; top < 100_000; top += 5000) c.want(top, top + 40);
    const live = calls.filter((x) => !x.signal.aborted);
    expect(live.map((x) => x.offset)).toEqual([95_000]);
    expect(c.requestsInFlight).toEqual([475]);
  });

  it('ignores answers that arrive after clear() (sort changed)', async () => {
    const { fetch, calls } = controlled();
    const c = new PageCache({ fetch, pageSize: 100, onChange: () => {} });
    c.want(0, 10);
    c.clear();
    calls[0].resolve();
    await flush();
    expect(c.row(0)).toBeUndefined();
    expect(calls[0].signal.aborted).toBe(true);
  });

  it('evicts the least recently wanted pages beyond capacity, never visible ones', async () => {
    const { fetch, calls } = controlled();
    const c = new PageCache({ fetch, pageSize: 10, capacity: 2, maxInFlight: 1, onChange: () => {} });
    for (const p of [0, 1, 2]) {
      c.want(p * 10, p * 10 + 5);
      calls[calls.length - 1].resolve();
      await flush();
    }
    expect(c.hasPage(0)).toBe(false);
    expect(c.hasPage(1)).toBe(true);
    expect(c.hasPage(2)).toBe(true);
    c.want(10, 15); // page 1 is used again, so page 2 is now the oldest
    c.want(30, 35);
    calls[calls.length - 1].resolve();
    await flush();
    expect(c.hasPage(1)).toBe(true);
    expect(c.hasPage(2)).toBe(false);
    expect(c.hasPage(3)).toBe(true);
  });

  it('records failures, does not retry them in a loop, and retries on request', async () => {
    const { fetch, calls } = controlled();
    const onError = vi.fn();
    const c = new PageCache({ fetch, pageSize: 100, onChange: () => {}, onError });
    c.want(0, 10);
    calls[0].reject(new Error('boom'));
    await flush();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(c.lastError).toBeInstanceOf(Error);
    c.want(0, 10);
    expect(calls).toHaveLength(1);
    c.retry();
    expect(calls).toHaveLength(2);
    calls[1].resolve();
    await flush();
    expect(c.row(5)).toEqual([5]);
  });

  it('treats an abort rejection as no error', async () => {
    const { fetch, calls } = controlled();
    const onError = vi.fn();
    const c = new PageCache({ fetch, pageSize: 100, onChange: () => {}, onError });
    c.want(0, 10);
    c.want(5000, 5010);
    calls[0].reject(new DOMException('aborted', 'AbortError'));
    await flush();
    expect(onError).not.toHaveBeenCalled();
  });
});
