// The best-so-far chart of a search: the best score as a step line over seconds since the start, with
// every scored trial as a dot behind it (what was tried, and when).
import type { ChartOption } from '../charts/echarts';
import { escapeHtml } from '../charts/options';
import { AXIS, FONT, GREEN, LINE, tooltipBase, valueAxis } from '../charts/theme';
import { formatMetric } from '../runs/run/facts';
import type { ModelKind } from '../types.gen';

const TRIAL = '#9aa19d';
const ENSEMBLE = '#c8553d';

/** `best`: the improvements; the line goes on flat to `until` (the search's time now, or its end). */
export function bestCurveOption(
  best: [number, number][],
  until: number | undefined,
  trials: { x: number; y: number; number: number; model: ModelKind }[],
  metric: string,
  label: (m: ModelKind) => string,
  /** The final model's score, drawn where the search ended. */
  final?: { x: number; y: number; members: number },
): ChartOption {
  const last = best[best.length - 1];
  const line: unknown[] = best.map((value) => ({ value }));
  // Flat to the present, without a dot: nothing was found there.
  if (last && until !== undefined && until > last[0]) line.push({ value: [until, last[1]], symbol: 'none' });
  // One score (a single trial, or all alike): a scaled axis would span a whole unit around it.
  const ys = [...best.map((p) => p[1]), ...trials.map((t) => t.y), ...(final ? [final.y] : [])];
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const pad = Math.max(Math.abs(hi) * 0.005, 1e-3);
  const flat = ys.length > 0 && hi - lo < pad ? { min: lo - pad, max: hi + pad } : {};
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 16, top: 14, bottom: 6, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'item',
      formatter: (p: { seriesIndex: number; dataIndex: number; value: [number, number] }) => {
        const [x, y] = p.value;
        if (p.seriesIndex === 2 && final) {
          return `${final.members > 1 ? `ensemble of ${final.members} models` : 'final model'}<br/>${escapeHtml(metric)} <b>${formatMetric(y)}</b>`;
        }
        if (p.seriesIndex === 1) {
          const t = trials[p.dataIndex];
          return `trial ${t.number} · ${escapeHtml(label(t.model))}<br/>${escapeHtml(metric)} <b>${formatMetric(y)}</b> at ${formatMetric(x)} s`;
        }
        return `best so far at ${formatMetric(x)} s<br/>${escapeHtml(metric)} <b>${formatMetric(y)}</b>`;
      },
    },
    xAxis: valueAxis('seconds since the start', {
      nameGap: 22,
      min: 0,
      max: until !== undefined ? Math.max(until, 1) : 'dataMax',
      splitLine: { show: false },
      axisLine: { show: true, lineStyle: { color: LINE } },
      axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => formatMetric(v) },
    }),
    yAxis: valueAxis('', { scale: true, ...flat, axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => formatMetric(v) } }),
    series: [
      {
        type: 'line',
        name: `best ${metric}`,
        data: line,
        step: 'end',
        showSymbol: true,
        symbolSize: 6,
        lineStyle: { width: 2, color: GREEN },
        itemStyle: { color: GREEN },
        z: 3,
      },
      {
        type: 'scatter',
        name: 'trials',
        data: trials.map((t) => [t.x, t.y]),
        symbolSize: 6,
        itemStyle: { color: TRIAL, opacity: 0.7 },
        z: 2,
      },
      {
        type: 'scatter',
        name: 'final model',
        data: final ? [[final.x, final.y]] : [],
        symbol: 'diamond',
        symbolSize: 12,
        itemStyle: { color: ENSEMBLE },
        z: 4,
      },
    ],
  };
}
