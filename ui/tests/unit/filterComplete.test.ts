import { describe, expect, it } from 'vitest';
import { applySuggestion, complete, errorPosition } from '../../src/lib/runs/table/filterComplete';
import type { RunKeys } from '../../src/lib/types.gen';

const keys: RunKeys = {
  metrics: ['accuracy', 'roc_auc', 'train_log_loss', 'valid log loss'],
  params: ['learning_rate', 'max_depth', 'model'],
  tags: ['mlflow.runName', 'stage'],
};
const hints = { 'params.model': ['gbm', 'logistic'] };

const at = (text: string) => complete(text, text.length, keys, hints);
const labels = (text: string) => at(text).items.map((i) => i.label);

describe('filter completion', () => {
  it('offers the key prefixes on an empty filter', () => {
    expect(labels('')).toEqual(['metrics.', 'params.', 'tags.', 'attributes.']);
    expect(at('').from).toBe(0);
  });

  it('narrows prefixes as they are typed and finds keys by name', () => {
    expect(labels('me')).toEqual(['metrics.']);
    expect(labels('auc')).toEqual(['metrics.roc_auc']);
    expect(labels('model')).toContain('params.model');
  });

  it('offers the keys of an entity after its prefix, those starting with the text first', () => {
    expect(labels('metrics.')).toEqual(['metrics.accuracy', 'metrics.roc_auc', 'metrics.train_log_loss', 'metrics.`valid log loss`']);
    expect(labels('metrics.lo')).toEqual(['metrics.train_log_loss', 'metrics.`valid log loss`']);
    expect(labels('params.m')).toEqual(['params.max_depth', 'params.model']);
    expect(labels('tags.')).toEqual(['tags.mlflow.runName', 'tags.stage']);
    expect(labels('attributes.st')).toEqual(['attributes.status', 'attributes.start_time']);
    // Aliases are understood; suggestions use the canonical spelling.
    expect(labels('metric.roc')).toEqual(['metrics.roc_auc']);
  });

  it('completes a key from where it starts, after earlier clauses too', () => {
    const text = "params.model = 'gbm' and metrics.ro";
    const c = at(text);
    expect(c.from).toBe(text.indexOf('metrics.ro'));
    expect(c.partial).toBe('metrics.ro');
    expect(c.items[0].insert).toBe('metrics.roc_auc ');
  });

  it('offers the operators that suit the key', () => {
    expect(labels('metrics.roc_auc ')).toEqual(['>', '>=', '<', '<=', '=', '!=']);
    expect(labels('params.model ')).toEqual(['=', '!=', 'LIKE', 'ILIKE', 'IS NULL', 'IS NOT NULL']);
    expect(labels('attributes.status ')).toContain('IN');
    expect(labels('attributes.start_time ')).toContain('>=');
    expect(labels('metrics.roc_auc >')).toEqual(['>', '>=']);
    expect(labels('params.model IS N')).toEqual(['IS NULL', 'IS NOT NULL']);
    expect(labels('params.model i')).toEqual(['ILIKE', 'IS NULL', 'IS NOT NULL']);
  });

  it('offers known values: run statuses and hinted params', () => {
    expect(labels('attributes.status = ')).toContain("'FINISHED'");
    expect(labels("attributes.status = 'RU")).toEqual(["'RUNNING'"]);
    expect(labels('params.model = ')).toEqual(["'gbm'", "'logistic'"]);
    expect(labels('metrics.roc_auc > ')).toEqual([]);
    expect(labels('metrics.roc_auc > 0.9')).toEqual([]);
  });

  it('offers `and` after a complete condition, then keys again', () => {
    expect(labels('metrics.roc_auc > 0.9 ')).toEqual(['and']);
    expect(labels("params.model = 'gbm' a")).toEqual(['and']);
    expect(labels("params.model = 'gbm'")).toEqual([]);
    expect(labels('params.model IS NULL ')).toEqual(['and']);
    expect(labels('metrics.roc_auc > 0.9 AND ')).toEqual(['metrics.', 'params.', 'tags.', 'attributes.']);
    expect(labels('metrics.roc_auc > 0.9 and params.')).toEqual(['params.learning_rate', 'params.max_depth', 'params.model']);
  });

  it('reads operators written without spaces', () => {
    expect(labels('metrics.roc_auc>0.9 ')).toEqual(['and']);
    expect(labels('metrics.roc_auc>=0.9 and metrics.acc')).toEqual(['metrics.accuracy']);
  });

  it('offers nothing after text it cannot read', () => {
    expect(labels('metrics.roc_auc ~ 3 ')).toEqual([]);
    expect(labels('metrics.roc_auc > 0.9 or ')).toEqual([]);
  });

  it('completes at the caret, not at the end', () => {
    const text = 'metrics.ro > 0.9';
    const c = complete(text, 'metrics.ro'.length, keys);
    expect(c.items.map((i) => i.label)).toEqual(['metrics.roc_auc']);
  });
});

describe('applying a suggestion', () => {
  it('replaces the partial key and leaves the caret after the inserted text', () => {
    const text = 'metrics.ro';
    const c = at(text);
    const r = applySuggestion(text, text.length, c, c.items[0]);
    expect(r).toEqual({ text: 'metrics.roc_auc ', caret: 16 });
  });

  it('replaces the whole word under the caret and does not double spaces', () => {
    const text = 'metrics.ro_xx > 0.9';
    const c = complete(text, 'metrics.ro'.length, keys);
    const item = { label: 'metrics.roc_auc', insert: 'metrics.roc_auc ', kind: 'key' as const };
    expect(applySuggestion(text, 'metrics.ro'.length, c, item).text).toBe('metrics.roc_auc > 0.9');
  });

  it('keeps prefixes open for the key that follows', () => {
    const c = at('par');
    expect(applySuggestion('par', 3, c, c.items[0])).toEqual({ text: 'params.', caret: 7 });
  });
});

describe('errorPosition', () => {
  it('reads the server’s position, 1-based, as 0-based', () => {
    expect(errorPosition('at character 17: `~` is not an operator')).toBe(16);
    expect(errorPosition('in order_by `x`, at character 1: nope')).toBe(0);
    expect(errorPosition('something else')).toBeNull();
  });
});
