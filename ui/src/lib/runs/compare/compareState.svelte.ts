// The runs of a comparison and what the charts need of each: the runs first (tables and bars show at
// once), then each run's evaluation (ROC / residual overlays) and metric histories (curve overlays).
import { backend } from '../../backend';
import { app } from '../../state/app.svelte';
import type { ApiError, Evaluation, Metric, Run } from '../../types.gen';
import { curveKeys } from '../run/facts';
import { trainedByCairn } from './logic';

export const MAX_RUNS = 20;

export type EvalState = { status: 'loading' } | { status: 'ready'; evaluation: Evaluation } | { status: 'missing'; reason: string };

export class CompareState {
  /** The runs found, in the route's order. */
  runs = $state.raw<Run[]>([]);
  /** Ids that could not be read, with why. */
  failed = $state.raw<{ id: string; error: ApiError }[]>([]);
  loading = $state(true);
  evaluations = $state.raw<Record<string, EvalState>>({});
  /** series[key][run id]: that run's history of the metric. */
  series = $state.raw<Record<string, Record<string, Metric[]>>>({});

  private readonly abort = new AbortController();

  constructor(
    readonly pid: string,
    readonly ids: string[],
  ) {}

  async load(): Promise<void> {
    const signal = this.abort.signal;
    this.loading = true;
    const got = await Promise.all(
      this.ids.map((id) =>
        backend.run(this.pid, id, signal).then(
          (run) => ({ id, run, error: null }),
          (e: unknown) => ({ id, run: null, error: app.noteError(e) }),
        ),
      ),
    );
    if (signal.aborted) return;
    this.runs = got.flatMap((g) => (g.run ? [g.run] : []));
    this.failed = got.flatMap((g) => (g.error ? [{ id: g.id, error: g.error }] : []));
    this.loading = false;
    await Promise.all([this.loadEvaluations(), this.loadSeries()]);
  }

  stop(): void {
    this.abort.abort();
  }

  private async loadEvaluations(): Promise<void> {
    const signal = this.abort.signal;
    this.evaluations = Object.fromEntries(this.runs.map((r) => [r.info.run_id, { status: 'loading' } as EvalState]));
    await Promise.all(
      this.runs.map(async (r) => {
        let st: EvalState;
        // Only Cairn's trainer writes evaluations: a run logged through MLflow is not asked for one.
        if (!trainedByCairn(r)) {
          this.evaluations = { ...this.evaluations, [r.info.run_id]: { status: 'missing', reason: 'no evaluation: it was logged through MLflow' } };
          return;
        }
        try {
          st = { status: 'ready', evaluation: await backend.evaluation(this.pid, r.info.run_id, signal) };
        } catch (e) {
          if (signal.aborted) return;
          // "run `x` has no evaluation: it is still training" reads as "no evaluation: it is still training" next to the run's name.
          st = { status: 'missing', reason: app.noteError(e).message.replace(/^run `[^`]*` has /, '') };
        }
        this.evaluations = { ...this.evaluations, [r.info.run_id]: st };
      }),
    );
  }

  private async loadSeries(): Promise<void> {
    const signal = this.abort.signal;
    const wanted = this.runs.flatMap((r) => curveKeys(r.data.metrics).map((key) => ({ key, rid: r.info.run_id })));
    const got = await Promise.all(
      wanted.map(({ key, rid }) =>
        backend.metricSeries(this.pid, rid, key, 1000, signal).then(
          (s) => ({ key, rid, points: s.points }),
          () => ({ key, rid, points: [] as Metric[] }),
        ),
      ),
    );
    if (signal.aborted) return;
    const out: Record<string, Record<string, Metric[]>> = {};
    for (const g of got) (out[g.key] ??= {})[g.rid] = g.points;
    this.series = out;
  }
}
