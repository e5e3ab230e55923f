// Generated from crates/cairn-types by `make types`. Do not edit: change the Rust types instead.

export type ErrorCode = "UNAUTHORIZED" | "HOST_REFUSED" | "ROUTE_NOT_FOUND" | "BAD_REQUEST" | "INVALID_INPUT" | "FILE_NOT_FOUND" | "FILE_UNREADABLE" | "EMPTY_FILE" | "BAD_ENCODING" | "RAGGED_ROWS" | "WRONG_FORMAT" | "PARSE_ERROR" | "TYPE_MISMATCH" | "NOT_A_PROJECT" | "ALREADY_A_PROJECT" | "PROJECT_READ_ONLY" | "SCHEMA_TOO_NEW" | "PROJECT_CORRUPT" | "PROJECT_NOT_FOUND" | "DATASET_NOT_FOUND" | "DATASET_EXISTS" | "COLUMN_NOT_FOUND" | "TASK_NOT_FOUND" | "NOT_COMPUTED" | "CANCELLED" | "SOURCE_CHANGED" | "EXPERIMENT_NOT_FOUND" | "RUN_NOT_FOUND" | "JOB_NOT_FOUND" | "ALREADY_EXISTS" | "INVALID_FILTER" | "CANNOT_TRAIN" | "NOT_AVAILABLE" | "IO" | "INTERNAL" | "FLOW_INVALID" | "STEP_INVALID";

export type ApiError = { code: ErrorCode, 
/**
 * Names the thing (file, line, column, field) and what is wrong with it.
 */
message: string, 
/**
 * What the user can do about it.
 */
hint?: string, };

export type ProjectInfo = { 
/**
 * Stable id derived from the folder's canonical path.
 */
id: string, name: string, path: string, created_at: number, 
/**
 * True when the folder cannot be written: browsing works, saving does not.
 */
read_only: boolean, schema_version: number, };

export type RecentProject = { id: string, name: string, path: string, opened_at: number, 
/**
 * False when the folder has since been moved or deleted.
 */
exists: boolean, };

export type OpenProjectRequest = { path: string, };

export type CreateProjectRequest = { path: string, 
/**
 * Defaults to the folder's name.
 */
name?: string, };

export type ServerInfo = { version: string, 
/**
 * True inside the desktop app.
 */
desktop: boolean, 
/**
 * True when `POST /api/shell/pick` opens a native file dialog.
 */
native_dialogs: boolean, 
/**
 * The project the server was started on, if any.
 */
initial_project?: string, };

export type PickKind = "data_file" | "folder";

export type PickRequest = { kind: PickKind, };

export type PickResponse = { 
/**
 * Null when the user closed the dialog.
 */
path: string | null, };

export type TaskState = "running" | "succeeded" | "failed" | "cancelled";

export type Progress = { 
/**
 * What is being done now, e.g. "reading", "converting", "profiling".
 */
phase: string, done: number, 
/**
 * 0 when unknown.
 */
total: number, 
/**
 * What `done` and `total` count: "bytes", "rows", "columns".
 */
unit: string, };

export type TaskInfo = { id: string, kind: string, 
/**
 * What the task works on, for the UI ("adult.csv").
 */
title: string, state: TaskState, progress: Progress, error?: ApiError, 
/**
 * The operation's result when it succeeded (a Dataset for an import, a Profile for a profile).
 */
result?: unknown, started_at: number, ended_at?: number, };

export type TaskEvent = { "type": "progress", progress: Progress, } | { "type": "preview", page: Page, } | { "type": "succeeded", result: unknown, } | { "type": "failed", error: ApiError, } | { "type": "cancelled" };

export type TaskStarted = { task_id: string, };

export type DType = "int" | "float" | "bool" | "string" | "date" | "datetime" | "other";

export type ColumnInfo = { name: string, dtype: DType, 
/**
 * The storage type, e.g. `i64`, `str`, `date`.
 */
physical: string, missing: number, };

export type FileFormat = "csv" | "parquet" | "json" | "ndjson";

export type TextEncoding = "utf8" | "latin1" | "utf16";

export type TypeOverride = { column: string, dtype: DType, };

export type ImportOptions = { 
/**
 * Dataset name; defaults to the file's stem.
 */
name?: string, format?: FileFormat, 
/**
 * Field delimiter for CSV/TSV, one character.
 */
delimiter?: string, has_header?: boolean, 
/**
 * Quote character for CSV, one character; empty for none.
 */
quote?: string, 
/**
 * Field values read as missing. Defaults to `""`, `NA`, `N/A`, `NULL`, `null`, `NaN`, `?`.
 */
null_values?: Array<string>, encoding?: TextEncoding, overrides: Array<TypeOverride>, 
/**
 * Rows used to infer types; none means the whole file (the default: a float first seen late must not fail).
 */
infer_rows?: number, };

export type ImportPreview = { path: string, file_name: string, bytes: number, format: FileFormat, encoding: TextEncoding, delimiter?: string, quote?: string, has_header: boolean, null_values: Array<string>, 
/**
 * Null markers seen in the sample, so the user sees what will become missing.
 */
null_values_seen: Array<string>, 
/**
 * The default dataset name (the file's stem, made unique in the project).
 */
suggested_name: string, 
/**
 * Types inferred from the sample; the import infers over the whole file.
 */
columns: Array<ColumnInfo>, sample: Page, };

export type ImportRequest = { path: string, options: ImportOptions, };

export type Uploaded = { 
/**
 * Where the file now is, inside the project's data folder; import it from there.
 */
path: string, bytes: number, };

export type DatasetSource = { path: string, format: FileFormat, bytes: number, 
/**
 * The options the file was read with, so it can be imported again the same way.
 */
options: ImportOptions, };

export type Dataset = { id: string, name: string, source: DatasetSource, rows: number, columns: Array<ColumnInfo>, 
/**
 * BLAKE3 of the source file's bytes.
 */
digest: string, 
/**
 * BLAKE3 of the digest and the read options: names this version of the data (its Parquet and profile).
 */
version: string, created_at: number, 
/**
 * Milliseconds the import took.
 */
import_ms: number, };

export type Page = { offset: number, total_rows: number, columns: Array<string>, rows: unknown[][], };

export type SortOrder = "asc" | "desc";

export type NumericStats = { min: number, max: number, mean: number, std: number, p01: number, p05: number, p25: number, median: number, p75: number, p95: number, p99: number, zeros: number, negatives: number, 
/**
 * NaN and infinities (floats only); counted apart from missing.
 */
non_finite: number, };

export type Histogram = { edges: Array<number>, counts: number[], };

export type ValueCount = { value: string, count: number, };

export type TextStats = { min_len: number, max_len: number, mean_len: number, };

export type ColumnProfile = { name: string, dtype: DType, 
/**
 * Non-missing values.
 */
count: number, missing: number, missing_pct: number, distinct: number, numeric?: NumericStats, histogram?: Histogram, 
/**
 * Most frequent values (strings, booleans, and numbers with few distinct values), most frequent first.
 */
top: Array<ValueCount>, 
/**
 * Rows whose value is not among `top`.
 */
other: number, text?: TextStats, 
/**
 * ISO strings for date columns' min and max.
 */
min_label?: string, max_label?: string, };

export type Profile = { dataset_id: string, version: string, rows: number, columns: Array<ColumnProfile>, duplicate_rows: number, compute_ms: number, };

export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

export type LifecycleStage = "active" | "deleted";

export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export type Tag = { key: string, value: string, };

export type Param = { key: string, value: string, };

export type Metric = { key: string, value: number | string, timestamp: number, step: number, };

export type Experiment = { experiment_id: string, name: string, artifact_location: string, lifecycle_stage: LifecycleStage, creation_time: number, last_update_time: number, tags: Array<Tag>, };

export type RunInfo = { run_id: string, run_name: string, experiment_id: string, user_id: string, status: RunStatus, start_time: number, end_time?: number, 
/**
 * Where the run's files are: `file:///…/.cairn/artifacts/runs/<run_id>`.
 */
artifact_uri: string, lifecycle_stage: LifecycleStage, };

export type RunData = { 
/**
 * The latest value of each metric (the highest step, then the latest timestamp).
 */
metrics: Array<Metric>, params: Array<Param>, tags: Array<Tag>, };

export type DatasetRef = { name: string, digest: string, source_type: string, source: string, schema?: string, profile?: string, };

export type DatasetInput = { dataset: DatasetRef, tags: Array<Tag>, };

export type RunInputs = { dataset_inputs: Array<DatasetInput>, };

export type Run = { info: RunInfo, data: RunData, inputs: RunInputs, };

export type SearchRuns = { experiment_ids: Array<string>, filter: string, run_view_type: ViewType, 
/**
 * 0 means the default (1000).
 */
max_results: number, 
/**
 * e.g. `metrics.rmse ASC`, `params.lr DESC`, `start_time`.
 */
order_by: Array<string>, page_token?: string, };

export type RunsPage = { runs: Array<Run>, 
/**
 * Present when more runs match; pass it back as `page_token`.
 */
next_page_token?: string, 
/**
 * How many runs match in all (for the UI's scroll bar).
 */
total: number, };

export type SearchExperiments = { filter: string, view_type: ViewType, max_results: number, order_by: Array<string>, page_token?: string, };

export type ExperimentsPage = { experiments: Array<Experiment>, next_page_token?: string, };

export type MetricSeries = { run_id: string, key: string, points: Array<Metric>, 
/**
 * Points in the full series before downsampling.
 */
total_points: number, };

export type Task = "classification" | "regression";

export type ModelKind = "logistic" | "linear" | "elastic_net" | "decision_tree" | "random_forest" | "svm" | "gaussian_nb" | "knn" | "gbm";

export type Validation = { "kind": "holdout", test_fraction: number, } | { "kind": "k_fold", folds: number, };

export type TrainSpec = { 
/**
 * Dataset id or name in the project.
 */
dataset: string, target: string, 
/**
 * None: classification for text, boolean or few-valued integer targets, else regression.
 */
task?: Task, model: ModelKind, 
/**
 * Hyperparameters by name, as strings (as MLflow logs params); unknown names are an error.
 */
params: { [key in string]?: string }, 
/**
 * Feature columns; None: every column but the target.
 */
features?: Array<string>, validation: Validation, seed: number, 
/**
 * Experiment name; None: "Default".
 */
experiment?: string, run_name?: string, 
/**
 * For binary classification: the class whose probability is scored (ROC, PR). None: the minority class.
 */
positive_class?: string, };

export type ParamType = "int" | "float" | "choice" | "bool";

export type ParamSpec = { name: string, label: string, kind: ParamType, default: string, min?: number, 
/**
 * The minimum itself is not allowed (a learning rate must be above 0).
 */
min_exclusive: boolean, max?: number, choices: Array<string>, help: string, };

export type ModelInfo = { kind: ModelKind, label: string, tasks: Array<Task>, params: Array<ParamSpec>, description: string, };

export type Curve = { x: Array<number>, y: Array<number>, thresholds: Array<number>, };

export type ConfusionMatrix = { labels: Array<string>, 
/**
 * `matrix[actual][predicted]` counts.
 */
matrix: number[][], };

export type Importance = { feature: string, importance: number, };

export type Evaluation = { task: Task, 
/**
 * Test metrics by key (`accuracy`, `roc_auc`, … or `rmse`, `r2`, …).
 */
metrics: { [key in string]?: number }, 
/**
 * Classification: the classes in model order.
 */
classes: Array<string>, positive_class?: string, confusion?: ConfusionMatrix, roc?: Curve, pr?: Curve, 
/**
 * Regression: a sample of (actual = x, predicted = y) pairs.
 */
residuals?: Curve, importances: Array<Importance>, 
/**
 * "model" when the model gives importances, "permutation" when they were measured.
 */
importance_kind: string, train_rows: number, test_rows: number, fit_seconds: number, };

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export type JobInfo = { id: string, kind: string, run_id: string, experiment_id: string, executor: string, state: JobState, created_at: number, started_at?: number, ended_at?: number, pid?: number, exit_code?: number, 
/**
 * Why it failed, in words.
 */
error?: string, };

export type TrainStarted = { job_id: string, run_id: string, experiment_id: string, };

export type ArtifactFile = { 
/**
 * Relative to the run's artifact folder, with `/` separators.
 */
path: string, is_dir: boolean, size: number, };

export type JobLog = { text: string, next: number, 
/**
 * The job has ended and the log was read to its end.
 */
done: boolean, };

export type RunUpdate = { name?: string, 
/**
 * The run's note (stored as MLflow's `mlflow.note.content` tag).
 */
note?: string, };

export type CreateExperiment = { name: string, };

export type RunKeys = { metrics: Array<string>, params: Array<string>, tags: Array<string>, };

export const DEFAULT_NULL_VALUES: string[] = ["","NA","N/A","NULL","null","NaN","?"];
