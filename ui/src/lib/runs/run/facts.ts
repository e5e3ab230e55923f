// Reading a run: its tags, params and metrics as the run page and the compare view need them.
// Pure functions only, so they are unit-tested without a server.
import type { Dataset, Metric, Run, RunStatus, Task } from '../../types.gen';

export function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}

export function paramOf(run: Run, key: string): string | undefined {
  return run.data.params.find((p) => p.key === key)?.value;
}

/** Metric values travel as numbers, or as strings for NaN and ±Infinity (JSON has neither). */
export function metricNumber(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  const n = Number(v);
  return Number.isNaN(n) && v !== 'NaN' ? null : n;
}

export function metricOf(run: Run, key: string): number | null {
  return metricNumber(run.data.metrics.find((m) => m.key === key)?.value);
}

/** A metric for reading: 4 significant digits (0.9276, 9.91, 1,235), integers whole. */
export function formatMetric(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a >= 1e15 || a < 1e-4) return x.toExponential(3);
  return x.toLocaleString('en-US', { maximumSignificantDigits: 4 });
}

export function runTask(run: Run): Task | undefined {
  const t = paramOf(run, 'task');
  return t === 'classification' || t === 'regression' ? t : undefined;
}

/** The headline numbers, in the order a data scientist scans them. */
export const KEY_METRICS: Record<Task, string[]> = {
  classification: ['roc_auc', 'accuracy', 'f1', 'balanced_accuracy', 'precision', 'recall', 'pr_auc', 'log_loss'],
  regression: ['rmse', 'mae', 'r2', 'mape'],
};

const LABELS: Record<string, string> = {
  roc_auc: 'ROC AUC',
  pr_auc: 'PR AUC',
  accuracy: 'Accuracy',
  balanced_accuracy: 'Balanced accuracy',
  f1: 'F1',
  precision: 'Precision',
  recall: 'Recall',
  log_loss: 'Log loss',
  rmse: 'RMSE',
  mae: 'MAE',
  mape: 'MAPE',
  r2: 'R²',
};

/** How a headline metric is named under its big number; other keys stay as logged. */
export function metricLabel(key: string): string {
  return LABELS[key] ?? key;
}

const LOWER_IS_BETTER = new Set(['log_loss', 'rmse', 'mae', 'mape', 'mse', 'fit_seconds']);

/** Losses and errors: the smaller the better. Every other metric (scores, AUCs, r2) is better higher. */
export function lowerIsBetter(key: string): boolean {
  return LOWER_IS_BETTER.has(key) || /(^|_)(loss|error|rmse|mae|mse|mape)$/.test(key);
}

/** The run's headline metrics that it has (by its task; both lists when the task is unknown). */
export function keyMetrics(run: Run): { key: string; value: number | null }[] {
  const task = runTask(run);
  const keys = task ? KEY_METRICS[task] : [...KEY_METRICS.classification, ...KEY_METRICS.regression];
  return keys.filter((k) => run.data.metrics.some((m) => m.key === k)).map((key) => ({ key, value: metricOf(run, key) }));
}

/**
 * Metrics with a history: the latest value is past step 0 (final metrics are logged at step 0 only,
 * per-round ones like GBM's `train_log_loss` at 1…n).
 */
export function curveKeys(metrics: Metric[]): string[] {
  return [...new Set(metrics.filter((m) => m.step > 0).map((m) => m.key))].sort();
}

/** Curves that belong together (train_/valid_ prefixes of one measure) share a chart. */
export function groupCurves(keys: string[]): { title: string; keys: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const base = k.replace(/^(train|training|valid|validation|val|test)_/, '');
    groups.set(base, [...(groups.get(base) ?? []), k]);
  }
  return [...groups].map(([title, ks]) => ({ title, keys: ks.sort((a, b) => curveRank(a) - curveRank(b)) }));
}

function curveRank(k: string): number {
  if (/^train/.test(k)) return 0;
  if (/^val/.test(k)) return 1;
  return 2;
}

export const STATUS_LABEL: Record<RunStatus, string> = {
  RUNNING: 'Running',
  SCHEDULED: 'Queued',
  FINISHED: 'Finished',
  FAILED: 'Failed',
  KILLED: 'Cancelled',
};

export function isLive(status: RunStatus): boolean {
  return status === 'RUNNING' || status === 'SCHEDULED';
}

/** How long the run took, or has taken so far. */
export function runDurationMs(run: Run, now = Date.now()): number | null {
  const end = run.info.end_time ?? (isLive(run.info.status) ? now : undefined);
  return end === undefined ? null : Math.max(0, end - run.info.start_time);
}

/**
 * The project's dataset this run trained on. Runs record the dataset's version and name (not its id):
 * the version names exactly that data; the name is the fallback after a re-import.
 */
export function datasetOf(run: Run, datasets: Dataset[] | null | undefined): Dataset | undefined {
  if (!datasets) return undefined;
  const version = tagOf(run, 'cairn.dataset.version');
  const name = tagOf(run, 'cairn.dataset') ?? paramOf(run, 'dataset') ?? run.inputs.dataset_inputs[0]?.dataset.name;
  return (version && datasets.find((d) => d.version === version)) || (name ? datasets.find((d) => d.name === name || d.id === name) : undefined);
}

export function shortDigest(d: string | undefined, n = 12): string {
  return d ? d.slice(0, n) : '—';
}

/** Columns in an MLflow dataset schema (a JSON list here; MLflow's own `{mlflow_colspec: [...]}` too). */
export function schemaColumns(schema: string | undefined): number | null {
  if (!schema) return null;
  try {
    const s: unknown = JSON.parse(schema);
    if (Array.isArray(s)) return s.length;
    if (s && typeof s === 'object' && Array.isArray((s as { mlflow_colspec?: unknown }).mlflow_colspec)) return (s as { mlflow_colspec: unknown[] }).mlflow_colspec.length;
  } catch {
    // Not JSON: the count is unknown, which the lineage shows as —.
  }
  return null;
}

/** `holdout 20%` or `5-fold`, from the params the trainer logs. */
export function validationText(run: Run): string | undefined {
  const v = paramOf(run, 'validation');
  if (!v) return undefined;
  if (v === 'holdout') {
    const f = Number(paramOf(run, 'test_fraction'));
    return Number.isFinite(f) ? `holdout, ${+(f * 100).toFixed(1)}% test` : 'holdout';
  }
  if (v === 'k_fold' || v === 'kfold') {
    const k = paramOf(run, 'folds');
    return k ? `${k}-fold cross-validation` : 'k-fold cross-validation';
  }
  if (v === 'split') {
    const c = paramOf(run, 'split_column');
    return c ? `the data's split (column ${c})` : "the data's split";
  }
  return v;
}

/** Params that describe the setup rather than the model, shown in the lineage instead of among hyperparameters. */
export const SETUP_PARAMS = new Set(['model', 'target', 'task', 'dataset', 'features', 'seed', 'validation', 'test_fraction', 'folds', 'positive_class']);

/** A moment in the user's own time zone, as `2026-11-26 08:49`. */
export function formatLocalTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
