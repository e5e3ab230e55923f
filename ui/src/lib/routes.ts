/** The screens, as addressed by the URL hash. */
export type Route =
  | { name: 'welcome' }
  | { name: 'project'; pid: string }
  | { name: 'dataset'; pid: string; did: string; column?: string }
  | { name: 'profile'; pid: string; did: string }
  /** The versions a dataset has had, with `version` open. */
  | { name: 'history'; pid: string; did: string; version?: string }
  /** The insights report of a dataset, for `target` (or the binary target `target = equals`). */
  | { name: 'insights'; pid: string; did: string; target?: string; equals?: string }
  /** The runs of one experiment (or of all when `exp` is absent), with an optional filter. */
  | { name: 'runs'; pid: string; exp?: string; filter?: string }
  | { name: 'run'; pid: string; rid: string }
  | { name: 'compare'; pid: string; runs: string[] }
  /** The project's jobs (trainings and commands, here and on clusters), with `job` open. */
  | { name: 'jobs'; pid: string; job?: string }
  /** The user's cluster profiles. */
  | { name: 'clusters'; pid: string }
  /** The wrangling page of one flow. */
  | { name: 'wrangle'; pid: string; flow: string }
  /** The model registry: its groups, with `group` open (and `version` of it). */
  | { name: 'models'; pid: string; group?: string; version?: number }
  /** The project's real-time endpoints, with `endpoint` open. */
  | { name: 'endpoints'; pid: string; endpoint?: string };

const dec = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** `#/p/<pid>/d/<did>[/profile]`, with `?col=<name>` for the column whose profile is open. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path, query = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(dec);
  if (parts[0] === 'p' && parts[1]) {
    const pid = parts[1];
    if (parts[2] === 'd' && parts[3]) {
      const did = parts[3];
      if (parts[4] === 'profile') return { name: 'profile', pid, did };
      if (parts[4] === 'history') {
        const v = new URLSearchParams(query).get('v');
        return v ? { name: 'history', pid, did, version: v } : { name: 'history', pid, did };
      }
      if (parts[4] === 'insights') {
        const q = new URLSearchParams(query);
        const r: Route = { name: 'insights', pid, did };
        const t = q.get('target');
        const eq = q.get('eq');
        if (t) r.target = t;
        if (t && eq !== null) r.equals = eq;
        return r;
      }
      const col = new URLSearchParams(query).get('col');
      return col ? { name: 'dataset', pid, did, column: col } : { name: 'dataset', pid, did };
    }
    const q = new URLSearchParams(query);
    if (parts[2] === 'runs') {
      const r: Route = { name: 'runs', pid };
      const exp = q.get('exp');
      const filter = q.get('filter');
      if (exp) r.exp = exp;
      if (filter) r.filter = filter;
      return r;
    }
    if (parts[2] === 'r' && parts[3]) return { name: 'run', pid, rid: parts[3] };
    if (parts[2] === 'jobs') return q.get('job') ? { name: 'jobs', pid, job: q.get('job')! } : { name: 'jobs', pid };
    if (parts[2] === 'clusters') return { name: 'clusters', pid };
    if (parts[2] === 'flows' && parts[3]) return { name: 'wrangle', pid, flow: parts[3] };
    if (parts[2] === 'models') {
      const r: Route = { name: 'models', pid };
      if (parts[3]) r.group = parts[3];
      const v = Number(q.get('v'));
      if (parts[3] && Number.isInteger(v) && v > 0) r.version = v;
      return r;
    }
    if (parts[2] === 'endpoints') return parts[3] ? { name: 'endpoints', pid, endpoint: parts[3] } : { name: 'endpoints', pid };
    if (parts[2] === 'compare') return { name: 'compare', pid, runs: (q.get('runs') ?? '').split(',').filter(Boolean) };
    return { name: 'project', pid };
  }
  return { name: 'welcome' };
}

export function href(r: Route): string {
  const e = encodeURIComponent;
  switch (r.name) {
    case 'welcome':
      return '#/';
    case 'project':
      return `#/p/${e(r.pid)}`;
    case 'dataset':
      return `#/p/${e(r.pid)}/d/${e(r.did)}` + (r.column ? `?col=${e(r.column)}` : '');
    case 'profile':
      return `#/p/${e(r.pid)}/d/${e(r.did)}/profile`;
    case 'history':
      return `#/p/${e(r.pid)}/d/${e(r.did)}/history` + (r.version ? `?v=${e(r.version)}` : '');
    case 'insights': {
      const q = new URLSearchParams();
      if (r.target) q.set('target', r.target);
      if (r.target && r.equals !== undefined) q.set('eq', r.equals);
      const qs = q.toString();
      return `#/p/${e(r.pid)}/d/${e(r.did)}/insights` + (qs ? `?${qs}` : '');
    }
    case 'runs': {
      const q = new URLSearchParams();
      if (r.exp) q.set('exp', r.exp);
      if (r.filter) q.set('filter', r.filter);
      const qs = q.toString();
      return `#/p/${e(r.pid)}/runs` + (qs ? `?${qs}` : '');
    }
    case 'run':
      return `#/p/${e(r.pid)}/r/${e(r.rid)}`;
    case 'compare':
      return `#/p/${e(r.pid)}/compare?runs=${r.runs.map(e).join(',')}`;
    case 'jobs':
      return `#/p/${e(r.pid)}/jobs` + (r.job ? `?job=${e(r.job)}` : '');
    case 'clusters':
      return `#/p/${e(r.pid)}/clusters`;
    case 'wrangle':
      return `#/p/${e(r.pid)}/flows/${e(r.flow)}`;
    case 'models':
      return `#/p/${e(r.pid)}/models` + (r.group ? `/${e(r.group)}` + (r.version ? `?v=${r.version}` : '') : '');
    case 'endpoints':
      return `#/p/${e(r.pid)}/endpoints` + (r.endpoint ? `/${e(r.endpoint)}` : '');
  }
}

/**
 * The links the `mlflow` client prints ("View run at <server>/#/experiments/1/runs/<id>") are MLflow UI
 * routes; Cairn opens the same run (or experiment) in the project it serves.
 */
export function mlflowLink(hash: string, pid: string): Route | null {
  const m = /^#\/experiments\/([^/?]+)(?:\/runs\/([^/?]+))?\/?(?:\?.*)?$/.exec(hash);
  if (!m) return null;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return m[2] ? { name: 'run', pid, rid: dec(m[2]) } : { name: 'runs', pid, exp: dec(m[1]) };
}
