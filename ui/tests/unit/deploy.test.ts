import { describe, expect, it, vi } from 'vitest';
import { HttpBackend } from '../../src/lib/backend/http';
import { batchRequest, defaultOut, effectiveFormat, parseColumns, type BatchForm } from '../../src/lib/models/batch';
import { checkVariants, csvCell, stripAnsi, curlExample, deployRequest, endpointNameError, modelSpecError, newForm, parseCapture, parseWeight, rowRecord, sampleCsv, sampleJson, shares } from '../../src/lib/endpoints/deploy';
import { clock, errorsByStatus, formatMs, trafficOption, trafficSeries } from '../../src/lib/endpoints/traffic';
import { aliasError, approvalError, eventText, groupNameError, keyMetricText, metricRows, metricValues, paramRows, pickVersion, versionSpec } from '../../src/lib/models/registry';
import { href, parseHash, type Route } from '../../src/lib/routes';
import type { EndpointStats, ModelCard, ModelGroup, ModelVersionInfo, RegistryEvent, StatsSecond, VariantStats, VersionComparison } from '../../src/lib/types.gen';

describe('deploy routes', () => {
  it('round-trips the models and endpoints pages', () => {
    const routes: Route[] = [
      { name: 'models', pid: 'p1' },
      { name: 'models', pid: 'p1', group: 'churn' },
      { name: 'models', pid: 'p1', group: 'churn model', version: 3 },
      { name: 'endpoints', pid: 'p1' },
      { name: 'endpoints', pid: 'p1', endpoint: 'churn-api' },
    ];
    for (const r of routes) expect(parseHash(href(r))).toEqual(r);
    expect(href({ name: 'models', pid: 'p1', group: 'a@b', version: 2 })).toBe('#/p/p1/models/a%40b?v=2');
  });

  it('ignores a version that is not a positive integer, and a version without a group', () => {
    expect(parseHash('#/p/p1/models/churn?v=abc')).toEqual({ name: 'models', pid: 'p1', group: 'churn' });
    expect(parseHash('#/p/p1/models/churn?v=0')).toEqual({ name: 'models', pid: 'p1', group: 'churn' });
    expect(parseHash('#/p/p1/models/churn?v=1.5')).toEqual({ name: 'models', pid: 'p1', group: 'churn' });
    expect(parseHash('#/p/p1/models?v=2')).toEqual({ name: 'models', pid: 'p1' });
  });
});

describe('registry rules', () => {
  it('names what is wrong with a group name', () => {
    expect(groupNameError('churn')).toBeNull();
    expect(groupNameError('  ')).toMatch(/Name the model group/);
    expect(groupNameError('a/b')).toMatch(/“\/” or “:”/);
    expect(groupNameError('a:b')).toMatch(/“\/” or “:”/);
    expect(groupNameError('..')).toMatch(/cannot name/);
  });

  it('refuses the aliases the server refuses', () => {
    expect(aliasError('champion')).toBeNull();
    expect(aliasError('canary_2-b')).toBeNull();
    expect(aliasError('')).toMatch(/Name the alias/);
    expect(aliasError('my alias')).toMatch(/letters, digits/);
    expect(aliasError('a.b')).toMatch(/letters, digits/);
    expect(aliasError('Latest')).toMatch(/reserved/);
    expect(aliasError('v12')).toMatch(/names version 12/);
    expect(aliasError('v12a')).toBeNull();
    expect(aliasError('x'.repeat(256))).toMatch(/255/);
  });

  it('needs a reason to reject, and to approve a rejected version', () => {
    expect(approvalError('Rejected', 'PendingManualApproval', '')).toMatch(/Say why/);
    expect(approvalError('Rejected', 'PendingManualApproval', '  ')).toMatch(/Say why/);
    expect(approvalError('Rejected', 'Approved', 'drift')).toBeNull();
    expect(approvalError('Approved', 'PendingManualApproval', '')).toBeNull();
    expect(approvalError('Approved', 'Rejected', '')).toMatch(/was rejected/);
    expect(approvalError('Approved', 'Rejected', 'fixed')).toBeNull();
    // Approving an approved version is the server's 409 to give, not the form's.
    expect(approvalError('Approved', 'Approved', '')).toBeNull();
  });

  const ev = (e: Partial<RegistryEvent>): RegistryEvent => ({ seq: 1, model: 'churn', at: 0, actor: 'ana', kind: 'registered', from: '', to: '', reason: '', ...e });
  it('says what each history event did', () => {
    expect(eventText(ev({ kind: 'registered', version: 2 }))).toBe('registered v2');
    expect(eventText(ev({ kind: 'status', version: 2, from: 'PendingManualApproval', to: 'Approved' }))).toBe('v2 Pending approval → Approved');
    expect(eventText(ev({ kind: 'alias_set', alias: 'champion', from: '', to: '2' }))).toBe('alias champion set on v2');
    expect(eventText(ev({ kind: 'alias_set', alias: 'champion', from: '1', to: '2' }))).toBe('alias champion moved from v1 to v2');
    expect(eventText(ev({ kind: 'alias_removed', alias: 'champion', from: '2' }))).toBe('alias champion removed from v2');
    expect(eventText(ev({ kind: 'intended_use', version: 1 }))).toBe('v1 intended use edited');
    expect(eventText(ev({ kind: 'version_deleted', version: 1 }))).toBe('v1 deleted');
    expect(eventText(ev({ kind: 'group_deleted' }))).toBe('group deleted');
    expect(eventText(ev({ kind: 'renamed', from: 'a', to: 'b' }))).toBe('renamed from a to b');
  });

  const version = (n: number, extra: Partial<ModelVersionInfo> = {}): ModelVersionInfo => ({
    group: 'churn',
    version: n,
    run_id: `r${n}`,
    run_name: '',
    created_at: 0,
    registered_by: 'ana',
    description: '',
    source: '',
    approval: { status: 'PendingManualApproval', actor: '', reason: '' },
    aliases: [],
    model_kind: 'gbm',
    ...extra,
  });
  it('opens the asked version, else the newest', () => {
    const g: ModelGroup = { name: 'churn', description: '', created_at: 0, updated_at: 0, aliases: [], versions: [version(1), version(3), version(2)] };
    expect(pickVersion(g, 2)?.version).toBe(2);
    expect(pickVersion(g, 9)?.version).toBe(3);
    expect(pickVersion(g, undefined)?.version).toBe(3);
    expect(pickVersion({ ...g, versions: [] }, 1)).toBeNull();
  });

  it('formats the key metric and reads metrics as numbers', () => {
    expect(keyMetricText(version(1, { key_metric: { key: 'roc_auc', value: 0.92764 } }))).toMatch(/^roc_auc 0\.927/);
    expect(keyMetricText(version(1))).toBe('');
    const m = metricValues([
      { key: 'a', value: 0.5, timestamp: 0, step: 0 },
      { key: 'b', value: '0.25', timestamp: 0, step: 0 },
      { key: 'c', value: 'n/a', timestamp: 0, step: 0 },
    ]);
    expect([...m]).toEqual([
      ['a', 0.5],
      ['b', 0.25],
    ]);
    expect(versionSpec('churn', 3)).toBe('churn@3');
  });

  it('lays two versions side by side, saying which change is better', () => {
    const card = (n: number, metrics: [string, number][], params: [string, string][]): ModelCard => ({
      version: version(n),
      intended_use: '',
      input: { columns: [], skipped_steps: [], example: [] },
      metrics: metrics.map(([key, value]) => ({ key, value, timestamp: 0, step: 0 })),
      params: params.map(([key, value]) => ({ key, value })),
      target: 'y',
      features: [],
      task: 'classification',
      history: [],
    });
    const c: VersionComparison = {
      a: card(1, [['roc_auc', 0.9], ['log_loss', 0.3], ['f1', 0.5]], [['iterations', '500'], ['seed', '7']]),
      b: card(2, [['roc_auc', 0.92], ['log_loss', 0.35], ['f1', 0.5], ['extra', 1]], [['iterations', '40'], ['seed', '7'], ['l2', '1']]),
      params_differ: ['iterations', 'l2'],
      metric_deltas: [
        { key: 'roc_auc', value: 0.02 },
        { key: 'log_loss', value: 0.05 },
        { key: 'f1', value: 0 },
      ],
      same_data: true,
    };
    const m = Object.fromEntries(metricRows(c).map((r) => [r.key, r]));
    expect(Object.keys(m)).toEqual(['extra', 'f1', 'log_loss', 'roc_auc']);
    expect([m.roc_auc.delta, m.roc_auc.better]).toEqual(['+0.02', true]);
    // A loss that grew is worse.
    expect([m.log_loss.delta, m.log_loss.better]).toEqual(['+0.05', false]);
    expect([m.f1.delta, m.f1.better]).toEqual(['0', null]);
    expect([m.extra.a, m.extra.b, m.extra.delta]).toEqual(['—', '1', '']);
    const p = paramRows(c);
    expect(p.map((r) => `${r.key}:${r.a}:${r.b}:${r.differs}`)).toEqual(['iterations:500:40:true', 'l2:—:1:true', 'seed:7:7:false']);
  });
});

describe('deploy form', () => {
  it('names what is wrong with an endpoint name', () => {
    expect(endpointNameError('churn-api_2')).toBeNull();
    expect(endpointNameError('')).toMatch(/Name the endpoint/);
    expect(endpointNameError('-x')).toMatch(/Start the name/);
    expect(endpointNameError('churn api!')).toBe('Letters, digits, “-” and “_” only (not spaces, “!”).');
    expect(endpointNameError('a'.repeat(64))).toMatch(/63/);
  });

  it('reads weights and the capture percentage', () => {
    expect(parseWeight('2.5')).toBe(2.5);
    expect(parseWeight('0')).toMatch(/above 0/);
    expect(parseWeight('-1')).toMatch(/above 0/);
    expect(parseWeight('abc')).toMatch(/not a number/);
    expect(parseWeight('')).toMatch(/Give a weight/);
    expect(parseCapture('')).toBe(0);
    expect(parseCapture('100')).toBe(100);
    expect(parseCapture('101')).toMatch(/0 to 100/);
    expect(parseCapture('-5')).toMatch(/0 to 100/);
    expect(parseCapture('ten')).toMatch(/not a number/);
  });

  it('checks the model specs', () => {
    expect(modelSpecError('churn@2')).toBeNull();
    expect(modelSpecError('churn')).toBeNull();
    expect(modelSpecError('')).toMatch(/GROUP@VERSION/);
    expect(modelSpecError('@2')).toMatch(/before “@”/);
    expect(modelSpecError('churn@')).toMatch(/churn@2 or churn@champion/);
  });

  it('builds the request, or says what is wrong field by field', () => {
    const f = newForm('churn@1');
    f.name = 'churn-api';
    expect(deployRequest(f)).toEqual({ request: { name: 'churn-api', variants: [{ model: 'churn@1', weight: 1 }] }, errors: {} });

    f.variants.push({ model: 'churn@champion', weight: '9', name: 'champ' });
    f.capture = '25';
    f.captureOutput = false;
    expect(deployRequest(f).request).toEqual({
      name: 'churn-api',
      variants: [
        { model: 'churn@1', weight: 1 },
        { model: 'churn@champion', weight: 9, name: 'champ' },
      ],
      capture: { percent: 25, input: true, output: false },
    });

    const bad = { name: 'bad name', variants: [{ model: '', weight: '0', name: 'a' }, { model: 'x@2', weight: '1', name: 'a' }], capture: '150', captureInput: true, captureOutput: true };
    const { request, errors } = deployRequest(bad);
    expect(request).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['capture', 'model.0', 'name', 'vname.1', 'weight.0']);

    const none = deployRequest({ ...newForm('m@1'), name: 'n', capture: '10', captureInput: false, captureOutput: false });
    expect(none.errors.capture).toMatch(/requests, the answers, or both/);
    expect(checkVariants([]).errors.variants).toMatch(/at least one/);
  });

  it('shares the traffic by weight', () => {
    expect(shares([9, 1])).toEqual([90, 10]);
    expect(shares([1, 0])).toEqual([100, 0]);
    expect(shares([0])).toEqual([0]);
  });

  it('makes a sample row as CSV and as MLflow JSON', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(3.5)).toBe('3.5');
    const row = rowRecord(['age', 'city', 'target'], [41, 'Oslo, NO', 1]);
    expect(sampleCsv(['age', 'city'], row)).toBe('age,city\n41,"Oslo, NO"\n');
    expect(sampleCsv(['age', 'city'], null)).toBe('age,city\n,\n');
    expect(JSON.parse(sampleJson(['age', 'city'], row))).toEqual({ dataframe_split: { columns: ['age', 'city'], data: [[41, 'Oslo, NO']] } });
    expect(rowRecord(['a'], undefined)).toBeNull();
  });

  it('strips terminal colors from log lines', () => {
    expect(stripAnsi('\x1b[2m2026-12-07T23:24:33Z\x1b[0m \x1b[32m INFO\x1b[0m listening')).toBe('2026-12-07T23:24:33Z  INFO listening');
    expect(stripAnsi('plain [32m text')).toBe('plain [32m text');
  });

  it('writes a curl command that quotes the key and body for a shell', () => {
    const c = curlExample({ url: 'http://127.0.0.1:4100', key: 'k1' }, "a,b\n1,it's");
    expect(c).toContain("curl -s 'http://127.0.0.1:4100/invocations'");
    expect(c).toContain("-H 'Authorization: Bearer k1'");
    expect(c).toContain("--data-binary 'a,b\n1,it'\\''s'");
  });
});

describe('traffic charts', () => {
  const sec = (t: number, requests: number, errors = 0, p50: number | null = 1, p99: number | null = 3): StatsSecond => ({ t: t, requests, errors, p50_ms: p50, p99_ms: p99 });
  const variant = (name: string, series: StatsSecond[], extra: Partial<VariantStats> = {}): VariantStats => ({
    name,
    model: 'churn',
    version: 2,
    weight: 1,
    requests: series.reduce((a, s) => a + s.requests, 0),
    errors: 0,
    errors_by_status: {},
    p50_ms: 1,
    p95_ms: 2,
    p99_ms: 3,
    captured: 0,
    series,
    ...extra,
  });
  const now = 1_000_000;
  const stats: EndpointStats = {
    name: 'ep',
    started_at: 0,
    now: (now * 1000 + 500),
    unauthorized: 0,
    variants: [variant('v1', [sec(now - 120, 50), sec(now - 30, 5), sec(now - 1, 0, 0, null, null), sec(now, 7, 2)]), variant('canary', [sec(now, 1)])],
  };

  it('cuts each variant to the window, in ms, with no latency for idle seconds', () => {
    const s = trafficSeries(stats, 60);
    expect(s.map((x) => x.name)).toEqual(['v1', 'canary']);
    expect(s[0].model).toBe('churn v2');
    expect(s[0].requests).toEqual([
      [(now - 30) * 1000, 5],
      [(now - 1) * 1000, 0],
      [now * 1000, 7],
    ]);
    expect(s[0].errors.map((p) => p[1])).toEqual([0, 0, 2]);
    expect(s[0].p50.map((p) => p[1])).toEqual([1, null, 1]);
    expect(s[0].inWindow).toBe(12);
    expect(trafficSeries(stats, 600)[0].inWindow).toBe(62);
    expect(s[0].color).not.toBe(s[1].color);
  });

  it('draws a line per variant, p50 and p99 for latency', () => {
    const s = trafficSeries(stats, 60);
    const req = trafficOption(s, 'requests', now * 1000, 60) as { series: { name: string }[]; xAxis: { min: number; max: number } };
    expect(req.series.map((x) => x.name)).toEqual(['v1', 'canary']);
    expect(req.xAxis.max - req.xAxis.min).toBe(60_000);
    const lat = trafficOption(s, 'latency', now * 1000, 60) as { series: { name: string; lineStyle: { type: string } }[] };
    expect(lat.series.map((x) => `${x.name}:${x.lineStyle.type}`)).toEqual(['v1 p50:solid', 'v1 p99:dashed', 'canary p50:solid', 'canary p99:dashed']);
  });

  it('formats latency and errors for people', () => {
    expect(formatMs(0.4213)).toBe('0.42 ms');
    expect(formatMs(12.6)).toBe('13 ms');
    expect(formatMs(1530)).toBe('1.5 s');
    expect(formatMs(null)).toBe('—');
    expect(errorsByStatus(variant('x', [], { errors_by_status: { '500': 1, '400': 3, other: 0 } }))).toBe('400 ×3, 500 ×1');
    expect(clock(new Date(2026, 0, 1, 9, 5, 7).getTime())).toBe('09:05:07');
  });
});

describe('batch form', () => {
  const form = (f: Partial<BatchForm> = {}): BatchForm => ({ model: 'churn@2', source: 'dataset', dataset: 'customers', file: '', out: 'p.parquet', format: '', columns: '', ...f });

  it('builds the request from a dataset or a file', () => {
    expect(batchRequest(form({ columns: 'id, age, id' }))).toEqual({ request: { model: 'churn@2', dataset: 'customers', out: 'p.parquet', columns: ['id', 'age'], resume: false }, errors: {} });
    expect(batchRequest(form({ source: 'file', file: '/d/x.csv', out: 'o.csv', format: 'csv', columns: '*' })).request).toEqual({ model: 'churn@2', file: '/d/x.csv', out: 'o.csv', format: 'csv', columns: ['*'], resume: false });
  });

  it('says what is missing or wrong', () => {
    expect(batchRequest(form({ dataset: '' })).errors.input).toMatch(/Choose the dataset/);
    expect(batchRequest(form({ source: 'file', file: '' })).errors.input).toMatch(/CSV or Parquet/);
    expect(batchRequest(form({ out: ' ' })).errors.out).toMatch(/where the predictions go/);
    expect(batchRequest(form({ source: 'file', file: '/d/x.csv', out: '/d/x.csv' })).errors.out).toMatch(/overwrite the input/);
    expect(batchRequest(form({ out: 'preds/' })).errors.out).toMatch(/not a folder/);
    expect(batchRequest(form({ columns: '*, id' })).errors.columns).toMatch(/give it alone/);
  });

  it('picks the format and a default output', () => {
    expect(effectiveFormat({ format: '', out: 'a.CSV' })).toBe('csv');
    expect(effectiveFormat({ format: '', out: 'a.parquet' })).toBe('parquet');
    expect(effectiveFormat({ format: 'csv', out: 'a.parquet' })).toBe('csv');
    expect(defaultOut('churn@2', '/data/new customers.csv')).toBe('predictions/new-customers-churn-2.parquet');
    expect(defaultOut('churn@champion', 'adult', 'csv')).toBe('predictions/adult-churn-champion.csv');
    expect(parseColumns(' a ,, b,a ')).toEqual(['a', 'b']);
  });
});

describe('registry and endpoint client', () => {
  it('sends each call to its route with its body, names escaped', async () => {
    const calls: { method: string; url: string; body?: unknown }[] = [];
    const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ method: init?.method ?? 'GET', url: String(input), body: init?.body ? JSON.parse(String(init.body)) : undefined });
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    });
    const b = new HttpBackend({ token: () => 't', fetch: fetch as unknown as typeof globalThis.fetch });
    await b.setApproval('p', 'churn a', 2, { status: 'Rejected', reason: 'drift' });
    await b.setAlias('p', 'churn', 'champion', 3);
    await b.removeAlias('p', 'churn', 'champion');
    await b.compareVersions('p', 'churn', 1, 2);
    await b.setIntendedUse('p', 'churn', 1, 'triage');
    await b.updateEndpoint('p', 'ep 1', { variants: [{ model: 'churn@2', weight: 1 }] });
    await b.invokeEndpoint('p', 'ep', { content_type: 'text/csv', body: 'a\n1' });
    await b.endpointLog('p', 'ep', 120);
    await b.startBatchPrediction('p', { model: 'churn@2', dataset: 'd', out: 'o.parquet', columns: [], resume: false });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/projects/p/models/churn%20a/versions/2/approval',
      'PUT /api/projects/p/models/churn/aliases/champion',
      'DELETE /api/projects/p/models/churn/aliases/champion',
      'GET /api/projects/p/models/churn/compare?a=1&b=2',
      'PUT /api/projects/p/models/churn/versions/1/intended-use',
      'PUT /api/projects/p/endpoints/ep%201',
      'POST /api/projects/p/endpoints/ep/invoke',
      'GET /api/projects/p/endpoints/ep/log?offset=120',
      'POST /api/projects/p/batch-predictions',
    ]);
    expect(calls[0].body).toEqual({ status: 'Rejected', reason: 'drift' });
    expect(calls[1].body).toEqual({ version: 3 });
    expect(calls[4].body).toEqual({ text: 'triage' });
    expect(calls[6].body).toEqual({ content_type: 'text/csv', body: 'a\n1' });
  });
});
