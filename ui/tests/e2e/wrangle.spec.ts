import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { auth, dataFile, openApp, ORIGIN, projectId, shot, workFile } from './helpers';

// The venv the flow tests make (crates/cairn-flow/tests/python-venv.sh), with the pinned polars.
const PYTHON = process.env.CAIRN_FLOW_PYTHON ?? `${homedir()}/.cache/cairn/venv-flow/bin/python`;

async function settled(page: Page): Promise<void> {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
}

/** Waits until the preview shows `n` steps applied and is not updating. */
async function previewAfter(page: Page, text: RegExp | string): Promise<void> {
  await expect(page.getByTestId('preview-stats')).toContainText(text);
  await expect(page.getByTestId('preview-stats')).not.toContainText('updating');
}

async function header(page: Page, column: string) {
  return page.locator(`[data-testid="col-header"][data-col="${column}"] button`);
}

/** Clicks a column's header and picks a step from its menu. */
async function fromHeader(page: Page, column: string, op: string): Promise<void> {
  await (await header(page, column)).click();
  await page.locator(`[data-testid="menu-op"][data-op="${op}"]`).click();
  await expect(page.getByTestId('step-form')).toHaveAttribute('data-op', op);
}

async function fromPalette(page: Page, op: string): Promise<void> {
  await page.getByTestId('add-step').click();
  await page.locator(`[data-testid="palette-op"][data-op="${op}"]`).click();
  await expect(page.getByTestId('step-form')).toHaveAttribute('data-op', op);
}

test('wrangling diabetic_data: the check path point-and-click, run to a dataset, and the exported script reproduces it', async ({ page, request }) => {
  test.setTimeout(300_000);
  const pid = await projectId(request);
  // Imported with `?` kept as text, so the flow itself says what is missing.
  const res = await request.post(`${ORIGIN}/api/projects/${pid}/imports`, {
    headers: auth,
    data: { path: dataFile('diabetic_data.csv'), options: { name: 'diabetic_raw', null_values: [''], overrides: [] } },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  const { task_id } = await res.json();
  let ds: { id: string; rows: number } | null = null;
  for (let i = 0; i < 600 && !ds; i++) {
    const t = await (await request.get(`${ORIGIN}/api/tasks/${task_id}`, { headers: auth })).json();
    if (t.state === 'succeeded') ds = t.result;
    else if (t.state !== 'running') throw new Error(JSON.stringify(t.error));
    else await new Promise((r) => setTimeout(r, 200));
  }
  expect(ds!.rows).toBe(101766);

  await openApp(page, `#/p/${pid}/d/${ds!.id}`);
  await page.getByTestId('wrangle-button').click();
  await expect(page.getByTestId('wrangle-page')).toBeVisible();
  await previewAfter(page, 'Source data');
  // The new flow is listed (other specs sharing the demo project may have flows of their own).
  await expect(page.getByTestId('sidebar-flows').getByTestId('flow-item').filter({ hasText: 'diabetic_raw' })).toHaveCount(1);

  // 1. `?` is missing.
  await fromPalette(page, 'mark_missing');
  await page.getByTestId('param-values').getByRole('textbox').fill('?');
  await page.getByTestId('form-submit').click();
  await previewAfter(page, 'After 1 step');
  await expect(page.locator('[data-testid="col-header"][data-col="race"]')).toHaveAttribute('data-change', 'changed');

  // 2. Drop weight and payer_code: from weight's header, then add payer_code in the form.
  await fromHeader(page, 'weight', 'drop');
  await page.getByTestId('param-columns').locator('[data-col="payer_code"]').click();
  await page.getByTestId('form-submit').click();
  await previewAfter(page, 'After 2 steps');
  await expect(page.getByTestId('removed-columns')).toContainText('weight');
  await expect(page.getByTestId('removed-columns')).toContainText('payer_code');
  await expect(page.getByTestId('cols-change')).toContainText('50 → 48');

  // 3. Impute race (the most common value, learned from the train rows).
  await fromHeader(page, 'race', 'fill_missing');
  await page.getByTestId('param-strategy').getByRole('combobox').selectOption('mode');
  await page.getByTestId('form-submit').click();
  await previewAfter(page, 'After 3 steps');

  // 4. One-hot admission_type_id.
  await fromHeader(page, 'admission_type_id', 'one_hot');
  await page.getByTestId('form-submit').click();
  await previewAfter(page, 'After 4 steps');
  await expect(page.locator('[data-testid="col-header"][data-col="admission_type_id_1"]')).toHaveAttribute('data-change', 'added');

  // 5. readmitted_30 = readmitted == "<30", with the condition builder.
  await fromPalette(page, 'derive');
  await page.getByTestId('param-name').getByRole('textbox').fill('readmitted_30');
  await page.getByTestId('cond-when-add').click();
  await page.getByTestId('cond-when-column').selectOption('readmitted');
  await page.getByTestId('cond-when-op').selectOption('eq');
  await page.getByTestId('cond-when-value').fill('<30');
  await page.getByTestId('form-submit').click();
  await previewAfter(page, 'After 5 steps');
  await expect(page.locator('[data-testid="col-header"][data-col="readmitted_30"]')).toHaveAttribute('data-change', 'added');

  // A step just added opens for editing (its params were once reactive proxies the form could not copy).
  await page.getByTestId('step-item').nth(4).getByTestId('step-edit').click();
  await expect(page.getByTestId('step-form')).toHaveAttribute('data-op', 'derive');
  await expect(page.getByTestId('param-name').getByRole('textbox')).toHaveValue('readmitted_30');
  await page.getByTestId('step-form').getByRole('button', { name: 'Cancel' }).click();

  // 6. Split 80/20 stratified, added last from readmitted_30's header: the split comes first, so it sees
  // the source's columns only; readmitted_30 is not offered, and a stratified split without a column is
  // refused next to the field instead of being added.
  await fromHeader(page, 'readmitted_30', 'split');
  await expect(page.getByTestId('form-note')).toContainText('It will be step 1');
  await page.getByTestId('param-kind').getByRole('combobox').selectOption('stratified');
  await expect(page.getByTestId('param-stratify').getByRole('combobox')).toHaveValue('');
  await page.getByTestId('form-submit').click();
  await expect(page.getByTestId('param-stratify').getByTestId('param-error')).toHaveText('choose a column');
  await expect(page.getByTestId('step-item')).toHaveCount(5);
  await page.getByTestId('param-stratify').getByRole('combobox').selectOption('readmitted');
  await expect(page.getByTestId('param-test_fraction').getByRole('spinbutton')).toHaveValue('0.2');
  await page.getByTestId('form-submit').click();
  await previewAfter(page, 'After 6 steps');
  await expect(page.getByTestId('step-item')).toHaveCount(6);
  await expect(page.getByTestId('step-item').first()).toHaveAttribute('data-op', 'split');
  await expect(page.getByTestId('step-item').first()).toHaveAttribute('data-pinned', 'true');
  await expect(page.getByTestId('step-item').first()).toContainText('80/20 stratified on readmitted');
  await expect(page.getByTestId('split-note')).toContainText('every step learns from the train rows only');
  await expect(page.locator('[data-testid="col-header"][data-col="split"]')).toHaveCount(1);
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  // The saved file has it first too.
  const flows = await (await request.get(`${ORIGIN}/api/projects/${pid}/flows`, { headers: auth })).json();
  const mine = flows.find((f: { name: string }) => f.name === 'diabetic_raw');
  const saved = await (await request.get(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(mine.name)}`, { headers: auth })).json();
  expect(saved.steps.map((st: { op: string }) => st.op)).toEqual(['split', 'mark_missing', 'drop', 'fill_missing', 'one_hot', 'derive']);
  await settled(page);
  await shot(page, 'wrangle-split-first');
  // Nothing moves above the split, and the split does not move down.
  await expect(page.getByTestId('step-item').nth(0).getByTestId('step-up')).toBeDisabled();
  await expect(page.getByTestId('step-item').nth(0).getByTestId('step-down')).toBeDisabled();
  await expect(page.getByTestId('step-item').nth(1).getByTestId('step-up')).toBeDisabled();
  await expect(page.getByTestId('step-item').nth(2).getByTestId('step-up')).toBeEnabled();
  // Asking for a second split opens the one there is.
  await page.getByTestId('add-step').click();
  await page.locator('[data-testid="palette-op"][data-op="split"]').click();
  await expect(page.getByTestId('tab-steps')).toHaveText('Edit step 1');
  await expect(page.getByTestId('form-note')).toContainText('A flow has one split');
  await page.getByTestId('step-form').getByRole('button', { name: 'Cancel' }).click();

  // 7. Drop the raw readmitted; moved above the step that reads it, that step fails, named in the words
  // of its form; the steps before still preview.
  await fromHeader(page, 'readmitted', 'drop');
  await page.getByTestId('form-submit').click();
  await previewAfter(page, 'After 7 steps');
  await page.getByTestId('step-item').nth(6).getByTestId('step-up').click();
  await expect(page.locator('[data-testid="step-item"][data-failed="true"]')).toHaveCount(1);
  await expect(page.getByTestId('step-error')).toContainText('“True when” names column "readmitted"');
  await expect(page.getByTestId('step-error')).not.toContainText('parameter');
  await expect(page.getByTestId('preview-failure')).toContainText('Step 7 fails; showing the data after step 6');
  await settled(page);
  await shot(page, 'wrangle-failing-step');
  // Undo (keyboard) puts it back; redo and undo again with the buttons.
  await page.getByTestId('preview-stats').click();
  await page.keyboard.press('Control+z');
  await expect(page.locator('[data-testid="step-item"][data-failed="true"]')).toHaveCount(0);
  await page.getByTestId('redo').click();
  await expect(page.locator('[data-testid="step-item"][data-failed="true"]')).toHaveCount(1);
  await page.getByTestId('undo').click();
  await expect(page.locator('[data-testid="step-item"][data-failed="true"]')).toHaveCount(0);
  await expect(page.getByTestId('step-item').nth(6)).toHaveAttribute('data-op', 'drop');
  // The target stays for the charts and the output: step 7 goes.
  await page.getByTestId('step-item').nth(6).getByTestId('step-delete').click();
  await previewAfter(page, 'After 6 steps');

  // Charts beside the grid.
  await page.getByTestId('tab-charts').click();
  await page.getByTestId('chart-kind-histogram').click();
  await page.getByTestId('chart-x').selectOption('num_lab_procedures');
  await expect(page.getByTestId('charts-panel').getByTestId('chart')).toBeVisible();
  await page.getByTestId('chart-kind-box').click();
  await page.getByTestId('chart-y').selectOption('readmitted');
  await expect(page.getByTestId('charts-panel').getByTestId('chart')).toBeVisible();
  await expect(page.getByTestId('chart-error')).toHaveCount(0);
  await settled(page);
  await shot(page, 'wrangle');

  // Run on every row: a new dataset with lineage.
  await page.getByTestId('run-flow').click();
  await page.getByTestId('run-csv').fill('exports/diabetic_prepared.csv');
  await page.getByTestId('run-start').click();
  await expect(page.getByTestId('run-result')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('run-result')).toContainText('101,766');
  await expect(page.getByTestId('run-history-link')).toHaveAttribute('href', /\/history$/);
  await shot(page, 'wrangle-run-result');
  const outName = (await page.getByTestId('run-dataset-link').textContent())!.trim();
  await page.getByTestId('run-close').click();
  const datasets = await (await request.get(`${ORIGIN}/api/projects/${pid}/datasets`, { headers: auth })).json();
  const out = datasets.find((d: { name: string }) => d.name === outName);
  expect(out.rows).toBe(101766);
  expect(out.source.path).toMatch(/\.cairn\/artifacts\/flows\/.+\.parquet$/);

  // Export Python, run it with Python polars, and compare its frame with Cairn's output.
  await page.getByTestId('export-python').click();
  const script = (await page.getByTestId('python-script').textContent())!;
  expect(script).toContain('import polars as pl');
  // It reads the file the dataset was imported from, named at the top, not Cairn's internal copy.
  expect(script).toContain(`SOURCES = {\n    "diabetic_raw": ${JSON.stringify(dataFile('diabetic_data.csv'))},`);
  expect(script).not.toContain('.cairn/artifacts');
  const py = workFile('wrangle_diabetic.py');
  writeFileSync(py, script);
  const theirs = workFile('wrangle_diabetic.python.parquet');
  const ran = spawnSync(PYTHON, [py, theirs], { encoding: 'utf8', timeout: 180_000 });
  expect(ran.status, ran.stderr).toBe(0);
  const compare = spawnSync(
    PYTHON,
    [
      '-c',
      `import sys, polars as pl
from polars.testing import assert_frame_equal
ours = pl.read_parquet(sys.argv[1]); theirs = pl.read_parquet(sys.argv[2])
assert_frame_equal(ours, theirs, check_exact=False)
assert "weight" not in ours.columns and "payer_code" not in ours.columns
assert ours["race"].null_count() == 0
assert abs(ours["split"].value_counts().filter(pl.col("split") == "test")["count"][0] / ours.height - 0.2) < 1e-3
print("same", ours.shape)`,
      out.source.path,
      theirs,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(compare.status, compare.stdout + compare.stderr).toBe(0);
  expect(compare.stdout).toContain('same (101766,');
});
