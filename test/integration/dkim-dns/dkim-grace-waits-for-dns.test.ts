// The switch-over waits for DNS: with a manual clock, the real grace sweep (RotationService
// + the DKIM DNS retirement policy, real OpenBao, real Knot DNS on loopback) retires the
// previous DKIM selector only once its grace is over AND the new selector has been seen
// published and matching on every resolver for the hold time (48 h after first seen).
// Until then it stays in grace, marked "waiting for DNS"; an admin can retire anyway with
// a reason, recorded in Vault's metadata and the console's audit record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRecorder } from '../../../src/main/services/audit/audit-recorder';
import { AuditRepo } from '../../../src/main/services/storage/audit-repo';
import { ManualClock } from '../../../src/main/services/time/clock';
import { createKvStore, type KvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { startKnot, type KnotInstance } from '../../services/dns/knot';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, rootClient, seed } from '../rotation/rotation-helpers';
import { dkimValues, dnsService, HOUR, publish } from './dkim-dns-helpers';

let s: ServicesState;
let root: VaultClient;
let k1: KnotInstance;
let k2: KnotInstance;

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
});
afterAll(async () => {
  await Promise.allSettled([k1?.stop(), k2?.stop()]);
  root?.close();
});

async function setup(prefix: string) {
  const mount = await freshMount(root, prefix);
  await seed(root, mount, 1, prefix);
  const kv: KvStore = createKvStore(root, mount);
  const domain = (await kv.list('t-000001/dkim'))[0]!;
  const path = `t-000001/dkim/${domain}`;
  const clock = new ManualClock(Date.parse('2026-12-01T10:00:00Z'));
  const t0 = clock.now();
  const resolvers = { list: [] as string[] };
  const dns = dnsService(root, mount, () => resolvers.list, { clock });
  const { service, db } = newService(root, mount, { clock, graceSweep: false, retirementPolicy: dns.retirementPolicy });
  return { mount, kv, domain, path, clock, t0, resolvers, dns, service, db };
}

describe('grace retirement of a DKIM selector waits for DNS', () => {
  it('retires only after the new selector was published and matching on every resolver for 48 h', async () => {
    const { kv, domain, path, clock, t0, resolvers, dns, service, mount } = await setup('dkim-grace');
    await service.rotateOne('t-000001', `dkim:${domain}`, 'yearly');
    await service.rotateOne('t-000001', 'ssh-admin', 'ssh is not held by DNS');
    const v = await dkimValues(root, mount, path);
    [k1, k2] = await Promise.all([startKnot({ [domain]: '' }), startKnot({ [domain]: '' })]);
    resolvers.list = [k1.address, k2.address];
    const version = async () => (await kv.readMetadata(path))!.currentVersion;
    const md = async () => (await kv.readMetadata(path))!.customMetadata;
    const v0 = await version();

    // 25 h: the SSH key retires as before (the DNS policy is not its business); DKIM is in grace.
    clock.advance(t0 + 25 * HOUR - clock.now());
    let r = await service.sweepGrace();
    expect(r.retired).toEqual(['t-000001/ssh/admin']);

    // 49 h: the grace is over but the new selector is not in DNS: held, "waiting for DNS".
    clock.advance(t0 + 49 * HOUR - clock.now());
    r = await service.sweepGrace();
    expect(r.retired).toEqual([]);
    expect(r.held).toEqual([{ path, reason: expect.stringMatching(/^Waiting for DNS: the new selector is not found/) }]);
    expect(await version()).toBe(v0);
    expect(await md()).toMatchObject({ previous_status: 'grace', dns_hold: 'waiting', dns_hold_since: new Date(t0 + 48 * HOUR).toISOString(), dns_state: 'missing' });
    const st = (await dns.status('t-000001')).keys.find((k) => k.domain === domain)!;
    expect(st.waiting).toMatchObject({ since: new Date(t0 + 48 * HOUR).toISOString(), retireAfter: null });

    // 50 h: published on one resolver of two: still held.
    await k1.setZone(domain, (await import('./dkim-dns-helpers')).records([[v.selector, v.txt]]));
    clock.advance(t0 + 50 * HOUR - clock.now());
    r = await service.sweepGrace();
    expect(r.held.map((h) => h.path)).toEqual([path]);

    // 51 h: published (as split strings) on both: first seen now; held until 51 + 48 = 99 h.
    await publish([k1, k2], domain, [[v.selector, v.txt, 120]]);
    clock.advance(t0 + 51 * HOUR - clock.now());
    r = await service.sweepGrace();
    expect(r.held).toEqual([{ path, reason: expect.stringMatching(/hold of 48 h ends/) }]);
    expect(await md()).toMatchObject({ dns_state: 'published', dns_first_seen: new Date(t0 + 51 * HOUR).toISOString(), dns_retire_after: new Date(t0 + 99 * HOUR).toISOString(), dns_hold: 'waiting' });

    // 98 h: one hour short of the hold.
    clock.advance(t0 + 98 * HOUR - clock.now());
    expect((await service.sweepGrace()).held.map((h) => h.path)).toEqual([path]);
    expect(await version()).toBe(v0);

    // 99 h, but one resolver does not answer: cannot confirm, still held (first seen kept).
    k2.pause();
    try {
      clock.advance(t0 + 99 * HOUR - clock.now());
      r = await service.sweepGrace();
      expect(r.held).toEqual([{ path, reason: expect.stringMatching(/did not answer/) }]);
      expect((await md()).dns_first_seen).toBe(new Date(t0 + 51 * HOUR).toISOString());
    } finally {
      k2.resume();
    }

    // 100 h, both answer and match: retired, once.
    clock.advance(t0 + 100 * HOUR - clock.now());
    r = await service.sweepGrace();
    expect(r.retired).toEqual([path]);
    expect(await version()).toBe(v0 + 1);
    const after = await md();
    expect(after).toMatchObject({ previous_status: 'retired', retired_by: 'admin' });
    expect(after.dns_hold).toBeUndefined();
    expect(after.grace_until).toBeUndefined();
    expect((await kv.read(path))!.data.previous_private_key).toBeUndefined();
    expect((await service.sweepGrace()).retired).toEqual([]);
    expect(await version()).toBe(v0 + 1);
  });

  it('a DNS regression after first seen starts the hold over', async () => {
    const { domain, path, clock, t0, resolvers, service, mount, kv } = await setup('dkim-regress');
    await service.rotateOne('t-000001', `dkim:${domain}`, 'yearly');
    const v = await dkimValues(root, mount, path);
    const a = await startKnot({ [domain]: '' });
    try {
      resolvers.list = [a.address];
      await publish([a], domain, [[v.selector, v.txt]]);
      clock.advance(t0 + 1 * HOUR - clock.now());
      await service.sweepGrace(); // nothing due yet; a check records first seen
      await (await import('./dkim-dns-helpers')).dnsService(root, mount, () => resolvers.list, { clock }).check('t-000001', domain);
      expect((await kv.readMetadata(path))!.customMetadata.dns_first_seen).toBe(new Date(t0 + HOUR).toISOString());
      // Someone replaced the record with the old key at 40 h; fixed at 60 h.
      await publish([a], domain, [[v.selector, v.previousTxt!]]);
      clock.advance(t0 + 49 * HOUR - clock.now());
      expect((await service.sweepGrace()).held.map((h) => h.reason)).toEqual([expect.stringMatching(/different key/)]);
      await publish([a], domain, [[v.selector, v.txt]]);
      clock.advance(t0 + 60 * HOUR - clock.now());
      expect((await service.sweepGrace()).held.length).toBe(1);
      expect((await kv.readMetadata(path))!.customMetadata.dns_first_seen).toBe(new Date(t0 + 60 * HOUR).toISOString());
      clock.advance(t0 + 107 * HOUR - clock.now());
      expect((await service.sweepGrace()).retired).toEqual([]);
      clock.advance(t0 + 108 * HOUR - clock.now());
      expect((await service.sweepGrace()).retired).toEqual([path]);
    } finally {
      await a.stop();
    }
  });

  it('an admin can retire anyway with a reason, recorded in Vault metadata and the audit trail', async () => {
    const { domain, path, clock, t0, resolvers, service, mount, kv, db } = await setup('dkim-override');
    await service.rotateOne('t-000001', `dkim:${domain}`, 'yearly');
    const v = await dkimValues(root, mount, path);
    const a = await startKnot({ [domain]: '' });
    try {
      resolvers.list = [a.address];
      const recorder = new AuditRecorder(new AuditRepo(db), clock, () => ({ user: 'admin' }));
      const dns = (await import('./dkim-dns-helpers')).dnsService(root, mount, () => resolvers.list, { clock, audit: recorder });
      // During the grace period there is nothing to override.
      clock.advance(t0 + 10 * HOUR - clock.now());
      await expect(dns.retireAnyway('t-000001', domain, 'DNS host is slow')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/grace period/) });
      clock.advance(t0 + 49 * HOUR - clock.now());
      expect((await service.sweepGrace()).held.map((h) => h.path)).toEqual([path]);
      // A reason is required.
      await expect(dns.retireAnyway('t-000001', domain, '   ')).rejects.toMatchObject({ code: 'BAD_INPUT' });
      // Without the audit trail it refuses (fail closed).
      await expect((await import('./dkim-dns-helpers')).dnsService(root, mount, () => resolvers.list, { clock }).retireAnyway('t-000001', domain, 'x')).rejects.toMatchObject({ code: 'INTERNAL' });
      const before = (await kv.readMetadata(path))!.currentVersion;

      const r = await dns.retireAnyway('t-000001', domain, 'Provider confirmed the record; resolvers here are filtered');
      expect(r).toMatchObject({ retired: true, selector: v.previousSelector, requestId: expect.stringMatching(/^vc-retire-override-[0-9a-f]{16}$/) });
      const meta = await kv.readMetadata(path);
      expect(meta!.currentVersion).toBe(before + 1);
      expect(meta!.customMetadata).toMatchObject({
        previous_status: 'retired',
        retired_by: 'admin',
        retire_override_by: 'admin',
        retire_override_reason: 'Provider confirmed the record; resolvers here are filtered',
        retire_override_selector: v.previousSelector,
        retire_override_req: r.requestId,
      });
      expect(meta!.customMetadata.dns_hold).toBeUndefined();
      const events = new AuditRepo(db).page({}, null, 100).events.filter((e) => e.requestId === r.requestId);
      expect(events.map((e) => [e.action, e.status, e.path, e.user])).toEqual([['rotate', 'ok', path, 'admin']]);
      // Nothing left to retire: a second override is refused, and the sweep writes nothing.
      await expect(dns.retireAnyway('t-000001', domain, 'again')).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await service.sweepGrace()).retired).toEqual([]);
      // The status view shows the override.
      const st = (await dns.status('t-000001')).keys.find((k) => k.domain === domain)!;
      expect(st.override).toMatchObject({ by: 'admin', selector: v.previousSelector });
      expect(st.previous).toBeNull();
    } finally {
      await a.stop();
    }
  });
});
