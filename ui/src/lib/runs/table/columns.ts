import type { Run, RunKeys, RunStatus } from '../../types.gen';

/** Where a column's values come from. */
export type ColumnKind = 'name' | 'status' | 'start' | 'duration' | 'model' | 'dataset' | 'metric' | 'param' | 'tag' | 'tags' | 'note';

export interface RunColumn {
  /** Stable id: `name`, `metrics.roc_auc`, `params.max_depth`, `tags.stage`, `tags`, `note`… */
  id: string;
  kind: ColumnKind;
  /** The metric, param or tag key. */
  key?: string;
  label: string;
  /** What the header says under the label ("metric", "param"). */
  caption?: string;
  width: number;
  /** The server's order_by key; none when the server cannot sort by it. */
  sortKey?: string;
  /** Sorted largest first on the first click (numbers, times). */
  numeric: boolean;
  /** Values right-aligned (numbers line up by their digits). */
  right?: boolean;
}

/** The MLflow tag holding a run's note. */
export const NOTE_TAG = 'mlflow.note.content';

/** Tags the system sets (MLflow's and Cairn's): kept out of the tag chips, still filterable. */
export function isSystemTag(key: string): boolean {
  return key.startsWith('mlflow.') || key.startsWith('cairn.');
}

/** `entity.key` as the filter grammar reads it: keys with spaces, dashes or quotes are backquoted. */
export function quoteKey(entity: string, key: string): string {
  if (/^[A-Za-z_][\w.]*$/.test(key)) return `${entity}.${key}`;
  return key.includes('`') ? `${entity}."${key.replace(/"/g, '""')}"` : `${entity}.\`${key}\``;
}

/** The columns every table has, before the chosen ones. */
export const FIXED_COLUMNS: RunColumn[] = [
  { id: 'name', kind: 'name', label: 'Run', width: 176, sortKey: 'attributes.run_name', numeric: false },
  { id: 'status', kind: 'status', label: 'Status', width: 94, sortKey: 'attributes.status', numeric: false },
  { id: 'start', kind: 'start', label: 'Started', width: 100, sortKey: 'attributes.start_time', numeric: true },
  { id: 'duration', kind: 'duration', label: 'Duration', width: 84, numeric: true, right: true },
  { id: 'model', kind: 'model', label: 'Model', width: 118, sortKey: 'params.model', numeric: false },
];

/** The optional columns that are not keys. */
export const EXTRA_COLUMNS: RunColumn[] = [
  // From a tag, a param or the run's inputs (see runDataset): no single key the server could sort by.
  { id: 'dataset', kind: 'dataset', label: 'Dataset', width: 132, numeric: false },
  { id: 'tags', kind: 'tags', label: 'Tags', width: 164, numeric: false },
  // Usually last: it also takes whatever width the window has left.
  { id: 'note', kind: 'note', label: 'Note', width: 150, numeric: false },
];

/** What a run predicts, as far as the table can tell. */
export type RunTask = 'classification' | 'regression';

/** The metrics each task is compared by, best known first. */
const TASK_METRICS: Record<RunTask, string[]> = {
  classification: ['roc_auc', 'accuracy', 'f1', 'log_loss'],
  regression: ['r2', 'rmse', 'mae', 'mse'],
};
/** Metrics shown first when present, in this order, when the runs' task cannot be told. */
const MAIN_METRICS = ['roc_auc', 'accuracy', 'f1', 'r2', 'rmse', 'mae', 'log_loss'];
/** Three metrics leave room for the dataset, tags and notes on a laptop screen; more are a click away. */
const MAX_DEFAULT_METRICS = 3;
/** A table of both tasks shows this many of each. */
const PER_TASK_MIXED = 2;

/**
 * A run's task: Cairn's runs log it as the `task` param; other runs (the mlflow client's) are told by
 * their metrics, including names such as `training_accuracy_score` or `val_rmse` that autologging writes.
 */
export function runTask(run: Run): RunTask | undefined {
  const p = paramValue(run, 'task');
  if (p === 'classification' || p === 'regression') return p;
  let cls = false;
  let reg = false;
  for (const m of run.data.metrics) {
    if (/(^|_)(roc_auc|auc|accuracy|f1|log_loss|precision|recall)(_|$)/.test(m.key)) cls = true;
    else if (/(^|_)(r2|rmse|mae|mse)(_|$)/.test(m.key)) reg = true;
  }
  return cls === reg ? undefined : cls ? 'classification' : 'regression';
}

/** The tasks of the listed runs, in a stable order (`classification` before `regression`). */
export function listedTasks(runs: readonly Run[]): RunTask[] {
  const seen = new Set(runs.map(runTask));
  return (['classification', 'regression'] as const).filter((t) => seen.has(t));
}

/**
 * The chosen columns when the user has chosen none: the metrics the listed runs' tasks are compared by
 * (r2, rmse, mae for regression; roc_auc, accuracy, f1 for classification; two of each when the table
 * holds both), then the dataset, tags and note. Without a known task, the main metrics present.
 */
export function defaultColumnIds(keys: RunKeys, tasks: readonly RunTask[] = []): string[] {
  const has = (m: string) => keys.metrics.includes(m);
  let metrics: string[];
  if (tasks.length) {
    const per = tasks.length > 1 ? PER_TASK_MIXED : MAX_DEFAULT_METRICS;
    metrics = tasks.flatMap((t) => TASK_METRICS[t].filter(has).slice(0, per));
  } else {
    metrics = [];
  }
  if (!metrics.length) {
    const main = MAIN_METRICS.filter(has);
    // Per-round training curves (train_log_loss, valid_log_loss, test_log_loss…) are for charts, not for the table.
    const curve = (m: string) => /^(train|valid|test)_/.test(m);
    const others = keys.metrics.filter((m) => !main.includes(m) && !curve(m));
    const pool = main.length + others.length ? [...main, ...others] : keys.metrics;
    metrics = pool.slice(0, MAX_DEFAULT_METRICS);
  }
  return [...metrics.map((m) => `metrics.${m}`), 'dataset', 'tags', 'note'];
}

/** A chosen column id as a column. Unknown ids (a key no run has any more) still make a column. */
export function columnFor(id: string): RunColumn | null {
  const extra = EXTRA_COLUMNS.find((c) => c.id === id);
  if (extra) return extra;
  const dot = id.indexOf('.');
  if (dot < 0) return null;
  const entity = id.slice(0, dot);
  const key = id.slice(dot + 1);
  if (!key) return null;
  if (entity === 'metrics') return { id, kind: 'metric', key, label: key, caption: 'metric', width: widthFor(key, 88), sortKey: quoteKey('metrics', key), numeric: true, right: true };
  if (entity === 'params') return { id, kind: 'param', key, label: key, caption: 'param', width: widthFor(key, 104), sortKey: quoteKey('params', key), numeric: false };
  if (entity === 'tags') return { id, kind: 'tag', key, label: key, caption: 'tag', width: widthFor(key, 120), sortKey: quoteKey('tags', key), numeric: false };
  return null;
}

function widthFor(label: string, min: number): number {
  // Room for the bold label, the sort arrow and the padding.
  return Math.min(220, Math.max(min, Math.ceil(label.length * 8 + 40)));
}

/** The table's columns: the fixed ones, then the chosen ones in the order chosen. */
export function tableColumns(chosen: readonly string[]): RunColumn[] {
  const out = [...FIXED_COLUMNS];
  for (const id of chosen) {
    const c = columnFor(id);
    if (c && !out.some((o) => o.id === c.id)) out.push(c);
  }
  return out;
}

export interface SortState {
  /** A column's sortKey. */
  key: string;
  desc: boolean;
}

export const DEFAULT_ORDER = 'attributes.start_time DESC';

/** order_by for the server; no sort means newest first. */
export function orderBy(sort: SortState | null): string[] {
  return sort ? [`${sort.key} ${sort.desc ? 'DESC' : 'ASC'}`] : [DEFAULT_ORDER];
}

/**
 * A header click: numbers start with the largest (best AUC, newest) and text from A; the second click
 * flips; the third goes back to newest first.
 */
export function nextSort(current: SortState | null, col: RunColumn): SortState | null {
  if (!col.sortKey) return current;
  if (!current || current.key !== col.sortKey) return { key: col.sortKey, desc: col.numeric };
  if (current.desc === col.numeric) return { key: col.sortKey, desc: !current.desc };
  return null;
}

// ---- Cell values ----

export function metricValue(run: Run, key: string): number | string | undefined {
  return run.data.metrics.find((m) => m.key === key)?.value;
}

export function paramValue(run: Run, key: string): string | undefined {
  return run.data.params.find((p) => p.key === key)?.value;
}

export function tagValue(run: Run, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}

export function userTags(run: Run): { key: string; value: string }[] {
  return run.data.tags.filter((t) => !isSystemTag(t.key));
}

/** The dataset a run was trained on: Cairn's tag, else a `dataset` param, else its first logged input (mlflow). */
export function runDataset(run: Run): string | undefined {
  return tagValue(run, 'cairn.dataset') ?? paramValue(run, 'dataset') ?? run.inputs?.dataset_inputs[0]?.dataset.name;
}

export function runModel(run: Run): string | undefined {
  return paramValue(run, 'model') ?? tagValue(run, 'cairn.model');
}

/** Short names for the model column, where the catalogue's labels ("Gradient-boosted trees") are too wide. */
const SHORT_MODELS: Record<string, string> = {
  gbm: 'GBM',
  logistic: 'Logistic',
  linear: 'Linear',
  elastic_net: 'Elastic net',
  decision_tree: 'Decision tree',
  random_forest: 'Random forest',
  svm: 'SVM',
  knn: 'k-NN',
  gaussian_nb: 'Naive Bayes',
  automl: 'AutoML',
};

export function shortModel(kind: string): string {
  return SHORT_MODELS[kind] ?? kind;
}

/** "4 min ago", "3 h ago", "2 mo ago": the table's start times, narrow; the full time is on hover. */
export function formatAgoShort(ms: number, now: number): string {
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 86_400 * 30) return `${Math.floor(s / 86_400)} d ago`;
  if (s < 86_400 * 365) return `${Math.floor(s / (86_400 * 30))} mo ago`;
  return `${Math.floor(s / (86_400 * 365))} y ago`;
}

export function isLive(status: RunStatus): boolean {
  return status === 'RUNNING' || status === 'SCHEDULED';
}

/** How long the run took, or has been running for. */
export function runDuration(run: Run, now: number): number | undefined {
  const { start_time, end_time, status } = run.info;
  if (end_time !== undefined && end_time !== null) return Math.max(0, end_time - start_time);
  return isLive(status) ? Math.max(0, now - start_time) : undefined;
}

/** A metric for reading beside others: 4 significant digits (0.9276, 12.35, 1,235), NaN and ∞ spelled out. */
export function formatMetric(v: number | string | undefined | null): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v === 'Infinity' ? '∞' : v === '-Infinity' ? '−∞' : v;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e9 || a < 1e-4) return v.toExponential(3).replace('e+', 'e');
  if (a >= 1000 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US');
  // Trailing zeros kept (0.9400), so a column of metrics lines up digit by digit.
  return v.toPrecision(4);
}

/** A duration in the largest units that read well: 840 ms, 2.8 s, 1 min 4 s, 2 h 5 min. */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)} h ${m % 60} min`;
  return `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`;
}
