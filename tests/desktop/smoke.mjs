// Desktop smoke test: the real Tauri binary in a real window (run under Xvfb), driven through
// tauri-driver + WebKitWebDriver. It opens a demo project, checks the UI shows its dataset and grid,
// and saves a screenshot. Run by `make desktop-test`.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cairn = process.env.CAIRN_BIN;
const desktop = process.env.CAIRN_DESKTOP_BIN;
if (!cairn || !desktop) throw new Error('set CAIRN_BIN and CAIRN_DESKTOP_BIN');
const port = 4444 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${port}`;
// The user's own recent-projects lists, wherever cairn looks outside the tests: the app and the CLI
// below get a config folder of their own, and the run fails if these changed anyway.
const userLists = [process.env.CAIRN_CONFIG_DIR, process.env.XDG_CONFIG_HOME && join(process.env.XDG_CONFIG_HOME, 'cairn'), join(homedir(), '.config', 'cairn')]
  .filter(Boolean)
  .map((d) => join(d, 'recent-projects.json'));
const readList = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : null);
const listsBefore = userLists.map(readList);
const dir = mkdtempSync(join(tmpdir(), 'cairn-desktop-'));
const env = { ...process.env, CAIRN_CONFIG_DIR: join(dir, 'config'), PATH: `${homedir()}/.cargo/bin:${process.env.PATH}` };
const project = join(dir, 'demo');
execFileSync(cairn, ['demo', project], { env, stdio: 'inherit' });

const driver = spawn('tauri-driver', ['--port', String(port)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
let session;
const W3C_ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

async function wd(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

async function until(what, fn, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

const find = (css) => wd('POST', `/session/${session}/element`, { using: 'css selector', value: css }).then((e) => e[W3C_ELEMENT]);
const text = (id) => wd('GET', `/session/${session}/element/${id}/text`);

try {
  await until('tauri-driver', () => fetch(`${base}/status`).then((r) => r.ok));
  const started = Date.now();
  const created = await wd('POST', '/session', {
    capabilities: { alwaysMatch: { 'tauri:options': { application: desktop, args: [project] } } },
  });
  session = created.sessionId;
  await until('the UI to be ready', () => find('[data-testid="app"][data-ready="true"]'));
  console.log(`desktop: UI ready ${Date.now() - started} ms after the session started`);
  const item = await until('the demo dataset in the sidebar', async () => {
    // The attribute, not the text: WebKit's WebDriver leaves ellipsized text out of an element's text.
    const id = await find('[data-testid="dataset-item"][data-dataset="readmissions"]');
    return id ?? null;
  });
  await wd('POST', `/session/${session}/element/${item}/click`, {});
  const rows = await until('the grid row count', async () => {
    const t = await text(await find('[data-testid="row-count"]'));
    return t.includes('20,000') ? t : null;
  });
  console.log(`desktop: grid shows "${rows}"`);
  await until('grid cells', () => find('[data-testid="grid"] [data-testid="col-header"]'));
  const shot = await wd('GET', `/session/${session}/screenshot`);
  const out = join(here, '../../ui/test-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'desktop.png'), Buffer.from(shot, 'base64'));
  console.log('desktop: screenshot saved to ui/test-results/desktop.png');
  console.log('desktop smoke test passed');
} catch (e) {
  console.error(`desktop smoke test FAILED: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (session) await wd('DELETE', `/session/${session}`).catch(() => {});
  driver.kill();
  rmSync(dir, { recursive: true, force: true });
  userLists.forEach((f, i) => {
    if (readList(f) !== listsBefore[i]) {
      console.error(`desktop smoke test FAILED: it changed the user's own recent projects list ${f}`);
      process.exitCode = 1;
    }
  });
}
