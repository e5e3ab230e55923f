import { describe, expect, it } from 'vitest';
import { mlflowLink } from '../../src/lib/routes';
import { finalMetricKeys, trainedByCairn } from '../../src/lib/runs/compare/logic';
import { childMetricKeys, childrenFilter, curveXs, filterString, isCairnRun, parentRunId, runSource, sourceArtifact, unsteppedKeys } from '../../src/lib/runs/run/mlflowFacts';
import { makeRun } from './runFixtures';

describe('runs logged through the mlflow client', () => {
  it('reads the parent and builds the filters that find children', () => {
    expect(parentRunId(makeRun('c', { tags: { 'mlflow.parentRunId': 'p1' } }))).toBe('p1');
    expect(parentRunId(makeRun('p'))).toBeUndefined();
    expect(childrenFilter('abc')).toBe("tags.mlflow.parentRunId = 'abc'");
    expect(filterString("it's")).toBe("'it''s'");
  });

  it('tells Cairn-trained runs from logged ones', () => {
    expect(isCairnRun(makeRun('a', { tags: { 'cairn.version': '0.1' } }))).toBe(true);
    expect(isCairnRun(makeRun('b', { tags: { 'mlflow.source.name': 'train.py' } }))).toBe(false);
  });

  it('reads the source tags, falling back to the run user', () => {
    const r = makeRun('a', { tags: { 'mlflow.source.name': '/home/me/train.py', 'mlflow.source.type': 'LOCAL', 'mlflow.source.git.commit': 'deadbeefcafe' } });
    expect(runSource(r)).toMatchObject({ name: '/home/me/train.py', type: 'LOCAL', commit: 'deadbeefcafe', user: 'cairn' });
  });

  it('finds the logged script among the artifacts, nearest the root', () => {
    const files = [
      { path: 'code', is_dir: true },
      { path: 'code/train.py', is_dir: false },
      { path: 'train.py', is_dir: false },
      { path: 'other.py', is_dir: false },
    ];
    expect(sourceArtifact('/home/me/train.py', files)).toBe('train.py');
    expect(sourceArtifact('C:\\work\\train.py', files.slice(0, 2))).toBe('code/train.py');
    expect(sourceArtifact('missing.py', files)).toBeUndefined();
    expect(sourceArtifact(undefined, files)).toBeUndefined();
    expect(sourceArtifact('train.py', null)).toBeUndefined();
  });

  it('picks the metrics most children share, final ones before curves', () => {
    const kids = [
      makeRun('1', { metrics: { auc: 0.8, loss: [0.3, 49], only_one: 1 } }),
      makeRun('2', { metrics: { auc: 0.7, loss: [0.4, 49] } }),
    ];
    expect(childMetricKeys(kids, 2)).toEqual(['auc', 'loss']);
    expect(childMetricKeys(kids)).toEqual(['auc', 'loss', 'only_one']);
  });

  it('opens the run links the mlflow client prints', () => {
    expect(mlflowLink('#/experiments/3/runs/abc123', 'p')).toEqual({ name: 'run', pid: 'p', rid: 'abc123' });
    expect(mlflowLink('#/experiments/3', 'p')).toEqual({ name: 'runs', pid: 'p', exp: '3' });
    expect(mlflowLink('#/p/x/runs', 'p')).toBeNull();
    expect(mlflowLink('', 'p')).toBeNull();
  });
});

describe('charts and comparisons of logged runs', () => {
  it('reads histories logged without steps in the order logged', () => {
    expect(curveXs([0, 0, 0])).toEqual({ xs: [1, 2, 3], byOrder: true });
    expect(curveXs([0, 1, 2])).toEqual({ xs: [0, 1, 2], byOrder: false });
    expect(curveXs([5])).toEqual({ xs: [5], byOrder: false });
  });

  it('probes the unstepped metrics, unless there are too many', () => {
    const metrics = [
      { key: 'loss', step: 0 },
      { key: 'val_loss', step: 49 },
      { key: 'auc', step: 0 },
    ];
    expect(unsteppedKeys(metrics, ['val_loss'])).toEqual(['auc', 'loss']);
    expect(unsteppedKeys(metrics, ['val_loss'], 1)).toEqual([]);
  });

  it("compares a script's last stepped values, not Cairn's per-round curves", () => {
    const logged = [makeRun('a', { metrics: { final_auc: 0.8, val_loss: [0.2, 49] } }), makeRun('b', { metrics: { final_auc: 0.7, val_loss: [0.3, 49] } })];
    expect(finalMetricKeys(logged)).toEqual(['final_auc', 'val_loss']);
    const cairn = makeRun('c', { params: { task: 'classification' }, metrics: { roc_auc: 0.9, train_log_loss: [0.2, 100] } });
    expect(trainedByCairn(cairn)).toBe(true);
    expect(trainedByCairn(logged[0])).toBe(false);
    expect(finalMetricKeys([cairn, logged[0]])).toEqual(['roc_auc', 'final_auc', 'val_loss']);
  });
});
