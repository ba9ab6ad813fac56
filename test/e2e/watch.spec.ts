// The Health view's watcher card and the break-glass incident ID, end to end: Chromium ->
// harness -> main -> OpenBao <- `vault-console watch` (a real child process) -> a local
// PagerDuty Events v2 receiver.
import { expect, test, type Page } from '@playwright/test';
import { baoRequest, health } from '../services/openbao/openbao-api';
import { unsealOpenBao } from '../services/openbao/openbao';
import { waitFor } from '../services/openbao/process';
import { PagerDutyReceiver } from '../integration/watch/support/pagerduty-receiver';
import { startWatcher, watcherReady, watchFiles, type WatcherProcess } from '../integration/watch/support/watch-fixtures';
import { readE2eState } from './support/e2e-state';
import { ensureSignedOut } from './support/session';

const state = readE2eState();
const url = (query = '') => `${state.harness.origin}/${query}#token=${state.harness.token}`;
const MOUNT = 'tenants-watch';

async function signIn(page: Page) {
  await ensureSignedOut(page);
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('sign-in-username').fill(state.openbao.users.admin.username);
  await page.getByTestId('sign-in-password').fill(state.openbao.users.admin.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText(/admin/);
}

async function forgetHeartbeats(): Promise<void> {
  const list = await baoRequest<{ data?: { keys?: string[] } }>(state.openbao.addr, 'LIST', `${MOUNT}/metadata/watchers`, { token: state.openbao.rootToken, okStatuses: [404] });
  for (const k of list.data?.keys ?? []) await baoRequest(state.openbao.addr, 'DELETE', `${MOUNT}/metadata/watchers/${k}`, { token: state.openbao.rootToken });
}

let watcher: WatcherProcess | null = null;
let rx: PagerDutyReceiver | null = null;

test.afterEach(async ({ page }) => {
  await watcher?.stop();
  watcher = null;
  await rx?.stop();
  rx = null;
  const out = page.getByTestId('session-sign-out');
  if (await out.isVisible().catch(() => false)) {
    await out.click();
    await expect(page.getByTestId('session-sign-in')).toBeVisible();
  }
  if ((await health(state.openbao.addr)).sealed) await unsealOpenBao(state.openbao);
  await waitFor('OpenBao active', async () => (await health(state.openbao.addr)).status === 200, { timeoutMs: 30_000 });
});

test('no watcher ever reported: the watcher card warns; a running watcher turns it green with its host', async ({ page }) => {
  await forgetHeartbeats();
  await page.goto(url());
  await signIn(page);
  await expect(page.getByTestId('card-watcher-value')).toContainText('No watcher');
  await expect(page.getByTestId('card-watcher')).toHaveAttribute('data-tone', 'amber');
  await expect(page.getByTestId('card-watcher-detail')).toContainText('nobody is paged');

  const files = await watchFiles({ addr: state.openbao.addr, rootToken: state.openbao.rootToken });
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
  watcher = await startWatcher({ bao: { addr: state.openbao.addr, auditLogPath: 'discover' }, files, eventsUrl: rx.url, env: { VAULT_CONSOLE_WATCH_ID: 'e2e-ops-host', VAULT_CONSOLE_WATCH_AUDIT_LOG: 'discover' } });
  await watcherReady(watcher);
  await waitFor('the heartbeat in Vault', async () => (await baoRequest<{ data?: { keys?: string[] } }>(state.openbao.addr, 'LIST', `${MOUNT}/metadata/watchers`, { token: state.openbao.rootToken, okStatuses: [404] })).data?.keys?.includes('e2e-ops-host') ?? false, { timeoutMs: 30_000 });
  // Coming back to the Health view asks again (the card otherwise refreshes every 30 s).
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('nav-health').click();
  await expect(page.getByTestId('card-watcher-value')).toContainText('Running on ', { timeout: 20_000 });
  await expect(page.getByTestId('card-watcher')).toHaveAttribute('data-tone', 'green');
  await expect(page.getByTestId('card-watcher-detail')).toContainText('no open pages');
  await expect(page.getByTestId('watcher')).toHaveAttribute('data-stale', 'false');
});

test('sealing from the UI with an incident ID reaches the watcher, which pages it as that incident (info), not as an unexpected seal', async ({ page }) => {
  const files = await watchFiles({ addr: state.openbao.addr, rootToken: state.openbao.rootToken });
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
  watcher = await startWatcher({ bao: { addr: state.openbao.addr, auditLogPath: 'discover' }, files, eventsUrl: rx.url, env: { VAULT_CONSOLE_WATCH_ID: 'e2e-ops-host', VAULT_CONSOLE_WATCH_AUDIT_LOG: 'discover' } });
  await watcherReady(watcher);
  await watcher.waitForLog(/tailing Vault's audit log/);

  await page.goto(url('?refreshMs=1000'));
  await signIn(page);
  await page.getByTestId('seal-open').click();
  const expected = (await page.getByTestId('seal-expected').textContent()) ?? '';
  await page.getByTestId('seal-confirm').fill(expected);
  await page.getByTestId('seal-incident').fill('INC-E2E-0007');
  await page.getByTestId('seal-submit').click();
  await expect(page.getByTestId('card-seal')).toHaveAttribute('data-tone', 'red', { timeout: 10_000 });

  // The seal's own page. Between 02:00 and 06:00 UTC the off-hours rule may page too, for the
  // tenant reads around this test (its own dedup_key, not this page); no page of any other
  // condition may be about the seal (sys/seal, or the console's announcement of it).
  const page1 = await rx.waitFor((e) => e.action === 'trigger' && e.condition === 'vault-sealed', 30_000, 'the watcher page for the seal');
  expect(page1.valid, page1.problems.join('; ')).toBe(true);
  expect(rx.triggers('vault-sealed').filter((e) => e.severity !== 'info')).toEqual([]);
  expect(rx.events.filter((e) => e.action === 'trigger' && e.condition !== 'vault-sealed' && /sys\/seal|seal-intents/.test(e.raw)).map((e) => e.condition)).toEqual([]);
  expect(page1.severity).toBe('info');
  expect(page1.summary).toContain('INC-E2E-0007');
  await expect.poll(async () => watcher!.sample('vault_console_vault_sealed_by_console'), { timeout: 10_000 }).toBe(1);
});
