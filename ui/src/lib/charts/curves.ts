// Line charts of a run (or several overlaid): metric histories, ROC, PR, and actual-vs-predicted.
import { formatMetric } from '../runs/run/facts';
import type { Curve } from '../types.gen';
import type { ChartOption } from './echarts';
import { niceStep } from './bars';
import { escapeHtml } from './options';
import { AXIS, FONT, LINE, tooltipBase, valueAxis } from './theme';

export interface LineSeries {
  name: string;
  color: string;
  /** [x, y] pairs, x ascending. */
  points: [number, number][];
  dashed?: boolean;
}

/** Step-indexed histories (one series per run or per train/valid key). */
export function historyOption(series: LineSeries[], xName = 'step'): ChartOption {
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 16, top: 14, bottom: 6, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: AXIS, type: 'dashed' } },
      formatter: (ps: { seriesName: string; color: string; value: [number, number] }[]) => {
        if (!ps.length) return '';
        const rows = ps.map((p) => `<span style="color:${p.color}">●</span> ${escapeHtml(p.seriesName)} <b>${formatMetric(p.value[1])}</b>`);
        return `${xName} ${formatMetric(ps[0].value[0])}<br/>${rows.join('<br/>')}`;
      },
    },
    xAxis: valueAxis(xName, { nameGap: 22, min: 'dataMin', max: 'dataMax', minInterval: 1, splitLine: { show: false }, axisLine: { show: true, lineStyle: { color: LINE } } }),
    // The chart's caption names the metric: a rotated axis name would only crowd the labels.
    yAxis: valueAxis('', { scale: true, axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => formatMetric(v) } }),
    series: series.map((s) => ({
      type: 'line',
      name: s.name,
      data: s.points,
      showSymbol: s.points.length < 30,
      symbolSize: 5,
      lineStyle: { width: 1.8, color: s.color, type: s.dashed ? 'dashed' : 'solid' },
      itemStyle: { color: s.color },
      emphasis: { focus: 'series' },
    })),
  };
}

export interface CurveInput {
  name: string;
  color: string;
  curve: Curve;
  /** Shown in the tooltip name, e.g. "AUC 0.9276". */
  score?: string;
}

function pairs(c: Curve): [number, number][] {
  const n = Math.min(c.x.length, c.y.length);
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([c.x[i], c.y[i]]);
  return out;
}

/** A unit-square chart (ROC, PR) with an optional reference line. Tooltips name the threshold of the point. */
function unitCurveOption(curves: CurveInput[], xName: string, yName: string, reference: [number, number][] | null, refName: string): ChartOption {
  const series: Record<string, unknown>[] = curves.map((c) => ({
    type: 'line',
    name: c.name,
    data: pairs(c.curve).map(([x, y], i) => ({ value: [x, y], threshold: c.curve.thresholds[i] })),
    showSymbol: false,
    lineStyle: { width: 2, color: c.color },
    itemStyle: { color: c.color },
    emphasis: { focus: 'series' },
  }));
  if (reference) {
    series.push({
      type: 'line',
      name: refName,
      data: reference,
      showSymbol: false,
      silent: true,
      lineStyle: { width: 1, color: AXIS, type: 'dashed' },
      itemStyle: { color: AXIS },
      tooltip: { show: false },
    });
  }
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 18, top: 14, bottom: 6, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'item',
      formatter: (p: { seriesName: string; color: string; data: { value: [number, number]; threshold?: number } }) => {
        const d = p.data;
        const t = d.threshold === undefined ? '' : `<br/>threshold ${formatMetric(d.threshold)}`;
        return `<span style="color:${p.color}">●</span> ${escapeHtml(p.seriesName)}<br/>${escapeHtml(xName)} ${formatMetric(d.value[0])} · ${escapeHtml(yName)} ${formatMetric(d.value[1])}${t}`;
      },
    },
    xAxis: valueAxis(xName, { min: 0, max: 1, nameGap: 22, axisLine: { show: true, lineStyle: { color: LINE } } }),
    yAxis: valueAxis(yName, { min: 0, max: 1, nameGap: 34 }),
    series,
  };
}

/** ROC curves with the chance diagonal. */
export function rocOption(curves: CurveInput[]): ChartOption {
  return unitCurveOption(curves, 'False positive rate', 'True positive rate', [[0, 0], [1, 1]], 'chance');
}

/** Precision against recall; `baseline` (the positive share) is what a random ranking scores. */
export function prOption(curves: CurveInput[], baseline?: number): ChartOption {
  const ref: [number, number][] | null = baseline === undefined ? null : [[0, baseline], [1, baseline]];
  return unitCurveOption(curves, 'Recall', 'Precision', ref, 'random');
}

export interface ScatterInput {
  name: string;
  color: string;
  /** Actual (x) and predicted (y) values. */
  curve: Curve;
}

/** Predicted against actual for regression runs, with the y = x line a perfect model sits on. */
export function residualOption(runs: ScatterInput[], target = 'actual'): ChartOption {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of runs)
    for (const v of [...r.curve.x, ...r.curve.y]) {
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  // Both axes on the same round bounds, so the y = x line is the diagonal and no label crowds another.
  const step = niceStep((hi - lo) / 5 || 1);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const many = runs.length > 1;
  const series: Record<string, unknown>[] = runs.map((r) => ({
    type: 'scatter',
    name: r.name,
    data: pairs(r.curve),
    symbolSize: 4,
    large: true,
    itemStyle: { color: r.color, opacity: many ? 0.4 : 0.5 },
    emphasis: { focus: 'series' },
  }));
  series.push({ type: 'line', name: 'perfect', data: [[lo, lo], [hi, hi]], showSymbol: false, silent: true, lineStyle: { width: 1, color: AXIS, type: 'dashed' }, tooltip: { show: false } });
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 18, top: 14, bottom: 6, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'item',
      formatter: (p: { seriesName: string; color: string; value: [number, number] }) =>
        `<span style="color:${p.color}">●</span> ${escapeHtml(p.seriesName)}<br/>actual ${formatMetric(p.value[0])} · predicted ${formatMetric(p.value[1])}<br/>residual ${formatMetric(p.value[1] - p.value[0])}`,
    },
    xAxis: valueAxis(`${target} (actual)`, { min: lo, max: hi, interval: step, nameGap: 22, axisLine: { show: true, lineStyle: { color: LINE } }, axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => formatMetric(v) } }),
    yAxis: valueAxis('predicted', { min: lo, max: hi, interval: step, nameGap: 40, axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => formatMetric(v) } }),
    series,
  };
}
