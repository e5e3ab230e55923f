// Generated from crates/cairn-types by `make types`. Do not edit: change the Rust types instead.

export type ErrorCode = "UNAUTHORIZED" | "HOST_REFUSED" | "ROUTE_NOT_FOUND" | "BAD_REQUEST" | "INVALID_INPUT" | "FILE_NOT_FOUND" | "FILE_UNREADABLE" | "EMPTY_FILE" | "BAD_ENCODING" | "RAGGED_ROWS" | "WRONG_FORMAT" | "PARSE_ERROR" | "TYPE_MISMATCH" | "NOT_A_PROJECT" | "ALREADY_A_PROJECT" | "PROJECT_READ_ONLY" | "SCHEMA_TOO_NEW" | "PROJECT_CORRUPT" | "PROJECT_NOT_FOUND" | "DATASET_NOT_FOUND" | "DATASET_EXISTS" | "COLUMN_NOT_FOUND" | "TASK_NOT_FOUND" | "NOT_COMPUTED" | "CANCELLED" | "SOURCE_CHANGED" | "EXPERIMENT_NOT_FOUND" | "RUN_NOT_FOUND" | "JOB_NOT_FOUND" | "ALREADY_EXISTS" | "INVALID_FILTER" | "CANNOT_TRAIN" | "NOT_AVAILABLE" | "IO" | "INTERNAL" | "FLOW_INVALID" | "STEP_INVALID" | "CLUSTER_NOT_FOUND" | "CLUSTER_UNREACHABLE" | "CLUSTER_AUTH" | "CLUSTER_VERSION" | "PACKAGE_TOO_LARGE" | "NOT_TRUSTED" | "MODEL_NOT_FOUND" | "INVALID_TRANSITION" | "ENDPOINT_NOT_FOUND" | "ENDPOINT_LIVE" | "ENDPOINT_DOWN" | "UNSUPPORTED_MEDIA_TYPE" | "PAYLOAD_TOO_LARGE";

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

export type ProjectChanges = { 
/**
 * Grows by one with each change seen on this stream (the first event is 1).
 */
version: number, datasets: number, 
/**
 * Active experiments.
 */
experiments: number, 
/**
 * Active runs in every active experiment.
 */
runs: number, 
/**
 * Jobs queued or running.
 */
jobs_active: number, };

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
 * Field values read as missing. Defaults to `""`, `NA`, `N/A`, `NULL`, `null`, `NaN`, `?`. The empty
 * marker stands for blank cells: empty ones, and ones of only spaces and tabs. Empty cells are always
 * missing; without the empty marker, a cell of spaces is a value.
 */
null_values?: Array<string>, encoding?: TextEncoding, overrides: Array<TypeOverride>, 
/**
 * Rows used to infer types; none means the whole file (the default: a float first seen late must not fail).
 */
infer_rows?: number, };

export type ImportPreview = { path: string, file_name: string, bytes: number, format: FileFormat, encoding: TextEncoding, delimiter?: string, quote?: string, has_header: boolean, null_values: Array<string>, 
/**
 * Null markers seen in the sample, so the user sees what will become missing; the empty one when the
 * sample has blank cells.
 */
null_values_seen: Array<string>, 
/**
 * The default dataset name (the file's stem, made unique in the project).
 */
suggested_name: string, 
/**
 * The columns as the sample reads with these options (the user's type choices applied); the import
 * infers over the whole file.
 */
columns: Array<ColumnInfo>, 
/**
 * Per column, in order: the type inferred from the sample with the chosen missing markers, before any
 * type the user chose.
 */
detected: Array<DType>, 
/**
 * Per column, in order: cells of the sample read as missing because they are blank (empty, or only
 * spaces and tabs).
 */
blank_cells: number[], sample: Page, };

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

export type DatasetVersion = { dataset: Dataset, 
/**
 * This is the dataset's version now.
 */
current: boolean, 
/**
 * The flow run that wrote this version, when a flow made it.
 */
lineage: FlowLineage | null, 
/**
 * Its rows can still be read: its stored copy, or its source file, is still there.
 */
available: boolean, };

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

export type Validation = { "kind": "auto" } | { "kind": "holdout", test_fraction: number, } | { "kind": "k_fold", folds: number, };

export type RowsPlan = { 
/**
 * "split" (the data's split column), "holdout" or "kfold".
 */
kind: string, 
/**
 * The column marking train and test rows, when the data has one.
 */
split_column?: string, 
/**
 * Rows fitted on (k-fold: every fold's rows together).
 */
train_rows: number, 
/**
 * Rows scored on (k-fold: each row once, by the fold that left it out).
 */
test_rows: number, 
/**
 * Rows used for neither: no target value, or outside the split's train rows.
 */
unused_rows: number, 
/**
 * One sentence for people, e.g. "trains on the 81,412 rows marked train in column split and tests on
 * the 20,354 marked test".
 */
summary: string, };

export type LeftOutColumn = { column: string, reason: string, };

export type TrainCheck = { task: Task, 
/**
 * The feature columns used, in order.
 */
features: Array<string>, 
/**
 * Columns left out by default (identifiers, constant or empty columns, the split column), with why.
 */
left_out: Array<LeftOutColumn>, classes: Array<string>, positive_class?: string, rows: RowsPlan, warnings: Array<string>, };

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

export type PdKind = "numeric" | "categorical";

export type PdLine = { 
/**
 * The class whose probability this is, or the target's name for a regression.
 */
label: string, 
/**
 * One mean per grid point.
 */
values: Array<number>, };

export type PartialDependence = { feature: string, kind: PdKind, 
/**
 * Numeric: the grid's values, ascending (distinct quantiles of the observed values; dates as days
 * and times as milliseconds since 1970). Empty for a categorical feature.
 */
grid: Array<number>, 
/**
 * Each grid point in words: the level, or the value as a number, date or true/false.
 */
labels: Array<string>, 
/**
 * Regression: one line (the predicted value); binary classification: the positive class's
 * probability; multiclass: one line per class.
 */
lines: Array<PdLine>, 
/**
 * The rows averaged at each grid point.
 */
rows: number, };

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
importance_kind: string, train_rows: number, test_rows: number, fit_seconds: number, 
/**
 * Which rows were fitted on and which scored (absent in runs made before it was recorded).
 */
rows?: RowsPlan, 
/**
 * Columns the training left out, with why.
 */
left_out: Array<LeftOutColumn>, 
/**
 * Partial dependence of the prediction on the most important features (AutoML measures it).
 */
partial_dependence?: Array<PartialDependence>, };

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export type JobInfo = { id: string, kind: string, run_id: string, experiment_id: string, executor: string, state: JobState, created_at: number, started_at?: number, ended_at?: number, pid?: number, exit_code?: number, 
/**
 * Why it failed, in words.
 */
error?: string, 
/**
 * The run's name, for people (not stored with the job: read from the run).
 */
run_name?: string, 
/**
 * While it runs: what keeps it from being followed now (its cluster cannot be reached), in words.
 * Not stored: it is what this Cairn sees at the moment.
 */
following?: string, };

export type TrainStarted = { job_id: string, run_id: string, experiment_id: string, };

export type AutomlSpec = { 
/**
 * Dataset id or name in the project.
 */
dataset: string, target: string, 
/**
 * None: from the target, as for training.
 */
task?: Task, 
/**
 * The metric the search ranks by: `roc_auc`, `log_loss`, `accuracy`, `balanced_accuracy`, `f1`,
 * `pr_auc`, `precision`, `recall` (classification); `rmse`, `mae`, `r2`, `mape` (regression).
 * None: ROC AUC for two classes, log loss for more, RMSE for regression.
 */
metric?: string, 
/**
 * Seconds the search may take, the final fit included. None with no trial budget: 60.
 */
budget_seconds?: number, 
/**
 * Trials at most.
 */
max_trials?: number, seed: number, 
/**
 * Model families to search; None: every family suited to the task and the data's size.
 */
models?: Array<ModelKind>, 
/**
 * Feature columns; None: every column but the target (identifiers and constants left out).
 */
features?: Array<string>, 
/**
 * For binary classification: the class whose probability is scored. None: the minority class.
 */
positive_class?: string, 
/**
 * Experiment name; None: "AutoML".
 */
experiment?: string, run_name?: string, 
/**
 * Where the trials run: a cluster profile's name or a Ray dashboard address; None: this computer.
 * The search itself, the ensemble and the final fit stay on this computer.
 */
on?: string, };

export type TrialSummary = { 
/**
 * 1-based, in the order trials were proposed.
 */
number: number, 
/**
 * The trial's nested run, when it was recorded.
 */
run_id?: string, model: ModelKind, params: { [key in string]?: string }, 
/**
 * The ranking metric on held-out rows (mean over folds with cross-validation); None when it failed.
 */
score?: number, 
/**
 * Per fold, with cross-validation.
 */
fold_scores?: Array<number>, fit_seconds: number, 
/**
 * Seconds from the search's start to this trial's end.
 */
finished_at: number, 
/**
 * Why it failed.
 */
error?: string, };

export type EnsembleMember = { trial: number, model: ModelKind, weight: number, };

export type AutomlResult = { task: Task, metric: string, 
/**
 * True when a larger value is better.
 */
greater_is_better: boolean, 
/**
 * "holdout" or "kfold", and its size.
 */
validation: string, 
/**
 * Trials, best first; failed ones last.
 */
leaderboard: Array<TrialSummary>, 
/**
 * The ensemble's models and weights (one entry when a single model won).
 */
ensemble: Array<EnsembleMember>, 
/**
 * The final model's validation score (the ensemble's weights were chosen on these rows too).
 */
score?: number, 
/**
 * Wall seconds of the whole search, the final fit included.
 */
seconds: number, 
/**
 * Why it stopped: "budget", "trials", "cancelled".
 */
stopped: string, };

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

export type ClusterKind = "ray";

export type TokenStorage = "keyring" | "encrypted_file" | "none";

export type ClusterProfile = { name: string, kind: ClusterKind, 
/**
 * The Jobs API address, e.g. `http://head:8265`.
 */
address: string, token_storage: TokenStorage, 
/**
 * Where the token is, in words for people ("the system keyring", "~/.config/cairn/secrets.enc").
 */
token_location: string, };

export type AddCluster = { name: string, kind: ClusterKind, address: string, 
/**
 * None or empty: no token.
 */
token?: string, };

export type TestCluster = { address: string, token?: string, };

export type ClusterCheck = { address: string, ray_version: string, jobs_api_version: string, elapsed_ms: number, };

export type Trust = { folder: string, trusted: boolean, };

export type StartCommand = { 
/**
 * The folder sent as the working directory; None: the project's folder.
 */
dir?: string, 
/**
 * A shell command, e.g. `python train.py --epochs 3`.
 */
command: string, env: { [key in string]?: string }, cpus?: number, gpus?: number, memory_mb?: number, experiment?: string, 
/**
 * A cluster profile's name; None: this computer.
 */
on?: string, };

export type InsightsRequest = { 
/**
 * The target column.
 */
target: string, 
/**
 * When given, the target is `target = equals` (true/false), e.g. `readmitted = <30`.
 */
equals?: string, 
/**
 * None: classification for text, true/false and few-valued whole numbers; regression otherwise.
 */
task?: Task, };

export type ColumnFlag = "empty" | "mostly_missing" | "missing" | "constant" | "near_constant" | "high_cardinality" | "identifier" | "skewed" | "leakage" | "target_source" | "collinear" | "numeric_as_text";

export type FlagReason = { flag: ColumnFlag, reason: string, };

export type ColumnQuality = { name: string, dtype: DType, missing_pct: number, distinct: number, 
/**
 * Distinct values per non-missing row (1 for a key unique per row).
 */
distinct_ratio: number, 
/**
 * Share of the non-missing rows holding the most frequent value.
 */
top_share?: number, 
/**
 * Sample skewness of numeric columns.
 */
skewness?: number, flags: Array<FlagReason>, };

export type ClassShare = { value: string, count: number, share: number, };

export type TargetSummary = { 
/**
 * As shown: `readmitted`, or `readmitted = <30` for a derived target.
 */
name: string, 
/**
 * The column it is read from.
 */
column: string, equals?: string, task: Task, 
/**
 * Rows with a target value (the rows analysed).
 */
rows: number, 
/**
 * Rows without one, left out.
 */
missing: number, 
/**
 * Classification: classes with counts, most frequent first.
 */
classes: Array<ClassShare>, 
/**
 * Binary: the class scored (the derived target's `true`, else the minority class).
 */
positive_class?: string, positive_rate?: number, 
/**
 * Majority class count over minority class count.
 */
imbalance_ratio?: number, 
/**
 * The smallest class holds under 20% of the rows.
 */
imbalanced: boolean, 
/**
 * Regression: the target's histogram.
 */
histogram?: Histogram, mean?: number, skewness?: number, };

export type LeakageScore = { feature: string, 
/**
 * `roc_auc` (classification; one-vs-rest mean for several classes) or `r2` (regression).
 */
metric: string, score: number, flagged: boolean, };

export type CorrelationPair = { a: string, b: string, r: number, };

export type VifScore = { column: string, 
/**
 * None when the column is an exact combination of the others (infinite VIF).
 */
vif?: number, flagged: boolean, };

export type Correlations = { columns: Array<string>, 
/**
 * Row-major, `columns.len()` squared; null where a pair has too few rows or a constant side.
 */
matrix: Array<number | null>, 
/**
 * The strongest pairs by |r|, strongest first.
 */
top_pairs: Array<CorrelationPair>, vif: Array<VifScore>, 
/**
 * Numeric columns left out of the matrix, with why.
 */
left_out: Array<LeftOut>, };

export type LeftOut = { column: string, reason: string, };

export type QuickModel = { model: string, folds: number, 
/**
 * The headline metric (`roc_auc`, `accuracy` for several classes, `r2`) and its mean over folds.
 */
metric: string, score: number, metrics: { [key in string]?: number }, importances: Array<Importance>, features: Array<string>, left_out: Array<LeftOut>, params: { [key in string]?: string }, seconds: number, };

export type Duplicates = { rows: number, share: number, 
/**
 * Duplicates when identifier columns are ignored (the same record under two keys).
 */
rows_ignoring_ids?: number, ignored: Array<string>, };

export type InsightsReport = { format: number, dataset_id: string, dataset_name: string, version: string, rows: number, columns_count: number, target: TargetSummary, columns: Array<ColumnQuality>, duplicates: Duplicates, 
/**
 * Every feature, strongest first.
 */
leakage: Array<LeakageScore>, correlations: Correlations, 
/**
 * None when the baseline could not be fitted; `quick_model_error` says why.
 */
quick_model?: QuickModel, quick_model_error?: string, 
/**
 * Findings in words, most important first.
 */
summary: Array<string>, compute_ms: number, };

export type FlowDoc = { format: number, name: string, sources: Array<FlowSource>, steps: Array<FlowStep>, 
/**
 * Which rows fitting steps learn from (within the train rows of a split): a condition as a
 * filter's `keep`; absent: all of them.
 */
fit_on?: unknown, };

export type FlowSource = { name: string, path?: string, flow?: string, 
/**
 * A dataset of the project, read from its stored Parquet copy of this version.
 */
dataset?: FlowDatasetRef, 
/**
 * "csv" or "parquet" (files only).
 */
format?: string, separator?: string, null_values?: Array<string>, };

export type FlowDatasetRef = { id: string, version: string, };

export type FlowStep = { op: string, version: number, params: Record<string, unknown>, 
/**
 * What the step learned from the fit rows (null until it is fitted, or when it fits nothing).
 */
fitted: unknown, enabled: boolean, };

export type FlowSummary = { name: string, steps: number, 
/**
 * The first source, for people ("dataset diabetic_data", "data/x.csv").
 */
source: string, 
/**
 * Set when the file cannot be opened by this Cairn (unknown op, newer version); the file is untouched.
 */
error?: ApiError, };

export type CreateFlow = { name: string, 
/**
 * Dataset id or name.
 */
dataset: string, };

export type RenameFlow = { name: string, };

export type FlowRenamed = { flow: FlowDoc, repointed: Array<string>, };

export type OpParamKind = "column" | "columns" | "new_column" | "text" | "number" | "integer" | "bool" | "choice" | "choices" | "texts" | "value" | "values" | "condition" | "mapping" | "aggregations" | "source" | "sources" | "bools";

export type OpParam = { name: string, label: string, kind: OpParamKind, required: boolean, 
/**
 * The value used when the parameter is left out (null when there is none).
 */
default: unknown, choices: Array<string>, 
/**
 * Which column types a column picker offers (empty: any).
 */
column_types: Array<DType>, 
/**
 * Shown only when another parameter has one of these values: `[param, value, value…]`.
 */
when: Array<string>, help: string, };

export type OpSpec = { name: string, label: string, 
/**
 * Palette group: columns, rows, missing, derive, encode, numeric, text, dates, split, combine, reshape.
 */
group: string, version: number, 
/**
 * Learns from the fit rows (the train rows after a split).
 */
fits: boolean, doc: string, params: Array<OpParam>, 
/**
 * Column types this operator is offered for when a column header is clicked (empty: not offered).
 */
for_columns: Array<DType>, };

export type FlowPreviewRequest = { flow: FlowDoc, 
/**
 * How many steps to apply (all when absent).
 */
upto?: number, 
/**
 * How many result rows to send (at most 500; default 100).
 */
rows?: number, };

export type ColumnChange = "same" | "added" | "changed";

export type PreviewColumn = { name: string, dtype: DType, 
/**
 * The engine's type, e.g. "i64", "str".
 */
physical: string, change: ColumnChange, 
/**
 * Missing values in the preview's rows.
 */
missing: number, };

export type StepFailure = { 
/**
 * 1-based position in the flow's steps.
 */
step: number, 
/**
 * The whole problem, `step N (Operator): …`.
 */
error: ApiError, 
/**
 * The problem alone, in the words of the step's form (shown beside the step or the field).
 */
problem: string, 
/**
 * The parameter of the step's form the problem is about, when it is one.
 */
param?: string, };

export type FlowPreview = { 
/**
 * Steps applied (the last of them is the viewed step; fewer than asked when a step failed).
 */
upto: number, columns: Array<PreviewColumn>, 
/**
 * Columns of the viewed step's input that it removed.
 */
removed: Array<string>, rows: unknown[][], 
/**
 * Rows and columns of the viewed step's input and output, on the preview rows.
 */
rows_before: number, rows_after: number, columns_before: number, columns_after: number, 
/**
 * Rows of the source the preview ran on (its first rows), and the source's total.
 */
sample_rows: number, source_rows: number, 
/**
 * The first failing step; the preview shows the steps before it.
 */
failure?: StepFailure, 
/**
 * Server time spent, in milliseconds.
 */
ms: number, };

export type ChartKind = "histogram" | "bar" | "scatter" | "box";

export type ChartRequest = { flow: FlowDoc, upto?: number, kind: ChartKind, x: string, 
/**
 * Scatter: the y column; box: an optional grouping column.
 */
y?: string, };

export type BoxStats = { group: string, min: number, q1: number, median: number, q3: number, max: number, count: number, };

export type ChartData = { labels: Array<string>, counts: number[], x: Array<number>, y: Array<number>, boxes: Array<BoxStats>, 
/**
 * Rows the chart was computed on.
 */
rows: number, 
/**
 * Missing values left out.
 */
missing: number, };

export type FlowRunRequest = { 
/**
 * The new dataset's name (default: "FLOW prepared", made unique).
 */
dataset_name?: string, 
/**
 * Also write a CSV file here (relative to the project folder).
 */
csv?: string, };

export type SourceDigest = { name: string, 
/**
 * A file's BLAKE3, `dataset:VERSION` or `flow:DIGEST`.
 */
digest: string, };

export type FlowLineage = { flow: string, flow_digest: string, sources: Array<SourceDigest>, };

export type FlowRunResult = { dataset: Dataset, lineage: FlowLineage, 
/**
 * The Parquet file under .cairn/artifacts.
 */
parquet: string, csv?: string, rows: number, columns: number, };

export type PythonScript = { file_name: string, script: string, };

export type BatchFormat = "parquet" | "csv";

export type BatchPredictRequest = { 
/**
 * A registered model: `GROUP@VERSION` (`churn@3`), `GROUP@ALIAS` (`churn@champion`), `GROUP` (its
 * latest version); or a run's model: `run:<run id or unique prefix>`.
 */
model: string, 
/**
 * A file of raw rows (CSV/TSV or Parquet; a path on this computer). Exactly one of `file` and `dataset`.
 */
file?: string, 
/**
 * A dataset of the project (name or id): its stored copy is read.
 */
dataset?: string, 
/**
 * Where the predictions go (an absolute path, or relative to the project's folder). On a cluster
 * it must be absolute and writable by the cluster (this computer, or a shared file system).
 */
out: string, 
/**
 * None: from `out`'s extension (`.csv`, else Parquet).
 */
format?: BatchFormat, 
/**
 * Input columns written before the predictions, in this order; `["*"]` for all of them.
 */
columns: Array<string>, 
/**
 * Rows per chunk (default 100,000): memory is bounded by a few chunks.
 */
chunk_rows?: number, 
/**
 * A cluster profile's name or a Ray dashboard address; None: this computer.
 */
on?: string, 
/**
 * Continue the work left in `out`'s work folder by an interrupted run with the same arguments,
 * skipping its finished chunks. Without it, any earlier work there is discarded.
 */
resume: boolean, 
/**
 * The experiment of the job's run (default "Batch predictions").
 */
experiment?: string, };

export type BatchSpec = { 
/**
 * The model as asked (`churn@champion`, `run:…`), for people.
 */
model: string, 
/**
 * The model file (absolute; on a cluster, the copy packed with the job).
 */
model_path: string, 
/**
 * The input file (absolute; on a cluster, the copy packed with the job).
 */
input: string, 
/**
 * The dataset the input is the stored copy of, if it is one.
 */
dataset?: string, 
/**
 * The output file (absolute).
 */
out: string, format: BatchFormat, 
/**
 * Input columns joined to the predictions (`*`: all).
 */
columns: Array<string>, chunk_rows: number, 
/**
 * Keep the finished chunks found in the work folder (a rerun); false discards them first.
 */
resume: boolean, };

export type RowError = { 
/**
 * The data row, 1-based in the input's order (the header is not a row).
 */
row: number, 
/**
 * The line of a CSV file the row starts on (the header is line 1), when the input is CSV.
 */
line?: number, 
/**
 * Why, in words (the column and the value).
 */
reason: string, };

export type BatchResult = { model: string, input: string, out: string, format: BatchFormat, 
/**
 * The errors file beside the output (`<out stem>.errors.csv`: row, line, reason), when a row failed.
 */
errors_file?: string, rows: number, scored: number, failed: number, chunks: number, 
/**
 * Chunks found finished by an earlier, interrupted run and not computed again.
 */
chunks_resumed: number, 
/**
 * The rows of those chunks.
 */
rows_resumed: number, 
/**
 * The columns written: the joined input columns, then `prediction` (and `proba_<class>`).
 */
columns: Array<string>, 
/**
 * The first failed rows (at most 100; all of them are in the errors file).
 */
errors: Array<RowError>, 
/**
 * Wall time of this run (a resumed run counts only its own part).
 */
seconds: number, };

export type BatchStatus = { job: JobInfo, spec: BatchSpec, 
/**
 * Chunks done of all (`unit` "chunks"), from the work folder's manifest; None before the first
 * chunk is planned, or when the work folder cannot be read from here (a cluster's own disk).
 */
progress?: Progress, result?: BatchResult, };

export type ApprovalStatus = "PendingManualApproval" | "Approved" | "Rejected";

export type Approval = { status: ApprovalStatus, 
/**
 * Who set the status ('' while pending since registration).
 */
actor: string, at?: number, reason: string, };

export type RegistryEventKind = "registered" | "status" | "alias_set" | "alias_removed" | "intended_use" | "version_deleted" | "group_deleted" | "renamed";

export type RegistryEvent = { seq: number, model: string, version?: number, at: number, actor: string, kind: RegistryEventKind, 
/**
 * The alias an alias event is about.
 */
alias?: string, from: string, to: string, reason: string, };

export type KeyMetric = { key: string, value: number, };

export type ModelVersionInfo = { group: string, version: number, run_id: string, 
/**
 * The run's name ('' when the run is gone).
 */
run_name: string, created_at: number, registered_by: string, description: string, 
/**
 * Where the model is (`runs:/<run>/model.cairn`, …).
 */
source: string, approval: Approval, aliases: Array<string>, 
/**
 * The model's kind (`gbm`, `automl`, …) when the run says.
 */
model_kind: string, key_metric?: KeyMetric, };

export type ModelAliasInfo = { alias: string, version: number, };

export type ModelGroup = { name: string, description: string, created_at: number, updated_at: number, aliases: Array<ModelAliasInfo>, versions: Array<ModelVersionInfo>, };

export type RegisterModel = { 
/**
 * A run whose artifacts hold a `model.cairn` (a training, an AutoML search or one of its trials, or
 * a run logged with the mlflow client that saved a Cairn model).
 */
run_id: string, 
/**
 * The group; created on first use.
 */
model: string, description?: string, 
/**
 * The model card's intended use.
 */
intended_use?: string, 
/**
 * Who registers it; default: the user running Cairn.
 */
actor?: string, };

export type SetApproval = { 
/**
 * Approved or Rejected.
 */
status: ApprovalStatus, 
/**
 * Required to reject, and to approve a rejected version.
 */
reason?: string, actor?: string, };

export type SetAlias = { version: number, actor?: string, };

export type SetIntendedUse = { text: string, actor?: string, };

export type TrainingLineage = { 
/**
 * The dataset's name.
 */
dataset: string, 
/**
 * Its id in the project ('' when the run was logged elsewhere).
 */
dataset_id: string, 
/**
 * The version of the data trained on (BLAKE3 of its digest and read options).
 */
dataset_version: string, 
/**
 * BLAKE3 of the data's bytes.
 */
dataset_digest: string, 
/**
 * The flow that wrote that version, when a flow made it.
 */
flow?: string, flow_digest?: string, };

export type ModelCard = { version: ModelVersionInfo, 
/**
 * Editable text: what the model is for and what it must not be used for.
 */
intended_use: string, 
/**
 * The run's held-out metrics.
 */
metrics: Array<Metric>, params: Array<Param>, target: string, features: Array<string>, task: string, lineage?: TrainingLineage, 
/**
 * What a request sends to the model.
 */
input: ModelInput, 
/**
 * Every change to this version, oldest first.
 */
history: Array<RegistryEvent>, };

export type ModelInput = { 
/**
 * The flow in front of the model, when it takes raw rows.
 */
flow?: string, 
/**
 * The columns a request sends, in order (with a flow: its source's; else the model's features).
 */
columns: Array<InputField>, 
/**
 * The flow's steps not run on requests (they chose the training rows), e.g. "step 2 (filter)".
 */
skipped_steps: Array<string>, 
/**
 * A row to try, in `columns` order (with a flow: its source's first row, the target left out).
 */
example: Array<string | null>, 
/**
 * Why the model takes dataset rows although a flow made its data.
 */
note?: string, };

export type InputField = { name: string, 
/**
 * With a flow, the type its text is read as (`i64`, `f64`, `str`, `bool`, `date`, …); else empty.
 */
dtype: string, 
/**
 * False when the model does not need it (its label, a column the flow drops): it may be left out.
 */
required: boolean, };

export type VersionComparison = { a: ModelCard, b: ModelCard, 
/**
 * Param keys whose values differ (or that one side lacks).
 */
params_differ: Array<string>, 
/**
 * Metric keys both have, with b's value minus a's.
 */
metric_deltas: Array<KeyMetric>, 
/**
 * Both trained on the same data version.
 */
same_data: boolean, };

export type DeployEndpoint = { 
/**
 * Letters, digits, `-` and `_`; unique in the project.
 */
name: string, 
/**
 * At least one. Traffic is shared by weight.
 */
variants: Array<VariantSpec>, capture?: CaptureSpec, 
/**
 * The port to listen on; absent: any free port.
 */
port?: number, };

export type VariantSpec = { 
/**
 * `GROUP@VERSION`, `GROUP@ALIAS` (the endpoint follows the alias when it moves) or `GROUP` (its
 * latest approved version).
 */
model: string, 
/**
 * Relative share of the traffic; default 1.
 */
weight: number, 
/**
 * Shown in metrics; default: `v<version>`, or the alias.
 */
name?: string, };

export type CaptureSpec = { 
/**
 * 0–100.
 */
percent: number, input: boolean, output: boolean, };

export type EndpointStatus = "starting" | "running" | "restarting" | "stopped" | "failed";

export type EndpointVariant = { name: string, 
/**
 * What was asked: `GROUP@VERSION|ALIAS`.
 */
spec: string, model: string, version: number, weight: number, };

export type EndpointInfo = { name: string, status: EndpointStatus, 
/**
 * Why it is stopped or failed, or the last restart's cause.
 */
message: string, 
/**
 * `http://127.0.0.1:PORT` while it runs.
 */
url?: string, pid?: number, variants: Array<EndpointVariant>, capture?: CaptureSpec, 
/**
 * The key requests need (`Authorization: Bearer …`).
 */
key: string, 
/**
 * Where captured requests are written (`YYYY/MM/DD/HH/*.jsonl` below it).
 */
capture_dir: string, created_at: number, updated_at: number, };

export type UpdateEndpoint = { variants: Array<VariantSpec>, };

export type InvokeEndpoint = { 
/**
 * `text/csv` or `application/json`.
 */
content_type: string, body: string, };

export type InvokeResult = { status: number, content_type: string, body: string, 
/**
 * The variant that answered.
 */
variant?: string, millis: number, };

export type GroundTruthUpload = { 
/**
 * CSV with the columns `inference_id` and `label`, or SageMaker's ground-truth JSONL
 * (`{"groundTruthData":{"data":…,"encoding":"CSV"},"eventMetadata":{"eventId":…},"eventVersion":"0"}`).
 */
text: string, };

export type GroundTruthReport = { 
/**
 * Labels written.
 */
written: number, 
/**
 * Of those, how many name an inference id found in the endpoint's captured data.
 */
matched: number, 
/**
 * The file they were written to, relative to the project.
 */
file: string, };

export type EndpointLog = { text: string, 
/**
 * The offset to ask for next.
 */
next: number, };

export type EndpointStats = { name: string, 
/**
 * Milliseconds since the Unix epoch.
 */
started_at: number, now: number, 
/**
 * Requests refused for a missing or wrong key (no variant answers those).
 */
unauthorized: number, variants: Array<VariantStats>, };

export type VariantStats = { name: string, model: string, version: number, weight: number, requests: number, 
/**
 * Answers with a status of 400 or more.
 */
errors: number, 
/**
 * Errors per status code (`"400"`, `"500"`, …; `"other"` for the rest).
 */
errors_by_status: Record<string, number>, p50_ms: number | null, p95_ms: number | null, p99_ms: number | null, 
/**
 * Requests written to the capture files.
 */
captured: number, 
/**
 * Oldest first, one per second (seconds without traffic included).
 */
series: Array<StatsSecond>, };

export type StatsSecond = { 
/**
 * Seconds since the Unix epoch.
 */
t: number, requests: number, errors: number, p50_ms: number | null, p99_ms: number | null, };

export type BaselineInfo = { 
/**
 * `<dataset name>-<first 8 characters of the version>`: what `--baseline` takes.
 */
name: string, 
/**
 * The baseline's folder.
 */
path: string, 
/**
 * The dataset's name.
 */
dataset: string, dataset_id: string, 
/**
 * The dataset version the baseline describes.
 */
version: string, rows: number, 
/**
 * The columns the baseline knows, in the dataset's order.
 */
columns: Array<string>, 
/**
 * The folder already held a `constraints.json` (perhaps edited by hand); it was kept as it was.
 */
constraints_kept: boolean, };

export type MonitorData = { "dataset": string } | { "file": string };

export type ColumnDriftInfo = { column: string, 
/**
 * `numerical`, `categorical` or `text`, as Evidently types the current data; none for types drift is not
 * measured on (dates).
 */
kind: string | null, 
/**
 * Evidently's test name: `ks`, `wasserstein`, `chisquare`, `z`, `jensenshannon`, `psi`, or a text test.
 */
test: string | null, 
/**
 * A p-value (`ks`, `chisquare`, `z`: drift when below the threshold) or a distance (drift when at or above).
 */
score: number | null, threshold: number | null, drifted: boolean, 
/**
 * Why no score was computed (a column missing on one side, all values missing, a changed type, text).
 */
error: string | null, };

export type ViolationInfo = { feature_name: string, 
/**
 * `data_type_check`, `completeness_check`, `baseline_drift_check`, `missing_column_check`,
 * `extra_column_check` or `categorical_values_check`.
 */
constraint_check_type: string, description: string, };

export type MonitorReport = { 
/**
 * The run's folder name, `<YYYYMMDDTHHMMSSZ>-<id>`.
 */
run: string, 
/**
 * The run's folder (constraint_violations.json, drift.json, run.json).
 */
path: string, 
/**
 * The baseline's name and folder.
 */
baseline: string, baseline_path: string, 
/**
 * What was checked: `dataset <name> (version …)` or the file's path.
 */
data: string, rows: number, 
/**
 * Milliseconds since the Unix epoch.
 */
created_at: number, violations: Array<ViolationInfo>, 
/**
 * Every column of the current data, then the baseline's columns missing from it.
 */
columns: Array<ColumnDriftInfo>, tested_columns: number, drifted_columns: number, 
/**
 * Drifted columns / tested columns.
 */
share_of_drifted_columns: number, 
/**
 * The share reached `drift_share`.
 */
dataset_drift: boolean, 
/**
 * The share at which the dataset counts as drifted (Evidently's 0.5).
 */
drift_share: number, };

export const DEFAULT_NULL_VALUES: string[] = ["","NA","N/A","NULL","null","NaN","?"];
