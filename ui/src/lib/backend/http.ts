import type {
  AddCluster,
  AutomlResult,
  AutomlSpec,
  ArtifactFile,
  ClusterCheck,
  ClusterProfile,
  StartCommand,
  TestCluster,
  Trust,
  CreateExperiment,
  Evaluation,
  Experiment,
  ExperimentsPage,
  JobInfo,
  JobLog,
  MetricSeries,
  ModelInfo,
  Run,
  RunKeys,
  RunUpdate,
  RunsPage,
  SearchExperiments,
  SearchRuns,
  Tag,
  TrainSpec,
  TrainCheck,
  TrainStarted,
  Dataset,
  DatasetVersion,
  ImportPreview,
  ImportRequest,
  Page,
  PickKind,
  PickResponse,
  Profile,
  InsightsReport,
  InsightsRequest,
  ProjectChanges,
  ProjectInfo,
  RecentProject,
  ServerInfo,
  TaskEvent,
  TaskInfo,
  TaskStarted,
  ChartData,
  ChartRequest,
  FlowDoc,
  FlowRenamed,
  FlowPreview,
  FlowPreviewRequest,
  FlowRunRequest,
  FlowSummary,
  OpSpec,
  PythonScript,
  BatchPredictRequest,
  BatchStatus,
  DeployEndpoint,
  EndpointInfo,
  EndpointLog,
  EndpointStats,
  InvokeEndpoint,
  InvokeResult,
  ModelCard,
  ModelGroup,
  ModelVersionInfo,
  RegisterModel,
  RegistryEvent,
  SetApproval,
  UpdateEndpoint,
  VersionComparison,
} from '../types.gen';
import { isFinal, type Backend, type FinalTaskEvent, type RowsQuery, type Uploaded } from './api';
import { onDrop, onMenu } from './desktop';
import { BackendError, errorFromResponse, isAbort, networkError } from './errors';
import { readSse } from './sse';

export interface HttpOptions {
  /** Prefix for request paths; empty for same origin. */
  base?: string;
  token: () => string | null;
  fetch?: typeof fetch;
  /** Waits between event-stream reconnects (injectable so tests need not wait). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const enc = encodeURIComponent;
const MAX_STREAM_RETRIES = 8;

function abortError(): DOMException {
  return new DOMException('aborted', 'AbortError');
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class HttpBackend implements Backend {
  private readonly base: string;
  private readonly token: () => string | null;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(opts: HttpOptions) {
    this.base = opts.base ?? '';
    this.token = opts.token;
    // Bound, because calling a detached `window.fetch` throws "Illegal invocation".
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = opts.sleep ?? defaultSleep;
  }

  hasToken(): boolean {
    return !!this.token();
  }

  /** A fetch with the session token; non-2xx answers become a BackendError. */
  private async send(method: string, path: string, body?: unknown, signal?: AbortSignal, accept = 'application/json'): Promise<Response> {
    const headers: Record<string, string> = { accept };
    const t = this.token();
    if (t) headers.authorization = `Bearer ${t}`;
    let payload: BodyInit | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, { method, headers, body: payload, signal });
    } catch (e) {
      if (isAbort(e) || signal?.aborted) throw abortError();
      throw networkError(e);
    }
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }

  private async json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.send(method, path, body, signal);
    try {
      return (await res.json()) as T;
    } catch (e) {
      if (isAbort(e) || signal?.aborted) throw abortError();
      throw new BackendError({ code: 'INTERNAL', message: `the server's answer to ${method} ${path} is not valid JSON`, hint: 'check the terminal running `cairn serve`' }, res.status);
    }
  }

  private ds(pid: string, did: string): string {
    return `/api/projects/${enc(pid)}/datasets/${enc(did)}`;
  }

  info() {
    return this.json<ServerInfo>('GET', '/api/info');
  }
  async ready() {
    await this.send('POST', '/api/ready');
  }
  async pick(kind: PickKind) {
    return (await this.json<PickResponse>('POST', '/api/shell/pick', { kind })).path;
  }
  recentProjects() {
    return this.json<RecentProject[]>('GET', '/api/projects/recent');
  }
  forgetRecentProject(pid: string) {
    return this.json<RecentProject>('DELETE', `/api/projects/recent/${enc(pid)}`);
  }
  createProject(path: string, name?: string) {
    return this.json<ProjectInfo>('POST', '/api/projects', name ? { path, name } : { path });
  }
  openProject(path: string) {
    return this.json<ProjectInfo>('POST', '/api/projects/open', { path });
  }
  project(pid: string) {
    return this.json<ProjectInfo>('GET', `/api/projects/${enc(pid)}`);
  }
  datasets(pid: string) {
    return this.json<Dataset[]>('GET', `/api/projects/${enc(pid)}/datasets`);
  }
  dataset(pid: string, did: string) {
    return this.json<Dataset>('GET', this.ds(pid, did));
  }
  deleteDataset(pid: string, did: string) {
    return this.json<Dataset>('DELETE', this.ds(pid, did));
  }
  datasetVersions(pid: string, did: string) {
    return this.json<DatasetVersion[]>('GET', `${this.ds(pid, did)}/versions`);
  }
  rows(pid: string, did: string, q: RowsQuery, signal?: AbortSignal) {
    const p = new URLSearchParams({ offset: String(q.offset), limit: String(q.limit) });
    if (q.sort) {
      p.set('sort', q.sort);
      p.set('order', q.order ?? 'asc');
    }
    if (q.version) p.set('version', q.version);
    return this.json<Page>('GET', `${this.ds(pid, did)}/rows?${p}`, undefined, signal);
  }
  previewImport(pid: string, req: ImportRequest, signal?: AbortSignal) {
    return this.json<ImportPreview>('POST', `/api/projects/${enc(pid)}/imports/preview`, req, signal);
  }
  async startImport(pid: string, req: ImportRequest) {
    return (await this.json<TaskStarted>('POST', `/api/projects/${enc(pid)}/imports`, req)).task_id;
  }
  profile(pid: string, did: string, signal?: AbortSignal) {
    return this.json<Profile>('GET', `${this.ds(pid, did)}/profile`, undefined, signal);
  }
  async startProfile(pid: string, did: string) {
    return (await this.json<TaskStarted>('POST', `${this.ds(pid, did)}/profile`)).task_id;
  }
  insights(pid: string, did: string, req: InsightsRequest, signal?: AbortSignal) {
    return this.json<InsightsReport>('GET', `${this.ds(pid, did)}/insights?${insightsQuery(req)}`, undefined, signal);
  }
  async startInsights(pid: string, did: string, req: InsightsRequest) {
    return (await this.json<TaskStarted>('POST', `${this.ds(pid, did)}/insights`, req)).task_id;
  }
  insightsHtmlUrl(pid: string, did: string, req: InsightsRequest) {
    const q = insightsQuery(req);
    const t = this.token();
    if (t) q.set('token', t);
    return `${this.base}${this.ds(pid, did)}/insights/html?${q}`;
  }
  task(tid: string) {
    return this.json<TaskInfo>('GET', `/api/tasks/${enc(tid)}`);
  }
  cancelTask(tid: string) {
    return this.json<TaskInfo>('POST', `/api/tasks/${enc(tid)}/cancel`);
  }

  flowOps() {
    return this.json<OpSpec[]>('GET', '/api/flow-ops');
  }
  flows(pid: string) {
    return this.json<FlowSummary[]>('GET', `/api/projects/${enc(pid)}/flows`);
  }
  flow(pid: string, name: string) {
    return this.json<FlowDoc>('GET', `/api/projects/${enc(pid)}/flows/${enc(name)}`);
  }
  createFlow(pid: string, name: string, dataset: string) {
    return this.json<FlowDoc>('POST', `/api/projects/${enc(pid)}/flows`, { name, dataset });
  }
  saveFlow(pid: string, doc: FlowDoc) {
    return this.json<FlowDoc>('PUT', `/api/projects/${enc(pid)}/flows/${enc(doc.name)}`, doc);
  }
  renameFlow(pid: string, name: string, to: string) {
    return this.json<FlowRenamed>('POST', `/api/projects/${enc(pid)}/flows/${enc(name)}/rename`, { name: to });
  }
  deleteFlow(pid: string, name: string) {
    return this.json<FlowDoc>('DELETE', `/api/projects/${enc(pid)}/flows/${enc(name)}`);
  }
  previewFlow(pid: string, req: FlowPreviewRequest, signal?: AbortSignal) {
    return this.json<FlowPreview>('POST', `/api/projects/${enc(pid)}/flow-preview`, req, signal);
  }
  flowChart(pid: string, req: ChartRequest, signal?: AbortSignal) {
    return this.json<ChartData>('POST', `/api/projects/${enc(pid)}/flow-chart`, req, signal);
  }
  async runFlow(pid: string, name: string, req: FlowRunRequest) {
    return (await this.json<TaskStarted>('POST', `/api/projects/${enc(pid)}/flows/${enc(name)}/run`, req)).task_id;
  }
  exportFlowPython(pid: string, name: string) {
    return this.json<PythonScript>('GET', `/api/projects/${enc(pid)}/flows/${enc(name)}/python`);
  }

  async discardUpload(pid: string, path: string) {
    await this.send('DELETE', `${this.p(pid)}/uploads?path=${enc(path)}`);
  }
  /** XMLHttpRequest rather than fetch: only it reports upload progress over HTTP/1.1. */
  upload(pid: string, file: File, onProgress?: (sent: number, total: number) => void, signal?: AbortSignal): Promise<Uploaded> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.base}/api/projects/${enc(pid)}/uploads?name=${enc(file.name)}`);
      const t = this.token();
      if (t) xhr.setRequestHeader('authorization', `Bearer ${t}`);
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () => reject(networkError(new Error('the upload failed')));
      xhr.onabort = () => reject(abortError());
      xhr.onload = () => {
        const res = new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText });
        if (xhr.status >= 200 && xhr.status < 300) {
          try {
            resolve(JSON.parse(xhr.responseText) as Uploaded);
          } catch {
            reject(new BackendError({ code: 'INTERNAL', message: 'the server answered the upload with something that is not JSON' }, xhr.status));
          }
        } else {
          errorFromResponse(res).then(reject, reject);
        }
      };
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(file);
    });
  }

  async followTask(tid: string, onEvent: (e: TaskEvent) => void, signal?: AbortSignal): Promise<FinalTaskEvent> {
    let after = 0;
    let failures = 0;
    for (;;) {
      try {
        const res = await this.send('GET', `/api/tasks/${enc(tid)}/events?after=${after}`, undefined, signal, 'text/event-stream');
        if (!res.body) throw new BackendError({ code: 'INTERNAL', message: 'the task event stream has no body' });
        for await (const msg of readSse(res.body)) {
          if (msg.id !== undefined && /^\d+$/.test(msg.id)) after = Number(msg.id);
          let ev: TaskEvent;
          try {
            ev = JSON.parse(msg.data) as TaskEvent;
          } catch {
            continue; // A message we cannot read is skipped; the final event still ends the task.
          }
          failures = 0;
          onEvent(ev);
          if (isFinal(ev)) return ev;
        }
        // Ended cleanly but without a final event: counts as a failure, or an empty stream would loop forever.
        failures++;
      } catch (e) {
        if (isAbort(e) || signal?.aborted) throw abortError();
        // A task the server does not know will not come back by retrying.
        if (e instanceof BackendError && e.status >= 400 && e.status < 500) throw e;
        failures++;
      }
      // The stream ended before a final event (server restart, proxy timeout): resume after the last seen id.
      if (failures > MAX_STREAM_RETRIES) {
        const info = await this.task(tid);
        if (info.state === 'succeeded') return { type: 'succeeded', result: info.result };
        if (info.state === 'cancelled') return { type: 'cancelled' };
        if (info.state === 'failed' && info.error) return { type: 'failed', error: info.error };
        throw new BackendError({ code: 'IO', message: `lost the connection to task ${tid} (“${info.title}”)`, hint: 'the task may still be running; reload the page to check' });
      }
      await this.sleep(Math.min(3000, 100 * 2 ** failures), signal);
    }
  }

  async watchProject(pid: string, onChange: (c: ProjectChanges) => void, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const res = await this.send('GET', `${this.p(pid)}/changes`, undefined, signal, 'text/event-stream');
        if (!res.body) throw new BackendError({ code: 'INTERNAL', message: 'the project change stream has no body' });
        for await (const msg of readSse(res.body)) {
          let c: ProjectChanges;
          try {
            c = JSON.parse(msg.data) as ProjectChanges;
          } catch {
            continue;
          }
          failures = 0;
          onChange(c);
        }
      } catch (e) {
        if (isAbort(e) || signal.aborted) return;
        // A project the server does not know (or a bad token) will not come back by retrying.
        if (e instanceof BackendError && e.status >= 400 && e.status < 500) throw e;
      }
      // The stream ended (server restart, sleep, a proxy's timeout): each new stream starts with the
      // counts as they are, so nothing is missed. Following is a nicety: retried slowly, forever.
      failures++;
      try {
        await this.sleep(Math.min(10_000, 250 * 2 ** Math.min(failures, 6)), signal);
      } catch {
        return;
      }
    }
  }

  private p(pid: string): string {
    return `/api/projects/${enc(pid)}`;
  }
  private r(pid: string, rid: string): string {
    return `${this.p(pid)}/runs/${enc(rid)}`;
  }
  models() {
    return this.json<ModelInfo[]>('GET', '/api/models');
  }
  train(pid: string, spec: TrainSpec, on?: string) {
    return this.json<TrainStarted>('POST', `${this.p(pid)}/train` + (on ? `?on=${enc(on)}` : ''), spec);
  }

  checkTraining(pid: string, spec: TrainSpec) {
    return this.json<TrainCheck>('POST', `${this.p(pid)}/train/check`, spec);
  }
  startAutoml(pid: string, spec: AutomlSpec) {
    return this.json<TrainStarted>('POST', `${this.p(pid)}/automl`, spec);
  }
  automlResult(pid: string, rid: string, signal?: AbortSignal) {
    return this.json<AutomlResult>('GET', `${this.r(pid, rid)}/automl`, undefined, signal);
  }
  experiments(pid: string, q: Partial<SearchExperiments> = {}) {
    return this.json<ExperimentsPage>('POST', `${this.p(pid)}/experiments/search`, { filter: '', view_type: 'ACTIVE_ONLY', max_results: 1000, order_by: [], ...q });
  }
  createExperiment(pid: string, req: CreateExperiment) {
    return this.json<Experiment>('POST', `${this.p(pid)}/experiments`, req);
  }
  searchRuns(pid: string, q: Partial<SearchRuns>, signal?: AbortSignal) {
    return this.json<RunsPage>('POST', `${this.p(pid)}/runs/search`, q, signal);
  }
  runKeys(pid: string, experimentIds: string[]) {
    return this.json<RunKeys>('POST', `${this.p(pid)}/runs/keys`, { experiment_ids: experimentIds });
  }
  run(pid: string, rid: string, signal?: AbortSignal) {
    return this.json<Run>('GET', this.r(pid, rid), undefined, signal);
  }
  updateRun(pid: string, rid: string, u: RunUpdate) {
    return this.json<Run>('PATCH', this.r(pid, rid), u);
  }
  async deleteRun(pid: string, rid: string) {
    await this.send('DELETE', this.r(pid, rid));
  }
  setRunTag(pid: string, rid: string, tag: Tag) {
    return this.json<Run>('POST', `${this.r(pid, rid)}/tags`, tag);
  }
  deleteRunTag(pid: string, rid: string, key: string) {
    return this.json<Run>('DELETE', `${this.r(pid, rid)}/tags/${enc(key)}`);
  }
  evaluation(pid: string, rid: string, signal?: AbortSignal) {
    return this.json<Evaluation>('GET', `${this.r(pid, rid)}/evaluation`, undefined, signal);
  }
  metricSeries(pid: string, rid: string, key: string, maxPoints = 1000, signal?: AbortSignal) {
    return this.json<MetricSeries>('GET', `${this.r(pid, rid)}/metric?key=${enc(key)}&max_points=${maxPoints}`, undefined, signal);
  }
  artifacts(pid: string, rid: string) {
    return this.json<ArtifactFile[]>('GET', `${this.r(pid, rid)}/artifacts`);
  }
  artifactUrl(pid: string, rid: string, path: string) {
    const t = this.token();
    const file = path.split('/').map(enc).join('/');
    return `${this.base}${this.r(pid, rid)}/artifacts/${file}` + (t ? `?token=${enc(t)}` : '');
  }
  reportUrl(pid: string, rid: string, download = false) {
    const q = new URLSearchParams();
    if (download) q.set('download', '1');
    const t = this.token();
    if (t) q.set('token', t);
    const query = q.toString();
    return `${this.base}${this.r(pid, rid)}/report.html` + (query ? `?${query}` : '');
  }
  runJob(pid: string, rid: string) {
    return this.json<JobInfo>('GET', `${this.r(pid, rid)}/job`);
  }
  jobs(pid: string) {
    return this.json<JobInfo[]>('GET', `${this.p(pid)}/jobs`);
  }
  job(pid: string, jid: string) {
    return this.json<JobInfo>('GET', `${this.p(pid)}/jobs/${enc(jid)}`);
  }
  cancelJob(pid: string, jid: string) {
    return this.json<JobInfo>('POST', `${this.p(pid)}/jobs/${enc(jid)}/cancel`);
  }
  jobLog(pid: string, jid: string, offset = 0, signal?: AbortSignal) {
    return this.json<JobLog>('GET', `${this.p(pid)}/jobs/${enc(jid)}/log?offset=${offset}`, undefined, signal);
  }
  rerunJob(pid: string, jid: string) {
    return this.json<TrainStarted>('POST', `${this.p(pid)}/jobs/${enc(jid)}/rerun`);
  }
  startCommand(pid: string, req: StartCommand) {
    return this.json<TrainStarted>('POST', `${this.p(pid)}/commands`, req);
  }
  trust(pid: string) {
    return this.json<Trust>('GET', `${this.p(pid)}/trust`);
  }
  setTrust(pid: string, trusted: boolean, folder?: string) {
    return this.json<Trust>('PUT', `${this.p(pid)}/trust`, { trusted, folder });
  }
  clusters() {
    return this.json<ClusterProfile[]>('GET', '/api/clusters');
  }
  addCluster(req: AddCluster) {
    return this.json<ClusterProfile>('POST', '/api/clusters', req);
  }
  removeCluster(name: string) {
    return this.json<ClusterProfile>('DELETE', `/api/clusters/${enc(name)}`);
  }
  testCluster(name: string) {
    return this.json<ClusterCheck>('POST', `/api/clusters/${enc(name)}/test`);
  }
  testAddress(req: TestCluster) {
    return this.json<ClusterCheck>('POST', '/api/clusters/test', req);
  }

  private g(pid: string, group: string): string {
    return `${this.p(pid)}/models/${enc(group)}`;
  }
  private v(pid: string, group: string, version: number): string {
    return `${this.g(pid, group)}/versions/${version}`;
  }
  private ep(pid: string, name: string): string {
    return `${this.p(pid)}/endpoints/${enc(name)}`;
  }
  modelGroups(pid: string) {
    return this.json<ModelGroup[]>('GET', `${this.p(pid)}/models`);
  }
  modelGroup(pid: string, group: string) {
    return this.json<ModelGroup>('GET', this.g(pid, group));
  }
  registerModel(pid: string, req: RegisterModel) {
    return this.json<ModelVersionInfo>('POST', `${this.p(pid)}/models`, req);
  }
  async deleteModelGroup(pid: string, group: string) {
    await this.send('DELETE', this.g(pid, group));
  }
  modelCard(pid: string, group: string, version: number) {
    return this.json<ModelCard>('GET', this.v(pid, group, version));
  }
  async deleteModelVersion(pid: string, group: string, version: number) {
    await this.send('DELETE', this.v(pid, group, version));
  }
  setApproval(pid: string, group: string, version: number, req: SetApproval) {
    return this.json<ModelVersionInfo>('POST', `${this.v(pid, group, version)}/approval`, req);
  }
  setIntendedUse(pid: string, group: string, version: number, text: string) {
    return this.json<ModelVersionInfo>('PUT', `${this.v(pid, group, version)}/intended-use`, { text });
  }
  setAlias(pid: string, group: string, alias: string, version: number) {
    return this.json<ModelVersionInfo>('PUT', `${this.g(pid, group)}/aliases/${enc(alias)}`, { version });
  }
  async removeAlias(pid: string, group: string, alias: string) {
    await this.send('DELETE', `${this.g(pid, group)}/aliases/${enc(alias)}`);
  }
  modelHistory(pid: string, group: string) {
    return this.json<RegistryEvent[]>('GET', `${this.g(pid, group)}/history`);
  }
  compareVersions(pid: string, group: string, a: number, b: number) {
    return this.json<VersionComparison>('GET', `${this.g(pid, group)}/compare?a=${a}&b=${b}`);
  }
  endpoints(pid: string) {
    return this.json<EndpointInfo[]>('GET', `${this.p(pid)}/endpoints`);
  }
  endpoint(pid: string, name: string) {
    return this.json<EndpointInfo>('GET', this.ep(pid, name));
  }
  deployEndpoint(pid: string, req: DeployEndpoint) {
    return this.json<EndpointInfo>('POST', `${this.p(pid)}/endpoints`, req);
  }
  updateEndpoint(pid: string, name: string, req: UpdateEndpoint) {
    return this.json<EndpointInfo>('PUT', this.ep(pid, name), req);
  }
  stopEndpoint(pid: string, name: string) {
    return this.json<EndpointInfo>('POST', `${this.ep(pid, name)}/stop`);
  }
  async deleteEndpoint(pid: string, name: string) {
    await this.send('DELETE', this.ep(pid, name));
  }
  invokeEndpoint(pid: string, name: string, req: InvokeEndpoint) {
    return this.json<InvokeResult>('POST', `${this.ep(pid, name)}/invoke`, req);
  }
  endpointStats(pid: string, name: string, signal?: AbortSignal) {
    return this.json<EndpointStats>('GET', `${this.ep(pid, name)}/stats`, undefined, signal);
  }
  endpointLog(pid: string, name: string, offset = 0, signal?: AbortSignal) {
    return this.json<EndpointLog>('GET', `${this.ep(pid, name)}/log?offset=${offset}`, undefined, signal);
  }
  startBatchPrediction(pid: string, req: BatchPredictRequest) {
    return this.json<JobInfo>('POST', `${this.p(pid)}/batch-predictions`, req);
  }
  batchStatus(pid: string, jid: string) {
    return this.json<BatchStatus>('GET', `${this.p(pid)}/batch-predictions/${enc(jid)}`);
  }

  onMenu = onMenu;
  onDrop = onDrop;
}

/** The query naming an insights report. */
function insightsQuery(req: InsightsRequest): URLSearchParams {
  const q = new URLSearchParams({ target: req.target });
  if (req.equals !== undefined) q.set('equals', req.equals);
  if (req.task) q.set('task', req.task);
  return q;
}
