// Drives the real Cairn desktop app (under Xvfb) through tauri-driver + WebKitWebDriver, over plain W3C
// WebDriver HTTP calls. Shared by smoke.mjs (the app on a demo project) and welcome.mjs (the installed
// package's app with no project).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';

const W3C_ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export async function until(what, fn, ms = 30000) {
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

// The user's own recent-projects lists, wherever cairn looks outside the tests. A test gives the app a
// config folder of its own (CAIRN_CONFIG_DIR) and checks with this that these did not change anyway.
export function guardUserLists() {
  const lists = [process.env.CAIRN_CONFIG_DIR, process.env.XDG_CONFIG_HOME && join(process.env.XDG_CONFIG_HOME, 'cairn'), join(homedir(), '.config', 'cairn')]
    .filter(Boolean)
    .map((d) => join(d, 'recent-projects.json'));
  const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : null);
  const before = lists.map(read);
  return () => lists.filter((f, i) => read(f) !== before[i]);
}

// Starts tauri-driver, opens a session on `application` with `args`, and runs `fn` with helpers; always
// ends the session and stops the driver. `env` is the environment of the driver and so of the app.
export async function withApp({ application, args = [], env }, fn) {
  const port = 4444 + Math.floor(Math.random() * 1000);
  const base = `http://127.0.0.1:${port}`;
  const driverEnv = { ...env, PATH: `${homedir()}/.cargo/bin:${env.PATH ?? process.env.PATH}` };
  const driver = spawn('tauri-driver', ['--port', String(port)], { env: driverEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  let session;
  const wd = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      // No command takes this long: a stuck one fails the test instead of hanging it.
      signal: AbortSignal.timeout(60000),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
    return json.value;
  };
  const find = (css) => wd('POST', `/session/${session}/element`, { using: 'css selector', value: css }).then((e) => e[W3C_ELEMENT]);
  const text = (id) => wd('GET', `/session/${session}/element/${id}/text`);
  const click = (id) => wd('POST', `/session/${session}/element/${id}/click`, {});
  // What the screen shows: the X display the app runs on (Xvfb), captured with ImageMagick's `import`,
  // the window's menu bar included. WebDriver's own screenshot is the fallback: WebKit answers it at its
  // next rendering update, and a page at rest right after other commands sometimes gets none (the request
  // then hangs), so that path first shows a dot for two frames.
  const screenshot = async (file) => {
    mkdirSync(dirname(file), { recursive: true });
    if (process.env.DISPLAY) {
      try {
        execFileSync('import', ['-window', 'root', file], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30000 });
        return;
      } catch (e) {
        if (e.code !== 'ENOENT') throw e;
      }
    }
    await wd('POST', `/session/${session}/execute/sync`, {
      script: `const d = document.createElement('div');
        d.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;opacity:0.01;pointer-events:none';
        document.body.appendChild(d);
        requestAnimationFrame(() => requestAnimationFrame(() => d.remove()));`,
      args: [],
    });
    const shot = await wd('GET', `/session/${session}/screenshot`);
    writeFileSync(file, Buffer.from(shot, 'base64'));
  };
  try {
    await until('tauri-driver', () => fetch(`${base}/status`).then((r) => r.ok));
    const startedAt = Date.now();
    const created = await wd('POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application, args } } },
    });
    session = created.sessionId;
    return await fn({ find, text, click, screenshot, wd, startedAt });
  } finally {
    if (session) await wd('DELETE', `/session/${session}`).catch(() => {});
    driver.kill();
  }
}
