// Profiles against the real OpenBao and gnome-keyring: switching profile switches the
// session and the status (permissions: test/integration/session/capabilities.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createServices, type Services } from '../../../src/main/services/container';
import { createHandlers } from '../../../src/main/handlers';
import { dispatch } from '../../../src/main/handlers/dispatch';
import { KeytarSecretStore } from '../../../src/main/services/keychain/keychain.keytar';
import { setLogSink } from '../../../src/main/services/log/logger';
import { TenantSearchInputSchema } from '../../../src/shared/contracts/inventory';
import { seedTenants } from '../../../src/main/services/seed/seeder';
import { createKvStore } from '../../../src/main/services/vault/kv';
import { createVaultClient } from '../../../src/main/services/vault/vault-client';
import { loadTestServices, type ServicesState } from '../helpers/services';

let s: ServicesState;
const open: Array<{ services: Services; dir: string }> = [];
const store = new KeytarSecretStore({ service: 'vault-console-test-profiles' });

function build(dir = mkdtempSync(join(tmpdir(), 'vc-profiles-'))) {
  const services = createServices({
    connection: connectionFromEnv({ VAULT_ADDR: s.openbao.addr }),
    shell: 'harness',
    appVersion: 'test',
    platform: 'linux',
    dataDir: dir,
    secretStore: store,
    openExternal: async () => undefined,
    events: { emit: () => undefined },
  });
  open.push({ services, dir });
  return { services, handlers: createHandlers(services), dir };
}

beforeAll(async () => {
  s = await loadTestServices();
  setLogSink(() => undefined);
});

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.services.session.logout().catch(() => undefined);
    await o.services.dispose();
    rmSync(o.dir, { recursive: true, force: true });
  }
});

describe('connection profiles (real OpenBao)', () => {
  it('switching profile switches the status and the session; switching back resumes from the keychain', async () => {
    const { services, handlers } = build();
    await services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);

    const other = await dispatch(handlers, 'profiles:save', { name: 'Nowhere', address: 'https://127.0.0.1:1', minTls: 'TLSv1.3', kvMount: 'tenants' });
    expect(other.ok).toBe(true);
    const otherId = (other as { value: { id: string } }).value.id;

    const switched = await dispatch(handlers, 'profiles:activate', { id: otherId });
    expect(switched).toMatchObject({ ok: true, value: { activeId: otherId, session: { signedIn: false } } });
    const status = await dispatch(handlers, 'vault:status', {});
    expect(status).toMatchObject({ ok: true, value: { reachable: false, address: 'https://127.0.0.1:1' } });
    expect(await dispatch(handlers, 'app:info', {})).toMatchObject({ value: { vaultAddress: 'https://127.0.0.1:1' } });

    const back = await dispatch(handlers, 'profiles:activate', { id: 'default' });
    expect(back).toMatchObject({ ok: true, value: { session: { signedIn: true, username: 'admin' } } });
    expect(await dispatch(handlers, 'vault:status', {})).toMatchObject({ value: { reachable: true, sealed: false } });
  });

  it("another cluster never shows this cluster's tenant index; editing TLS on the same cluster keeps it", async () => {
    const root = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
    const ids = ['t-970001', 't-970002'];
    try {
      await seedTenants({ client: root, mount: 'tenants', count: 2, startIndex: 970_001, seed: 'profiles-it', dkimPoolSize: 1, logger: quiet });
      const { services, handlers } = build();
      await services.session.loginUserpass(s.openbao.users.admin.username, s.openbao.users.admin.password);
      await services.inventory.sync({ mode: 'full' });
      expect(services.inventory.state().tenants).toBeGreaterThanOrEqual(2);

      // Same cluster, another TLS setting: the index stays.
      expect(await dispatch(handlers, 'profiles:save', { id: 'default', name: 'Default', address: s.openbao.addr, minTls: 'TLSv1.2', kvMount: 'tenants', confirmSignOut: true })).toMatchObject({ ok: true });
      expect(services.inventory.state().tenants).toBeGreaterThanOrEqual(2);

      // Another cluster with the same mount name: nothing of this cluster shows there.
      const other = await dispatch(handlers, 'profiles:save', { name: 'Other DC', address: 'https://127.0.0.1:1', minTls: 'TLSv1.3', kvMount: 'tenants' });
      await dispatch(handlers, 'profiles:activate', { id: (other as { value: { id: string } }).value.id });
      expect(services.inventory.state()).toMatchObject({ tenants: 0, lastSyncAt: null });
      // Signed out there, the Tenants view asks for a sign-in; underneath, the index itself is empty.
      expect(await dispatch(handlers, 'tenants:search', { query: 't-97000' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
      expect(services.inventory.search(TenantSearchInputSchema.parse({ query: 't-97000' })).total).toBe(0);
    } finally {
      // Remove the seeded tenants entirely, so other tests see the mount as it was.
      const kv = createKvStore(root, 'tenants');
      const removeTree = async (prefix: string): Promise<void> => {
        for (const key of await kv.list(prefix)) {
          if (key.endsWith('/')) await removeTree(`${prefix}${key}`);
          else await kv.deleteMetadata(`${prefix}${key}`);
        }
      };
      for (const id of ids) await removeTree(`${id}/`);
      root.close();
    }
  });

  it('the active profile survives a restart', async () => {
    const first = build();
    const saved = first.services.profiles.save({ name: 'Second', address: s.openbao.addr, minTls: 'TLSv1.3', kvMount: 'tenants' });
    await first.services.switchProfile(saved.id);
    await first.services.dispose();
    open.splice(0, 1);
    const again = build(first.dir);
    expect(again.services.profiles.active().id).toBe(saved.id);
    expect(again.services.connection().address).toBe(s.openbao.addr);
  });
});
