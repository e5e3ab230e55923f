import { describe, expect, it } from 'vitest';
import { bestSoFar, gain, keyParams, stoppedText, trialRows, validationWords } from '../../src/lib/automl/board';
import { automlIssues, automlSpecFromForm, defaultMetric, metricsFor, newAutomlForm, parseBudget } from '../../src/lib/automl/spec';
import { newForm } from '../../src/lib/runs/train/spec';
import type { AutomlResult, TrialSummary } from '../../src/lib/types.gen';
import { makeRun } from './runFixtures';

function trial(number: number, score: number | undefined, finished_at: number, o: Partial<TrialSummary> = {}): TrialSummary {
  return { number, run_id: `r${number}`, model: 'gbm', params: { learning_rate: '0.123456', iterations: '3000' }, score, fold_scores: [], fit_seconds: 0.5, finished_at, ...o };
}

function result(o: Partial<AutomlResult> = {}): AutomlResult {
  return {
    task: 'classification',
    metric: 'roc_auc',
    greater_is_better: true,
    validation: 'kfold:5',
    leaderboard: [trial(2, 0.9, 1.5), trial(1, 0.85, 0.8), trial(3, undefined, 4, { error: 'stopped: the time budget ran out' }), trial(4, undefined, 2, { error: 'out of memory' })],
    ensemble: [{ trial: 2, model: 'gbm', weight: 0.7 }, { trial: 1, model: 'gbm', weight: 0.3 }],
    score: 0.91,
    seconds: 10.2,
    stopped: 'budget',
    ...o,
  };
}

describe('AutoML form', () => {
  it('reads budgets with or without a unit and refuses zero, negatives and text', () => {
    expect(parseBudget('60')).toBe(60);
    expect(parseBudget(' 90 s ')).toBe(90);
    expect(parseBudget('5m')).toBe(300);
    expect(parseBudget('1.5 h')).toBe(5400);
    expect(parseBudget('')).toBeNull();
    expect(parseBudget('ten')).toBeNaN();
    const issue = (budget: string, trials = '') => automlIssues({ ...newAutomlForm(), budget, trials }, 'classification').map((i) => `${i.field}: ${i.message}`);
    expect(issue('60')).toEqual([]);
    expect(issue('0')[0]).toContain('more than 0 seconds');
    expect(issue('-5')[0]).toContain('more than 0 seconds');
    expect(issue('abc')[0]).toContain('must be a number of seconds');
    expect(issue('8d')[0]).toContain('must be a number of seconds');
    expect(issue('700000')[0]).toContain('at most 7 days');
    expect(issue('', '')[0]).toContain('a trial budget, or both');
    expect(issue('', '20')).toEqual([]);
    expect(issue('60', '0')).toEqual(['automlTrials: Trials must be at least 1 (or empty for the time budget alone)']);
    expect(issue('60', '2.5')[0]).toContain('whole number');
    expect(issue('60', 'x')[0]).toContain('whole number');
  });

  it('offers the task’s metrics and knows the server’s default', () => {
    expect(metricsFor('regression').map((m) => m.name)).toEqual(['rmse', 'mae', 'r2', 'mape']);
    expect(metricsFor('classification')[0].name).toBe('roc_auc');
    expect(defaultMetric('classification', 2)).toBe('roc_auc');
    expect(defaultMetric('classification', 3)).toBe('log_loss');
    expect(defaultMetric('regression', undefined)).toBe('rmse');
    expect(defaultMetric(null, undefined)).toBeNull();
    expect(automlIssues({ budget: '60', trials: '', metric: 'rmse' }, 'classification')[0].field).toBe('automlMetric');
  });

  it('sends only what was given, with the dialog’s data and tracking fields', () => {
    const form = { ...newForm('ds1', 'AutoML'), target: 'class', features: ['age', 'class', 'hours'] };
    expect(automlSpecFromForm(form, { budget: '2m', trials: '', metric: '' })).toEqual({
      dataset: 'ds1',
      target: 'class',
      seed: 42,
      experiment: 'AutoML',
      budget_seconds: 120,
      features: ['age', 'hours'],
    });
    const spec = automlSpecFromForm({ ...form, features: null, task: 'classification', runName: ' mine ' }, { budget: '', trials: '25', metric: 'f1' });
    expect(spec).toMatchObject({ max_trials: 25, metric: 'f1', task: 'classification', run_name: 'mine' });
    expect(spec.budget_seconds).toBeUndefined();
    expect(spec.on).toBeUndefined();
    expect(automlSpecFromForm(form, { budget: '60', trials: '', metric: '' }, 'lab').on).toBe('lab');
  });
});

describe('AutoML leaderboard', () => {
  it('lists scored trials by rank, then running ones, then failed and stopped; ensemble weights attached', () => {
    const running = makeRun('r5', { status: 'RUNNING', params: { model: 'knn', k: '10' }, tags: { 'cairn.automl.trial': '5', 'cairn.model': 'knn' } });
    const listed = makeRun('r1', { status: 'FINISHED', tags: { 'cairn.automl.trial': '1' } });
    const rows = trialRows(result(), [running, listed]);
    expect(rows.map((r) => [r.number, r.state, r.rank ?? null])).toEqual([
      [2, 'scored', 1],
      [1, 'scored', 2],
      [5, 'running', null],
      [3, 'stopped', null],
      [4, 'failed', null],
    ]);
    expect(rows[0].weight).toBe(0.7);
    expect(rows[2]).toMatchObject({ model: 'knn', params: { k: '10' }, runId: 'r5' });
    expect(rows[4].error).toBe('out of memory');
  });

  it('once the search ended, a trial it never listed shows as stopped', () => {
    const killed = makeRun('r6', { status: 'KILLED', params: { model: 'gbm' }, tags: { 'cairn.automl.trial': '6', 'cairn.error': 'cancelled by the user' } });
    const orphan = makeRun('r7', { status: 'RUNNING', params: { model: 'gbm' }, tags: { 'cairn.automl.trial': '7' } });
    const rows = trialRows(result({ stopped: 'running' }), [killed, orphan], true);
    expect(rows.slice(-2).map((r) => [r.number, r.state, r.error])).toEqual([
      [6, 'stopped', 'cancelled'],
      [7, 'stopped', 'stopped with the search'],
    ]);
    expect(trialRows(null, [])).toEqual([]);
  });

  it('draws the best score so far by when it was found, in the metric’s direction', () => {
    const board = [trial(1, 0.8, 1), trial(2, 0.7, 2), trial(3, 0.85, 3), trial(4, undefined, 3.5, { error: 'x' }), trial(5, 0.9, 5)];
    expect(bestSoFar(board, true)).toEqual([
      [1, 0.8],
      [3, 0.85],
      [5, 0.9],
    ]);
    expect(bestSoFar(board, false)).toEqual([
      [1, 0.8],
      [2, 0.7],
    ]);
    expect(bestSoFar([], true)).toEqual([]);
  });

  it('says why a search stopped, also when its job ended first', () => {
    expect(stoppedText(result())).toBe('Finished: the time budget was reached.');
    expect(stoppedText(result({ stopped: 'trials' }))).toBe('Finished: every trial of the budget ran.');
    expect(stoppedText(result({ stopped: 'cluster' }))).toMatch(/^Ended early: the cluster stopped answering/);
    expect(stoppedText(result({ stopped: 'cancelled' }))).toContain('Cancelled');
    expect(stoppedText(result({ stopped: 'running' }))).toBe('');
    expect(stoppedText(result({ stopped: 'running' }), 'cancelled')).toContain('Cancelled');
    expect(stoppedText(result({ stopped: 'running' }), 'failed')).toContain('failed before it wrote its final leaderboard');
  });

  it('shows the tuned parameters short, and validation and gains in words', () => {
    expect(keyParams({ learning_rate: '0.123456', iterations: '3000', max_depth: '5', l2: '1.2345e-5' })).toEqual([
      { name: 'learning_rate', value: '0.123' },
      { name: 'max_depth', value: '5' },
      { name: 'l2', value: '1.23e-5' },
    ]);
    expect(validationWords('kfold:5')).toBe('5-fold cross-validation');
    expect(validationWords('holdout:0.2')).toBe('20% held out');
    expect(gain(0.9055, 0.9016, true)).toBe('+0.0039');
    expect(gain(0.31, 0.3, false)).toBe('−0.01');
  });
});
