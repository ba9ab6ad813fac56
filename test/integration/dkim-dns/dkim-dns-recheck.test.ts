// The scheduled re-check: every DKIM key in grace (found by a Vault listing, or given by
// the index) is checked against the real DNS server and recorded, so "first seen" starts
// without anyone clicking; keys not in grace are left alone. The app's scheduler runs it
// after sign-in and then on its timer (manual clock), and stops at sign-out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DkimDnsRecheckScheduler, recheckDkimDns } from '../../../src/main/services/dkim-dns/dkim-dns-recheck';
import { parseResolverList } from '../../../src/main/services/dkim-dns/resolvers';
import { ManualClock } from '../../../src/main/services/time/clock';
import { createKvStore, type KvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { startKnot, type KnotInstance } from '../../services/dns/knot';
import { loadTestServices } from '../helpers/services';
import { freshMount, newService, quiet, rootClient, seed } from '../rotation/rotation-helpers';
import { dkimValues, dnsService, publish } from './dkim-dns-helpers';

let root: VaultClient;
let kv: KvStore;
let mount: string;
let knot: KnotInstance;
let rotated: string;
let untouched: string;

beforeAll(async () => {
  const s = await loadTestServices();
  root = rootClient(s);
  mount = await freshMount(root, 'dkim-recheck');
  await seed(root, mount, 2, 'dkim-recheck');
  kv = createKvStore(root, mount);
  const d1 = (await kv.list('t-000001/dkim'))[0]!;
  rotated = `t-000001/dkim/${d1}`;
  untouched = `t-000002/dkim/${(await kv.list('t-000002/dkim'))[0]!}`;
  const { service } = newService(root, mount, { graceSweep: false });
  await service.rotateOne('t-000001', `dkim:${d1}`, 'recheck');
  const v = await dkimValues(root, mount, rotated);
  knot = await startKnot({ [d1]: '' });
  await publish([knot], d1, [[v.selector, v.txt]]);
});
afterAll(async () => {
  await knot?.stop();
  root?.close();
});

describe('scheduled DKIM DNS re-check', () => {
  it('checks exactly the keys in grace (Vault listing) and records first seen', async () => {
    const clock = new ManualClock(Date.now());
    const r = await recheckDkimDns({
      client: () => root,
      mount: () => mount,
      actor: () => 'watcher',
      clock,
      resolvers: () => ({ source: 'environment', resolvers: parseResolverList(knot.address) }),
      query: { timeoutMs: 300, tries: 1 },
      logger: quiet,
    });
    expect(r).toMatchObject({ candidates: 1, checked: 1, published: 1, waiting: 0, failed: [], tenants: ['t-000001'] });
    expect((await kv.readMetadata(rotated))!.customMetadata).toMatchObject({ dns_state: 'published', dns_checked_by: 'watcher', dns_first_seen: new Date(clock.now()).toISOString() });
    expect((await kv.readMetadata(untouched))!.customMetadata.dns_state).toBeUndefined();
  });

  it('the app scheduler runs after sign-in and on its timer, tells the views, and stops at sign-out', async () => {
    const clock = new ManualClock(Date.now());
    const listeners: Array<(i: { signedIn: boolean }) => void> = [];
    let signedIn = false;
    const session = { info: () => ({ signedIn }), onChange: (l: (i: { signedIn: boolean }) => void) => (listeners.push(l), () => undefined) };
    const told: string[][] = [];
    const service = dnsService(root, mount, () => [knot.address], { clock, candidates: async () => [rotated] });
    let runs = 0;
    const sched = new DkimDnsRecheckScheduler({
      service: { recheck: () => (runs++, service.recheck()) },
      session,
      clock,
      everyMs: 15 * 60_000,
      firstDelayMs: 30_000,
      onRechecked: (r) => told.push(r.tenants),
      logger: quiet,
    });
    sched.start();
    clock.advance(60 * 60_000);
    expect(runs).toBe(0); // signed out: nothing
    signedIn = true;
    listeners.forEach((l) => l({ signedIn: true }));
    clock.advance(30_000);
    await sched.runNow(); // joins the run the timer started
    expect(runs).toBe(1);
    expect(told).toEqual([['t-000001']]);
    clock.advance(15 * 60_000);
    await sched.runNow();
    expect(runs).toBe(2);
    signedIn = false;
    listeners.forEach((l) => l({ signedIn: false }));
    clock.advance(60 * 60_000);
    expect(runs).toBe(2);
    sched.stop();
  });
});
