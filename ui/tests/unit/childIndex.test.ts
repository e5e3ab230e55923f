import { describe, expect, it } from 'vitest';
import { parentsFilter } from '../../src/lib/runs/run/mlflowFacts';
import { ChildIndex } from '../../src/lib/runs/table/childIndex';
import type { Run } from '../../src/lib/types.gen';
import { makeRun } from './runFixtures';

const child = (id: string, parent: string) => makeRun(id, { tags: { 'mlflow.parentRunId': parent } });

/** A server that knows these runs and answers the filters the index sends. */
function server(runs: Run[]) {
  const asked: string[] = [];
  const fetcher = async (filter: string, limit: number) => {
    asked.push(filter);
    let hits: Run[];
    if (filter === 'tags.mlflow.parentRunId IS NOT NULL') hits = runs.filter((r) => r.data.tags.some((t) => t.key === 'mlflow.parentRunId'));
    else if (filter.startsWith('attributes.run_id IN')) hits = runs.filter((r) => filter.includes(`'${r.info.run_id}'`));
    else {
      const m = /= '([^']+)'/.exec(filter);
      hits = runs.filter((r) => r.data.tags.some((t) => t.key === 'mlflow.parentRunId' && t.value === m?.[1]));
    }
    return { runs: hits.slice(0, limit), total: hits.length };
  };
  return { fetcher, asked };
}

describe('the child index of the runs table', () => {
  it('groups every child under its parent and counts children whose parent is gone', async () => {
    const { fetcher } = server([makeRun('p'), child('a', 'p'), child('b', 'p'), child('o', 'deleted')]);
    const idx = new ChildIndex(fetcher, () => {});
    await idx.load();
    expect(idx.complete).toBe(true);
    expect(idx.total).toBe(3);
    expect(idx.children('p')?.map((r) => r.info.run_id)).toEqual(['a', 'b']);
    expect(idx.children('nobody')).toEqual([]);
    expect(idx.orphans).toBe(1);
  });

  it('past its limit, asks for an opened parent on its own', async () => {
    const { fetcher, asked } = server([makeRun('p'), makeRun('q'), child('a', 'p'), child('b', 'q'), child('c', 'q')]);
    const idx = new ChildIndex(fetcher, () => {}, 2);
    await idx.load();
    expect(idx.complete).toBe(false);
    // The cut fell inside q's children (b made it, c did not): no group of a partial index is trusted.
    expect(idx.children('q')).toBeUndefined();
    expect(idx.children('p')).toBeUndefined();
    await idx.ensure('q');
    expect(idx.children('q')?.map((r) => r.info.run_id)).toEqual(['b', 'c']);
    expect(asked.at(-1)).toBe("tags.mlflow.parentRunId = 'q'");
  });

  it('finds parents by id with one filter', () => {
    expect(parentsFilter(['a', "b'c"])).toBe("attributes.run_id IN ('a', 'b''c')");
  });
});
