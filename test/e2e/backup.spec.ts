// Backups in Chromium through the harness, against the real OpenBao and a real S3
// server started for this file: configure, Force Backup Now, history, restore.
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { expect, test, type Page } from '@playwright/test';
import { startHarness, type Harness } from '../harness/harness';
import { startS3, type S3Instance } from '../services/s3/s3-server';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
let s3: S3Instance;
// Its own harness (own SQLite, own keychain entries): the backups made here must not
// show up on the shared harness's health cards, which other specs assert on.
let harness: Harness;
const bucket = `vc-e2e-${randomBytes(4).toString('hex')}`;
const tenant = `e2e-bk-${randomBytes(3).toString('hex')}`;

async function bao(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${state.openbao.addr}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': state.openbao.rootToken, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function signIn(page: Page) {
  await page.goto(harness.url);
  // The session resumes from the keychain after load: wait for either answer.
  await expect(page.getByTestId('session-sign-out').or(page.getByTestId('session-sign-in'))).toBeVisible();
  if (await page.getByTestId('session-sign-out').isVisible()) return;
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('sign-in-username').fill(state.openbao.users.admin.username);
  await page.getByTestId('sign-in-password').fill(state.openbao.users.admin.password);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText(/admin/);
}

test.beforeAll(async () => {
  harness = await startHarness({ env: { VAULT_ADDR: state.openbao.addr }, build: 'never', keychainService: `vault-console-e2e-backup-${randomBytes(3).toString('hex')}` });
  s3 = await startS3();
  const c = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await c.send(new CreateBucketCommand({ Bucket: bucket }));
  await c.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  c.destroy();
  await bao('POST', `tenants/data/${tenant}/smtp/admin`, { data: { password: 'original' } });
});

test.afterAll(async () => {
  await harness?.close();
  await s3?.stop({ removeData: true });
});

test.describe.configure({ mode: 'serial' });

test('configures the bucket, forces a backup with progress, and lists it in the history', async ({ page }) => {
  await signIn(page);
  await page.getByTestId('nav-backups').click();
  await expect(page.getByTestId('backup-settings')).toBeVisible();
  await page.getByTestId('backup-bucket').fill(bucket);
  await page.getByTestId('backup-endpoint').fill(s3.endpoint);
  await page.getByTestId('backup-region').fill(s3.region);
  await page.getByTestId('backup-access-key').fill(s3.accessKeyId);
  await page.getByTestId('backup-secret-key').fill(s3.secretAccessKey);
  await page.getByTestId('backup-settings-save').click();
  await expect(page.getByTestId('backup-history-empty')).toBeVisible();
  // The secret key never comes back to the page.
  expect(await page.content()).not.toContain(s3.secretAccessKey);

  await page.getByTestId('backup-run').click();
  await expect(page.getByTestId('backup-notice')).toHaveText(/Backup \S+ completed/);
  const row = page.locator('[data-testid^="backup-row-"]').first();
  await expect(row).toHaveAttribute('data-status', 'completed');
  await expect(row).toContainText('Raft snapshot');
  await expect(row).toContainText('admin');
  await expect(page.getByTestId('backup-versioning')).toContainText('On');
  await expect(page.getByTestId('backup-retention')).toContainText('30 days');
});

test('a snapshot restore asks for typed confirmation and re-authentication, and refuses wrong credentials', async ({ page }) => {
  await signIn(page);
  await page.getByTestId('nav-backups').click();
  const row = page.locator('[data-testid^="backup-row-"][data-status="completed"]').first();
  const id = (await row.getAttribute('data-testid'))!.replace('backup-row-', '');
  await page.getByTestId(`backup-restore-${id}`).click();
  await expect(page.getByTestId('backup-restore-submit')).toBeDisabled();
  await page.getByTestId('backup-restore-confirm').fill(id);
  await page.getByTestId('backup-reauth-username').fill(state.openbao.users.admin.username);
  await page.getByTestId('backup-reauth-password').fill('wrong-password');
  await page.getByTestId('backup-restore-submit').click();
  await expect(page.getByTestId('backup-restore-error')).toHaveText(/Re-authentication failed/);
  await expect(page.getByTestId('backup-reauth-password')).toHaveValue('');
});

test('restores one tenant from a logical backup as a new version', async ({ page }) => {
  await signIn(page);
  await page.getByTestId('nav-backups').click();
  await page.getByTestId('backup-kind').selectOption('logical');
  await page.getByTestId('backup-run').click();
  await expect(page.getByTestId('backup-notice')).toHaveText(/completed/);
  const row = page.locator('[data-testid^="backup-row-"]').first();
  await expect(row).toContainText('Logical');
  const id = (await row.getAttribute('data-testid'))!.replace('backup-row-', '');

  await bao('POST', `tenants/data/${tenant}/smtp/admin`, { data: { password: 'broken' } });
  await page.getByTestId(`backup-restore-${id}`).click();
  await page.getByTestId('backup-restore-scope').selectOption('tenant');
  await page.getByTestId('backup-restore-tenant').fill(tenant);
  await page.getByTestId('backup-restore-confirm').fill(id);
  await page.getByTestId('backup-restore-submit').click();
  await expect(page.getByTestId('backup-restore-result')).toHaveText(/Restored 1 secrets/);
  const now = (await bao('GET', `tenants/data/${tenant}/smtp/admin`)) as { data: { data: { password: string }; metadata: { version: number } } };
  expect(now.data.data.password).toBe('original');
  expect(now.data.metadata.version).toBe(3);
});
