import { expect, test, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// As a new user would: add the local Ray head as a cluster (Test connection first), train a GBM on it from
// the train dialog, watch its log on the Jobs page, kill the app mid-job, start it again and see the job
// re-attached and finished, and the run with its metrics in the experiment browser.
const BIN = process.env.CAIRN_BIN ?? '/root/.cache/cairn/target/release/cairn';
const RAY = process.env.RAY_ADDRESS ?? '';
const RAY_TOKEN = process.env.RAY_TOKEN ?? '';
const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'screens');

interface Serve {
  child: ChildProcess;
  origin: string;
  token: string;
}

function serve(demo: string, env: NodeJS.ProcessEnv): Promise<Serve> {
  const token = randomBytes(16).toString('hex');
  const child = spawn(BIN, ['serve', demo, '--port', '0', '--token', token], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL from cairn serve:\n${out}`)), 30_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /open:\s*(http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.resume();
        resolve({ child, origin: new URL(m[1]).origin, token });
      }
    });
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => reject(new Error(`cairn serve exited ${code}:\n${out}`)));
  });
}

async function open(page: Page, s: Serve, hash = '') {
  await page.goto(`${s.origin}/?token=${s.token}${hash}`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-ready', 'true');
}

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

test.skip(!RAY || !RAY_TOKEN, 'needs a Ray head: run tests/ray/run.sh');

test('a GBM trained on a Ray cluster from the UI survives an app restart and lands in the runs', async ({ page }) => {
  const tmp = mkdtempSync(join(tmpdir(), 'cairn-ray-e2e-'));
  const config = join(tmp, 'config');
  const demo = join(tmp, 'demo');
  mkdirSync(config);
  // Tokens go to the encrypted file here, whatever keyring the machine has (tests/ray/keyring.sh tests that one).
  const env = { ...process.env, CAIRN_CONFIG_DIR: config, CAIRN_KEYRING: 'off' };
  let server: Serve | undefined;
  try {
    const made = spawnSync(BIN, ['demo', demo], { env, encoding: 'utf8', timeout: 120_000 });
    expect(made.status, made.stderr).toBe(0);
    server = await serve(demo, env);
    await open(page, server);

    // Add the cluster: a wrong token is named, the right one connects, and the profile says where the token went.
    await page.getByTestId('sidebar-clusters-link').click();
    const form = page.getByTestId('cluster-form');
    await form.getByTestId('cluster-name').fill('lab');
    await form.getByTestId('cluster-address').fill(RAY);
    await form.getByTestId('cluster-token-input').fill('not-the-token');
    await form.getByTestId('cluster-form-test').click();
    await expect(form.getByTestId('cluster-error')).toContainText('refused the token');
    await expect(form.getByTestId('cluster-error')).toHaveAttribute('data-code', 'CLUSTER_AUTH');
    await form.getByTestId('cluster-token-input').fill(RAY_TOKEN);
    await form.getByTestId('cluster-form-test').click();
    await expect(form.getByTestId('cluster-ok')).toContainText('Ray 2.60.0');
    await form.getByTestId('cluster-save').click();
    const item = page.locator('[data-testid="cluster-item"][data-cluster="lab"]');
    await expect(item.getByTestId('cluster-token')).toContainText('secrets.enc (encrypted)');
    await item.getByTestId('cluster-test').click();
    await expect(item.getByTestId('cluster-ok')).toContainText('token accepted');
    await shot(page, 'ray-clusters');

    // Train a GBM on it from the train dialog.
    await page.getByTestId('runs-link').click();
    await page.getByTestId('train-button').click();
    const dialog = page.getByTestId('train-dialog');
    await dialog.getByTestId('train-target').selectOption('readmitted_30d');
    await dialog.getByTestId('train-model').selectOption('gbm');
    await dialog.getByTestId('train-param-iterations').fill('1500');
    // Every round, so the fit is still running when the server is killed below.
    await dialog.getByTestId('train-param-early_stopping_rounds').fill('0');
    await dialog.getByTestId('train-on').selectOption('lab');
    await expect(dialog).toContainText('The dataset is sent with the job');
    await dialog.getByTestId('train-submit').click();
    await expect(page.getByTestId('run-status')).toBeVisible();
    const runUrl = page.url();
    const rid = /\/r\/([^/?]+)/.exec(runUrl)?.[1] ?? '';
    expect(rid).not.toBe('');

    // Its job on the Jobs page: on "lab", running, with its log.
    await page.getByTestId('jobs-link').click();
    const row = page.getByTestId('job-row').first();
    await expect(row.getByTestId('job-where')).toHaveText('lab');
    await expect(row).toHaveAttribute('data-state', /queued|running/);
    await row.getByTestId('job-open').click();
    await expect(page.getByTestId('job-log-text')).toContainText('training gbm', { timeout: 120_000 });
    await shot(page, 'ray-job-running');
    await expect(page.getByTestId('job-log-text')).not.toContainText('finished:');

    // The app dies mid-job, and starts again on the same project.
    server.child.kill('SIGKILL');
    await new Promise((r) => server!.child.once('exit', r));
    server = await serve(demo, env);
    await open(page, server, `#/p/${/\/p\/([^/]+)/.exec(runUrl)?.[1]}/jobs`);
    const again = page.getByTestId('job-row').first();
    await expect(again.getByTestId('job-where')).toHaveText('lab');
    await expect(again).toHaveAttribute('data-state', 'succeeded', { timeout: 300_000 });
    await again.getByTestId('job-open').click();
    await expect(page.getByTestId('job-log-text')).toContainText('finished');
    await shot(page, 'ray-job-done');

    // The run in the experiment browser, with the metrics that came back from the cluster.
    await page.getByTestId('job-open-run').click();
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'FINISHED');
    await expect(page.getByTestId('key-metrics')).toContainText('ROC AUC');
    await page.getByTestId('runs-link').click();
    await expect(page.locator(`[data-testid="run-row"][data-run-id="${rid}"]`)).toBeVisible();
    await shot(page, 'ray-runs');
  } finally {
    server?.child.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
});
