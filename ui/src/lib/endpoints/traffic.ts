// An endpoint's live metrics as charts: the per-second series the endpoint keeps (its last 10 minutes,
// one point a second) cut to the window on show, one line per variant, in the comparison's run colors.
import type { ChartOption } from '../charts/echarts';
import { escapeHtml } from '../charts/options';
import { AXIS, FONT, LINE, runColor, tooltipBase, valueAxis } from '../charts/theme';
import { formatStat } from '../format';
import type { EndpointStats, VariantStats } from '../types.gen';

/** [time in ms, value]; null where a second had no request to measure. */
export type Point = [number, number | null];

export interface VariantTraffic {
  name: string;
  /** `GROUP v3`, for the legend. */
  model: string;
  color: string;
  requests: Point[];
  errors: Point[];
  p50: Point[];
  p99: Point[];
  /** Requests in the window (the chart moves when this does). */
  inWindow: number;
}

export type TrafficMetric = 'requests' | 'latency' | 'errors';

/** The stats' numbers (the wire types call some of them bigint; JSON gives numbers either way). */
const num = (x: number | bigint): number => Number(x);

/** Each variant's series over the last `windowSecs` seconds before the stats were taken. */
export function trafficSeries(stats: EndpointStats, windowSecs: number): VariantTraffic[] {
  const nowS = Math.floor(num(stats.now) / 1000);
  const from = nowS - windowSecs;
  return stats.variants.map((v: VariantStats, i) => {
    const pts = v.series.filter((s) => num(s.t) > from && num(s.t) <= nowS);
    const at = (t: number | bigint) => num(t) * 1000;
    return {
      name: v.name,
      model: `${v.model} v${num(v.version)}`,
      color: runColor(i),
      requests: pts.map((s) => [at(s.t), s.requests]),
      errors: pts.map((s) => [at(s.t), s.errors]),
      p50: pts.map((s) => [at(s.t), s.requests > 0 ? s.p50_ms : null]),
      p99: pts.map((s) => [at(s.t), s.requests > 0 ? s.p99_ms : null]),
      inWindow: pts.reduce((a, s) => a + s.requests, 0),
    };
  });
}

/** `12:04:05`, in the user's time zone. */
export function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Latency for people: 0.42 ms, 12 ms, 1.3 s. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${+ms.toPrecision(2)} ms`;
}

/** One chart of the endpoint page: a line per variant (p99 dashed beside p50 for latency). */
export function trafficOption(series: VariantTraffic[], metric: TrafficMetric, nowMs: number, windowSecs: number): ChartOption {
  const lines: Record<string, unknown>[] = [];
  const line = (name: string, color: string, data: Point[], dashed = false) => ({
    type: 'line',
    name,
    data,
    showSymbol: false,
    connectNulls: false,
    lineStyle: { width: dashed ? 1.4 : 1.8, color, type: dashed ? 'dashed' : 'solid' },
    itemStyle: { color },
    emphasis: { focus: 'series' },
  });
  for (const s of series) {
    if (metric === 'requests') lines.push(line(s.name, s.color, s.requests));
    else if (metric === 'errors') lines.push(line(s.name, s.color, s.errors));
    else {
      lines.push(line(`${s.name} p50`, s.color, s.p50));
      lines.push(line(`${s.name} p99`, s.color, s.p99, true));
    }
  }
  const value = (v: number) => (metric === 'latency' ? formatMs(v) : `${formatStat(v)}/s`);
  return {
    animation: false,
    textStyle: { fontFamily: FONT },
    grid: { left: 6, right: 14, top: 12, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    tooltip: {
      ...tooltipBase,
      trigger: 'axis',
      axisPointer: { type: 'line', lineStyle: { color: AXIS, type: 'dashed' } },
      formatter: (ps: { seriesName: string; color: string; value: Point }[]) => {
        if (!ps.length) return '';
        const rows = ps.filter((p) => p.value[1] !== null).map((p) => `<span style="color:${p.color}">●</span> ${escapeHtml(p.seriesName)} <b>${value(p.value[1] as number)}</b>`);
        return `${clock(ps[0].value[0])}<br/>${rows.length ? rows.join('<br/>') : 'no requests'}`;
      },
    },
    xAxis: {
      type: 'time',
      min: nowMs - windowSecs * 1000,
      max: nowMs,
      splitNumber: 4,
      axisLine: { show: true, lineStyle: { color: LINE } },
      axisTick: { show: false },
      splitLine: { show: false },
      axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => clock(v), hideOverlap: true },
    },
    yAxis: valueAxis('', {
      min: 0,
      minInterval: metric === 'latency' ? undefined : 1,
      axisLabel: { color: AXIS, fontSize: 10.5, formatter: (v: number) => (metric === 'latency' ? formatMs(v) : formatStat(v)) },
    }),
    series: lines,
  };
}

/** Errors per status as "400 ×3, 500 ×1". */
export function errorsByStatus(v: VariantStats): string {
  return Object.entries(v.errors_by_status)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s} ×${formatStat(n)}`)
    .join(', ');
}
