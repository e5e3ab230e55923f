import { describe, expect, it, vi } from 'vitest';
import {
  columnFor,
  defaultColumnIds,
  formatAgoShort,
  listedTasks,
  runDataset,
  runTask,
  formatMetric,
  formatSpan,
  nextSort,
  orderBy,
  quoteKey,
  runDuration,
  tableColumns,
} from '../../src/lib/runs/table/columns';
import { pageToken, RunPages, type RunsFetcher } from '../../src/lib/runs/table/runPages';
import type { Run, RunsPage } from '../../src/lib/types.gen';
import { makeRun } from './runFixtures';

function fakeRun(i: number, status: Run['info']['status'] = 'FINISHED'): Run {
  return {
    info: { run_id: `r${i}`, run_name: `run-${i}`, experiment_id: '0', user_id: 'u', status, start_time: 1000, end_time: status === 'RUNNING' ? undefined : 3500, artifact_uri: '', lifecycle_stage: 'active' },
    data: { metrics: [], params: [], tags: [] },
    inputs: { dataset_inputs: [] },
  };
}

function controlled(total = 10_000) {
  const calls: { offset: number; signal: AbortSignal; resolve: (runs?: Run[]) => void; reject: (e: unknown) => void }[] = [];
  const fetch: RunsFetcher = (offset, limit, signal) =>
    new Promise<RunsPage>((res, rej) => {
      const runs = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, k) => fakeRun(offset + k));
      calls.push({ offset, signal, resolve: (r) => res({ runs: r ?? runs, total }), reject: rej });
    });
  return { fetch, calls };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('pageToken', () => {
  it('is base64 of {"offset": N} with exactly that spacing, none for the first page', () => {
    expect(pageToken(0)).toBeUndefined();
    expect(atob(pageToken(300)!)).toBe('{"offset": 300}');
    expect(atob(pageToken(99_900)!)).toBe('{"offset": 99900}');
  });
});

describe('RunPages', () => {
  it('asks for the first page before the count is known, then only for pages that exist', async () => {
    const { fetch, calls } = controlled(150);
    const c = new RunPages({ fetch, onChange: () => {} });
    c.want(0, 0);
    expect(calls.map((x) => x.offset)).toEqual([0]);
    calls[0].resolve();
    await flush();
    expect(c.total).toBe(150);
    c.want(90, 400);
    expect(calls.map((x) => x.offset)).toEqual([0, 100]);
  });

  it('serves runs by index and aborts pages scrolled past', async () => {
    const { fetch, calls } = controlled(100_000);
    const c = new RunPages({ fetch, onChange: () => {} });
    c.want(0, 30);
    calls[0].resolve();
    await flush();
    expect(c.run(29)?.info.run_id).toBe('r29');
    for (let top = 0; top < 100_000; top += 7000) c.want(top, top + 30);
    const live = calls.filter((x) => !x.signal.aborted);
    expect(live.map((x) => x.offset)).toEqual([0, 98_000]);
  });

  it('refresh re-reads the pages on screen and keeps the old runs until the new arrive', async () => {
    const { fetch, calls } = controlled(50);
    const onChange = vi.fn();
    const c = new RunPages({ fetch, onChange });
    c.want(0, 20);
    calls[0].resolve([fakeRun(0, 'RUNNING')]);
    await flush();
    expect(c.run(0)?.info.status).toBe('RUNNING');
    c.refresh();
    expect(calls).toHaveLength(2);
    expect(c.run(0)?.info.status).toBe('RUNNING');
    calls[1].resolve([fakeRun(0, 'FINISHED')]);
    await flush();
    expect(c.run(0)?.info.status).toBe('FINISHED');
  });

  it('patches one run in place', async () => {
    const { fetch, calls } = controlled(5);
    const c = new RunPages({ fetch, onChange: () => {} });
    c.want(0, 5);
    calls[0].resolve();
    await flush();
    const changed = fakeRun(3);
    changed.data.tags = [{ key: 'stage', value: 'best' }];
    c.patch(changed);
    expect(c.run(3)?.data.tags).toEqual([{ key: 'stage', value: 'best' }]);
  });

  it('keeps a failed page failed until retried, and fetches nothing once closed', async () => {
    const { fetch, calls } = controlled(500);
    const c = new RunPages({ fetch, onChange: () => {} });
    c.want(0, 10);
    calls[0].reject(new Error('boom'));
    await flush();
    expect(c.lastError).toBeInstanceOf(Error);
    c.want(0, 10);
    expect(calls).toHaveLength(1);
    c.retry();
    expect(calls).toHaveLength(2);
    c.close();
    expect(calls[1].signal.aborted).toBe(true);
    c.want(200, 210);
    expect(calls).toHaveLength(2);
  });
});

describe('run columns', () => {
  it('picks the main metrics present, then dataset, tags and note, when the task is unknown', () => {
    expect(
      defaultColumnIds({ metrics: ['f1', 'log_loss', 'roc_auc', 'accuracy', 'precision', 'train_log_loss'], params: ['model', 'dataset'], tags: [] }),
    ).toEqual(['metrics.roc_auc', 'metrics.accuracy', 'metrics.f1', 'dataset', 'tags', 'note']);
    expect(defaultColumnIds({ metrics: ['rmse', 'r2', 'mae', 'mse'], params: [], tags: [] })).toEqual(['metrics.r2', 'metrics.rmse', 'metrics.mae', 'dataset', 'tags', 'note']);
    // Per-round curves only when there is nothing else.
    expect(defaultColumnIds({ metrics: ['train_loss', 'custom'], params: [], tags: [] })).toEqual(['metrics.custom', 'dataset', 'tags', 'note']);
    expect(defaultColumnIds({ metrics: ['train_loss'], params: [], tags: [] })).toEqual(['metrics.train_loss', 'dataset', 'tags', 'note']);
  });

  it("follows the listed runs' task: r2, rmse, mae for regression even when the keys hold both", () => {
    const both = { metrics: ['accuracy', 'f1', 'log_loss', 'mae', 'r2', 'rmse', 'roc_auc'], params: [], tags: [] };
    expect(defaultColumnIds(both, ['regression'])).toEqual(['metrics.r2', 'metrics.rmse', 'metrics.mae', 'dataset', 'tags', 'note']);
    expect(defaultColumnIds(both, ['classification'])).toEqual(['metrics.roc_auc', 'metrics.accuracy', 'metrics.f1', 'dataset', 'tags', 'note']);
    expect(defaultColumnIds(both, ['classification', 'regression'])).toEqual(['metrics.roc_auc', 'metrics.accuracy', 'metrics.r2', 'metrics.rmse', 'dataset', 'tags', 'note']);
    // A task whose metrics no run logged (an mlflow script's own names): the main metrics present instead.
    expect(defaultColumnIds({ metrics: ['final_auc', 'val_loss'], params: [], tags: [] }, ['classification'])).toEqual(['metrics.final_auc', 'metrics.val_loss', 'dataset', 'tags', 'note']);
  });

  it("tells a run's task from its task param, else from its metrics", () => {
    expect(runTask(makeRun('a', { params: { task: 'regression' }, metrics: { accuracy: 1 } }))).toBe('regression');
    expect(runTask(makeRun('b', { metrics: { rmse: 3, r2: 0.5 } }))).toBe('regression');
    expect(runTask(makeRun('c', { metrics: { training_accuracy_score: 0.9, val_roc_auc: 0.8 } }))).toBe('classification');
    expect(runTask(makeRun('d', { metrics: { loss: 0.1 } }))).toBeUndefined();
    // Both kinds of metric and no param: cannot tell.
    expect(runTask(makeRun('e', { metrics: { accuracy: 0.9, rmse: 0.1 } }))).toBeUndefined();
    expect(listedTasks([makeRun('b', { metrics: { r2: 0.5 } }), makeRun('c', { params: { task: 'classification' } }), makeRun('d')])).toEqual(['classification', 'regression']);
    expect(listedTasks([])).toEqual([]);
  });

  it("names a run's dataset from Cairn's tag, a param, or its logged input", () => {
    expect(runDataset(makeRun('a', { tags: { 'cairn.dataset': 'adult' }, params: { dataset: 'other' } }))).toBe('adult');
    expect(runDataset(makeRun('b', { params: { dataset: 'diabetes' } }))).toBe('diabetes');
    const logged = makeRun('c');
    logged.inputs.dataset_inputs.push({ dataset: { name: 'wine-train', digest: 'd1', source_type: 'local', source: '/x.csv' }, tags: [] });
    expect(runDataset(logged)).toBe('wine-train');
    expect(runDataset(makeRun('d'))).toBeUndefined();
  });

  it('makes columns from ids, quoting keys for the server', () => {
    expect(columnFor('metrics.roc_auc')).toMatchObject({ kind: 'metric', key: 'roc_auc', sortKey: 'metrics.roc_auc', numeric: true });
    expect(columnFor('params.my param')?.sortKey).toBe('params.`my param`');
    expect(columnFor('tags.mlflow.runName')?.key).toBe('mlflow.runName');
    expect(columnFor('bogus')).toBeNull();
    expect(tableColumns(['note', 'metrics.f1', 'note']).map((c) => c.id)).toEqual(['name', 'status', 'start', 'duration', 'model', 'note', 'metrics.f1']);
    expect(quoteKey('tags', 'a`b')).toBe('tags."a`b"');
  });

  it('sorts numbers largest first and text from A; the third click goes back to newest first', () => {
    const auc = columnFor('metrics.roc_auc')!;
    const name = tableColumns([])[0];
    let s = nextSort(null, auc);
    expect(orderBy(s)).toEqual(['metrics.roc_auc DESC']);
    s = nextSort(s, auc);
    expect(orderBy(s)).toEqual(['metrics.roc_auc ASC']);
    s = nextSort(s, auc);
    expect(orderBy(s)).toEqual(['attributes.start_time DESC']);
    expect(orderBy(nextSort(null, name))).toEqual(['attributes.run_name ASC']);
    expect(nextSort({ key: 'x', desc: true }, tableColumns([])[3])).toEqual({ key: 'x', desc: true });
  });

  it('formats metrics with 4 significant digits', () => {
    expect(formatMetric(0.927637950659)).toBe('0.9276');
    expect(formatMetric(12.3456)).toBe('12.35');
    expect(formatMetric(1234.56)).toBe('1,235');
    expect(formatMetric(0.00001234)).toBe('1.234e-5');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(0.94)).toBe('0.9400');
    expect(formatMetric(3)).toBe('3');
    expect(formatMetric('NaN')).toBe('NaN');
    expect(formatMetric(undefined)).toBe('');
  });

  it('formats durations and counts running runs up to now', () => {
    expect(formatSpan(840)).toBe('840 ms');
    expect(formatSpan(2830)).toBe('2.8 s');
    expect(formatSpan(64_000)).toBe('1 min 4 s');
    expect(formatSpan(7_500_000)).toBe('2 h 5 min');
    expect(runDuration(fakeRun(1), 9999)).toBe(2500);
    expect(formatAgoShort(0, 30_000)).toBe('just now');
    expect(formatAgoShort(0, 4 * 60_000)).toBe('4 min ago');
    expect(formatAgoShort(0, 3 * 3_600_000)).toBe('3 h ago');
    expect(formatAgoShort(0, 65 * 86_400_000)).toBe('2 mo ago');
    expect(runDuration(fakeRun(1, 'RUNNING'), 4000)).toBe(3000);
  });
});
