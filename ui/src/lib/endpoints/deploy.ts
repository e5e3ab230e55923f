// The deploy form's rules (the server's, checked before a request so each mistake is named beside its
// field), and the words and snippets an endpoint's page shows. The server checks again: a model that
// does not resolve is only known there, and its answer is shown in the form.
import type { CaptureSpec, DeployEndpoint, EndpointInfo, EndpointStatus, VariantSpec } from '../types.gen';

/** One variant as typed: the weight is text until it is checked. */
export interface VariantRow {
  model: string;
  weight: string;
  name: string;
}

export interface DeployForm {
  name: string;
  variants: VariantRow[];
  /** Percent of requests captured, as typed; '' or 0: no capture. */
  capture: string;
  captureInput: boolean;
  captureOutput: boolean;
}

/** What is wrong, by field: `name`, `capture`, `variants` (the list as a whole), `model.<i>`, `weight.<i>`, `vname.<i>`. */
export type FormErrors = Record<string, string>;

export const STATUS_LABEL: Record<EndpointStatus, string> = {
  starting: 'Starting',
  running: 'Running',
  restarting: 'Restarting',
  stopped: 'Stopped',
  failed: 'Failed',
};

export function isLive(s: EndpointStatus): boolean {
  return s === 'starting' || s === 'running' || s === 'restarting';
}

export function newForm(model = ''): DeployForm {
  return { name: '', variants: [{ model, weight: '1', name: '' }], capture: '', captureInput: true, captureOutput: true };
}

/** An endpoint's name as the server accepts it: why not, or null. */
export function endpointNameError(name: string): string | null {
  const n = name.trim();
  if (!n) return 'Name the endpoint, e.g. churn-api.';
  if (n.length > 63) return 'An endpoint name is at most 63 characters.';
  if (!/^[A-Za-z0-9]/.test(n)) return 'Start the name with a letter or a digit.';
  const bad = [...new Set(n.replace(/[A-Za-z0-9_-]/g, ''))];
  if (bad.length) return `Letters, digits, “-” and “_” only (not ${bad.map((c) => (c === ' ' ? 'spaces' : `“${c}”`)).join(', ')}).`;
  return null;
}

/** A weight as typed: the number, or why it is not one. */
export function parseWeight(text: string): number | string {
  const t = text.trim();
  if (!t) return 'Give a weight, e.g. 1.';
  const w = Number(t);
  if (!Number.isFinite(w)) return `“${t}” is not a number.`;
  if (w <= 0) return 'A weight is above 0 (its share is weight ÷ the sum of weights).';
  return w;
}

/** The capture percentage as typed: the number (0 for none), or why it is not one. */
export function parseCapture(text: string): number | string {
  const t = text.trim();
  if (!t) return 0;
  const p = Number(t);
  if (!Number.isFinite(p)) return `“${t}” is not a number.`;
  if (p < 0 || p > 100) return 'Capture a percentage from 0 to 100.';
  return p;
}

/** A model spec as typed: why it cannot name a registered model, or null (whether it exists is the server's to say). */
export function modelSpecError(spec: string): string | null {
  const s = spec.trim();
  if (!s) return 'Name the model: GROUP@VERSION, GROUP@ALIAS or GROUP.';
  if (s.startsWith('@')) return 'Put the group before “@”, e.g. churn@2.';
  if (s.endsWith('@')) return `Put a version or alias after “@”, e.g. ${s}2 or ${s}champion.`;
  return null;
}

/** The variants as the server takes them, or the errors by field. */
export function checkVariants(rows: VariantRow[]): { variants: VariantSpec[]; errors: FormErrors } {
  const errors: FormErrors = {};
  const variants: VariantSpec[] = [];
  if (!rows.length) errors.variants = 'Serve at least one model version.';
  const names = new Set<string>();
  rows.forEach((r, i) => {
    const m = modelSpecError(r.model);
    if (m) errors[`model.${i}`] = m;
    const w = parseWeight(r.weight);
    if (typeof w === 'string') errors[`weight.${i}`] = w;
    const name = r.name.trim();
    if (name) {
      if (names.has(name)) errors[`vname.${i}`] = `Another variant is named “${name}”.`;
      names.add(name);
    }
    if (!m && typeof w === 'number') variants.push(name ? { model: r.model.trim(), weight: w, name } : { model: r.model.trim(), weight: w });
  });
  return { variants, errors };
}

/** The request the deploy form makes, or the errors by field (an empty `errors` means it can be sent). */
export function deployRequest(f: DeployForm): { request: DeployEndpoint | null; errors: FormErrors } {
  const { variants, errors } = checkVariants(f.variants);
  const n = endpointNameError(f.name);
  if (n) errors.name = n;
  const c = parseCapture(f.capture);
  if (typeof c === 'string') errors.capture = c;
  else if (c > 0 && !f.captureInput && !f.captureOutput) errors.capture = 'Capture the requests, the answers, or both.';
  if (Object.keys(errors).length) return { request: null, errors };
  const request: DeployEndpoint = { name: f.name.trim(), variants };
  if (typeof c === 'number' && c > 0) request.capture = { percent: c, input: f.captureInput, output: f.captureOutput } satisfies CaptureSpec;
  return { request, errors };
}

/** Each variant's share of the traffic, in percent. */
export function shares(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + (b > 0 ? b : 0), 0);
  return weights.map((w) => (total > 0 && w > 0 ? (w / total) * 100 : 0));
}

/** A CSV cell: quoted when it holds a separator, a quote or a line break. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A sample request for the test form: a header of the model's features and one row of values (from a
 * row of the data it trained on, when there is one; blanks otherwise, which the model reads as missing).
 */
export function sampleCsv(features: string[], row: Record<string, unknown> | null): string {
  const header = features.map(csvCell).join(',');
  const values = features.map((f) => csvCell(row?.[f])).join(',');
  return `${header}\n${values}\n`;
}

/** The same row as MLflow's `dataframe_split` JSON. */
export function sampleJson(features: string[], row: Record<string, unknown> | null): string {
  return JSON.stringify({ dataframe_split: { columns: features, data: [features.map((f) => row?.[f] ?? null)] } });
}

/** A row of a data page as a record by column name. */
export function rowRecord(columns: string[], row: unknown[] | undefined): Record<string, unknown> | null {
  if (!row) return null;
  return Object.fromEntries(columns.map((c, i) => [c, row[i]]));
}

/** A shell-quoted argument ('…' with any ' escaped). */
function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** How a client calls the endpoint with curl (SageMaker's /invocations, CSV). */
export function curlExample(ep: Pick<EndpointInfo, 'url' | 'key'>, body: string): string {
  const url = ep.url ?? 'http://127.0.0.1:PORT';
  return [`curl -s ${shq(`${url}/invocations`)} \\`, `  -H ${shq(`Authorization: Bearer ${ep.key}`)} \\`, `  -H 'Content-Type: text/csv' \\`, `  --data-binary ${shq(body.trimEnd())}`].join('\n');
}

/** A log's text without terminal color codes (the endpoint process's logger writes them). */
export function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}
