import { describe, expect, it, vi } from 'vitest';
import { BackendError, errorFromResponse, hasCode, toApiError } from '../../src/lib/backend/errors';
import { HttpBackend } from '../../src/lib/backend/http';
import { onDrop, onMenu } from '../../src/lib/backend/desktop';
import { takeToken } from '../../src/lib/backend/token';

type Call = { url: string; init: RequestInit };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function sse(text: string): Response {
  return new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

function backendWith(responder: (call: Call) => Response | Promise<Response>, token: string | null = 'tok') {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return responder(call);
  });
  const b = new HttpBackend({ token: () => token, fetch: fetch as unknown as typeof globalThis.fetch, sleep: async () => {} });
  return { b, calls };
}

describe('errors', () => {
  it('turns a non-2xx ApiError body into a BackendError with code, message, hint and status', async () => {
    const { b } = backendWith(() => json(422, { code: 'NOT_A_PROJECT', message: '/x is not a Cairn project', hint: 'create one' }));
    const err = await b.openProject('/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    const be = err as BackendError;
    expect([be.code, be.message, be.hint, be.status]).toEqual(['NOT_A_PROJECT', '/x is not a Cairn project', 'create one', 422]);
    expect(hasCode(be, 'NOT_A_PROJECT')).toBe(true);
    expect(toApiError(be)).toEqual({ code: 'NOT_A_PROJECT', message: '/x is not a Cairn project', hint: 'create one' });
  });

  it('makes a readable error of a body that is not an ApiError', async () => {
    const e = await errorFromResponse(new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(e.code).toBe('INTERNAL');
    expect(e.status).toBe(502);
    expect(e.message).toContain('502');
    expect(e.message).toContain('Bad Gateway');
  });

  it('maps a bare 401 to UNAUTHORIZED', async () => {
    const e = await errorFromResponse(new Response('', { status: 401 }));
    expect(e.code).toBe('UNAUTHORIZED');
  });

  it('reports an unreachable server as IO', async () => {
    const { b } = backendWith(() => {
      throw new TypeError('Failed to fetch');
    });
    const err = (await b.info().catch((e: unknown) => e)) as BackendError;
    expect(err.code).toBe('IO');
    expect(err.message).toContain('cannot reach');
    expect(err.hint).toBeTruthy();
  });

  it('passes aborts through as AbortError, not as an ApiError', async () => {
    const { b } = backendWith(({ init }) => {
      if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError');
      return json(200, {});
    });
    const ctrl = new AbortController();
    ctrl.abort();
    const err = (await b.rows('p', 'd', { offset: 0, limit: 10 }, ctrl.signal).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('AbortError');
  });

  it('describes anything thrown', () => {
    expect(toApiError(new Error('oops'))).toMatchObject({ code: 'INTERNAL', message: 'oops' });
    expect(toApiError({ code: 'IO', message: 'disk' })).toEqual({ code: 'IO', message: 'disk' });
  });
});

describe('requests', () => {
  it('sends the bearer token and JSON bodies', async () => {
    const { b, calls } = backendWith(() => json(200, { id: 'p1', name: 'x', path: '/x', created_at: 0, read_only: false, schema_version: 1 }));
    await b.createProject('/x', 'X');
    const h = calls[0].init.headers as Record<string, string>;
    expect(h.authorization).toBe('Bearer tok');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].url).toBe('/api/projects');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ path: '/x', name: 'X' });
  });

  it('builds row queries with sort and escapes ids', async () => {
    const { b, calls } = backendWith(() => json(200, { offset: 0, total_rows: 0, columns: [], rows: [] }));
    await b.rows('p 1', 'd/2', { offset: 200, limit: 200, sort: 'age', order: 'desc' });
    expect(calls[0].url).toBe('/api/projects/p%201/datasets/d%2F2/rows?offset=200&limit=200&sort=age&order=desc');
    await b.rows('p', 'd', { offset: 0, limit: 50 });
    expect(calls[1].url).toBe('/api/projects/p/datasets/d/rows?offset=0&limit=50');
  });

  it('sends no Authorization header without a token', async () => {
    const { b, calls } = backendWith(() => json(200, []), null);
    await b.recentProjects();
    expect((calls[0].init.headers as Record<string, string>).authorization).toBeUndefined();
    expect(b.hasToken()).toBe(false);
  });

  it('returns the task id of started tasks and the picked path', async () => {
    const { b } = backendWith(({ url }) => (url.endsWith('/pick') ? json(200, { path: null }) : json(200, { task_id: 't1' })));
    expect(await b.startProfile('p', 'd')).toBe('t1');
    expect(await b.pick('folder')).toBeNull();
  });
});

describe('followTask', () => {
  it('delivers events in order and resolves with the final one', async () => {
    const { b, calls } = backendWith(() =>
      sse(
        'id: 1\ndata: {"type":"progress","progress":{"phase":"reading","done":1,"total":2,"unit":"bytes"}}\n\n' +
          'id: 2\ndata: {"type":"preview","page":{"offset":0,"total_rows":1,"columns":["a"],"rows":[[1]]}}\n\n' +
          'id: 3\ndata: {"type":"succeeded","result":{"id":"ds1"}}\n\n',
      ),
    );
    const seen: string[] = [];
    const end = await b.followTask('t1', (e) => seen.push(e.type));
    expect(seen).toEqual(['progress', 'preview', 'succeeded']);
    expect(end).toEqual({ type: 'succeeded', result: { id: 'ds1' } });
    expect(calls[0].url).toBe('/api/tasks/t1/events?after=0');
    expect((calls[0].init.headers as Record<string, string>).authorization).toBe('Bearer tok');
  });

  it('reconnects after a dropped stream, resuming after the last id', async () => {
    let n = 0;
    const { b, calls } = backendWith(() => {
      n++;
      if (n === 1) return sse('id: 4\ndata: {"type":"progress","progress":{"phase":"reading","done":1,"total":9,"unit":"rows"}}\n\nid: 5\ndata: {"type":"pro');
      if (n === 2) throw new TypeError('network down');
      return sse('id: 6\ndata: {"type":"failed","error":{"code":"RAGGED_ROWS","message":"line 3"}}\n\n');
    });
    const end = await b.followTask('t9', () => {});
    expect(end).toEqual({ type: 'failed', error: { code: 'RAGGED_ROWS', message: 'line 3' } });
    expect(calls.map((c) => c.url)).toEqual(['/api/tasks/t9/events?after=0', '/api/tasks/t9/events?after=4', '/api/tasks/t9/events?after=4']);
  });

  it('gives up on a task the server does not know', async () => {
    const { b } = backendWith(() => json(404, { code: 'TASK_NOT_FOUND', message: 'no task t0' }));
    const err = (await b.followTask('t0', () => {}).catch((e: unknown) => e)) as BackendError;
    expect(err.code).toBe('TASK_NOT_FOUND');
  });

  it('falls back to the task state when the stream keeps ending early', async () => {
    const { b } = backendWith(({ url }) => (url.includes('/events') ? sse('') : json(200, { id: 't', kind: 'import', title: 'x.csv', state: 'cancelled', progress: { phase: '', done: 0, total: 0, unit: '' }, started_at: 0 })));
    expect(await b.followTask('t', () => {})).toEqual({ type: 'cancelled' });
  });
});

describe('watchProject', () => {
  const counts = (version: number, runs: number) => JSON.stringify({ version, datasets: 1, experiments: 1, runs, jobs_active: 0 });

  it('delivers every event, reconnects when the stream ends, and stops when aborted', async () => {
    const ctl = new AbortController();
    let n = 0;
    const { b, calls } = backendWith(() => {
      n++;
      if (n === 1) return sse(`data: ${counts(1, 2)}\n\ndata: ${counts(2, 3)}\n\n`);
      if (n === 2) throw new TypeError('network down');
      if (n === 3) return sse(`data: not json\n\ndata: ${counts(1, 4)}\n\n`);
      ctl.abort();
      return sse('');
    });
    const seen: number[] = [];
    await b.watchProject('p 1', (c) => seen.push(c.runs), ctl.signal);
    expect(seen).toEqual([2, 3, 4]);
    expect(calls.map((c) => c.url)).toEqual(Array(4).fill('/api/projects/p%201/changes'));
    expect((calls[0].init.headers as Record<string, string>).accept).toBe('text/event-stream');
  });

  it('gives up on a project the server does not know', async () => {
    const { b } = backendWith(() => json(404, { code: 'PROJECT_NOT_FOUND', message: 'no open project has id `x`' }));
    const err = (await b.watchProject('x', () => {}, new AbortController().signal).catch((e: unknown) => e)) as BackendError;
    expect(err.code).toBe('PROJECT_NOT_FOUND');
  });

  it('removes a recent project with DELETE', async () => {
    const { b, calls } = backendWith(() => json(200, { id: 'a b', name: 'A', path: '/a', opened_at: 1, exists: true }));
    expect((await b.forgetRecentProject('a b')).path).toBe('/a');
    expect([calls[0].init.method, calls[0].url]).toEqual(['DELETE', '/api/projects/recent/a%20b']);
  });
});

describe('token', () => {
  it('takes the token from the URL, stores it and removes it from the address bar', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) } as Storage;
    const replaced: string[] = [];
    const hist = { state: null, replaceState: (_s: unknown, _t: string, url: string) => void replaced.push(url) } as unknown as History;
    const t = takeToken({ href: 'http://127.0.0.1:7878/?token=abc&x=1#/p/1' } as Location, storage, hist);
    expect(t).toBe('abc');
    expect(store.get('cairn.token')).toBe('abc');
    expect(replaced).toEqual(['/?x=1#/p/1']);
    expect(takeToken({ href: 'http://127.0.0.1:7878/#/' } as Location, storage, hist)).toBe('abc');
  });
});

describe('desktop events', () => {
  it('forwards known menu actions and dropped paths, and unsubscribes', () => {
    const target = new EventTarget();
    const actions: string[] = [];
    const drops: string[][] = [];
    const off1 = onMenu((a) => actions.push(a), target);
    const off2 = onDrop((p) => drops.push(p), target);
    target.dispatchEvent(new CustomEvent('cairn:menu', { detail: { action: 'import-data' } }));
    target.dispatchEvent(new CustomEvent('cairn:menu', { detail: { action: 'format-disk' } }));
    target.dispatchEvent(new CustomEvent('cairn:drop', { detail: { paths: ['/a.csv', 3, ''] } }));
    target.dispatchEvent(new CustomEvent('cairn:drop', { detail: {} }));
    off1();
    off2();
    target.dispatchEvent(new CustomEvent('cairn:menu', { detail: { action: 'open-project' } }));
    expect(actions).toEqual(['import-data']);
    expect(drops).toEqual([['/a.csv']]);
  });
});
