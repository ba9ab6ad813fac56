// "Hide console housekeeping" means one thing on every source: the local store decides
// it in SQL (a generated column, HOUSEKEEPING_SQL), the VictoriaLogs event line carries
// the decision of isHousekeeping() (audit/housekeeping.ts). Two definitions may drift;
// this test keeps them one: every row of the captured OpenBao corpora, loaded into
// SQLite, and every combination of source, action, status and a list of tricky paths
// (GLOB's own metacharacters, case, prefixes and suffixes of the patterns) get the same
// answer from both, and the event line carries it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importAuditFile } from '../../../../../src/main/services/audit/audit-importer';
import { isHousekeeping } from '../../../../../src/main/services/audit/housekeeping';
import type { AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { toEventDoc } from '../../../../../src/main/services/audit-source/event-fields';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase, type SqlDatabase } from '../../../../../src/main/services/storage/database';
import { HOUSEKEEPING_SQL } from '../../../../../src/main/services/storage/schema/audit-housekeeping';
import { AUDIT_ACTIONS, AUDIT_SOURCES, AUDIT_STATUSES } from '../../../../../src/shared/contracts/audit';

const FIXTURES = join(__dirname, '../../../../fixtures/audit');
const CORPORA = readdirSync(FIXTURES).filter((f) => f.endsWith('.jsonl'));

type Row = Pick<AuditRecord, 'source' | 'action' | 'path' | 'status'>;

describe('the housekeeping field of an event line agrees with the local store', () => {
  it('has corpora to compare', () => {
    expect(CORPORA.length).toBeGreaterThanOrEqual(2);
  });

  it.each(CORPORA)('on every row of %s loaded into SQLite', async (file) => {
    const repo = new AuditRepo(openDatabase(':memory:'));
    await importAuditFile(repo, join(FIXTURES, file));
    const db = (repo as unknown as { db: SqlDatabase }).db;
    const rows = db.prepare('SELECT key, source, action, path, status, housekeeping FROM audit_events').all() as Array<Row & { key: string; housekeeping: number }>;
    expect(rows.length).toBeGreaterThan(40);
    const disagree = rows.filter((r) => isHousekeeping(r) !== (r.housekeeping === 1)).map((r) => `${r.key} ${r.source} ${r.action} ${r.status} ${r.path}`);
    expect(disagree).toEqual([]);
    // Both answers occur in the captured logs, or the comparison proves little.
    expect(rows.some((r) => r.housekeeping === 1)).toBe(true);
    expect(rows.some((r) => r.housekeeping === 0)).toBe(true);
    // What the forwarder ships says the same.
    for (const e of repo.page({}, null, 5000).events) expect(toEventDoc(e).housekeeping).toBe(rows.find((r) => r.key === e.key)!.housekeeping === 1 ? '1' : '0');
  });

  it('on every source × action × status × tricky path (GLOB metacharacters, case, near misses)', () => {
    const db = openDatabase(':memory:');
    const sql = db.prepare(`SELECT ${HOUSEKEEPING_SQL} FROM (SELECT ? AS source, ? AS action, ? AS path, ? AS status)`).pluck();
    const paths = [
      '', '/', 'sys/health', 'sys/health/', 'SYS/HEALTH', 'sys/healthx', 'xsys/health', 'sys/seal-status', 'sys/leader', 'sys/ha-status', 'sys/metrics',
      'sys/audit', 'sys/audit/file2', 'sys/capabilities-self', 'sys/storage/raft/autopilot/state', 'sys/storage/raft/snapshot',
      'auth/token/lookup-self', 'auth/token/renew-self', 'auth/token/lookup', 'cubbyhole/vault-console/health-canary', 'cubbyhole/vault-console/health-canary2',
      'tenants/data/_rotation-schedules', '/data/_rotation-schedules', 'data/_rotation-schedules', 'ns1/tenants/data/_rotation-schedules',
      'tenants/data/_rotation-schedules-copy', 'tenants/data/_ROTATION-schedules', 'tenants/data/_rotation-schedules/x',
      'tenants/detailed-metadata', 'tenants/detailed-metadata/', 'tenants/detailed-metadata/t-000001/', 'detailed-metadata', '/detailed-metadata',
      'tenants/detailed-metadatax', 'tenants/Detailed-Metadata/x', 'a/detailed-metadata/detailed-metadata',
      'sys/internal/ui/mounts/tenants', 'sys/internal/ui/mounts/', 'sys/internal/ui/mounts', 'x/sys/internal/ui/mounts/y',
      'tenants-stamps/metadata/t-000001', '-stamps/metadata/', 'tenants-stamps/metadata', 'tenants-stamps/data/t-000001', 'a-stamps/metadata/b-stamps/metadata/c',
      'tenants/metadata/t-000001/smtp/admin', 'tenants/data/t-000001/smtp/admin', 'auth/userpass/login/alice',
      // GLOB's own metacharacters inside a path: literal characters to both
      'tenants/[d]etailed-metadata/x', 'tenants/?etailed-metadata/x', 'tenants/*/x', '*', '?', '[*]', 'x*-stamps/metadata/*', 'sys/internal/ui/mounts/[a]',
      'tenants/data/_rotation-schedules\u0000', 'tenants/data/é/_rotation-schedules', '日本/detailed-metadata',
    ];
    let compared = 0;
    let hidden = 0;
    const disagree: string[] = [];
    for (const source of AUDIT_SOURCES)
      for (const action of AUDIT_ACTIONS)
        for (const status of AUDIT_STATUSES)
          for (const path of paths) {
            const want = sql.get(source, action, path, status) === 1;
            if (isHousekeeping({ source, action, path, status }) !== want) disagree.push(`${source} ${action} ${status} ${JSON.stringify(path)} (SQL says ${want})`);
            compared++;
            if (want) hidden++;
          }
    expect(disagree).toEqual([]);
    expect(compared).toBeGreaterThan(5000);
    expect(hidden).toBeGreaterThan(100);
  });

  it('a NUL anywhere in a field the rule reads: never housekeeping, in SQL or on the event line (GLOB reads only up to a NUL)', () => {
    const db = openDatabase(':memory:');
    const sql = db.prepare(`SELECT ${HOUSEKEEPING_SQL} FROM (SELECT ? AS source, ? AS action, ? AS path, ? AS status)`).pluck();
    // Each would be housekeeping if its text ended at the NUL.
    const paths = [
      'tenants/data/_rotation-schedules\u0000', 'tenants/data/_rotation-schedules\u0000/t-000001/smtp/admin', 'tenants/data/_rotation-schedules\u0000\u0000',
      'tenants/detailed-metadata\u0000/../data/t-000001/smtp/admin', 'tenants/detailed-metadata/\u0000x', 'tenants/detailed-metadata\u0000',
      'sys/health\u0000', 'sys/health\u0000/x', 'auth/token/lookup-self\u0000', 'sys/internal/ui/mounts/\u0000tenants', 'tenants-stamps/metadata/\u0000t',
      '\u0000', 'tenants/data/t-000001/smtp/admin\u0000',
    ];
    const rows: Row[] = [];
    for (const source of AUDIT_SOURCES)
      for (const action of AUDIT_ACTIONS)
        for (const status of AUDIT_STATUSES) for (const path of paths) rows.push({ source, action, path, status });
    // The other fields the rule reads, with a NUL, on rows that are housekeeping without it.
    const clean: Row[] = [
      { source: 'vault', action: 'list', path: 'tenants/metadata/', status: 'ok' },
      { source: 'vault', action: 'read', path: 'tenants/data/_rotation-schedules', status: 'not-found' },
      { source: 'vault', action: 'other', path: 'sys/health', status: 'ok' },
    ];
    for (const r of clean) {
      expect(sql.get(r.source, r.action, r.path, r.status)).toBe(1);
      expect(isHousekeeping(r)).toBe(true);
      for (const field of ['source', 'action', 'status'] as const) rows.push({ ...r, [field]: `${r[field]}\u0000` }, { ...r, [field]: `${r[field]}\u0000x` });
    }
    const hidden = rows
      .filter((r) => sql.get(r.source, r.action, r.path, r.status) !== 0 || isHousekeeping(r))
      .map((r) => `${JSON.stringify(r)} (SQL ${String(sql.get(r.source, r.action, r.path, r.status))}, TS ${isHousekeeping(r)})`);
    expect(hidden).toEqual([]);
    expect(rows.length).toBeGreaterThan(1000);
  });
});
