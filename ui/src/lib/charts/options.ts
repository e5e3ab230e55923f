import { formatInt, formatPercent, formatValue, share } from '../format';
import type { ColumnProfile, DType, Histogram } from '../types.gen';
import type { ChartOption } from './echarts';

const GREEN = '#2f6f5e';
const GREEN_HOVER = '#3f8a75';
const AXIS = '#9aa19d';
const LINE = '#e2ded4';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const tooltip = {
  trigger: 'axis',
  axisPointer: { type: 'shadow', shadowStyle: { color: 'rgba(47,111,94,0.08)' } },
  confine: true,
  borderColor: LINE,
  textStyle: { fontFamily: FONT, fontSize: 12, color: '#1e2925' },
  extraCssText: 'box-shadow: 0 4px 14px rgba(30,41,37,0.12); border-radius: 6px;',
};

/** Bin edges as labels in the column's own terms (dates as dates). */
export function binLabels(h: Histogram, dtype: DType): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < h.edges.length; i++) out.push(`${formatValue(h.edges[i], dtype)} – ${formatValue(h.edges[i + 1], dtype)}`);
  return out;
}

export function histogramOption(h: Histogram, dtype: DType, total: number, mini = false): ChartOption {
  const labels = binLabels(h, dtype);
  const n = h.counts.length;
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: mini ? { left: 2, right: 2, top: 4, bottom: 2 } : { left: 8, right: 12, top: 10, bottom: 4, containLabel: true },
    tooltip: {
      ...tooltip,
      formatter: (ps: { dataIndex: number }[]) => {
        const i = ps[0]?.dataIndex ?? 0;
        const c = h.counts[i] ?? 0;
        return `<b>${labels[i]}</b><br/>${formatInt(c)} rows · ${formatPercent(share(c, total))}`;
      },
    },
    xAxis: {
      type: 'category',
      data: labels,
      show: !mini,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: LINE } },
      axisLabel: {
        color: AXIS,
        fontSize: 10.5,
        interval: Math.max(0, Math.ceil(n / 4) - 1),
        formatter: (_v: string, i: number) => axisValue(h.edges[i], dtype),
      },
    },
    yAxis: {
      type: 'value',
      show: !mini,
      splitNumber: 3,
      splitLine: { lineStyle: { color: '#eeebe4' } },
      axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => compact(v) },
    },
    series: [
      {
        type: 'bar',
        data: h.counts,
        barCategoryGap: '8%',
        itemStyle: { color: GREEN, borderRadius: [2, 2, 0, 0] },
        emphasis: { itemStyle: { color: GREEN_HOVER } },
      },
    ],
  };
}

/** Most frequent values, most frequent on top; `other` rows are left out of the bars but named in the tooltip. */
export function topValuesOption(c: ColumnProfile, limit = 10, mini = false): ChartOption {
  const top = c.top.slice(0, limit).reverse();
  const total = c.count + c.missing;
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: mini ? { left: 2, right: 2, top: 2, bottom: 2 } : { left: 4, right: 16, top: 4, bottom: 4, containLabel: true },
    tooltip: {
      ...tooltip,
      formatter: (ps: { dataIndex: number }[]) => {
        const v = top[ps[0]?.dataIndex ?? 0];
        return v ? `<b>${escapeHtml(v.value)}</b><br/>${formatInt(v.count)} rows · ${formatPercent(share(v.count, total))}` : '';
      },
    },
    xAxis: { type: 'value', show: !mini, splitNumber: 3, splitLine: { lineStyle: { color: '#eeebe4' } }, axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => compact(v) } },
    yAxis: {
      type: 'category',
      data: top.map((t) => t.value),
      show: !mini,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: LINE } },
      axisLabel: { color: '#3d4843', fontSize: 11, width: 110, overflow: 'truncate' },
    },
    series: [
      {
        type: 'bar',
        data: top.map((t) => t.count),
        barCategoryGap: '22%',
        barMaxWidth: mini ? 7 : 18,
        itemStyle: { color: GREEN, borderRadius: [0, 2, 2, 0] },
        emphasis: { itemStyle: { color: GREEN_HOVER } },
      },
    ],
  };
}

/** A bin edge on the axis: dates as dates, numbers to 3 significant digits (39.3, not 39.333333). */
export function axisValue(x: number, dtype: DType): string {
  if (dtype === 'date' || dtype === 'datetime') return formatValue(x, dtype).slice(0, 10);
  return compact(Number(x.toPrecision(3)));
}

/** 12,400 → 12.4k: axis labels must stay short. */
export function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(2));
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

/** Which chart a column gets, if any. */
export function chartFor(c: ColumnProfile, mini = false): ChartOption | null {
  if (c.histogram && c.histogram.counts.length) return histogramOption(c.histogram, c.dtype, c.count + c.missing, mini);
  if (c.top.length) return topValuesOption(c, mini ? 6 : 10, mini);
  return null;
}
