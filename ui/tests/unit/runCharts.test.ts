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
  it('starts below the smallest value, on a tick, never below 0 for scores', () => {
    const r = barRange([{ value: 0.9276 }, { value: 0.9066 }, { value: null }]);
    expect(r.min).toBeLessThan(0.9066);
    expect(r.min).toBeGreaterThan(0.85);
    expect(r.max).toBeGreaterThanOrEqual(0.9276);
    expect(Math.abs((r.min! / r.interval!) - Math.round(r.min! / r.interval!))).toBeLessThan(1e-6);
    expect(barRange([{ value: 0.01 }, { value: 0.9 }]).min).toBe(0);
    expect(barRange([{ value: null }])).toEqual({ scale: true });
  });
  it('stars only the best bar and fades the others', () => {
    const o = metricBarOption([
      { name: 'a', color: '#111111', value: 0.9, best: true },
      { name: 'b', color: '#222222', value: 0.8, best: false },
    ]) as Opt;
    const data = o.series[0].data as { itemStyle: { opacity: number }; label: { show: boolean } }[];
    expect(data.map((d) => d.itemStyle.opacity)).toEqual([1, 0.35]);
    expect(data.map((d) => d.label.show)).toEqual([true, false]);
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
