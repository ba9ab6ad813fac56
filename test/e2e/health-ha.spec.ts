// The spec's second topology: two OpenBao nodes on PostgreSQL storage with HA. The
// dashboard (pointed at node B) shows the active node and the standby, PostgreSQL's
// health through the storage canary, and node B's takeover within one refresh when
// the active node A stops.
import { expect, test } from '@playwright/test';
import { startHarness, type Harness } from '../harness/harness';
import { health } from '../services/openbao/openbao-api';
import { waitFor } from '../services/openbao/process';
import { startPostgresHaCluster, type PostgresHaCluster } from '../services/postgres/openbao-ha';

let cluster: PostgresHaCluster;
let harness: Harness;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  cluster = await startPostgresHaCluster();
  // Its own keychain service: this session must not replace the shared harness's one.
  harness = await startHarness({ env: { VAULT_ADDR: cluster.b.addr }, build: 'never', keychainService: 'vault-console-e2e-ha' });
});

test.afterAll(async () => {
  await harness?.services.session.logout().catch(() => undefined);
  await harness?.close();
  await cluster?.stop();
});

test('shows the active node and the standby, PostgreSQL health, and the standby taking over within one refresh', async ({ page }) => {
  await page.goto(`${harness.origin}/?refreshMs=1000#token=${harness.token}`);
  await page.getByTestId('session-sign-in').click();
  await page.getByTestId('method-token').click();
  await page.getByTestId('sign-in-token').fill(cluster.rootToken);
  await page.getByTestId('sign-in-submit').click();
  await expect(page.getByTestId('session-user')).toHaveText('root');

  // Node A is active; the console talks to B, a standby.
  await expect(page.getByTestId('card-node-value')).toContainText(cluster.a.addr);
  await expect(page.getByTestId('card-node')).toHaveAttribute('data-tone', 'green');
  await expect(page.getByTestId('card-node-detail')).toContainText(`The console talks to ${cluster.b.addr}, a standby`);
  await expect(page.getByTestId('ha-node')).toHaveCount(2);
  await expect(page.getByTestId('ha-node').filter({ hasText: cluster.a.addr })).toHaveAttribute('data-active', 'true');
  await expect(page.getByTestId('ha-node').filter({ hasText: cluster.b.addr })).toHaveAttribute('data-active', 'false');
  await expect(page.getByTestId('card-storage-value')).toContainText('PostgreSQL: healthy');
  await expect(page.getByTestId('card-storage-detail')).toContainText('Canary write and read in');
  await page.screenshot({ path: '/tmp/vc-health-ha.png', fullPage: true });

  await cluster.a.stop();
  await waitFor('node b active', async () => (await health(cluster.b.addr)).status === 200, { timeoutMs: 30_000 });
  // One 1 s refresh plus its requests.
  await expect(page.getByTestId('card-node-value')).toContainText(cluster.b.addr, { timeout: 3_000 });
  await expect(page.getByTestId('card-node-detail')).toContainText('The console talks to the active node');
  await expect(page.getByTestId('ha-node').filter({ hasText: cluster.b.addr })).toHaveAttribute('data-active', 'true');
  await expect(page.getByTestId('card-storage-value')).toContainText('PostgreSQL: healthy');
  await page.screenshot({ path: '/tmp/vc-health-ha-takeover.png', fullPage: true });
});
