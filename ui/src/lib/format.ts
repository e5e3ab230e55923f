import type { DType } from './types.gen';

// The user's own locale, except the POSIX "C" locale (a desktop started without LANG, e.g. from a
// service or under Xvfb): it has no digit grouping, and 1234567 is much harder to read than 1,234,567.
function userLocale(): string | undefined {
  const lang = typeof navigator === 'undefined' ? undefined : navigator.language;
  const resolved = new Intl.NumberFormat().resolvedOptions().locale;
  if (lang === 'C' || lang === 'POSIX' || resolved.includes('posix')) return 'en-US';
  return undefined;
}
let locale: string | undefined = userLocale();
export function setLocale(l: string | undefined): void {
  locale = l;
}

export function formatInt(n: number): string {
  return Math.round(n).toLocaleString(locale);
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}

/**
 * A statistic for reading, not for copying: integers in full with grouping, other values with
 * enough digits to compare them (38.58, 0.0123, 1.2e-7).
 */
export function formatStat(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (Number.isInteger(x)) return x.toLocaleString(locale);
  const a = Math.abs(x);
  if (a >= 1e15 || a < 1e-4) return x.toExponential(2);
  if (a >= 1000) return x.toLocaleString(locale, { maximumFractionDigits: 1 });
  if (a >= 1) return x.toLocaleString(locale, { maximumFractionDigits: 2 });
  return x.toLocaleString(locale, { maximumSignificantDigits: 3 });
}

/** `pct` is 0–100. Tiny and almost-complete shares are not rounded to a misleading 0% or 100%. */
export function formatPercent(pct: number, digits = 1): string {
  if (!Number.isFinite(pct)) return '—';
  if (pct === 0) return '0%';
  if (pct === 100) return '100%';
  const step = 10 ** -digits;
  if (pct > 0 && pct < step) return `<${step.toFixed(digits)}%`;
  if (pct < 100 && pct > 100 - step) return `>${(100 - step).toFixed(digits)}%`;
  return `${pct.toFixed(digits)}%`;
}

export function share(part: number, whole: number): number {
  return whole > 0 ? (part / whole) * 100 : 0;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m} min ${s} s`;
}

const DAY_MS = 86_400_000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** A date column's number (days since 1970-01-01) as YYYY-MM-DD. */
export function formatDays(days: number): string {
  const d = new Date(Math.round(days) * DAY_MS);
  if (Number.isNaN(d.getTime())) return String(days);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** A datetime column's number (ms since the epoch, UTC) as YYYY-MM-DD HH:MM[:SS]. */
export function formatMillis(ms: number): string {
  const d = new Date(Math.round(ms));
  if (Number.isNaN(d.getTime())) return String(ms);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const secs = d.getUTCSeconds();
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${secs ? `:${pad(secs)}` : ''}`;
}

/** A profile number in the column's own terms: dates as dates, numbers as statistics. */
export function formatValue(x: number | null | undefined, dtype: DType): string {
  if (x === null || x === undefined) return '—';
  if (dtype === 'date') return formatDays(x);
  if (dtype === 'datetime') return formatMillis(x);
  return formatStat(x);
}

/** "3 days ago", for recent projects. */
export function formatAgo(ms: number, now = Date.now()): string {
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 60) return 'just now';
  const steps: [number, string][] = [
    [60, 'minute'],
    [3600, 'hour'],
    [86400, 'day'],
    [86400 * 30, 'month'],
    [86400 * 365, 'year'],
  ];
  let unit = steps[0];
  for (const st of steps) if (s >= st[0]) unit = st;
  const n = Math.floor(s / unit[0]);
  return `${n} ${unit[1]}${n === 1 ? '' : 's'} ago`;
}

/** A grid cell as text; null stays null so the grid can show it muted. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export const NUMERIC: ReadonlySet<DType> = new Set(['int', 'float']);
export function isNumeric(t: DType): boolean {
  return NUMERIC.has(t);
}
