// Rotation in Chromium through the harness, against the real OpenBao: Rotate Now with a
// required reason, Emergency Reset with an incident ID, and a bulk job with its preview,
// typed confirmation, live progress and final report. Vault is checked after each step.
import { expect, test, type Page } from '@playwright/test';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { seedTenants } from '../../src/main/services/seed/seeder';
import { createKvStore, type KvStore, createKvV2Mount } from '../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../src/main/services/vault/vault-client';
import { startHarness, type Harness } from '../harness/harness';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const COUNT = 30;
let root: VaultClient;
let kv: KvStore;
let harness: Harness;
let mount = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: state.openbao.addr }), state.openbao.rootToken);
  // A mount of its own (signed in with the root token), so other specs' tenants are untouched.
  mount = `rot-e2e-${Date.now().toString(36)}`;
  await createKvV2Mount(root, mount);
  kv = createKvStore(root, mount);
  await seedTenants({ client: root, mount, count: COUNT, concurrency: 8, seed: 'rot-e2e', dkimPoolSize: 2, logger: quiet });
  harness = await startHarness({
    env: { VAULT_ADDR: state.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount },
    build: 'never',
    keychainService: `vault-console-e2e-rotation-${Date.now()}`,
  });
});

test.afterAll(async () => {
  await harness?.close();
  await root?.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
  root?.close();
});

async function openRotation(page: Page) {
  await page.goto(harness.url);
  await page.getByTestId('nav-rotation').click();
  if (await page.getByTestId('sign-in').isVisible()) {
    await page.getByTestId('method-token').click();
    await page.getByTestId('sign-in-token').fill(state.openbao.rootToken);
    await page.getByTestId('sign-in-submit').click();
  }
  await expect(page.getByTestId('rotation-view')).toBeVisible();
}

test('Rotate Now refuses an empty reason, then rotates the SSH key and shows the fingerprint Vault holds', async ({ page }) => {
  await openRotation(page);
  await page.getByTestId('rotate-one-tenant').fill('t-000001');
  await page.getByTestId('rotate-one-target').fill('ssh-admin');
  await page.getByTestId('rotate-now').click();
  await page.getByTestId('rotation-submit').click();
  await expect(page.getByTestId('rotation-error')).toHaveText('A reason is required.');
  expect((await kv.readMetadata('t-000001/ssh/admin'))!.currentVersion).toBe(1);
  await page.getByTestId('rotation-reason').fill('Quarterly review');
  await page.getByTestId('rotation-submit').click();
  await expect(page.getByTestId('rotation-result-version')).toHaveText('1 → 2');
  const d = (await kv.read('t-000001/ssh/admin'))!;
  await expect(page.getByTestId('rotation-result-fingerprint')).toHaveText(String(d.data.fingerprint));
  await expect(page.getByTestId('rotation-result-grace')).toHaveText(String(d.data.grace_until));
  expect(d.data).toMatchObject({ rotation_reason: 'Quarterly review' });
  // The private key never reaches the page.
  expect(await page.content()).not.toContain('OPENSSH PRIVATE KEY');
  await page.getByTestId('rotation-close').click();
  await expect(page.getByTestId('rotate-dialog')).toHaveCount(0);
});

test('Emergency Reset refuses a malformed incident ID, then resets SMTP with no grace', async ({ page }) => {
  await openRotation(page);
  await page.getByTestId('rotate-one-tenant').fill('t-000002');
  await page.getByTestId('rotate-one-target').fill('smtp');
  const before = (await kv.read('t-000002/smtp/admin'))!;
  await page.getByTestId('emergency-reset').click();
  await page.getByTestId('rotation-incident').fill('incident 7');
  await page.getByTestId('rotation-submit').click();
  await expect(page.getByTestId('rotation-error')).toContainText('Malformed incident ID');
  await page.getByTestId('rotation-incident').fill('INC-2041');
  await page.getByTestId('rotation-submit').click();
  await expect(page.getByTestId('rotation-result-grace')).toHaveText('None: the old credential is invalid now');
  const after = (await kv.read('t-000002/smtp/admin'))!;
  expect(after.version).toBe(before.version + 1);
  expect(after.data.password).not.toBe(before.data.password);
  expect(after.customMetadata.rotation_incident).toBe('INC-2041');
  expect(await page.content()).not.toContain(String(after.data.password));
});

test('bulk: Rotate All SMTP Credentials shows a preview, needs the typed confirmation, streams progress and ends with a report', async ({ page }) => {
  await openRotation(page);
  const before = new Map<string, number>();
  for (let i = 1; i <= COUNT; i++) {
    const id = `t-${String(i).padStart(6, '0')}`;
    before.set(id, (await kv.readMetadata(`${id}/smtp/admin`))!.currentVersion);
  }
  await page.getByTestId('bulk-all-smtp').click();
  await expect(page.getByTestId('bulk-preview-summary')).toContainText(`${COUNT} secret(s) in ${COUNT} tenant(s): SSH 0, SMTP ${COUNT}`);
  await expect(page.getByTestId('bulk-start')).toBeDisabled();
  await page.getByTestId('bulk-reason').fill('Quarterly SMTP rotation');
  await page.getByTestId('bulk-confirm').fill(`ROTATE ${COUNT - 1}`);
  await expect(page.getByTestId('bulk-start')).toBeDisabled();
  await page.getByTestId('bulk-confirm').fill(`ROTATE ${COUNT}`);
  await page.getByTestId('bulk-start').click();
  const job = page.getByTestId('bulk-job').first();
  await expect(job).toHaveAttribute('data-status', 'completed', { timeout: 60_000 });
  await expect(job.getByTestId('bulk-job-progress')).toContainText(`done ${COUNT} · failed 0 · skipped 0 · remaining 0`);
  await expect(page.getByTestId('bulk-report-summary')).toHaveText(`completed: ${COUNT} rotated, 0 failed, 0 skipped, 0 remaining`);
  for (const [id, v] of before) expect((await kv.readMetadata(`${id}/smtp/admin`))!.currentVersion, id).toBe(v + 1);
});
