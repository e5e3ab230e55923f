// Everything the run page shows about one run, kept current while its job runs: the run (metrics grow),
// the job (state), the log (read on from `next`) and the metric histories, every POLL_MS.
import { backend, hasCode } from '../../backend';
import { app } from '../../state/app.svelte';
import type { ApiError, ArtifactFile, Evaluation, JobInfo, Metric, Run } from '../../types.gen';
import { curveKeys, isLive } from './facts';
import { appendLog } from './logProgress';
import { isCairnRun, unsteppedKeys } from './mlflowFacts';

const POLL_MS = 2000;

export class RunState {
  run = $state.raw<Run | null>(null);
  error = $state.raw<ApiError | null>(null);
  /** Null for runs without a job (logged from elsewhere), or until it is read. */
  job = $state.raw<JobInfo | null>(null);
  log = $state('');
  logDone = $state(false);
  evaluation = $state.raw<Evaluation | null>(null);
  /** Why there is no evaluation: still training, failed before evaluating, or an error reading it. */
  evaluationError = $state.raw<ApiError | null>(null);
  artifacts = $state.raw<ArtifactFile[] | null>(null);
  series = $state.raw<Record<string, Metric[]>>({});
  cancelling = $state(false);

  private logNext = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private finalLoaded = false;
  /** Whether the unstepped metrics of a logged run were read (once, after it ended). */
  private probed = false;
  private busy = false;
  private readonly abort = new AbortController();

  constructor(
    readonly pid: string,
    readonly rid: string,
  ) {}

  /** Running or queued, by the job when there is one (it knows first), else by the run. */
  get live(): boolean {
    if (this.job) return this.job.state === 'queued' || this.job.state === 'running';
    return !!this.run && isLive(this.run.info.status);
  }

  /** Starts polling, or reads again now (a retry); never runs two reads at once. */
  start(): void {
    clearTimeout(this.timer);
    if (!this.busy) void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
  }

  private async tick(): Promise<void> {
    const signal = this.abort.signal;
    this.busy = true;
    try {
      const run = await backend.run(this.pid, this.rid, signal);
      if (this.stopped) return;
      this.run = run;
      this.error = null;
      await Promise.all([this.readJob(), this.readSeries(run)]);
      if (this.job) await this.readLog();
      if (!this.live && !this.finalLoaded) {
        this.finalLoaded = true;
        // Only Cairn's trainer writes an evaluation; a run logged through MLflow has none to ask for.
        await Promise.all([isCairnRun(run) ? this.readEvaluation() : Promise.resolve(), this.readArtifacts()]);
      }
    } catch (e) {
      if (this.stopped) return;
      this.error = app.noteError(e);
    } finally {
      this.busy = false;
    }
    // Keep polling while the job runs, until its log is read to the end, and until the run itself says it
    // ended (the server marks it a moment after the job); a run logged from elsewhere, while it says it runs.
    const runLive = !!this.run && isLive(this.run.info.status);
    if (!this.stopped && (this.live || runLive || (this.job && !this.logDone))) {
      this.timer = setTimeout(() => void this.tick(), POLL_MS);
    }
  }

  private async readJob(): Promise<void> {
    if (this.job && !this.live) return;
    try {
      this.job = await backend.runJob(this.pid, this.rid);
    } catch (e) {
      // A run logged without a Cairn job has none; that is not an error worth showing.
      if (!hasCode(e, 'JOB_NOT_FOUND') && !hasCode(e, 'RUN_NOT_FOUND')) app.noteError(e);
      this.job = null;
      this.logDone = true;
    }
  }

  private async readLog(): Promise<void> {
    const job = this.job;
    if (!job || this.logDone) return;
    // Several chunks in a row when a finished job left more than one read's worth.
    for (let i = 0; i < 20; i++) {
      const chunk = await backend.jobLog(this.pid, job.id, this.logNext, this.abort.signal);
      if (this.stopped) return;
      if (chunk.text) this.log = appendLog(this.log, chunk.text);
      const moved = chunk.next !== this.logNext;
      this.logNext = chunk.next;
      this.logDone = chunk.done;
      if (chunk.done || !moved || this.live) return;
    }
  }

  private async readSeries(run: Run): Promise<void> {
    const keys = curveKeys(run.data.metrics);
    // A script may log a metric again and again without a step (all at step 0): the run shows its latest
    // value only, so for logged runs the histories of such metrics are read too, and charted if longer than one.
    const probe = !isCairnRun(run) && !isLive(run.info.status) && !this.probed ? unsteppedKeys(run.data.metrics, keys) : [];
    if (probe.length) {
      this.probed = true;
      const got = await Promise.all(
        probe.map((k) =>
          backend.metricSeries(this.pid, this.rid, k, 1000, this.abort.signal).then(
            (s) => [k, s.points] as const,
            () => [k, []] as const,
          ),
        ),
      );
      if (this.stopped) return;
      const longer = got.filter(([, pts]) => pts.length > 1);
      if (longer.length) this.series = { ...this.series, ...Object.fromEntries(longer) };
    }
    if (!keys.length) return;
    // Finished runs' histories do not change: read them once.
    if (!isLive(run.info.status) && keys.every((k) => this.series[k])) return;
    const got = await Promise.all(
      keys.map((k) =>
        backend.metricSeries(this.pid, this.rid, k, 1000, this.abort.signal).then(
          (s) => [k, s.points] as const,
          () => [k, this.series[k] ?? []] as const,
        ),
      ),
    );
    if (!this.stopped) this.series = { ...this.series, ...Object.fromEntries(got) };
  }

  private async readEvaluation(): Promise<void> {
    try {
      this.evaluation = await backend.evaluation(this.pid, this.rid, this.abort.signal);
      this.evaluationError = null;
    } catch (e) {
      this.evaluationError = app.noteError(e);
    }
  }

  private async readArtifacts(): Promise<void> {
    try {
      this.artifacts = await backend.artifacts(this.pid, this.rid);
    } catch (e) {
      app.noteError(e);
      this.artifacts = [];
    }
  }

  async cancel(): Promise<void> {
    if (!this.job) return;
    this.cancelling = true;
    try {
      this.job = await backend.cancelJob(this.pid, this.job.id);
    } catch (e) {
      this.error = app.noteError(e);
    } finally {
      this.cancelling = false;
    }
    this.start();
  }

  /** After a rename, a tag change or a note: the server's answer is the run as it is now. */
  replace(run: Run): void {
    this.run = run;
  }
}
