// "Check DNS now" against real DNS servers (Knot DNS on loopback, zones written here) and
// the real OpenBao: not published, published with a wrong key, published split across
// strings, published on one resolver of two, a resolver that is down or silent. A resolver
// that does not answer is reported, never taken for "published"; the outcome and "first
// seen" are recorded in Vault's custom_metadata with metadata check-and-set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DkimDnsVault } from '../../../src/main/services/dkim-dns/dkim-dns-vault';
import { ManualClock } from '../../../src/main/services/time/clock';
import { createKvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { startKnot, type KnotInstance } from '../../services/dns/knot';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, rootClient, seed } from '../rotation/rotation-helpers';
import { dkimValues, dnsService, HOUR, publish } from './dkim-dns-helpers';

let s: ServicesState;
let root: VaultClient;
let mount: string;
let domain: string;
let path: string;
let k1: KnotInstance;
let k2: KnotInstance;
let vals: Awaited<ReturnType<typeof dkimValues>>;
const clock = new ManualClock(Date.parse('2026-12-01T10:00:00Z'));

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
  mount = await freshMount(root, 'dkim-dns');
  await seed(root, mount, 1, 'dkim-dns');
  domain = (await createKvStore(root, mount).list('t-000001/dkim'))[0]!;
  path = `t-000001/dkim/${domain}`;
  // A rotation with grace: a new selector to publish, the previous one still in grace.
  const { service } = newService(root, mount, { clock, graceSweep: false });
  await service.rotateOne('t-000001', `dkim:${domain}`, 'dns test');
  vals = await dkimValues(root, mount, path);
  [k1, k2] = await Promise.all([startKnot({ [domain]: '' }), startKnot({ [domain]: '' })]);
});

afterAll(async () => {
  await Promise.allSettled([k1?.stop(), k2?.stop()]);
  root?.close();
});

const md = async () => (await createKvStore(root, mount).readMetadata(path))!.customMetadata;

describe('DKIM DNS check against real DNS servers', () => {
  it('not published: every resolver says so, the state is "missing" and nothing is first seen', async () => {
    const svc = dnsService(root, mount, () => [k1.address, k2.address], { clock });
    const r = await svc.check('t-000001');
    const key = r.keys.find((k) => k.domain === domain)!;
    expect(r.checkedNow).toBe(true);
    expect(key.current).toMatchObject({ selector: vals.selector, name: `${vals.selector}._domainkey.${domain}`, state: 'missing' });
    expect(key.current!.resolvers).toEqual([
      { resolver: k1.address, state: 'missing', detail: 'NXDOMAIN' },
      { resolver: k2.address, state: 'missing', detail: 'NXDOMAIN' },
    ]);
    expect(key.previous).toMatchObject({ selector: vals.previousSelector, state: 'missing' });
    expect(await md()).toMatchObject({ dns_selector: vals.selector, dns_state: 'missing', dns_previous_state: 'missing', dns_resolvers: `${k1.address},${k2.address}` });
    expect((await md()).dns_first_seen).toBeUndefined();
  });

  it('published with a wrong key: "mismatch", never "published"', async () => {
    await publish([k1, k2], domain, [[vals.selector, vals.previousTxt!]]);
    const key = (await dnsService(root, mount, () => [k1.address, k2.address], { clock }).check('t-000001', domain)).keys[0]!;
    expect(key.current!.state).toBe('mismatch');
    expect(key.current!.resolvers.map((x) => [x.state, x.detail])).toEqual([
      ['mismatch', 'p= holds a different public key'],
      ['mismatch', 'p= holds a different public key'],
    ]);
    expect((await md()).dns_first_seen).toBeUndefined();
  });

  it('published split across strings: joined with nothing in between, it matches; first seen is recorded in Vault', async () => {
    await publish([k1, k2], domain, [[vals.selector, vals.txt, 100], [vals.previousSelector!, vals.previousTxt!]]);
    const key = (await dnsService(root, mount, () => [k1.address, k2.address], { clock }).check('t-000001', domain)).keys[0]!;
    expect(key.current!.state).toBe('published');
    expect(key.current!.resolvers[0]!.detail).toBe(`matches (${Math.ceil(vals.txt.length / 100)} strings joined)`);
    expect(key.previous!.state).toBe('published');
    expect(key.firstSeen).toBe(new Date(clock.now()).toISOString());
    expect(await md()).toMatchObject({ dns_state: 'published', dns_first_seen: new Date(clock.now()).toISOString(), dns_checked_by: 'admin' });
  });

  it('a later check keeps the first time it was seen', async () => {
    const first = (await md()).dns_first_seen;
    clock.advance(HOUR);
    const key = (await dnsService(root, mount, () => [k1.address, k2.address], { clock }).check('t-000001', domain)).keys[0]!;
    expect(key.firstSeen).toBe(first);
  });

  it('published on one resolver of two: "missing" overall, and first seen starts over', async () => {
    await k2.setZone(domain, '');
    const key = (await dnsService(root, mount, () => [k1.address, k2.address], { clock }).check('t-000001', domain)).keys[0]!;
    expect(key.current!.state).toBe('missing');
    expect(key.current!.resolvers.map((x) => x.state)).toEqual(['published', 'missing']);
    expect((await md()).dns_first_seen).toBeUndefined();
  });

  it('a resolver that is down or silent is reported as not answering, never as published', async () => {
    await publish([k1, k2], domain, [[vals.selector, vals.txt]]);
    const ok = (await dnsService(root, mount, () => [k1.address, k2.address], { clock }).check('t-000001', domain)).keys[0]!;
    expect(ok.current!.state).toBe('published');
    const seen = (await md()).dns_first_seen;

    // Silent: the server process is stopped (SIGSTOP), queries time out.
    k2.pause();
    try {
      clock.advance(HOUR);
      const key = (await dnsService(root, mount, () => [k1.address, k2.address], { clock }).check('t-000001', domain)).keys[0]!;
      expect(key.current!.state).toBe('unverified');
      expect(key.current!.resolvers[1]).toMatchObject({ resolver: k2.address, state: 'no-answer', detail: expect.stringMatching(/^no answer \(E[A-Z]+\)$/) });
      // Silence neither confirms nor resets: first seen stays what it was.
      expect((await md()).dns_first_seen).toBe(seen);
    } finally {
      k2.resume();
    }

    // Down: nothing listens on that port any more.
    const gone = await startKnot({ [domain]: '' });
    const goneAddress = gone.address;
    await gone.stop();
    const key = (await dnsService(root, mount, () => [k1.address, goneAddress], { clock }).check('t-000001', domain)).keys[0]!;
    expect(key.current!.state).toBe('unverified');
    expect(key.current!.resolvers[1]!.state).toBe('no-answer');
    // Only a silent resolver of one: still not "published".
    const lone = (await dnsService(root, mount, () => [goneAddress], { clock }).check('t-000001', domain)).keys[0]!;
    expect(lone.current!.state).toBe('unverified');
  });

  it('status reads what was recorded in Vault without asking DNS', async () => {
    const st = await dnsService(root, mount, () => ['127.0.0.1:9'], { clock }).status('t-000001');
    expect(st.checkedNow).toBe(false);
    const key = st.keys.find((k) => k.domain === domain)!;
    expect(key.current).toMatchObject({ selector: vals.selector, state: 'unverified' });
    expect(key.checkedBy).toBe('admin');
  });

  it('the metadata write is check-and-set: a stale metadata version is refused, concurrent checks agree on first seen', async () => {
    await publish([k1, k2], domain, [[vals.selector, vals.txt]]);
    const v = new DkimDnsVault(root, mount);
    const stale = (await v.metadata(path))!;
    expect(stale.metadataVersion).toEqual(expect.any(Number));
    await v.patch(path, stale, { dns_checked_by: 'someone' });
    await expect(v.patch(path, stale, { dns_checked_by: 'me' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await md()).dns_checked_by).toBe('someone');

    // Two consoles check at once (reset first: one resolver missing).
    await k2.setZone(domain, '');
    await dnsService(root, mount, () => [k1.address, k2.address], { clock }).check('t-000001', domain);
    await k2.setZone(domain, (await import('./dkim-dns-helpers')).records([[vals.selector, vals.txt]]));
    const a = dnsService(root, mount, () => [k1.address, k2.address], { clock, actor: () => 'alice' });
    const b = dnsService(root, mount, () => [k1.address, k2.address], { clock: new ManualClock(clock.now() + 60_000), actor: () => 'bob' });
    const [ra, rb] = await Promise.all([a.check('t-000001', domain), b.check('t-000001', domain)]);
    const stored = (await md()).dns_first_seen;
    expect(stored).toBeDefined();
    // Whoever wrote second merged over the first: the earlier "first seen" stands.
    expect([ra.keys[0]!.firstSeen, rb.keys[0]!.firstSeen]).toContain(stored);
    expect(stored).toBe(new Date(Math.min(Date.parse(ra.keys[0]!.firstSeen!), Date.parse(rb.keys[0]!.firstSeen!))).toISOString());
  });

  it('no resolver at all is a clear error, and a bad tenant id or domain is refused', async () => {
    await expect(dnsService(root, mount, () => [], { clock }).check('t-000001')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/No DNS resolver/) });
    await expect(dnsService(root, mount, () => [k1.address], { clock }).check('../etc')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(dnsService(root, mount, () => [k1.address], { clock }).check('t-000001', 'not a domain')).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(dnsService(root, mount, () => [k1.address], { clock }).check('t-000001', 'absent.example.com')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
