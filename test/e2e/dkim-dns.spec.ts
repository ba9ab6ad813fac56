// DKIM DNS in the tenant details, in Chromium through the harness, against the real
// OpenBao and a real Knot DNS server on loopback: the profile's resolvers (bad input
// refused), Check DNS now per resolver (not found → published), "waiting for DNS" after
// the grace with how long, and "retire anyway" with a reason.
import { expect, test, type Page } from '@playwright/test';
import { connectionFromEnv } from '../../src/main/services/config/app-config';
import { RotationService } from '../../src/main/services/rotation/rotation-service';
import { seedTenants } from '../../src/main/services/seed/seeder';
import { openDatabase } from '../../src/main/services/storage/database';
import { RotationRepo } from '../../src/main/services/storage/rotation-repo';
import { systemClock } from '../../src/main/services/time/clock';
import { createKvStore, createKvV2Mount, type KvStore } from '../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../src/main/services/vault/vault-client';
import { startHarness, type Harness } from '../harness/harness';
import { startKnot, txtRecord, type KnotInstance } from '../services/dns/knot';
import { readE2eState } from './support/e2e-state';

const state = readE2eState();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
let root: VaultClient;
let kv: KvStore;
let harness: Harness;
let knot: KnotInstance;
let mount = '';
const domains: Record<string, string> = {};

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: state.openbao.addr }), state.openbao.rootToken);
  mount = `dkim-e2e-${Date.now().toString(36)}`;
  await createKvV2Mount(root, mount);
  kv = createKvStore(root, mount);
  await seedTenants({ client: root, mount, count: 2, concurrency: 2, seed: 'dkim-e2e', dkimPoolSize: 2, logger: quiet });
  for (const t of ['t-000001', 't-000002']) domains[t] = (await kv.list(`${t}/dkim`))[0]!;
  knot = await startKnot(Object.fromEntries(Object.values(domains).map((d) => [d, ''])));
  // The environment's resolver is the local Knot from the start: the grace sweep at sign-in
  // asks DNS about t-000002 before the test sets the profile's list, and no query may leave loopback.
  harness = await startHarness({
    env: { VAULT_ADDR: state.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount, VAULT_CONSOLE_DNS_RESOLVERS: knot.address },
    build: 'never',
    keychainService: `vault-console-e2e-dkim-${Date.now()}`,
  });
  // Both tenants' first DKIM key rotated: a new selector to publish, the previous one in grace.
  const rotation = new RotationService({ repo: new RotationRepo(openDatabase(':memory:')), clock: systemClock, client: () => root, mount: () => mount, actor: () => 'admin', logger: quiet });
  for (const t of ['t-000001', 't-000002']) await rotation.rotateOne(t, `dkim:${domains[t]}`, 'e2e DKIM DNS');
  await rotation.dispose();
  // t-000002's grace ended an hour ago (as if 49 h had passed).
  const path = `t-000002/dkim/${domains['t-000002']}`;
  const past = new Date(Date.now() - 3_600_000).toISOString();
  const cur = (await kv.read<Record<string, unknown>>(path))!;
  await root.request('POST', `${mount}/data/${path}`, { options: { cas: cur.version }, data: { ...cur.data, grace_until: past } });
  await root.request('PATCH', `${mount}/metadata/${path}`, { custom_metadata: { grace_until: past } });
});

test.afterAll(async () => {
  await harness?.close();
  await knot?.stop();
  await root?.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
  root?.close();
});

async function openDetails(page: Page, tenantId: string) {
  await page.goto(harness.url);
  await page.getByTestId('nav-tenants').click();
  if (await page.getByTestId('sign-in').isVisible()) {
    await page.getByTestId('method-token').click();
    await page.getByTestId('sign-in-token').fill(state.openbao.rootToken);
    await page.getByTestId('sign-in-submit').click();
  }
  await expect(page.getByTestId('tenants-view')).toBeVisible();
  await page.getByTestId('sync-full').click();
  await page.getByTestId('tenant-search').fill(tenantId);
  await expect(page.getByTestId('result-count')).toHaveText('1 tenant');
  await page.getByTestId('tenant-row').first().getByTestId('tenant-open').click();
  await expect(page.getByTestId('dkim-dns-section')).toBeVisible();
}

function row(page: Page, domain: string) {
  return page.locator(`[data-testid="dkim-dns-row"][data-domain="${domain}"]`);
}

test('the profile\'s resolvers, and Check DNS now per resolver: not found, then published', async ({ page }) => {
  const d = domains['t-000001']!;
  await openDetails(page, 't-000001');
  await page.getByTestId('dkim-edit-resolvers').click();
  // A host name is refused with a clear error, and nothing is stored.
  await page.getByTestId('dkim-resolvers-input').fill('dns.example.com');
  await page.getByTestId('dkim-resolvers-save').click();
  await expect(page.getByTestId('dkim-resolvers-error')).toContainText('Not a resolver address');
  expect(harness.services.dkimDnsRepo.resolvers(harness.services.profiles.active().id)).toBeNull();
  await page.getByTestId('dkim-resolvers-input').fill(knot.address);
  await page.getByTestId('dkim-resolvers-save').click();
  await expect(page.getByTestId('dkim-dns-resolvers')).toContainText(`this connection profile): ${knot.address}`);

  await page.getByTestId('dkim-check-dns').click();
  const newCell = row(page, d).getByTestId('dkim-dns-new');
  await expect(newCell.getByTestId('dkim-dns-new-state')).toHaveText('Not found');
  await expect(newCell.locator(`[data-resolver="${knot.address}"]`)).toHaveAttribute('data-state', 'missing');

  const data = (await kv.read<Record<string, string>>(`t-000001/dkim/${d}`))!.data;
  await knot.setZone(d, txtRecord(`${data.selector}._domainkey`, data.txt!, 100));
  await page.getByTestId('dkim-check-dns').click();
  await expect(newCell.getByTestId('dkim-dns-new-state')).toHaveText('Published');
  await expect(newCell.locator(`[data-resolver="${knot.address}"]`)).toContainText('strings joined');
  // Still in its grace period: not waiting yet; the earliest retirement is shown.
  await expect(row(page, d).getByTestId('dkim-switch-over')).toContainText('retires at the earliest');
});

test('after the grace, the tenant shows "waiting for DNS" with how long; retire anyway with a reason', async ({ page }) => {
  const d = domains['t-000002']!;
  await openDetails(page, 't-000002');
  const r = row(page, d);
  // The grace sweep at sign-in already asked DNS and held the retirement: shown without a click.
  await expect(r.getByTestId('dkim-waiting')).toHaveText('Waiting for DNS');
  expect((await kv.readMetadata(`t-000002/dkim/${d}`))!.customMetadata).toMatchObject({ previous_status: 'grace', dns_hold: 'waiting' });
  await page.getByTestId('dkim-check-dns').click();
  await expect(r.getByTestId('dkim-waiting')).toHaveText('Waiting for DNS');
  await expect(r.getByTestId('dkim-waiting')).toHaveClass(/health-yellow/);
  await expect(r.getByTestId('dkim-waiting-text')).toContainText(/waiting for DNS for (1 h|\d+ min)/);
  await r.getByTestId('dkim-retire-anyway').click();
  await expect(r.getByTestId('dkim-retire-confirm')).toBeDisabled();
  await r.getByTestId('dkim-retire-reason').fill('Registrar confirmed the record; our resolvers are filtered');
  await r.getByTestId('dkim-retire-confirm').click();
  await expect(page.getByTestId('dkim-dns-notice')).toContainText('retired');
  await expect(r.getByTestId('dkim-override')).toContainText('Registrar confirmed the record');
  const md = (await kv.readMetadata(`t-000002/dkim/${d}`))!.customMetadata;
  expect(md).toMatchObject({ previous_status: 'retired', retire_override_reason: 'Registrar confirmed the record; our resolvers are filtered', retire_override_by: expect.any(String) });
});
