import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auth, importViaApi, openApp, ORIGIN, projectId, shot, TMP } from './helpers';

/**
 * A table the product was not designed on, as a new user brings it: a customer id, blanks in a numeric
 * column, a few hundred cities, a constant column, a churn target. A flow adds "fill missing (median)"
 * and then the split (it lands first); training its output honours the split and says which rows train
 * and which test, and which columns it leaves out and why.
 */
function churnCsv(): string {
  const lines = ['customer_id,tenure,monthly,city,plan,country,churn'];
  for (let i = 0; i < 1200; i++) {
    const tenure = i % 9 === 0 ? ' ' : String(1 + ((i * 37) % 72));
    const monthly = (20 + ((i * 53) % 90) + (i % 7) * 0.5).toFixed(2);
    const city = `City ${(i * 7919) % 320}`;
    const plan = ['basic', 'plus', 'pro'][i % 3];
    const churn = ((i * 37) % 72 < 12 && i % 3 !== 2) || i % 11 === 0 ? 'yes' : 'no';
    lines.push(`C${100000 + i},${tenure},${monthly},${city},${plan},FR,${churn}`);
  }
  return lines.join('\n') + '\n';
}

async function waitTask(request: import('@playwright/test').APIRequestContext, id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const t = await (await request.get(`${ORIGIN}/api/tasks/${id}`, { headers: auth })).json();
    if (t.state === 'succeeded') return t.result;
    if (t.state !== 'running') throw new Error(`task ended ${t.state}: ${JSON.stringify(t.error)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('task did not finish');
}

test('training a flow output honours its split and says what it leaves out and why', async ({ page, request }) => {
  const pid = await projectId(request);
  const file = join(TMP, 'churn.csv');
  writeFileSync(file, churnCsv());
  const raw = await importViaApi(request, file, 'churn');
  expect(raw.rows).toBe(1200);

  // A flow with the median before the split, as a user may add them; the split is moved first.
  const name = 'churn prep';
  const created = await request.post(`${ORIGIN}/api/projects/${pid}/flows`, { headers: auth, data: { name, dataset: 'churn' } });
  expect(created.ok(), await created.text()).toBeTruthy();
  const flow = await created.json();
  flow.steps = [
    { op: 'fill_missing', version: 1, params: { columns: ['tenure'], strategy: 'median' }, fitted: null, enabled: true },
    { op: 'split', version: 1, params: { kind: 'stratified', stratify: 'churn', test_fraction: 0.25, seed: 3 }, fitted: null, enabled: true },
  ];
  const saved = await request.put(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(name)}`, { headers: auth, data: flow });
  expect(saved.ok(), await saved.text()).toBeTruthy();
  expect((await saved.json()).steps[0].op).toBe('split');
  const run = await (await request.post(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(name)}/run`, { headers: auth, data: { dataset_name: 'churn prepared' } })).json();
  const result = await waitTask(request, run.task_id);
  const did = (result.dataset as { id: string }).id;

  // What the server says it will do; the dialog must show the same.
  const check = await (
    await request.post(`${ORIGIN}/api/projects/${pid}/train/check`, {
      headers: auth,
      data: { dataset: did, target: 'churn', model: 'gbm', params: {}, validation: { kind: 'auto' }, seed: 42 },
    })
  ).json();
  const [trainRows, testRows] = [check.rows.train_rows as number, check.rows.test_rows as number];
  expect(trainRows + testRows).toBe(1200);
  expect(Math.abs(testRows - 300)).toBeLessThanOrEqual(2);

  await openApp(page, `#/p/${pid}/runs`);
  await page.getByTestId('train-button').click();
  const dialog = page.getByTestId('train-dialog');
  await dialog.getByTestId('train-dataset').selectOption(did);
  await dialog.getByTestId('train-target').selectOption('churn');
  // The data's split is the default, with the rows it trains and tests on.
  await expect(dialog.getByTestId('train-split')).toBeChecked();
  await expect(dialog.getByTestId('train-rows')).toContainText("rows marked train in column 'split'");
  await expect(dialog.getByTestId('train-rows')).toContainText(`${testRows} marked test`);
  // Left out by default, each with why: the id, the constant country, the split column.
  const left = dialog.getByTestId('train-left-out');
  await expect(left.locator('li[data-col="customer_id"]')).toContainText('an identifier');
  await expect(left.locator('li[data-col="country"]')).toContainText("one value ('FR')");
  await expect(left.locator('li[data-col="split"]')).toContainText('marks which rows train');
  await expect(dialog.getByTestId('train-features-summary')).toHaveText('4 columns, 3 left out');
  await shot(page, 'train-dialog-split');

  // Bad values first: a hold-out of 0 %, and no features at all.
  await dialog.getByTestId('train-holdout').check();
  await expect(dialog.getByTestId('train-rows')).toContainText(`of the ${trainRows} rows marked train`);
  await dialog.getByTestId('train-test-pct').fill('0');
  await dialog.getByTestId('train-submit').click();
  await expect(dialog.getByText('Test share must be between 1% and 90%')).toBeVisible();
  await dialog.getByTestId('train-split').check();
  await dialog.getByTestId('train-features-toggle').click();
  await dialog.getByRole('button', { name: 'None' }).click();
  await dialog.getByTestId('train-submit').click();
  await expect(dialog.getByText('Choose at least one feature column')).toBeVisible();
  await dialog.getByRole('button', { name: 'Default' }).click();

  await dialog.getByTestId('train-model').selectOption('gbm');
  await dialog.getByTestId('train-run-name').fill('churn on its split');
  await dialog.getByTestId('train-submit').click();
  await expect(page).toHaveURL(/\/r\/[0-9a-f]+$/);
  const rid = page.url().split('/r/')[1];
  let evaluation: Record<string, unknown> = {};
  await expect
    .poll(async () => {
      const res = await request.get(`${ORIGIN}/api/projects/${pid}/runs/${rid}/evaluation`, { headers: auth });
      if (!res.ok()) return 'pending';
      evaluation = await res.json();
      return 'done';
    }, { timeout: 60_000 })
    .toBe('done');
  expect(evaluation.train_rows).toBe(trainRows);
  expect(evaluation.test_rows).toBe(testRows);
  expect((evaluation.rows as { kind: string }).kind).toBe('split');
  const leftOut = (evaluation.left_out as { column: string }[]).map((l) => l.column).sort();
  expect(leftOut).toEqual(['country', 'customer_id', 'split']);
  // The run page says the same: which rows trained and tested, and which columns were left out and why.
  await expect(page.getByTestId('run-rows')).toContainText(`${testRows} marked test`, { timeout: 30_000 });
  await expect(page.getByTestId('run-left-out').locator('li[data-col="customer_id"]')).toContainText('an identifier');
  await shot(page, 'run-rows-left-out');
  const runInfo = await (await request.get(`${ORIGIN}/api/projects/${pid}/runs/${rid}`, { headers: auth })).json();
  const params = Object.fromEntries(runInfo.data.params.map((p: { key: string; value: string }) => [p.key, p.value]));
  expect(params.validation).toBe('split');
  expect(params.split_column).toBe('split');

  // What this spec made goes, so the specs after it see the demo project as they expect.
  expect((await request.delete(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(name)}`, { headers: auth })).ok()).toBeTruthy();
  for (const id of [did, raw.id]) {
    expect((await request.delete(`${ORIGIN}/api/projects/${pid}/datasets/${id}`, { headers: auth })).ok()).toBeTruthy();
  }
});
