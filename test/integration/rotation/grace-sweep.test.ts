// Grace periods end by themselves: a real session (token sign-in to the real OpenBao) and
// a manual clock drive the rotation service's sweep, which retires the previous SSH key
// after 24 hours and the previous DKIM selector after 48 hours without anyone clicking,
// writes each retirement once (a later sweep changes nothing), records it in the audit
// trail, and takes its candidates from the inventory's index when one covers the mount.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { AuditRecorder } from '../../../src/main/services/audit/audit-recorder';
import { InventoryService } from '../../../src/main/services/inventory/inventory-service';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { recorderRotationAudit } from '../../../src/main/services/rotation/rotation-audit';
import { SessionService } from '../../../src/main/services/session/session-service';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { InventoryRepo } from '../../../src/main/services/storage/inventory-repo';
import { ManualClock } from '../../../src/main/services/time/clock';
import { createKvStore, type KvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, rootClient, seed } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;
const HOUR = 3_600_000;
const MIN = 60_000;

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
});
afterAll(() => root?.close());

/** A real session on the test server, signed out until the test signs in. */
function newSession(clock: ManualClock, mount: string): SessionService {
  return new SessionService({ store: new MemorySecretStore(), clock }, connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount }), 'p-grace');
}

async function versions(kv: KvStore, paths: string[]): Promise<number[]> {
  return Promise.all(paths.map(async (p) => (await kv.readMetadata(p))!.currentVersion));
}

describe('grace retirement on a timer', () => {
  it('retires the old SSH key after 24 h and the old DKIM selector after 48 h by itself, and only once', async () => {
    const mount = await freshMount(root, 'rot-grace');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 2, 'rot-grace');
    const clock = new ManualClock(Date.now());
    const session = newSession(clock, mount);
    const { service } = newService(root, mount, { clock, session, actor: () => 'root', client: () => session.requireClient(), graceSweep: { indexEveryMs: 5 * MIN, vaultEveryMs: 5 * MIN } });

    await session.loginToken(s.openbao.rootToken);
    await service.graceSweepIdle();
    const ssh = await service.rotateOne('t-000001', 'ssh-admin', 'grace by timer');
    const domain = (await kv.list('t-000001/dkim'))[0]!;
    const dkim = await service.rotateOne('t-000001', `dkim:${domain}`, 'grace by timer');
    expect(Date.parse(ssh.graceUntil!) - clock.now()).toBe(24 * HOUR);
    expect(Date.parse(dkim.graceUntil!) - clock.now()).toBe(48 * HOUR);
    const paths = ['t-000001/ssh/admin', `t-000001/dkim/${domain}`];
    const v0 = await versions(kv, paths);

    // 23 hours later: the sweep has run many times, nothing is due yet.
    clock.advance(23 * HOUR);
    await service.graceSweepIdle();
    expect(await versions(kv, paths)).toEqual(v0);
    expect((await kv.readMetadata(paths[0]!))!.customMetadata.previous_status).toBe('grace');

    // 25 hours: the SSH grace is over; the old key left valid_public_keys and is marked retired.
    clock.advance(2 * HOUR);
    await service.graceSweepIdle();
    const sshData = (await kv.read(paths[0]!))!;
    expect(sshData.version).toBe(v0[0]! + 1);
    expect(sshData.data.valid_public_keys).toEqual([sshData.data.public_key]);
    expect(sshData.data.previous_public_key).toBeTruthy();
    expect((await kv.readMetadata(paths[0]!))!.customMetadata).toMatchObject({ previous_status: 'retired', retired_by: 'root' });
    expect((await kv.readMetadata(paths[0]!))!.customMetadata.grace_until).toBeUndefined();
    expect((await kv.readMetadata(paths[1]!))!.currentVersion).toBe(v0[1]);

    // 49 hours: the DKIM grace is over; the old private key leaves the current version.
    clock.advance(24 * HOUR);
    await service.graceSweepIdle();
    const dk = (await kv.read(paths[1]!))!;
    expect(dk.version).toBe(v0[1]! + 1);
    expect(dk.data.previous_private_key).toBeUndefined();
    expect(dk.data.previous_selector).toBe(dkim.previousSelector);
    expect((await kv.readMetadata(paths[1]!))!.customMetadata.previous_status).toBe('retired');

    // Idempotent: more sweeps write nothing.
    const after = await versions(kv, paths);
    clock.advance(3 * HOUR);
    await service.graceSweepIdle();
    expect(await service.sweepGrace()).toMatchObject({ candidates: 0, retired: [] });
    expect(await versions(kv, paths)).toEqual(after);
    await service.dispose();
    session.dispose();
  });

  it('records each retirement in the audit trail and takes candidates from the inventory index', async () => {
    const mount = await freshMount(root, 'rot-grace-ix');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 3, 'rot-grace-ix');
    const clock = new ManualClock(Date.now());
    const session = newSession(clock, mount);
    await session.loginToken(s.openbao.rootToken);
    const { db, dir } = newService(root, mount, { clock, graceSweep: false });
    const index = new InventoryRepo(db);
    const inventory = new InventoryService({ repo: index, clock, client: () => session.requireClient(), mount: () => mount, events: { emit: () => undefined }, actor: () => 'root' });
    const recorder = new AuditRecorder(new AuditRepo(db), clock, () => ({ user: 'root' }));
    const { service } = newService(
      root,
      mount,
      {
        clock,
        client: () => session.requireClient(),
        audit: recorderRotationAudit(recorder),
        index: { repo: index, usable: (m) => index.indexedMount() === m && index.lastDone(m) !== undefined },
        onRotated: (t) => void inventory.refreshTenant(t).catch(() => undefined),
        graceSweep: false,
      },
      dir,
    );
    await service.rotateOne('t-000002', 'ssh-tenant', 'index sweep');
    await inventory.sync({ mode: 'full' });
    expect(index.lastDone(mount)).toBeDefined();

    clock.advance(25 * HOUR);
    const r = await service.sweepGrace();
    expect(r).toMatchObject({ source: 'index', retired: ['t-000002/ssh/tenant'], failed: [] });
    const md = (await kv.readMetadata('t-000002/ssh/tenant'))!.customMetadata;
    expect(md.previous_status).toBe('retired');
    const events = new AuditRepo(db).page({}, null, 100).events.filter((e) => e.path === 't-000002/ssh/tenant');
    expect(events.map((e) => [e.action, e.status, e.requestId.startsWith('vc-retire-')])).toContainEqual(['rotate', 'ok', true]);
    session.dispose();
  });
});
