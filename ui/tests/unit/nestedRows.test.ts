import { describe, expect, it } from 'vitest';
import { groupByParent, nestedRowCount, rowAt, sortExpansions, tableFilter, topRange } from '../../src/lib/runs/table/nesting';

describe('nested rows of the runs table', () => {
  const open = sortExpansions([
    { index: 5, count: 2 },
    { index: 1, count: 3 },
  ]);

  it('counts top-level rows plus the open children', () => {
    expect(nestedRowCount(10, open)).toBe(15);
    expect(nestedRowCount(10, [])).toBe(10);
    // A parent past the end (the list shrank) adds nothing.
    expect(nestedRowCount(3, [{ index: 7, count: 4 }])).toBe(3);
  });

  it('maps screen rows to top-level runs and children', () => {
    const refs = Array.from({ length: 15 }, (_, d) => rowAt(d, open));
    expect(refs.slice(0, 6)).toEqual([{ top: 0 }, { top: 1 }, { top: 1, child: 0 }, { top: 1, child: 1 }, { top: 1, child: 2 }, { top: 2 }]);
    // Top-level 5 sits at screen row 8 (three children before it), its two children at 9 and 10.
    expect(refs[8]).toEqual({ top: 5 });
    expect(refs[9]).toEqual({ top: 5, child: 0 });
    expect(refs[10]).toEqual({ top: 5, child: 1 });
    expect(refs[11]).toEqual({ top: 6 });
    expect(refs[14]).toEqual({ top: 9 });
    expect(rowAt(4, [])).toEqual({ top: 4 });
  });

  it('a parent with no children known yet takes one row', () => {
    expect(rowAt(2, [{ index: 1, count: 0 }])).toEqual({ top: 2 });
  });

  it('turns a screen range into the top-level range to fetch', () => {
    expect(topRange(2, 11, open)).toEqual({ start: 1, end: 6 });
    expect(topRange(2, 12, open)).toEqual({ start: 1, end: 7 });
    expect(topRange(0, 0, open)).toEqual({ start: 0, end: 0 });
  });

  it('groups children by parent in server order', () => {
    const g = groupByParent(
      [
        { id: 'a', p: 'x' },
        { id: 'b', p: undefined },
        { id: 'c', p: 'x' },
        { id: 'd', p: 'y' },
      ],
      (r) => r.p,
    );
    expect([...g.keys()]).toEqual(['x', 'y']);
    expect(g.get('x')?.map((r) => r.id)).toEqual(['a', 'c']);
  });

  it('nests only without a user filter', () => {
    expect(tableFilter('', true, 'TOP')).toBe('TOP');
    expect(tableFilter('  ', true, 'TOP')).toBe('TOP');
    expect(tableFilter('metrics.auc > 0.8', true, 'TOP')).toBe('metrics.auc > 0.8');
    expect(tableFilter('', false, 'TOP')).toBe('');
  });
});

describe('finding an open parent again after a refresh', () => {
  it('knows where a run is among the cached pages', async () => {
    const { RunPages } = await import('../../src/lib/runs/table/runPages');
    const { makeRun } = await import('./runFixtures');
    const runs = Array.from({ length: 5 }, (_, i) => makeRun(`r${i}`));
    const pages = new RunPages({ pageSize: 2, fetch: async (offset, limit) => ({ runs: runs.slice(offset, offset + limit), total: runs.length }), onChange: () => {} });
    pages.want(0, 5);
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setTimeout(r, 0));
    expect(pages.indexOf('r3')).toBe(3);
    expect(pages.indexOf('nope')).toBeUndefined();
  });
});
