import { describe, expect, it } from 'vitest';
import { elapsedMs, kindLabel, parseEnv, whereLabel } from '../../src/lib/jobs/jobs';
import type { ClusterProfile, JobInfo } from '../../src/lib/types.gen';

const lab: ClusterProfile = { name: 'lab', kind: 'ray', address: 'http://10.0.0.5:8265', token_storage: 'encrypted_file', token_location: '' };

function job(over: Partial<JobInfo>): JobInfo {
  return { id: 'j', kind: 'train', run_id: 'r', experiment_id: '0', executor: 'local', state: 'running', created_at: 1000, ...over };
}

describe('jobs', () => {
  it('names where a job runs by its cluster profile when there is one', () => {
    expect(whereLabel('local', [lab])).toBe('This computer');
    expect(whereLabel('ray:http://10.0.0.5:8265', [lab])).toBe('lab');
    expect(whereLabel('ray:http://other:8265', [lab])).toBe('http://other:8265');
  });

  it('counts elapsed time from the start to the end, or to now while running', () => {
    expect(elapsedMs(job({ started_at: 2000 }), 5000)).toBe(3000);
    expect(elapsedMs(job({ started_at: 2000, ended_at: 4000, state: 'succeeded' }), 9000)).toBe(2000);
    expect(elapsedMs(job({ state: 'queued' }), 1500)).toBe(500);
    expect(elapsedMs(job({ state: 'failed' }), 9000)).toBe(0);
  });

  it('reads env lines and names the bad one', () => {
    expect(parseEnv('LR=0.1\n\n# note\nNAME=a=b')).toEqual({ env: { LR: '0.1', NAME: 'a=b' } });
    const bad = parseEnv('LR=0.1\n2X=1');
    expect(bad.error).toContain('line 2');
    expect(parseEnv('novalue').error).toContain('line 1');
  });
});

describe('kindLabel', () => {
  it('names every job kind in words, and passes an unknown one through', () => {
    expect(kindLabel('batch')).toBe('Batch prediction');
    expect(kindLabel('automl_trial')).toBe('AutoML trial');
    expect(kindLabel('train')).toBe('Training');
    expect(kindLabel('something-new')).toBe('something-new');
  });
});
