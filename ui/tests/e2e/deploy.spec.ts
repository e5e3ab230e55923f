import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { auth, dataFile, importViaApi, openApp, ORIGIN, projectId, shot } from './helpers';

const GROUP = 'adult-income';
const ENDPOINT = 'adult-api';

/** Trains a GBM on adult through the API and waits for its job: setup for the registry, not under test. */
async function trainGbm(request: APIRequestContext, pid: string, dataset: string, params: Record<string, string> = {}): Promise<string> {
  const res = await request.post(`${ORIGIN}/api/projects/${pid}/train`, {
    headers: auth,
    data: { dataset, target: 'class', model: 'gbm', params, validation: { kind: 'holdout', test_fraction: 0.2 }, seed: 7, experiment: 'deploy-e2e' },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  const { run_id, job_id } = await res.json();
  await expect
    .poll(async () => (await (await request.get(`${ORIGIN}/api/projects/${pid}/jobs/${job_id}`, { headers: auth })).json()).state, { timeout: 120_000 })
    .toBe('succeeded');
  return run_id as string;
}

/** The open dialog (one at a time). */
const dialog = (page: Page, id: string) => page.getByTestId(id);

test('a trained model is registered, reviewed, aliased, deployed, called and stopped from the studio', async ({ page, request }) => {
  test.setTimeout(300_000);
  const pid = await projectId(request);
  const adult = await importViaApi(request, dataFile('adult.csv'), 'adult_deploy');
  const first = await trainGbm(request, pid, adult.id);
  const second = await trainGbm(request, pid, adult.id, { iterations: '40' });

  await test.step('empty pages say what to do first', async () => {
    await openApp(page, `#/p/${pid}`);
    await page.getByTestId('models-link').click();
    await expect(page.getByTestId('models-empty')).toContainText('Register model…');
    await shot(page, 'deploy-models-empty');
    await page.getByTestId('endpoints-link').click();
    await expect(page.getByTestId('endpoints-empty')).toContainText('GROUP@VERSION');
  });

  await test.step('the run page registers its model; a bad group name is named in the form', async () => {
    await openApp(page, `#/p/${pid}/r/${first}`);
    await expect(page.getByTestId('download-model')).toHaveAttribute('href', /model\.cairn/);
    await page.getByTestId('register-model').click();
    const d = dialog(page, 'register-dialog');
    await d.getByTestId('register-group').fill('adult/income');
    await d.getByTestId('register-submit').click();
    await expect(d.getByTestId('register-invalid')).toContainText('cannot contain');
    await d.getByTestId('register-group').fill(GROUP);
    await expect(d.getByTestId('register-next')).toContainText('a new group; this model becomes its v1');
    await d.getByTestId('register-description').fill('GBM on adult.csv, 80/20 holdout');
    await d.getByTestId('register-intended').fill('Ranks census records by income band for the e2e test. Not for decisions about people.');
    await shot(page, 'deploy-register');
    await d.getByTestId('register-submit').click();
    await expect(d.getByTestId('register-done')).toContainText(`${GROUP} v1`);
    await d.getByTestId('register-open').click();
    await expect(page).toHaveURL(new RegExp(`#/p/[^/]+/models/${GROUP}\\?v=1$`));
  });

  await test.step('the Models page shows the version pending, with its card and lineage', async () => {
    await expect(page.getByTestId('models-link')).toHaveAttribute('aria-current', 'page');
    const row = page.locator('[data-testid=version-row][data-version="1"]');
    await expect(row).toHaveAttribute('data-status', 'PendingManualApproval');
    await expect(row).toContainText(/roc_auc 0\.9/);
    const panel = page.getByTestId('version-panel');
    await expect(panel.getByTestId('intended-use')).toHaveValue(/Ranks census records/);
    await expect(panel.getByTestId('card-dataset')).toHaveText('adult_deploy');
    await expect(panel.getByTestId('card-digest')).toContainText(/[0-9a-f]{12}/);
    await expect(panel.getByTestId('card-metrics-table')).toContainText('roc_auc');
    await expect(panel.getByTestId('card-run')).toBeVisible();
    await expect(panel.getByTestId('card-features')).toContainText('14 features');

    // The intended use is edited in place; the edit is part of the version's history.
    await panel.getByTestId('intended-use').fill('Ranks census records by income band. Not for decisions about people.');
    await panel.getByTestId('intended-save').click();
    await expect(panel.getByTestId('intended-save')).toBeHidden();
    await expect(panel.getByTestId('version-history')).toContainText('v1 intended use edited');
  });

  await test.step('rejecting needs a reason; approving records who and why', async () => {
    await page.getByTestId('reject').click();
    const d = dialog(page, 'approval-dialog');
    await d.getByTestId('approval-submit').click();
    await expect(d.getByTestId('approval-invalid')).toContainText('Say why');
    await d.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('approve').click();
    await dialog(page, 'approval-dialog').getByTestId('approval-reason').fill('holdout AUC above 0.9');
    await dialog(page, 'approval-dialog').getByTestId('approval-submit').click();
    await expect(dialog(page, 'approval-dialog')).toBeHidden();
    await expect(page.locator('[data-testid=version-row][data-version="1"]')).toHaveAttribute('data-status', 'Approved');
    await expect(page.getByTestId('approval-reason-shown')).toHaveText('holdout AUC above 0.9');
    await expect(page.getByTestId('approve')).toBeDisabled();
  });

  await test.step('an alias is checked, set, and written in the history', async () => {
    await page.getByTestId('set-alias').click();
    const d = dialog(page, 'alias-dialog');
    await d.getByTestId('alias-name').fill('v1');
    await d.getByTestId('alias-submit').click();
    await expect(d.getByTestId('alias-invalid')).toContainText('reserved');
    await d.getByTestId('alias-name').fill('champion');
    await d.getByTestId('alias-submit').click();
    await expect(d).toBeHidden();
    await expect(page.getByTestId('version-alias')).toHaveText('@champion');
    await expect(page.getByTestId('group-history').getByTestId('history-event').first()).toContainText('alias champion set on v1');
    await expect(page.getByTestId('version-history')).toContainText('Pending approval → Approved');
    await expect(page.getByTestId('version-history')).toContainText('holdout AUC above 0.9');
    await shot(page, 'deploy-models');
  });

  await test.step('a second version: approving what someone else approved meanwhile shows the server’s 409', async () => {
    const res = await request.post(`${ORIGIN}/api/projects/${pid}/models`, { headers: auth, data: { run_id: second, model: GROUP } });
    expect(res.ok(), await res.text()).toBeTruthy();
    await page.goto(`${ORIGIN}/?token=${process.env.CAIRN_E2E_TOKEN}#/p/${pid}/models/${GROUP}?v=2`);
    await expect(page.getByTestId('version-panel')).toHaveAttribute('data-version', '2');
    await page.getByTestId('approve').click();
    const other = await request.post(`${ORIGIN}/api/projects/${pid}/models/${GROUP}/versions/2/approval`, { headers: auth, data: { status: 'Approved', actor: 'someone-else' } });
    expect(other.ok(), await other.text()).toBeTruthy();
    const d = dialog(page, 'approval-dialog');
    await d.getByTestId('approval-submit').click();
    await expect(d.getByTestId('error-box')).toHaveAttribute('data-code', 'INVALID_TRANSITION');
    await shot(page, 'deploy-approve-409');
    await d.getByRole('button', { name: 'Cancel' }).click();
  });

  await test.step('two versions side by side', async () => {
    await page.getByTestId('compare').click();
    const d = dialog(page, 'compare-dialog');
    await expect(d.getByTestId('compare-table')).toBeVisible();
    await expect(d.getByTestId('compare-same-data')).toHaveText('same data');
    await expect(d.locator('[data-testid=compare-param][data-key=iterations]')).toContainText('40');
    await expect(d.locator('[data-testid=compare-metric][data-key=roc_auc]')).toBeVisible();
    await shot(page, 'deploy-compare');
    await page.keyboard.press('Escape');
    await expect(d).toBeHidden();
  });

  await test.step('batch prediction over the dataset: the form checks, the job starts and is linked', async () => {
    await page.getByTestId('batch-predict').click();
    const d = dialog(page, 'batch-dialog');
    await d.getByTestId('batch-out').fill('');
    await d.getByTestId('batch-columns').fill('*, age');
    await d.getByTestId('batch-submit').click();
    await expect(d.getByRole('alert')).toHaveCount(2);
    await expect(d).toContainText('Say where the predictions go');
    await expect(d).toContainText('give it alone');
    await shot(page, 'deploy-batch-form');
    await d.getByTestId('batch-dataset').selectOption('adult_deploy');
    await d.getByTestId('batch-out').fill('predictions/adult-e2e.csv');
    await d.getByTestId('batch-columns').fill('age, education');
    await d.getByTestId('batch-submit').click();
    await expect(d.getByTestId('batch-started')).toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });
    await expect(d.getByTestId('batch-result')).toContainText('rows scored');
    await shot(page, 'deploy-batch');
    await d.getByTestId('batch-job-link').click();
    await expect(page.getByTestId('jobs-view')).toBeVisible();
    await expect(page).toHaveURL(/jobs\?job=/);
  });

  await test.step('the deploy dialog names each bad value, and shows the server’s refusal of an unknown model', async () => {
    await openApp(page, `#/p/${pid}/models/${GROUP}?v=1`);
    await page.getByTestId('deploy').click();
    const d = dialog(page, 'deploy-dialog');
    await expect(d.getByTestId('deploy-model')).toHaveValue(`${GROUP}@1`);
    await d.getByTestId('deploy-name').fill('bad name!');
    await d.getByTestId('deploy-weight').fill('0');
    await d.getByTestId('deploy-capture').fill('150');
    await d.getByTestId('deploy-submit').click();
    await expect(d.getByTestId('deploy-error-name')).toContainText('not spaces, “!”');
    await expect(d.getByTestId('deploy-error-weight')).toContainText('above 0');
    await expect(d.getByTestId('deploy-error-capture')).toContainText('0 to 100');
    await shot(page, 'deploy-dialog-errors');
    await d.getByTestId('deploy-name').fill('');
    await d.getByTestId('deploy-submit').click();
    await expect(d.getByTestId('deploy-error-name')).toContainText('Name the endpoint');

    await d.getByTestId('deploy-name').fill(ENDPOINT);
    await d.getByTestId('deploy-weight').fill('1');
    await d.getByTestId('deploy-capture').fill('10');
    await d.getByTestId('deploy-model').fill('no-such-model@1');
    await d.getByTestId('deploy-submit').click();
    await expect(d.getByTestId('error-box')).toHaveAttribute('data-code', 'MODEL_NOT_FOUND');
    await d.getByTestId('deploy-model').fill(`${GROUP}@champion`);
    await d.getByTestId('deploy-submit').click();
    await expect(page).toHaveURL(new RegExp(`#/p/[^/]+/endpoints/${ENDPOINT}$`), { timeout: 60_000 });
  });

  await test.step('the endpoint runs; its test form sends the sample row and the charts move', async () => {
    await expect(page.getByTestId('endpoint-status')).toHaveAttribute('data-status', 'running');
    await expect(page.getByTestId('endpoint-url')).toContainText(/http:\/\/127\.0\.0\.1:\d+/);
    await expect(page.getByTestId('endpoint-key')).toHaveText('•'.repeat(16));
    await page.getByTestId('endpoint-key-toggle').click();
    await expect(page.getByTestId('endpoint-key')).toHaveText(/^[0-9a-f]{48}$/);
    await expect(page.getByTestId('endpoint-curl')).toContainText('/invocations');
    await expect(page.getByTestId('endpoint-curl')).toContainText('age,workclass');
    await shot(page, 'deploy-endpoint-top');
    await expect(page.locator('[data-testid=variant-row][data-variant=champion]')).toContainText(`${GROUP} v1`);

    const body = page.getByTestId('test-body');
    await expect(body).toHaveValue(/^age,/);
    await expect(page.getByTestId('test-note')).toContainText('the first row of adult_deploy');
    await page.getByTestId('test-send').click();
    const result = page.getByTestId('test-result');
    await expect(result).toHaveAttribute('data-status', '200');
    await expect(page.getByTestId('test-variant')).toHaveText('champion');
    await expect(page.getByTestId('test-answer')).toContainText(/predictions|<=50K|>50K/);

    // A request the model cannot read: its 400 is shown, not hidden.
    await body.fill('age\nnot-a-number\n');
    await page.getByTestId('test-send').click();
    await expect(result).toHaveAttribute('data-status', '400');

    // More traffic, as clients would send it; the per-second charts and totals follow.
    await page.getByTestId('test-csv').click();
    const sample = (await (await request.get(`${ORIGIN}/api/projects/${pid}/datasets/${adult.id}/rows?offset=0&limit=1`, { headers: auth })).json()) as { columns: string[] };
    expect(sample.columns).toContain('age');
    const requests = page.locator('[data-testid=traffic-chart][data-metric=requests]');
    await expect.poll(async () => Number(await requests.getAttribute('data-requests')), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const before = Number(await requests.getAttribute('data-requests'));
    await page.getByRole('button', { name: 'Reset sample' }).click();
    const csv = await body.inputValue();
    for (let i = 0; i < 20; i++) {
      const r = await request.post(`${ORIGIN}/api/projects/${pid}/endpoints/${ENDPOINT}/invoke`, { headers: auth, data: { content_type: 'text/csv', body: csv } });
      expect(r.ok(), await r.text()).toBeTruthy();
    }
    await expect.poll(async () => Number(await requests.getAttribute('data-requests')), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 20);
    await expect(page.locator('[data-testid=variant-total][data-variant=champion]')).toContainText('22');
    await expect(page.getByTestId('endpoint-log')).toContainText('serving as process');
    await expect(page.locator('[data-testid=traffic-chart] canvas')).toHaveCount(3);
    await shot(page, 'deploy-endpoint');
  });

  await test.step('weights are checked, then a canary is added without a restart', async () => {
    await page.getByTestId('variants-edit').click();
    const form = page.getByTestId('variants-form');
    await form.getByTestId('variant-weight').fill('-2');
    await form.getByTestId('variants-save').click();
    await expect(form.getByTestId('variant-error')).toContainText('above 0');
    await form.getByTestId('variant-weight').fill('9');
    await form.getByRole('button', { name: '+ Add a variant' }).click();
    await form.getByTestId('variant-model').nth(1).fill(`${GROUP}@2`);
    await form.getByTestId('variants-save').click();
    await expect(page.locator('[data-testid=variant-row][data-variant=v2] [data-testid=variant-share]')).toHaveText('10%');
    await expect(page.locator('[data-testid=variant-row][data-variant=champion] [data-testid=variant-share]')).toHaveText('90%');
  });

  await test.step('a group an endpoint serves cannot be deleted; the refusal is shown', async () => {
    await openApp(page, `#/p/${pid}/models/${GROUP}`);
    await page.getByTestId('delete-group').click();
    const d = dialog(page, 'confirm-dialog');
    await d.getByTestId('confirm-submit').click();
    await expect(d.getByTestId('error-box')).toHaveAttribute('data-code', 'ENDPOINT_LIVE');
    await d.getByRole('button', { name: 'Cancel' }).click();
  });

  await test.step('the endpoint list, then stop and delete', async () => {
    await page.getByTestId('endpoints-link').click();
    const row = page.locator(`[data-testid=endpoint-row][data-endpoint=${ENDPOINT}]`);
    await expect(row).toHaveAttribute('data-status', 'running');
    await expect(row).toContainText(`${GROUP}@champion`);
    await shot(page, 'deploy-endpoints');
    await row.getByTestId('endpoint-open').click();
    await page.getByTestId('endpoint-stop').click();
    await dialog(page, 'confirm-dialog').getByTestId('confirm-submit').click();
    await expect(page.getByTestId('endpoint-status')).toHaveAttribute('data-status', 'stopped');
    await expect(page.getByTestId('endpoint-start')).toBeVisible();
    await expect(page.getByTestId('test-send')).toBeDisabled();
    await page.getByTestId('endpoint-delete').click();
    await dialog(page, 'confirm-dialog').getByTestId('confirm-submit').click();
    await expect(page.getByTestId('endpoints-page')).toBeVisible();
    await expect(page.locator(`[data-testid=endpoint-row][data-endpoint=${ENDPOINT}]`)).toHaveCount(0);
  });
});
