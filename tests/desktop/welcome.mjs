// The desktop app started with no project (as its desktop entry starts it) shows the welcome page: open a
// project, make a new one, and an empty recent-projects list (its config folder is a fresh one). Driven
// through tauri-driver + WebKitWebDriver under Xvfb; saves a screenshot to SHOT. Run by
// tests/desktop/package.sh on the app installed from the Debian package.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withApp, until, guardUserLists } from './driver.mjs';

const desktop = process.env.CAIRN_DESKTOP_BIN;
const shot = process.env.SHOT;
if (!desktop || !shot) throw new Error('set CAIRN_DESKTOP_BIN and SHOT');
const changedLists = guardUserLists();
const dir = mkdtempSync(join(tmpdir(), 'cairn-welcome-'));
const env = { ...process.env, CAIRN_CONFIG_DIR: join(dir, 'config') };

try {
  await withApp({ application: desktop, args: [], env }, async ({ find, text, screenshot, startedAt }) => {
    await until('the UI to be ready', () => find('[data-testid="app"][data-ready="true"]'));
    console.log(`welcome: UI ready ${Date.now() - startedAt} ms after the session started`);
    const page = await until('the welcome page', () => find('[data-testid="welcome"]'));
    // The rendered text (headings may be upper-cased by CSS), compared without case.
    let seen = '';
    const words = await until('the welcome page to list the recent projects', async () => {
      seen = (await text(page)).toLowerCase();
      return seen.includes('recent projects') && !seen.includes('loading') ? seen : null;
    }).catch((e) => {
      throw new Error(`${e.message}; the page says: ${seen}`);
    });
    for (const want of ['Your local ML studio', 'Open a project', 'New project', 'Recent projects', 'No projects yet']) {
      if (!words.includes(want.toLowerCase())) throw new Error(`the welcome page does not say "${want}"; it says: ${words}`);
    }
    for (const id of ['open-path', 'open-button', 'new-path', 'create-button']) await find(`[data-testid="${id}"]`);
    console.log('welcome: the page offers to open a project and to make one; no recent projects');
    await screenshot(shot);
    console.log(`welcome: screenshot saved to ${shot}`);
  });
  console.log('desktop welcome test passed');
} catch (e) {
  console.error(`desktop welcome test FAILED: ${e.message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  for (const f of changedLists()) {
    console.error(`desktop welcome test FAILED: it changed the user's own recent projects list ${f}`);
    process.exitCode = 1;
  }
}
