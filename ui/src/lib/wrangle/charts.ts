// ECharts options for the wrangling page's charts, from the server's chart data.
import type { ChartOption } from '../charts/echarts';
import { AXIS, FONT, GREEN, INK_2, LINE, SPLIT, tooltipBase } from '../charts/theme';
import type { ChartData, ChartKind } from '../types.gen';

const grid = { left: 8, right: 16, top: 12, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'all' };
const axisLabel = { color: AXIS, fontSize: 10.5 };
const value = { type: 'value', splitNumber: 4, axisLabel, splitLine: { lineStyle: { color: SPLIT } } };

export function chartOption(kind: ChartKind, d: ChartData, x: string, y?: string): ChartOption {
  const base = { animation: false, textStyle: { fontFamily: FONT }, grid, tooltip: { ...tooltipBase, trigger: kind === 'scatter' || kind === 'box' ? 'item' : 'axis' } };
  switch (kind) {
    case 'histogram':
      return {
        ...base,
        xAxis: { type: 'category', data: d.labels, axisLabel: { ...axisLabel, hideOverlap: true }, axisLine: { lineStyle: { color: LINE } }, name: x },
        yAxis: value,
        series: [{ type: 'bar', data: d.counts, barCategoryGap: '4%', itemStyle: { color: GREEN } }],
      };
    case 'bar':
      return {
        ...base,
        xAxis: value,
        yAxis: { type: 'category', data: [...d.labels].reverse(), axisLabel: { color: INK_2, fontSize: 11, width: 110, overflow: 'truncate' }, axisTick: { show: false }, axisLine: { lineStyle: { color: LINE } } },
        series: [{ type: 'bar', data: [...d.counts].reverse(), barMaxWidth: 14, itemStyle: { color: GREEN } }],
      };
    case 'scatter':
      return {
        ...base,
        xAxis: { ...value, name: x, nameLocation: 'middle', nameGap: 22, scale: true },
        yAxis: { ...value, name: y, scale: true },
        series: [{ type: 'scatter', symbolSize: 4, data: d.x.map((v, i) => [v, d.y[i]]), itemStyle: { color: GREEN, opacity: 0.55 } }],
      };
    case 'box':
      return {
        ...base,
        xAxis: { type: 'category', data: d.boxes.map((b) => b.group), axisLabel: { ...axisLabel, hideOverlap: true }, axisLine: { lineStyle: { color: LINE } } },
        yAxis: { ...value, scale: true },
        series: [{ type: 'boxplot', data: d.boxes.map((b) => [b.min, b.q1, b.median, b.q3, b.max]), itemStyle: { color: '#e6f0ec', borderColor: GREEN } }],
      };
  }
}
