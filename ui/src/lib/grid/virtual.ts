/**
 * The geometry of a virtual grid: which rows and columns are on screen for a scroll position, and how a
 * scroll position maps to rows when there are more rows than a browser can lay out (elements taller than
 * ~16M px are clipped by some browsers, and 1M rows × 28 px is already 28M px).
 */

/** Tallest scroll area we let the browser lay out; beyond it, scrolling is scaled. */
export const MAX_SCROLL_PX = 8_000_000;

export interface RowWindow {
  /** First row to render (inclusive). */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** The content offset, in px, of the top of the viewport: row i is drawn at `i * rowHeight - top`. */
  top: number;
}

/** The scroll area's height for `rows` rows, capped. */
export function scrollHeight(rows: number, rowHeight: number): number {
  return Math.min(rows * rowHeight, MAX_SCROLL_PX);
}

/** Maps a scrollTop to the content offset it shows; linear, and exact at both ends. */
export function contentTop(scrollTop: number, rows: number, rowHeight: number, viewport: number): number {
  const content = rows * rowHeight;
  const area = scrollHeight(rows, rowHeight);
  const maxScroll = area - viewport;
  const maxContent = content - viewport;
  if (maxScroll <= 0 || maxContent <= 0) return Math.max(0, Math.min(scrollTop, Math.max(0, maxContent)));
  const t = Math.max(0, Math.min(scrollTop, maxScroll));
  return area === content ? t : (t / maxScroll) * maxContent;
}

/** The inverse of contentTop: the scrollTop that puts content offset `top` at the top of the viewport. */
export function scrollTopFor(top: number, rows: number, rowHeight: number, viewport: number): number {
  const content = rows * rowHeight;
  const area = scrollHeight(rows, rowHeight);
  const maxScroll = area - viewport;
  const maxContent = content - viewport;
  if (maxScroll <= 0 || maxContent <= 0) return 0;
  const t = Math.max(0, Math.min(top, maxContent));
  return area === content ? t : (t / maxContent) * maxScroll;
}

export function rowWindow(scrollTop: number, viewport: number, rows: number, rowHeight: number, overscan = 4): RowWindow {
  if (rows <= 0 || viewport <= 0) return { start: 0, end: 0, top: 0 };
  const top = contentTop(scrollTop, rows, rowHeight, viewport);
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + viewport) / rowHeight);
  return { start: Math.max(0, first - overscan), end: Math.min(rows, last + overscan), top };
}

/** Left edges of columns: offsets[i] is where column i starts, offsets[n] is the total width. */
export function columnOffsets(widths: readonly number[]): number[] {
  const out = new Array<number>(widths.length + 1);
  out[0] = 0;
  for (let i = 0; i < widths.length; i++) out[i + 1] = out[i] + widths[i];
  return out;
}

/** Index of the column containing x (offsets from columnOffsets); clamps to the ends. */
export function columnAt(offsets: readonly number[], x: number): number {
  const n = offsets.length - 1;
  if (n <= 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Columns overlapping [scrollLeft, scrollLeft + viewport), plus `overscan` on each side; end exclusive. */
export function columnWindow(offsets: readonly number[], scrollLeft: number, viewport: number, overscan = 1): { start: number; end: number } {
  const n = offsets.length - 1;
  if (n <= 0 || viewport <= 0) return { start: 0, end: 0 };
  const first = columnAt(offsets, scrollLeft);
  const last = columnAt(offsets, scrollLeft + viewport - 1);
  return { start: Math.max(0, first - overscan), end: Math.min(n, last + 1 + overscan) };
}

/** The pages (of `pageSize` rows) that rows [start, end) fall in. */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p);
  return out;
}

/**
 * Rows per request: enough to scroll through, but bounded in cells so a 10,000-column dataset does not ask
 * for millions of cells at once (the rows endpoint always returns every column).
 */
export function pageSizeFor(columns: number, maxCells = 60_000, max = 200, min = 10): number {
  return Math.max(min, Math.min(max, Math.floor(maxCells / Math.max(1, columns))));
}
