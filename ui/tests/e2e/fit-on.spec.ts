import { expect, test } from '@playwright/test';
import { auth, openApp, ORIGIN, projectId, shot } from './helpers';

// "Learned on the rows the user chooses": the flow's fit-on condition narrows what a fitting step learns
// from, and the preview shows the value it learned from those rows only.
test('a fitting step learns from the rows the user chooses', async ({ page, request }) => {
  const pid = await projectId(request);
  const datasets = await (await request.get(`${ORIGIN}/api/projects/${pid}/datasets`, { headers: auth })).json();
  const ds = datasets.find((d: { name: string }) => d.name === 'readmissions');
  await openApp(page, `#/p/${pid}/d/${ds.id}`);
  await page.getByTestId('wrangle-button').click();
  await expect(page.getByTestId('wrangle-page')).toBeVisible();

  await page.locator('[data-testid="col-header"][data-col="bmi"] button').click();
  await page.locator('[data-testid="menu-op"][data-op="fill_missing"]').click();
  const form = page.getByTestId('step-form');
  await form.getByTestId('param-strategy').getByRole('combobox').selectOption('mean');
  await form.getByTestId('form-submit').click();
  await expect(page.getByTestId('step-item')).toHaveCount(1);

  await expect(page.getByTestId('fit-on')).toContainText('every row');
  await page.getByTestId('fit-on-add').click();
  await page.getByTestId('fit-on-cond-add').click();
  await page.getByTestId('fit-on-cond-column').selectOption('age');
  await page.getByTestId('fit-on-cond-op').selectOption('ge');
  await page.getByTestId('fit-on-cond-value').fill('70');
  await page.getByTestId('fit-on-cond-value').blur();

  // The saved flow carries the condition.
  let name = '';
  await expect(async () => {
    const list = await (await request.get(`${ORIGIN}/api/projects/${pid}/flows`, { headers: auth })).json();
    name = list.find((f: { source: string }) => f.source.includes('readmissions')).name;
    const flow = await (await request.get(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(name)}`, { headers: auth })).json();
    expect(flow.fit_on).toEqual({ column: 'age', op: 'ge', value: 70 });
  }).toPass();
  await shot(page, 'wrangle-fit-on');

  // Run it: the mean it learned is the mean BMI of the patients aged 70 or more, computed here from the rows.
  const started = await (await request.post(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(name)}/run`, { headers: auth, data: {} })).json();
  await expect(async () => {
    const t = await (await request.get(`${ORIGIN}/api/tasks/${started.task_id}`, { headers: auth })).json();
    expect(t.state).toBe('succeeded');
  }).toPass({ timeout: 60_000 });
  const flow = await (await request.get(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(name)}`, { headers: auth })).json();
  const learned = flow.steps[0].fitted.values.bmi as number;
  let [sum, n, allSum, allN] = [0, 0, 0, 0];
  for (let offset = 0; offset < ds.rows; offset += 1000) {
    const page = await (await request.get(`${ORIGIN}/api/projects/${pid}/datasets/${ds.id}/rows?offset=${offset}&limit=1000`, { headers: auth })).json();
    const [age, bmi] = [page.columns.indexOf('age'), page.columns.indexOf('bmi')];
    for (const r of page.rows) {
      if (r[bmi] === null) continue;
      allSum += r[bmi];
      allN++;
      if (r[age] >= 70) {
        sum += r[bmi];
        n++;
      }
    }
  }
  expect(n).toBeGreaterThan(0);
  expect(Math.abs(learned - sum / n)).toBeLessThan(1e-6);
  expect(Math.abs(learned - allSum / allN)).toBeGreaterThan(1e-6);

  // Run it again fitted on other rows: a second version of the same output dataset. Its History tab lists
  // both, newest first, and shows the rows of the older one.
  const first = (await (await request.get(`${ORIGIN}/api/tasks/${started.task_id}`, { headers: auth })).json()).result.dataset;
  const refit = { ...flow, fit_on: { column: 'age', op: 'lt', value: 40 }, steps: flow.steps.map((st: object) => ({ ...st, fitted: null })) };
  expect((await request.put(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(name)}`, { headers: auth, data: refit })).ok()).toBeTruthy();
  const again = await (await request.post(`${ORIGIN}/api/projects/${pid}/flows/${encodeURIComponent(name)}/run`, { headers: auth, data: {} })).json();
  await expect(async () => {
    const t = await (await request.get(`${ORIGIN}/api/tasks/${again.task_id}`, { headers: auth })).json();
    expect(t.state).toBe('succeeded');
    expect(t.result.dataset.id).toBe(first.id);
    expect(t.result.dataset.version).not.toBe(first.version);
  }).toPass({ timeout: 60_000 });
  await openApp(page, `#/p/${pid}/d/${first.id}`);
  await page.getByTestId('tab-history').click();
  const versions = page.getByTestId('version');
  await expect(versions).toHaveCount(2);
  await expect(versions.nth(0)).toContainText('Version 2');
  await expect(versions.nth(0)).toContainText('current');
  await expect(versions.nth(1)).toContainText(`run of flow ${name}`);
  await versions.nth(1).click();
  await expect(page.getByText('Version 1, read-only')).toBeVisible();
  await expect(page.locator('[data-row="0"]')).toBeVisible();
  expect(page.url()).toContain(`?v=${first.version}`);
  await shot(page, 'dataset-history');
  await openApp(page, `#/p/${pid}/flows/${encodeURIComponent(name)}`);
  await expect(page.getByTestId('wrangle-page')).toBeVisible();

  // Rename it from its title: the page and the sidebar follow, and the old name is gone.
  await page.getByTestId('flow-title').click();
  await page.getByTestId('rename-input').fill('bmi by age');
  await page.getByTestId('rename-input').press('Enter');
  await expect(page.getByTestId('flow-title')).toHaveText('bmi by age');
  expect(decodeURIComponent(page.url())).toContain('/flows/bmi by age');
  await expect(page.getByTestId('sidebar-flows').getByTestId('flow-item')).toHaveText(/bmi by age/);
  await shot(page, 'wrangle-renamed');
  const renamed = await (await request.get(`${ORIGIN}/api/projects/${pid}/flows`, { headers: auth })).json();
  expect(renamed.map((f: { name: string }) => f.name)).toEqual(['bmi by age']);

  // Delete the flow from its page (the other specs share this project), then the dataset it made.
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('delete-flow').click();
  await expect(page.getByTestId('wrangle-page')).toHaveCount(0);
  await expect(page.getByTestId('sidebar-flows').getByTestId('flow-item')).toHaveCount(0);
  const after = await (await request.get(`${ORIGIN}/api/projects/${pid}/flows`, { headers: auth })).json();
  expect(after).toEqual([]);
  const made = (await (await request.get(`${ORIGIN}/api/projects/${pid}/datasets`, { headers: auth })).json()).filter((d: { name: string }) => d.name !== 'readmissions');
  for (const d of made) expect((await request.delete(`${ORIGIN}/api/projects/${pid}/datasets/${d.id}`, { headers: auth })).ok()).toBeTruthy();
});
