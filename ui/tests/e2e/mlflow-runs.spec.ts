import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { openApp, ORIGIN, projectId, shot, TOKEN, workFile } from './helpers';

// The venv `make mlflow-test` creates (tests/mlflow/run.sh) with the pinned mlflow client; `make test` runs
// that target before this one.
const PYTHON = process.env.CAIRN_MLFLOW_PYTHON ?? join(homedir(), '.cache', 'cairn', 'venv-mlflow', 'bin', 'python');
const EXPERIMENT = 'mlflow sweep (e2e)';

// A script as a data scientist writes it: a parent run with three nested trials, stepped metrics, tags,
// a note, files and a folder, and the script itself logged as an artifact.
const SCRIPT = `
import json, math, os, sys, tempfile
import mlflow

mlflow.set_experiment(${JSON.stringify(EXPERIMENT)})
out = {"children": []}
with mlflow.start_run(run_name="sweep-e2e") as parent:
    mlflow.set_tags({"purpose": "sweep", "mlflow.note.content": "Learning-rate sweep from a script."})
    mlflow.log_params({"epochs": 50, "sweep": "learning_rate"})
    for lr in (0.1, 0.03, 0.01):
        with mlflow.start_run(run_name=f"trial-lr-{lr}", nested=True) as child:
            mlflow.log_params({"learning_rate": lr, "batch_size": 64})
            mlflow.set_tag("lr_group", "high" if lr > 0.05 else "low")
            for epoch in range(50):
                loss = 1.2 * math.exp(-epoch * lr * 3) + 0.1
                mlflow.log_metrics({"train_loss": loss, "val_loss": loss + 0.05}, step=epoch)
            mlflow.log_metric("final_auc", 0.7 + lr)
            d = tempfile.mkdtemp()
            with open(os.path.join(d, "config.json"), "w") as f:
                json.dump({"lr": lr}, f)
            os.makedirs(os.path.join(d, "plots"))
            with open(os.path.join(d, "plots", "summary.txt"), "w") as f:
                f.write(f"lr={lr}\\n")
            mlflow.log_artifact(os.path.join(d, "config.json"))
            mlflow.log_artifacts(os.path.join(d, "plots"), artifact_path="plots")
            mlflow.log_artifact(__file__)
            out["children"].append(child.info.run_id)
    out["parent"] = parent.info.run_id
    out["experiment"] = parent.info.experiment_id
print("RESULT " + json.dumps(out))
`;

interface Logged {
  parent: string;
  children: string[];
  experiment: string;
}

function logSweep(): Logged {
  const path = workFile('sweep_e2e.py');
  writeFileSync(path, SCRIPT);
  const env = {
    ...process.env,
    MLFLOW_TRACKING_URI: ORIGIN,
    MLFLOW_TRACKING_TOKEN: TOKEN,
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
  };
  const r = spawnSync(PYTHON, [path], { env, cwd: workFile(''), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`the mlflow script failed (${r.status ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the mlflow script printed no result:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as Logged;
}

const row = (page: Page, name: string) => page.locator(`[data-testid=run-row][data-run-name="${name}"]`);

test('runs logged by the mlflow client: nested in the table, parent and children, curves, source script, artifact folders', async ({ page, request }) => {
  test.setTimeout(180_000);
  test.skip(!existsSync(PYTHON), `no mlflow client at ${PYTHON} (run \`make mlflow-test\` once, or set CAIRN_MLFLOW_PYTHON)`);
  const logged = logSweep();
  const pid = await projectId(request);

  await test.step('the table lists the parent with a caret and its children count, children indented under it when opened', async () => {
    await openApp(page, `#/p/${pid}/runs?exp=${logged.experiment}`);
    const parent = row(page, 'sweep-e2e');
    await expect(parent).toBeVisible();
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await expect(page.getByTestId('runs-count')).toContainText('1 top-level run');
    await expect(page.getByTestId('runs-nested-count')).toContainText('3 nested runs');
    await expect(parent.getByTestId('run-children-count')).toHaveText('3');
    await parent.getByTestId('run-expand').click();
    await expect(parent).toHaveAttribute('aria-expanded', 'true');
    await expect(page.locator(`[data-testid=run-row][data-parent-id="${logged.parent}"]`)).toHaveCount(3);
    await expect(page.getByTestId('run-row')).toHaveCount(4);
    await shot(page, 'mlflow-runs-nested');
    // A filter lists every match flat, children included.
    await openApp(page, `#/p/${pid}/runs?exp=${logged.experiment}&filter=${encodeURIComponent("params.batch_size = '64'")}`);
    await expect(page.getByTestId('run-row')).toHaveCount(3);
  });

  await test.step("a child's page links to its parent and draws its stepped metrics", async () => {
    await openApp(page, `#/p/${pid}/r/${logged.children[0]}`);
    await expect(page.getByTestId('run-parent')).toHaveText('sweep-e2e');
    await expect(page.locator('[data-testid=metric-curve][data-key=loss]')).toBeVisible();
    await expect(page.locator('[data-testid=metric-curve][data-key=loss]').getByTestId('chart')).toBeVisible();
    // No Cairn evaluation and no job: neither an error nor an empty section.
    await expect(page.getByTestId('no-evaluation')).toHaveCount(0);
    await expect(page.getByTestId('roc-section')).toHaveCount(0);
    await expect(page.getByTestId('lineage-source')).toContainText('sweep_e2e.py');
    await expect(page.getByTestId('lineage-source-type')).toHaveText('LOCAL');
  });

  await test.step('the source script opens from the lineage; artifact folders open and close', async () => {
    await page.getByTestId('lineage-source-view').click();
    const viewer = page.getByTestId('artifact-viewer');
    await expect(viewer).toHaveAttribute('data-path', 'sweep_e2e.py');
    await expect(viewer.getByTestId('artifact-text')).toContainText('mlflow.start_run(run_name="sweep-e2e")');
    const artifacts = page.getByTestId('artifacts');
    const dir = artifacts.locator('[data-testid=artifact-dir][data-path=plots]');
    await expect(dir).toContainText('1 file');
    const inner = artifacts.locator('[data-testid=artifact][data-path="plots/summary.txt"]');
    await expect(inner).toBeVisible();
    await expect(inner.getByTestId('artifact-download')).toHaveAttribute('href', /\/artifacts\/plots\/summary\.txt/);
    await shot(page, 'mlflow-child-run');
    await dir.getByTestId('artifact-dir-toggle').click();
    await expect(inner).toHaveCount(0);
    await artifacts.locator('[data-testid=artifact][data-path="config.json"]').getByTestId('artifact-view').click();
    await expect(page.getByTestId('artifact-viewer').getByTestId('artifact-text')).toContainText('"lr":');
  });

  await test.step("the parent's page lists its children and compares them", async () => {
    await page.getByTestId('run-parent').getByRole('link').click();
    await expect(page.getByTestId('run-page')).toBeVisible();
    const kids = page.getByTestId('child-runs');
    await expect(kids.getByTestId('child-run')).toHaveCount(3);
    await expect(kids).toContainText('final_auc');
    await shot(page, 'mlflow-parent-run');
    await kids.getByTestId('compare-children').click();
    await expect(page).toHaveURL(/#\/p\/[^/]+\/compare\?runs=/);
    for (const id of logged.children) await expect(page).toHaveURL(new RegExp(id));
  });

  await test.step('a run link in MLflow\'s form opens the run', async () => {
    await page.goto(`${ORIGIN}/?token=${TOKEN}#/experiments/${logged.experiment}/runs/${logged.children[1]}`);
    await expect(page.getByTestId('run-parent')).toHaveText('sweep-e2e');
  });
});

// One run, as a first script does it; mlflow prints "🏃 View run NAME at: URL" when the run ends.
const ONE_RUN = `
import mlflow
mlflow.set_experiment("linked (e2e)")
with mlflow.start_run(run_name="linked-e2e") as run:
    mlflow.log_param("alpha", 0.5)
    mlflow.log_metric("rmse", 1.25)
print("RUN " + run.info.run_id)
`;

test('the link the mlflow client prints opens its run, in a new tab and pasted into an open one; the sidebar counts the run as it arrives', async ({ page, context, request }) => {
  test.setTimeout(120_000);
  test.skip(!existsSync(PYTHON), `no mlflow client at ${PYTHON} (run \`make mlflow-test\` once, or set CAIRN_MLFLOW_PYTHON)`);
  const pid = await projectId(request);
  await openApp(page, `#/p/${pid}/runs`);
  const total = page.getByTestId('runs-total');
  await expect(total).toHaveText(/^\d[\d,]*$/);
  const before = Number((await total.textContent())!.replace(/,/g, ''));

  const path = workFile('one_run_e2e.py');
  writeFileSync(path, ONE_RUN);
  const env = { ...process.env, MLFLOW_TRACKING_URI: ORIGIN, MLFLOW_TRACKING_TOKEN: TOKEN, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' };
  const r = spawnSync(PYTHON, [path], { env, cwd: workFile(''), encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`the mlflow script failed (${r.status ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`);
  const runId = /^RUN (\w+)$/m.exec(r.stdout)?.[1];
  const url = /View run linked-e2e at: (\S+)/.exec(r.stdout)?.[1];
  expect(runId, r.stdout).toBeTruthy();
  // Exactly what mlflow printed, in MLflow's own UI format.
  expect(url).toMatch(new RegExp(`^${ORIGIN.replace(/[.]/g, '\\.')}/#/experiments/\\d+/runs/${runId}$`));

  await test.step('the open page counted the run without a reload', async () => {
    await expect(total).toHaveText(String(before + 1));
    await expect(page.locator('[data-testid=sidebar-experiment][data-experiment="linked (e2e)"]')).toBeVisible();
    await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-run-name', 'linked-e2e');
    // An mlflow run with an rmse is a regression run: its metric is among the default columns.
    await expect(page.locator('[data-testid=run-row][data-run-name=linked-e2e] [data-testid=run-cell][data-col="metrics.rmse"]')).toHaveText('1.250');
  });

  await test.step('opened in a new tab of the same browser (no token in the link), it shows the run', async () => {
    const tab = await context.newPage();
    await tab.goto(url!);
    await expect(tab.getByTestId('run-page')).toBeVisible();
    await expect(tab.getByTestId('run-name')).toHaveText('linked-e2e');
    await expect(tab).toHaveURL(new RegExp(`#/p/${pid}/r/${runId}$`));
    await shot(tab, 'mlflow-link-run');
    await tab.close();
  });

  await test.step('pasted into a tab that is already open, it shows the run', async () => {
    await page.goto(url!);
    await expect(page.getByTestId('run-page')).toBeVisible();
    await expect(page.getByTestId('run-name')).toHaveText('linked-e2e');
    await expect(page).toHaveURL(new RegExp(`#/p/${pid}/r/${runId}$`));
  });
});
