// Charts with one mark per run: parallel coordinates and a param/metric scatter.
import type { Parallel } from '../runs/compare/logic';
import { formatMetric, lowerIsBetter } from '../runs/run/facts';
import type { ChartOption } from './echarts';
import { escapeHtml } from './options';
import { AXIS, FONT, INK_2, LINE, SPLIT, tooltipBase, valueAxis } from './theme';

export interface RunMark {
  name: string;
  color: string;
}

/** Parallel coordinates, one line per run. Metric axes where lower is better are marked ↓. */
export function parallelOption(p: Parallel, runs: RunMark[]): ChartOption {
  const n = p.axes.length;
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    parallel: {
      left: 48,
      right: 72,
      top: 44,
      bottom: 24,
      parallelAxisDefault: {
        nameLocation: 'end',
        nameGap: 12,
        nameTextStyle: { color: INK_2, fontSize: 11, fontWeight: 500, width: Math.max(60, 1100 / Math.max(n, 1)), overflow: 'truncate' },
        axisLine: { lineStyle: { color: LINE } },
        axisTick: { lineStyle: { color: LINE } },
        axisLabel: { color: AXIS, fontSize: 10, formatter: (v: number | string) => (typeof v === 'number' ? formatMetric(v) : String(v)) },
        splitLine: { show: false },
      },
    },
    parallelAxis: p.axes.map((a, dim) => {
      const metric = a.id.startsWith('metric:');
      const name = metric && lowerIsBetter(a.name) ? `${a.name} ↓` : a.name;
      return a.kind === 'category' ? { dim, name, type: 'category', data: a.categories } : { dim, name, type: 'value', scale: true };
    }),
    tooltip: {
      ...tooltipBase,
      trigger: 'item',
      formatter: (x: { seriesIndex: number }) => {
        const r = runs[x.seriesIndex];
        const row = p.rows[x.seriesIndex] ?? [];
        const cells = p.axes.map((a, i) => `${escapeHtml(a.name)}: <b>${row[i] === null ? '—' : escapeHtml(typeof row[i] === 'number' ? formatMetric(row[i] as number) : String(row[i]))}</b>`);
        return r ? `<span style="color:${r.color}">●</span> <b>${escapeHtml(r.name)}</b><br/>${cells.join('<br/>')}` : '';
      },
    },
    // A series per run, so each line has its run's color and the tooltip knows whose it is.
    series: runs.map((r, i) => ({
      type: 'parallel',
      name: r.name,
      data: [p.rows[i]],
      lineStyle: { width: 2.5, color: r.color, opacity: 0.9 },
      emphasis: { lineStyle: { width: 4, opacity: 1 } },
    })),
  };
}

export interface ScatterPoint extends RunMark {
  x: number | null;
  y: number | null;
}

/** One labelled point per run. */
export function runScatterOption(points: ScatterPoint[], xName: string, yName: string): ChartOption {
  const shown = points.filter((p) => p.x !== null && p.y !== null && Number.isFinite(p.x) && Number.isFinite(p.y));
  const offsets = labelOffsets(shown.map((p) => [p.x as number, p.y as number]));
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 28, top: 20, bottom: 6, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'item',
      formatter: (x: { dataIndex: number }) => {
        const p = shown[x.dataIndex];
        return p ? `<span style="color:${p.color}">●</span> <b>${escapeHtml(p.name)}</b><br/>${escapeHtml(xName)} ${formatMetric(p.x)}<br/>${escapeHtml(yName)} ${formatMetric(p.y)}` : '';
      },
    },
    xAxis: valueAxis(xName, { scale: true, boundaryGap: ['12%', '22%'], nameGap: 24, axisLine: { show: true, lineStyle: { color: LINE } }, splitLine: { lineStyle: { color: SPLIT } }, axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => formatMetric(v) } }),
    yAxis: valueAxis(yName, { scale: true, boundaryGap: ['12%', '12%'], nameGap: 46, axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => formatMetric(v) } }),
    series: [
      {
        type: 'scatter',
        data: shown.map((p, i) => ({ value: [p.x, p.y], name: p.name, itemStyle: { color: p.color }, label: { offset: [0, offsets[i]] } })),
        symbolSize: 12,
        itemStyle: { borderColor: '#fff', borderWidth: 1.5 },
        label: { show: shown.length <= 12, position: 'right', color: INK_2, fontSize: 10.5, formatter: (x: { name: string }) => x.name },
        emphasis: { scale: 1.3 },
      },
    ],
  };
}

/**
 * Vertical pixel offsets for point labels (drawn right of their point) so close runs' names do not print
 * over each other. The plot is about `w`×`h` pixels; labels about `labelW`×`labelH`. Points are taken from
 * the top down, and a label that would overlap one already placed moves below it.
 */
export function labelOffsets(pts: [number, number][], w = 420, h = 230, labelW = 110, labelH = 13): number[] {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const px = (x: number) => (x1 > x0 ? ((x - x0) / (x1 - x0)) * w : 0);
  const py = (y: number) => (y1 > y0 ? (1 - (y - y0) / (y1 - y0)) * h : 0);
  const order = pts.map((_, i) => i).sort((a, b) => py(pts[a][1]) - py(pts[b][1]) || px(pts[a][0]) - px(pts[b][0]));
  const placed: { x: number; y: number }[] = [];
  const out = pts.map(() => 0);
  for (const i of order) {
    const x = px(pts[i][0]);
    let y = py(pts[i][1]);
    const base = y;
    // Each move clears one label, so a run of close points stacks into a column of names.
    for (let guard = 0; guard < pts.length; guard++) {
      const hit = placed.find((q) => Math.abs(q.x - x) < labelW && Math.abs(q.y - y) < labelH);
      if (!hit) break;
      y = hit.y + labelH;
    }
    placed.push({ x, y });
    out[i] = Math.round(y - base);
  }
  return out;
}
