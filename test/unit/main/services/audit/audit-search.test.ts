// Free-text search (migration 8): the term dictionary with its FTS5 trigram index,
// both query plans (few matches fetched by id; many matches checked along a time
// walk) against a brute-force filter of the same events, keyset paging, capped
// counts, unicode and LIKE wildcards, a failed batch, and migrating an existing
// database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_VAULT_DETAIL, type AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { AuditRepo, BY_ACTION_CAP, COUNT_CAP_ROWS } from '../../../../../src/main/services/storage/audit-repo';
import { caseVariants } from '../../../../../src/main/services/storage/audit-terms';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';
import type { AuditFilter } from '../../../../../src/shared/contracts/audit';

const T0 = Date.UTC(2026, 0, 1);
const USERS = ['admin01', 'admin02', 'Åsa', 'ops_bot', 'root'];
const TYPES = ['ssh/admin', 'smtp/admin', 'dkim/mail.example.org', 'api/ak_100%'] as const;

function event(i: number): AuditRecord {
  const login = i % 10 === 9;
  const tenant = `t-${String(1 + (i % 400)).padStart(6, '0')}`;
  const type = TYPES[i % TYPES.length]!;
  return {
    key: `s:${i}`,
    ts: T0 + i * 1000,
    action: login ? 'failed-login' : i % 3 === 0 ? 'write' : 'read',
    tenant: login ? null : tenant,
    user: USERS[i % USERS.length]!,
    secretType: login ? 'none' : (type.split('/')[0] as AuditRecord['secretType']),
    ip: `10.0.${i % 7}.${i % 50}`,
    status: login ? 'denied' : 'ok',
    path: login ? `auth/userpass/login/${USERS[i % USERS.length]}` : `tenants/data/${tenant}/${type}`,
    source: 'vault',
    requestId: `r${i}`,
    approvalId: null,
    error: login ? (i % 20 === 9 ? 'invalid credentials' : 'Zugriff verweigert: Schlüssel') : null,
    ...NO_VAULT_DETAIL,
  };
}

const EVENTS = Array.from({ length: 12_000 }, (_, i) => event(i));

/** What the search promises: a case-insensitive substring of path, user, IP, tenant or error. */
function brute(text: string, f: AuditFilter = {}): AuditRecord[] {
  const needle = text.toLocaleLowerCase('und');
  const has = (v: string | null) => v !== null && v.toLocaleLowerCase('und').includes(needle);
  return EVENTS.filter((e) => (has(e.path) || has(e.user) || has(e.ip) || has(e.tenant) || has(e.error)) && (!f.action || e.action === f.action) && (!f.user || e.user === f.user))
    .sort((a, b) => b.ts - a.ts);
}

function allPages(repo: AuditRepo, filter: AuditFilter, size: number): string[] {
  const keys: string[] = [];
  let cursor = null;
  do {
    const p = repo.page(filter, cursor, size);
    keys.push(...p.events.map((e) => e.key));
    cursor = p.nextCursor;
  } while (cursor);
  return keys;
}

function filledRepo(): AuditRepo {
  const repo = new AuditRepo(openDatabase(':memory:'));
  for (let i = 0; i < EVENTS.length; i += 1000) repo.insertMany(EVENTS.slice(i, i + 1000));
  return repo;
}

describe('audit free-text search', () => {
  const repo = filledRepo();

  it.each([
    ['a tenant', 't-000042', 'by-id'],
    ['a path fragment matching most events', 'tenants/data', 'walk'],
    ['a path fragment', 'smtp/adm', 'by-id'],
    ['a user, in another case', 'ADMIN01', 'by-id'],
    ['users and paths at once', 'admin', 'walk'],
    ['an IP prefix', '10.0.3.', 'by-id'],
    ['an error, non-ASCII, other case', 'SCHLÜSSEL', 'by-id'],
    ['a non-ASCII user by a 1-character string in another case', 'å', 'by-id'],
    ['two characters', 'T-', 'walk'],
    ['a literal percent sign (not a LIKE wildcard)', '100%', 'by-id'],
    ['a literal underscore', 'ops_', 'by-id'],
    ['a short literal percent sign', '%', 'by-id'],
  ])('finds %s (%s) exactly as a brute-force scan does, in order, across pages', (_, text, plan) => {
    const want = brute(text);
    expect(want.length).toBeGreaterThan(0);
    expect(repo.textPlan({ text })).toBe(plan);
    expect(allPages(repo, { text }, 97)).toEqual(want.map((e) => e.key));
    const c = repo.counts({ text }, 100_000);
    expect(c.total).toBe(Math.min(want.length, COUNT_CAP_ROWS));
    expect(c.capped).toBe(want.length > COUNT_CAP_ROWS);
    // The per-action counts cover the newest matches.
    const newest = want.slice(0, c.byActionOf);
    const byAction: Record<string, number> = {};
    for (const e of newest) byAction[e.action] = (byAction[e.action] ?? 0) + 1;
    expect(c.byAction).toEqual(byAction);
    expect(c.byActionOf).toBe(Math.min(want.length, BY_ACTION_CAP));
  });

  it.each([
    [{ user: 'admin01', action: 'failed-login' }, 'audit_events_user_action_ts'],
    [{ secretType: 'api', action: 'failed-login' }, 'audit_events_action_ts'],
    [{ action: 'read', user: 'root' }, 'audit_events_user_action_ts'],
    [{ action: 'read', tenant: 't-000042', user: 'root' }, 'audit_events_tenant_ts'],
    [{ tenant: 't-000042', user: 'admin02' }, 'audit_events_tenant_ts'],
    [{ tenant: 't-000042', user: 'nobody' }, 'audit_events_user_ts'],
    [{ tenant: 't-000042', action: 'read', secretType: 'smtp', user: 'Åsa' }, 'audit_events_tenant_ts'],
    [{ secretType: 'dkim', action: 'write' }, 'audit_events_type_ts'],
  ] as Array<[AuditFilter, string]>)('two or more equality filters %o walk the narrowest index (%s), with the same events as a brute-force scan', (f, index) => {
    expect(repo.equalityIndex(f)).toBe(index);
    const want = EVENTS.filter((e) => (!f.tenant || e.tenant === f.tenant) && (!f.user || e.user === f.user) && (!f.action || e.action === f.action) && (!f.secretType || e.secretType === f.secretType)).sort((a, b) => b.ts - a.ts);
    expect(allPages(repo, f, 53)).toEqual(want.map((e) => e.key));
  });

  it('combines text with the other filters, and a text that matches nothing returns nothing', () => {
    for (const f of [{ text: 'dkim', action: 'write' }, { text: 'tenants', action: 'write' }, { text: '10.0.1', user: 'Åsa' }, { text: 't-0001', action: 'read', user: 'admin02' }] as AuditFilter[]) {
      const want = brute(f.text!, f);
      expect(want.length).toBeGreaterThan(0);
      expect(want.length).toBeLessThan(COUNT_CAP_ROWS);
      expect(allPages(repo, f, 50)).toEqual(want.map((e) => e.key));
      expect(repo.counts(f).total).toBe(want.length);
    }
    expect(repo.page({ text: 'no-such-thing' }, null, 10).events).toEqual([]);
    expect(repo.counts({ text: 'no-such-thing' })).toMatchObject({ total: 0, capped: false });
    expect(repo.textPlan({ text: 'no-such-thing' })).toBe('none');
    // FTS5 query syntax typed by a person is just text.
    expect(repo.page({ text: '"t-000001" OR *' }, null, 10).events).toEqual([]);
  });

  it('an exported or archived chunk walk sees the same events as the pages', () => {
    const keys = [...repo.chunks({ text: 'smtp/adm' }, 333)].flat().map((e) => e.key);
    expect(keys).toEqual(brute('smtp/adm').map((e) => e.key).reverse());
  });

  it('pages past a cursor through a range on the time index, not by skipping from the top', () => {
    const db = openDatabase(':memory:');
    new AuditRepo(db);
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT id FROM audit_events WHERE tenant = ? AND ts <= ? AND (ts < ? OR id < ?) ORDER BY ts DESC, id DESC LIMIT 10").all('t', 1, 1, 1) as { detail: string }[])
      .map((p) => p.detail)
      .join(' ');
    expect(plan).toMatch(/audit_events_tenant_ts \(tenant=\? AND ts<\?\)/);
  });

  it('forgets the term ids of a batch that rolled back, so later events still find their values', () => {
    const r = new AuditRepo(openDatabase(':memory:'));
    const good = { ...event(1), key: 'k:1', path: 'tenants/data/t-777777/ssh/admin', tenant: 't-777777' };
    const bad = { ...event(2), key: 'k:2', ts: 1.5 };
    expect(() => r.insertMany([good, bad])).toThrow();
    expect(r.counts({}).total).toBe(0);
    r.insertMany([good]);
    expect(r.page({ text: '777777/ssh' }, null, 10).events.map((e) => e.key)).toEqual(['k:1']);
    expect(r.page({ text: 't-777777' }, null, 10).events.map((e) => e.key)).toEqual(['k:1']);
  });

  it('builds case variants of one or two characters without changing their length', () => {
    expect(caseVariants('aB').sort()).toEqual(['AB', 'Ab', 'aB', 'ab']);
    expect(caseVariants('ß')).toEqual(['ß']);
    expect(caseVariants('%')).toEqual(['%']);
  });
});

describe('migration 8 (audit free-text search)', () => {
  it('creates the dictionary, its FTS index and the id indexes on a fresh database', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.filter((m) => m.version <= 8) });
    expect(currentVersion(db)).toBeGreaterThanOrEqual(8);
    const names = db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'audit_%'").pluck().all() as string[];
    expect(names).toEqual(expect.arrayContaining(['audit_terms', 'audit_terms_fts', 'audit_events_path_ts', 'audit_events_ip_ts', 'audit_events_error_ts']));
  });

  it('migrates a database written by schema 7: existing events get their term ids and are found by text', () => {
    const v7 = MIGRATIONS.filter((m) => m.version <= 7);
    const file = join(mkdtempSync(join(tmpdir(), 'vc-audit-m8-')), 'db.sqlite');
    const old = openDatabase(file, { migrations: v7 });
    const ins = old.prepare(
      `INSERT INTO audit_events (key, ts, month, action, tenant, user, secret_type, ip, status, path, source, request_id, approval_id, error)
       VALUES (?, ?, 202601, ?, ?, ?, ?, ?, ?, ?, 'vault', ?, NULL, ?)`,
    );
    for (const e of EVENTS.slice(0, 500)) ins.run(e.key, e.ts, e.action, e.tenant, e.user, e.secretType, e.ip, e.status, e.path, e.requestId, e.error);
    old.close();

    const repo = new AuditRepo(openDatabase(file));
    for (const text of ['t-000042', 'Schlüssel', 'åsa', '10.0.3.']) {
      expect(allPages(repo, { text }, 40)).toEqual(brute(text).filter((e) => Number(e.key.slice(2)) < 500).map((e) => e.key));
    }
    // New events after the migration share the dictionary with the old ones.
    repo.insertMany([{ ...event(1), key: 'new:1' }]);
    expect(repo.page({ text: 't-000002/smtp' }, null, 1000).events.map((e) => e.key)).toContain('new:1');
  });
});
