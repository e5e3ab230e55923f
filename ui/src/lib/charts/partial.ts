// Partial dependence charts: a model's mean prediction as one feature is set to each grid point.
import { formatMetric } from '../runs/run/facts';
import type { PartialDependence } from '../types.gen';
import type { ChartOption } from './echarts';
import { escapeHtml } from './options';
import { AXIS, FONT, LINE, RUN_COLORS, tooltipBase, valueAxis } from './theme';

/** The color of line `i` of a chart, the same in its legend. */
export function lineColor(i: number): string {
  return RUN_COLORS[i % RUN_COLORS.length];
}

/**
 * Whether the grid reads as numbers on a proportional axis: a numeric feature whose labels are its
 * values. Dates and booleans (labelled as the column held them) are placed evenly, by their labels.
 */
export function proportional(pd: PartialDependence): boolean {
  return pd.kind === 'numeric' && pd.grid.length === pd.labels.length && pd.grid.every((g, i) => Number(pd.labels[i]) === g);
}

/** What the lines are, in words: "mean predicted price", "mean probability of >50K", "mean probability per class". */
export function pdMeaning(pd: PartialDependence, task: string, target: string | undefined): string {
  if (task === 'regression') return `mean predicted ${target ?? 'value'}`;
  if (pd.lines.length === 1) return `mean probability of ${pd.lines[0].label}`;
  return 'mean probability of each class';
}

/** One small chart: lines over a numeric grid, or points per level (bars when there is one line). */
export function partialOption(pd: PartialDependence): ChartOption {
  const numeric = proportional(pd);
  const single = pd.lines.length === 1;
  const bars = pd.kind === 'categorical' && single;
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 14, top: 12, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'axis',
      axisPointer: bars ? { type: 'shadow', shadowStyle: { color: 'rgba(47,111,94,0.08)' } } : { type: 'line', lineStyle: { color: AXIS, type: 'dashed' } },
      formatter: (ps: { dataIndex: number; seriesIndex: number; color: string }[]) => {
        const i = ps[0]?.dataIndex ?? 0;
        const rows = ps.map((p) => {
          const line = pd.lines[p.seriesIndex];
          const who = single ? '' : `<span style="color:${p.color}">●</span> ${escapeHtml(line.label)} `;
          return `${who}<b>${formatMetric(line.values[i])}</b>`;
        });
        return `<b>${escapeHtml(pd.feature)}</b> = ${escapeHtml(pd.labels[i] ?? '')}<br/>${rows.join('<br/>')}`;
      },
    },
    xAxis: numeric
      ? valueAxis('', { min: 'dataMin', max: 'dataMax', splitLine: { show: false }, axisLine: { show: true, lineStyle: { color: LINE } }, axisLabel: { color: AXIS, fontSize: 10.5, hideOverlap: true, formatter: (v: number) => formatMetric(v) } })
      : {
          type: 'category',
          data: pd.labels,
          axisTick: { show: false },
          axisLine: { lineStyle: { color: LINE } },
          axisLabel: { color: AXIS, fontSize: 10.5, interval: 0, rotate: pd.labels.length > 4 ? 35 : 0, width: 90, overflow: 'truncate', hideOverlap: true },
        },
    yAxis: valueAxis('', { scale: !bars, axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => formatMetric(v) } }),
    series: pd.lines.map((l, i) => {
      const color = lineColor(i);
      const data = numeric ? l.values.map((v, j) => [pd.grid[j], v]) : l.values;
      if (bars) return { type: 'bar', name: l.label, data, barMaxWidth: 22, itemStyle: { color, borderRadius: [2, 2, 0, 0] } };
      return {
        type: 'line',
        name: l.label,
        data,
        showSymbol: true,
        symbolSize: pd.kind === 'categorical' ? 7 : 4,
        // Levels have no order: their points are not joined.
        lineStyle: { width: pd.kind === 'categorical' ? 0 : 1.8, color },
        itemStyle: { color },
        emphasis: { focus: 'series' },
      };
    }),
  };
}
