import { expect, test, type Page } from '@playwright/test';
import { auth, dataFile, importViaApi, openApp, ORIGIN, projectId, shot } from './helpers';

// Training in the debug build: GBM on adult takes seconds, logistic regression can take a minute or more.
const TRAINED = 180_000;
const EXPERIMENT = 'Adult income (e2e)';

/** The row of the runs table for a run, by name. */
const row = (page: Page, name: string) => page.locator(`[data-testid=run-row][data-run-name="${name}"]`);

async function trainFromDialog(page: Page, opts: { model: string; name: string }) {
  const dialog = page.getByTestId('train-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('train-target').selectOption('class');
  await expect(dialog.getByTestId('train-task-note')).toContainText('Classification');
  await dialog.getByTestId('train-model').selectOption(opts.model);
  await dialog.getByTestId('train-experiment').fill(EXPERIMENT);
  await dialog.getByTestId('train-run-name').fill(opts.name);
  await dialog.getByTestId('train-submit').click();
  // Training starts on the server, then the app goes to the new run's page.
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(page).toHaveURL(/#\/p\/[^/]+\/r\/[0-9a-f]{32}$/);
}

test('train two models from the UI, then filter, sort, tag, note and compare their runs', async ({ page, request }) => {
  test.setTimeout(420_000);
  const adult = await importViaApi(request, dataFile('adult.csv'), 'adult');
  const pid = await projectId(request);

  await test.step('an empty experiment tells a new user what to do', async () => {
    const res = await request.post(`${ORIGIN}/api/projects/${pid}/experiments`, { headers: auth, data: { name: 'Nothing yet (e2e)' } });
    expect(res.ok(), await res.text()).toBeTruthy();
    const { experiment_id } = await res.json();
    await openApp(page, `#/p/${pid}/runs?exp=${experiment_id}`);
    await expect(page.getByTestId('runs-title')).toHaveText('Nothing yet (e2e)');
    const empty = page.getByTestId('runs-empty');
    await expect(empty).toContainText('No runs in this experiment yet');
    await expect(empty.getByTestId('empty-train-button')).toBeVisible();
    await shot(page, 'runs-empty');
  });

  await test.step('the dialog checks hyperparameters and shows the server’s refusal, keeping the form', async () => {
    await openApp(page, `#/p/${pid}/d/${adult.id}`);
    await page.getByTestId('train-button').click();
    const dialog = page.getByTestId('train-dialog');
    await expect(dialog.getByTestId('train-dataset')).toHaveValue(adult.id);
    // adult's target is named `class`: picked without asking.
    await expect(dialog.getByTestId('train-target')).toHaveValue('class');
    await dialog.getByTestId('train-model').selectOption('gbm');
    await expect(dialog.getByTestId('train-param-learning_rate')).toHaveValue('0.2');
    await dialog.getByTestId('train-param-learning_rate').fill('5');
    await expect(dialog.getByTestId('train-param-error')).toHaveText('Learning rate (learning_rate) must be above 0 and at most 1');
    // 0 is outside too: the range is open at its low end, as the server checks it.
    await dialog.getByTestId('train-param-learning_rate').fill('0');
    await expect(dialog.getByTestId('train-param-error')).toHaveText('Learning rate (learning_rate) must be above 0 and at most 1');
    await dialog.getByTestId('train-param-learning_rate').fill('0.3');
    await expect(dialog.getByTestId('train-param-error')).toHaveCount(0);
    await shot(page, 'train-dialog');

    // A numeric target with thousands of values cannot be classes: the server says so before any run exists.
    await dialog.getByTestId('train-target').selectOption('fnlwgt');
    await dialog.getByTestId('train-task').getByText('Classification', { exact: true }).click();
    await dialog.getByTestId('train-submit').click();
    const err = dialog.getByTestId('train-error');
    await expect(err).toBeVisible({ timeout: 30_000 });
    await expect(err.getByTestId('error-message')).toContainText('fnlwgt');
    await expect(dialog.getByTestId('train-target')).toHaveValue('fnlwgt');
    await shot(page, 'train-error');
    await dialog.getByTestId('train-task').getByText('Auto', { exact: true }).click();
  });

  await test.step('train logistic regression, then GBM from the runs view', async () => {
    await trainFromDialog(page, { model: 'logistic', name: 'logistic-e2e' });
    await page.getByTestId('runs-link').click();
    await expect(page.getByTestId('runs-view')).toBeVisible();
    await page.getByTestId('train-button').click();
    // The dialog starts from the last training: the same dataset and target.
    await expect(page.getByTestId('train-dialog').getByTestId('train-target')).toHaveValue('class');
    await trainFromDialog(page, { model: 'gbm', name: 'gbm-e2e' });
  });

  await test.step('both runs are in the table and finish there', async () => {
    await page.locator(`[data-testid=sidebar-experiment][data-experiment="${EXPERIMENT}"]`).click();
    await expect(page.getByTestId('runs-title')).toHaveText(EXPERIMENT);
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    await shot(page, 'runs-training');
    // Running runs are polled: their status changes without a reload.
    for (const name of ['gbm-e2e', 'logistic-e2e']) {
      await expect(row(page, name).getByTestId('run-status')).toHaveAttribute('data-status', 'FINISHED', { timeout: TRAINED });
    }
    await expect(page.getByTestId('runs-count')).toHaveText('2 runs');
    // Metrics read 4 significant digits: GBM ~0.9276, logistic ~0.9066 on adult.
    for (const name of ['gbm-e2e', 'logistic-e2e']) {
      await expect(row(page, name).locator('[data-testid=run-cell][data-col="metrics.roc_auc"]')).toHaveText(/^0\.\d{4}$/);
    }
    await shot(page, 'runs-table');
  });

  /** The runs' AUCs as the table shows them. */
  const auc = async (name: string) => Number(await row(page, name).locator('[data-testid=run-cell][data-col="metrics.roc_auc"]').textContent());
  const gbmAuc = await auc('gbm-e2e');
  const logisticAuc = await auc('logistic-e2e');
  expect(gbmAuc).toBeGreaterThan(logisticAuc);
  // A threshold between the two, so exactly the GBM passes whatever the exact scores.
  const cut = ((gbmAuc + logisticAuc) / 2).toFixed(3);

  await test.step('the filter completes keys, applies on Enter, stays in the URL and reports errors inline', async () => {
    const box = page.getByTestId('runs-filter');
    await box.click();
    await box.pressSequentially('metrics.roc');
    const suggestion = page.getByTestId('filter-suggestion').filter({ hasText: 'metrics.roc_auc' });
    await expect(suggestion).toBeVisible();
    await shot(page, 'runs-filter-completion');
    await box.press('Tab');
    await expect(box).toHaveValue('metrics.roc_auc ');
    await expect(page.getByTestId('filter-suggestion').first()).toHaveText(/>/);
    await box.pressSequentially(`> ${cut}`);
    await box.press('Enter');
    await expect(page).toHaveURL(new RegExp(`filter=metrics\\.roc_auc(\\+|%20)%3E(\\+|%20)${cut.replace('.', '\\.')}`));
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await expect(page.getByTestId('run-row')).toHaveAttribute('data-run-name', 'gbm-e2e');
    await expect(page.getByTestId('runs-count')).toHaveText('1 run matches the filter');
    await shot(page, 'runs-filtered');

    // A reload keeps the filter (it is in the URL).
    await page.reload();
    await expect(page.getByTestId('runs-filter')).toHaveValue(`metrics.roc_auc > ${cut}`);
    await expect(page.getByTestId('run-row')).toHaveCount(1);

    // The usual question, "which runs beat 0.9?", counted against the scores shown.
    await page.getByTestId('runs-filter').fill('metrics.roc_auc > 0.9');
    await page.getByTestId('runs-filter').press('Enter');
    const above = [gbmAuc, logisticAuc].filter((a) => a > 0.9).length;
    await expect(page.getByTestId('run-row')).toHaveCount(above);
    await expect(page.getByTestId('runs-count')).toHaveText(above === 1 ? '1 run matches the filter' : `${above} runs match the filter`);

    await page.getByTestId('runs-filter').fill('metrics.roc_auc >> 0.9');
    await page.getByTestId('runs-filter').press('Enter');
    await expect(page.getByTestId('filter-error')).toContainText('at character');
    await expect(page.getByTestId('runs-filter-invalid')).toBeVisible();
    await shot(page, 'runs-filter-error');
    await page.getByTestId('runs-filter-clear').click();
    await expect(page.getByTestId('filter-error')).toHaveCount(0);
    await expect(page.getByTestId('run-row')).toHaveCount(2);
  });

  await test.step('clicking a metric header sorts on the server, best first, then worst first', async () => {
    const header = page.locator('[data-testid=runs-col][data-col="metrics.roc_auc"]');
    await header.getByTestId('runs-sort').click();
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-run-name', 'gbm-e2e');
    await header.getByTestId('runs-sort').click();
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-run-name', 'logistic-e2e');
  });

  await test.step('a tag is added and removed inline, a note is written', async () => {
    const gbm = row(page, 'gbm-e2e');
    await gbm.hover();
    await gbm.getByTestId('add-tag').click();
    await gbm.getByTestId('tag-input').fill('stage=candidate');
    await gbm.getByTestId('tag-input').press('Enter');
    await expect(gbm.locator('[data-testid=run-tag][data-key=stage]')).toContainText('candidate');
    await gbm.hover();
    await gbm.getByTestId('add-tag').click();
    await gbm.getByTestId('tag-input').fill('temp');
    await gbm.getByTestId('tag-input').press('Enter');
    await expect(gbm.locator('[data-testid=run-tag][data-key=temp]')).toBeVisible();
    await gbm.locator('[data-testid=run-tag][data-key=temp]').getByRole('button').click();
    await expect(gbm.locator('[data-testid=run-tag][data-key=temp]')).toHaveCount(0);

    const logistic = row(page, 'logistic-e2e');
    await logistic.getByTestId('run-note').click();
    const note = page.getByTestId('note-dialog');
    await note.getByTestId('note-input').fill('Baseline: linear in the log-odds, no interactions.');
    await note.getByTestId('note-save').click();
    await expect(note).toBeHidden();
    await expect(logistic.getByTestId('run-note')).toContainText('Baseline: linear');

    // Both were saved on the server: a reload shows them.
    await page.reload();
    await expect(row(page, 'gbm-e2e').locator('[data-testid=run-tag][data-key=stage]')).toContainText('candidate');
    await expect(row(page, 'logistic-e2e').getByTestId('run-note')).toContainText('Baseline: linear');
    await shot(page, 'runs-tags-note');
  });

  await test.step('two selected runs go to the compare view', async () => {
    const compare = page.getByTestId('compare-button');
    await expect(compare).toBeDisabled();
    await row(page, 'gbm-e2e').getByTestId('run-select').check();
    await row(page, 'logistic-e2e').getByTestId('run-select').check();
    await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
    await expect(compare).toBeEnabled();
    await shot(page, 'runs-selected');
    await compare.click();
    await expect(page).toHaveURL(/#\/p\/[^/]+\/compare\?runs=[0-9a-f]{32},[0-9a-f]{32}$/);
  });
});

test('the column picker adds a param column and keeps the choice', async ({ page, request }) => {
  const pid = await projectId(request);
  await openApp(page, `#/p/${pid}/runs`);
  await expect(page.getByTestId('run-row').first()).toBeVisible();
  await page.getByTestId('columns-button').click();
  const panel = page.getByTestId('columns-panel');
  await panel.getByRole('textbox').fill('max_iter');
  await panel.locator('[data-testid=column-option][data-col="params.max_iterations"]').check();
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  const header = page.locator('[data-testid=runs-col][data-col="params.max_iterations"]');
  await expect(header).toBeVisible();
  await shot(page, 'runs-columns');
  await page.reload();
  await expect(header).toBeVisible();
  // Back to the defaults for the tests after this one.
  await page.getByTestId('columns-button').click();
  await page.getByTestId('columns-panel').getByRole('button', { name: 'Defaults' }).click();
  await expect(header).toHaveCount(0);
});

test('runs trained over HTTP while the runs page is open: the sidebar counts follow, a regression run gets r2/rmse/mae and its dataset', async ({ page, request }) => {
  test.setTimeout(300_000);
  const adult = await importViaApi(request, dataFile('adult.csv'), 'adult');
  const pid = await projectId(request);
  const experiment = 'Regression (e2e)';
  const train = async (params: Record<string, string>, name: string) => {
    const res = await request.post(`${ORIGIN}/api/projects/${pid}/train`, {
      headers: auth,
      data: { dataset: adult.id, target: 'age', task: 'regression', model: 'gbm', params, validation: { kind: 'holdout', test_fraction: 0.2 }, seed: 3, experiment, run_name: name },
    });
    expect(res.ok(), await res.text()).toBeTruthy();
    return (await res.json()) as { run_id: string; job_id: string };
  };

  await openApp(page, `#/p/${pid}/runs`);
  const total = page.getByTestId('runs-total');
  await expect(total).toHaveText(/^\d[\d,]*$/);
  const before = Number((await total.textContent())!.replace(/,/g, ''));
  await expect(page.getByTestId('jobs-running')).toHaveCount(0);

  await test.step('a job started elsewhere shows as running, and its run is counted, without a reload', async () => {
    const long = await train({ iterations: '5000', learning_rate: '0.01', early_stopping_rounds: '0' }, 'regression-long-e2e');
    await expect(page.getByTestId('jobs-running')).toHaveText('1 running');
    await expect(total).toHaveText(String(before + 1));
    await expect(page.locator(`[data-testid=sidebar-experiment][data-experiment="${experiment}"]`)).toBeVisible();
    // The table (all experiments, newest first) has it on top.
    await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-run-name', 'regression-long-e2e');
    await shot(page, 'runs-job-arrives');
    const cancelled = await request.post(`${ORIGIN}/api/projects/${pid}/jobs/${long.job_id}/cancel`, { headers: auth });
    expect(cancelled.ok(), await cancelled.text()).toBeTruthy();
    await expect(page.getByTestId('jobs-running')).toHaveCount(0, { timeout: 30_000 });
  });

  await test.step('a finished regression run: r2, rmse, mae by default, and the dataset it was trained on', async () => {
    const short = await train({ iterations: '30' }, 'regression-e2e');
    await expect(total).toHaveText(String(before + 2));
    await page.locator(`[data-testid=sidebar-experiment][data-experiment="${experiment}"]`).click();
    await expect(row(page, 'regression-e2e').getByTestId('run-status')).toHaveAttribute('data-status', 'FINISHED', { timeout: TRAINED });
    const cols = page.getByTestId('runs-col');
    await expect(cols).toHaveText([/Run/, /Status/, /Started/, /Duration/, /Model/, /r2/, /rmse/, /mae/, /Dataset/, /Tags/, /Note/]);
    await expect(page.locator('[data-testid=runs-col][data-col="metrics.roc_auc"]')).toHaveCount(0);
    const r = row(page, 'regression-e2e');
    await expect(r.locator('[data-testid=run-cell][data-col="metrics.r2"]')).toHaveText(/^0\.\d{4}$/);
    await expect(r.locator('[data-testid=run-cell][data-col="metrics.rmse"]')).toHaveText(/^\d+\.\d+$/);
    await expect(r.locator('[data-testid=run-cell][data-col=dataset]')).toHaveText('adult');
    await shot(page, 'runs-regression-columns');
    // The user's own choice still wins over the task's defaults, and survives a reload.
    await page.getByTestId('columns-button').click();
    await page.locator('[data-testid=column-option][data-col="metrics.mae"]').uncheck();
    await page.keyboard.press('Escape');
    await page.reload();
    await expect(page.locator('[data-testid=runs-col][data-col="metrics.mae"]')).toHaveCount(0);
    await expect(page.locator('[data-testid=runs-col][data-col="metrics.r2"]')).toBeVisible();
    await page.getByTestId('columns-button').click();
    await page.getByTestId('columns-panel').getByRole('button', { name: 'Defaults' }).click();
    await expect(page.locator('[data-testid=runs-col][data-col="metrics.mae"]')).toBeVisible();
    expect(short.run_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
