// `npm run lint` runs electronegativity through scripts/electronegativity.mjs. It must fail on
// a finding, on a file it could not parse and on a suppression without its reason, pass when
// every false positive is suppressed with one, and never touch the network.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../../..');
const SCRIPT = join(ROOT, 'scripts/electronegativity.mjs');
const dirs: string[] = [];

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'eng-lint-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function lint(input: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [SCRIPT, '--input', input], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A hardened little app whose one finding (auxclick) is suppressed with its reason. */
const SAFE_APP = {
  'main.ts': `import { app, BrowserWindow, session } from 'electron';
export function open(): BrowserWindow {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  // Auxclick can only open a window or navigate, and both are refused above.
  return new BrowserWindow({ // eng-disable AUXCLICK_JS_CHECK
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false },
  });
}
`,
  'index.html': `<!doctype html>
<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'" /></head><body></body></html>
`,
};

describe('electronegativity lint', () => {
  it('fails on a window with Node integration and no isolation, naming the checks and the line', () => {
    const dir = project({
      'main.ts': `import { BrowserWindow } from 'electron';
export const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });
`,
    });
    const r = lint(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/main\.ts:2:\d+ NODE_INTEGRATION_JS_CHECK/);
    expect(r.out).toMatch(/main\.ts:2:\d+ CONTEXT_ISOLATION_JS_CHECK/);
  }, 120_000);

  it('passes when the only finding is suppressed where it stands with its reason', () => {
    const r = lint(project(SAFE_APP));
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  it('fails on a suppression without a reason', () => {
    const dir = project({ ...SAFE_APP, 'main.ts': SAFE_APP['main.ts'].replace(/ +\/\/ Auxclick.*\n/, '') });
    const r = lint(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/main\.ts:8 eng-disable without a reason/);
    expect(r.out).not.toMatch(/AUXCLICK_JS_CHECK \(/);
  }, 120_000);

  it('fails on a file it cannot parse (a file it did not check)', () => {
    const r = lint(project({ ...SAFE_APP, 'broken.ts': 'export const = ;\n' }));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/broken\.ts: could not be parsed/);
  }, 120_000);

  it('opens no socket and resolves no name', () => {
    const dir = project(SAFE_APP);
    const record = join(dir, 'network.log');
    // Loaded before the script: records and refuses every DNS lookup and outgoing connection.
    const guard = join(dir, 'no-network.cjs');
    writeFileSync(
      guard,
      `const fs = require('node:fs'); const net = require('node:net'); const dns = require('node:dns');
const note = (what) => { fs.appendFileSync(${JSON.stringify(record)}, what + '\\n'); throw new Error('network refused: ' + what); };
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { note('connect ' + JSON.stringify(args[0])); return connect.apply(this, args); };
dns.lookup = (host) => note('lookup ' + host);
dns.promises.lookup = async (host) => note('lookup ' + host);
for (const m of ['resolve', 'resolve4', 'resolve6', 'resolveAny']) {
  dns.Resolver.prototype[m] = function (host) { note(m + ' ' + host); };
  dns.promises.Resolver.prototype[m] = async function (host) { note(m + ' ' + host); };
}
`,
    );
    writeFileSync(record, '');
    const r = lint(dir, { NODE_OPTIONS: `--require ${guard}` });
    expect(readFileSync(record, 'utf8')).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);
});
