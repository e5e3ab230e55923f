// The runs table with child runs under their parents: top-level runs are paged from the server as before,
// and an open parent's children are inserted after it. These map a row on screen to the run it shows.

/** An open parent: its row among the top-level runs, and how many children follow it. */
export interface Expansion {
  index: number;
  count: number;
}

export type RowRef = { top: number; child?: undefined } | { top: number; child: number };

/** Rows on screen: every top-level run plus the children of the open ones. */
export function nestedRowCount(total: number, open: readonly Expansion[]): number {
  return total + open.filter((e) => e.index < total).reduce((a, e) => a + e.count, 0);
}

/** Open parents in row order (what `rowAt` expects). */
export function sortExpansions(open: Iterable<Expansion>): Expansion[] {
  return [...open].sort((a, b) => a.index - b.index);
}

/** The run on row `d`: a top-level run, or child `child` of top-level run `top`. `open` is sorted by index. */
export function rowAt(d: number, open: readonly Expansion[]): RowRef {
  let offset = 0;
  for (const e of open) {
    const at = e.index + offset;
    if (d <= at) return { top: d - offset };
    if (d <= at + e.count) return { top: e.index, child: d - at - 1 };
    offset += e.count;
  }
  return { top: d - offset };
}

/** Top-level rows [start, end) behind the screen rows [start, end), for fetching their pages. */
export function topRange(start: number, end: number, open: readonly Expansion[]): { start: number; end: number } {
  if (end <= start) return { start: rowAt(start, open).top, end: rowAt(start, open).top };
  return { start: rowAt(start, open).top, end: rowAt(end - 1, open).top + 1 };
}

/** Child runs grouped by their parent's id, each group in the order the server sent them. */
export function groupByParent<R>(runs: readonly R[], parentOf: (r: R) => string | undefined): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of runs) {
    const p = parentOf(r);
    if (!p) continue;
    const g = out.get(p);
    if (g) g.push(r);
    else out.set(p, [r]);
  }
  return out;
}

/** The table's filter: the user's, or in nested mode the top-level runs only (a user filter shows every match flat). */
export function tableFilter(userFilter: string, nested: boolean, topLevel: string): string {
  return nested && !userFilter.trim() ? topLevel : userFilter;
}
