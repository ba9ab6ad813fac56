// The automatic sync against the real OpenBao, with a manual clock: nothing while signed
// out; a full sync soon after sign-in (no full sync yet); incremental syncs every 15
// minutes that pick up another console's stamped change; a full sync again after 24 h;
// nothing after sign-out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { DATABASE_FILE } from '../../../src/main/services/container';
import { InventoryAutoSync } from '../../../src/main/services/inventory/auto-sync';
import { InventoryService } from '../../../src/main/services/inventory/inventory-service';
import { seedTenants } from '../../../src/main/services/seed/seeder';
import { openDatabase } from '../../../src/main/services/storage/database';
import { InventoryRepo } from '../../../src/main/services/storage/inventory-repo';
import { ManualClock } from '../../../src/main/services/time/clock';
import { createKvStore, createKvV2Mount } from '../../../src/main/services/vault/kv';
import { bumpTenantStamps, stampsMountOf } from '../../../src/main/services/vault/tenant-stamps';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { loadTestServices } from '../helpers/services';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const MIN = 60_000;
let root: VaultClient;
let mount = '';
let dir = '';

/** The session as the scheduler sees it: signed in or not, with change events. */
class SessionSwitch {
  private listeners: Array<(i: { signedIn: boolean }) => void> = [];
  signedIn = false;
  info() {
    return { signedIn: this.signedIn };
  }
  onChange(l: (i: { signedIn: boolean }) => void) {
    this.listeners.push(l);
    return () => (this.listeners = this.listeners.filter((x) => x !== l));
  }
  set(v: boolean) {
    this.signedIn = v;
    for (const l of this.listeners) l({ signedIn: v });
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  const s = await loadTestServices();
  root = createVaultClient(connectionFromEnv({ VAULT_ADDR: s.openbao.addr }), s.openbao.rootToken);
  mount = `inv-auto-${Date.now().toString(36)}`;
  await createKvV2Mount(root, mount);
  await createKvV2Mount(root, stampsMountOf(mount));
  await seedTenants({ client: root, mount, count: 6, concurrency: 6, seed: 'inv-auto', dkimPoolSize: 1, logger: quiet });
  dir = mkdtempSync(join(tmpdir(), 'inv-auto-'));
});

afterAll(async () => {
  for (const m of [mount, stampsMountOf(mount)]) await root?.request('DELETE', `sys/mounts/${m}`).catch(() => undefined);
  root?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('automatic inventory sync', () => {
  it('runs only while signed in: full first, incremental every 15 minutes, full again after a day', async () => {
    const clock = new ManualClock(Date.now());
    const db = openDatabase(join(dir, DATABASE_FILE));
    const inventory = new InventoryService({ repo: new InventoryRepo(db), clock, client: () => root, mount: () => mount, logger: quiet });
    const session = new SessionSwitch();
    const auto = new InventoryAutoSync({ inventory, session, clock, logger: quiet });
    auto.start();
    try {
      clock.advance(60 * MIN);
      expect(auto.runs).toEqual([]);
      expect(inventory.state().tenants).toBe(0);

      session.set(true);
      clock.advance(4_000);
      expect(auto.runs).toEqual([]);
      clock.advance(1_000);
      await until(() => auto.runs.length === 1, 'the first automatic sync');
      expect(auto.runs[0]).toEqual({ mode: 'full', outcome: 'done' });
      expect(inventory.state().tenants).toBe(6);

      // Another console rotates t-000003's SMTP credential (secret, then the stamp).
      const kv = createKvStore(root, mount);
      const md = await kv.readMetadata('t-000003/smtp/admin');
      await kv.writeMetadata('t-000003/smtp/admin', { customMetadata: { ...md!.customMetadata, status: 'expired' } });
      await bumpTenantStamps(root, mount, ['t-000003'], new Date(clock.now()).toISOString());
      clock.advance(15 * MIN);
      await until(() => auto.runs.length === 2, 'the 15-minute incremental sync');
      expect(auto.runs[1]).toEqual({ mode: 'incremental', outcome: 'done' });
      expect(inventory.show('t-000003').smtp).toMatchObject({ status: 'expired' });

      // A day after the first full sync, the next one is a full sync again (it catches
      // edits made without a stamp); every one before it is incremental.
      const firstFullAt = Date.parse(inventory.state().lastFullSyncAt!);
      while (auto.runs.at(-1)!.mode !== 'full' || auto.runs.length === 1) {
        const before = auto.runs.length;
        clock.advance(15 * MIN);
        await until(() => auto.runs.length === before + 1, 'a scheduled sync');
        expect(auto.runs.length).toBeLessThan(200);
      }
      expect(auto.runs.at(-1)).toEqual({ mode: 'full', outcome: 'done' });
      expect(auto.runs.slice(1, -1).every((r) => r.mode === 'incremental' && r.outcome === 'done')).toBe(true);
      const gap = Date.parse(inventory.state().lastFullSyncAt!) - firstFullAt;
      expect(gap).toBeGreaterThanOrEqual(24 * 60 * MIN);
      expect(gap).toBeLessThan(24 * 60 * MIN + 15 * MIN);

      const n = auto.runs.length;
      session.set(false);
      clock.advance(120 * MIN);
      await new Promise((r) => setTimeout(r, 100));
      expect(auto.runs.length).toBe(n);
      expect(clock.pending()).toBe(0);
    } finally {
      auto.stop();
      db.close();
    }
  }, 120_000);

  it('a failed automatic sync (sealed, unreachable, signed out underneath) is retried at the next interval', async () => {
    const clock = new ManualClock(Date.now());
    const db = openDatabase(join(dir, 'second.db'));
    let reachable = false;
    const dead = createVaultClient(connectionFromEnv({ VAULT_ADDR: 'http://127.0.0.1:9' }), 'x');
    const inventory = new InventoryService({ repo: new InventoryRepo(db), clock, client: () => (reachable ? root : dead), mount: () => mount, logger: quiet });
    const session = new SessionSwitch();
    session.signedIn = true;
    const auto = new InventoryAutoSync({ inventory, session, clock, logger: quiet });
    auto.start();
    try {
      clock.advance(5_000);
      await until(() => auto.runs.length === 1, 'the first try');
      expect(auto.runs[0]).toEqual({ mode: 'full', outcome: 'failed:VAULT_UNREACHABLE' });
      reachable = true;
      clock.advance(15 * MIN);
      await until(() => auto.runs.length === 2, 'the retry');
      expect(auto.runs[1]).toEqual({ mode: 'full', outcome: 'done' });
      expect(inventory.state().tenants).toBe(6);
    } finally {
      auto.stop();
      dead.close();
      db.close();
    }
  }, 60_000);
});
