// The registry's rules and words, kept out of the components so they can be tested: which names the
// server accepts (checked in the form before a request), what each approval status and history event
// says, and which metric a version is shown with.
import { formatMetric, lowerIsBetter } from '../runs/run/facts';
import type { ApprovalStatus, Metric, ModelGroup, ModelVersionInfo, RegistryEvent, VersionComparison } from '../types.gen';

export const APPROVAL_LABEL: Record<ApprovalStatus, string> = {
  PendingManualApproval: 'Pending approval',
  Approved: 'Approved',
  Rejected: 'Rejected',
};

/** A group's name as the store accepts it (MLflow's rule): why not, or null. */
export function groupNameError(name: string): string | null {
  const n = name.trim();
  if (!n) return 'Name the model group, e.g. churn.';
  if (/[/:]/.test(n)) return 'A group name cannot contain “/” or “:”.';
  if (n === '.' || n === '..') return `“${n}” cannot name a group.`;
  return null;
}

/** An alias to set, as the store accepts it: why not, or null. */
export function aliasError(alias: string): string | null {
  const a = alias.trim();
  if (!a) return 'Name the alias, e.g. champion.';
  if (!/^[\p{L}\p{N}_-]+$/u.test(a)) return 'An alias is letters, digits, “_” and “-” only.';
  if (a.length > 255) return 'An alias is at most 255 characters.';
  if (a.toLowerCase() === 'latest') return '“latest” is reserved: it always names the newest version.';
  if (/^v\d+$/i.test(a)) return `“${a}” is reserved: it names version ${a.slice(1)}.`;
  return null;
}

/**
 * Why an approval cannot be sent as it is, or null. Rejecting needs a reason, and so does approving a
 * rejected version (the server's rule); a version that has the status already is left to the server,
 * whose 409 the dialog shows (another user may have changed it since the page was read).
 */
export function approvalError(to: ApprovalStatus, from: ApprovalStatus, reason: string): string | null {
  if (to === 'Rejected' && !reason.trim()) return 'Say why it is rejected: the reason is kept in its history.';
  if (to === 'Approved' && from === 'Rejected' && !reason.trim()) return 'This version was rejected: say why it is approved now.';
  return null;
}

/** "v3". */
export function versionLabel(v: number): string {
  return `v${v}`;
}

/** The key metric as "roc_auc 0.9276", or ''. */
export function keyMetricText(v: ModelVersionInfo): string {
  return v.key_metric ? `${v.key_metric.key} ${formatMetric(v.key_metric.value)}` : '';
}

/** A history event in words (the actor, time and reason are shown beside it). */
export function eventText(e: RegistryEvent): string {
  const v = e.version !== undefined && e.version !== null ? versionLabel(e.version) : '';
  const status = (s: string) => APPROVAL_LABEL[s as ApprovalStatus] ?? s;
  switch (e.kind) {
    case 'registered':
      return `registered ${v}`.trim();
    case 'status':
      return `${v} ${e.from ? `${status(e.from)} → ` : ''}${status(e.to)}`.trim();
    case 'alias_set':
      return e.from && e.from !== e.to ? `alias ${e.alias ?? ''} moved from v${e.from} to v${e.to}` : `alias ${e.alias ?? ''} set on v${e.to}`;
    case 'alias_removed':
      return `alias ${e.alias ?? ''} removed from v${e.from}`;
    case 'intended_use':
      return `${v} intended use edited`.trim();
    case 'version_deleted':
      return `${v} deleted`.trim();
    case 'group_deleted':
      return 'group deleted';
    case 'renamed':
      return `renamed from ${e.from} to ${e.to}`;
  }
}

/** The version `v` of a group, or its newest when `v` is absent or gone. */
export function pickVersion(g: ModelGroup, v: number | undefined): ModelVersionInfo | null {
  if (!g.versions.length) return null;
  return g.versions.find((x) => x.version === v) ?? [...g.versions].sort((a, b) => b.version - a.version)[0];
}

/** Metrics as numbers, by key (text values are left out). */
export function metricValues(ms: Metric[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of ms) {
    const x = typeof m.value === 'number' ? m.value : Number(m.value);
    if (Number.isFinite(x)) out.set(m.key, x);
  }
  return out;
}

/** The model spec an endpoint or a batch job is given for a version: `GROUP@VERSION`. */
export function versionSpec(group: string, version: number): string {
  return `${group}@${version}`;
}


/** A row of the side-by-side table; `better` says whether b improves on a (null: no change, or not comparable). */
export interface CompareRow {
  key: string;
  a: string;
  b: string;
  delta: string;
  differs: boolean;
  better: boolean | null;
}

/** The held-out metrics of both versions, with b − a and whether that is better (losses are better lower). */
export function metricRows(c: VersionComparison): CompareRow[] {
  const ma = metricValues(c.a.metrics);
  const mb = metricValues(c.b.metrics);
  const deltas = new Map(c.metric_deltas.map((d) => [d.key, d.value]));
  return [...new Set([...ma.keys(), ...mb.keys()])].sort().map((k) => {
    const d = deltas.get(k);
    const better = d === undefined || d === 0 ? null : lowerIsBetter(k) ? d < 0 : d > 0;
    return { key: k, a: formatMetric(ma.get(k) ?? null), b: formatMetric(mb.get(k) ?? null), delta: d === undefined ? '' : `${d > 0 ? '+' : ''}${formatMetric(d)}`, differs: d !== 0, better };
  });
}

/** Every param of either version; `differs` as the server says. */
export function paramRows(c: VersionComparison): CompareRow[] {
  const pa = new Map(c.a.params.map((p) => [p.key, p.value]));
  const pb = new Map(c.b.params.map((p) => [p.key, p.value]));
  const differ = new Set(c.params_differ);
  return [...new Set([...pa.keys(), ...pb.keys()])].sort().map((k) => ({ key: k, a: pa.get(k) ?? '—', b: pb.get(k) ?? '—', delta: '', differs: differ.has(k), better: null }));
}
