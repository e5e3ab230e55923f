import { describe, expect, it } from 'vitest';
import { appendLog, lastProgress, liveProgress, readableLines } from '../../src/lib/runs/run/logProgress';

const LOG = `training gbm on adult (32561 rows) to predict class
fitting gbm on 26049 rows, testing on 6512
[fit] 1/1
[evaluate] 0/1
`;

describe('log progress', () => {
  it('reads the last [phase] done/total line', () => {
    expect(lastProgress(LOG)).toEqual({ phase: 'evaluate', done: 0, total: 1, unit: '' });
    expect(lastProgress(LOG + '[evaluate] 1/1\nfinished: accuracy 0.8686\n')).toEqual({ phase: 'evaluate', done: 1, total: 1, unit: '' });
    expect(lastProgress('fitting fold 2/5\n[folds] 1/5\n')).toEqual({ phase: 'folds', done: 1, total: 5, unit: '' });
  });

  it('has no progress before the first phase line, and ignores look-alikes', () => {
    expect(lastProgress('')).toBeNull();
    expect(lastProgress('training gbm on adult (32561 rows)\nfitting fold 2/5\n')).toBeNull();
    expect(lastProgress('[fit] one/two\n')).toBeNull();
  });

  it('never reports more done than the total', () => {
    expect(lastProgress('[fit] 7/5')).toMatchObject({ done: 5, total: 5 });
  });

  it('uses boosting rounds while fitting, the log phases after', () => {
    const start = 'training gbm on adult\nfitting gbm on 26049 rows\n';
    expect(liveProgress(start, { done: 42, total: 100 })).toEqual({ phase: 'fit', done: 42, total: 100, unit: 'rounds' });
    expect(liveProgress(start)).toBeNull();
    expect(liveProgress(start + '[fit] 1/1\n[evaluate] 0/1\n', { done: 100, total: 100 })).toMatchObject({ phase: 'evaluate', done: 0 });
    // No rounds logged yet: nothing to show but an indeterminate bar.
    expect(liveProgress(start, { done: 0, total: 100 })).toBeNull();
  });

  it('keeps the readable lines for the tail', () => {
    expect(readableLines(LOG)).toEqual(['training gbm on adult (32561 rows) to predict class', 'fitting gbm on 26049 rows, testing on 6512']);
  });

  it('appends chunks and keeps a bounded tail cut at a line start', () => {
    expect(appendLog('a\n', 'b\n')).toBe('a\nb\n');
    const long = appendLog('x'.repeat(50) + '\n', 'second line\nthird\n', 20);
    expect(long).toBe('second line\nthird\n');
    expect(long.length).toBeLessThanOrEqual(20);
  });
});
