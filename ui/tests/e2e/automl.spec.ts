import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auth, dataFile, importViaApi, openApp, ORIGIN, projectId, shot, TMP } from './helpers';

/**
 * AutoML as a new user meets it: the train dialog's AutoML choice refuses bad budgets in the form, a
 * 10-second search starts from it and opens its run, whose leaderboard grows while the trials run and
 * ends with an ensemble; its trials are nested runs in the runs table. A second search is cancelled.
 */

const DATASET = 'adult-automl-3k';
const EXPERIMENT = 'AutoML (e2e)';

/** The first 3,000 rows of adult.csv: enough for a few trials in a 10-second budget on two cores. */
function sample(): string {
  const file = join(TMP, 'adult-3k.csv');
  const lines = readFileSync(dataFile('adult.csv'), 'utf8').split('\n');
  writeFileSync(file, lines.slice(0, 3001).join('\n') + '\n');
  return file;
}

async function openAutomlDialog(page: Page, did: string) {
  await page.getByTestId('train-button').click();
  const dialog = page.getByTestId('train-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('train-dataset').selectOption(did);
  await dialog.getByTestId('train-target').selectOption('class');
  await expect(dialog.getByTestId('train-task-note')).toContainText('Classification');
  await dialog.getByTestId('train-mode-automl').check();
  await expect(dialog.getByTestId('automl-fields')).toBeVisible();
  return dialog;
}

async function runsOf(request: APIRequestContext, pid: string, experimentId: string): Promise<{ info: { run_id: string } }[]> {
  const res = await request.post(`${ORIGIN}/api/projects/${pid}/runs/search`, { headers: auth, data: { experiment_ids: [experimentId], max_results: 1000 } });
  expect(res.ok(), await res.text()).toBeTruthy();
  return (await res.json()).runs;
}

async function experimentId(request: APIRequestContext, pid: string, name: string): Promise<string | undefined> {
  const res = await request.post(`${ORIGIN}/api/projects/${pid}/experiments/search`, { headers: auth, data: { max_results: 1000 } });
  return (await res.json()).experiments.find((e: { name: string }) => e.name === name)?.experiment_id;
}

test('AutoML from the train dialog: bad budgets refused in the form, a live leaderboard, an ensemble, nested trials', async ({ page, request }) => {
  test.setTimeout(180_000);
  const pid = await projectId(request);
  const ds = await importViaApi(request, sample(), DATASET);
  expect(ds.rows).toBe(3000);

  await test.step('the API refuses a bad spec before any run exists', async () => {
    const bad = await request.post(`${ORIGIN}/api/projects/${pid}/automl`, { headers: auth, data: { dataset: DATASET, target: 'class', budget_seconds: 0 } });
    expect(bad.status()).toBe(422);
    expect((await bad.json()).code).toBe('INVALID_INPUT');
    const metric = await request.post(`${ORIGIN}/api/projects/${pid}/automl`, { headers: auth, data: { dataset: DATASET, target: 'class', metric: 'rmse' } });
    expect(metric.status()).toBe(422);
    expect((await metric.json()).message).toContain("'rmse' is not a classification metric");
    expect(await experimentId(request, pid, EXPERIMENT)).toBeUndefined();
  });

  await openApp(page, `#/p/${pid}/d/${ds.id}`);
  const dialog = await openAutomlDialog(page, ds.id);

  await test.step('the form says what is wrong with a budget and does not start anything', async () => {
    const budget = dialog.getByTestId('automl-budget');
    const trials = dialog.getByTestId('automl-trials');
    await expect(budget).toHaveValue('60');
    await expect(dialog.getByTestId('automl-metric')).toContainText('Default: ROC AUC');
    // The metrics offered are the task's: no regression metric for a classification target.
    await expect(dialog.getByTestId('automl-metric').locator('option[value=rmse]')).toHaveCount(0);
    await expect(dialog.getByTestId('automl-metric').locator('option[value=log_loss]')).toHaveCount(1);
    await dialog.getByTestId('train-experiment').fill(EXPERIMENT);
    await shot(page, 'automl-dialog');

    for (const [value, message] of [
      ['0', 'Time budget must be more than 0 seconds'],
      ['-5', 'Time budget must be more than 0 seconds'],
      ['ten seconds', 'Time budget must be a number of seconds'],
    ]) {
      await budget.fill(value);
      await dialog.getByTestId('train-submit').click();
      await expect(dialog.getByTestId('automl-budget-error')).toContainText(message);
      await expect(budget).toHaveAttribute('aria-invalid', 'true');
    }
    await budget.fill('10');
    await expect(dialog.getByTestId('automl-budget-error')).toHaveCount(0);
    for (const [value, message] of [
      ['0', 'Trials must be at least 1'],
      ['2.5', 'Trials must be a whole number'],
      ['many', 'Trials must be a whole number'],
    ]) {
      await trials.fill(value);
      await dialog.getByTestId('train-submit').click();
      await expect(dialog.getByTestId('automl-trials-error')).toContainText(message);
    }
    await budget.fill('');
    await trials.fill('');
    await dialog.getByTestId('train-submit').click();
    await expect(dialog.getByTestId('automl-budget-error')).toContainText('Give a time budget in seconds (e.g. 60), a trial budget, or both');
    await shot(page, 'automl-dialog-errors');
    // Nothing was started: still in the dialog, and no run (nor the experiment) exists.
    await expect(dialog).toBeVisible();
    await expect(page).not.toHaveURL(/\/r\//);
    expect(await experimentId(request, pid, EXPERIMENT)).toBeUndefined();
    await budget.fill('10');
    await expect(dialog.getByTestId('automl-budget-note')).toHaveText('Stops after 10 s, the final fit included.');
  });

  let rid = '';
  await test.step('starting it opens the search’s run, whose leaderboard grows while the trials run', async () => {
    await expect(dialog.getByTestId('train-submit')).toHaveText('Start AutoML');
    await dialog.getByTestId('train-submit').click();
    await expect(dialog).toBeHidden({ timeout: 30_000 });
    await expect(page).toHaveURL(/#\/p\/[^/]+\/r\/[0-9a-f]{32}$/);
    rid = page.url().split('/r/')[1];
    await expect(page.getByTestId('automl-live')).toBeVisible();
    await expect(page.getByTestId('cancel-job')).toBeVisible();

    // Count the scored trials the page shows, as they come, until the search ends.
    const scored = page.locator('[data-testid=automl-trial][data-state=scored]');
    const seen: number[] = [];
    let liveShot = false;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const live = await page.getByTestId('automl-live').isVisible();
      if (!live) break;
      const n = await scored.count();
      if (seen[seen.length - 1] !== n) seen.push(n);
      if (n >= 2 && !liveShot) {
        await expect(page.getByTestId('automl-best-curve')).toBeVisible();
        await expect(page.getByTestId('automl-best')).toContainText('Best so far');
        await shot(page, 'automl-live');
        liveShot = true;
      }
      await page.waitForTimeout(250);
    }
    // While it ran the page showed the leaderboard grow: fewer scored trials first, more later (trials end
    // in bursts on two cores, so how many each poll finds varies).
    const growth = `scored trials seen while live: ${seen.join(' → ')}`;
    expect(seen.length, growth).toBeGreaterThanOrEqual(2);
    expect(seen[seen.length - 1], growth).toBeGreaterThan(seen[0]);
    expect(liveShot).toBeTruthy();
  });

  await test.step('once it ends: why it stopped, the ensemble, the final score, every trial with its run', async () => {
    await expect(page.getByTestId('automl-stopped')).toContainText('Finished: the time budget was reached', { timeout: 60_000 });
    await expect(page.getByTestId('automl-ensemble')).toBeVisible();
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'FINISHED');
    const api = await (await request.get(`${ORIGIN}/api/projects/${pid}/runs/${rid}/automl`, { headers: auth })).json();
    expect(api.stopped).toBe('budget');
    expect(api.metric).toBe('roc_auc');
    expect(api.ensemble.length).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('automl-ensemble-member')).toHaveCount(api.ensemble.length);
    await expect(page.getByTestId('automl-final-score')).toHaveText(Number(api.score).toLocaleString('en-US', { maximumSignificantDigits: 4 }));
    await expect(page.getByTestId('automl-trial')).toHaveCount(api.leaderboard.length);
    const best = page.locator('[data-testid=automl-trial]').first();
    await expect(best).toHaveAttribute('data-trial', String(api.leaderboard[0].number));
    await expect(best).toContainText('best');
    // The final model's metrics are the run's key metrics; the generic nested-runs list gives way to the trials table.
    await expect(page.getByTestId('key-metrics-section')).toContainText('ROC AUC');
    await expect(page.getByTestId('children-section')).toHaveCount(0);
    await shot(page, 'automl-final');
    await page.getByTestId('automl-section').screenshot({ path: join(import.meta.dirname, '..', '..', 'test-results', 'screens', 'automl-final-leaderboard.png') });

    // A trial's run is not a search: it has no leaderboard.
    const none = await request.get(`${ORIGIN}/api/projects/${pid}/runs/${api.leaderboard[0].run_id}/automl`, { headers: auth });
    expect(none.status()).toBe(404);
    expect((await none.json()).code).toBe('FILE_NOT_FOUND');

    // A trial's link opens its nested run, which links back to the search.
    const link = best.getByTestId('automl-trial-link');
    const name = (await link.textContent())?.trim() ?? '';
    expect(name).toMatch(/^trial-\d{3}-[a-z_]+$/);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/r/${api.leaderboard[0].run_id}$`));
    await expect(page.getByTestId('run-page')).toContainText(name);
    await expect(page.getByTestId('automl-section')).toHaveCount(0);
  });

  await test.step('Explanations: importance, partial dependence of the top features, and the report as HTML', async () => {
    await openApp(page, `#/p/${pid}/r/${rid}`);
    const ev = await (await request.get(`${ORIGIN}/api/projects/${pid}/runs/${rid}/evaluation`, { headers: auth })).json();
    expect(ev.partial_dependence.length).toBe(5);
    const ex = page.getByTestId('explanations-section');
    await ex.scrollIntoViewIfNeeded();
    await expect(ex.getByTestId('importance-section').locator('canvas')).toBeVisible();
    await expect(ex.getByTestId('importance-kind')).toContainText('permutation importance');
    const charts = ex.getByTestId('pd-chart');
    await expect(charts).toHaveCount(ev.partial_dependence.length);
    for (let i = 0; i < ev.partial_dependence.length; i++) {
      await expect(charts.nth(i)).toHaveAttribute('data-feature', ev.partial_dependence[i].feature);
      await expect(charts.nth(i).locator('canvas')).toBeVisible();
    }
    // The five most important features, in order: the importance chart's top five.
    expect(ev.partial_dependence.map((p: { feature: string }) => p.feature)).toEqual(ev.importances.slice(0, 5).map((i: { feature: string }) => i.feature));
    await expect(ex.getByTestId('pd-section')).toContainText('mean probability of >50K');
    await ex.screenshot({ path: join(import.meta.dirname, '..', '..', 'test-results', 'screens', 'automl-explanations.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), ex.getByTestId('export-report').click()]);
    expect(download.suggestedFilename()).toBe('automl-class-report.html');
    const html = readFileSync((await download.path()) ?? '', 'utf8');
    expect(html.startsWith('<!doctype html>')).toBeTruthy();
    expect(html).toContain('Explainability report: automl-class');
    expect(html).toContain('→ <b>class</b>');
    expect(html).toContain('Partial dependence');
    expect(html).not.toContain('<script');
    const res = await request.get(`${ORIGIN}/api/projects/${pid}/runs/${rid}/report.html?download=1`, { headers: auth });
    expect(res.headers()['content-type']).toContain('text/html');
    expect(res.headers()['content-disposition']).toBe('attachment; filename="automl-class-report.html"');
  });

  await test.step('the runs table nests the trials under their search', async () => {
    const exp = await experimentId(request, pid, EXPERIMENT);
    expect(exp).toBeTruthy();
    await openApp(page, `#/p/${pid}/runs?exp=${exp}`);
    const parent = page.locator(`[data-testid=run-row][data-run-id="${rid}"]`);
    await expect(parent).toBeVisible();
    const api = await (await request.get(`${ORIGIN}/api/projects/${pid}/runs/${rid}/automl`, { headers: auth })).json();
    await expect(parent.getByTestId('run-children-count')).toHaveText(String(api.leaderboard.length));
    await parent.getByTestId('run-expand').click();
    const kids = page.locator(`[data-testid=run-row][data-parent-id="${rid}"]`);
    // The table renders the rows in view (it is virtualized): those shown are the search's trials, by name.
    await expect(kids.first()).toBeVisible();
    const shown = await kids.count();
    expect(shown).toBeGreaterThanOrEqual(Math.min(api.leaderboard.length, 10));
    const names = new Map<string, string>(
      api.leaderboard.map((t: { run_id: string; number: number; model: string }) => [t.run_id, `trial-${String(t.number).padStart(3, '0')}-${t.model}`]),
    );
    for (let i = 0; i < shown; i++) {
      const row = kids.nth(i);
      expect(names.get((await row.getAttribute('data-run-id')) ?? '')).toBe(await row.getAttribute('data-run-name'));
    }
    await shot(page, 'automl-runs-table');
  });

  await test.step('Cancel stops a search: finished trials are kept', async () => {
    const started = await request.post(`${ORIGIN}/api/projects/${pid}/automl`, {
      headers: auth,
      data: { dataset: DATASET, target: 'class', budget_seconds: 120, experiment: EXPERIMENT, run_name: 'automl-cancelled' },
    });
    expect(started.ok(), await started.text()).toBeTruthy();
    const { run_id } = await started.json();
    await openApp(page, `#/p/${pid}/r/${run_id}`);
    await expect(page.locator('[data-testid=automl-trial][data-state=scored]').first()).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('cancel-job').click();
    await expect(page.getByTestId('automl-live')).toBeHidden({ timeout: 30_000 });
    await expect(page.getByTestId('run-failure')).toHaveAttribute('data-kind', 'cancelled');
    await expect(page.getByTestId('automl-stopped')).toContainText('Cancelled: the finished trials are kept');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'KILLED');
    await expect(page.locator('[data-testid=automl-trial][data-state=scored]').first()).toBeVisible();
    await shot(page, 'automl-cancelled');
  });

  // What this spec made goes, so the specs after it see the demo project as they expect.
  const exp = await experimentId(request, pid, EXPERIMENT);
  for (const r of exp ? await runsOf(request, pid, exp) : []) {
    expect((await request.delete(`${ORIGIN}/api/projects/${pid}/runs/${r.info.run_id}`, { headers: auth })).ok()).toBeTruthy();
  }
  expect((await request.delete(`${ORIGIN}/api/projects/${pid}/datasets/${ds.id}`, { headers: auth })).ok()).toBeTruthy();
});
