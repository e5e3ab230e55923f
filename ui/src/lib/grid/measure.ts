import { formatPercent, share } from '../format';
import type { ColumnInfo } from '../types.gen';

const SANS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const MONO = "ui-monospace, 'SF Mono', 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace";

let ctx: CanvasRenderingContext2D | null | undefined;

/** Rendered width of a text; estimated where there is no canvas (tests). */
export function textWidth(text: string, font: string): number {
  if (ctx === undefined) {
    try {
      ctx = document.createElement('canvas').getContext('2d');
    } catch {
      ctx = null;
    }
  }
  if (!ctx) return text.length * 7;
  ctx.font = font;
  return ctx.measureText(text).width;
}

export function missingLabel(c: ColumnInfo, rows: number): string {
  return c.missing === 0 ? 'no missing' : `${formatPercent(share(c.missing, rows))} missing`;
}

const BASE: Record<string, number> = { int: 96, float: 110, bool: 90, string: 150, date: 110, datetime: 170, other: 130 };

/** A column's starting width: room for its header (name, type and missing label) and typical values. */
export function headerWidth(c: ColumnInfo, rows: number): number {
  const name = textWidth(c.name, `600 13px ${SANS}`) + 16 + 16;
  const badge = textWidth(c.dtype, `500 10.5px ${MONO}`) + 10;
  const meta = 16 + badge + 5 + textWidth(missingLabel(c, rows), `11px ${SANS}`) + 5 + 12 + 4;
  return Math.ceil(Math.min(320, Math.max(BASE[c.dtype] ?? 130, name, meta)));
}
