import { describe, expect, it } from 'vitest';
import { barRange, importanceOption, metricBarOption, niceStep } from '../../src/lib/charts/bars';
import { labelOffsets, parallelOption } from '../../src/lib/charts/comparison';
import { historyOption, rocOption } from '../../src/lib/charts/curves';
import { runColor, RUN_COLORS } from '../../src/lib/charts/theme';

type Opt = Record<string, unknown> & { series: Record<string, unknown>[] };

describe('run colors', () => {
  it('gives 20 distinct colors and wraps after', () => {
    expect(new Set(RUN_COLORS).size).toBe(20);
    expect(runColor(0)).toBe('#2f6f5e');
    expect(runColor(20)).toBe(runColor(0));
  });
});

describe('bar axes', () => {
  it('rounds steps to 1, 2, 2.5 or 5', () => {
    expect(niceStep(0.013)).toBe(0.02);
    expect(niceStep(0.3)).toBeCloseTo(0.5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(0)).toBe(1);
  });
  it('starts at zero, so bar lengths compare as the values do', () => {
    // Two AUCs a hair apart: the axis is not cut under them.
    expect(barRange([{ value: 0.9276 }, { value: 0.9066 }, { value: null }])).toEqual({ min: 0, max: 1, interval: 0.5 });
    // Errors on their own scale, still from zero, ending on a round tick above the largest.
    const e = barRange([{ value: 12.3 }, { value: 11.9 }]);
    expect(e.min).toBe(0);
    expect(e.max).toBeGreaterThanOrEqual(12.3);
    expect(Math.abs(e.max / e.interval - Math.round(e.max / e.interval))).toBeLessThan(1e-6);
    // A negative r2 hangs below zero; zero stays on the axis.
    const r2 = barRange([{ value: -0.4 }, { value: 0.8 }]);
    expect(r2.min).toBeLessThanOrEqual(-0.4);
    expect(r2.max).toBeGreaterThanOrEqual(0.8);
    expect(barRange([{ value: -2 }, { value: -1 }]).max).toBe(0);
    expect(barRange([{ value: null }])).toEqual({ min: 0, max: 1, interval: 0.5 });
  });
  it('prints each value on its bar, the best one starred', () => {
    const o = metricBarOption([
      { name: 'a', color: '#111111', value: 0.9276, best: true },
      { name: 'b', color: '#222222', value: 0.9066, best: false },
      { name: 'c', color: '#333333', value: null, best: false },
    ]) as Opt;
    const data = o.series[0].data as { label: { show: boolean; formatter: () => string } }[];
    expect(data.map((d) => d.label.show)).toEqual([true, true, false]);
    expect(data.slice(0, 2).map((d) => d.label.formatter())).toEqual(['★ 0.9276', '0.9066']);
    expect((o.yAxis as { min: number }).min).toBe(0);
  });
  it('stars only the best bar and fades the others', () => {
    const o = metricBarOption([
      { name: 'a', color: '#111111', value: 0.9, best: true },
      { name: 'b', color: '#222222', value: 0.8, best: false },
    ]) as Opt;
    const data = o.series[0].data as { itemStyle: { color: string }; label: { formatter: () => string } }[];
    expect(data.map((d) => d.itemStyle.color)).toEqual(['#111111', 'rgba(34, 34, 34, 0.35)']);
    expect(data.map((d) => d.label.formatter().startsWith('★'))).toEqual([true, false]);
  });
});

describe('importances', () => {
  it('shows the top 20, largest on top', () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ feature: `f${i}`, importance: i }));
    const o = importanceOption(items, 'model') as Opt & { yAxis: { data: string[] } };
    expect(o.yAxis.data).toHaveLength(20);
    expect(o.yAxis.data[19]).toBe('f24');
    expect(o.yAxis.data[0]).toBe('f5');
  });
});

describe('curves', () => {
  it('draws the chance diagonal under the ROC curves', () => {
    const o = rocOption([{ name: 'r', color: '#000', curve: { x: [0, 0.5, 1], y: [0, 0.9, 1], thresholds: [1, 0.5, 0] } }]) as Opt;
    expect(o.series).toHaveLength(2);
    expect(o.series[1].data).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect((o.series[0].data as { threshold: number }[])[1].threshold).toBe(0.5);
  });
  it('draws one line per history', () => {
    const o = historyOption([
      { name: 'train_log_loss', color: '#000', points: [[1, 0.4], [2, 0.3]] },
      { name: 'valid_log_loss', color: '#111', points: [[1, 0.45], [2, 0.35]] },
    ]) as Opt;
    expect(o.series.map((s) => s.name)).toEqual(['train_log_loss', 'valid_log_loss']);
  });
});

describe('comparison charts', () => {
  it('draws a parallel line per run with category and value axes', () => {
    const o = parallelOption(
      { axes: [{ id: 'param:model', name: 'model', kind: 'category', categories: ['gbm', 'logistic'] }, { id: 'metric:log_loss', name: 'log_loss', kind: 'value' }], rows: [['gbm', 0.28], ['logistic', 0.32]] },
      [{ name: 'a', color: '#1' }, { name: 'b', color: '#2' }],
    ) as Opt & { parallelAxis: { name: string; type: string }[] };
    expect(o.series).toHaveLength(2);
    expect(o.parallelAxis.map((a) => [a.name, a.type])).toEqual([['model', 'category'], ['log_loss ↓', 'value']]);
  });
  it('moves labels of close points apart, leaves far ones alone', () => {
    const off = labelOffsets([[0.3, 0.9276], [0.3, 0.9273], [0.05, 0.92]]);
    // The upper of the two close points keeps its place; the lower one's name moves down to clear it.
    expect(off[0]).toBe(0);
    expect(off[1]).toBeGreaterThan(0);
    expect(off[2]).toBe(0);
    expect(labelOffsets([[1, 1]])).toEqual([0]);
  });
});
