import { describe, expect, it } from 'vitest';
import type { FlowDoc, FlowStep, OpSpec } from '../../src/lib/types.gen';
import {
  History,
  addStep,
  canMove,
  conditionComplete,
  flatten,
  initialValues,
  moveStep,
  newStep,
  opsForColumn,
  pinned,
  removeStep,
  stepSummary,
  toParams,
  toggleStep,
  unflatten,
  updateStep,
  valuesOf,
  visible,
} from '../../src/lib/wrangle/flow';
import { href, parseHash } from '../../src/lib/routes';

const step = (op: string, params: Record<string, unknown> = {}, fitted: unknown = null): FlowStep => ({ op, version: 1, params, fitted, enabled: true });
const doc = (steps: FlowStep[]): FlowDoc => ({ format: 1, name: 'f', sources: [{ name: 's', dataset: { id: 'ds_1', version: 'v' } }], steps });

const fill: OpSpec = {
  name: 'fill_missing',
  label: 'Fill missing values',
  group: 'missing',
  version: 1,
  fits: true,
  doc: 'fill missing values: columns, strategy, value',
  for_columns: ['int', 'string'],
  params: [
    { name: 'columns', label: 'columns', kind: 'columns', required: true, default: null, choices: [], column_types: [], when: [], help: '' },
    { name: 'strategy', label: 'strategy', kind: 'choice', required: true, default: null, choices: ['mode', 'mean', 'median', 'constant'], column_types: [], when: [], help: '' },
    { name: 'value', label: 'value', kind: 'value', required: false, default: null, choices: [], column_types: [], when: ['strategy', 'constant'], help: '' },
  ],
};
const split: OpSpec = {
  name: 'split',
  label: 'Train/test split',
  group: 'split',
  version: 1,
  fits: false,
  doc: '',
  for_columns: ['string'],
  params: [
    { name: 'kind', label: 'kind', kind: 'choice', required: false, default: 'random', choices: ['random', 'stratified', 'time'], column_types: [], when: [], help: '' },
    { name: 'test_fraction', label: 'test fraction', kind: 'number', required: false, default: 0.2, choices: [], column_types: [], when: [], help: '' },
    { name: 'seed', label: 'seed', kind: 'integer', required: false, default: 42, choices: [], column_types: [], when: [], help: '' },
    { name: 'stratify', label: 'Stratify on', kind: 'column', required: true, default: null, choices: [], column_types: [], when: ['kind', 'stratified'], help: '' },
  ],
};

describe('undo/redo history', () => {
  it('undoes and redoes edits in order, and a new edit drops the redo branch', () => {
    const h = new History(1);
    h.push(2);
    h.push(3);
    expect(h.undo()).toBe(2);
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBeNull();
    expect(h.canUndo).toBe(false);
    expect(h.redo()).toBe(2);
    expect(h.canRedo).toBe(true);
    h.push(9);
    expect(h.canRedo).toBe(false);
    expect(h.redo()).toBeNull();
    expect(h.present).toBe(9);
    expect(h.undo()).toBe(2);
  });
  it('keeps at most `limit` states to undo', () => {
    const h = new History(0, 3);
    for (let i = 1; i <= 10; i++) h.push(i);
    let n = 0;
    while (h.undo() !== null) n++;
    expect(n).toBe(3);
    expect(h.present).toBe(7);
  });
});

describe('step edits', () => {
  const fitted = doc([step('drop', { columns: ['a'] }), step('fill_missing', { columns: ['b'], strategy: 'mode' }, { values: { b: 'x' } }), step('one_hot', { column: 'c' }, { categories: [1] })]);
  it('an edit forgets what the edited step and the steps after it learned, not the ones before', () => {
    const d = updateStep(fitted, 1, { columns: ['b'], strategy: 'mean' });
    expect(d.steps[1].params).toEqual({ columns: ['b'], strategy: 'mean' });
    expect(d.steps.map((s) => s.fitted)).toEqual([null, null, null]);
    const e = updateStep(fitted, 2, { column: 'd' });
    expect(e.steps[1].fitted).toEqual({ values: { b: 'x' } });
    expect(e.steps[2].fitted).toBeNull();
    expect(fitted.steps[1].fitted).toEqual({ values: { b: 'x' } });
  });
  it('adds, toggles, moves and removes', () => {
    let d = addStep(fitted, step('trim', { columns: ['s'] }));
    expect(d.steps.map((s) => s.op)).toEqual(['drop', 'fill_missing', 'one_hot', 'trim']);
    expect(d.steps[1].fitted).not.toBeNull();
    d = toggleStep(d, 3);
    expect(d.steps[3].enabled).toBe(false);
    d = moveStep(d, 3, 0);
    expect(d.steps.map((s) => s.op)).toEqual(['trim', 'drop', 'fill_missing', 'one_hot']);
    expect(d.steps[2].fitted).toBeNull();
    expect(moveStep(d, 0, -1)).toBe(d);
    d = removeStep(d, 0);
    expect(d.steps.map((s) => s.op)).toEqual(['drop', 'fill_missing', 'one_hot']);
  });
});

describe('the split comes first', () => {
  const three = doc([step('mark_missing', { values: ['?'] }), step('fill_missing', { columns: ['b'], strategy: 'median' }, { values: { b: 1 } }), step('one_hot', { column: 'c' })]);
  it('adds a split as step 1 whatever was added before, and forgets what the steps after it learned', () => {
    const d = addStep(three, step('split', { kind: 'random' }));
    expect(d.steps.map((s) => s.op)).toEqual(['split', 'mark_missing', 'fill_missing', 'one_hot']);
    expect(d.steps.every((s) => s.fitted === null)).toBe(true);
    expect(pinned(d.steps, 0)).toBe(true);
    expect(pinned(three.steps, 0)).toBe(false);
    // Later steps go after it, never above it.
    expect(addStep(d, step('trim', { columns: ['s'] }), 0).steps.map((s) => s.op)).toEqual(['split', 'trim', 'mark_missing', 'fill_missing', 'one_hot']);
    // A second split is not added: a flow has one.
    expect(addStep(d, step('split', { kind: 'time', time_column: 't' }))).toBe(d);
  });
  it('moves nothing above the split, nor the split below a step', () => {
    const d = addStep(three, step('split', {}));
    expect(canMove(d.steps, 1, 0)).toBe(false);
    expect(canMove(d.steps, 0, 1)).toBe(false);
    expect(moveStep(d, 1, 0)).toBe(d);
    expect(moveStep(d, 0, 2)).toBe(d);
    expect(canMove(d.steps, 2, 1)).toBe(true);
    expect(moveStep(d, 2, 1).steps.map((s) => s.op)).toEqual(['split', 'fill_missing', 'mark_missing', 'one_hot']);
    // Without a split every step moves.
    expect(canMove(three.steps, 1, 0)).toBe(true);
  });
});

describe('forms from parameter schemas', () => {
  it('starts from defaults and puts a clicked column in the first column picker', () => {
    expect(initialValues(fill)).toEqual({ columns: [], strategy: 'mode', value: '' });
    expect(initialValues(fill, 'race').columns).toEqual(['race']);
    expect(initialValues(split, 'readmitted_30')).toMatchObject({ kind: 'random', test_fraction: 0.2, seed: 42, stratify: 'readmitted_30' });
  });
  it('shows a parameter only when its `when` holds', () => {
    const v = initialValues(fill);
    expect(visible(fill.params[2], v)).toBe(false);
    v.strategy = 'constant';
    expect(visible(fill.params[2], v)).toBe(true);
  });
  it('builds params: required ones named, hidden and empty optional ones left out, values typed by column', () => {
    const v = initialValues(fill);
    expect(toParams(fill, v).errors).toEqual({ columns: 'choose at least one' });
    v.columns = ['age'];
    v.value = '7';
    expect(toParams(fill, v)).toEqual({ params: { columns: ['age'], strategy: 'mode' }, errors: {} });
    v.strategy = 'constant';
    expect(toParams(fill, v, { age: 'int' }).params).toEqual({ columns: ['age'], strategy: 'constant', value: 7 });
    expect(toParams(fill, v, { age: 'string' }).params.value).toBe('7');
    const s = initialValues(split);
    s.kind = 'stratified';
    // A stratified split names its column before it can be added (it was once titled "stratified on undefined").
    expect(toParams(split, s).errors).toEqual({ stratify: 'choose a column' });
    s.stratify = 'y';
    s.test_fraction = '0.25';
    expect(toParams(split, s).params).toEqual({ kind: 'stratified', test_fraction: 0.25, seed: 42, stratify: 'y' });
    s.seed = 1.5;
    expect(toParams(split, s).errors).toEqual({ seed: 'a whole number' });
  });
  it('edits an existing step from its params', () => {
    expect(valuesOf(fill, { columns: ['x'], strategy: 'constant', value: 0 })).toEqual({ columns: ['x'], strategy: 'constant', value: 0 });
  });
  it('opens a step just added from the form: its params are plain data, not reactive proxies', () => {
    // Form values are Svelte state, i.e. proxies, which structuredClone refuses (the edit form then failed
    // until a reload).
    const proxied = new Proxy({ columns: new Proxy(['race'], {}), strategy: 'mode' }, {});
    expect(() => structuredClone(proxied)).toThrow();
    const d = addStep(doc([]), newStep(fill, proxied));
    expect(structuredClone(d.steps[0].params)).toEqual({ columns: ['race'], strategy: 'mode' });
    expect(valuesOf(fill, proxied as Record<string, unknown>)).toEqual({ columns: ['race'], strategy: 'mode', value: '' });
    const e = updateStep(d, 0, proxied);
    expect(structuredClone(e.steps[0].params)).toEqual({ columns: ['race'], strategy: 'mode' });
  });
  it('offers operators for a column by its type', () => {
    expect(opsForColumn([fill, split], 'int').map((o) => o.name)).toEqual(['fill_missing']);
    expect(opsForColumn([fill, split], 'string').map((o) => o.name)).toEqual(['fill_missing', 'split']);
  });
});

describe('conditions', () => {
  it('flattens and rebuilds all/any lists', () => {
    const c = { all: [{ column: 'a', op: 'eq', value: 1 }, { column: 'b', op: 'is_null' }] };
    const f = flatten(c);
    expect(f.join).toBe('all');
    expect(unflatten('any', f.items)).toEqual({ any: c.all });
    expect(unflatten('all', f.items.slice(0, 1))).toEqual(c.all[0]);
    expect(unflatten('all', [])).toBeNull();
  });
  it('is complete when every comparison has what its operator needs', () => {
    expect(conditionComplete({ column: 'a', op: 'eq', value: '' })).toBe(false);
    expect(conditionComplete({ column: 'a', op: 'is_null' })).toBe(true);
    expect(conditionComplete({ column: 'a', op: 'in', value: [] })).toBe(false);
    expect(conditionComplete({ any: [{ column: 'a', op: 'eq', value: '<30' }] })).toBe(true);
  });
  it('summarises steps for the list', () => {
    expect(stepSummary(step('derive', { name: 'r30', when: { column: 'readmitted', op: 'eq', value: '<30' } }), undefined)).toBe('derive: r30 ← readmitted = "<30"');
    expect(stepSummary(step('split', { kind: 'stratified', stratify: 'y', test_fraction: 0.2 }), split)).toBe('Train/test split: 80/20 stratified on y');
  });
});

describe('the wrangle route', () => {
  it('round-trips a flow name through the hash', () => {
    const r = { name: 'wrangle' as const, pid: 'p1', flow: 'diabetic data/2' };
    expect(parseHash(href(r))).toEqual(r);
  });
});
