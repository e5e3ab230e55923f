import { describe, expect, it } from 'vitest';
import { bestIndices, buildParallel, defaultScatter, finalMetricKeys, historyKeys, majorityValue, outliers, paramRows, sameValue, scatterFields } from '../../src/lib/runs/compare/logic';
import { makeRun } from './runFixtures';

const gbm = makeRun('g', {
  name: 'gbm-run',
  params: { model: 'gbm', dataset: 'adult', target: 'class', task: 'classification', seed: '7', learning_rate: '0.3', max_depth: '5', features: '14' },
  metrics: { roc_auc: 0.9276, accuracy: 0.8686, log_loss: 0.2802, train_log_loss: [0.23, 100], valid_log_loss: [0.28, 100] },
});
const gbm2 = makeRun('h', {
  name: 'gbm-slow',
  params: { model: 'gbm', dataset: 'adult', target: 'class', task: 'classification', seed: '7', learning_rate: '0.10', max_depth: '5', features: '14' },
  metrics: { roc_auc: 0.9267, accuracy: 0.865, log_loss: 0.2822, train_log_loss: [0.25, 100], valid_log_loss: [0.29, 100] },
});
const logistic = makeRun('l', {
  name: 'logistic-run',
  params: { model: 'logistic', dataset: 'adult', target: 'class', task: 'classification', seed: '7', alpha: '1', features: '14' },
  metrics: { roc_auc: 0.9066, accuracy: 0.8507, log_loss: 0.3195 },
});

describe('param differences', () => {
  it('treats equal numbers written differently as the same', () => {
    expect(sameValue('0.1', '0.10')).toBe(true);
    expect(sameValue('1', '1.0')).toBe(true);
    expect(sameValue('gbm', 'gbm')).toBe(true);
    expect(sameValue('gbm', 'logistic')).toBe(false);
    expect(sameValue(undefined, '1')).toBe(false);
    expect(sameValue(undefined, undefined)).toBe(true);
    expect(sameValue('', '0')).toBe(false);
  });

  it('marks rows that differ, a missing param counting as a difference', () => {
    const rows = paramRows([gbm, logistic]);
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(by.model.differs).toBe(true);
    expect(by.seed.differs).toBe(false);
    expect(by.dataset.differs).toBe(false);
    expect(by.alpha.values).toEqual([undefined, '1']);
    expect(by.alpha.differs).toBe(true);
    expect(by.learning_rate.values).toEqual(['0.3', undefined]);
    // Setup params first, then hyperparameters alphabetically.
    expect(rows.map((r) => r.key)).toEqual(['model', 'dataset', 'target', 'task', 'features', 'seed', 'alpha', 'learning_rate', 'max_depth']);
  });

  it('does not see 0.1 and 0.10 as a difference', () => {
    const rows = paramRows([gbm2, makeRun('x', { params: { ...Object.fromEntries(gbm2.data.params.map((p) => [p.key, p.value])), learning_rate: '0.1' } })]);
    expect(rows.find((r) => r.key === 'learning_rate')?.differs).toBe(false);
  });

  it('highlights the cells that stand out from the majority', () => {
    expect(majorityValue(['a', 'b', 'a'])).toBe('a');
    expect(outliers(['a', 'b', 'a'])).toEqual([false, true, false]);
    expect(outliers(['a', 'a'])).toEqual([false, false]);
    // Two runs that differ, or no value most runs share: no cell stands out (the row is marked).
    expect(outliers(['0.3', '0.1'])).toEqual([false, false]);
    expect(outliers(['a', 'b', 'c', 'a'])).toEqual([false, false, false, false]);
    expect(outliers([undefined, '1', undefined])).toEqual([false, true, false]);
  });
});

describe('best values', () => {
  it('is the highest score', () => {
    expect(bestIndices([0.9276, 0.9066, 0.9267], 'roc_auc')).toEqual([0]);
  });
  it('is the lowest loss or error', () => {
    expect(bestIndices([0.28, 0.32, 0.27], 'log_loss')).toEqual([2]);
    expect(bestIndices([9.9, 10.4], 'rmse')).toEqual([0]);
    expect(bestIndices([0.2, 0.1], 'mape')).toEqual([1]);
  });
  it('keeps ties and skips missing or non-finite values', () => {
    expect(bestIndices([0.9, null, 0.9], 'accuracy')).toEqual([0, 2]);
    expect(bestIndices([null, NaN, 0.5], 'accuracy')).toEqual([2]);
    expect(bestIndices([null, null], 'accuracy')).toEqual([]);
  });
});

describe('metric keys', () => {
  it('lists final metrics headline first, and histories apart', () => {
    expect(finalMetricKeys([gbm, logistic])).toEqual(['roc_auc', 'accuracy', 'log_loss']);
    expect(historyKeys([gbm, logistic])).toEqual(['train_log_loss', 'valid_log_loss']);
  });
});

describe('parallel axes', () => {
  it('has an axis per param whose set values differ, then the metrics', () => {
    const p = buildParallel([gbm, gbm2, logistic]);
    expect(p.axes.map((a) => a.id)).toEqual(['param:model', 'param:learning_rate', 'metric:roc_auc', 'metric:accuracy', 'metric:log_loss']);
    expect(p.axes[0]).toEqual({ id: 'param:model', name: 'model', kind: 'category', categories: ['gbm', 'logistic'] });
    expect(p.axes[1].kind).toBe('value');
    expect(p.rows).toEqual([
      ['gbm', 0.3, 0.9276, 0.8686, 0.2802],
      ['gbm', 0.1, 0.9267, 0.865, 0.2822],
      ['logistic', null, 0.9066, 0.8507, 0.3195],
    ]);
  });

  it('leaves out params every run shares and one-run-only params', () => {
    const p = buildParallel([gbm, logistic]);
    // max_depth and alpha each belong to one run: the model axis already tells them apart.
    expect(p.axes.map((a) => a.name)).toEqual(['model', 'roc_auc', 'accuracy', 'log_loss']);
  });

  it('caps the number of axes', () => {
    const many = (id: string, k: number) => makeRun(id, { params: Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`p${String(i).padStart(2, '0')}`, String(i * k)])) });
    const p = buildParallel([many('a', 1), many('b', 2)], 4, 6);
    expect(p.axes.filter((a) => a.id.startsWith('param:'))).toHaveLength(4);
  });

  it('makes a param categorical when any value is not a number', () => {
    const a = makeRun('a', { params: { criterion: 'gini' } });
    const b = makeRun('b', { params: { criterion: 'entropy' } });
    expect(buildParallel([a, b]).axes[0]).toMatchObject({ kind: 'category', categories: ['entropy', 'gini'] });
  });
});

describe('scatter fields', () => {
  it('offers numeric params and metrics, defaulting to a varied hyperparameter against roc_auc', () => {
    const fields = scatterFields([gbm, gbm2, logistic]);
    expect(fields.map((f) => f.id)).toEqual([
      'param:features',
      'param:seed',
      'param:alpha',
      'param:learning_rate',
      'param:max_depth',
      'metric:roc_auc',
      'metric:accuracy',
      'metric:log_loss',
    ]);
    expect(fields.find((f) => f.id === 'param:learning_rate')?.values).toEqual([0.3, 0.1, null]);
    expect(defaultScatter(fields)).toEqual({ x: 'param:learning_rate', y: 'metric:roc_auc' });
  });

  it('falls back to r2 for regression, and to another metric when no param varies', () => {
    const a = makeRun('a', { params: { seed: '1', iterations: '100' }, metrics: { rmse: 9.9, r2: 0.47 } });
    const b = makeRun('b', { params: { seed: '1', fit_intercept: 'true' }, metrics: { rmse: 10.4, r2: 0.41 } });
    expect(defaultScatter(scatterFields([a, b]))).toEqual({ x: 'metric:rmse', y: 'metric:r2' });
    const c = makeRun('c', { params: { seed: '2' }, metrics: { rmse: 9 } });
    const d = makeRun('d', { params: { seed: '3' }, metrics: { rmse: 8 } });
    expect(defaultScatter(scatterFields([c, d]))).toEqual({ x: 'param:seed', y: 'metric:rmse' });
    expect(defaultScatter([])).toEqual({ x: undefined, y: undefined });
  });
});
