// What runs logged with the `mlflow` client carry in their system tags (nesting, source), read as the run
// page and the runs table need it. Pure functions only, so they are unit-tested without a server.
import type { Run } from '../../types.gen';

/** The tag MLflow's `start_run(nested=True)` sets on a child run. */
export const PARENT_TAG = 'mlflow.parentRunId';

function tag(run: Run, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}

export function parentRunId(run: Run): string | undefined {
  return tag(run, PARENT_TAG) || undefined;
}

/** A string literal of the filter grammar ('…' with quotes doubled). */
export function filterString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The filter that finds a run's children. */
export function childrenFilter(rid: string): string {
  return `tags.${PARENT_TAG} = ${filterString(rid)}`;
}

/** The runs with these ids (to find which parents still exist). */
export function parentsFilter(ids: readonly string[]): string {
  return `attributes.run_id IN (${ids.map(filterString).join(', ')})`;
}

/** Runs that are nobody's child: the rows of the nested runs table. */
export const TOP_LEVEL_FILTER = `tags.${PARENT_TAG} IS NULL`;
/** Every child run: one search tells which rows have children, and how many. */
export const NESTED_FILTER = `tags.${PARENT_TAG} IS NOT NULL`;

/** Trained by Cairn itself (it tags its runs `cairn.*`), rather than logged by a script through MLflow. */
export function isCairnRun(run: Run): boolean {
  return run.data.tags.some((t) => t.key.startsWith('cairn.'));
}

export interface RunSource {
  /** The script or notebook, as `mlflow.source.name` gives it (a path or a URL). */
  name?: string;
  /** LOCAL, NOTEBOOK, JOB, PROJECT… */
  type?: string;
  commit?: string;
  branch?: string;
  repo?: string;
  entryPoint?: string;
  user?: string;
}

export function runSource(run: Run): RunSource {
  const out: RunSource = {
    name: tag(run, 'mlflow.source.name'),
    type: tag(run, 'mlflow.source.type'),
    commit: tag(run, 'mlflow.source.git.commit'),
    branch: tag(run, 'mlflow.source.git.branch'),
    repo: tag(run, 'mlflow.source.git.repoURL'),
    entryPoint: tag(run, 'mlflow.project.entryPoint'),
    user: tag(run, 'mlflow.user') || run.info.user_id || undefined,
  };
  return out;
}

export function baseName(path: string): string {
  return path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? path;
}

/**
 * The artifact that is the source script, when the script logged itself (`mlflow.log_artifact(__file__)`):
 * the file with the script's name, the one nearest the root when several match.
 */
export function sourceArtifact(source: string | undefined, files: readonly { path: string; is_dir: boolean }[] | null): string | undefined {
  if (!source || !files) return undefined;
  const want = baseName(source);
  if (!want) return undefined;
  const hits = files.filter((f) => !f.is_dir && baseName(f.path) === want).map((f) => f.path);
  hits.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  return hits[0];
}

/** The metric columns of a children table: keys most children have, final (unstepped) ones first, at most `n`. */
export function childMetricKeys(children: readonly Run[], n = 4): string[] {
  const count = new Map<string, { runs: number; stepped: boolean }>();
  for (const r of children) {
    for (const m of r.data.metrics) {
      const c = count.get(m.key) ?? { runs: 0, stepped: false };
      c.runs++;
      c.stepped ||= m.step > 0;
      count.set(m.key, c);
    }
  }
  return [...count]
    .sort(([ka, a], [kb, b]) => b.runs - a.runs || Number(a.stepped) - Number(b.stepped) || ka.localeCompare(kb))
    .slice(0, n)
    .map(([k]) => k);
}

/** Metrics whose latest value is at step 0 (maybe logged several times without a step), at most `max`. */
export function unsteppedKeys(metrics: readonly { key: string; step: number }[], stepped: readonly string[], max = 30): string[] {
  const keys = [...new Set(metrics.filter((m) => m.step === 0 && !stepped.includes(m.key)).map((m) => m.key))].sort();
  return keys.length > max ? [] : keys;
}

/** Chart x values: the steps, or for a history logged without steps (every point at one step), the order logged. */
export function curveXs(steps: readonly number[]): { xs: number[]; byOrder: boolean } {
  const byOrder = steps.length > 1 && steps.every((s) => s === steps[0]);
  return { xs: byOrder ? steps.map((_, i) => i + 1) : [...steps], byOrder };
}
