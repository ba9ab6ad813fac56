// A bulk DKIM job's report lists the DNS records to publish as one zone-file fragment and
// as CSV. The fragment is loaded as it is into a real Knot DNS server, and the console's
// check then finds every new selector published and matching: the 255-byte strings and
// the names are right. Then `vault-console dkim` as a user runs it (child process, real
// OpenBao, real Knot DNS): check with -format=json and its exit codes, records, bad input.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DkimDnsService } from '../../../src/main/services/dkim-dns/dkim-dns-service';
import { parseResolverList } from '../../../src/main/services/dkim-dns/resolvers';
import { DkimDnsRepo } from '../../../src/main/services/storage/dkim-dns-repo';
import { systemClock } from '../../../src/main/services/time/clock';
import { createKvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { startKnot, type KnotInstance } from '../../services/dns/knot';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, quiet, rootClient, seed } from '../rotation/rotation-helpers';

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'src', 'main', 'cli.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let s: ServicesState;
let root: VaultClient;
let mount: string;
let dir: string;
let jobId: string;
let knot: KnotInstance;
let svc: DkimDnsService;
const ORIGINS = ['example.com', 'example.net', 'example.org'];

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [TSX, CLI, ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
  mount = await freshMount(root, 'dkim-job');
  await seed(root, mount, 4, 'dkim-job');
  const kv = createKvStore(root, mount);
  // Two DKIM keys made overdue, so the "overdue DKIM" job has something to rotate.
  for (const t of ['t-000001', 't-000003']) {
    const d = (await kv.list(`${t}/dkim`))[0]!;
    await root.request('PATCH', `${mount}/metadata/${t}/dkim/${d}`, { custom_metadata: { next_rotation: '2020-01-01T00:00:00.000Z', status: 'active' } });
  }
  const made = newService(root, mount, { graceSweep: false });
  dir = made.dir;
  const p = await made.service.preview({ mode: 'overdue', types: ['dkim'] });
  const job = await made.service.start(p.previewId, p.confirmPhrase, 'yearly DKIM');
  jobId = job.id;
  const end = await made.service.wait(jobId);
  expect(end).toMatchObject({ status: 'completed', failed: 0 });
  expect(end.done).toBeGreaterThanOrEqual(2);
  knot = await startKnot(Object.fromEntries(ORIGINS.map((o) => [o, ''])));
  const repo = new DkimDnsRepo(made.db);
  svc = new DkimDnsService({
    client: () => root,
    mount: () => mount,
    actor: () => 'admin',
    clock: systemClock,
    resolvers: () => ({ source: 'profile', resolvers: parseResolverList([knot.address]) }),
    query: { timeoutMs: 500, tries: 1 },
    jobItems: (id) => repo.jobDkimItems(id),
    logger: quiet,
  });
});

afterAll(async () => {
  await knot?.stop();
  root?.close();
});

describe('a bulk DKIM job\'s DNS records', () => {
  it('lists the new and previous records as a zone fragment that a real DNS server serves as matching keys, and as CSV', async () => {
    const r = await svc.jobRecords(jobId);
    const done = (await new DkimDnsRepo((await import('../../../src/main/services/storage/database')).openDatabase(join(dir, 'vault-console.db'))).jobDkimItems(jobId))!;
    expect(r.records.filter((x) => x.role === 'new')).toHaveLength(done.length);
    expect(r.records.filter((x) => x.role === 'previous')).toHaveLength(done.length);
    expect(r.skipped).toEqual([]);
    expect(r.csv.split('\r\n').filter(Boolean)).toHaveLength(1 + r.records.length);
    // Every string in the fragment fits a TXT character-string.
    for (const line of r.zone.split('\n').filter((l) => l.includes(' IN TXT '))) {
      for (const q of line.match(/"[^"]*"/g)!) expect(Buffer.byteLength(q.slice(1, -1))).toBeLessThanOrEqual(255);
      expect(line.match(/"[^"]*"/g)!.length).toBeGreaterThan(1); // a 2048-bit key needs several
    }
    // Load the fragment into the zones as an operator would paste it.
    const lines = r.zone.split('\n');
    for (const origin of ORIGINS) await knot.setZone(origin, lines.filter((l) => l.startsWith(';') || l.includes(`.${origin}. IN TXT`)).join('\n'));
    for (const tenant of [...new Set(r.records.map((x) => x.tenantId))]) {
      const checked = await svc.check(tenant);
      for (const rec of r.records.filter((x) => x.tenantId === tenant && x.role === 'new')) {
        const key = checked.keys.find((k) => k.domain === rec.domain)!;
        expect(key.current).toMatchObject({ state: 'published', name: rec.name });
        expect(key.previous!.state).toBe('published');
      }
    }
  });

  it('an unknown job is NOT_FOUND', async () => {
    await expect(svc.jobRecords('job-nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('vault-console dkim', () => {
  it('check -format=json: per-resolver states, exit 0 when every new selector is published, 2 when one is not', async () => {
    const r = await svc.jobRecords(jobId);
    const tenant = r.records[0]!.tenantId;
    const domain = r.records[0]!.domain;
    const ok = await cli(['dkim', 'check', tenant, `-domain=${domain}`, `-resolvers=${knot.address}`, `-mount=${mount}`, `-data-dir=${dir}`, '-format=json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const body = JSON.parse(ok.stdout);
    expect(body).toMatchObject({ tenantId: tenant, checkedNow: true, resolvers: { source: 'profile', list: [knot.address] } });
    expect(body.keys[0].current.resolvers).toEqual([{ resolver: knot.address, state: 'published', detail: expect.stringMatching(/^matches/) }]);
    // A resolver that does not answer: exit 2, reported as such.
    const silent = await cli(['dkim', 'check', tenant, `-domain=${domain}`, `-resolvers=${knot.address},127.0.0.1:9`, `-mount=${mount}`, `-data-dir=${dir}`]);
    expect(silent.code).toBe(2);
    expect(silent.stdout).toMatch(/new\s+\S+: UNVERIFIED/);
    expect(silent.stdout).toMatch(/127\.0\.0\.1:9\s+no-answer/);
  });

  it('records -job prints the zone fragment (or CSV); bad input is one clear error line and changes nothing', async () => {
    const zone = await cli(['dkim', 'records', `-job=${jobId}`, `-mount=${mount}`, `-data-dir=${dir}`]);
    expect(zone.code).toBe(0);
    expect(zone.stdout).toMatch(/^; DKIM records of rotation job/);
    const csv = await cli(['dkim', 'records', `-job=${jobId}`, '-csv', `-mount=${mount}`, `-data-dir=${dir}`]);
    expect(csv.stdout.split('\r\n')[0]).toBe('tenant,domain,role,name,type,value,zone_strings,note');
    for (const args of [
      ['dkim', 'check', 't-000001', '-resolvers=dns.google'],
      ['dkim', 'check'],
      ['dkim', 'retire-anyway', 't-000001', 'x.example.com'],
      ['dkim', 'frobnicate'],
    ]) {
      const r = await cli([...args, `-mount=${mount}`, `-data-dir=${dir}`]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/);
    }
  });
});
