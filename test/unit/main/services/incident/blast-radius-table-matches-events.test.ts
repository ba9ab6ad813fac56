// The blast-radius listing's fast path (accessTable: the index walk read twice, aggregated
// in typed arrays, paths sorted by SQLite) gives the same answer as the SQL GROUP BY
// (accessesBy), and the listing built from it equals what an independent count over the
// generated events says: on a store of random events of every action, status, identity
// kind, endpoint, mount and console record, for many identities and ranges.
import { describe, expect, it } from 'vitest';
import { NO_VAULT_DETAIL, type AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { IncidentService } from '../../../../../src/main/services/incident/incident-service';
import { placeOfLoggedPath } from '../../../../../src/main/services/incident/logged-path';
import { createLogger } from '../../../../../src/main/services/log/logger';
import type { AccessGroup, AccessTable, IdentityRef } from '../../../../../src/main/services/storage/audit-access-queries';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { ManualClock } from '../../../../../src/main/services/time/clock';
import { SECRET_ACCESS_ACTIONS, SECRET_ACCESS_STATUSES, SECRET_VALUE_TYPES, secretAccessClass } from '../../../../../src/shared/audit/secret-access';
import { AUDIT_ACTIONS, AUDIT_STATUSES, type AuditAction } from '../../../../../src/shared/audit/audit-rules';
import type { AccessedSecret } from '../../../../../src/shared/contracts/incident';

const T0 = Date.UTC(2026, 0, 1);
const SPAN = 40 * 86_400_000;

function generated(n: number): AuditRecord[] {
  let x = 99;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const users = ['mallory', 'alice', 'bob'];
  const rels = ['ssh/admin', 'ssh/tenant', 'smtp/admin', 'api/ak_0123456789', 'dkim/mail.example.org', 'profile', 'ssh/ünïcode-é'];
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i++) {
    const user = pick(users);
    const tenant = `t-${String(1 + Math.floor(rnd() * 40)).padStart(6, '0')}`;
    const rel = `${tenant}/${pick(rels)}`;
    const r = rnd();
    // Vault's paths of the console's mount (data and metadata), another mount, the console's own records, and paths that are no secret.
    const path = r < 0.55 ? `tenants/data/${rel}` : r < 0.65 ? `tenants/metadata/${rel}` : r < 0.72 ? `other/data/${rel}` : r < 0.92 ? rel : pick(['sys/mounts', 'auth/userpass/login/x', 'tenants/data/not-a-tenant/x']);
    const console = r >= 0.72 && r < 0.92;
    out.push({
      key: `g:${i}`,
      // Some times repeat (ties of first / last), some sit on the range's ends.
      ts: T0 + Math.floor(rnd() * SPAN / 1000) * 1000 + (rnd() < 0.3 ? 0 : Math.floor(rnd() * 1000)),
      action: pick(rnd() < 0.7 ? (['read', 'reveal', 'download', 'unclassified'] as AuditAction[]) : AUDIT_ACTIONS),
      tenant,
      user,
      secretType: 'ssh',
      ip: console ? 'console' : `10.0.0.${Math.floor(rnd() * 4)}`,
      status: rnd() < 0.8 ? 'ok' : pick(AUDIT_STATUSES),
      path,
      source: console ? 'console' : 'vault',
      requestId: `r${i}`,
      approvalId: null,
      error: null,
      ...NO_VAULT_DETAIL,
      entityId: console || rnd() < 0.1 ? null : `ent-${user}`,
      accessor: console || rnd() < 0.1 ? null : `acc-${user}-${Math.floor(rnd() * 3)}`,
    });
  }
  return out;
}

function sortedGroups(t: AccessTable): AccessGroup[] {
  return t.paths.map((path, k) => ({ path, first: t.first[k]!, last: t.last[k]!, counts: Array.from(t.counts.subarray(k * t.actions, (k + 1) * t.actions)) }));
}

/** The listing counted straight from the events, the way the listing describes it. */
function expected(events: AuditRecord[], match: (e: AuditRecord) => boolean, from: number, to: number): { secrets: AccessedSecret[]; other: Array<{ path: string; count: number; last: string }> } {
  const by = new Map<string, { s: AccessedSecret; first: number; last: number }>();
  const other = new Map<string, { path: string; count: number; last: number }>();
  for (const e of events) {
    const cls = secretAccessClass(e.action);
    if (!match(e) || cls === null || e.ts < from || e.ts > to || !(SECRET_ACCESS_STATUSES as readonly string[]).includes(e.status)) continue;
    const p = placeOfLoggedPath(e.path);
    if (!p || !(SECRET_VALUE_TYPES as readonly string[]).includes(p.type) || (p.endpoint !== null && p.endpoint !== 'data')) continue;
    if (p.mount !== null && p.mount !== 'tenants') {
      const o = other.get(e.path) ?? { path: e.path, count: 0, last: 0 };
      o.count++;
      o.last = Math.max(o.last, e.ts);
      other.set(e.path, o);
      continue;
    }
    let g = by.get(p.rel);
    if (!g) {
      g = { s: { path: p.rel, tenantId: p.tenantId, type: p.type as AccessedSecret['type'], reads: 0, reveals: 0, downloads: 0, consoleRecords: 0, first: '', last: '', currentVersion: null, rotatedSince: null, lastRotated: null, gone: null }, first: e.ts, last: e.ts };
      by.set(p.rel, g);
    }
    if (p.console) g.s.consoleRecords++;
    else if (cls === 'read') g.s.reads++;
    else if (cls === 'reveal') g.s.reveals++;
    else g.s.downloads++;
    g.first = Math.min(g.first, e.ts);
    g.last = Math.max(g.last, e.ts);
  }
  const secrets = [...by.values()].map((g) => ({ ...g.s, first: new Date(g.first).toISOString(), last: new Date(g.last).toISOString() })).sort((a, b) => (a.path < b.path ? -1 : 1));
  return { secrets, other: [...other.values()].sort((a, b) => (a.path < b.path ? -1 : 1)).map((o) => ({ ...o, last: new Date(o.last).toISOString() })) };
}

describe('blast radius: the fast table, the SQL GROUP BY and the events agree', () => {
  const events = generated(6000);
  // Reads on the edges of the store's 31-day windows (from the oldest event, and from a range's start).
  const oldest = Math.min(...events.map((e) => e.ts));
  const edges = [oldest, T0 + 7 * 86_400_000].flatMap((start) => [-1, 0, 1].map((d) => start + 31 * 86_400_000 + d));
  edges.forEach((ts, i) => events.push({ ...events.find((e) => e.user === 'mallory' && e.path.startsWith('tenants/data/t-'))!, key: `edge:${i}`, requestId: `edge${i}`, ts, action: 'read', status: 'ok' }));
  const repo = new AuditRepo(openDatabase(':memory:'));
  repo.insertMany(events);
  const unused = () => {
    throw new Error('not used by the listing');
  };
  const service = new IncidentService({ access: repo.access, rotation: { previewPaths: unused, start: unused, jobs: unused, jobDetail: unused, report: unused, rotateOne: unused, apiKeys: {} as never }, mount: () => 'tenants', clock: new ManualClock(T0 + SPAN), log: createLogger('test') });
  const identities: Array<{ ref: IdentityRef; match: (e: AuditRecord) => boolean }> = [
    { ref: { kind: 'user', values: ['mallory'] }, match: (e) => e.user === 'mallory' },
    { ref: { kind: 'user', values: ['mallory', 'bob'] }, match: (e) => e.user === 'mallory' || e.user === 'bob' },
    { ref: { kind: 'entity', values: ['ent-alice'] }, match: (e) => e.entityId === 'ent-alice' },
    { ref: { kind: 'accessor', values: ['acc-bob-1', 'acc-bob-2'] }, match: (e) => e.accessor === 'acc-bob-1' || e.accessor === 'acc-bob-2' },
    { ref: { kind: 'address', values: ['10.0.0.2'] }, match: (e) => e.ip === '10.0.0.2' },
    { ref: { kind: 'address', values: ['console'] }, match: (e) => e.ip === 'console' },
    { ref: { kind: 'user', values: ['nobody'] }, match: () => false },
  ];
  const ranges = [
    { from: T0, to: T0 + SPAN },
    { from: T0 + 7 * 86_400_000, to: T0 + 9 * 86_400_000 },
    // Ends on an event's exact time (inclusive on both sides).
    { from: events[10]!.ts, to: events[20]!.ts },
    { from: T0 + SPAN + 1, to: T0 + 2 * SPAN },
    // "Since 1970" and beyond any date: walked only where the store has events (else millions of empty windows).
    { from: 0, to: 8.64e15 },
  ];

  it('accessTable equals accessesBy (sorted by path) for every identity kind and range', () => {
    const actions = SECRET_ACCESS_ACTIONS as AuditAction[];
    let nonEmpty = 0;
    for (const { ref } of identities) {
      for (const range of ranges) {
        const table = sortedGroups(repo.access.accessTable(ref, range, actions, SECRET_ACCESS_STATUSES));
        const group = repo.access.accessesBy(ref, range, actions, SECRET_ACCESS_STATUSES).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        expect(table).toEqual(group);
        if (table.length > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(10);
    // Other action lists (a subset, every action: more than 8 takes the GROUP BY) and statuses.
    const ref = identities[0]!.ref;
    for (const acts of [['reveal', 'read'], [...AUDIT_ACTIONS]] as AuditAction[][]) {
      const table = sortedGroups(repo.access.accessTable(ref, ranges[0]!, acts, ['ok', 'denied']));
      expect(table.length).toBeGreaterThan(0);
      expect(table).toEqual(repo.access.accessesBy(ref, ranges[0]!, acts, ['ok', 'denied']).sort((a, b) => (a.path < b.path ? -1 : 1)));
    }
  });

  it('an empty store and a reversed range list nothing', () => {
    const empty = new AuditRepo(openDatabase(':memory:'));
    expect(empty.access.accessTable({ kind: 'user', values: ['mallory'] }, { from: 0, to: 8.64e15 }, SECRET_ACCESS_ACTIONS as AuditAction[], SECRET_ACCESS_STATUSES).paths).toEqual([]);
    expect(repo.access.accessTable({ kind: 'user', values: ['mallory'] }, { from: T0 + SPAN, to: T0 }, SECRET_ACCESS_ACTIONS as AuditAction[], SECRET_ACCESS_STATUSES).paths).toEqual([]);
  });

  it('the listing equals an independent count over the events', () => {
    for (const { ref, match } of identities) {
      for (const range of ranges) {
        const got = service.listing(ref, range);
        const want = expected(events, match, range.from, range.to);
        expect(got.secrets).toEqual(want.secrets);
        expect(got.otherMounts).toEqual(want.other);
      }
    }
    const all = service.listing(identities[0]!.ref, ranges[0]!);
    expect(all.secrets.length).toBeGreaterThan(50);
    expect(all.secrets.some((s) => s.consoleRecords > 0 && s.reads + s.reveals + s.downloads > 0)).toBe(true);
    expect(all.otherMounts.length).toBeGreaterThan(0);
  });
});
