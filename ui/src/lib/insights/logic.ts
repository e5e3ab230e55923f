// What the insights page computes from a report: the target's words, chart options, heat colours.
import type { ChartOption } from '../charts/echarts';
import { escapeHtml } from '../charts/options';
import { AXIS, FONT, GREEN, INK_2, LINE, tooltipBase } from '../charts/theme';
import type { ColumnFlag, ColumnQuality, InsightsReport, InsightsRequest } from '../types.gen';

/** Flags shown first, most serious first. */
const ORDER: ColumnFlag[] = [
  'leakage',
  'identifier',
  'target_source',
  'empty',
  'mostly_missing',
  'constant',
  'near_constant',
  'high_cardinality',
  'numeric_as_text',
  'collinear',
  'missing',
  'skewed',
];

export const FLAG_LABEL: Record<ColumnFlag, string> = {
  leakage: 'leakage',
  identifier: 'identifier',
  target_source: 'target',
  empty: 'empty',
  mostly_missing: 'mostly missing',
  missing: 'missing values',
  constant: 'constant',
  near_constant: 'near constant',
  high_cardinality: 'high cardinality',
  skewed: 'skewed',
  collinear: 'collinear',
  numeric_as_text: 'numbers as text',
};

/** How serious a flag is, for its colour: 'bad' (fix before training), 'warn', or 'info'. */
export function severity(f: ColumnFlag): 'bad' | 'warn' | 'info' {
  if (f === 'leakage' || f === 'identifier') return 'bad';
  if (f === 'empty' || f === 'mostly_missing' || f === 'constant' || f === 'high_cardinality' || f === 'numeric_as_text') return 'warn';
  return 'info';
}

/** Columns with at least one flag, the most serious first (then in dataset order). */
export function flaggedColumns(r: InsightsReport): ColumnQuality[] {
  const rank = (c: ColumnQuality) => Math.min(...c.flags.map((f) => ORDER.indexOf(f.flag)));
  return r.columns
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.flags.length > 0)
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => ({ ...c, flags: [...c.flags].sort((a, b) => ORDER.indexOf(a.flag) - ORDER.indexOf(b.flag)) }));
}

/** `readmitted` or `readmitted = <30`. */
export function targetLabel(req: InsightsRequest): string {
  return req.equals !== undefined && req.equals !== '' ? `${req.target} = ${req.equals}` : req.target;
}

/** Counts per flag over the report's columns. */
export function flagCounts(r: InsightsReport): Map<ColumnFlag, number> {
  const m = new Map<ColumnFlag, number>();
  for (const c of r.columns) for (const f of c.flags) m.set(f.flag, (m.get(f.flag) ?? 0) + 1);
  return m;
}

/** Red for positive, blue for negative correlations, paler toward 0; grey when there is no value. */
export function heatColor(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '#f1efea';
  const a = Math.min(1, Math.abs(r));
  const [cr, cg, cb] = r >= 0 ? [192, 57, 43] : [41, 98, 170];
  const mix = (c: number) => Math.round(255 - (255 - c) * a);
  return `rgb(${mix(cr)}, ${mix(cg)}, ${mix(cb)})`;
}

/** The headline metric in words. */
export function metricName(m: string): string {
  return m === 'roc_auc' ? 'ROC AUC' : m === 'r2' ? 'R²' : m.replace(/_/g, ' ');
}

interface Bar {
  label: string;
  value: number;
  text: string;
  hot?: boolean;
}

/** Horizontal bars, first item on top. */
export function barsOption(bars: Bar[], opts: { max?: number; color?: string; hot?: string } = {}): ChartOption {
  const rows = [...bars].reverse();
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 70, top: 4, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: 'rgba(47,111,94,0.08)' } },
      formatter: (ps: { dataIndex: number }[]) => {
        const b = rows[ps[0]?.dataIndex ?? 0];
        return b ? `<b>${escapeHtml(b.label)}</b><br/>${escapeHtml(b.text)}` : '';
      },
    },
    xAxis: { type: 'value', show: false, min: 0, max: opts.max },
    yAxis: {
      type: 'category',
      data: rows.map((b) => b.label),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: LINE } },
      axisLabel: { color: INK_2, fontSize: 11.5, width: 170, overflow: 'truncate' },
    },
    series: [
      {
        type: 'bar',
        data: rows.map((b) => ({ value: b.value, itemStyle: { color: b.hot ? (opts.hot ?? '#c0392b') : (opts.color ?? GREEN) } })),
        barCategoryGap: '28%',
        barMaxWidth: 18,
        itemStyle: { borderRadius: [0, 2, 2, 0] },
        label: {
          show: true,
          position: 'right',
          color: AXIS,
          fontSize: 10.5,
          formatter: (p: { dataIndex: number }) => rows[p.dataIndex]?.text ?? '',
        },
      },
    ],
  };
}

/** The target's classes as bars (the positive class highlighted), with count and share. */
export function targetBars(r: InsightsReport): Bar[] {
  const t = r.target;
  if (t.classes.length) {
    return t.classes.slice(0, 30).map((c) => ({
      label: c.value,
      value: c.count,
      text: `${c.count.toLocaleString('en-US')} (${(c.share * 100).toFixed(1)}%)`,
      hot: t.positive_class === c.value,
    }));
  }
  const h = t.histogram;
  if (!h) return [];
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(3));
  return h.counts.map((n, i) => ({ label: `${fmt(h.edges[i])} – ${fmt(h.edges[i + 1])}`, value: n, text: n.toLocaleString('en-US') }));
}

/** The strongest single features (at most `limit`), flagged ones in red. */
export function leakageBars(r: InsightsReport, limit = 20): Bar[] {
  return r.leakage.slice(0, limit).map((l) => ({ label: l.feature, value: Math.max(0, l.score), text: l.score.toFixed(3), hot: l.flagged }));
}

/** Reads `column = value` (or `column=value`) typed in one field; a plain name has no value. */
export function parseTarget(text: string): InsightsRequest {
  const i = text.indexOf('=');
  if (i < 0) return { target: text.trim() };
  return { target: text.slice(0, i).trim(), equals: text.slice(i + 1).trim() };
}
