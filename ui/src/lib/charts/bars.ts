// Bar charts of runs: feature importances (one run) and one metric across runs (comparison).
import { formatMetric } from '../runs/run/facts';
import type { Importance } from '../types.gen';
import type { ChartOption } from './echarts';
import { escapeHtml } from './options';
import { AXIS, FONT, GREEN, INK_2, LINE, SPLIT, tooltipBase } from './theme';

/** The `limit` most important features, most important on top. */
export function importanceOption(items: Importance[], kind: string, limit = 20): ChartOption {
  const top = [...items].sort((a, b) => b.importance - a.importance).slice(0, limit).reverse();
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 52, top: 4, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: 'rgba(47,111,94,0.08)' } },
      formatter: (ps: { dataIndex: number }[]) => {
        const it = top[ps[0]?.dataIndex ?? 0];
        return it ? `<b>${escapeHtml(it.feature)}</b><br/>${kind} importance ${formatMetric(it.importance)}` : '';
      },
    },
    xAxis: { type: 'value', show: false },
    yAxis: {
      type: 'category',
      data: top.map((t) => t.feature),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: LINE } },
      axisLabel: { color: INK_2, fontSize: 11.5, width: 150, overflow: 'truncate' },
    },
    series: [
      {
        type: 'bar',
        data: top.map((t) => t.importance),
        barCategoryGap: '28%',
        barMaxWidth: 16,
        itemStyle: { color: GREEN, borderRadius: [0, 2, 2, 0] },
        label: { show: true, position: 'right', color: AXIS, fontSize: 10.5, formatter: (p: { value: number }) => formatMetric(p.value) },
      },
    ],
  };
}

export interface MetricBar {
  name: string;
  color: string;
  value: number | null;
  best: boolean;
}

/**
 * The value axis of a comparison: it always includes zero, so each bar's length is its value and two
 * bars compare as their values do. A cut axis (starting just under the smallest value) made 0.925
 * against 0.927 look like one bar three times the other; with zero in, runs that differ in the third
 * decimal look alike, which is the truth about them. The value printed on each bar, the starred best
 * and the table beside tell them apart. Negative values (an r2 below zero) hang below the zero line.
 */
export function barRange(bars: { value: number | null }[]): { min: number; max: number; interval: number } {
  const vs = bars.map((b) => b.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(0, ...vs);
  const hi = Math.max(0, ...vs);
  if (lo === hi) return { min: 0, max: 1, interval: 0.5 };
  // Ticks on round numbers, about three of them, so no label crowds another.
  const interval = niceStep((hi - lo) / 3);
  const round = (x: number) => Number(x.toPrecision(8));
  // A little room beyond the longest bar for its printed value; none past a zero the bars hang from.
  const pad = (hi - lo) * 0.02;
  const min = Math.floor((lo < 0 ? lo - pad : 0) / interval) * interval;
  const max = Math.ceil((hi > 0 ? hi + pad : 0) / interval) * interval;
  return { min: round(min), max: round(max), interval: round(interval) };
}

/** `#rrggbb` at `alpha`; other colour forms are returned as they are. */
export function faded(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return m ? `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})` : color;
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `x`. */
export function niceStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x * 0.999999) return m * p;
  return 10 * p;
}

/**
 * One metric, one bar per run in the run's color, on an axis from zero (see barRange); each bar carries
 * its value (labels that would overlap are dropped, the best run's last); the best is solid and starred.
 */
export function metricBarOption(bars: MetricBar[]): ChartOption {
  const anyBest = bars.some((b) => b.best);
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 4, right: 8, top: 18, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'item',
      formatter: (p: { dataIndex: number }) => {
        const b = bars[p.dataIndex];
        return b ? `<span style="color:${b.color}">●</span> ${escapeHtml(b.name)} <b>${formatMetric(b.value)}</b>${b.best ? ' · best' : ''}` : '';
      },
    },
    xAxis: { type: 'category', data: bars.map((b) => b.name), axisLabel: { show: false }, axisTick: { show: false }, axisLine: { lineStyle: { color: LINE } } },
    yAxis: { type: 'value', ...barRange(bars), splitLine: { lineStyle: { color: SPLIT } }, axisLabel: { color: AXIS, fontSize: 10, hideOverlap: true, formatter: (v: number) => formatMetric(v) } },
    series: [
      {
        type: 'bar',
        barMaxWidth: 28,
        labelLayout: { hideOverlap: true },
        data: bars.map((b) => ({
          value: b.value ?? '-',
          // Faded through the colour, not `opacity`, which would fade the printed value with the bar.
          itemStyle: { color: !anyBest || b.best ? b.color : faded(b.color, 0.35), borderRadius: [2, 2, 0, 0] },
          label: {
            show: b.value !== null,
            position: b.value !== null && b.value < 0 ? 'bottom' : 'top',
            color: INK_2,
            fontSize: 10,
            fontWeight: b.best ? 600 : 400,
            formatter: () => (b.best ? `★ ${formatMetric(b.value)}` : formatMetric(b.value)),
          },
        })),
      },
    ],
  };
}
