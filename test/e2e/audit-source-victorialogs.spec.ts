// Issue 18: the Audit view's source, in Chromium through the harness, against a real
// VictoriaLogs started here (loopback, basic auth, temporary data) holding the captured
// OpenBao corpora: the settings panel (bad input refused and nothing stored; the password
// to the keychain, never shown back nor sent to the page), "Test connection", the badge
// naming the source, the same counts and chart as the local store would give, and
// VictoriaLogs stopped: a clear fault state with no events, counts or chart shown
// (never a part as the whole), until it answers again.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { importAuditFile } from '../../src/main/services/audit/audit-importer';
import { AuditForwarder, victoriaLogsSink } from '../../src/main/services/audit-source/forwarder';
import { LogsqlClient } from '../../src/main/services/audit-source/logsql-client';
import { createLogger } from '../../src/main/services/log/logger';
import { AuditRepo } from '../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../src/main/services/storage/database';
import { startHarness, type Harness } from '../harness/harness';
import { startFaultProxy } from '../services/victorialogs/fault-proxy';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../services/victorialogs/victorialogs';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const FIXTURES = join(__dirname, '../fixtures/audit');
const CORPORA = ['openbao-2.4-audit.jsonl', 'openbao-2.4-adversary.jsonl'].map((f) => join(FIXTURES, f));
const USER = 'auditor';
const PASSWORD = `vl-e2e-${randomBytes(9).toString('base64url')}`;
const CLUSTER = `e2e-${randomBytes(3).toString('hex')}`;
let vl: VictoriaLogsInstance;
let harness: Harness;
/** What the local store says of the same corpora: the view must show the same on VictoriaLogs. */
let expected: { shown: number; all: number; chartTotal: number };

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  vl = await startVictoriaLogs({ basicAuth: { username: USER, password: PASSWORD } });
  const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
  const dir = mkdtempSync(join(tmpdir(), 'vc-e2e-vlogs-'));
  const stream = { vault_cluster: CLUSTER };
  const repo = new AuditRepo(openDatabase(':memory:'));
  for (const file of CORPORA) {
    const client = new LogsqlClient({ url: vl.url, authHeader: async () => auth, timeoutMs: 15_000 });
    const fwd = new AuditForwarder({ file, cursorPath: join(dir, `${file.split('/').pop()}.cursor`), sink: victoriaLogsSink(client, stream), stream, log: createLogger('forward') });
    await fwd.runOnce();
    await fwd.stop();
    client.close();
    await importAuditFile(repo, file);
  }
  await vl.flush();
  expected = { shown: repo.counts({ hideHousekeeping: true }).total, all: repo.counts({}).total, chartTotal: repo.histogram({ hideHousekeeping: true }).total };
  expect(expected.shown).toBeGreaterThan(100);
  expect(expected.shown).toBeLessThan(expected.all);
  harness = await startHarness({ env: { VAULT_ADDR: state.openbao.addr }, build: 'never', keychainService: `vault-console-e2e-vlogs-${randomBytes(3).toString('hex')}` });
});

test.afterAll(async () => {
  await harness?.close();
  await vl?.stop({ removeData: true });
});

async function openAudit(page: Page): Promise<void> {
  await page.goto(harness.url);
  const out = page.getByTestId('session-sign-out');
  await expect(out.or(page.getByTestId('session-sign-in'))).toBeVisible();
  if (!(await out.isVisible())) {
    await page.getByTestId('session-sign-in').click();
    await page.getByTestId('sign-in-username').fill(state.openbao.users.admin.username);
    await page.getByTestId('sign-in-password').fill(state.openbao.users.admin.password);
    await page.getByTestId('sign-in-submit').click();
    await expect(page.getByTestId('session-user')).toContainText(state.openbao.users.admin.username);
  }
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-view')).toBeVisible();
}

const count = (n: number) => `${n.toLocaleString('en-US')} events`;

test('the settings panel points the view at VictoriaLogs; the badge, counts and chart follow; the password never comes back', async ({ page }) => {
  test.setTimeout(120_000);
  // Everything main sends the page, to show the password is never in it.
  const received: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
  await openAudit(page);
  await expect(page.getByTestId('audit-source-label')).toHaveText('local store');
  await page.getByTestId('audit-tab-source').click();
  await expect(page.getByTestId('audit-source-kind-local')).toBeChecked();
  await page.getByTestId('audit-source-kind-victorialogs').check();

  // Bad input: a plain http:// URL to another machine is refused, and nothing is stored.
  await page.getByTestId('audit-source-url').fill('http://logs.example:9428');
  await page.getByTestId('audit-source-stream').fill(`{vault_cluster="${CLUSTER}"}`);
  await page.getByTestId('audit-source-auth').selectOption('basic');
  await page.getByTestId('audit-source-auth-user').fill(USER);
  await page.getByTestId('audit-source-credential').fill(PASSWORD);
  await page.getByTestId('audit-source-save').click();
  await expect(page.getByTestId('audit-source-form-error')).toContainText('Plain http:// is allowed only to this machine');
  expect((await harness.services.auditSources.view()).kind).toBe('local');
  expect((await harness.services.auditSources.view()).hasCredential).toBe(false);
  // A stream filter that is not name="value" pairs: refused too.
  await page.getByTestId('audit-source-url').fill(vl.url);
  await page.getByTestId('audit-source-stream').fill('{vault_cluster="x"} or *');
  await page.getByTestId('audit-source-save').click();
  await expect(page.getByTestId('audit-source-form-error')).toContainText('stream filter');
  expect((await harness.services.auditSources.view()).kind).toBe('local');

  await page.getByTestId('audit-source-stream').fill(`{vault_cluster="${CLUSTER}"}`);
  await page.getByTestId('audit-source-save').click();
  await expect(page.getByTestId('audit-source-saved')).toContainText('reads VictoriaLogs');
  // The password went to the keychain: the field is empty and says one is stored.
  await expect(page.getByTestId('audit-source-credential')).toHaveValue('');
  await expect(page.getByTestId('audit-source-credential-state')).toContainText('in the OS keychain');
  const saved = await harness.services.auditSources.view();
  expect(saved).toMatchObject({ kind: 'victorialogs', url: vl.url, authKind: 'basic', authUser: USER, hasCredential: true });
  expect(JSON.stringify(saved)).not.toContain(PASSWORD);

  await page.getByTestId('audit-source-test').click();
  const label = `VictoriaLogs at 127.0.0.1:${vl.port} {vault_cluster="${CLUSTER}"}`;
  await expect(page.getByTestId('audit-source-test-result')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('audit-source-test-result')).toContainText(`${label}: answering`);

  // The view names its source, and shows what VictoriaLogs holds: the same count and chart as the local store would.
  await expect(page.getByTestId('audit-source-label')).toHaveText(label);
  await expect(page.getByTestId('audit-source')).toHaveAttribute('data-state', 'ok');
  await page.getByTestId('audit-tab-events').click();
  await expect(page.getByTestId('audit-hide-housekeeping')).toBeChecked();
  await expect(page.getByTestId('audit-count')).toContainText(count(expected.shown), { timeout: 20_000 });
  await expect(page.getByTestId('audit-chart')).toHaveAttribute('data-source', 'stats');
  await expect(page.getByTestId('audit-chart')).toHaveAttribute('data-total', String(expected.chartTotal));
  await expect(page.getByTestId('audit-table').getByTestId('audit-row').first()).toBeVisible();
  await page.getByTestId('audit-hide-housekeeping').uncheck();
  await expect(page.getByTestId('audit-count')).toContainText(count(expected.all));
  await page.getByTestId('audit-hide-housekeeping').check();
  await expect(page.getByTestId('audit-count')).toContainText(count(expected.shown));

  expect(await page.content()).not.toContain(PASSWORD);
  expect(received.length).toBeGreaterThan(10);
  expect(received.filter((f) => f.includes(PASSWORD))).toEqual([]);
});

test('VictoriaLogs stopped: the view says so and shows no events, counts or chart; it answers again once VictoriaLogs is back', async ({ page }) => {
  test.setTimeout(120_000);
  await openAudit(page);
  await expect(page.getByTestId('audit-count')).toContainText(count(expected.shown), { timeout: 20_000 });
  const { dataDir, port } = vl;
  await vl.stop({ removeData: false });

  const badge = page.getByTestId('audit-source');
  await expect(badge).toHaveAttribute('data-state', 'unreachable', { timeout: 20_000 });
  await expect(badge).toHaveAttribute('role', 'alert');
  await expect(badge).toContainText('not reachable');
  await expect(page.getByTestId('audit-error')).toContainText(`VictoriaLogs at 127.0.0.1:${port}`);
  await expect(page.getByTestId('audit-unavailable')).toContainText('never shown as the whole');
  // Nothing of the earlier answer is left on screen as if it were this one.
  await expect(page.getByTestId('audit-table')).toHaveCount(0);
  await expect(page.getByTestId('audit-count')).toHaveCount(0);
  await expect(page.getByTestId('audit-chart')).toHaveCount(0);
  await expect(page.getByTestId('audit-breakdown')).toHaveCount(0);
  // A filter changed meanwhile is not answered from the local store either.
  await page.getByTestId('audit-filter-action').selectOption('delete');
  await expect(page.getByTestId('audit-unavailable')).toBeVisible();
  await page.getByTestId('audit-tab-source').click();
  await page.getByTestId('audit-source-test').click();
  await expect(page.getByTestId('audit-source-test-result')).toHaveAttribute('data-state', 'unreachable');
  await expect(page.getByTestId('audit-source-test-result')).toHaveAttribute('role', 'alert');

  vl = await startVictoriaLogs({ dataDir, port, basicAuth: { username: USER, password: PASSWORD } });
  await page.getByTestId('audit-tab-events').click();
  await page.getByTestId('audit-filter-action').selectOption('');
  await expect(page.getByTestId('audit-count')).toContainText(count(expected.shown), { timeout: 20_000 });
  await expect(badge).toHaveAttribute('data-state', 'ok', { timeout: 20_000 });
  await expect(page.getByTestId('audit-unavailable')).toHaveCount(0);
});

test('alerts still being computed never hold the table: events and counts first, the alerts when they come', async ({ page }) => {
  test.setTimeout(120_000);
  // VictoriaLogs behind a proxy that holds the failed sign-in detector's query until released.
  const proxy = await startFaultProxy(vl.url);
  let release: () => void = () => undefined;
  proxy.mode = { kind: 'hold', match: (body) => body.includes('action:="failed-login"'), until: new Promise<void>((r) => (release = r)) };
  try {
    await openAudit(page);
    await page.getByTestId('audit-tab-source').click();
    await page.getByTestId('audit-source-url').fill(proxy.url);
    await page.getByTestId('audit-source-save').click();
    await expect(page.getByTestId('audit-source-saved')).toContainText('reads VictoriaLogs');
    await page.getByTestId('audit-tab-events').click();
    await expect(page.getByTestId('audit-count')).toContainText(count(expected.shown), { timeout: 20_000 });
    await expect(page.getByTestId('audit-table').getByTestId('audit-row').first()).toBeVisible();
    await expect(page.getByTestId('audit-chart')).toHaveAttribute('data-total', String(expected.chartTotal));
    await expect(page.getByTestId('audit-alerts').locator('button')).toHaveCount(0);
    release();
    await expect(page.getByTestId('audit-alerts').locator('button').first()).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('audit-side-error')).toHaveCount(0);
  } finally {
    release();
    await page.getByTestId('audit-tab-source').click();
    await page.getByTestId('audit-source-url').fill(vl.url);
    await page.getByTestId('audit-source-save').click();
    await expect(page.getByTestId('audit-source-saved')).toContainText('reads VictoriaLogs');
    await proxy.close();
  }
});

test('back to the local store: the badge says so and the credential leaves the keychain', async ({ page }) => {
  await openAudit(page);
  await page.getByTestId('audit-tab-source').click();
  await page.getByTestId('audit-source-kind-local').check();
  await page.getByTestId('audit-source-save').click();
  await expect(page.getByTestId('audit-source-saved')).toContainText('reads the local store');
  await expect(page.getByTestId('audit-source-label')).toHaveText('local store');
  expect(await harness.services.auditSources.view()).toMatchObject({ kind: 'local', hasCredential: false });
});
