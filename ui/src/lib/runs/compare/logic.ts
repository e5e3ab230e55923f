// What a comparison shows, computed from the runs alone (no server, no DOM), so it is unit-tested.
import type { Run } from '../../types.gen';
import { KEY_METRICS, SETUP_PARAMS, curveKeys, lowerIsBetter, metricOf, paramOf, runTask } from '../run/facts';
import { isCairnRun } from '../run/mlflowFacts';

export interface ParamRow {
  key: string;
  /** One per run, in run order; undefined when the run has no such param (another model's hyperparameter). */
  values: (string | undefined)[];
  /** Not every run has the same value (a missing param counts as a different value). */
  differs: boolean;
}

/** Params shown first, because they say what was trained on what; the rest alphabetically. */
const PARAM_ORDER = ['model', 'dataset', 'target', 'task', 'features', 'validation', 'test_fraction', 'folds', 'seed'];

function paramRank(k: string): number {
  const i = PARAM_ORDER.indexOf(k);
  return i < 0 ? PARAM_ORDER.length : i;
}

export function sameValue(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  // "0.1" and "0.10" are the same hyperparameter.
  const x = Number(a);
  const y = Number(b);
  return a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y) && x === y;
}

export function paramRows(runs: Run[]): ParamRow[] {
  const keys = [...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))];
  keys.sort((a, b) => paramRank(a) - paramRank(b) || a.localeCompare(b));
  return keys.map((key) => {
    const values = runs.map((r) => paramOf(r, key));
    return { key, values, differs: values.some((v) => !sameValue(v, values[0])) };
  });
}

/** The value most runs share in a row (the first such on a tie): cells that differ from it are highlighted. */
export function majorityValue(values: (string | undefined)[]): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const v of values) {
    const c = values.filter((w) => sameValue(w, v)).length;
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

/** For each cell of a row, whether it stands out from the others (it differs from the value most runs have). */
export function outliers(values: (string | undefined)[]): boolean[] {
  const m = majorityValue(values);
  const unanimous = values.every((v) => sameValue(v, values[0]));
  if (unanimous) return values.map(() => false);
  // With no majority (every value different, as with two runs) no cell stands out: the row is marked instead.
  const count = values.filter((v) => sameValue(v, m)).length;
  if (count * 2 <= values.length) return values.map(() => false);
  return values.map((v) => !sameValue(v, m));
}

/** Indices of the best value(s): highest, or lowest for losses and errors. Ties are all best; no values, none. */
export function bestIndices(values: (number | null)[], key: string): number[] {
  const low = lowerIsBetter(key);
  let best: number | null = null;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (best === null || (low ? v < best : v > best)) best = v;
  }
  if (best === null) return [];
  return values.flatMap((v, i) => (v === best ? [i] : []));
}

/** Final metrics (not histories) any of the runs has: headline ones first, in their usual order. */
export function finalMetricKeys(runs: Run[]): string[] {
  // Cairn's per-round training curves (train_log_loss at round 100) are not results; the last value of a
  // script's stepped metric (val_loss at epoch 49, logged through MLflow) is, as in MLflow's own compare.
  const curves = new Set(runs.filter(trainedByCairn).flatMap((r) => curveKeys(r.data.metrics)));
  const all = new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)).filter((k) => !curves.has(k)));
  const order = [...KEY_METRICS.classification, ...KEY_METRICS.regression];
  const head = order.filter((k) => all.has(k));
  const rest = [...all].filter((k) => !order.includes(k)).sort();
  return [...head, ...rest];
}

/** Trained by Cairn (its tags, or the task param its trainer logs) rather than logged by a script. */
export function trainedByCairn(run: Run): boolean {
  return isCairnRun(run) || runTask(run) !== undefined;
}

/** Keys with a history in at least one run (GBM's per-round losses, k-fold's per-fold metrics), those most runs have first. */
export function historyKeys(runs: Run[]): string[] {
  const count = new Map<string, number>();
  for (const r of runs) for (const k of curveKeys(r.data.metrics)) count.set(k, (count.get(k) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
}

export interface Axis {
  /** `param:max_depth` or `metric:roc_auc`. */
  id: string;
  name: string;
  kind: 'value' | 'category';
  /** Category axes: the values, in order. */
  categories?: string[];
}

export interface Parallel {
  axes: Axis[];
  /** rows[run][axis]: a number on value axes, a category on category axes, null where the run has none (the line skips that axis). */
  rows: (number | string | null)[][];
}

function isNumeric(values: (string | undefined)[]): boolean {
  const present = values.filter((v): v is string => v !== undefined);
  return present.length > 0 && present.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
}

/**
 * Parallel-coordinate axes: the params that differ between the runs (numeric or categorical), then the
 * headline metrics. Constant params carry no information and would only crowd the chart.
 */
export function buildParallel(runs: Run[], maxParams = 10, maxMetrics = 8): Parallel {
  // A param only some runs have (another model's hyperparameter) is worth an axis only when those runs
  // set it differently: which runs have it at all, the model axis already shows.
  const params = paramRows(runs)
    .filter((r) => r.key !== 'features' && new Set(r.values.filter((v) => v !== undefined).map((v) => (isNumeric([v]) ? String(Number(v)) : v))).size > 1)
    // Params most runs have are the comparable ones.
    .map((r, i) => ({ r, i, have: r.values.filter((v) => v !== undefined).length }))
    .sort((a, b) => b.have - a.have || a.i - b.i)
    .slice(0, maxParams)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.r);
  // At most 16 axes in all, so each keeps room for its name at 1400 px.
  const metrics = finalMetricKeys(runs).slice(0, Math.min(maxMetrics, Math.max(4, 16 - params.length)));

  const axes: Axis[] = [];
  const cols: (number | string | null)[][] = [];
  for (const p of params) {
    if (isNumeric(p.values)) {
      axes.push({ id: `param:${p.key}`, name: p.key, kind: 'value' });
      cols.push(p.values.map((v) => (v === undefined ? null : Number(v))));
    } else {
      const cats = [...new Set(p.values.filter((v): v is string => v !== undefined))].sort();
      axes.push({ id: `param:${p.key}`, name: p.key, kind: 'category', categories: cats });
      cols.push(p.values.map((v) => v ?? null));
    }
  }
  for (const k of metrics) {
    axes.push({ id: `metric:${k}`, name: k, kind: 'value' });
    cols.push(runs.map((r) => {
      const v = metricOf(r, k);
      return v === null || !Number.isFinite(v) ? null : v;
    }));
  }
  return { axes, rows: runs.map((_, i) => cols.map((c) => c[i])) };
}

export interface Field {
  id: string;
  label: string;
  group: 'Params' | 'Metrics';
  values: (number | null)[];
}

/** Everything numeric a scatter can put on an axis: numeric params and final metrics. */
export function scatterFields(runs: Run[]): Field[] {
  const out: Field[] = [];
  for (const row of paramRows(runs)) {
    if (!isNumeric(row.values)) continue;
    out.push({ id: `param:${row.key}`, label: row.key, group: 'Params', values: row.values.map((v) => (v === undefined ? null : Number(v))) });
  }
  for (const k of finalMetricKeys(runs)) {
    out.push({ id: `metric:${k}`, label: k, group: 'Metrics', values: runs.map((r) => metricOf(r, k)) });
  }
  return out;
}

/**
 * Sensible first axes: a hyperparameter the runs vary (not the seed or the split) against the headline
 * metric of their task (roc_auc, else r2, else the first metric).
 */
export function defaultScatter(fields: Field[]): { x: string | undefined; y: string | undefined } {
  const varies = (f: Field) => new Set(f.values.filter((v) => v !== null)).size > 1;
  const params = fields.filter((f) => f.group === 'Params');
  const hyper = params.filter((f) => !SETUP_PARAMS.has(f.label));
  const metrics = fields.filter((f) => f.group === 'Metrics');
  const y = ['roc_auc', 'r2', 'accuracy', 'rmse'].map((k) => metrics.find((f) => f.label === k)).find(Boolean) ?? metrics[0];
  // No param varies across the runs (different models share none): two metrics still place every run.
  const x = hyper.find(varies) ?? params.find(varies) ?? metrics.find((f) => f.id !== y?.id && varies(f)) ?? hyper[0] ?? params[0] ?? metrics.find((f) => f.id !== y?.id);
  return { x: x?.id, y: (y ?? metrics.find((f) => f.id !== x?.id))?.id };
}
