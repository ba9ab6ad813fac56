// Security properties of the browser harness and of the page it serves.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { startHarness } from '../harness/harness';
import { resolveStaticPath } from '../harness/static-server';
import { HARNESS_PROTOCOL, TOKEN_PROTOCOL_PREFIX, WS_PATH } from '../harness/protocol';
import { readE2eState } from './support/e2e-state';

const { harness, openbao } = readE2eState();
const wsUrl = harness.origin.replace('http://', 'ws://') + WS_PATH;

/** Resolves with the HTTP status the upgrade got (101 when accepted). */
function upgradeStatus(protocols: string[], headers: Record<string, string> = { Origin: harness.origin }): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, protocols, { headers });
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

function rawGet(path: string, host = harness.origin.replace('http://', '')): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(harness.origin);
  return new Promise((resolve, reject) => {
    // node:http sends the path exactly as given (fetch would normalise "..").
    const req = httpRequest({ hostname, port, path, method: 'GET', headers: { Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const goodProtocols = [HARNESS_PROTOCOL, TOKEN_PROTOCOL_PREFIX + harness.token];

test.describe('WebSocket', () => {
  test('a connection with the token and the harness Origin is accepted (control)', async () => {
    const { status, ws } = await upgradeStatus(goodProtocols);
    expect(status).toBe(101);
    expect(ws?.protocol).toBe(HARNESS_PROTOCOL);
    ws?.close();
  });

  test('a connection without the token is refused', async () => {
    expect((await upgradeStatus([HARNESS_PROTOCOL])).status).toBe(403);
  });

  test('a connection with a wrong token is refused', async () => {
    const wrong = harness.token.slice(0, -1) + (harness.token.endsWith('A') ? 'B' : 'A');
    expect((await upgradeStatus([HARNESS_PROTOCOL, TOKEN_PROTOCOL_PREFIX + wrong])).status).toBe(403);
  });

  test('a connection from a foreign Origin is refused even with the token', async () => {
    expect((await upgradeStatus(goodProtocols, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await upgradeStatus(goodProtocols, { Origin: 'http://localhost:1' })).status).toBe(403);
    expect((await upgradeStatus(goodProtocols, {})).status).toBe(403);
  });

  test('an unknown channel over the raw socket answers UNKNOWN_CHANNEL', async () => {
    const { ws } = await upgradeStatus(goodProtocols);
    if (!ws) throw new Error('control connection refused');
    const reply = new Promise<unknown>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ type: 'invoke', id: 7, channel: 'vault:delete-everything', input: {} }));
    expect(await reply).toMatchObject({ type: 'result', id: 7, envelope: { ok: false, error: { code: 'UNKNOWN_CHANNEL' } } });
    ws.close();
  });
});

test.describe('bridge in the page', () => {
  test('unknown channels and wrongly shaped payloads get UNKNOWN_CHANNEL and BAD_INPUT envelopes', async ({ page }) => {
    await page.goto(harness.url);
    await expect(page.getByTestId('health-view')).toBeVisible();
    const results = await page.evaluate(async () => {
      const b = (globalThis as unknown as { vaultConsole: { invoke(c: string, i: unknown): Promise<unknown> } }).vaultConsole;
      return {
        unknown: await b.invoke('nope:nothing', {}),
        proto: await b.invoke('__proto__', {}),
        badType: await b.invoke('shell:open-external', { url: 42 }),
        extraKey: await b.invoke('app:info', { token: 'x' }),
        notObject: await b.invoke('vault:status', 'sealed'),
        ok: await b.invoke('app:info', {}),
      };
    });
    expect(results.unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(results.proto).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(results.badType).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(results.extraKey).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(results.notObject).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(results.ok).toMatchObject({ ok: true, value: { shell: 'harness', vaultAddress: openbao.addr } });
  });

  test('the bridge cannot be replaced by page script', async ({ page }) => {
    await page.goto(harness.url);
    const replaced = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>;
      try {
        w.vaultConsole = { invoke: () => 'hijacked' };
      } catch {
        // strict-mode assignment to a read-only property throws; that is the point
      }
      const bridge = w.vaultConsole as { invoke: () => unknown };
      return String(bridge.invoke).includes('hijacked');
    });
    expect(replaced).toBe(false);
  });

  test('shell:open-external is recorded by the harness, never opened; non-https is refused', async ({ page }) => {
    const local = await startHarness({ env: { VAULT_ADDR: openbao.addr }, build: 'never' });
    try {
      await page.goto(local.url);
      const [good, bad] = await page.evaluate(async () => {
        const b = (globalThis as unknown as { vaultConsole: { invoke(c: string, i: unknown): Promise<unknown> } }).vaultConsole;
        return [await b.invoke('shell:open-external', { url: 'https://example.com/docs' }), await b.invoke('shell:open-external', { url: 'file:///etc/passwd' })];
      });
      expect(good).toEqual({ ok: true, value: { opened: true } });
      expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
      expect(local.openedUrls).toEqual(['https://example.com/docs']);
    } finally {
      await local.close();
    }
  });
});

test.describe('static server', () => {
  test('serves assets with their content types', async () => {
    const index = await rawGet('/');
    expect(index.status).toBe(200);
    expect(index.type).toBe('text/html; charset=utf-8');
    const js = index.body.match(/src="\.\/(assets\/[^"]+\.js)"/)?.[1];
    const css = index.body.match(/href="\.\/(assets\/[^"]+\.css)"/)?.[1];
    expect(js && css).toBeTruthy();
    expect((await rawGet(`/${js}`)).type).toBe('text/javascript; charset=utf-8');
    expect((await rawGet(`/${css}`)).type).toBe('text/css; charset=utf-8');
    expect((await rawGet('/__harness/bridge.js')).type).toBe('text/javascript; charset=utf-8');
  });

  for (const path of [
    '/../package.json',
    '/../../package.json',
    '/assets/../../package.json',
    '/%2e%2e/package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/..%5c..%5cpackage.json',
    '/%252e%252e/package.json',
    '/assets/%00../package.json',
    '//etc/passwd',
    '/assets',
    '/assets/',
  ]) {
    test(`path traversal or listing is refused: ${path}`, async () => {
      const res = await rawGet(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toContain('vault-console');
      expect(res.body).not.toContain('root:');
    });
  }

  test('a symlink inside the root that points outside it is not followed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vc-static-'));
    try {
      const root = join(dir, 'root');
      await mkdir(join(root, 'assets'), { recursive: true });
      await writeFile(join(root, 'assets', 'ok.js'), '1');
      await writeFile(join(dir, 'secret.txt'), 'secret');
      await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'leak.js'));
      await symlink(dir, join(root, 'up'));
      expect(await resolveStaticPath(root, '/assets/ok.js')).toBe(join(root, 'assets', 'ok.js'));
      expect(await resolveStaticPath(root, '/assets/leak.js')).toBeNull();
      expect(await resolveStaticPath(root, '/up/secret.txt')).toBeNull();
      expect(await resolveStaticPath(root, '/')).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a foreign Host header is refused (DNS rebinding)', async () => {
    const { port } = new URL(harness.origin);
    expect((await rawGet('/', `evil.example:${port}`)).status).toBe(403);
    expect((await rawGet('/', `localhost:${port}`)).status).toBe(403);
  });
});

test.describe('page CSP', () => {
  test('the app loads and refreshes without a single CSP violation', async ({ page }) => {
    const violations: string[] = [];
    page.on('console', (msg) => {
      // Chromium reports meta frame-ancestors as unsupported; that is a warning, not a violation.
      if (/Content Security Policy/i.test(msg.text()) && !/frame-ancestors/.test(msg.text())) violations.push(msg.text());
    });
    await page.goto(harness.url);
    await expect(page.getByTestId('card-seal-value')).toContainText('Unsealed');
    await page.getByTestId('refresh').click();
    await expect(page.getByTestId('refresh')).toBeEnabled();
    expect(violations).toEqual([]);
  });

  test("script-src has no 'unsafe-eval' or 'unsafe-inline', and inline script is blocked", async ({ page }) => {
    await page.goto(harness.url);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    const directives = new Map(
      (csp ?? '').split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
    expect(scriptSrc).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    // The harness adds exactly its own socket to connect-src and nothing else.
    expect(directives.get('connect-src')).toEqual(["'self'", harness.origin.replace('http://', 'ws://')]);

    // The policy is enforced, not just declared: an injected inline script never runs.
    const inlineRan = await page.evaluate(async () => {
      const g = globalThis as unknown as {
        document: { createElement(t: string): { textContent: string }; head: { append(n: unknown): void } };
        __inlineRan?: boolean;
      };
      const s = g.document.createElement('script');
      s.textContent = 'globalThis.__inlineRan = true';
      g.document.head.append(s);
      await new Promise((r) => setTimeout(r, 100));
      return g.__inlineRan === true;
    });
    expect(inlineRan).toBe(false);
  });
});
