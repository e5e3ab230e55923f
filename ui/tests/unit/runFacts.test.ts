import { describe, expect, it } from 'vitest';
import {
  curveKeys,
  datasetOf,
  formatMetric,
  groupCurves,
  keyMetrics,
  lowerIsBetter,
  metricLabel,
  metricNumber,
  runDurationMs,
  schemaColumns,
  shortDigest,
  validationText,
} from '../../src/lib/runs/run/facts';
import type { Dataset } from '../../src/lib/types.gen';
import { makeRun } from './runFixtures';

describe('run facts', () => {
  it('formats metrics to 4 significant digits', () => {
    expect(formatMetric(0.9276379506596328)).toBe('0.9276');
    expect(formatMetric(9.909612)).toBe('9.91');
    expect(formatMetric(1234.56)).toBe('1,235');
    expect(formatMetric(100)).toBe('100');
    expect(formatMetric(0.00001234)).toBe('1.234e-5');
    expect(formatMetric(null)).toBe('—');
    expect(formatMetric(NaN)).toBe('NaN');
    expect(formatMetric(-Infinity)).toBe('−∞');
  });

  it('reads NaN-safe metric values', () => {
    expect(metricNumber(0.5)).toBe(0.5);
    expect(metricNumber('NaN')).toBeNaN();
    expect(metricNumber('Infinity')).toBe(Infinity);
    expect(metricNumber('nope')).toBeNull();
    expect(metricNumber(undefined)).toBeNull();
  });

  it('names headline metrics for people, others as logged', () => {
    expect(metricLabel('roc_auc')).toBe('ROC AUC');
    expect(metricLabel('r2')).toBe('R²');
    expect(metricLabel('fold_f1')).toBe('fold_f1');
  });

  it('knows which metrics are better low', () => {
    for (const k of ['log_loss', 'rmse', 'mae', 'mape', 'train_log_loss', 'valid_log_loss', 'fold_rmse']) expect(lowerIsBetter(k), k).toBe(true);
    for (const k of ['roc_auc', 'accuracy', 'r2', 'f1', 'pr_auc', 'recall']) expect(lowerIsBetter(k), k).toBe(false);
  });

  it('picks the headline metrics of the task, in order', () => {
    const r = makeRun('a', { params: { task: 'classification' }, metrics: { log_loss: 0.28, accuracy: 0.86, roc_auc: 0.92, train_log_loss: [0.2, 100] } });
    expect(keyMetrics(r).map((m) => m.key)).toEqual(['roc_auc', 'accuracy', 'log_loss']);
    const g = makeRun('b', { params: { task: 'regression' }, metrics: { r2: 0.47, rmse: 9.9, accuracy: 1 } });
    expect(keyMetrics(g).map((m) => m.key)).toEqual(['rmse', 'r2']);
  });

  it('finds metrics with a history and pairs train/valid', () => {
    const r = makeRun('a', { metrics: { accuracy: 0.8, train_log_loss: [0.2, 100], valid_log_loss: [0.28, 100], fold_f1: [0.7, 3] } });
    expect(curveKeys(r.data.metrics)).toEqual(['fold_f1', 'train_log_loss', 'valid_log_loss']);
    expect(groupCurves(['valid_log_loss', 'train_log_loss', 'fold_f1'])).toEqual([
      { title: 'log_loss', keys: ['train_log_loss', 'valid_log_loss'] },
      { title: 'fold_f1', keys: ['fold_f1'] },
    ]);
  });

  it('finds the dataset by version, then by name', () => {
    const ds = [
      { id: 'd1', name: 'adult', version: 'v-old' },
      { id: 'd2', name: 'adult2', version: 'v-new' },
    ] as Dataset[];
    expect(datasetOf(makeRun('a', { tags: { 'cairn.dataset': 'adult', 'cairn.dataset.version': 'v-new' } }), ds)?.id).toBe('d2');
    expect(datasetOf(makeRun('a', { tags: { 'cairn.dataset': 'adult', 'cairn.dataset.version': 'gone' } }), ds)?.id).toBe('d1');
    expect(datasetOf(makeRun('a', { params: { dataset: 'adult2' } }), ds)?.id).toBe('d2');
    expect(datasetOf(makeRun('a', { tags: { 'cairn.dataset': 'other' } }), ds)).toBeUndefined();
    expect(datasetOf(makeRun('a'), null)).toBeUndefined();
  });

  it('describes lineage bits', () => {
    expect(schemaColumns('[{"name":"a"},{"name":"b"}]')).toBe(2);
    expect(schemaColumns('{"mlflow_colspec":[{"name":"a"}]}')).toBe(1);
    expect(schemaColumns('not json')).toBeNull();
    expect(schemaColumns(undefined)).toBeNull();
    expect(shortDigest('e092ad3dfc863c5240e0094435fcab35')).toBe('e092ad3dfc86');
    expect(validationText(makeRun('a', { params: { validation: 'holdout', test_fraction: '0.2' } }))).toBe('holdout, 20% test');
    expect(validationText(makeRun('a', { params: { validation: 'kfold', folds: '5' } }))).toBe('5-fold cross-validation');
    expect(validationText(makeRun('a', { params: { validation: 'split', split_column: 'split' } }))).toBe("the data's split (column split)");
    expect(validationText(makeRun('a'))).toBeUndefined();
  });

  it('measures duration, counting a running run up to now', () => {
    expect(runDurationMs(makeRun('a'))).toBe(5000);
    const live = makeRun('b', { status: 'RUNNING' });
    delete live.info.end_time;
    expect(runDurationMs(live, 1_700_000_002_000)).toBe(2000);
  });
});
