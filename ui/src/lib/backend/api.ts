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
  PickKind,
  Page,
  Profile,
  InsightsReport,
  InsightsRequest,
  ProjectChanges,
  ProjectInfo,
  RecentProject,
  ServerInfo,
  SortOrder,
  TaskEvent,
  TaskInfo,
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
import type { MenuAction, Unsubscribe } from './desktop';

export type { MenuAction, Unsubscribe };

/** `POST …/uploads` answer (not among the generated types yet). */
export interface Uploaded {
  path: string;
  bytes: number;
}

export interface RowsQuery {
  offset: number;
  limit: number;
  sort?: string;
  order?: SortOrder;
  /** An earlier version of the dataset; the current one when left out. */
  version?: string;
}

/** The events that end a task. */
export type FinalTaskEvent = Extract<TaskEvent, { type: 'succeeded' | 'failed' | 'cancelled' }>;

/**
 * Everything the UI asks of the server or the desktop shell. Methods reject with a BackendError
 * (an ApiError with the HTTP status); aborted requests reject with an AbortError.
 */
export interface Backend {
  /** False when the page was opened without the session token: every API call will fail with UNAUTHORIZED. */
  hasToken(): boolean;
  info(): Promise<ServerInfo>;
  /** Tells the server the first screen is on display (start-up timing). */
  ready(): Promise<void>;
  /** A native file dialog (desktop only). Null when the user closed it. */
  pick(kind: PickKind): Promise<string | null>;

  recentProjects(): Promise<RecentProject[]>;
  /** Takes a project off the recent list (its folder is left alone); resolves with the entry as it was. */
  forgetRecentProject(pid: string): Promise<RecentProject>;
  createProject(path: string, name?: string): Promise<ProjectInfo>;
  openProject(path: string): Promise<ProjectInfo>;
  project(pid: string): Promise<ProjectInfo>;

  /**
   * Follows a project: `onChange` gets its counts at once, then again after every commit to it (by this
   * studio, a training job, `cairn train` in a terminal, a Python script). Reconnects when the stream
   * drops, until `signal` aborts (then it resolves); rejects only when the server refuses (no such project).
   */
  watchProject(pid: string, onChange: (c: ProjectChanges) => void, signal: AbortSignal): Promise<void>;

  datasets(pid: string): Promise<Dataset[]>;
  dataset(pid: string, did: string): Promise<Dataset>;
  deleteDataset(pid: string, did: string): Promise<Dataset>;
  /** Every version the dataset has had, newest first. */
  datasetVersions(pid: string, did: string): Promise<DatasetVersion[]>;
  rows(pid: string, did: string, q: RowsQuery, signal?: AbortSignal): Promise<Page>;

  previewImport(pid: string, req: ImportRequest, signal?: AbortSignal): Promise<ImportPreview>;
  /** Returns the import task's id. */
  startImport(pid: string, req: ImportRequest): Promise<string>;
  /** Sends a file the browser holds into the project, where it waits to be imported from the returned path (a successful import moves it into the data folder). */
  upload(pid: string, file: File, onProgress?: (sent: number, total: number) => void, signal?: AbortSignal): Promise<Uploaded>;
  /** Deletes an upload that was not imported (the import dialog closed, or another file was chosen). */
  discardUpload(pid: string, path: string): Promise<void>;

  /** Rejects with code NOT_COMPUTED when the dataset has no profile yet. */
  profile(pid: string, did: string, signal?: AbortSignal): Promise<Profile>;
  /** Returns the profiling task's id. */
  startProfile(pid: string, did: string): Promise<string>;
  /** The saved insights report for a target; rejects with NOT_COMPUTED before it was run. */
  insights(pid: string, did: string, req: InsightsRequest, signal?: AbortSignal): Promise<InsightsReport>;
  /** Runs the insights report as a task (its result is the report); returns the task's id. */
  startInsights(pid: string, did: string, req: InsightsRequest): Promise<string>;
  /** A URL that downloads the report's HTML page (carries the token). */
  insightsHtmlUrl(pid: string, did: string, req: InsightsRequest): string;

  task(tid: string): Promise<TaskInfo>;
  cancelTask(tid: string): Promise<TaskInfo>;
  /** Streams a task's events to `onEvent` (reconnecting if the stream drops) and resolves with the final one. */
  followTask(tid: string, onEvent: (e: TaskEvent) => void, signal?: AbortSignal): Promise<FinalTaskEvent>;

  /** The models Cairn trains, with their hyperparameters, defaults and ranges. */
  models(): Promise<ModelInfo[]>;
  /** Checks the spec (bad input is refused before a run exists) and starts the training job, here or on the cluster named `on`. */
  train(pid: string, spec: TrainSpec, on?: string): Promise<TrainStarted>;
  /** What training `spec` would do, without starting it: features used and left out (with why), which rows train and which test. */
  checkTraining(pid: string, spec: TrainSpec): Promise<TrainCheck>;
  /** Checks the spec (bad input is refused before a run exists) and starts an AutoML search on this computer; `run_id` is its parent run. */
  startAutoml(pid: string, spec: AutomlSpec): Promise<TrainStarted>;
  /** A search's leaderboard as its job last wrote it (live while it runs); rejects with FILE_NOT_FOUND until the first trial ends. */
  automlResult(pid: string, rid: string, signal?: AbortSignal): Promise<AutomlResult>;
  experiments(pid: string, q?: Partial<SearchExperiments>): Promise<ExperimentsPage>;
  createExperiment(pid: string, req: CreateExperiment): Promise<Experiment>;
  /** MLflow's search: `filter` in its grammar, `order_by` like `metrics.roc_auc DESC`, `page_token` from the last page. */
  searchRuns(pid: string, q: Partial<SearchRuns>, signal?: AbortSignal): Promise<RunsPage>;
  /** The metric, param and tag keys used by runs of these experiments (for completion and column pickers). */
  runKeys(pid: string, experimentIds: string[]): Promise<RunKeys>;
  run(pid: string, rid: string, signal?: AbortSignal): Promise<Run>;
  updateRun(pid: string, rid: string, u: RunUpdate): Promise<Run>;
  deleteRun(pid: string, rid: string): Promise<void>;
  setRunTag(pid: string, rid: string, tag: Tag): Promise<Run>;
  deleteRunTag(pid: string, rid: string, key: string): Promise<Run>;
  /** Curves, confusion matrix, importances; rejects with NOT_FOUND while the run has none. */
  evaluation(pid: string, rid: string, signal?: AbortSignal): Promise<Evaluation>;
  /** One metric's history, downsampled on the server to at most `maxPoints` (≤ 1000). */
  metricSeries(pid: string, rid: string, key: string, maxPoints?: number, signal?: AbortSignal): Promise<MetricSeries>;
  artifacts(pid: string, rid: string): Promise<ArtifactFile[]>;
  /** A URL that downloads one artifact (carries the token). */
  artifactUrl(pid: string, rid: string, path: string): string;
  /** A URL of the run's explainability report, an HTML page (carries the token); `download` asks the browser to save it. */
  reportUrl(pid: string, rid: string, download?: boolean): string;
  runJob(pid: string, rid: string): Promise<JobInfo>;
  jobs(pid: string): Promise<JobInfo[]>;
  job(pid: string, jid: string): Promise<JobInfo>;
  cancelJob(pid: string, jid: string): Promise<JobInfo>;
  /** The job's log from byte `offset`; `next` is where the following read starts, `done` once the job ended. */
  jobLog(pid: string, jid: string, offset?: number, signal?: AbortSignal): Promise<JobLog>;
  /** Starts the job again as it was, as a new job and run. */
  rerunJob(pid: string, jid: string): Promise<TrainStarted>;
  /** The user's own command; rejects with NOT_TRUSTED until the folder is trusted. */
  startCommand(pid: string, req: StartCommand): Promise<TrainStarted>;
  trust(pid: string): Promise<Trust>;
  /** Trusts (or not) the project's folder, or `folder` (relative to it), for the user's commands. */
  setTrust(pid: string, trusted: boolean, folder?: string): Promise<Trust>;

  /** Cluster profiles (the user's, not the project's). */
  clusters(): Promise<ClusterProfile[]>;
  addCluster(req: AddCluster): Promise<ClusterProfile>;
  removeCluster(name: string): Promise<ClusterProfile>;
  /** "Test connection": version and token; rejects with CLUSTER_UNREACHABLE, CLUSTER_AUTH or CLUSTER_VERSION. */
  testCluster(name: string): Promise<ClusterCheck>;
  testAddress(req: TestCluster): Promise<ClusterCheck>;

  /** Wrangling: the operators with their parameter forms. */
  flowOps(): Promise<OpSpec[]>;
  flows(pid: string): Promise<FlowSummary[]>;
  /** Rejects with FLOW_INVALID / SCHEMA_TOO_NEW for a file this Cairn cannot open (the file is left alone). */
  flow(pid: string, name: string): Promise<FlowDoc>;
  /** A new empty flow over a dataset (id or name); the name is made unique. */
  createFlow(pid: string, name: string, dataset: string): Promise<FlowDoc>;
  saveFlow(pid: string, doc: FlowDoc): Promise<FlowDoc>;
  /** Deletes a flow; resolves with it as it was (saving it again puts it back). */
  deleteFlow(pid: string, name: string): Promise<FlowDoc>;
  /** Renames a flow; the flows that read its output follow it. */
  renameFlow(pid: string, name: string, to: string): Promise<FlowRenamed>;
  /** The flow (as edited, saved or not) after `upto` steps, on the first rows of its source. */
  previewFlow(pid: string, req: FlowPreviewRequest, signal?: AbortSignal): Promise<FlowPreview>;
  flowChart(pid: string, req: ChartRequest, signal?: AbortSignal): Promise<ChartData>;
  /** Runs the saved flow as a task (its result: FlowRunResult); returns the task's id. */
  runFlow(pid: string, name: string, req: FlowRunRequest): Promise<string>;
  exportFlowPython(pid: string, name: string): Promise<PythonScript>;

  /** The model registry: every group with its versions (newest first), status and aliases. */
  modelGroups(pid: string): Promise<ModelGroup[]>;
  modelGroup(pid: string, group: string): Promise<ModelGroup>;
  /** Registers a run's model as the next version of a group (made on first use), pending approval. */
  registerModel(pid: string, req: RegisterModel): Promise<ModelVersionInfo>;
  /** Refused with ENDPOINT_LIVE while an endpoint serves the group. */
  deleteModelGroup(pid: string, group: string): Promise<void>;
  /** A version's model card: intended use, held-out metrics, lineage, history. */
  modelCard(pid: string, group: string, version: number): Promise<ModelCard>;
  deleteModelVersion(pid: string, group: string, version: number): Promise<void>;
  /** Approves or rejects; 409 INVALID_TRANSITION when the version already has that status. */
  setApproval(pid: string, group: string, version: number, req: SetApproval): Promise<ModelVersionInfo>;
  setIntendedUse(pid: string, group: string, version: number, text: string): Promise<ModelVersionInfo>;
  /** Points an alias at a version, moving it from another one. */
  setAlias(pid: string, group: string, alias: string, version: number): Promise<ModelVersionInfo>;
  removeAlias(pid: string, group: string, alias: string): Promise<void>;
  /** Every change to the group, oldest first. */
  modelHistory(pid: string, group: string): Promise<RegistryEvent[]>;
  compareVersions(pid: string, group: string, a: number, b: number): Promise<VersionComparison>;

  endpoints(pid: string): Promise<EndpointInfo[]>;
  endpoint(pid: string, name: string): Promise<EndpointInfo>;
  /** Starts an endpoint; resolves once it serves. */
  deployEndpoint(pid: string, req: DeployEndpoint): Promise<EndpointInfo>;
  /** Other versions or weights; a running endpoint switches without dropping a request. */
  updateEndpoint(pid: string, name: string, req: UpdateEndpoint): Promise<EndpointInfo>;
  stopEndpoint(pid: string, name: string): Promise<EndpointInfo>;
  /** Stops it and forgets it (its captured data stays). */
  deleteEndpoint(pid: string, name: string): Promise<void>;
  /** One request through the endpoint as a client sends it; the answer whatever its status. */
  invokeEndpoint(pid: string, name: string, req: InvokeEndpoint): Promise<InvokeResult>;
  /** Live metrics per variant; rejects with ENDPOINT_DOWN unless it runs. */
  endpointStats(pid: string, name: string, signal?: AbortSignal): Promise<EndpointStats>;
  endpointLog(pid: string, name: string, offset?: number, signal?: AbortSignal): Promise<EndpointLog>;

  /** Checks the request, then starts the batch job (its run is in the experiment "Batch predictions"). */
  startBatchPrediction(pid: string, req: BatchPredictRequest): Promise<JobInfo>;
  batchStatus(pid: string, jid: string): Promise<BatchStatus>;

  onMenu(cb: (action: MenuAction) => void): Unsubscribe;
  /** Files dropped on the desktop window, as real paths. */
  onDrop(cb: (paths: string[]) => void): Unsubscribe;
}

export function isFinal(e: TaskEvent): e is FinalTaskEvent {
  return e.type === 'succeeded' || e.type === 'failed' || e.type === 'cancelled';
}
