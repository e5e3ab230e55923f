// The training worker prints `[phase] done/total` lines (`[fit] 1/1`, `[folds] 2/5`, `[evaluate] 0/1`)
// between its plain log lines; the last one says how far the job is.
import type { Progress } from '../../types.gen';

const LINE = /^\[([^\]\n]+)\]\s+(\d+)\s*\/\s*(\d+)\s*$/;

/** Progress from the last `[phase] done/total` line of a log, or null when there is none yet. */
export function lastProgress(text: string): Progress | null {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = LINE.exec(lines[i].trim());
    if (m) {
      const total = Number(m[3]);
      return { phase: m[1], done: Math.min(Number(m[2]), total || Number(m[2])), total, unit: '' };
    }
  }
  return null;
}

/** The log without its progress lines: what a person reads in the live tail. */
export function readableLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !LINE.test(l.trim()));
}

/**
 * Appends a chunk read from byte offset `next`, keeping at most `keep` characters (the tail) so a
 * long-running job's log does not grow the page without bound.
 */
export function appendLog(prev: string, chunk: string, keep = 200_000): string {
  const all = prev + chunk;
  if (all.length <= keep) return all;
  const cut = all.indexOf('\n', all.length - keep);
  return cut < 0 ? all.slice(all.length - keep) : all.slice(cut + 1);
}

/**
 * What the live progress bar shows. The log's phases are coarse (`[fit]` comes only when fitting ends), so
 * while fitting, a model that logs a metric per boosting round (GBM) shows rounds done of rounds planned.
 */
export function liveProgress(log: string, rounds?: { done: number; total: number }): Progress | null {
  const p = lastProgress(log);
  const fitting = !p || (p.phase === 'fit' && p.done < p.total);
  if (fitting && rounds && rounds.total > 0 && rounds.done > 0) {
    return { phase: 'fit', done: Math.min(rounds.done, rounds.total), total: rounds.total, unit: 'rounds' };
  }
  return p;
}
