import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.CAIRN_BIN ?? '/root/.cache/cairn/target/release/cairn';

/** Waits for the `open: http://…` line `cairn serve` prints once it listens. */
function waitForUrl(child: ChildProcess, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`cairn serve printed no URL within ${ms} ms; output so far:\n${out}`)), ms);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /open:\s*(http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cairn serve exited with ${code} before printing its URL:\n${out}`));
    });
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The user's own recent-projects lists, wherever Cairn would look for them outside the tests (the same
 * rule as cairn_api::default_config_dir), with their bytes now (null: no file).
 */
function userRecentLists(): Map<string, string | null> {
  const dirs = [process.env.CAIRN_CONFIG_DIR, process.env.XDG_CONFIG_HOME && join(process.env.XDG_CONFIG_HOME, 'cairn'), join(homedir(), '.config', 'cairn')];
  const out = new Map<string, string | null>();
  for (const d of dirs) {
    if (!d) continue;
    const f = join(d, 'recent-projects.json');
    out.set(f, existsSync(f) ? readFileSync(f, 'utf8') : null);
  }
  return out;
}

/** Fails the run when a test wrote into the user's own recent list (it must only ever see the test's own). */
function checkUntouched(before: Map<string, string | null>): void {
  for (const [file, was] of before) {
    const now = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (now !== was) throw new Error(`the tests changed the user's own recent projects list ${file}: every cairn they start must get CAIRN_CONFIG_DIR pointing into their temporary folder`);
  }
}

/** Starts `cairn serve` on a fresh demo project; the returned function (Playwright's teardown) stops it and deletes everything. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  // The UI is not built here: `make e2e` runs after `make ui` and the release binaries that embed it (a
  // build here would touch ui/dist and make the next `make run` relink). The check below says so when
  // the binary serves an older UI than ui/dist.
  const userLists = userRecentLists();
  const tmp = mkdtempSync(join(tmpdir(), 'cairn-e2e-'));
  let server: ChildProcess | undefined;
  const teardown = async () => {
    await stop(server);
    rmSync(tmp, { recursive: true, force: true });
    checkUntouched(userLists);
  };
  // Ctrl-C during the run must not leave a server or temp files behind either.
  const onSignal = () => {
    server?.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const config = join(tmp, 'config');
    const demo = join(tmp, 'demo');
    const work = join(tmp, 'work');
    mkdirSync(config);
    mkdirSync(work);
    const env = { ...process.env, CAIRN_CONFIG_DIR: config };
    // Specs that run cairn themselves inherit it too.
    process.env.CAIRN_CONFIG_DIR = config;
    process.env.CAIRN_E2E_CONFIG = config;
    const made = spawnSync(BIN, ['demo', demo], { env, encoding: 'utf8', timeout: 120_000 });
    if (made.status !== 0) throw new Error(`${BIN} demo failed (${made.status ?? made.error?.message}):\n${made.stdout}\n${made.stderr}`);

    const token = randomBytes(16).toString('hex');
    server = spawn(BIN, ['serve', demo, '--port', '0', '--token', token], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = new URL(await waitForUrl(server, 30_000));
    // Keep draining output, or a chatty server would block on a full pipe.
    server.stdout?.resume();
    server.stderr?.resume();

    // A debug binary compiled before ui/dist existed never serves it (rust-embed resolves the folder at
    // compile time): say so plainly instead of letting every test time out.
    const index = await (await fetch(url.origin + '/')).text();
    if (!index.includes('id="app"')) {
      throw new Error(`${BIN} does not serve the built UI (run \`npm run build\` in ui/, then rebuild cairn if it still says "not built"). It served:\n${index.slice(0, 300)}`);
    }
    // The binary embeds the UI when it is compiled: one built before the last UI change serves the old
    // UI, and tests of the new one fail far from the cause. Say so here.
    const script = (html: string) => html.match(/assets\/index-[^"]+\.js/)?.[0];
    const built = readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'index.html'), 'utf8');
    if (script(index) !== script(built)) {
      throw new Error(`${BIN} serves an older UI (${script(index)}, ui/dist has ${script(built)}): rebuild it after building the UI (make ui app)`);
    }

    process.env.CAIRN_E2E_ORIGIN = url.origin;
    process.env.CAIRN_E2E_TOKEN = token;
    process.env.CAIRN_E2E_TMP = tmp;
    process.env.CAIRN_E2E_WORK = work;
    process.env.CAIRN_E2E_DEMO = demo;
    return teardown;
  } catch (e) {
    await teardown();
    throw e;
  }
}
