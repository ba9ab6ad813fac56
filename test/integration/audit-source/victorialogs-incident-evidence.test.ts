// Incident blast radius and evidence packs on either audit source: the same scripted
// OpenBao corpora (the console's story and the adversary's) loaded into the local store
// and into a real VictoriaLogs give the same listing for every identity kind and range
// (counted by a LogsQL `stats` query there) and packs holding the same event records,
// both verifying. A VictoriaLogs that is stopped or cuts its answer is an error
// (SOURCE_UNAVAILABLE), never an empty listing or a short pack.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditAction } from '../../../src/shared/contracts/audit';
import type { BlastRadius, BlastRadiusInput } from '../../../src/shared/contracts/incident';
import { SECRET_ACCESS_ACTIONS, SECRET_ACCESS_STATUSES, secretAccessClass } from '../../../src/shared/audit/secret-access';
import { NO_VAULT_DETAIL, type AuditRecord } from '../../../src/main/services/audit/audit-record';
import type { AuditEventSource } from '../../../src/main/services/audit-source/audit-source';
import { toEventDoc } from '../../../src/main/services/audit-source/event-fields';
import { VictoriaLogsAuditSource } from '../../../src/main/services/audit-source/victorialogs-source';
import { EVENTS_FILE, MANIFEST_FILE, type Manifest } from '../../../src/main/services/evidence/evidence-format';
import { byTimeThenKey, EvidenceService } from '../../../src/main/services/evidence/evidence-service';
import { verifyPack } from '../../../src/main/services/evidence/pack-verifier';
import { EvidenceSigningKey } from '../../../src/main/services/evidence/signing-key';
import { IncidentService } from '../../../src/main/services/incident/incident-service';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import { createLogger } from '../../../src/main/services/log/logger';
import type { AuditRepo, StoredEvent } from '../../../src/main/services/storage/audit-repo';
import { ManualClock } from '../../../src/main/services/time/clock';
import { startFaultProxy } from '../../services/victorialogs/fault-proxy';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { FIXTURES, STREAM, forwardFile, loadBoth, vlClient } from './both-sources';

const CORPORA = [join(FIXTURES, 'openbao-2.4-audit.jsonl'), join(FIXTURES, 'openbao-2.4-adversary.jsonl')];
const ACTIONS = SECRET_ACCESS_ACTIONS as AuditAction[];
const NOW = Date.UTC(2027, 0, 1);

let vl: VictoriaLogsInstance;
let local: AuditEventSource;
let remote: VictoriaLogsAuditSource;
let repo: AuditRepo;
let dir: string;
const keyStore = new MemorySecretStore();

/**
 * Rows only this test adds to both stores, the same records on each: reads stored as
 * "unclassified" (they count as reads), an upper-case user name (case-folded on both),
 * and a console header that calls a Vault read something else (Vault's record counts).
 */
const T0 = Date.UTC(2026, 5, 1, 12);
const extra: AuditRecord[] = [
  { key: 'x:unclassified-1', ts: T0, action: 'unclassified', tenant: 't-009001', user: 'Ursula', secretType: 'smtp', ip: '10.9.9.9', status: 'ok', path: 'tenants/data/t-009001/smtp/admin', source: 'vault', requestId: 'x1', approvalId: null, error: null, ...NO_VAULT_DETAIL, entityId: 'ent-ursula' },
  { key: 'x:unclassified-2', ts: T0 + 1000, action: 'unclassified', tenant: 't-009001', user: 'ursula', secretType: 'smtp', ip: '10.9.9.9', status: 'pending', path: 'tenants/data/t-009001/smtp/admin', source: 'vault', requestId: 'x2', approvalId: null, error: null, ...NO_VAULT_DETAIL, entityId: 'ent-ursula' },
  { key: 'x:read-header', ts: T0 + 2000, action: 'read', tenant: 't-009002', user: 'URSULA', secretType: 'ssh', ip: '10.9.9.9', status: 'ok', path: 'tenants/data/t-009002/ssh/admin', source: 'vault', requestId: 'x3', approvalId: null, error: null, ...NO_VAULT_DETAIL, entityId: 'ent-ursula', consoleHeader: 'vault-console action=list' },
  { key: 'x:denied', ts: T0 + 3000, action: 'read', tenant: 't-009003', user: 'ursula', secretType: 'ssh', ip: '10.9.9.9', status: 'denied', path: 'tenants/data/t-009003/ssh/admin', source: 'vault', requestId: 'x4', approvalId: null, error: 'permission denied', ...NO_VAULT_DETAIL, entityId: 'ent-ursula' },
];

beforeAll(async () => {
  vl = await startVictoriaLogs();
  const both = await loadBoth(vl, CORPORA);
  ({ local, repo, dir } = both);
  remote = both.remote;
  repo.insertMany(extra);
  const client = vlClient(vl.url);
  await client.ingest(extra.map((r) => `${JSON.stringify(toEventDoc(r, STREAM))}\n`).join(''), { _stream_fields: Object.keys(STREAM).join(','), _time_field: '_time', _msg_field: '_msg' });
  client.close();
  await vl.flush();
}, 180_000);

afterAll(async () => {
  remote?.close();
  await vl?.stop();
});

function incidentOn(source: AuditEventSource): IncidentService {
  const unused = () => {
    throw new Error('not in this test');
  };
  return new IncidentService({ access: repo.access, source: () => source, rotation: { previewPaths: unused, start: unused, jobs: unused, jobDetail: unused, report: unused, rotateOne: unused, apiKeys: {} as never }, mount: () => 'tenants', clock: new ManualClock(NOW), log: createLogger('test') });
}

/** Identities that accessed secrets in the corpus, of every kind the event lines carry. */
async function identities(): Promise<BlastRadiusInput['identity'][]> {
  const users = new Set<string>();
  const entities = new Set<string>();
  const ips = new Set<string>();
  for await (const chunk of local.chunks({}, 2000)) {
    for (const e of chunk) {
      if (!secretAccessClass(e.action) || !(SECRET_ACCESS_STATUSES as readonly string[]).includes(e.status) || !e.path) continue;
      if (e.user) users.add(e.user);
      if (e.entityId) entities.add(e.entityId);
      if (e.ip) ips.add(e.ip);
    }
  }
  const out: BlastRadiusInput['identity'][] = [];
  for (const u of [...users].sort()) out.push({ kind: 'user', value: u }, { kind: 'user', value: u.toUpperCase() });
  for (const v of [...entities].sort()) out.push({ kind: 'entity', value: v });
  for (const v of [...ips].sort()) out.push({ kind: 'address', value: v });
  out.push({ kind: 'user', value: 'nobody-at-all' }, { kind: 'address', value: '203.0.113.250' }, { kind: 'entity', value: 'no-such-entity' });
  return out;
}

const strip = ({ auditSource: _s, ...r }: BlastRadius) => r;

describe('blast radius and evidence packs on either audit source (differential, real VictoriaLogs)', () => {
  it('the blast radius is the same for every identity (users any case, entities, addresses) and range', async () => {
    const b = (await local.timeBounds())!;
    const iso = (t: number) => new Date(t).toISOString();
    const mid = Math.floor((b.min + b.max) / 2);
    const ranges: Array<{ since: string; until?: string }> = [
      { since: '1970-01-01' },
      { since: iso(mid) },
      { since: iso(b.min), until: iso(mid) },
      { since: iso(b.min), until: iso(b.min) },
      { since: iso(T0), until: iso(T0 + 1000) },
      { since: iso(b.max + 1) },
    ];
    const onLocal = incidentOn(local);
    const onRemote = incidentOn(remote);
    const ids = await identities();
    expect(ids.filter((i) => i.kind === 'entity').length).toBeGreaterThan(0);
    expect(ids.filter((i) => i.kind === 'address').length).toBeGreaterThan(0);
    let listed = 0;
    for (const identity of ids)
      for (const range of ranges) {
        const input = { identity, ...range };
        const [a, r] = await Promise.all([onLocal.blastRadius(input), onRemote.blastRadius(input)]);
        expect(a.auditSource).toBe('local store');
        expect(r.auditSource).toBe(remote.label);
        expect(strip(r), JSON.stringify(input)).toEqual(strip(a));
        listed += a.secrets.length + a.otherMounts.length;
      }
    expect(listed).toBeGreaterThan(20);
  });

  it('the access table itself (every path, not only tenant secrets) is the same, and counts reads whatever the header says', async () => {
    for (const identity of await identities()) {
      const ref = { kind: identity.kind, values: [identity.kind === 'user' ? identity.value.toLowerCase() : identity.value] };
      const range = { from: 0, to: NOW };
      const [a, r] = await Promise.all([local.accessTable(ref, range, ACTIONS, SECRET_ACCESS_STATUSES), remote.accessTable(ref, range, ACTIONS, SECRET_ACCESS_STATUSES)]);
      expect({ paths: r.paths, first: [...r.first], last: [...r.last], counts: [...r.counts] }, JSON.stringify(ref)).toEqual({ paths: a.paths, first: [...a.first], last: [...a.last], counts: [...a.counts] });
    }
    // Unclassified rows (ok and pending) count as reads; a read the header calls a list is a read; a denied read is not.
    const r = await incidentOn(remote).blastRadius({ identity: { kind: 'user', value: 'Ursula' }, since: '2026-06-01' });
    expect(r.secrets.map((s) => [s.path, s.reads])).toEqual([
      ['t-009001/smtp/admin', 2],
      ['t-009002/ssh/admin', 1],
    ]);
  });

  it('an evidence pack holds the same event records from either source, says which source, and verifies', async () => {
    const clock = new ManualClock(NOW);
    const key = new EvidenceSigningKey(keyStore);
    const svc = (source: AuditEventSource) => new EvidenceService({ repo, source: () => source, key, clock, log: createLogger('test'), exportDir: join(dir, 'exports') });
    const facets = await local.facets();
    const filters = [{}, { action: 'read' as const }, { text: 'denied' }, { hideHousekeeping: true }, { user: facets.users[0] }, { from: '2026-06-01', to: '2026-06-01T12:00:02Z' }];
    let n = 0;
    for (const filter of filters) {
      const name = `f${n++}`;
      const [pa, pr] = [await svc(local).exportQuery(filter, { name: `${name}-local` }), await svc(remote).exportQuery(filter, { name: `${name}-remote` })];
      expect(pr.records, JSON.stringify(filter)).toBe(pa.records);
      expect(pr.source).toBe(remote.label);
      expect(pa.source).toBe('local store');
      const events = (d: string) =>
        readFileSync(join(d, EVENTS_FILE), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.stringify((JSON.parse(l) as { event: unknown }).event));
      // Oldest first, events of one millisecond by key: the same records in the same order, the same chain.
      const ea = events(pa.dir);
      const er = events(pr.dir);
      expect(er).toEqual(ea);
      expect(pr.chainHead, JSON.stringify(filter)).toBe(pa.chainHead);
      const ts = er.map((e) => Date.parse((JSON.parse(e) as { timestamp: string }).timestamp));
      expect(ts.every((t, i) => i === 0 || ts[i - 1]! <= t)).toBe(true);
      const ma = JSON.parse(readFileSync(join(pa.dir, MANIFEST_FILE), 'utf8')) as Manifest;
      const mr = JSON.parse(readFileSync(join(pr.dir, MANIFEST_FILE), 'utf8')) as Manifest;
      expect(ma.event_source).toEqual({ kind: 'local', label: 'local store' });
      expect(mr.event_source).toEqual({ kind: 'victorialogs', label: remote.label });
      expect(mr.event_source!.label).toMatch(/^VictoriaLogs at 127\.0\.0\.1:\d+ \{vault_cluster="test-cluster"\}$/);
      // VictoriaLogs holds no imported files of this console.
      expect(mr.sources).toEqual([]);
      expect(mr.counts).toEqual(ma.counts);
      expect(mr.time_range).toEqual(ma.time_range);
      for (const p of [pa, pr]) {
        const v = await verifyPack(p.dir, (await svc(local).publicKey()).pem);
        expect(v.ok, JSON.stringify(v.problem)).toBe(true);
        expect(v.signerChecked).toBe(true);
        expect(v.records).toBe(p.records);
      }
    }
    expect(n).toBe(filters.length);
    // Chunk edges inside a millisecond (small chunks, of other sizes on each source): still one order.
    const keys = async (it: AsyncIterable<StoredEvent[]>) => {
      const out: string[] = [];
      for await (const c of it) out.push(...c.map((e) => e.key));
      return out;
    };
    const ka = await keys(byTimeThenKey(local.chunks({}, 7)));
    expect(await keys(byTimeThenKey(remote.chunks({}, 13)))).toEqual(ka);
    expect(ka.length).toBe((await local.counts({}, 1e6)).total);
  });

  it('VictoriaLogs stopped: the blast radius and the pack are SOURCE_UNAVAILABLE errors, never empty or short', async () => {
    const own = await startVictoriaLogs();
    try {
      await forwardFile(own, CORPORA[0]!, own.dataDir);
      await own.flush();
      const source = new VictoriaLogsAuditSource({ client: vlClient(own.url, { timeoutMs: 5_000 }), stream: STREAM });
      const input = { identity: { kind: 'address' as const, value: '127.0.0.1' }, since: '1970-01-01' };
      const before = await incidentOn(source).blastRadius(input);
      expect(before.secrets.length).toBeGreaterThan(0);
      await own.stop({ removeData: false });
      await expect(incidentOn(source).blastRadius(input)).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE', state: 'unreachable' });
      expect(source.health().state).toBe('unreachable');
      const evidence = new EvidenceService({ repo, source: () => source, key: new EvidenceSigningKey(keyStore), clock: new ManualClock(NOW), log: createLogger('test'), exportDir: join(dir, 'exports') });
      await expect(evidence.exportQuery({}, { name: 'stopped' })).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
      expect(existsSync(join(dir, 'exports', 'stopped.evidence'))).toBe(false);
      expect(existsSync(join(dir, 'exports', 'stopped.evidence.partial'))).toBe(false);
      source.close();
    } finally {
      await own.stop().catch(() => undefined);
    }
  }, 120_000);

  it('an answer cut off mid-pack fails the export (no pack that looks whole) and a cut stats answer fails the listing', async () => {
    const proxy = await startFaultProxy(vl.url);
    const source = new VictoriaLogsAuditSource({ client: vlClient(proxy.url), stream: STREAM });
    try {
      const evidence = new EvidenceService({ repo, source: () => source, key: new EvidenceSigningKey(keyStore), clock: new ManualClock(NOW), log: createLogger('test'), exportDir: join(dir, 'exports') });
      proxy.mode = { kind: 'cut', afterBytes: 20_000 };
      await expect(evidence.exportQuery({}, { name: 'cut' })).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE', state: 'partial' });
      expect(existsSync(join(dir, 'exports', 'cut.evidence'))).toBe(false);
      expect(existsSync(join(dir, 'exports', 'cut.evidence.partial'))).toBe(false);
      proxy.mode = { kind: 'cut', afterBytes: 10 };
      await expect(incidentOn(source).blastRadius({ identity: { kind: 'address', value: '127.0.0.1' }, since: '1970-01-01' })).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE', state: 'partial' });
      proxy.mode = { kind: 'pass' };
      expect((await evidence.exportQuery({}, { name: 'whole' })).records).toBe((await local.counts({}, 1e6)).total);
    } finally {
      source.close();
      await proxy.close();
    }
  });
});
