import { expect, test, type Page } from '@playwright/test';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auth, importViaApi, openApp, ORIGIN, projectId, shot, workFile } from './helpers';

/** The demo project the server serves (global-setup made it). */
const PROJECT = process.env.CAIRN_E2E_DEMO ?? '';

/** Every file under `dir`, relative to it (an absent folder has none). */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

async function openImport(page: Page) {
  await openApp(page);
  await page.getByTestId('import-button').click();
}

async function previewPath(page: Page, path: string) {
  await openImport(page);
  await page.getByTestId('import-path').fill(path);
  await page.getByTestId('import-preview-button').click();
}

const detected = (page: Page, column: string) => page.locator(`[data-testid=preview-column][data-column="${column}"] td`).nth(1);

test('blank cells are missing: a numeric column stays numeric, the dialog counts them, Detected follows the markers', async ({ page }) => {
  // A BOM, blanks written as nothing, one space and several, a dash placeholder, and 300 categories.
  const rows = ['\ufeffid,score,dose,clinic'];
  for (let i = 1; i <= 600; i++) {
    const score = i % 50 === 3 ? ' ' : i % 50 === 17 ? '   ' : i % 50 === 29 ? '' : String(i % 90);
    const dose = i % 40 === 5 ? '-' : `${i % 12}.5`;
    rows.push(`${i},${score},${dose},clinic-${i % 300}`);
  }
  const file = workFile('blank_scores.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  await previewPath(page, file);

  // 36 score cells of the 600 are blank: 12 empty, 12 of one space, 12 of three.
  const blanks = page.getByTestId('import-blanks');
  await expect(blanks).toContainText('36 blank cells');
  await expect(blanks).toContainText('score 36');
  await expect(page.locator('[data-testid=null-chip][data-value=""]')).toHaveClass(/seen/);
  await expect(page.locator('[data-testid=null-chip][data-value=""]')).toContainText('blank');
  await page.getByTestId('tab-columns').click();
  await expect(page.getByTestId('preview-column')).toHaveCount(4);
  await expect(detected(page, 'id')).toContainText('int');
  await expect(detected(page, 'score')).toContainText('int');
  await expect(page.locator('[data-testid=preview-column][data-column=score] [data-testid=preview-missing]')).toContainText('36 of 600, 36 blank');
  await expect(detected(page, 'dose')).toContainText('string');
  await expect(detected(page, 'clinic')).toContainText('string');
  await shot(page, 'import-blanks');

  // Adding the dash as a missing marker makes dose numeric: what is detected follows the markers.
  await page.getByTestId('null-add').fill('-');
  await page.getByTestId('null-add').press('Enter');
  await expect(detected(page, 'dose')).toContainText('float');
  await expect(page.locator('[data-testid=preview-column][data-column=dose] [data-testid=type-select]')).toHaveValue('float');
  await expect(page.locator('[data-testid=null-chip][data-value="-"]')).toHaveClass(/seen/);
  // A single space is a marker one can add, and it shows.
  await page.getByTestId('null-add').fill(' ');
  await page.getByTestId('null-add').press('Enter');
  await expect(page.locator('[data-testid=null-chip][data-value=" "]')).toContainText('␣');
  await shot(page, 'import-blanks-markers');

  await page.getByTestId('import-name').fill('blank_scores');
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('row-count')).toContainText('600 rows', { timeout: 60_000 });
  await expect(page.locator('[data-testid=col-header][data-column=score] [data-testid=col-missing]')).toHaveText('6.0% missing');
  await expect(page.locator('[data-testid=col-header][data-column=dose] [data-testid=col-missing]')).toHaveText('2.5% missing');
  await shot(page, 'import-blanks-grid');
});

test('a failed preview keeps the format, delimiter and quote in reach, and no hint names a command-line flag', async ({ page }) => {
  // Inch marks open a "quoted" field that never closes properly: with the sniffed quote the file cannot be read.
  const file = workFile('inches.csv');
  writeFileSync(file, 'size;label\n"5 inch;small\n"6 inch;medium\n"9 inch;large\n');
  await previewPath(page, file);
  const box = page.getByTestId('import-dialog').getByTestId('error-box');
  await expect(box).toBeVisible();
  await expect(box).not.toContainText('--');
  const retry = page.getByTestId('import-retry');
  await expect(retry.getByTestId('import-format')).toBeVisible();
  await expect(retry.getByTestId('import-encoding')).toBeVisible();
  await expect(retry.getByTestId('import-delimiter')).toBeVisible();
  await expect(retry.getByTestId('import-quote')).toBeVisible();
  await shot(page, 'import-preview-failed');

  // No quote character: the file reads, with the delimiter sniffed, and the dialog moves on to its preview.
  await retry.getByTestId('import-quote').selectOption('');
  await expect(page.getByTestId('sample-table')).toContainText('"5 inch');
  await expect(page.getByTestId('import-delimiter')).toHaveValue(';');
  await expect(page.getByTestId('import-dialog').getByTestId('error-box')).toBeHidden();
  await shot(page, 'import-preview-recovered');

  // A type the values do not fit: the hint offers the value as a missing marker, in the dialog's words.
  const typed = workFile('typed.csv');
  writeFileSync(typed, 'n,x\n1,a\nn/a,b\n3,c\n');
  await page.getByTestId('import-change-file').click();
  await page.getByTestId('import-path').fill(typed);
  await page.getByTestId('import-preview-button').click();
  await page.getByTestId('tab-columns').click();
  await page.locator('[data-testid=preview-column][data-column=n] [data-testid=type-select]').selectOption('int');
  const err = page.getByTestId('import-dialog').getByTestId('error-box');
  await expect(err).toHaveAttribute('data-code', 'TYPE_MISMATCH');
  await expect(err.getByTestId('error-hint')).toContainText('if "n/a" stands for a missing value, add it to Read as missing');
  await expect(err).not.toContainText('--');
  await shot(page, 'import-type-error');
});

test('an upload the import refuses leaves nothing in the project', async ({ page }) => {
  expect(PROJECT, 'global-setup sets CAIRN_E2E_DEMO').not.toBe('');
  const data = join(PROJECT, 'data');
  const before = files(data);
  const png = workFile('scan.csv');
  writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
  await openImport(page);
  await page.getByTestId('import-file-input').setInputFiles(png);
  const box = page.getByTestId('import-dialog').getByTestId('error-box');
  await expect(box).toHaveAttribute('data-code', 'WRONG_FORMAT');
  await expect(box).toContainText('PNG');
  await expect(page.getByTestId('import-retry').getByTestId('import-format')).toBeVisible();
  await shot(page, 'import-upload-refused');
  // While the dialog is open the upload waits outside the data folder.
  expect(files(data)).toEqual(before);
  expect(files(join(PROJECT, '.cairn', 'uploads'))).toHaveLength(1);

  // Another file chosen: the first upload goes. Closed: the second goes too.
  const empty = workFile('empty_upload.csv');
  writeFileSync(empty, '');
  await page.getByTestId('import-file-input').setInputFiles(empty);
  await expect(box).toHaveAttribute('data-code', 'EMPTY_FILE');
  // No reading option cures an empty file: the options are not offered.
  await expect(page.getByTestId('import-retry')).toBeHidden();
  await expect.poll(() => files(join(PROJECT, '.cairn', 'uploads'))).toHaveLength(1);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('import-dialog')).toBeHidden();
  await expect.poll(() => files(join(PROJECT, '.cairn', 'uploads'))).toEqual([]);
  expect(files(data)).toEqual(before);

  // An upload that is imported joins the data folder.
  const good = workFile('good_upload.csv');
  writeFileSync(good, 'a,b\n1,x\n2,y\n');
  await openImport(page);
  await page.getByTestId('import-file-input').setInputFiles(good);
  await expect(page.getByTestId('import-file')).toContainText("joins the project's data folder once imported");
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('row-count')).toContainText('2 rows');
  expect(files(data)).toEqual([...before, 'good_upload.csv'].sort());
  expect(files(join(PROJECT, '.cairn', 'uploads'))).toEqual([]);
});

test('insights flags a numeric column that placeholders kept as text, and says which', async ({ page, request }) => {
  const rows = ['id,dose,outcome'];
  for (let i = 1; i <= 400; i++) rows.push(`${i},${i % 25 === 4 ? 'n/a' : i % 25 === 9 ? '-' : (i % 13) + 0.5},${i % 3 === 0 ? 'yes' : 'no'}`);
  const file = workFile('doses.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const ds = await importViaApi(request, file, 'doses');
  const pid = await projectId(request);
  await openApp(page, `#/p/${pid}/d/${ds.id}/insights`);
  await page.getByTestId('insights-target').selectOption('outcome');
  await page.getByTestId('insights-run').click();
  const dose = page.getByTestId('flagged-dose');
  await expect(dose).toContainText('numbers as text', { timeout: 60_000 });
  await expect(dose).toContainText("'-' (16), 'n/a' (16)");
  await expect(dose).toContainText('Read as missing');
  await expect(page.getByTestId('insights-summary')).toContainText('Numbers stored as text: dose');
  await shot(page, 'insights-numbers-as-text');
});

test('Treat values as missing takes a single space, written in quotes', async ({ page, request }) => {
  const pid = await projectId(request);
  const file = workFile('spaced.csv');
  writeFileSync(file, 'id,note\n1,ok\n2, \n3,fine\n4, \n');
  // Imported without the blank marker, so the cells of one space are kept as text for the flow to mark.
  const res = await request.post(`${ORIGIN}/api/projects/${pid}/imports`, { headers: auth, data: { path: file, options: { name: 'spaced', null_values: ['?'], overrides: [] } } });
  expect(res.ok(), await res.text()).toBeTruthy();
  const { task_id } = await res.json();
  let ds: { id: string } | null = null;
  for (let i = 0; i < 300 && !ds; i++) {
    const t = await (await request.get(`${ORIGIN}/api/tasks/${task_id}`, { headers: auth })).json();
    if (t.state === 'succeeded') ds = t.result;
    else if (t.state !== 'running') throw new Error(JSON.stringify(t.error));
    else await new Promise((r) => setTimeout(r, 100));
  }
  await openApp(page, `#/p/${pid}/d/${ds!.id}`);
  await page.getByTestId('wrangle-button').click();
  await expect(page.getByTestId('wrangle-page')).toBeVisible();
  await page.getByTestId('add-step').click();
  await page.locator('[data-testid="palette-op"][data-op="mark_missing"]').click();
  await page.getByTestId('param-values').getByRole('textbox').fill('" "');
  await page.getByTestId('form-submit').click();
  await expect(page.getByTestId('preview-stats')).toContainText('After 1 step');
  await expect(page.locator('[data-testid="col-header"][data-col="note"]')).toHaveAttribute('data-change', 'changed');
  await expect(page.getByTestId('preview-table').locator('td.null')).toHaveCount(2);
  await shot(page, 'wrangle-space-marker');
  // What this test made goes (the flow the Wrangle button made, once saved, and the dataset), so the specs
  // after it see the demo project as they expect.
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  expect((await request.delete(`${ORIGIN}/api/projects/${pid}/flows/spaced`, { headers: auth })).ok()).toBeTruthy();
  expect((await request.delete(`${ORIGIN}/api/projects/${pid}/datasets/${ds!.id}`, { headers: auth })).ok()).toBeTruthy();
});
