// Incident response, evidence packs and the SOC 2 report in Chromium through the harness,
// against the real OpenBao: an identity reads secrets, the audit view's live stream picks
// them up, the Incident view lists exactly those and rotates them under an incident id
// (checked in Vault); the Audit view's Evidence tab exports a pack, saves the public key and
// verifies the pack (intact, then "not intact" naming the record after a byte is flipped on
// disk); the Compliance view writes a SOC 2 report pack (HTML, PDF, JSON).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { seedTenants } from '../../src/main/services/seed/seeder';
import { createKvStore, createKvV2Mount, type KvStore } from '../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../src/main/services/vault/vault-client';
import { startHarness, type Harness } from '../harness/harness';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const RESULTS = resolve(__dirname, '../../test-results');
const USER = `e2e-mallory-${Date.now().toString(36)}`;
let root: VaultClient;
let kv: KvStore;
let harness: Harness;
let mount = '';
let read: string[] = [];
let since = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: state.openbao.addr }), state.openbao.rootToken);
  mount = `inc-e2e-${Date.now().toString(36)}`;
  await createKvV2Mount(root, mount);
  kv = createKvStore(root, mount);
  await seedTenants({ client: root, mount, count: 4, concurrency: 4, seed: 'inc-e2e', dkimPoolSize: 2, logger: quiet });
  await root.request('PUT', `sys/policies/acl/${USER}`, { policy: `path "${mount}/data/*" { capabilities = ["read"] }` });
  await root.request('POST', `auth/userpass/users/${USER}`, { password: 'e2e-mallory-password-1', token_policies: USER });
  harness = await startHarness({ env: { VAULT_ADDR: state.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount }, build: 'never', keychainService: `vault-console-e2e-incident-${Date.now()}` });
  // The window starts a second before the reads (second resolution in the form).
  since = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000).toISOString();
  await new Promise((r) => setTimeout(r, 1100));
  const login = (await (await fetch(`${state.openbao.addr}/v1/auth/userpass/login/${USER}`, { method: 'POST', body: JSON.stringify({ password: 'e2e-mallory-password-1' }) })).json()) as { auth: { client_token: string } };
  read = ['t-000001/ssh/admin', 't-000002/smtp/admin', 't-000003/ssh/tenant'];
  for (const p of read) {
    const r = await fetch(`${state.openbao.addr}/v1/${mount}/data/${p}`, { headers: { 'X-Vault-Token': login.auth.client_token } });
    expect(r.status).toBe(200);
  }
});

test.afterAll(async () => {
  await harness?.close();
  await root?.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
  root?.close();
});

async function open(page: Page, view: string) {
  await page.goto(harness.url);
  // Signed in first: the audit view starts its live stream when it opens with a session.
  await expect(page.getByTestId('session-sign-out').or(page.getByTestId('session-sign-in'))).toBeVisible();
  if (await page.getByTestId('session-sign-in').isVisible()) {
    await page.getByTestId('session-sign-in').click();
    await page.getByTestId('method-token').click();
    await page.getByTestId('sign-in-token').fill(state.openbao.rootToken);
    await page.getByTestId('sign-in-submit').click();
    await expect(page.getByTestId('session-sign-out')).toBeVisible();
  }
  await page.getByTestId(`nav-${view}`).click();
}

test('the Incident view lists what the identity read and rotates exactly that under the incident id', async ({ page }) => {
  await open(page, 'audit');
  // The live stream (Vault's file audit device, found through sys/audit) brings the reads in.
  await expect(page.getByTestId('audit-table').getByTestId('audit-row').filter({ hasText: USER }).first()).toBeVisible({ timeout: 30_000 });
  const before = new Map<string, number>();
  for (const p of read) before.set(p, (await kv.readMetadata(p))!.currentVersion);

  await page.getByTestId('nav-incident').click();
  await page.getByTestId('incident-kind').selectOption('user');
  await page.getByTestId('incident-value').fill(USER);
  await page.getByTestId('incident-since').fill(since.slice(0, 19));
  await page.getByTestId('incident-list').click();
  await expect(page.getByTestId('incident-summary')).toContainText('3 secret(s) in 3 tenant(s)');
  await expect(page.getByTestId('incident-secret')).toHaveCount(3);
  for (const p of read) await expect(page.getByTestId('incident-secrets')).toContainText(p);

  await page.getByTestId('incident-id').fill('INC-9001');
  await page.getByTestId('incident-preview').click();
  await expect(page.getByTestId('incident-preview-summary')).toContainText('3 secret(s) in 3 tenant(s)');
  await expect(page.getByTestId('incident-start')).toBeDisabled();
  await page.getByTestId('incident-confirm').fill('ROTATE 3');
  await page.getByTestId('incident-start').click();
  await expect(page.getByTestId('incident-report-summary')).toContainText('completed: 3 rotated, 0 failed, 0 skipped', { timeout: 60_000 });
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, 'incident-view.png'), fullPage: true });
  for (const p of read) {
    const md = (await kv.readMetadata(p))!;
    expect(md.currentVersion).toBe(before.get(p)! + 1);
    expect(md.customMetadata.rotation_incident).toBe('INC-9001');
  }
});

test('the Audit view exports an evidence pack and verifies it: intact, then a flipped byte is named', async ({ page }) => {
  await open(page, 'audit');
  await page.getByTestId('audit-filter-text').fill(USER);
  await page.getByTestId('audit-filter-text').press('Enter');
  await page.getByTestId('audit-tab-evidence').click();
  await page.getByTestId('evidence-export').click();
  const exported = page.getByTestId('evidence-exported');
  await expect(exported).toContainText('events in');
  const dir = (await exported.locator('code').first().textContent())!;
  expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
  await page.getByTestId('evidence-save-key').click();
  await expect(page.getByTestId('evidence-key')).toContainText('saved to');
  const keyPath = (await page.getByTestId('evidence-key').locator('code').nth(1).textContent())!;
  const fingerprint = (await page.getByTestId('evidence-fingerprint').textContent())!;

  await page.getByTestId('evidence-verify-pack').fill(dir);
  await page.getByTestId('evidence-verify-key').fill(keyPath);
  await page.getByTestId('evidence-verify').click();
  await expect(page.getByTestId('evidence-verdict')).toHaveAttribute('data-ok', 'true');
  await expect(page.getByTestId('evidence-verdict')).toContainText(`signed by ${fingerprint} (the key given)`);

  // One bit of one byte in the second record, on disk.
  const file = join(dir, 'events.ndjson');
  const buf = readFileSync(file);
  const second = buf.indexOf(10) + 1;
  const at = buf.indexOf(Buffer.from('"path":"'), second) + 10;
  buf[at] = buf[at]! ^ 1;
  writeFileSync(file, buf);
  await page.getByTestId('evidence-verify').click();
  await expect(page.getByTestId('evidence-verdict')).toHaveAttribute('data-ok', 'false');
  await expect(page.getByTestId('evidence-problem')).toContainText('Record 2 (line 2) was changed');
  await page.screenshot({ path: join(RESULTS, 'evidence-verify.png'), fullPage: true });
});

test('the Compliance view writes a SOC 2 report pack with HTML, PDF and JSON', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, 'compliance');
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await page.getByTestId('soc2-from').fill(yesterday);
  await page.getByTestId('soc2-to').fill(yesterday);
  await page.getByTestId('soc2-name').fill(`soc2-e2e-${Date.now()}`);
  await page.getByTestId('soc2-generate').click();
  await expect(page.getByTestId('soc2-result')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('soc2-file')).toHaveCount(3);
  const dir = (await page.getByTestId('soc2-pack').textContent())!;
  for (const f of ['report.html', 'report.pdf', 'report.json', 'manifest.json', 'manifest.sig', 'events.ndjson']) expect(existsSync(join(dir, f)), f).toBe(true);
  expect(readFileSync(join(dir, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  // A period that has not ended is refused with a clear message.
  const today = new Date().toISOString().slice(0, 10);
  await page.getByTestId('soc2-to').fill(today);
  await page.getByTestId('soc2-generate').click();
  await expect(page.getByTestId('soc2-error')).toContainText('has not ended yet');
});
