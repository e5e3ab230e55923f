import { describe, expect, it, vi } from 'vitest';
import { HttpBackend } from '../../src/lib/backend/http';
import { lineColor, partialOption, pdMeaning, proportional } from '../../src/lib/charts/partial';
import type { PartialDependence } from '../../src/lib/types.gen';

type Opt = Record<string, unknown> & { series: Record<string, unknown>[]; xAxis: Record<string, unknown> };

const age: PartialDependence = {
  feature: 'age',
  kind: 'numeric',
  grid: [17, 25, 40, 90],
  labels: ['17', '25', '40', '90'],
  lines: [{ label: '>50K', values: [0.02, 0.1, 0.3, 0.25] }],
  rows: 500,
};

const education: PartialDependence = {
  feature: 'education',
  kind: 'categorical',
  grid: [],
  labels: ['HS-grad', 'Bachelors', '<b>x</b>'],
  lines: [
    { label: 'a', values: [0.2, 0.5, 0.1] },
    { label: 'b', values: [0.5, 0.3, 0.6] },
    { label: 'c', values: [0.3, 0.2, 0.3] },
  ],
  rows: 120,
};

describe('partial dependence charts', () => {
  it('puts a numeric grid on a proportional axis, its points at their values', () => {
    const o = partialOption(age) as Opt;
    expect(o.xAxis.type).toBe('value');
    expect(o.series).toHaveLength(1);
    expect(o.series[0].type).toBe('line');
    expect(o.series[0].data).toEqual([
      [17, 0.02],
      [25, 0.1],
      [40, 0.3],
      [90, 0.25],
    ]);
  });

  it('places dates and booleans evenly, by the labels the column had', () => {
    const dates: PartialDependence = { ...age, feature: 'day', grid: [19723, 19724], labels: ['2024-01-01', '2024-01-02'] };
    expect(proportional(dates)).toBe(false);
    const o = partialOption(dates) as Opt;
    expect(o.xAxis.type).toBe('category');
    expect(o.xAxis.data).toEqual(['2024-01-01', '2024-01-02']);
  });

  it('draws levels as unjoined points per class, one colour each, and escapes them in tooltips', () => {
    const o = partialOption(education) as Opt & { tooltip: { formatter: (ps: unknown[]) => string } };
    expect(o.xAxis.type).toBe('category');
    expect(o.series.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect((o.series[0].lineStyle as { width: number }).width).toBe(0);
    expect(new Set([0, 1, 2].map(lineColor)).size).toBe(3);
    const tip = o.tooltip.formatter([{ dataIndex: 2, seriesIndex: 1, color: '#000' }]);
    expect(tip).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(tip).toContain('0.6');
    expect(tip).not.toContain('<b>x</b>');
  });

  it('makes one categorical line a bar chart', () => {
    const one = { ...education, lines: [education.lines[0]] };
    expect((partialOption(one) as Opt).series[0].type).toBe('bar');
  });

  it('says what the lines are', () => {
    expect(pdMeaning(age, 'classification', 'class')).toBe('mean probability of >50K');
    expect(pdMeaning(education, 'classification', 'k')).toBe('mean probability of each class');
    expect(pdMeaning(age, 'regression', 'price')).toBe('mean predicted price');
  });
});

describe('report URL', () => {
  it('carries the token, and asks for a download only when told', () => {
    const b = new HttpBackend({ token: () => 'tok', fetch: vi.fn() as unknown as typeof fetch, sleep: async () => {} });
    expect(b.reportUrl('p 1', 'r1')).toBe('/api/projects/p%201/runs/r1/report.html?token=tok');
    expect(b.reportUrl('p', 'r', true)).toBe('/api/projects/p/runs/r/report.html?download=1&token=tok');
    const anonymous = new HttpBackend({ token: () => null, fetch: vi.fn() as unknown as typeof fetch, sleep: async () => {} });
    expect(anonymous.reportUrl('p', 'r')).toBe('/api/projects/p/runs/r/report.html');
  });
});
