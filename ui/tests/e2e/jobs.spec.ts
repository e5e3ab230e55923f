import { expect, test } from '@playwright/test';
import { openApp, shot } from './helpers';

// The user's own command on this computer: the trust question first, then the job with its log and exit
// code, re-run; and a cluster that does not answer, named as such by "Test connection".
test('a command asks for trust once, runs with its log, and re-runs', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('jobs-link').click();
  await expect(page.getByTestId('jobs-view')).toBeVisible();
  const before = await page.getByTestId('job-row').count();

  await page.getByTestId('run-command').click();
  const dialog = page.getByTestId('command-dialog');
  await dialog.getByTestId('command-text').fill('echo "hello from $WHO in $(basename $PWD)"; exit 2');
  await dialog.getByTestId('command-env').fill('WHO=cairn\n2BAD=1');
  await expect(dialog.getByRole('alert')).toContainText('line 2');
  await expect(dialog.getByTestId('command-submit')).toBeDisabled();
  await dialog.getByTestId('command-env').fill('WHO=cairn');
  await dialog.getByTestId('command-submit').click();
  await expect(dialog.getByTestId('trust-prompt')).toContainText('Do you trust the code in this folder?');
  await shot(page, 'jobs-trust');
  await dialog.getByTestId('trust-and-run').click();

  await expect(page.getByTestId('job-row')).toHaveCount(before + 1);
  const row = page.getByTestId('job-row').first();
  await expect(row).toHaveAttribute('data-state', 'failed');
  await expect(row).toContainText('exited with code 2');
  await expect(row.getByTestId('job-where')).toHaveText('This computer');
  // The run is named as in the runs table, and the name opens it.
  await expect(row.getByTestId('job-run-link')).toHaveText(/^[a-z]+-[a-z]+-\d+$/);
  await expect(page.getByTestId('job-log-text')).toContainText('hello from cairn in demo');
  // The list reloads while the job runs; the log is read once, not again with every reload.
  await page.waitForTimeout(2000);
  expect((await page.getByTestId('job-log-text').innerText()).split('hello from cairn').length).toBe(2);
  await shot(page, 'jobs-command');

  // Trusted now: a re-run starts at once, as a new job.
  await row.getByTestId('job-rerun').click();
  await expect(page.getByTestId('job-row')).toHaveCount(before + 2);
  await expect(page.getByTestId('job-row').first()).toHaveAttribute('data-state', 'failed');
});

test('Test connection names a cluster that does not answer', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('sidebar-clusters-link').click();
  const form = page.getByTestId('cluster-form');
  await form.getByTestId('cluster-address').fill('127.0.0.1:9');
  await form.getByTestId('cluster-form-test').click();
  await expect(form.getByTestId('cluster-error')).toHaveAttribute('data-code', 'CLUSTER_UNREACHABLE');
  await expect(form.getByTestId('cluster-error')).toContainText('cannot be reached');
  await form.getByTestId('cluster-name').fill('bad name');
  await form.getByTestId('cluster-save').click();
  await expect(form).toContainText('not a usable cluster name');
});
