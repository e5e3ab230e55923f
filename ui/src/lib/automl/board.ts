// Reading a search's leaderboard for the run page: the trials as rows (with the ones still running, from
// their nested runs), the best-so-far curve, key parameters, why it stopped. Pure functions only, so they
// are unit-tested without a server.
import { formatMetric, paramOf, tagOf } from '../runs/run/facts';
import type { AutomlResult, JobState, ModelKind, Run, TrialSummary } from '../types.gen';

/** The tag that marks a search's parent run (`search`) and its trials (`trial`). */
export const AUTOML_TAG = 'cairn.automl';

export function isAutomlSearch(run: Run): boolean {
  return tagOf(run, AUTOML_TAG) === 'search';
}

/** One row of the trials table. */
export interface TrialRow {
  number: number;
  model: ModelKind;
  params: Record<string, string>;
  runId?: string;
  /** 1 for the best score; none while running or when it failed. */
  rank?: number;
  score?: number;
  fitSeconds?: number;
  /** Seconds from the search's start to the trial's end. */
  finishedAt?: number;
  state: 'scored' | 'running' | 'failed' | 'stopped';
  /** Why it failed or was stopped. */
  error?: string;
  /** Its weight in the final ensemble, when it is a member. */
  weight?: number;
}

/** A stopped trial's reason, in the leaderboard's words ("cancelled by the user" is "cancelled" there). */
function stoppedWords(e: string | undefined): string {
  if (!e) return 'stopped with the search';
  return e.startsWith('cancelled') ? 'cancelled' : e;
}

/** A trial the search stopped (the budget ran out, a cancel) rather than one that failed by itself. */
function stoppedError(e: string): boolean {
  return e === 'cancelled' || e.startsWith('stopped');
}

/**
 * The trials best first (the leaderboard's order), then those still running (nested runs not yet on the
 * leaderboard, by number), then the failed and stopped ones; a nested run the leaderboard never got (the
 * search was stopped while it ran) is listed by its own status. `ended`: the search's job is over.
 */
export function trialRows(result: AutomlResult | null, children: readonly Run[], ended = false): TrialRow[] {
  const board = result?.leaderboard ?? [];
  const weights = new Map((result?.ensemble ?? []).map((m) => [m.trial, m.weight]));
  const scored: TrialRow[] = [];
  const failed: TrialRow[] = [];
  let rank = 0;
  for (const t of board) {
    const row: TrialRow = {
      number: t.number,
      model: t.model,
      params: Object.fromEntries(Object.entries(t.params).filter((e): e is [string, string] => e[1] !== undefined)),
      runId: t.run_id,
      fitSeconds: t.fit_seconds,
      finishedAt: t.finished_at,
      state: 'scored',
      weight: weights.get(t.number),
    };
    if (t.score !== undefined && t.score !== null && !t.error) {
      row.rank = ++rank;
      row.score = t.score;
      scored.push(row);
    } else {
      row.state = t.error && stoppedError(t.error) ? 'stopped' : 'failed';
      row.error = t.error ?? 'no score';
      failed.push(row);
    }
  }
  const known = new Set(board.map((t) => t.number));
  const running: TrialRow[] = [];
  const unlisted: TrialRow[] = [];
  for (const c of children) {
    const number = Number(tagOf(c, 'cairn.automl.trial'));
    if (!Number.isInteger(number) || known.has(number)) continue;
    known.add(number);
    const params = Object.fromEntries(c.data.params.filter((p) => p.key !== 'model').map((p) => [p.key, p.value]));
    const model = (paramOf(c, 'model') ?? tagOf(c, 'cairn.model') ?? 'gbm') as ModelKind;
    const row: TrialRow = { number, model, params, runId: c.info.run_id, state: 'running' };
    const st = c.info.status;
    // A run still marked running after the search ended was stopped with it (its process is gone).
    if ((st === 'RUNNING' || st === 'SCHEDULED') && ended) unlisted.push({ ...row, state: 'stopped', error: 'stopped with the search' });
    else if (st === 'RUNNING' || st === 'SCHEDULED') running.push(row);
    else if (st === 'KILLED') unlisted.push({ ...row, state: 'stopped', error: stoppedWords(tagOf(c, 'cairn.error')) });
    else if (st === 'FAILED') unlisted.push({ ...row, state: 'failed', error: tagOf(c, 'cairn.error') ?? 'failed' });
  }
  const byNumber = (a: TrialRow, b: TrialRow) => a.number - b.number;
  return [...scored, ...running.sort(byNumber), ...failed, ...unlisted.sort(byNumber)];
}

/** The best score so far over time: one point per improvement, at the seconds since the start it was found. */
export function bestSoFar(board: readonly TrialSummary[], greaterIsBetter: boolean): [number, number][] {
  const scored = board.filter((t) => t.score !== undefined && t.score !== null && !t.error && Number.isFinite(t.score));
  scored.sort((a, b) => a.finished_at - b.finished_at || a.number - b.number);
  const out: [number, number][] = [];
  let best: number | null = null;
  for (const t of scored) {
    const s = t.score as number;
    if (best === null || (greaterIsBetter ? s > best : s < best)) {
      best = s;
      out.push([t.finished_at, s]);
    }
  }
  return out;
}

/** Every scored trial as a point: when it ended, its score. */
export function trialPoints(board: readonly TrialSummary[]): { x: number; y: number; number: number; model: ModelKind }[] {
  return board
    .filter((t) => t.score !== undefined && t.score !== null && !t.error && Number.isFinite(t.score))
    .map((t) => ({ x: t.finished_at, y: t.score as number, number: t.number, model: t.model }));
}

/** Settings the search holds fixed for a family (early stopping, the kNN index…): not worth a column's room. */
const FIXED_PARAMS = new Set(['iterations', 'early_stopping_rounds', 'validation_fraction', 'index', 'kernel', 'max_rows']);

/** A parameter's value for reading: numbers to 3 significant digits. */
function shortValue(v: string): string {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || Number.isInteger(n)) return v;
  const a = Math.abs(n);
  return a >= 1e-3 && a < 1e6 ? String(Number(n.toPrecision(3))) : n.toExponential(2);
}

/** The tuned parameters, as `name value` pairs. */
export function keyParams(params: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(params)
    .filter(([k]) => !FIXED_PARAMS.has(k))
    .map(([name, value]) => ({ name, value: shortValue(value) }));
}

/**
 * Why the search stopped, as a sentence. `job`: the state of its job once it is over, when the leaderboard
 * still says running (the job ended before the search could write its last one).
 */
export function stoppedText(result: AutomlResult, job?: JobState): string {
  switch (result.stopped) {
    case 'running':
      if (job === 'cancelled') return CANCELLED;
      if (job === 'failed') return 'The search failed before it wrote its final leaderboard (see the job log); the trials below had finished.';
      return job ? 'The search stopped before it wrote its final leaderboard (see the job log); the trials below had finished.' : '';
    case 'budget':
      return 'Finished: the time budget was reached.';
    case 'trials':
      return 'Finished: every trial of the budget ran.';
    case 'cancelled':
      return CANCELLED;
    case 'exhausted':
      return 'Finished: every model family had converged before the budget ran out.';
    case 'cluster':
      return 'Ended early: the cluster stopped answering. The ensemble and the final model were built on this computer from the trials that had finished (see the job log).';
    default:
      return `Finished: ${result.stopped}.`;
  }
}

const CANCELLED = 'Cancelled: the finished trials are kept, and the best one keeps its model.';

/** "kfold:5" → "5-fold cross-validation"; "holdout:0.2" → "20% held out". */
export function validationWords(v: string): string {
  const [kind, n] = v.split(':');
  if (kind === 'kfold' && n) return `${n}-fold cross-validation`;
  if (kind === 'holdout' && n && Number.isFinite(Number(n))) return `${Math.round(Number(n) * 100)}% held out`;
  return v;
}

/** A score with its metric's direction kept in mind: how much better `a` is than `b` ("+0.0039"). */
export function gain(a: number, b: number, greaterIsBetter: boolean): string {
  const d = greaterIsBetter ? a - b : b - a;
  return `${d >= 0 ? '+' : '−'}${formatMetric(Number(Math.abs(d).toPrecision(2)))}`;
}
