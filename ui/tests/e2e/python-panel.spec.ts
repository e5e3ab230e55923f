import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { auth, openApp, ORIGIN, projectId, shot, TOKEN, workFile } from './helpers';

// The venv `make mlflow-test` creates, with the pinned mlflow client.
const PYTHON = process.env.CAIRN_MLFLOW_PYTHON ?? `${homedir()}/.cache/cairn/venv-mlflow/bin/python`;

/** A fresh experiment with no runs, made through MLflow's API; returns its id. */
async function newExperiment(request: APIRequestContext, name: string): Promise<string> {
  const res = await request.post(`${ORIGIN}/api/2.0/mlflow/experiments/create`, { headers: auth, data: { name } });
  expect(res.ok(), await res.text()).toBeTruthy();
  return (await res.json()).experiment_id as string;
}

/** Screenshots wait for the dialog's entrance animation to end. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
}

async function clipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Opens the panel from the empty state of a new experiment. */
async function openPanel(page: Page, request: APIRequestContext, name: string): Promise<void> {
  const pid = await projectId(request);
  const exp = await newExperiment(request, name);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
  await openApp(page, `#/p/${pid}/runs?exp=${exp}`);
  await expect(page.getByTestId('runs-empty')).toBeVisible();
  await page.getByTestId('empty-python-button').click();
  await expect(page.getByTestId('python-panel')).toBeVisible();
}

test('the panel shows this server, a masked token, and a script for the experiment on screen', async ({ page, request }) => {
  const name = 'python panel (e2e)';
  await openPanel(page, request, name);
  const origin = await page.evaluate(() => location.origin);
  const exportsBox = page.getByTestId('python-exports');
  await expect(exportsBox).toContainText(`export MLFLOW_TRACKING_URI=${origin}`);
  await expect(exportsBox).toContainText('export MLFLOW_TRACKING_TOKEN=•');
  await expect(exportsBox).not.toContainText(TOKEN);
  await expect(page.getByTestId('python-code')).toContainText(`mlflow.set_experiment("${name}")`);
  await settled(page);
  await shot(page, 'python-panel');

  await page.getByTestId('python-reveal').click();
  await expect(page.getByTestId('python-reveal')).toHaveAttribute('aria-pressed', 'true');
  await expect(exportsBox).toContainText(`export MLFLOW_TRACKING_TOKEN=${TOKEN}`);
  await page.getByTestId('python-reveal').click();
  await expect(exportsBox).not.toContainText(TOKEN);

  // Copy copies the real token even while it is hidden.
  await page.getByTestId('python-copy-exports').click();
  await expect(page.getByTestId('python-copy-exports')).toHaveText('Copied');
  expect(await clipboard(page)).toBe(`export MLFLOW_TRACKING_URI=${origin}\nexport MLFLOW_TRACKING_TOKEN=${TOKEN}`);

  await page.keyboard.press('Escape');
  await expect(page.getByTestId('python-panel')).toBeHidden();
  // The header offers it too, and with every experiment on screen the script names a placeholder.
  await page.goto(`${ORIGIN}/#/p/${await projectId(request)}/runs`);
  await page.getByTestId('python-button').click();
  await expect(page.getByTestId('python-code')).toContainText('mlflow.set_experiment("my-experiment")');
});

test('running the copied lines with the mlflow client logs a run that the table then lists', async ({ page, request }) => {
  test.setTimeout(120_000);
  test.skip(!existsSync(PYTHON), `no mlflow client at ${PYTHON} (run \`make mlflow-test\` once, or set CAIRN_MLFLOW_PYTHON)`);
  const name = 'python panel run (e2e)';
  await openPanel(page, request, name);

  await page.getByTestId('python-copy-exports').click();
  await expect(page.getByTestId('python-copy-exports')).toHaveText('Copied');
  const exportsText = await clipboard(page);
  await page.getByTestId('python-copy-code').click();
  await expect(page.getByTestId('python-copy-code')).toHaveText('Copied');
  const code = await clipboard(page);

  // Exactly what was copied: the export lines run by a shell, the script by the mlflow client.
  const dir = workFile('python-panel');
  mkdirSync(dir, { recursive: true });
  const script = `${dir}/train.py`;
  writeFileSync(script, `${code}\nprint("RUN " + mlflow.last_active_run().info.run_id)\n`);
  const env: Record<string, string> = { MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('MLFLOW_TRACKING_')) env[k] = v;
  const r = spawnSync('sh', ['-c', `${exportsText}\nexec "$0" "$1"`, PYTHON, script], { env, cwd: dir, encoding: 'utf8', timeout: 90_000 });
  expect(r.status, `the copied lines failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
  const runId = /^RUN (\w+)$/m.exec(r.stdout)?.[1];
  expect(runId, r.stdout).toBeTruthy();

  // Closing the panel reads the runs again.
  await page.getByRole('button', { name: 'Close' }).click();
  const row = page.locator(`[data-testid=run-row][data-run-id="${runId}"]`);
  await expect(row).toBeVisible();
  await expect(page.getByTestId('runs-count')).toHaveText('1 run');
  await expect(row).toContainText('0.93');
  await shot(page, 'python-panel-logged');
});

test('in a project the MLflow API does not serve, the panel says where scripts log instead', async ({ page, request }) => {
  const pid = await projectId(request);
  const served = (await (await request.get(`${ORIGIN}/api/projects/${pid}`, { headers: auth })).json()).name as string;
  const made = await request.post(`${ORIGIN}/api/projects`, { headers: auth, data: { path: workFile('python-other'), name: 'python-other' } });
  expect(made.ok(), await made.text()).toBeTruthy();
  const other = (await made.json()).id as string;

  await openApp(page, `#/p/${other}/runs`);
  await page.getByTestId('python-button').click();
  const notice = page.getByTestId('python-elsewhere');
  await expect(notice).toContainText(`Scripts log into “${served}”, not into “python-other”`);
  await expect(page.getByTestId('python-exports')).toHaveCount(0);
  await settled(page);
  await shot(page, 'python-panel-elsewhere');
  await page.getByTestId('python-go-other').click();
  await expect(page.getByTestId('python-panel')).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`#/p/${pid}/runs`));
});
