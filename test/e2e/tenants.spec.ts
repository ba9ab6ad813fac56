// Tenant secrets inventory in Chromium through the harness, against the real OpenBao:
// sync, search, every filter, sorting and colours, the details of each secret type,
// rotation history, DKIM DNS records, API key revoke, and the tenant SSH key download.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { TenantSearchInputSchema, type TenantSearchInput } from '../../src/shared/contracts/inventory';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { seedTenants } from '../../src/main/services/seed/seeder';
import { stampsMountOf } from '../../src/main/services/vault/tenant-stamps';
import { createKvStore, type KvStore, createKvV2Mount } from '../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../src/main/services/vault/vault-client';
import { startHarness, type Harness } from '../harness/harness';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const COUNT = 30;
const HOSTILE_ID = 't-ü%_"q';
const HOSTILE_NAME = 'Müller & "Söhne" 100%_GmbH';
let root: VaultClient;
let kv: KvStore;
let harness: Harness;
let mount = '';
let dir = '';
let nextSave: string | null = null;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: state.openbao.addr }), state.openbao.rootToken);
  // A mount of its own (signed in with the root token), so other specs' tenants are untouched.
  mount = `inv-e2e-${Date.now().toString(36)}`;
  await createKvV2Mount(root, mount);
  // With its change-stamp mount, like a configured cluster (docs/vault-layout.md).
  await createKvV2Mount(root, stampsMountOf(mount));
  kv = createKvStore(root, mount);
  await seedTenants({ client: root, mount, count: COUNT, concurrency: 8, seed: 'inv-e2e', dkimPoolSize: 4, logger: quiet });
  await kv.writeMetadata(`${HOSTILE_ID}/profile`, { customMetadata: { schema: '1', type: 'profile', tenant_name: HOSTILE_NAME, vps_ip: '192.0.2.77', domains: 'm.example.com' } });
  const smtp = await kv.readMetadata('t-000005/smtp/admin');
  await kv.writeMetadata('t-000005/smtp/admin', { customMetadata: { ...smtp!.customMetadata, next_rotation: 'soon-ish' } });
  dir = mkdtempSync(join(tmpdir(), 'inv-e2e-'));
  harness = await startHarness({
    env: { VAULT_ADDR: state.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount },
    build: 'never',
    keychainService: `vault-console-e2e-tenants-${Date.now()}`,
    savePath: { pick: async () => nextSave },
  });
});

test.afterAll(async () => {
  await harness?.close();
  await root?.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
  await root?.request('DELETE', `sys/mounts/${stampsMountOf(mount)}`).catch(() => undefined);
  root?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function expected(input: TenantSearchInput) {
  return harness.services.inventory.search(TenantSearchInputSchema.parse({ limit: 1000, ...input }));
}

async function openTenants(page: Page) {
  await page.goto(harness.url);
  await page.getByTestId('nav-tenants').click();
  if (await page.getByTestId('sign-in').isVisible()) {
    await page.getByTestId('method-token').click();
    await page.getByTestId('sign-in-token').fill(state.openbao.rootToken);
    await page.getByTestId('sign-in-submit').click();
  }
  await expect(page.getByTestId('tenants-view')).toBeVisible();
}

async function openDetails(page: Page, tenantId: string) {
  await page.getByTestId('tenant-search').fill(tenantId);
  await expect(page.getByTestId('result-count')).toHaveText('1 tenant');
  await page.getByTestId('tenant-row').first().getByTestId('tenant-open').click();
  await expect(page.getByTestId('tenant-details')).toContainText(tenantId);
}

test('syncs the index from Vault with progress and shows its age', async ({ page }) => {
  await openTenants(page);
  await expect(page.getByTestId('tenants-empty-index')).toBeVisible();
  await page.getByTestId('sync').click();
  await expect(page.getByTestId('result-count')).toHaveText(`${COUNT + 1} tenants`);
  await expect(page.getByTestId('index-age')).toContainText(`Index: ${COUNT + 1} tenants, synced`);
  // Windowed: never more rows in the DOM than fit the view plus a margin.
  expect(await page.getByTestId('tenant-row').count()).toBeLessThanOrEqual(COUNT + 1);
});

test('searches by tenant id, name (any case, unicode, wildcards literal) and VPS IP prefix', async ({ page }) => {
  await openTenants(page);
  await page.getByTestId('tenant-search').fill('t-000012');
  await expect(page.getByTestId('result-count')).toHaveText('1 tenant');
  await expect(page.getByTestId('tenant-row').first()).toHaveAttribute('data-tenant-id', 't-000012');

  await page.getByTestId('tenant-search').fill('MÜLLER & "SÖHNE" 100%_');
  await expect(page.getByTestId('result-count')).toHaveText('1 tenant');
  await expect(page.getByTestId('tenant-row').first()).toHaveAttribute('data-tenant-id', HOSTILE_ID);

  await page.getByTestId('tenant-search').fill('%');
  await expect(page.getByTestId('result-count')).toHaveText('1 tenant');

  const ip = expected({}).rows.find((r) => r.vpsIp.startsWith('10.'))!.vpsIp;
  const prefix = ip.split('.').slice(0, 2).join('.') + '.';
  const n = expected({ query: prefix }).total;
  await page.getByTestId('tenant-search').fill(prefix);
  await expect(page.getByTestId('result-count')).toHaveText(`${n} tenant${n === 1 ? '' : 's'}`);
  for (const id of await page.getByTestId('tenant-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tenant-id')))) {
    expect(expected({ query: prefix }).rows.map((r) => r.tenantId)).toContain(id);
  }
});

test('each filter, alone and combined with search, gives the matching tenants and count', async ({ page }) => {
  await openTenants(page);
  const cases: Array<[TenantSearchInput, () => Promise<void>]> = [
    [{ type: 'ssh', status: 'expired' }, async () => {
      await page.getByTestId('filter-type').selectOption('ssh');
      await page.getByTestId('filter-status').selectOption('expired');
    }],
    [{ type: 'api', status: 'revoked' }, async () => {
      await page.getByTestId('filter-type').selectOption('api');
      await page.getByTestId('filter-status').selectOption('revoked');
    }],
    [{ type: 'smtp', status: 'active' }, async () => {
      await page.getByTestId('filter-type').selectOption('smtp');
      await page.getByTestId('filter-status').selectOption('active');
    }],
    [{ type: 'dkim' }, async () => {
      await page.getByTestId('filter-type').selectOption('dkim');
      await page.getByTestId('filter-status').selectOption('');
    }],
    [{ type: 'all', due: 'overdue' }, async () => {
      await page.getByTestId('filter-type').selectOption('all');
      await page.getByTestId('filter-due').selectOption('overdue');
    }],
    [{ due: '7d' }, async () => page.getByTestId('filter-due').selectOption('7d').then(() => undefined)],
    [{ due: '30d' }, async () => page.getByTestId('filter-due').selectOption('30d').then(() => undefined)],
    [{ due: '30d', query: 't-00001' }, async () => page.getByTestId('tenant-search').fill('t-00001')],
  ];
  for (const [input, act] of cases) {
    await act();
    const want = expected(input);
    await expect(page.getByTestId('result-count'), JSON.stringify(input)).toHaveText(`${want.total} tenant${want.total === 1 ? '' : 's'}`);
    const shown = await page.getByTestId('tenant-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tenant-id')));
    expect(shown, JSON.stringify(input)).toEqual(want.rows.slice(0, shown.length).map((r) => r.tenantId));
  }
});

test('sorts by a column and colours statuses (red expired, yellow due within 7 days, green healthy)', async ({ page }) => {
  await openTenants(page);
  await page.getByTestId('sort-ssh').click();
  const want = expected({ sort: 'ssh' }).rows;
  await expect(page.getByTestId('tenant-row').first()).toHaveAttribute('data-tenant-id', want[0]!.tenantId);
  const first = page.getByTestId('tenant-row').first().getByTestId('cell-ssh');
  await expect(first).toHaveClass(/health-red/);
  const due7 = want.find((r) => r.ssh === 'due7');
  if (due7) {
    await page.getByTestId('tenant-search').fill(due7.tenantId);
    await expect(page.getByTestId('tenant-row').first().getByTestId('cell-ssh')).toHaveClass(/health-yellow/);
  }
  const healthy = want.find((r) => r.ssh === 'healthy')!;
  await page.getByTestId('tenant-search').fill(healthy.tenantId);
  await expect(page.getByTestId('tenant-row').first().getByTestId('cell-ssh')).toHaveClass(/health-green/);
  await expect(page.getByTestId('tenant-row').first().getByTestId('cell-ssh')).toHaveText('Healthy');
});

test('SSH details: status, dates and the fingerprint exactly as ssh-keygen prints it; rotation history', async ({ page }) => {
  await openTenants(page);
  await openDetails(page, 't-000001');
  const pub = (await kv.read<{ public_key: string }>('t-000001/ssh/admin'))!.data.public_key;
  const pubFile = join(dir, 'admin.pub');
  writeFileSync(pubFile, `${pub}\n`);
  const fp = execFileSync('ssh-keygen', ['-lf', pubFile], { encoding: 'utf8' }).split(' ')[1]!;
  await expect(page.getByTestId('ssh-admin-fingerprint')).toHaveText(fp);
  await expect(page.getByTestId('ssh-admin-status')).toHaveAttribute('data-health', /healthy|due30|due7|overdue|expired/);
  const downloaded = harness.services.inventory.show('t-000001').sshTenant!.lastDownloaded;
  await expect(page.getByTestId('ssh-tenant-downloaded')).toHaveText(downloaded ? `${downloaded.slice(0, 10)} ${downloaded.slice(11, 16)} UTC` : 'Never');
  await page.getByTestId('ssh-admin-history').click();
  await expect(page.getByTestId('history-row').first()).toContainText('v1 (current)');
  await expect(page.getByTestId('history-row').first()).toContainText('seed');
});

test('SMTP details: masked username, webmail URL, and "unknown" with the reason for malformed metadata', async ({ page }) => {
  await openTenants(page);
  await openDetails(page, 't-000002');
  await expect(page.getByTestId('smtp-username')).toHaveText(/^admin@\*{5}\.(com|net|org)$/);
  await expect(page.getByTestId('smtp-webmail')).toHaveText(/^https:\/\/mail\./);
  await openDetails(page, 't-000005');
  await expect(page.getByTestId('smtp-status')).toHaveText(/Unknown/);
  await expect(page.getByTestId('smtp')).toContainText('next_rotation is not a valid date');
});

test('API keys: table, usage chart, and revoke with confirmation (recorded in Vault)', async ({ page }) => {
  await openTenants(page);
  const d = harness.services.inventory.show('t-000003');
  const key = d.apiKeys.find((k) => k.status !== 'revoked') ?? d.apiKeys[0]!;
  await openDetails(page, 't-000003');
  await expect(page.getByTestId('api-row')).toHaveCount(d.apiKeys.length);
  const row = page.locator(`[data-testid="api-row"][data-key-id="${key.keyId}"]`);
  await expect(row).toContainText(key.permissions.join(', '));
  await page.getByTestId('api-usage-toggle').click();
  // Usage over time: one line per key (test/e2e/tenant-truth.spec.ts checks the axes).
  await expect(page.getByTestId('api-usage-chart').locator('.recharts-line')).toHaveCount(d.apiKeys.length);

  await row.getByTestId('api-revoke').click();
  await expect(page.getByTestId('revoke-confirm-button')).toBeDisabled();
  await page.getByTestId('revoke-confirm-input').fill(key.keyId);
  await page.getByTestId('revoke-confirm-button').click();
  await expect(row.getByTestId('api-status')).toHaveText('Revoked');
  const md = await kv.readMetadata(`t-000003/api/${key.keyId}`);
  expect(md!.customMetadata).toMatchObject({ status: 'revoked', revoked_by: 'root' });
});

test('DKIM: table and the exact TXT record to publish, copyable', async ({ page }) => {
  await openTenants(page);
  const d = harness.services.inventory.show('t-000004');
  const domain = d.dkim[0]!.domain;
  const data = (await kv.read<{ dns_name: string; txt: string }>(`t-000004/dkim/${domain}`))!.data;
  await openDetails(page, 't-000004');
  await expect(page.getByTestId('dkim-row')).toHaveCount(d.dkim.length);
  await page.getByTestId('dkim-row').first().getByTestId('dkim-dns').click();
  await expect(page.getByTestId('dns-name').first()).toHaveValue(data.dns_name);
  await expect(page.getByTestId('dns-value').first()).toHaveValue(data.txt);
  await expect(page.getByTestId('dns-copy').first()).toBeEnabled();
});

test('downloads the tenant SSH key to the chosen file with mode 0600 and records the download', async ({ page }) => {
  await openTenants(page);
  await openDetails(page, 't-000006');
  nextSave = join(dir, 'tenant_key');
  await page.getByTestId('ssh-tenant-download').click();
  await expect(page.getByTestId('details-notice')).toContainText(`Saved to ${nextSave}`);
  expect(statSync(nextSave).mode & 0o777).toBe(0o600);
  const secret = (await kv.read<{ private_key: string }>('t-000006/ssh/tenant'))!.data.private_key;
  expect(readFileSync(nextSave, 'utf8').trim()).toBe(secret.trim());
  const md = await kv.readMetadata('t-000006/ssh/tenant');
  const at = md!.customMetadata.last_downloaded!;
  expect(Date.parse(at)).toBeGreaterThan(Date.now() - 120_000);
  await expect(page.getByTestId('ssh-tenant-downloaded')).toHaveText(`${at.slice(0, 10)} ${at.slice(11, 16)} UTC`);
  // The page never held the key.
  expect(await page.content()).not.toContain('OPENSSH PRIVATE KEY');

  nextSave = null;
  await page.getByTestId('ssh-tenant-download').click();
  await expect(page.getByTestId('details-notice')).toHaveText('Download cancelled.');
});

test('a tenant deleted in Vault disappears after the next sync', async ({ page }) => {
  await openTenants(page);
  for (const p of await kv.list(HOSTILE_ID)) await kv.deleteMetadata(`${HOSTILE_ID}/${p}`);
  await page.getByTestId('sync').click();
  await expect(page.getByTestId('result-count')).toHaveText(`${COUNT} tenants`);
  await page.getByTestId('tenant-search').fill('Müller');
  await expect(page.getByTestId('result-count')).toHaveText('0 tenants');
});
