// Desktop smoke test: the real Tauri binary in a real window (run under Xvfb), driven through
// tauri-driver + WebKitWebDriver. It opens a demo project, checks the UI shows its dataset and grid,
// and saves a screenshot. Run by `make desktop-test`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withApp, until, guardUserLists } from './driver.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cairn = process.env.CAIRN_BIN;
const desktop = process.env.CAIRN_DESKTOP_BIN;
if (!cairn || !desktop) throw new Error('set CAIRN_BIN and CAIRN_DESKTOP_BIN');
const changedLists = guardUserLists();
const dir = mkdtempSync(join(tmpdir(), 'cairn-desktop-'));
// The app and the CLI below get a config folder of their own.
const env = { ...process.env, CAIRN_CONFIG_DIR: join(dir, 'config') };
const project = join(dir, 'demo');

try {
  execFileSync(cairn, ['demo', project], { env, stdio: 'inherit' });
  await withApp({ application: desktop, args: [project], env }, async ({ find, text, click, screenshot, startedAt }) => {
    await until('the UI to be ready', () => find('[data-testid="app"][data-ready="true"]'));
    console.log(`desktop: UI ready ${Date.now() - startedAt} ms after the session started`);
    // The attribute, not the text: WebKit's WebDriver leaves ellipsized text out of an element's text.
    const item = await until('the demo dataset in the sidebar', () => find('[data-testid="dataset-item"][data-dataset="readmissions"]'));
    await click(item);
    const rows = await until('the grid row count', async () => {
      const t = await text(await find('[data-testid="row-count"]'));
      return t.includes('20,000') ? t : null;
    });
    console.log(`desktop: grid shows "${rows}"`);
    await until('grid cells', () => find('[data-testid="grid"] [data-testid="col-header"]'));
    await screenshot(join(here, '../../ui/test-results/desktop.png'));
    console.log('desktop: screenshot saved to ui/test-results/desktop.png');
  });
  console.log('desktop smoke test passed');
} catch (e) {
  console.error(`desktop smoke test FAILED: ${e.message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  for (const f of changedLists()) {
    console.error(`desktop smoke test FAILED: it changed the user's own recent projects list ${f}`);
    process.exitCode = 1;
  }
}
