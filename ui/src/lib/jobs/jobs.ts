import type { ClusterProfile, JobInfo, JobState, RunStatus } from '../types.gen';

/** Where a job runs, in words: "This computer", a cluster profile's name, or the cluster's address. */
export function whereLabel(executor: string, clusters: readonly ClusterProfile[]): string {
  if (executor === 'local') return 'This computer';
  const address = executor.startsWith('ray:') ? executor.slice(4) : executor;
  const p = clusters.find((c) => c.address === address);
  return p ? p.name : address;
}

/** A job's state as its run's status, so both wear the same badge. */
export const RUN_STATUS: Record<JobState, RunStatus> = {
  queued: 'SCHEDULED',
  running: 'RUNNING',
  succeeded: 'FINISHED',
  failed: 'FAILED',
  cancelled: 'KILLED',
};

export function isActive(state: JobState): boolean {
  return state === 'queued' || state === 'running';
}

/** Milliseconds the job has run (or ran): from its start (else its creation) to its end (else `now`). */
export function elapsedMs(job: JobInfo, now: number): number {
  const from = job.started_at ?? job.created_at;
  const to = job.ended_at ?? (isActive(job.state) ? now : from);
  return Math.max(0, to - from);
}

const KIND_LABELS: Record<string, string> = {
  train: 'Training',
  automl: 'AutoML',
  automl_trial: 'AutoML trial',
  batch: 'Batch prediction',
  command: 'Command',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** `NAME=VALUE` lines (blank lines and `#` comments skipped) → env; a bad line is reported by number. */
export function parseEnv(text: string): { env: Record<string, string>; error?: string } {
  const env: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      return { env, error: `line ${i + 1}: “${line}” is not NAME=VALUE (a name is letters, digits and _)` };
    }
    env[name] = line.slice(eq + 1);
  }
  return { env };
}
