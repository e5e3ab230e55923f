// The wrangling page's logic, kept out of components so it is tested on its own: undo/redo history,
// step edits (which forget what later steps learned), forms generated from operator parameter schemas,
// conditions, and the operators offered for a column.
import type { DType, FlowDoc, FlowStep, OpParam, OpSpec } from '../types.gen';

/** Undo/redo over immutable states. */
export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  constructor(
    public present: T,
    private readonly limit = 200,
  ) {}

  push(next: T): T {
    this.past.push(this.present);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
    this.present = next;
    return next;
  }
  undo(): T | null {
    const prev = this.past.pop();
    if (prev === undefined) return null;
    this.future.push(this.present);
    this.present = prev;
    return prev;
  }
  redo(): T | null {
    const next = this.future.pop();
    if (next === undefined) return null;
    this.past.push(this.present);
    this.present = next;
    return next;
  }
  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
}

/**
 * The flow with new steps. Steps from `from` on forget their fitted values: their input may have
 * changed, so they must learn again (the server does the same when it saves).
 */
export function withSteps(doc: FlowDoc, steps: FlowStep[], from: number): FlowDoc {
  return { ...doc, steps: steps.map((s, i) => (i >= from && s.fitted !== null ? { ...s, fitted: null } : s)) };
}

/**
 * A plain copy of JSON data. Form values are Svelte state (proxies), which `structuredClone` refuses; a
 * step's params must be plain data before they go into the flow.
 */
export function plain<T>(x: T): T {
  return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T);
}

export function newStep(op: OpSpec, params: Record<string, unknown>): FlowStep {
  return { op: op.name, version: op.version, params: plain(params), fitted: null, enabled: true };
}

// ---- the split comes first ----

/** The operator that marks train and test rows. A flow has one, always its first step. */
export const SPLIT = 'split';

/** The step `i` is the split pinned at the top of the flow. */
export function pinned(steps: FlowStep[], i: number): boolean {
  return i === 0 && steps[0]?.op === SPLIT;
}

/** The index of the flow's split, or -1. */
export function splitIndex(doc: FlowDoc): number {
  return doc.steps.findIndex((s) => s.op === SPLIT);
}

/**
 * Where a new step of this operator goes: a split first (so every step that learns from data learns
 * from the train rows only, whatever order the steps were added in), anything else at the end.
 */
export function insertAt(doc: FlowDoc, op: string): number {
  return op === SPLIT ? 0 : doc.steps.length;
}

export function addStep(doc: FlowDoc, step: FlowStep, at = insertAt(doc, step.op)): FlowDoc {
  // A second split is refused by the engine: the form edits the one there is instead.
  if (step.op === SPLIT && splitIndex(doc) >= 0) return doc;
  const pos = step.op === SPLIT ? 0 : Math.max(at, pinned(doc.steps, 0) ? 1 : 0);
  const steps = [...doc.steps];
  steps.splice(pos, 0, step);
  return withSteps(doc, steps, pos);
}

export function updateStep(doc: FlowDoc, i: number, params: Record<string, unknown>): FlowDoc {
  return withSteps(doc, doc.steps.map((s, k) => (k === i ? { ...s, params: plain(params) } : s)), i);
}

export function toggleStep(doc: FlowDoc, i: number): FlowDoc {
  return withSteps(doc, doc.steps.map((s, k) => (k === i ? { ...s, enabled: !s.enabled } : s)), i);
}

export function removeStep(doc: FlowDoc, i: number): FlowDoc {
  return withSteps(doc, doc.steps.filter((_, k) => k !== i), i);
}

/** Step `i` can move to position `j`: neither is the split pinned at the top. */
export function canMove(steps: FlowStep[], i: number, j: number): boolean {
  return j >= 0 && j < steps.length && i !== j && !pinned(steps, i) && !pinned(steps, j);
}

/** Moves step `i` to position `j` (nothing moves above or below the split: it stays first). */
export function moveStep(doc: FlowDoc, i: number, j: number): FlowDoc {
  if (!canMove(doc.steps, i, j)) return doc;
  const steps = [...doc.steps];
  const [s] = steps.splice(i, 1);
  steps.splice(j, 0, s);
  return withSteps(doc, steps, Math.min(i, j));
}

// ---- forms ----

export type FormValues = Record<string, unknown>;

/** Why the flow refuses a step: the message, and the form field it is about (null: the step as a whole). */
export type StepProblem = { param: string | null; message: string };

const LIST_KINDS = new Set(['columns', 'choices', 'texts', 'values', 'sources', 'bools', 'aggregations']);

function empty(p: OpParam): unknown {
  if (LIST_KINDS.has(p.kind)) return [];
  if (p.kind === 'bool') return false;
  if (p.kind === 'mapping') return {};
  if (p.kind === 'condition') return null;
  if (p.kind === 'choice' && p.required) return p.choices[0] ?? '';
  return '';
}

/** The form's first values: defaults, and `column` in the first column picker (a header was clicked). */
export function initialValues(op: OpSpec, column?: string): FormValues {
  const v: FormValues = {};
  for (const p of op.params) v[p.name] = p.default !== null && p.default !== undefined ? plain(p.default) : empty(p);
  if (column) {
    const first = op.params.find((p) => p.kind === 'column' || p.kind === 'columns' || p.kind === 'condition');
    if (first?.kind === 'column') v[first.name] = column;
    else if (first?.kind === 'columns') v[first.name] = [column];
    else if (first?.kind === 'condition') v[first.name] = { column, op: 'eq', value: '' };
    if (op.name === 'split') v.stratify = column;
  }
  return v;
}

/** Values of an existing step, for editing it. */
export function valuesOf(op: OpSpec, params: Record<string, unknown>): FormValues {
  const v = initialValues(op);
  for (const [k, x] of Object.entries(params ?? {})) v[k] = plain(x);
  return v;
}

/** A parameter shows when it has no `when`, or its `when` parameter has one of the listed values. */
export function visible(p: OpParam, values: FormValues): boolean {
  if (p.when.length === 0) return true;
  const [param, ...allowed] = p.when;
  return allowed.includes(String(values[param] ?? ''));
}

function isEmpty(x: unknown): boolean {
  return x === null || x === undefined || x === '' || (Array.isArray(x) && x.length === 0) || (typeof x === 'object' && x !== null && !Array.isArray(x) && Object.keys(x).length === 0);
}

/** Text typed for a value of a column of type `dtype`, as the JSON value the server checks. */
export function coerce(text: unknown, dtype: DType | undefined): unknown {
  if (typeof text !== 'string') return text;
  const t = text.trim();
  if (dtype === 'int' || dtype === 'float') {
    const n = Number(t);
    return t !== '' && Number.isFinite(n) ? n : text;
  }
  if (dtype === 'bool') {
    if (/^(true|yes|1)$/i.test(t)) return true;
    if (/^(false|no|0)$/i.test(t)) return false;
  }
  return text;
}

/** What a required field left empty says. */
function missing(p: OpParam): string {
  if (p.kind === 'column' || p.kind === 'source') return `choose ${p.kind === 'column' ? 'a column' : 'a source'}`;
  if (p.kind === 'columns' || p.kind === 'sources' || p.kind === 'choices') return 'choose at least one';
  if (p.kind === 'new_column') return 'give the new column a name';
  return 'required';
}

/**
 * The step's params from the form, and what is missing or wrong per parameter. Hidden and empty
 * optional parameters are left out (the operator's default applies); numbers are parsed.
 */
export function toParams(op: OpSpec, values: FormValues, types: Record<string, DType> = {}): { params: Record<string, unknown>; errors: Record<string, string> } {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const p of op.params) {
    if (!visible(p, values)) continue;
    let x = values[p.name];
    if (p.kind === 'number' || p.kind === 'integer') {
      if (typeof x === 'string') x = x.trim() === '' ? null : Number(x);
      if (x !== null && (typeof x !== 'number' || !Number.isFinite(x) || (p.kind === 'integer' && !Number.isInteger(x)))) {
        errors[p.name] = p.kind === 'integer' ? 'a whole number' : 'a number';
        continue;
      }
    }
    if (p.kind === 'value') {
      const cols = (values.columns as string[] | undefined) ?? [];
      x = coerce(x, types[cols[0]]);
    }
    if (p.kind === 'condition' && x && !conditionComplete(x as Cond)) {
      errors[p.name] = 'finish the condition: every line needs a column, a comparison and a value';
      continue;
    }
    if (isEmpty(x)) {
      if (p.required && p.kind !== 'bool') errors[p.name] = missing(p);
      continue;
    }
    params[p.name] = x;
  }
  return { params, errors };
}

/** Operators offered when a column of this type is clicked, in palette order. */
export function opsForColumn(ops: OpSpec[], dtype: DType): OpSpec[] {
  return ops.filter((o) => o.for_columns.includes(dtype));
}

export const GROUPS: [string, string][] = [
  ['columns', 'Columns'],
  ['rows', 'Rows'],
  ['missing', 'Missing values'],
  ['derive', 'New columns'],
  ['encode', 'Encode'],
  ['numeric', 'Numbers'],
  ['text', 'Text'],
  ['dates', 'Dates'],
  ['split', 'Train/test'],
  ['combine', 'Combine'],
  ['reshape', 'Reshape'],
];

// ---- conditions ----

export type Cmp = { column: string; op: string; value?: unknown };
export type Cond = Cmp | { all: Cond[] } | { any: Cond[] } | { not: Cond };

export const CMP_OPS: { op: string; label: string; arity: 0 | 1 | 'list' }[] = [
  { op: 'eq', label: '=', arity: 1 },
  { op: 'ne', label: '≠', arity: 1 },
  { op: 'lt', label: '<', arity: 1 },
  { op: 'le', label: '≤', arity: 1 },
  { op: 'gt', label: '>', arity: 1 },
  { op: 'ge', label: '≥', arity: 1 },
  { op: 'is_null', label: 'is missing', arity: 0 },
  { op: 'not_null', label: 'is not missing', arity: 0 },
  { op: 'in', label: 'is one of', arity: 'list' },
  { op: 'not_in', label: 'is none of', arity: 'list' },
  { op: 'contains', label: 'contains', arity: 1 },
  { op: 'starts_with', label: 'starts with', arity: 1 },
  { op: 'ends_with', label: 'ends with', arity: 1 },
];

export function isCmp(c: Cond): c is Cmp {
  return 'column' in c;
}

/** A condition as a flat list of comparisons joined by all/any (what the builder edits). */
export function flatten(c: Cond | null | undefined): { join: 'all' | 'any'; items: Cmp[] } {
  if (!c) return { join: 'all', items: [] };
  if (isCmp(c)) return { join: 'all', items: [c] };
  if ('all' in c) return { join: 'all', items: c.all.filter(isCmp) };
  if ('any' in c) return { join: 'any', items: c.any.filter(isCmp) };
  return { join: 'all', items: [] };
}

export function unflatten(join: 'all' | 'any', items: Cmp[]): Cond | null {
  if (items.length === 0) return null;
  if (items.length === 1) return items[0];
  return join === 'all' ? { all: items } : { any: items };
}

export function conditionComplete(c: Cond): boolean {
  if (isCmp(c)) {
    const arity = CMP_OPS.find((o) => o.op === c.op)?.arity;
    if (!c.column || arity === undefined) return false;
    if (arity === 0) return true;
    if (arity === 'list') return Array.isArray(c.value) && c.value.length > 0;
    return c.value !== undefined && c.value !== null && c.value !== '';
  }
  if ('all' in c) return c.all.length > 0 && c.all.every(conditionComplete);
  if ('any' in c) return c.any.length > 0 && c.any.every(conditionComplete);
  return conditionComplete(c.not);
}

function describeCond(c: Cond): string {
  if (isCmp(c)) {
    const o = CMP_OPS.find((x) => x.op === c.op);
    const v = o?.arity === 0 ? '' : ` ${Array.isArray(c.value) ? c.value.map((x) => JSON.stringify(x)).join(', ') : JSON.stringify(c.value)}`;
    return `${c.column} ${o?.label ?? c.op}${v}`;
  }
  if ('all' in c) return c.all.map(describeCond).join(' and ');
  if ('any' in c) return c.any.map(describeCond).join(' or ');
  return `not (${describeCond(c.not)})`;
}

/** One line saying what a step does, e.g. "Drop columns: weight, payer_code". */
export function stepSummary(step: FlowStep, op: OpSpec | undefined): string {
  const p = step.params ?? {};
  const label = op?.label ?? step.op;
  const list = (x: unknown) => (Array.isArray(x) ? x.join(', ') : String(x ?? ''));
  switch (step.op) {
    case 'filter':
      return `${label}: ${p.keep ? describeCond(p.keep as Cond) : ''}`;
    case 'derive':
      return `${label}: ${String(p.name)} ← ${p.when ? describeCond(p.when as Cond) : ''}`;
    case 'mark_missing':
      return `${label}: ${list(p.values)}${Array.isArray(p.columns) && p.columns.length ? ` in ${list(p.columns)}` : ''}`;
    case 'fill_missing':
      return `${label}: ${list(p.columns)} (${String(p.strategy)}${p.strategy === 'constant' ? ` ${JSON.stringify(p.value)}` : ''})`;
    case 'split': {
      const test = Number(p.test_fraction ?? 0.2);
      const how = p.kind === 'stratified' ? ` stratified on ${String(p.stratify ?? '(no column)')}` : p.kind === 'time' ? ` by ${String(p.time_column ?? '(no column)')}` : '';
      return `${label}: ${Math.round(100 - test * 100)}/${Math.round(test * 100)}${how}`;
    }
    case 'rename':
      return `${label}: ${Object.entries((p.mapping as Record<string, string>) ?? {}).map(([a, b]) => `${a} → ${b}`).join(', ')}`;
  }
  const main = p.columns ?? p.column ?? p.by ?? p.source ?? p.sources;
  return main !== undefined ? `${label}: ${list(main)}` : label;
}

/** A file's text offered as a download. */
export function download(name: string, text: string, type = 'text/x-python'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
