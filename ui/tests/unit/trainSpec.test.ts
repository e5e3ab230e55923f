import { describe, expect, it } from 'vitest';
import { autoTask, checkParam, defaultModel, formIssues, guessTarget, modelsFor, newForm, rangeHint, specFromForm } from '../../src/lib/runs/train/spec';
import type { ColumnInfo, ModelInfo, ParamSpec } from '../../src/lib/types.gen';

const col = (name: string, dtype: ColumnInfo['dtype']): ColumnInfo => ({ name, dtype, physical: dtype, missing: 0 });
const lr: ParamSpec = { name: 'learning_rate', label: 'Learning rate', kind: 'float', default: '0.3', min: 0, min_exclusive: true, max: 1, choices: [], help: '' };
const trees: ParamSpec = { name: 'iterations', label: 'Trees', kind: 'int', default: '100', min: 1, min_exclusive: false, max: 10000, choices: [], help: '' };
const crit: ParamSpec = { name: 'criterion', label: 'Split quality', kind: 'choice', default: 'gini', min_exclusive: false, choices: ['gini', 'entropy'], help: '' };
const gbm: ModelInfo = { kind: 'gbm', label: 'Gradient-boosted trees', tasks: ['classification', 'regression'], params: [trees, lr], description: '' };
const logistic: ModelInfo = { kind: 'logistic', label: 'Logistic regression', tasks: ['classification'], params: [], description: '' };
const linear: ModelInfo = { kind: 'linear', label: 'Linear regression', tasks: ['regression'], params: [], description: '' };

describe('train form', () => {
  it('guesses a target only from plain names', () => {
    expect(guessTarget([col('age', 'int'), col('class', 'string')])).toBe('class');
    expect(guessTarget([col('Label', 'int')])).toBe('Label');
    expect(guessTarget([col('age', 'int'), col('readmitted', 'bool')])).toBe('');
  });

  it('knows the task auto picks, as the server does', () => {
    expect(autoTask(col('c', 'string'))).toBe('classification');
    expect(autoTask(col('c', 'bool'))).toBe('classification');
    expect(autoTask(col('c', 'float'))).toBe('regression');
    expect(autoTask(col('c', 'int'))).toBeNull();
    expect(autoTask(col('c', 'int'), 3)).toBe('classification');
    expect(autoTask(col('c', 'int'), 500)).toBe('regression');
  });

  it('offers the models that can do the task, GBM first when it fits', () => {
    const all = [logistic, gbm, linear];
    expect(modelsFor(all, 'regression').map((m) => m.kind)).toEqual(['gbm', 'linear']);
    expect(modelsFor(all, null)).toHaveLength(3);
    expect(defaultModel([logistic, linear], 'gbm')).toBe('logistic');
    expect(defaultModel(all, 'linear')).toBe('linear');
  });

  it('checks hyperparameters with a message naming them', () => {
    expect(checkParam(lr, '0.1')).toBeNull();
    expect(checkParam(lr, '5')).toBe('Learning rate (learning_rate) must be above 0 and at most 1');
    expect(checkParam(lr, '0')).toBe('Learning rate (learning_rate) must be above 0 and at most 1');
    expect(checkParam(lr, 'abc')).toBe('Learning rate (learning_rate) must be a number above 0 and at most 1');
    expect(checkParam(trees, '1')).toBeNull();
    expect(checkParam(trees, '2.5')).toBe('Trees (iterations) must be a whole number between 1 and 10,000');
    expect(checkParam(trees, '')).toBe('Trees (iterations) needs a value between 1 and 10,000');
    expect(checkParam(crit, 'mse')).toBe('Split quality (criterion) must be one of gini, entropy');
    expect(checkParam(lr, '1e-3')).toBeNull();
    expect(rangeHint(trees)).toBe('1 – 10,000');
  });

  it('lists what is missing or out of range', () => {
    const f = newForm('adult');
    expect(formIssues(f, gbm, []).map((i) => i.field)).toEqual(['target']);
    f.target = 'class';
    f.validation = 'holdout';
    f.testPct = '95';
    f.seed = '-1';
    f.params = { iterations: '0', learning_rate: '0.1' };
    expect(formIssues(f, gbm, [col('class', 'string')]).map((i) => i.field)).toEqual(['testPct', 'seed', 'param:iterations']);
    f.validation = 'k_fold';
    f.folds = '1';
    expect(formIssues(f, gbm, []).map((i) => i.field)).toContain('folds');
  });

  it('makes the spec: every hyperparameter as text, the share as a fraction, optional fields left out', () => {
    const f = newForm('adult');
    f.target = 'class';
    f.params = { learning_rate: ' 0.1 ' };
    expect(specFromForm(f, gbm)).toEqual({
      dataset: 'adult',
      target: 'class',
      model: 'gbm',
      params: { iterations: '100', learning_rate: '0.1' },
      validation: { kind: 'auto' },
      seed: 42,
      experiment: 'Default',
    });
    f.validation = 'holdout';
    f.testPct = '25';
    expect(specFromForm(f, gbm).validation).toEqual({ kind: 'holdout', test_fraction: 0.25 });
    f.task = 'classification';
    f.validation = 'k_fold';
    f.runName = ' first ';
    f.features = ['age', 'class', 'sex'];
    f.experiment = 'tuning';
    expect(specFromForm(f, gbm)).toMatchObject({ task: 'classification', validation: { kind: 'k_fold', folds: 5 }, run_name: 'first', features: ['age', 'sex'], experiment: 'tuning' });
  });
});
