// A path with a NUL character must not hide a read behind "hide console housekeeping".
// SQLite's GLOB reads text only up to a NUL, so the column of migration 15 took
// `tenants/data/_rotation-schedules\u0000/t-000001/smtp/admin` for the schedules read and
// hid it. Migration 20 redefines the column (an event with a NUL in any field the rule
// reads is never housekeeping); a store written at schema 19 keeps every row and value.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importAuditFile } from '../../../../../src/main/services/audit/audit-importer';
import type { AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase, type SqlDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';

const FIXTURE = join(__dirname, '../../../../fixtures/audit/openbao-2.4-audit.jsonl');
const NUL_PATHS = [
  'tenants/data/_rotation-schedules\u0000/t-000001/smtp/admin',
  'tenants/data/_rotation-schedules\u0000',
  'tenants/detailed-metadata\u0000/../data/t-000001/smtp/admin',
  'tenants/detailed-metadata/\u0000t-000001/smtp/admin',
];

/** OpenBao's response entry of a secret read (captured), with another path and request id. */
function openBaoRead(path: string, i: number): string {
  const line = readFileSync(FIXTURE, 'utf8').split('\n').find((l) => l.includes('"type":"response"') && l.includes('"operation":"read"') && l.includes('"path":"tenants/data/t-000001/smtp/admin"'))!;
  const e = JSON.parse(line) as { time: string; request: { id: string; path: string; headers?: unknown } };
  e.time = new Date(Date.UTC(2026, 10, 28, 23, 0, i)).toISOString();
  e.request.id = `00000000-0000-4000-8000-00000000000${i}`;
  e.request.path = path;
  delete e.request.headers;
  return JSON.stringify(e);
}

describe('a NUL in the path never makes an event housekeeping', () => {
  it('an OpenBao read of such a path is shown with "hide console housekeeping" on (local store)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vc-hk-nul-')), 'audit.jsonl');
    writeFileSync(file, NUL_PATHS.map(openBaoRead).join('\n') + '\n');
    const repo = new AuditRepo(openDatabase(':memory:'));
    expect((await importAuditFile(repo, file)).inserted).toBe(NUL_PATHS.length);
    const all = repo.page({}, null, 100).events;
    expect(all.map((e) => e.path).sort()).toEqual([...NUL_PATHS].sort());
    const shown = repo.page({ hideHousekeeping: true }, null, 100).events;
    expect(shown.map((e) => e.path).sort()).toEqual([...NUL_PATHS].sort());
    expect(repo.counts({ hideHousekeeping: true }).total).toBe(NUL_PATHS.length);
    expect(repo.histogram({ hideHousekeeping: true }).total).toBe(NUL_PATHS.length);
  });
});

describe('migration 20: housekeeping column redefined', () => {
  const V = MIGRATIONS.find((m) => m.name.startsWith('audit housekeeping: a NUL'))?.version ?? NaN;
  let n = 0;
  const rec = (over: Partial<AuditRecord>): AuditRecord => ({
    key: `v:${++n}`, ts: Date.UTC(2026, 10, 26, 11, 0) + n * 61_000, action: 'read', tenant: 't-000001', user: 'alice', secretType: 'smtp', ip: '10.0.0.1', status: 'ok',
    path: 'tenants/data/t-000001/smtp/admin', source: 'vault', requestId: `r${n}`, approvalId: null, error: null,
    operation: 'read', mount: 'tenants/', entityId: null, consoleHeader: null, headerConflict: false, ...over,
  });
  const rollupsExact = (db: SqlDatabase) => {
    for (const [table, unit] of [['audit_rollup_minute', 60_000], ['audit_rollup_hour', 3_600_000]] as const) {
      const rolled = db.prepare(`SELECT slot, action, housekeeping, n FROM ${table} WHERE n <> 0 ORDER BY 1, 2, 3`).all();
      const counted = db.prepare(`SELECT ts / ${unit} AS slot, action, housekeeping, count(*) AS n FROM audit_events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`).all();
      expect(rolled, table).toEqual(counted);
    }
  };

  it('is the one after 19', () => {
    expect(V).toBe(20);
    expect(MIGRATIONS.find((m) => m.version === 19)).toBeDefined();
  });

  it('migrates a store at schema 19: every row keeps its values, NUL paths stop being hidden, index and counts follow', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vc-mig20-')), 'db.sqlite');
    const old = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < V) });
    expect(currentVersion(old)).toBe(V - 1);
    const oldRepo = new AuditRepo(old);
    await importAuditFile(oldRepo, FIXTURE);
    n = 0;
    oldRepo.insertMany([
      ...NUL_PATHS.map((path) => rec({ path })),
      rec({ path: 'tenants/data/_rotation-schedules', tenant: null, secretType: 'none' }),
      rec({ action: 'list', path: 'tenants/metadata/', tenant: null, secretType: 'none' }),
      rec({ action: 'list', path: 'tenants/metadata/\u0000', tenant: null, secretType: 'none' }),
      rec({ source: 'vault\u0000' as AuditRecord['source'], action: 'other', path: 'sys/health', tenant: null, secretType: 'none' }),
      rec({ status: 'pending', path: 'tenants/data/_rotation-schedules\u0000' }),
    ]);
    const before = old.prepare('SELECT * FROM audit_events ORDER BY id').all() as Array<Record<string, unknown>>;
    const hiddenBefore = new Set(before.filter((r) => r.housekeeping === 1).map((r) => r.key));
    // The defect, as stored at schema 19.
    expect(hiddenBefore.has('v:1')).toBe(true);
    rollupsExact(old);
    old.close();

    const db = openDatabase(file);
    expect(currentVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    const after = db.prepare('SELECT * FROM audit_events ORDER BY id').all() as Array<Record<string, unknown>>;
    expect(after.length).toBe(before.length);
    expect(before.length).toBeGreaterThan(50);
    const strip = ({ housekeeping: _h, ...rest }: Record<string, unknown>) => rest;
    expect(after.map(strip)).toEqual(before.map(strip));
    const hasNul = (r: Record<string, unknown>) => ['source', 'action', 'path', 'status'].some((c) => String(r[c]).includes('\u0000'));
    for (const [i, r] of after.entries()) expect(r.housekeeping, String(r.key)).toBe(hasNul(r) ? 0 : before[i]!.housekeeping);
    // Something was hidden before and stays hidden (the rule is the same without a NUL).
    expect(after.filter((r) => r.housekeeping === 1).length).toBeGreaterThan(3);
    expect(after.filter((r) => r.housekeeping === 1).map((r) => r.key)).toEqual(before.filter((r) => r.housekeeping === 1 && !hasNul(r)).map((r) => r.key));
    rollupsExact(db);
    // The viewer's default still walks the partial index.
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT id FROM audit_events WHERE housekeeping = 0 ORDER BY ts DESC LIMIT 50').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/audit_events_visible_ts/);
    expect(db.prepare("SELECT count(*) FROM sqlite_temp_master").pluck().get()).toBe(0);
    const repo = new AuditRepo(db);
    const shown = new Set(repo.page({ hideHousekeeping: true }, null, 5000).events.map((e) => e.key));
    for (const key of ['v:1', 'v:2', 'v:3', 'v:4', 'v:7', 'v:8']) expect(shown.has(key), key).toBe(true);
    expect(shown.has('v:5')).toBe(false);
    expect(shown.has('v:6')).toBe(false);
    expect(repo.histogram({ hideHousekeeping: true }).total).toBe(shown.size);
  });
});
