import { expect, test, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { ORIGIN, openApp, shot, workFile } from './helpers';

async function previewError(page: Page, path: string) {
  await page.getByTestId('import-path').fill(path);
  await page.getByTestId('import-preview-button').click();
  const box = page.getByTestId('import-dialog').getByTestId('error-box');
  await expect(box).toBeVisible();
  return box;
}

test('bad files give clear errors in the import dialog', async ({ page }) => {
  const missing = workFile('no/such/file.csv');
  const empty = workFile('empty.csv');
  const ragged = workFile('ragged.csv');
  writeFileSync(empty, '');
  writeFileSync(ragged, 'a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11\n');

  await openApp(page);
  await page.getByTestId('import-button').click();

  let box = await previewError(page, missing);
  await expect(box).toHaveAttribute('data-code', 'FILE_NOT_FOUND');
  await expect(box.getByTestId('error-message')).toContainText(missing);
  await expect(box.getByTestId('error-hint')).not.toBeEmpty();
  await shot(page, 'error-not-found');

  box = await previewError(page, empty);
  await expect(box).toHaveAttribute('data-code', 'EMPTY_FILE');
  await expect(box.getByTestId('error-message')).toContainText('empty');

  box = await previewError(page, ragged);
  await expect(box).toHaveAttribute('data-code', 'RAGGED_ROWS');
  await expect(box.getByTestId('error-message')).toContainText('line 4');
  await shot(page, 'error-ragged');

  // Escape closes the dialog.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('import-dialog')).toBeHidden();
});

test('the API refuses requests without the session token, and the app says how to get in', async ({ page, browser }) => {
  const res = await page.request.get(`${ORIGIN}/api/info`);
  expect(res.status()).toBe(401);
  expect((await res.json()).code).toBe('UNAUTHORIZED');

  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(`${ORIGIN}/`);
  await expect(p.getByTestId('unauthorized')).toContainText('cairn serve');
  await shot(p, 'unauthorized');
  await ctx.close();
});
