import { describe, expect, it } from 'vitest';
import { columnAt, columnOffsets, columnWindow, contentTop, MAX_SCROLL_PX, pagesFor, pageSizeFor, rowWindow, scrollHeight, scrollTopFor } from '../../src/lib/grid/virtual';

describe('rowWindow', () => {
  it('covers the viewport plus overscan', () => {
    expect(rowWindow(0, 260, 1000, 26, 4)).toEqual({ start: 0, end: 14, top: 0 });
    expect(rowWindow(2600, 260, 1000, 26, 4)).toEqual({ start: 96, end: 114, top: 2600 });
  });

  it('includes a partly visible row', () => {
    const w = rowWindow(13, 26, 100, 26, 0);
    expect([w.start, w.end]).toEqual([0, 2]);
  });

  it('clamps at the end and for tiny datasets', () => {
    expect(rowWindow(25_740, 260, 1000, 26, 4)).toMatchObject({ start: 986, end: 1000 });
    expect(rowWindow(0, 500, 3, 26, 4)).toEqual({ start: 0, end: 3, top: 0 });
    expect(rowWindow(0, 500, 0, 26)).toEqual({ start: 0, end: 0, top: 0 });
    expect(rowWindow(0, 0, 100, 26)).toEqual({ start: 0, end: 0, top: 0 });
  });

  it('renders only a screenful of a million rows', () => {
    const w = rowWindow(400_000, 800, 1_000_000, 26, 6);
    expect(w.end - w.start).toBeLessThan(50);
  });
});

describe('scaled scrolling', () => {
  const rows = 10_000_000;
  const h = 26;
  const view = 800;

  it('caps the scroll area', () => {
    expect(scrollHeight(1000, h)).toBe(26_000);
    expect(scrollHeight(rows, h)).toBe(MAX_SCROLL_PX);
  });

  it('is exact at both ends and monotonic in between', () => {
    expect(contentTop(0, rows, h, view)).toBe(0);
    const maxScroll = MAX_SCROLL_PX - view;
    expect(contentTop(maxScroll, rows, h, view)).toBeCloseTo(rows * h - view, 3);
    expect(contentTop(maxScroll / 2, rows, h, view)).toBeGreaterThan(contentTop(maxScroll / 3, rows, h, view));
  });

  it('shows the last row at the bottom of a 10M-row dataset', () => {
    const w = rowWindow(MAX_SCROLL_PX - view, view, rows, h, 0);
    expect(w.end).toBe(rows);
  });

  it('inverts: scrollTopFor(contentTop(x)) = x', () => {
    for (const x of [0, 1234, 4_000_000, MAX_SCROLL_PX - view]) {
      expect(scrollTopFor(contentTop(x, rows, h, view), rows, h, view)).toBeCloseTo(x, 3);
    }
    expect(scrollTopFor(15_000 * h, 20_000, h, view)).toBe(15_000 * h);
  });

  it('is the identity when nothing is scaled', () => {
    expect(contentTop(5000, 20_000, h, view)).toBe(5000);
  });
});

describe('columns', () => {
  const widths = [100, 50, 200, 80];
  const offs = columnOffsets(widths);

  it('computes prefix offsets', () => {
    expect(offs).toEqual([0, 100, 150, 350, 430]);
  });

  it('finds the column under x', () => {
    expect(columnAt(offs, 0)).toBe(0);
    expect(columnAt(offs, 99)).toBe(0);
    expect(columnAt(offs, 100)).toBe(1);
    expect(columnAt(offs, 349)).toBe(2);
    expect(columnAt(offs, 10_000)).toBe(3);
    expect(columnAt(offs, -5)).toBe(0);
  });

  it('windows visible columns with overscan', () => {
    expect(columnWindow(offs, 0, 120, 0)).toEqual({ start: 0, end: 2 });
    expect(columnWindow(offs, 160, 100, 0)).toEqual({ start: 2, end: 3 });
    expect(columnWindow(offs, 160, 100, 1)).toEqual({ start: 1, end: 4 });
  });

  it('handles 10,000 columns quickly and renders only a few', () => {
    const many = columnOffsets(Array.from({ length: 10_000 }, (_, i) => 100 + (i % 7) * 10));
    const w = columnWindow(many, many[5000], 1200, 2);
    expect(w.start).toBe(4998);
    expect(w.end - w.start).toBeLessThan(20);
  });
});

describe('pages', () => {
  it('lists the pages a row range touches', () => {
    expect(pagesFor(0, 30, 200)).toEqual([0]);
    expect(pagesFor(190, 230, 200)).toEqual([0, 1]);
    expect(pagesFor(15_000, 15_040, 200)).toEqual([75]);
    expect(pagesFor(10, 10, 200)).toEqual([]);
    expect(pagesFor(0, 400, 200)).toEqual([0, 1]);
  });

  it('sizes pages by cells for wide datasets', () => {
    expect(pageSizeFor(21)).toBe(200);
    expect(pageSizeFor(10_000)).toBe(10);
    expect(pageSizeFor(1000)).toBe(60);
  });
});
