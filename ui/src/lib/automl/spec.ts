/**
 * The AutoML half of the train dialog as plain data: its fields as typed, the checks made before asking
 * the server (so the message names the field at once), and the AutomlSpec they become with the dialog's
 * data fields. The server checks everything again.
 */
import { formatInt } from '../format';
import type { AutomlSpec, Task, TrainSpec } from '../types.gen';
import type { FormIssue, TrainForm } from '../runs/train/spec';

export interface AutomlForm {
  /** Seconds as typed; a unit may follow: `90`, `90s`, `5m`, `1h`. Empty: trials alone stop the search. */
  budget: string;
  /** Trials at most, as typed; empty: the time budget alone. */
  trials: string;
  /** The metric to rank by; '' leaves it to the server (from the task and the classes). */
  metric: string;
}

export const DEFAULT_BUDGET_SECONDS = 60;
/** The experiment a search goes to unless the dialog names another. */
export const AUTOML_EXPERIMENT = 'AutoML';
/** The server's limit: a week. */
const MAX_BUDGET_SECONDS = 7 * 86_400;
const MAX_TRIALS = 100_000;

export function newAutomlForm(): AutomlForm {
  return { budget: String(DEFAULT_BUDGET_SECONDS), trials: '', metric: '' };
}

export interface MetricChoice {
  name: string;
  label: string;
  greaterIsBetter: boolean;
}

/** What the search can rank by, per task, in the server's order (cairn-automl's metric table). */
export const AUTOML_METRICS: Record<Task, MetricChoice[]> = {
  classification: [
    { name: 'roc_auc', label: 'ROC AUC', greaterIsBetter: true },
    { name: 'log_loss', label: 'Log loss', greaterIsBetter: false },
    { name: 'accuracy', label: 'Accuracy', greaterIsBetter: true },
    { name: 'balanced_accuracy', label: 'Balanced accuracy', greaterIsBetter: true },
    { name: 'f1', label: 'F1', greaterIsBetter: true },
    { name: 'pr_auc', label: 'PR AUC', greaterIsBetter: true },
    { name: 'precision', label: 'Precision', greaterIsBetter: true },
    { name: 'recall', label: 'Recall', greaterIsBetter: true },
  ],
  regression: [
    { name: 'rmse', label: 'RMSE', greaterIsBetter: false },
    { name: 'mae', label: 'MAE', greaterIsBetter: false },
    { name: 'r2', label: 'R²', greaterIsBetter: true },
    { name: 'mape', label: 'MAPE', greaterIsBetter: false },
  ],
};

export function metricChoice(name: string): MetricChoice | undefined {
  return [...AUTOML_METRICS.classification, ...AUTOML_METRICS.regression].find((m) => m.name === name);
}

/** The metric's label ("ROC AUC"), or its name when Cairn has no label for it. */
export function metricName(name: string): string {
  return metricChoice(name)?.label ?? name;
}

/**
 * The metric the server picks when none is chosen: ROC AUC for two classes, log loss for more, RMSE for
 * regression. Null when that depends on what the UI does not know (the task, or the number of classes).
 */
export function defaultMetric(task: Task | null, classes: number | undefined): string | null {
  if (task === 'regression') return 'rmse';
  if (task === 'classification' && classes !== undefined) return classes > 2 ? 'log_loss' : 'roc_auc';
  return null;
}

/** The metrics the select offers: the task's, or every one while the task is not known. */
export function metricsFor(task: Task | null): MetricChoice[] {
  return task ? AUTOML_METRICS[task] : [...AUTOML_METRICS.classification, ...AUTOML_METRICS.regression];
}

/** Seconds from a budget as typed (`90`, `90 s`, `5m`, `1.5 h`); NaN when it is not one; null when empty. */
export function parseBudget(raw: string): number | null {
  const v = raw.trim().toLowerCase();
  if (!v) return null;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?$/.exec(v);
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2]?.[0] ?? 's';
  return unit === 'h' ? n * 3600 : unit === 'm' ? n * 60 : n;
}

/** A budget for reading: "60 s", "5 min", "1 h 30 min". */
export function formatBudget(seconds: number): string {
  if (seconds < 120) return `${formatInt(Math.round(seconds * 10) / 10)} s`;
  if (seconds < 7200) return `${formatInt(Math.round(seconds / 6) / 10)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds - h * 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** What is wrong with the AutoML fields; the fields are `automlBudget`, `automlTrials` and `automlMetric`. */
export function automlIssues(f: AutomlForm, task: Task | null): FormIssue[] {
  const out: FormIssue[] = [];
  const budget = parseBudget(f.budget);
  const trialsRaw = f.trials.trim();
  if (budget === null) {
    if (!trialsRaw) out.push({ field: 'automlBudget', message: 'Give a time budget in seconds (e.g. 60), a trial budget, or both' });
  } else if (Number.isNaN(budget)) {
    out.push({ field: 'automlBudget', message: 'Time budget must be a number of seconds, e.g. 60 (or 5m, 1h)' });
  } else if (budget <= 0) {
    out.push({ field: 'automlBudget', message: 'Time budget must be more than 0 seconds' });
  } else if (budget > MAX_BUDGET_SECONDS) {
    out.push({ field: 'automlBudget', message: 'Time budget can be at most 7 days (604,800 seconds)' });
  }
  if (trialsRaw) {
    const t = Number(trialsRaw);
    if (!/^[+-]?\d+$/.test(trialsRaw) || !Number.isInteger(t)) out.push({ field: 'automlTrials', message: 'Trials must be a whole number, 1 or more (or empty)' });
    else if (t < 1) out.push({ field: 'automlTrials', message: 'Trials must be at least 1 (or empty for the time budget alone)' });
    else if (t > MAX_TRIALS) out.push({ field: 'automlTrials', message: `Trials can be at most ${formatInt(MAX_TRIALS)}` });
  }
  if (f.metric && task && !AUTOML_METRICS[task].some((m) => m.name === f.metric)) {
    out.push({ field: 'automlMetric', message: `${metricName(f.metric)} is not a ${task} metric: choose another` });
  }
  return out;
}

/** The spec sent to the server: the dialog's data, features, seed and tracking fields, and the AutoML ones. */
export function automlSpecFromForm(form: TrainForm, f: AutomlForm, on?: string): AutomlSpec {
  const spec: AutomlSpec = {
    dataset: form.dataset,
    target: form.target,
    seed: Number(form.seed),
    experiment: form.experiment.trim() || AUTOML_EXPERIMENT,
  };
  const budget = parseBudget(f.budget);
  if (budget !== null) spec.budget_seconds = budget;
  if (f.trials.trim()) spec.max_trials = Number(f.trials.trim());
  if (f.metric) spec.metric = f.metric;
  if (form.task !== 'auto') spec.task = form.task;
  if (form.runName.trim()) spec.run_name = form.runName.trim();
  if (form.features) spec.features = form.features.filter((x) => x !== form.target);
  if (on) spec.on = on;
  return spec;
}

/**
 * The training check a search shares (the server checks a search's data as a GBM's with the data's own
 * split): which features it uses and leaves out, and whether the target can be learned at all.
 */
export function automlCheckSpec(form: TrainForm): TrainSpec {
  const spec: TrainSpec = { dataset: form.dataset, target: form.target, model: 'gbm', params: {}, validation: { kind: 'auto' }, seed: Number(form.seed) };
  if (form.task !== 'auto') spec.task = form.task;
  if (form.features) spec.features = form.features.filter((x) => x !== form.target);
  return spec;
}
