// Runs shaped like the server's, for the run page and comparison logic tests.
import type { Run, RunStatus } from '../../src/lib/types.gen';

export function makeRun(
  id: string,
  o: { params?: Record<string, string>; metrics?: Record<string, number | string | [number | string, number]>; tags?: Record<string, string>; status?: RunStatus; name?: string } = {},
): Run {
  return {
    info: {
      run_id: id,
      run_name: o.name ?? `run-${id}`,
      experiment_id: '0',
      user_id: 'cairn',
      status: o.status ?? 'FINISHED',
      start_time: 1_700_000_000_000,
      end_time: 1_700_000_005_000,
      artifact_uri: `file:///p/.cairn/artifacts/runs/${id}`,
      lifecycle_stage: 'active',
    },
    data: {
      metrics: Object.entries(o.metrics ?? {}).map(([key, v]) => {
        const [value, step] = Array.isArray(v) ? v : [v, 0];
        return { key, value, step, timestamp: 1_700_000_005_000 };
      }),
      params: Object.entries(o.params ?? {}).map(([key, value]) => ({ key, value })),
      tags: Object.entries(o.tags ?? {}).map(([key, value]) => ({ key, value })),
    },
    inputs: { dataset_inputs: [] },
  };
}
