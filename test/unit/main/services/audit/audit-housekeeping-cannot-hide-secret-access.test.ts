// "Hide console housekeeping" hides the console's own syncs and probes, decided from
// Vault's record. The attack it must not enable: hiding an access to a secret (a read,
// a write, a delete, a sign-in, anything denied) behind the toggle, whatever the client
// sent along. And the chart above the table counts exactly what the table would show.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditArchiver } from '../../../../../src/main/services/audit/audit-archiver';
import { describe, expect, it } from 'vitest';
import { importAuditFile } from '../../../../../src/main/services/audit/audit-importer';
import type { AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase, type SqlDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, migrate, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';
import type { AuditFilter } from '../../../../../src/shared/contracts/audit';

const FIXTURE = join(__dirname, '../../../../fixtures/audit/openbao-2.4-audit.jsonl');
const T0 = Date.UTC(2026, 10, 26, 11, 0);
let n = 0;
const rec = (over: Partial<AuditRecord>): AuditRecord => ({
  key: `k:${++n}`, ts: T0 + n * 1000, action: 'read', tenant: 't-000001', user: 'alice', secretType: 'smtp', ip: '10.0.0.1', status: 'ok',
  path: 'tenants/data/t-000001/smtp/admin', source: 'vault', requestId: `r${n}`, approvalId: null, error: null,
  operation: 'read', mount: 'tenants/', entityId: null, consoleHeader: null, headerConflict: false, ...over,
});

const HOUSEKEEPING: Array<[string, Partial<AuditRecord>]> = [
  ['inventory LIST', { action: 'list', path: 'tenants/metadata/t-000001/', secretType: 'none' }],
  ['detailed-metadata scan', { action: 'list', path: 'tenants/detailed-metadata/t-000001/', tenant: null, secretType: 'none' }],
  ['metadata read', { action: 'read-metadata', path: 'tenants/metadata/t-000001/smtp/admin' }],
  ['stamps LIST', { action: 'list', path: 'tenants-stamps/detailed-metadata', tenant: null, secretType: 'none' }],
  ['stamp write', { action: 'write-metadata', path: 'tenants-stamps/metadata/t-000001', tenant: null, secretType: 'none' }],
  ['health', { action: 'other', path: 'sys/health', tenant: null, secretType: 'none' }],
  ['HA status', { action: 'other', path: 'sys/ha-status', tenant: null, secretType: 'none' }],
  ['autopilot', { action: 'other', path: 'sys/storage/raft/autopilot/state', tenant: null, secretType: 'none' }],
  ['metrics', { action: 'other', path: 'sys/metrics', tenant: null, secretType: 'none' }],
  ['capabilities', { action: 'other', path: 'sys/capabilities-self', tenant: null, secretType: 'none' }],
  ['token lookup', { action: 'other', path: 'auth/token/lookup-self', tenant: null, secretType: 'none' }],
  ['token renewal', { action: 'other', path: 'auth/token/renew-self', tenant: null, secretType: 'none' }],
  ['audit devices', { action: 'other', path: 'sys/audit', tenant: null, secretType: 'none' }],
  ['canary', { action: 'other', path: 'cubbyhole/vault-console/health-canary', tenant: null, secretType: 'none' }],
  ['schedules', { action: 'read', path: 'tenants/data/_rotation-schedules', tenant: null, secretType: 'none' }],
  ['schedules not saved yet', { action: 'read', path: 'tenants/data/_rotation-schedules', status: 'not-found', tenant: null, secretType: 'none' }],
  ['detailed-metadata tenant scan', { action: 'other', path: 'tenants/detailed-metadata/t-000001/', tenant: null, secretType: 'none' }],
];

const ALWAYS_SHOWN: Array<[string, Partial<AuditRecord>]> = [
  ['a secret read', {}],
  ['a secret read tagged as a console reveal', { action: 'reveal' }],
  ['a secret write', { action: 'write' }],
  ['a rotation', { action: 'rotate' }],
  ['a delete', { action: 'delete', path: 'tenants/metadata/t-000001/smtp/admin' }],
  ['a denied LIST', { action: 'list', path: 'tenants/metadata/', status: 'denied', tenant: null }],
  ['a denied metadata read', { action: 'read-metadata', path: 'tenants/metadata/t-000001/smtp/admin', status: 'denied' }],
  ['a failed probe', { action: 'other', path: 'sys/health', status: 'error', tenant: null }],
  ['a LIST still pending', { action: 'list', path: 'tenants/metadata/', status: 'pending', tenant: null }],
  ['a sign-in', { action: 'login', path: 'auth/userpass/login/alice', tenant: null }],
  ['a failed sign-in', { action: 'failed-login', path: 'auth/userpass/login/mallory', status: 'denied', tenant: null }],
  ['a seal', { action: 'other', path: 'sys/seal', tenant: null }],
  ['enabling an audit device', { action: 'other', path: 'sys/audit/file2', tenant: null }],
  ['a policy write', { action: 'other', path: 'sys/policies/acl/admin', tenant: null }],
  ['a snapshot (backup)', { action: 'other', path: 'sys/storage/raft/snapshot', tenant: null }],
  ['the console own record of a LIST-like action', { action: 'list', source: 'console', ip: 'console' }],
  ['a metadata write of a secret', { action: 'write-metadata', path: 'tenants/metadata/t-000001/smtp/admin' }],
  ['a read of another mount top leaf', { action: 'read', path: 'tenants/data/_rotation-schedules-copy', tenant: null }],
  ['a secret that is not there', { status: 'not-found' }],
  ['a denied schedules read', { action: 'read', path: 'tenants/data/_rotation-schedules', status: 'denied', tenant: null }],
  ['a denied detailed-metadata scan', { action: 'other', path: 'tenants/detailed-metadata/t-000001/', status: 'denied', tenant: null }],
  ['a 2FA enrolment (TOTP key write)', { action: 'other', path: 'totp/keys/vault-console-admin', tenant: null }],
  ['a backup data key', { action: 'other', path: 'transit/encrypt/vault-console-backup', tenant: null }],
];

function fixture() {
  n = 0;
  const repo = new AuditRepo(openDatabase(':memory:'));
  const hk = HOUSEKEEPING.map(([, o]) => rec(o));
  const shown = ALWAYS_SHOWN.map(([, o]) => rec(o));
  repo.insertMany([...hk, ...shown]);
  return { repo, hk, shown };
}

const keys = (repo: AuditRepo, filter: AuditFilter) => repo.page(filter, null, 1000).events.map((e) => e.key).sort();

describe('hide console housekeeping', () => {
  it.each(ALWAYS_SHOWN)('never hides %s', (label) => {
    const { repo, shown } = fixture();
    const r = shown[ALWAYS_SHOWN.findIndex(([l]) => l === label)]!;
    expect(keys(repo, { hideHousekeeping: true })).toContain(r.key);
  });

  it.each(HOUSEKEEPING)('hides %s, and shows it with the toggle off', (label) => {
    const { repo, hk } = fixture();
    const r = hk[HOUSEKEEPING.findIndex(([l]) => l === label)]!;
    expect(keys(repo, { hideHousekeeping: true })).not.toContain(r.key);
    expect(keys(repo, {})).toContain(r.key);
    expect(keys(repo, { hideHousekeeping: false })).toContain(r.key);
  });

  it('applies with every other filter, in pages, counts and free text alike', () => {
    const { repo, shown } = fixture();
    const visible = shown.map((r) => r.key).sort();
    expect(keys(repo, { hideHousekeeping: true })).toEqual(visible);
    expect(repo.counts({ hideHousekeeping: true }).total).toBe(shown.length);
    const tenantVisible = shown.filter((r) => r.tenant === 't-000001').map((r) => r.key).sort();
    expect(keys(repo, { hideHousekeeping: true, tenant: 't-000001' })).toEqual(tenantVisible);
    expect(repo.counts({ hideHousekeeping: true, tenant: 't-000001' }).total).toBe(tenantVisible.length);
    const textVisible = shown.filter((r) => r.path.includes('smtp/admin')).map((r) => r.key).sort();
    expect(keys(repo, { hideHousekeeping: true, text: 'smtp/admin' })).toEqual(textVisible);
    expect(repo.counts({ hideHousekeeping: true, text: 'smtp/admin' }).total).toBe(textVisible.length);
  });

  it('a pending request that completes as a LIST becomes housekeeping; one that is denied stays', () => {
    n = 0;
    const repo = new AuditRepo(openDatabase(':memory:'));
    repo.insertMany([rec({ key: 'v:1', action: 'list', path: 'tenants/metadata/', status: 'pending', tenant: null }), rec({ key: 'v:2', action: 'list', path: 'tenants/metadata/', status: 'pending', tenant: null })]);
    expect(repo.counts({ hideHousekeeping: true }).total).toBe(2);
    repo.insertMany([rec({ key: 'v:1', action: 'list', path: 'tenants/metadata/', status: 'ok', tenant: null }), rec({ key: 'v:2', action: 'list', path: 'tenants/metadata/', status: 'denied', tenant: null })]);
    expect(keys(repo, { hideHousekeeping: true })).toEqual(['v:2']);
  });

  it("classifies a real OpenBao log: its LIST and metadata reads are housekeeping, its secret reads, writes, deletes and sign-ins are not", async () => {
    const repo = new AuditRepo(openDatabase(':memory:'));
    await importAuditFile(repo, FIXTURE);
    const all = repo.page({}, null, 1000).events;
    const shown = new Set(repo.page({ hideHousekeeping: true }, null, 1000).events.map((e) => e.id));
    const hidden = all.filter((e) => !shown.has(e.id));
    expect(hidden.length).toBeGreaterThan(0);
    for (const e of hidden) expect(['list', 'read-metadata']).toContain(e.action);
    for (const e of all.filter((x) => ['read', 'write', 'delete', 'login', 'failed-login'].includes(x.action))) expect(shown.has(e.id)).toBe(true);
  });
});

describe('the chart of events over time by action', () => {
  function brute(repo: AuditRepo, filter: AuditFilter, from: number, width: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of repo.page(filter, null, 2000).events) {
      const b = Math.floor((e.ts - from) / width);
      out.set(`${b}:${e.action}`, (out.get(`${b}:${e.action}`) ?? 0) + 1);
    }
    return out;
  }
  const flat = (c: ReturnType<AuditRepo['histogram']>) => {
    const out = new Map<string, number>();
    c.buckets.forEach((b, i) => Object.entries(b.counts).forEach(([a, k]) => out.set(`${i}:${a}`, k)));
    return out;
  };

  function many() {
    n = 0;
    const repo = new AuditRepo(openDatabase(':memory:'));
    const actions = ['read', 'list', 'write', 'read-metadata', 'login'] as const;
    const records: AuditRecord[] = [];
    for (let i = 0; i < 1500; i++) {
      const action = actions[i % actions.length]!;
      records.push(rec({ ts: T0 + i * 37_000, action, tenant: `t-00000${i % 4}`, path: action === 'list' ? 'tenants/metadata/' : `tenants/data/t-00000${i % 4}/smtp/admin`, status: i % 11 === 0 ? 'denied' : 'ok' }));
    }
    repo.insertMany(records);
    return repo;
  }

  it.each<[string, AuditFilter]>([
    ['everything (per-minute rollup)', {}],
    ['housekeeping hidden (rollup)', { hideHousekeeping: true }],
    ['one action (rollup)', { action: 'read' }],
    ['a date range', { from: new Date(T0 + 3_600_000).toISOString(), to: new Date(T0 + 7_200_000).toISOString() }],
    ['one tenant (counted over its events)', { tenant: 't-000002', hideHousekeeping: true }],
    ['free text', { text: 'smtp/admin' }],
  ])('counts exactly what the table shows: %s', (_label, filter) => {
    const repo = many();
    const chart = repo.histogram(filter);
    expect(chart.partialSince).toBeNull();
    expect(flat(chart)).toEqual(brute(repo, { ...filter, from: new Date(chart.from).toISOString(), to: new Date(chart.to).toISOString() }, chart.from, chart.bucketMs));
    expect(chart.buckets.length).toBeLessThanOrEqual(72);
    expect(chart.source).toBe(filter.tenant || filter.text ? 'events' : 'rollup');
  });

  it('uses hourly counts for long ranges and stays exact after archiving or deleting events', () => {
    const repo = many();
    const long = repo.histogram({ from: new Date(T0 - 20 * 86_400_000).toISOString(), to: new Date(T0 + 86_400_000).toISOString() });
    expect(long.bucketMs % 3_600_000).toBe(0);
    expect(long.total).toBe(1500);
    const before = repo.histogram({}).total;
    const deleted = repo.dropMonth(202611);
    expect(deleted).toBeGreaterThan(0);
    expect(before).toBe(1500);
    expect(repo.histogram({ from: new Date(T0 - 86_400_000).toISOString(), to: new Date(T0 + 86_400_000).toISOString() }).total).toBe(0);
  });

  it('the per-minute and per-hour counts stay exact through every write: batches, pending completed in the same or a later batch, an old row classified again, duplicates, archive, reopen, drop', async () => {
    n = 0;
    const dir = mkdtempSync(join(tmpdir(), 'vc-rollup-'));
    const repo = new AuditRepo(openDatabase(join(dir, 'db.sqlite')));
    const db = (repo as unknown as { db: SqlDatabase }).db;
    const exact = () => {
      for (const [table, unit] of [['audit_rollup_minute', 60_000], ['audit_rollup_hour', 3_600_000]] as const) {
        const rolled = db.prepare(`SELECT slot, action, housekeeping, n FROM ${table} WHERE n <> 0 ORDER BY 1, 2, 3`).all();
        const counted = db.prepare(`SELECT ts / ${unit} AS slot, action, housekeeping, count(*) AS n FROM audit_events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`).all();
        expect(rolled, table).toEqual(counted);
      }
    };
    const jan = Date.UTC(2024, 0, 10);
    // A pending request completed in the batch that inserted it, and one completed later.
    repo.insertMany([
      rec({ key: 'v:p1', ts: jan, action: 'list', path: 'tenants/metadata/', status: 'pending', tenant: null }),
      rec({ key: 'v:p2', ts: jan + 5_000, action: 'read', status: 'pending' }),
      rec({ key: 'v:p1', ts: jan, action: 'list', path: 'tenants/metadata/', status: 'ok', tenant: null }),
      ...Array.from({ length: 50 }, (_, i) => rec({ ts: jan + i * 70_000, action: i % 2 ? 'read' : 'list', path: i % 2 ? 'tenants/data/t-000001/smtp/admin' : 'tenants/metadata/' })),
    ]);
    exact();
    repo.insertMany([rec({ key: 'v:p2', ts: jan + 5_000, action: 'read', status: 'ok' }), rec({ key: 'v:p2', ts: jan + 5_000, action: 'read', status: 'ok' })]);
    exact();
    // A Vault row stored before migration 13 (no operation; its action taken from a header, now
    // 'unclassified') is classified again when its entry is imported again: its count moves too.
    repo.insertMany([rec({ key: 'v:old', ts: jan + 9_000, action: 'unclassified', operation: null, path: 'tenants/metadata/', tenant: null, consoleHeader: 'action=rotate' })]);
    exact();
    expect(keys(repo, { hideHousekeeping: true })).toContain('v:old');
    repo.insertMany([rec({ key: 'v:old', ts: jan + 9_000, action: 'list', operation: 'list', path: 'tenants/metadata/', tenant: null })]);
    exact();
    expect(keys(repo, { hideHousekeeping: true })).not.toContain('v:old');
    // Imported once more: a duplicate, nothing moves.
    repo.insertMany([rec({ key: 'v:old', ts: jan + 9_000, action: 'read', operation: 'read', path: 'tenants/data/t-000001/smtp/admin' })]);
    exact();
    expect(repo.page({}, null, 1000).events.find((e) => e.key === 'v:old')?.action).toBe('list');
    repo.insertMany(Array.from({ length: 30 }, (_, i) => rec({ ts: Date.UTC(2026, 0, 5) + i * 1000 })));
    exact();
    const arch = new AuditArchiver(repo, join(dir, 'archive'));
    expect((await arch.apply(new Date('2026-03-01T00:00:00Z'))).archived).toContain(202401);
    exact();
    await arch.reopen(202401);
    exact();
    repo.dropMonth(202601);
    exact();
    expect(repo.histogram({ from: '2024-01-10T00:00:00Z', to: '2024-01-11T00:00:00Z' }).total).toBe(53);
  });

  it('an empty store draws an empty chart', () => {
    const repo = new AuditRepo(openDatabase(':memory:'));
    expect(repo.histogram({ hideHousekeeping: true })).toMatchObject({ total: 0, buckets: [] });
  });
});

describe('migration: audit housekeeping and chart', () => {
  const n15 = MIGRATIONS.findIndex((m) => m.name === 'audit housekeeping and chart') + 1;

  it('follows every migration of main (numbered after them) and runs on a fresh database', () => {
    expect(MIGRATIONS[n15 - 1]!.version).toBe(n15);
    expect(MIGRATIONS.find((m) => m.name === "audit: Vault's record decides the action")!.version).toBeLessThan(n15);
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, n15) });
    expect(currentVersion(db)).toBe(n15);
    expect(db.prepare('SELECT count(*) FROM audit_rollup_minute').pluck().get()).toBe(0);
  });

  it('classifies the events already stored and counts them into the rollups', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, n15 - 1) });
    const ins = db.prepare(
      "INSERT INTO audit_events (key, ts, month, action, tenant, user, secret_type, ip, status, path, source, request_id) VALUES (?, ?, 202611, ?, NULL, 'alice', 'none', '10.0.0.1', ?, ?, ?, ?)",
    );
    const rows: Array<[string, string, string, string]> = [
      ['list', 'ok', 'tenants/metadata/', 'vault'],
      ['list', 'ok', 'tenants/metadata/t-000001/', 'vault'],
      ['other', 'ok', 'sys/health', 'vault'],
      ['read', 'ok', 'tenants/data/t-000001/smtp/admin', 'vault'],
      ['list', 'denied', 'tenants/metadata/', 'vault'],
      ['list', 'ok', 'tenants/metadata/', 'console'],
    ];
    rows.forEach(([action, status, path, source], i) => ins.run(`m:${i}`, T0 + i * 61_000, action, status, path, source, `r${i}`));
    migrate(db, MIGRATIONS.slice(0, n15));
    const hk = db.prepare('SELECT key FROM audit_events WHERE housekeeping = 1 ORDER BY key').pluck().all();
    expect(hk).toEqual(['m:0', 'm:1', 'm:2']);
    for (const [table, unit] of [['audit_rollup_minute', 60_000], ['audit_rollup_hour', 3_600_000]] as const) {
      const rolled = db.prepare(`SELECT slot, action, housekeeping, n FROM ${table} ORDER BY 1, 2, 3`).all();
      const counted = db.prepare(`SELECT ts / ${unit} AS slot, action, housekeeping, count(*) AS n FROM audit_events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`).all();
      expect(rolled, table).toEqual(counted);
    }
    // And the repo on top of it (the schema migrated to the end: the repo writes later columns too) keeps them.
    migrate(db);
    const repo = new AuditRepo(db);
    expect(repo.histogram({ hideHousekeeping: true }).total).toBe(3);
    expect(repo.histogram({}).total).toBe(6);
  });
});
