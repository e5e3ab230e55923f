/**
 * The train dialog's form as plain data: defaults, checks the form makes before asking the server (so the
 * message names the field at once), and the TrainSpec it becomes. The server checks everything again.
 */
import { formatStat } from '../../format';
import type { ColumnInfo, ModelInfo, ModelKind, ParamSpec, Task, TrainSpec } from '../../types.gen';

export type TaskChoice = 'auto' | Task;

export interface TrainForm {
  dataset: string;
  target: string;
  task: TaskChoice;
  model: ModelKind;
  /** Hyperparameters as typed, by name. */
  params: Record<string, string>;
  /** `auto`: the data's split column when it has one (else a fifth held out). */
  validation: 'auto' | 'holdout' | 'k_fold';
  /** Test share in percent (20 = 0.2). */
  testPct: string;
  folds: string;
  seed: string;
  experiment: string;
  runName: string;
  /** Feature columns; null means every column but the target. */
  features: string[] | null;
  /** A cluster profile's name; '' is this computer. */
  on: string;
}

/** An integer target with at most this many distinct values is taken for classes (the server's rule). */
export const MAX_INT_CLASSES = 20;
export const DEFAULT_EXPERIMENT = 'Default';

export function newForm(dataset = '', experiment = DEFAULT_EXPERIMENT): TrainForm {
  return {
    dataset,
    target: '',
    task: 'auto',
    model: 'gbm',
    params: {},
    validation: 'auto',
    testPct: '20',
    folds: '5',
    seed: '42',
    experiment,
    runName: '',
    features: null,
    on: '',
  };
}

/** Names that usually mean "the column to predict", tried in this order. */
const TARGET_NAMES = ['target', 'label', 'class', 'y', 'outcome'];

/** A likely target when a column is plainly named for it, else none (a wrong guess is worse than none). */
export function guessTarget(columns: readonly ColumnInfo[]): string {
  for (const n of TARGET_NAMES) {
    const c = columns.find((x) => x.name.toLowerCase() === n);
    if (c) return c.name;
  }
  return '';
}

/**
 * The task "auto" will pick for a target, as the server decides it: classes for text and booleans, and
 * for integers with few distinct values; null when that depends on a count the UI does not have.
 */
export function autoTask(col: ColumnInfo | undefined, distinct?: number): Task | null {
  if (!col) return null;
  if (col.dtype === 'string' || col.dtype === 'bool') return 'classification';
  if (col.dtype === 'int') return distinct === undefined ? null : distinct <= MAX_INT_CLASSES ? 'classification' : 'regression';
  if (col.dtype === 'float') return 'regression';
  return null;
}

/** Models that can do the task; all when the task is not known yet. */
export function modelsFor(models: readonly ModelInfo[], task: Task | null): ModelInfo[] {
  return task ? models.filter((m) => m.tasks.includes(task)) : [...models];
}

/** The model to start from: GBM when it fits (strong, fast), else the first that does. */
export function defaultModel(models: readonly ModelInfo[], current: ModelKind): ModelKind {
  if (models.some((m) => m.kind === current)) return current;
  return (models.find((m) => m.kind === 'gbm') ?? models[0])?.kind ?? current;
}

export function defaultParams(m: ModelInfo | undefined): Record<string, string> {
  return Object.fromEntries((m?.params ?? []).map((p) => [p.name, p.default]));
}

function range(p: ParamSpec): string {
  const lo = p.min !== undefined && p.min !== null ? formatStat(p.min) : null;
  const hi = p.max !== undefined && p.max !== null ? formatStat(p.max) : null;
  if (lo !== null && hi !== null) return p.min_exclusive ? `above ${lo} and at most ${hi}` : `between ${lo} and ${hi}`;
  if (lo !== null) return p.min_exclusive ? `above ${lo}` : `at least ${lo}`;
  if (hi !== null) return `at most ${hi}`;
  return '';
}

/** What is wrong with a hyperparameter as typed, naming it; null when it is fine. */
export function checkParam(p: ParamSpec, raw: string | undefined): string | null {
  const v = (raw ?? '').trim();
  const name = `${p.label} (${p.name})`;
  if (p.kind === 'choice') return p.choices.includes(v) ? null : `${name} must be one of ${p.choices.join(', ')}`;
  if (p.kind === 'bool') return v === 'true' || v === 'false' ? null : `${name} must be true or false`;
  const r = range(p);
  if (v === '') return `${name} needs a value` + (r ? ` ${r}` : '');
  const x = Number(v);
  if (!Number.isFinite(x)) return `${name} must be a number` + (r ? ` ${r}` : '');
  if (p.kind === 'int' && !Number.isInteger(x)) return `${name} must be a whole number` + (r ? ` ${r}` : '');
  const below = p.min !== undefined && p.min !== null && (x < p.min || (p.min_exclusive && x === p.min));
  if (below || (p.max !== undefined && p.max !== null && x > p.max)) return `${name} must be ${r}`;
  return null;
}

/** The range a hyperparameter's field shows beside it ("0 – 1"). */
export function rangeHint(p: ParamSpec): string {
  if (p.kind === 'choice' || p.kind === 'bool') return '';
  const lo = p.min !== undefined && p.min !== null ? formatStat(p.min) : '';
  const hi = p.max !== undefined && p.max !== null ? formatStat(p.max) : '';
  if (!lo && !hi) return '';
  return p.min_exclusive && lo ? `> ${lo} – ${hi}`.trim() : `${lo} – ${hi}`.trim();
}

export interface FormIssue {
  /** The field: `target`, `testPct`, `folds`, `seed`, `features`, `experiment` or `param:<name>`. */
  field: string;
  message: string;
}

/** Everything the form can tell is wrong before sending. */
export function formIssues(form: TrainForm, model: ModelInfo | undefined, columns: readonly ColumnInfo[]): FormIssue[] {
  const out: FormIssue[] = [];
  if (!form.dataset) out.push({ field: 'dataset', message: 'Choose the dataset to train on' });
  if (!form.target) out.push({ field: 'target', message: 'Choose the target: the column the model learns to predict' });
  else if (columns.length && !columns.some((c) => c.name === form.target)) out.push({ field: 'target', message: `The dataset has no column “${form.target}”` });
  if (form.validation === 'holdout') {
    const t = Number(form.testPct);
    if (form.testPct.trim() === '' || !Number.isFinite(t) || t < 1 || t > 90) out.push({ field: 'testPct', message: 'Test share must be between 1% and 90%' });
  } else if (form.validation === 'k_fold') {
    const k = Number(form.folds);
    if (!Number.isInteger(k) || k < 2 || k > 20) out.push({ field: 'folds', message: 'Folds must be a whole number between 2 and 20' });
  }
  const seed = Number(form.seed);
  if (form.seed.trim() === '' || !Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) out.push({ field: 'seed', message: 'Seed must be a whole number, 0 or more' });
  if (form.features && form.features.filter((f) => f !== form.target).length === 0) out.push({ field: 'features', message: 'Choose at least one feature column' });
  if (!form.experiment.trim()) out.push({ field: 'experiment', message: 'Name the experiment the run goes into' });
  for (const p of model?.params ?? []) {
    const m = checkParam(p, form.params[p.name] ?? p.default);
    if (m) out.push({ field: `param:${p.name}`, message: m });
  }
  return out;
}

/** The fields a training check needs to be right before it is worth asking the server. */
export const CHECK_FIELDS = ['dataset', 'target', 'testPct', 'folds', 'seed', 'features'];

/** The first letter upper-cased: the server's sentences are written to follow a subject. */
export function sentence(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) + (s.endsWith('.') ? '' : '.') : '';
}

/** The spec sent to the server. Every hyperparameter is sent, so the run records what was trained. */
export function specFromForm(form: TrainForm, model: ModelInfo | undefined): TrainSpec {
  const params: Record<string, string> = {};
  for (const p of model?.params ?? []) params[p.name] = (form.params[p.name] ?? p.default).trim();
  const spec: TrainSpec = {
    dataset: form.dataset,
    target: form.target,
    model: form.model,
    params,
    validation:
      form.validation === 'auto'
        ? { kind: 'auto' }
        : form.validation === 'holdout'
          ? { kind: 'holdout', test_fraction: Math.round(Number(form.testPct) * 100) / 10_000 }
          : { kind: 'k_fold', folds: Number(form.folds) },
    seed: Number(form.seed),
    experiment: form.experiment.trim() || DEFAULT_EXPERIMENT,
  };
  if (form.task !== 'auto') spec.task = form.task;
  if (form.runName.trim()) spec.run_name = form.runName.trim();
  if (form.features) spec.features = form.features.filter((f) => f !== form.target);
  return spec;
}
