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
 * Where the bars start. Runs often differ in the third decimal, so bars from zero would look equal; from
 * just under the smallest value the smallest would vanish. The axis starts below the smallest value by
 * most of the spread, so every bar shows and the differences read (the axis labels say where it starts).
 */
export function barRange(bars: { value: number | null }[]): { min?: number; max?: number; interval?: number; scale: boolean } {
  const vs = bars.map((b) => b.value).filter((v): v is number => v !== null && Number.isFinite(v));
  if (!vs.length) return { scale: true };
  const lo = Math.min(...vs);
  const hi = Math.max(...vs);
  const spread = hi - lo || Math.abs(hi) * 0.1 || 1;
  let from = lo - spread * 0.8;
  // Scores in [0, 1] never need an axis below 0; neither do non-negative errors.
  if (lo >= 0) from = Math.max(0, from);
  // Ticks on round numbers with the axis starting on one, so no label crowds another (0.84, not 0.8372).
  const interval = niceStep((hi - from) / 3);
  const min = Math.floor(from / interval) * interval;
  const max = Math.ceil((hi + spread * 0.05) / interval) * interval;
  const round = (x: number) => Number(x.toPrecision(8));
  return { min: round(min), max: round(max), interval: round(interval), scale: true };
}

/** 1, 2, 2.5 or 5 times a power of ten, at least `x`. */
export function niceStep(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x * 0.999999) return m * p;
  return 10 * p;
}

/** One metric, one bar per run in the run's color; the best run's bar is solid and starred, the others faded. */
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
        data: bars.map((b) => ({
          value: b.value ?? '-',
          itemStyle: { color: b.color, opacity: !anyBest || b.best ? 1 : 0.35, borderRadius: [2, 2, 0, 0] },
          label: b.best ? { show: true, position: 'top', color: INK_2, fontSize: 11, formatter: '★' } : { show: false },
        })),
      },
    ],
  };
}
