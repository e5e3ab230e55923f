import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const ORIGIN = process.env.CAIRN_E2E_ORIGIN ?? '';
export const TOKEN = process.env.CAIRN_E2E_TOKEN ?? '';
export const WORK = process.env.CAIRN_E2E_WORK ?? '';
export const TMP = process.env.CAIRN_E2E_TMP ?? '';
export const DATA = process.env.CAIRN_DATA ?? '/work/shared/data';
export const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'screens');

export const auth = { Authorization: `Bearer ${TOKEN}` };

/** Opens the app the way a user does: the link `cairn serve` printed, plus an optional route. */
export async function openApp(page: Page, hash = ''): Promise<void> {
  await page.goto(`${ORIGIN}/?token=${TOKEN}${hash}`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

export async function projectId(request: APIRequestContext): Promise<string> {
  const info = await (await request.get(`${ORIGIN}/api/info`, { headers: auth })).json();
  return info.initial_project as string;
}

/** Imports through the API (setup for tests about something else) and returns the dataset. */
export async function importViaApi(request: APIRequestContext, path: string, name: string): Promise<{ id: string; rows: number }> {
  const pid = await projectId(request);
  const existing = await (await request.get(`${ORIGIN}/api/projects/${pid}/datasets`, { headers: auth })).json();
  const found = existing.find((d: { name: string }) => d.name === name);
  if (found) return found;
  const res = await request.post(`${ORIGIN}/api/projects/${pid}/imports`, { headers: auth, data: { path, options: { name, overrides: [] } } });
  expect(res.ok(), await res.text()).toBeTruthy();
  const { task_id } = await res.json();
  for (let i = 0; i < 600; i++) {
    const t = await (await request.get(`${ORIGIN}/api/tasks/${task_id}`, { headers: auth })).json();
    if (t.state === 'succeeded') return t.result;
    if (t.state !== 'running') throw new Error(`import of ${path} ended ${t.state}: ${JSON.stringify(t.error)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`import of ${path} did not finish`);
}

export function dataFile(name: string): string {
  return join(DATA, name);
}

export function workFile(name: string): string {
  return join(WORK, name);
}
