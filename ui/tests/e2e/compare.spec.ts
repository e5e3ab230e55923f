import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { auth, dataFile, importViaApi, openApp, ORIGIN, projectId, shot } from './helpers';

// Training in the debug build: GBM on adult takes seconds, logistic regression up to a minute or more.
const TRAINED = 120_000;

async function train(request: APIRequestContext, pid: string, dataset: string, model: 'gbm' | 'logistic', params: Record<string, string> = {}): Promise<{ run_id: string; job_id: string }> {
  const res = await request.post(`${ORIGIN}/api/projects/${pid}/train`, {
    headers: auth,
    data: { dataset, target: 'class', model, params, validation: { kind: 'holdout', test_fraction: 0.2 }, seed: 7, experiment: 'compare-e2e' },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  return res.json();
}

/** The names a chart's HTML legend lists (the chart itself is a canvas). */
function legend(page: Page, section: string) {
  return page.locator(`[data-testid=${section}] [data-testid=legend-item]`);
}

test('a GBM run page shows its evaluation and lineage; comparing it with a logistic regression diffs params and overlays curves', async ({ page, request }) => {
  test.setTimeout(300_000);
  // Its own name: import.spec imports adult.csv as "adult" through the dialog, and runs after this file.
  const adult = await importViaApi(request, dataFile('adult.csv'), 'adult_compare');
  const pid = await projectId(request);
  const gbm = await train(request, pid, adult.id, 'gbm');
  const logistic = await train(request, pid, adult.id, 'logistic');

  await test.step('the GBM run page, live or finished, then with its evaluation', async () => {
    await openApp(page, `#/p/${pid}/r/${gbm.run_id}`);
    await expect(page.getByTestId('run-page')).toBeVisible();
    await expect(page.getByTestId('run-model')).toHaveText('gbm');
    await expect(page.getByTestId('run-dataset')).toContainText('adult_compare');
    // While the job runs the page shows its progress and log tail; either way it ends finished.
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'FINISHED', { timeout: TRAINED });
    await expect(page.getByTestId('live-panel')).toBeHidden();

    await expect(page.locator('[data-testid=key-metric][data-key=roc_auc]')).toContainText(/0\.9\d*/);
    const roc = page.getByTestId('roc-section');
    await expect(roc.locator('canvas')).toBeVisible();
    await expect(roc.getByTestId('roc-auc')).toContainText(/AUC 0\.9\d+/);
    await expect(page.getByTestId('pr-section').locator('canvas')).toBeVisible();
    const cells = page.getByTestId('confusion-cell');
    await expect(cells).toHaveCount(4);
    await expect(cells.first()).toContainText('%');
    const importance = page.getByTestId('importance-section');
    await expect(importance.locator('canvas')).toBeVisible();
    await expect(importance.getByTestId('importance-kind')).toContainText('importance');
    await expect(page.locator('[data-testid=metric-curve][data-key=log_loss] canvas')).toBeVisible();

    const lineage = page.getByTestId('lineage');
    await expect(lineage.getByTestId('lineage-dataset')).toHaveText('adult_compare');
    await expect(lineage.getByTestId('lineage-digest')).toContainText(/[0-9a-f]{12}/);
    await expect(lineage).toContainText('holdout, 20% test');
    await expect(lineage).toContainText('local');
    await expect(page.locator('[data-testid=artifact][data-path="model.cairn"]')).toBeVisible();
    await shot(page, 'run-page');

    // Rename inline, and tag: both are what the comparison shows next.
    await page.getByTestId('run-name').click();
    await page.getByTestId('run-name-input').fill('gbm-e2e');
    await page.getByTestId('run-name-input').press('Enter');
    await expect(page.getByTestId('run-name')).toHaveText('gbm-e2e');
    await page.getByTestId('tag-key').fill('stage');
    await page.getByTestId('tag-value').fill('candidate');
    await page.getByTestId('tag-add').click();
    await expect(page.locator('[data-testid=tag-chip][data-key=stage]')).toContainText('candidate');

    await page.getByTestId('job-log').locator('summary').click();
    await expect(page.getByTestId('job-log-text')).toContainText('training gbm on adult_compare');
    await shot(page, 'run-page-log');
  });

  await test.step('the logistic regression finishes (its page follows the job)', async () => {
    await openApp(page, `#/p/${pid}/r/${logistic.run_id}`);
    const status = page.getByTestId('run-status');
    if ((await status.getAttribute('data-status')) !== 'FINISHED') {
      await expect(page.getByTestId('live-panel')).toBeVisible();
      await expect(page.getByTestId('log-tail')).toContainText('training logistic');
      await shot(page, 'run-page-live');
    }
    await expect(status).toHaveAttribute('data-status', 'FINISHED', { timeout: TRAINED });
    await expect(page.getByTestId('roc-section').locator('canvas')).toBeVisible();
  });

  await test.step('the comparison', async () => {
    await openApp(page, `#/p/${pid}/compare?runs=${gbm.run_id},${logistic.run_id}`);
    const chips = page.getByTestId('compare-run');
    await expect(chips).toHaveCount(2);
    await expect(chips.first()).toContainText('gbm-e2e');

    // Params: equal ones (seed, dataset, target) go when only differences are asked for; model stays.
    const params = page.getByTestId('param-row');
    await expect(page.locator('[data-testid=param-row][data-key=seed]')).toBeVisible();
    await expect(page.locator('[data-testid=param-row][data-key=learning_rate] td').nth(1)).toHaveText('—');
    const all = await params.count();
    await page.getByTestId('diff-only').check({ force: true });
    await expect(page.locator('[data-testid=param-row][data-key=seed]')).toHaveCount(0);
    await expect(page.locator('[data-testid=param-row][data-key=dataset]')).toHaveCount(0);
    await expect(page.locator('[data-testid=param-row][data-key=model]')).toBeVisible();
    expect(await params.count()).toBeLessThan(all);
    await expect(page.locator('[data-testid=param-row][data-differs=false]')).toHaveCount(0);
    // The better roc_auc is marked best.
    await expect(page.locator('[data-testid=metric-row][data-key=roc_auc] td.best')).toHaveCount(1);

    await expect(page.locator('[data-testid=metric-bar][data-key=roc_auc] canvas')).toBeVisible();
    // Every bar chart's value axis starts at zero (two AUCs a hair apart are not drawn as one bar a fraction of the other).
    const bars = page.getByTestId('metric-bar');
    expect(await bars.count()).toBeGreaterThan(1);
    for (const min of await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-axis-min'))))) expect(min).toBeLessThanOrEqual(0);
    await expect(page.locator('[data-testid=metric-bar][data-key=roc_auc]')).toHaveAttribute('data-axis-min', '0');
    await page.getByTestId('metric-bars').scrollIntoViewIfNeeded();
    await shot(page, 'compare-bars');
    await expect(page.getByTestId('parallel').locator('canvas')).toBeVisible();
    await expect(legend(page, 'parallel')).toHaveText([/gbm-e2e/, /\S/]);
    await expect(page.getByTestId('scatter').locator('canvas')).toBeVisible();

    const roc = page.getByTestId('roc-overlay');
    await expect(roc.locator('canvas')).toBeVisible();
    const rocLegend = legend(page, 'roc-overlay');
    await expect(rocLegend).toHaveCount(2);
    await expect(rocLegend.first()).toContainText(/gbm-e2e\s*AUC 0\.9/);
    await expect(rocLegend.nth(1)).toContainText(/AUC 0\.\d/);
    await expect(page.locator('[data-testid=roc-overlay] [data-missing=true]')).toHaveCount(0);
    await shot(page, 'compare');
    await page.getByTestId('parallel-section').scrollIntoViewIfNeeded();
    await shot(page, 'compare-charts');

    // The GBM's per-round losses are overlaid (the logistic regression has none).
    await expect(page.locator('[data-testid=curve-overlay][data-key=valid_log_loss] canvas')).toBeVisible();
  });

  await test.step('a long run is cancelled from its page', async () => {
    const long = await train(request, pid, adult.id, 'gbm', { iterations: '5000', learning_rate: '0.01', early_stopping_rounds: '0' });
    await openApp(page, `#/p/${pid}/r/${long.run_id}`);
    await expect(page.getByTestId('live-panel')).toBeVisible();
    await page.getByTestId('cancel-job').click();
    const outcome = page.getByTestId('run-failure');
    await expect(outcome).toHaveAttribute('data-kind', 'cancelled', { timeout: 30_000 });
    await expect(outcome).toContainText('cancelled by the user');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'KILLED');
    await shot(page, 'run-page-cancelled');
  });
});
