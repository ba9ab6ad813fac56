// The browser harness: the built renderer plus the real handlers over a loopback
// WebSocket, so Playwright can drive the UI where no Electron binary exists.
// Test-only: it lives under test/ and is never part of the packaged app.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { createServices, type Services } from '../../src/main/services/container';
import { createHandlers } from '../../src/main/handlers';
import { KeytarSecretStore } from '../../src/main/services/keychain/keychain.keytar';
import { MemoryClipboard } from '../../src/main/services/reveal/clipboard';
import { ChromiumPdfPrinter, findChromium } from '../../src/main/services/compliance/chromium-pdf';
import type { EventSink, Handlers } from '../../src/main/handlers/types';
import type { SavePathPicker } from '../../src/main/services/inventory/inventory-service';
import type { AuditFilePicker } from '../../src/main/services/audit/audit-files';
import { buildBridgeScript, ensureRendererBuilt, RENDERER_OUT, ROOT } from './build';
import { BRIDGE_PATH } from './protocol';
import { rewriteIndexHtml, sendText, serveStatic } from './static-server';
import { createSocketServer } from './ws-server';

// Loopback only; the harness exposes every handler and must never be reachable from elsewhere.
const HOST = '127.0.0.1';

export interface HarnessOptions {
  /** Accepted only as 127.0.0.1; present so a caller asking for anything else fails loudly. */
  host?: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Environment for connectionFromEnv (VAULT_ADDR ...); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Renderer build: 'if-stale' (default) rebuilds when out/renderer is older than its
   * sources; 'never' serves what is there (a second harness in a test run must not empty
   * out/renderer under the first); 'always' forces a build.
   */
  build?: 'if-stale' | 'always' | 'never';
  /** Local state (SQLite); a fresh temp dir, removed on close, when absent. */
  dataDir?: string;
  /** Keychain service name; tests may isolate their entries. */
  keychainService?: string;
  /** Environment the keychain adapter judges D-Bus from; {} simulates a machine without a keychain. */
  keychainEnv?: NodeJS.ProcessEnv;
  /** Stands in for the save dialog (tenant SSH key download): the test chooses the path; absent = cancelled. */
  savePath?: SavePathPicker;
  /** Stands in for main's open dialogs (audit log to tail, files to import): the test chooses; absent = cancelled. */
  auditFiles?: AuditFilePicker;
  /** A shorter reveal window (ms) for tests of the countdown and auto-close. */
  revealWindowMs?: number;
  /** Automatic inventory sync while signed in (off by default here: tests press Sync). */
  autoSync?: boolean;
  /** Scheduled DKIM DNS re-check while signed in (off by default here). */
  dkimDnsRecheck?: boolean;
}

export interface Harness {
  /** Page URL with the token in the fragment. */
  url: string;
  origin: string;
  token: string;
  /** URLs handed to shell:open-external; recorded, never opened. */
  openedUrls: string[];
  /** The harness's clipboard (no OS clipboard here): what a reveal copied, and whether a close cleared it. */
  clipboard: MemoryClipboard;
  services: Services;
  close(): Promise<void>;
}

function appVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  if (opts.host !== undefined && opts.host !== HOST) {
    throw new Error(`The harness binds ${HOST} only; refusing host ${JSON.stringify(opts.host)}.`);
  }
  if (opts.build !== 'never') await ensureRendererBuilt({ force: opts.build === 'always' });
  const bridgeJs = await buildBridgeScript();
  const indexHtml = await readFile(join(RENDERER_OUT, 'index.html'), 'utf8');
  // Unguessable per run; reaches the page only in the URL fragment.
  const token = randomBytes(32).toString('base64url');
  const openedUrls: string[] = [];
  const clipboard = new MemoryClipboard();

  // Events are routed once the socket server exists; services need the sink up front.
  let sink: EventSink = { emit: () => undefined };
  const tempDataDir = opts.dataDir ? null : await mkdtemp(join(tmpdir(), 'vault-console-harness-'));
  const services = createServices({
    connection: connectionFromEnv(opts.env ?? process.env),
    shell: 'harness',
    dataDir: opts.dataDir ?? tempDataDir!,
    // The real OS keychain (gnome-keyring under with-keyring.sh in tests): no fallback.
    secretStore: new KeytarSecretStore({
      ...(opts.keychainService ? { service: opts.keychainService } : {}),
      ...(opts.keychainEnv ? { env: opts.keychainEnv } : {}),
    }),
    appVersion: appVersion(),
    platform: process.platform,
    openExternal: async (url) => {
      openedUrls.push(url);
    },
    events: { emit: (event, payload) => sink.emit(event, payload) },
    savePath: opts.savePath ?? { pick: async () => null },
    auditFiles: opts.auditFiles ?? { pickLogFile: async () => null, pickImportFiles: async () => [] },
    clipboard,
    ...(opts.autoSync !== undefined ? { autoSync: opts.autoSync } : {}),
    ...(opts.dkimDnsRecheck !== undefined ? { dkimDnsRecheck: opts.dkimDnsRecheck } : {}),
    // DKIM DNS checks ask these where a profile has none (tests and the demo: a loopback Knot DNS).
    ...((opts.env ?? process.env).VAULT_CONSOLE_DNS_RESOLVERS ? { dnsResolvers: (opts.env ?? process.env).VAULT_CONSOLE_DNS_RESOLVERS } : {}),
    ...(opts.revealWindowMs !== undefined ? { revealWindowMs: opts.revealWindowMs } : {}),
    // No Electron here: SOC 2 reports print with Debian's Chromium (headless) instead of printToPDF.
    pdf: findChromium() ? new ChromiumPdfPrinter(findChromium()!) : null,
  });
  const handlers: Handlers = createHandlers(services);

  let hostHeader = '';
  let page = '';
  const httpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS-rebinding guard: only our literal loopback host:port is served.
    if (req.headers.host !== hostHeader) return sendText(res, 403, 'Forbidden');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/' || path === '/index.html') return sendText(res, 200, page, 'text/html; charset=utf-8');
    if (path === BRIDGE_PATH) return sendText(res, 200, bridgeJs, 'text/javascript; charset=utf-8');
    return serveStatic(RENDERER_OUT, path, req, res);
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port ?? 0, HOST, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  hostHeader = `${HOST}:${port}`;
  const origin = `http://${hostHeader}`;
  page = rewriteIndexHtml(indexHtml, `ws://${hostHeader}`, BRIDGE_PATH);

  const { server: wsServer, events } = createSocketServer({ token, origin, host: hostHeader, getHandlers: () => handlers });
  sink = events;
  httpServer.on('upgrade', (req, socket, head) => wsServer.handleUpgrade(req, socket, head as Buffer));

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    openedUrls,
    clipboard,
    services,
    async close() {
      await wsServer.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await services.dispose();
      if (tempDataDir) await rm(tempDataDir, { recursive: true, force: true });
    },
  };
}

