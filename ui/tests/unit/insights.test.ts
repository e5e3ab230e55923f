import { describe, expect, it } from 'vitest';
import { flaggedColumns, flagCounts, heatColor, leakageBars, parseTarget, severity, targetBars, targetLabel } from '../../src/lib/insights/logic';
import { href, parseHash } from '../../src/lib/routes';
import type { ColumnQuality, InsightsReport } from '../../src/lib/types.gen';

function col(name: string, flags: ColumnQuality['flags']): ColumnQuality {
  return { name, dtype: 'int', missing_pct: 0, distinct: 10, distinct_ratio: 0.1, flags };
}

function report(): InsightsReport {
  return {
    format: 1,
    dataset_id: 'ds',
    dataset_name: 'diabetic',
    version: 'v',
    rows: 100,
    columns_count: 4,
    target: {
      name: 'readmitted = <30',
      column: 'readmitted',
      equals: '<30',
      task: 'classification',
      rows: 100,
      missing: 0,
      classes: [
        { value: 'false', count: 89, share: 0.89 },
        { value: 'true', count: 11, share: 0.11 },
      ],
      positive_class: 'true',
      positive_rate: 0.11,
      imbalance_ratio: 8.09,
      imbalanced: true,
    },
    columns: [
      col('age', []),
      col('weight', [{ flag: 'mostly_missing', reason: 'missing in 97%' }]),
      col('encounter_id', [{ flag: 'identifier', reason: 'a row key' }]),
      col('score', [
        { flag: 'skewed', reason: 'long tail' },
        { flag: 'leakage', reason: 'AUC 0.99' },
      ]),
    ],
    duplicates: { rows: 0, share: 0, ignored: [] },
    leakage: [
      { feature: 'score', metric: 'roc_auc', score: 0.99, flagged: true },
      { feature: 'age', metric: 'roc_auc', score: 0.55, flagged: false },
    ],
    correlations: { columns: [], matrix: [], top_pairs: [], vif: [], left_out: [] },
    summary: [],
    compute_ms: 12,
  };
}

describe('insights logic', () => {
  it('lists flagged columns most serious first, flags sorted within a column', () => {
    const f = flaggedColumns(report());
    expect(f.map((c) => c.name)).toEqual(['score', 'encounter_id', 'weight']);
    expect(f[0].flags.map((x) => x.flag)).toEqual(['leakage', 'skewed']);
    expect(flagCounts(report()).get('identifier')).toBe(1);
  });

  it('colours flags by severity and correlations by sign', () => {
    expect(severity('leakage')).toBe('bad');
    expect(severity('identifier')).toBe('bad');
    expect(severity('mostly_missing')).toBe('warn');
    expect(severity('skewed')).toBe('info');
    expect(heatColor(1)).toBe('rgb(192, 57, 43)');
    expect(heatColor(-1)).toBe('rgb(41, 98, 170)');
    expect(heatColor(0)).toBe('rgb(255, 255, 255)');
    expect(heatColor(null)).toBe('#f1efea');
  });

  it('makes bars of the target and the leakage scores', () => {
    const t = targetBars(report());
    expect(t.map((b) => b.label)).toEqual(['false', 'true']);
    expect(t[1]).toMatchObject({ value: 11, hot: true, text: '11 (11.0%)' });
    const l = leakageBars(report());
    expect(l[0]).toMatchObject({ label: 'score', hot: true, text: '0.990' });
    expect(l[1].hot).toBe(false);
  });

  it('reads and writes targets', () => {
    expect(parseTarget('readmitted=<30')).toEqual({ target: 'readmitted', equals: '<30' });
    expect(parseTarget(' readmitted = <30 ')).toEqual({ target: 'readmitted', equals: '<30' });
    expect(parseTarget('age')).toEqual({ target: 'age' });
    expect(targetLabel({ target: 'readmitted', equals: '<30' })).toBe('readmitted = <30');
    expect(targetLabel({ target: 'age' })).toBe('age');
  });

  it('routes to the insights page with its target in the address', () => {
    const r = { name: 'insights' as const, pid: 'p1', did: 'd1', target: 'readmitted', equals: '<30' };
    expect(href(r)).toBe('#/p/p1/d/d1/insights?target=readmitted&eq=%3C30');
    expect(parseHash(href(r))).toEqual(r);
    expect(parseHash('#/p/p1/d/d1/insights')).toEqual({ name: 'insights', pid: 'p1', did: 'd1' });
    // An empty value is a value ("column = ''"), kept apart from no value at all.
    expect(parseHash(href({ name: 'insights', pid: 'p', did: 'd', target: 'x', equals: '' }))).toEqual({ name: 'insights', pid: 'p', did: 'd', target: 'x', equals: '' });
  });
});
