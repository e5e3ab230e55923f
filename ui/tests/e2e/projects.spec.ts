import { expect, test } from '@playwright/test';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auth, openApp, ORIGIN, shot, workFile } from './helpers';

test('opening a folder that is not a project offers to make it one', async ({ page }) => {
  const folder = workFile('plain-folder');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'notes.txt'), 'keep me');

  await openApp(page);
  await page.getByTestId('home-link').click();
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByTestId('recent-project').first()).toBeVisible();
  await shot(page, 'welcome');

  await page.getByTestId('open-path').fill(folder);
  await page.getByTestId('open-button').click();
  const offer = page.getByTestId('not-a-project');
  await expect(offer).toContainText(folder);
  await shot(page, 'not-a-project');

  await page.getByTestId('make-project').click();
  await expect(page.getByTestId('project-name')).toHaveText('plain-folder');
  await expect(page.getByTestId('empty-state')).toBeVisible();
  expect(existsSync(join(folder, 'cairn.toml'))).toBe(true);
  expect(existsSync(join(folder, 'notes.txt'))).toBe(true);
  await shot(page, 'empty-project');
});

test('a missing folder is reported with its path', async ({ page }) => {
  await openApp(page, '#/');
  const path = workFile('does-not-exist');
  await page.getByTestId('open-path').fill(path);
  await page.getByTestId('open-button').click();
  const box = page.getByTestId('error-box');
  await expect(box).toHaveAttribute('data-code', 'FILE_NOT_FOUND');
  await expect(box).toContainText(path);
});

test('a project written by a newer Cairn is refused with the reason, and nothing is offered', async ({ page }) => {
  const folder = workFile('future-project');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'cairn.toml'), 'name = "From the future"\nformat = 99\ncreated_at = 1\n');
  await openApp(page, '#/');
  await page.getByTestId('open-path').fill(folder);
  await page.getByTestId('open-button').click();
  const box = page.getByTestId('error-box');
  await expect(box).toHaveAttribute('data-code', 'SCHEMA_TOO_NEW');
  await expect(box.getByTestId('error-hint')).not.toBeEmpty();
  await expect(page.getByTestId('make-project')).toHaveCount(0);
});

test('a recent project whose folder is gone is marked missing', async ({ page, request }) => {
  const folder = workFile('soon-gone');
  const made = await request.post(`${ORIGIN}/api/projects`, { headers: auth, data: { path: folder, name: 'Soon gone' } });
  expect(made.ok()).toBeTruthy();
  rmSync(folder, { recursive: true, force: true });
  await openApp(page, '#/');
  const row = page.getByTestId('recent-project').filter({ hasText: 'Soon gone' });
  await expect(row.getByTestId('missing-marker')).toHaveText('missing');
  await expect(row).toBeDisabled();
});

test('a recent project can be taken off the list; its folder stays, and opening it lists it again', async ({ page, request }) => {
  const folder = workFile('forget-me');
  const made = await request.post(`${ORIGIN}/api/projects`, { headers: auth, data: { path: folder, name: 'Forget me' } });
  expect(made.ok(), await made.text()).toBeTruthy();
  const { id: pid, path } = (await made.json()) as { id: string; path: string };
  writeFileSync(join(folder, 'notes.txt'), 'keep me');

  await openApp(page, '#/');
  const item = page.locator(`[data-testid=recent-item][data-path="${path}"]`);
  await expect(item).toBeVisible();
  const others = await page.getByTestId('recent-item').count();
  await shot(page, 'recent-remove-before');
  await item.getByTestId('recent-remove').click();
  await expect(item).toHaveCount(0);
  await expect(page.getByTestId('recent-item')).toHaveCount(others - 1);
  await shot(page, 'recent-remove-after');

  // Only the list changed: the folder and what is in it are untouched, and the server agrees after a reload.
  expect(existsSync(join(folder, 'cairn.toml'))).toBe(true);
  expect(existsSync(join(folder, 'notes.txt'))).toBe(true);
  const listed = await (await request.get(`${ORIGIN}/api/projects/recent`, { headers: auth })).json();
  expect(listed.map((r: { id: string }) => r.id)).not.toContain(pid);
  await page.reload();
  await expect(page.getByTestId('recent-item').first()).toBeVisible();
  await expect(item).toHaveCount(0);

  // Removing it again is refused by name; the UI would just show the list as it is.
  const again = await request.delete(`${ORIGIN}/api/projects/recent/${pid}`, { headers: auth });
  expect(again.status()).toBe(404);
  expect((await again.json()).code).toBe('PROJECT_NOT_FOUND');

  await page.getByTestId('open-path').fill(folder);
  await page.getByTestId('open-button').click();
  await expect(page.getByTestId('project-name')).toHaveText('Forget me');
  await page.getByTestId('home-link').click();
  await expect(item).toBeVisible();
});

test('a missing project can be taken off the list', async ({ page, request }) => {
  const folder = workFile('gone-for-good');
  const made = await request.post(`${ORIGIN}/api/projects`, { headers: auth, data: { path: folder, name: 'Gone for good' } });
  expect(made.ok()).toBeTruthy();
  const { path } = (await made.json()) as { path: string };
  rmSync(folder, { recursive: true, force: true });
  await openApp(page, '#/');
  const item = page.locator(`[data-testid=recent-item][data-path="${path}"]`);
  await expect(item.getByTestId('missing-marker')).toBeVisible();
  await item.getByTestId('recent-remove').click();
  await expect(item).toHaveCount(0);
});
