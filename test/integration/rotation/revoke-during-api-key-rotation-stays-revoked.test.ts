// A second admin revokes an API key while the first is rotating it. The revoke is a
// metadata-only write (status=revoked, no new version), so check-and-set cannot see it, and
// the rotation's own metadata write used to put status=active and clear revoked_at over
// it: the revoke was lost and the leaked key's successor went live. Against the real
// OpenBao, with a proxy holding the rotation's write until the revoke has landed: the key
// stays revoked, the rotation reports the conflict, and no new key is handed over.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { DATABASE_FILE } from '../../../src/main/services/container';
import { InventoryService } from '../../../src/main/services/inventory/inventory-service';
import { openDatabase } from '../../../src/main/services/storage/database';
import { InventoryRepo } from '../../../src/main/services/storage/inventory-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createKvStore, type KvStore } from '../../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { startHoldingProxy, type HoldingProxy } from '../helpers/holding-proxy';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, quiet, rootClient, seed, tempDir } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;
let proxy: HoldingProxy;
let viaProxy: VaultClient;

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
  proxy = await startHoldingProxy(s.openbao.addr);
  viaProxy = createVaultClient(connectionFromEnv({ VAULT_ADDR: proxy.addr }), s.openbao.rootToken);
});
afterAll(async () => {
  viaProxy?.close();
  await proxy?.close();
  root?.close();
});

async function activeKeys(kv: KvStore, tenant: string): Promise<string[]> {
  const out: string[] = [];
  for (const k of await kv.list(`${tenant}/api`)) if ((await kv.readMetadata(`${tenant}/api/${k}`))!.customMetadata.status !== 'revoked') out.push(k);
  return out;
}

describe('a revoke during an API key rotation', () => {
  it.each([
    ['the data write', 'POST', 'data'],
    ['the metadata write', 'PATCH', 'metadata'],
  ])('landing just before %s: the key stays revoked and the rotation reports the conflict', async (_what, method, kind) => {
    const mount = await freshMount(root, 'rot-revoke');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 1, 'rot-revoke');
    const [keyId] = await activeKeys(kv, 't-000001');
    expect(keyId).toBeDefined();
    const path = `t-000001/api/${keyId}`;
    // The second admin's console: its own index, the inventory's revoke.
    const db = openDatabase(join(tempDir('rot-revoke-'), DATABASE_FILE));
    const bob = new InventoryService({ repo: new InventoryRepo(db), clock: systemClock, client: () => root, mount: () => mount, logger: quiet, actor: () => 'bob' });
    await bob.sync({ mode: 'full' });
    const { service: alice } = newService(viaProxy, mount, { actor: () => 'alice' });

    const held = proxy.holdNext((m, p) => m === method && p === `${mount}/${kind}/${path}`);
    const rotating = alice.rotateOne('t-000001', `api:${keyId}`, 'leaked in a log').then(
      (r) => ({ ok: true as const, r }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    const write = await held;
    await bob.revokeApiKey('t-000001', keyId!, keyId!);
    write.release();
    const outcome = await rotating;

    const md = (await kv.readMetadata(path))!.customMetadata;
    expect(md).toMatchObject({ status: 'revoked', revoked_by: 'bob' });
    expect(md.revoked_at).toMatch(/^\d{4}-/);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.err).toMatchObject({ code: 'CONFLICT', message: `API key ${keyId} was revoked by bob while it was being rotated; it stays revoked and the new key is not valid (none is shown).` });
    }
    // The console's index agrees after a sync: revoked.
    await bob.sync({ mode: 'full' });
    expect(bob.show('t-000001').apiKeys.find((k) => k.keyId === keyId)?.status).toBe('revoked');
    db.close();
  }, 60_000);

  it('a rotation that finished before the revoke: rotated, then revoked', async () => {
    const mount = await freshMount(root, 'rot-revoke-after');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 1, 'rot-revoke-after');
    const [keyId] = await activeKeys(kv, 't-000001');
    const db = openDatabase(join(tempDir('rot-revoke-after-'), DATABASE_FILE));
    const bob = new InventoryService({ repo: new InventoryRepo(db), clock: systemClock, client: () => root, mount: () => mount, logger: quiet, actor: () => 'bob' });
    await bob.sync({ mode: 'full' });
    const { service: alice } = newService(root, mount, { actor: () => 'alice' });
    const r = await alice.rotateOne('t-000001', `api:${keyId}`, 'yearly');
    expect(r.apiKeyOnce).toMatch(/^pm_(live|test)_/);
    expect((await kv.readMetadata(`t-000001/api/${keyId}`))!.customMetadata.status).toBe('active');
    await bob.revokeApiKey('t-000001', keyId!, keyId!);
    expect((await kv.readMetadata(`t-000001/api/${keyId}`))!.customMetadata).toMatchObject({ status: 'revoked', revoked_by: 'bob' });
    // And a revoked key is never rotated again.
    await expect(alice.rotateOne('t-000001', `api:${keyId}`, 'again')).rejects.toMatchObject({ code: 'CONFLICT' });
    db.close();
  }, 60_000);
});
