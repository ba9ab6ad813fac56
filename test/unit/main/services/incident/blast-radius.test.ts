// The blast-radius listing over the audit store (no Vault): exactly the tenant secrets an
// identity read, revealed or downloaded since T, with counts and first/last times; what
// shows no value (metadata reads, lists, writes, denied or empty reads, profiles) and what
// others did is left out; each identity kind has its index. Migrations 10 and 11 on a
// fresh database.
import { describe, expect, it } from 'vitest';
import { NO_VAULT_DETAIL, type AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { parseConsoleTag, formatConsoleTag } from '../../../../../src/main/services/audit/console-header';
import { parseVaultAuditText } from '../../../../../src/main/services/audit/audit-parser';
import { IncidentService } from '../../../../../src/main/services/incident/incident-service';
import { placeOfLoggedPath } from '../../../../../src/main/services/incident/logged-path';
import { createLogger } from '../../../../../src/main/services/log/logger';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';
import { RotationRepo } from '../../../../../src/main/services/storage/rotation-repo';
import { ManualClock } from '../../../../../src/main/services/time/clock';
import { incidentOfHeader } from '../../../../../src/main/services/storage/audit-access-queries';
import { secretAccessClass, SECRET_ACCESS_ACTIONS } from '../../../../../src/shared/audit/secret-access';

const T0 = Date.UTC(2026, 5, 1);
let n = 0;
const ev = (over: Partial<AuditRecord>): AuditRecord => {
  n++;
  return {
    key: `v:${n}`,
    ts: T0 + n * 1000,
    action: 'read',
    tenant: 't-000001',
    user: 'mallory',
    secretType: 'ssh',
    ip: '10.9.9.9',
    status: 'ok',
    path: 'tenants/data/t-000001/ssh/admin',
    source: 'vault',
    requestId: `r${n}`,
    approvalId: null,
    error: null,
    ...NO_VAULT_DETAIL,
    entityId: 'ent-mallory',
    accessor: 'acc-mallory',
    ...over,
  };
};

function service(repo: AuditRepo): IncidentService {
  const unused = () => {
    throw new Error('not used by the listing');
  };
  return new IncidentService({
    access: repo.access,
    rotation: { previewPaths: unused, start: unused, jobs: unused, jobDetail: unused, report: unused, rotateOne: unused, apiKeys: {} as never },
    mount: () => 'tenants',
    clock: new ManualClock(T0 + 10_000_000),
    log: createLogger('test'),
  });
}

describe('blast radius', () => {
  const repo = new AuditRepo(openDatabase(':memory:'));
  repo.insertMany([
    ev({ ts: T0 - 60_000, path: 'tenants/data/t-000009/smtp/admin', tenant: 't-000009', secretType: 'smtp' }), // before T
    ev({}),
    ev({}),
    ev({ path: 'tenants/data/t-000002/smtp/admin', tenant: 't-000002', secretType: 'smtp', action: 'reveal' }),
    ev({ path: 't-000002/smtp/admin', tenant: 't-000002', secretType: 'smtp', action: 'reveal', source: 'console', ip: 'console', entityId: null, accessor: null }),
    ev({ path: 'tenants/data/t-000003/dkim/mail.example.org', tenant: 't-000003', secretType: 'dkim', action: 'download' }),
    ev({ path: 'tenants/data/t-000004/api/ak_0123456789', tenant: 't-000004', secretType: 'api' }),
    ev({ path: 'tenants/data/t-000005/ssh/tenant', tenant: 't-000005', status: 'denied' }), // saw nothing
    ev({ path: 'tenants/data/t-000005/ssh/admin', tenant: 't-000005', status: 'not-found' }),
    ev({ path: 'tenants/data/t-000006/ssh/admin', tenant: 't-000006', status: 'pending' }), // may have been answered
    ev({ path: 'tenants/metadata/t-000007/ssh/admin', tenant: 't-000007', action: 'read-metadata' }),
    ev({ path: 'tenants/data/t-000007/smtp/admin', tenant: 't-000007', secretType: 'smtp', action: 'write' }),
    ev({ path: 'tenants/data/t-000008/profile', tenant: 't-000008', secretType: 'profile' }),
    ev({ path: 'other/data/t-000010/ssh/admin', tenant: 't-000010' }), // another KV mount
    ev({ user: 'alice', entityId: 'ent-alice', accessor: 'acc-alice', ip: '10.1.1.1', path: 'tenants/data/t-000011/ssh/admin', tenant: 't-000011' }),
    ev({ user: 'mallory', entityId: 'ent-mallory', accessor: 'acc-other-token', ip: '10.1.1.1', path: 'tenants/data/t-000012/ssh/admin', tenant: 't-000012' }),
  ]);
  const since = new Date(T0).toISOString();

  it('lists exactly what the user read, revealed or downloaded since T, with counts and times', async () => {
    const r = await service(repo).blastRadius({ identity: { kind: 'user', value: 'mallory' }, since });
    expect(r.secrets.map((s) => s.path)).toEqual(['t-000001/ssh/admin', 't-000002/smtp/admin', 't-000003/dkim/mail.example.org', 't-000004/api/ak_0123456789', 't-000006/ssh/admin', 't-000012/ssh/admin']);
    const first = r.secrets[0]!;
    expect(first).toMatchObject({ tenantId: 't-000001', type: 'ssh', reads: 2, reveals: 0, downloads: 0, consoleRecords: 0, rotatedSince: null, first: new Date(T0 + 2000).toISOString(), last: new Date(T0 + 3000).toISOString() });
    expect(r.secrets[1]).toMatchObject({ reveals: 1, consoleRecords: 1, reads: 0 });
    expect(r.secrets[2]).toMatchObject({ downloads: 1 });
    expect(r.tenants).toBe(6);
    expect(r.otherMounts).toEqual([expect.objectContaining({ path: 'other/data/t-000010/ssh/admin', count: 1 })]);
    expect(r.vaultChecked).toBe(false);
  });

  it('finds the same reads by entity, by token accessor and by source address, each only its own', async () => {
    const s = service(repo);
    const by = async (kind: 'entity' | 'accessor' | 'address', value: string) => (await s.blastRadius({ identity: { kind, value }, since })).secrets.map((x) => x.path);
    expect(await by('entity', 'ent-mallory')).toEqual(['t-000001/ssh/admin', 't-000002/smtp/admin', 't-000003/dkim/mail.example.org', 't-000004/api/ak_0123456789', 't-000006/ssh/admin', 't-000012/ssh/admin']);
    expect(await by('accessor', 'acc-other-token')).toEqual(['t-000012/ssh/admin']);
    expect(await by('address', '10.1.1.1')).toEqual(['t-000011/ssh/admin', 't-000012/ssh/admin']);
    expect(await by('address', '192.0.2.1')).toEqual([]);
  });

  it('honours the time range and refuses a reversed one', async () => {
    const s = service(repo);
    const r = await s.blastRadius({ identity: { kind: 'user', value: 'mallory' }, since: new Date(T0 + 5500).toISOString(), until: new Date(T0 + 7500).toISOString() });
    expect(r.secrets.map((x) => x.path)).toEqual(['t-000003/dkim/mail.example.org', 't-000004/api/ak_0123456789']);
    await expect(s.blastRadius({ identity: { kind: 'user', value: 'mallory' }, since: '2026-07-01', until: '2026-06-01' })).rejects.toThrow(/ends before it starts/);
    await expect(s.blastRadius({ identity: { kind: 'user', value: 'mallory' }, since: 'last tuesday' })).rejects.toThrow(/not a valid date/);
  });

  it('answers a user or an entity from the covering index alone (no table row is read)', () => {
    const db = openDatabase(':memory:');
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((p) => p.detail).join(' | ');
    const q = (col: string, idx: string) =>
      `SELECT path_id, action, count(*), min(ts), max(ts) FROM audit_events INDEXED BY ${idx} WHERE ${col} IN (SELECT value FROM json_each('["x"]')) AND action IN (SELECT value FROM json_each('["read"]')) AND ts >= 0 AND ts <= 1 AND status IN (SELECT value FROM json_each('["ok"]')) GROUP BY path_id, action`;
    expect(plan(q('user', 'audit_events_user_access'))).toMatch(/COVERING INDEX audit_events_user_access/);
    expect(plan(q('entity_id IS NOT NULL AND entity_id', 'audit_events_entity_access'))).toMatch(/COVERING INDEX audit_events_entity_access/);
  });
});

describe('what counts as an access, and where a logged path points', () => {
  it('one function decides: reads (and rows whose Vault operation is unknown), reveals and downloads', () => {
    expect(SECRET_ACCESS_ACTIONS).toEqual(['read', 'download', 'reveal', 'unclassified']);
    expect(secretAccessClass('unclassified')).toBe('read');
    expect(secretAccessClass('read-metadata')).toBeNull();
    expect(secretAccessClass('write')).toBeNull();
  });

  it('maps Vault API paths and the console records to the KV layout', () => {
    expect(placeOfLoggedPath('tenants/data/t-000042/ssh/admin')).toMatchObject({ rel: 't-000042/ssh/admin', mount: 'tenants', tenantId: 't-000042', type: 'ssh', console: false, endpoint: 'data' });
    expect(placeOfLoggedPath('t-000042/dkim/mail.example.org')).toMatchObject({ rel: 't-000042/dkim/mail.example.org', mount: null, console: true, type: 'dkim' });
    expect(placeOfLoggedPath('tenants/metadata/t-000042/ssh/admin')).toMatchObject({ endpoint: 'metadata' });
    expect(placeOfLoggedPath('sys/mounts')).toBeNull();
    expect(placeOfLoggedPath('tenants/data/not-a-tenant/x')).toBeNull();
  });
});

describe('the audit header and the mapping carry the incident and the identity', () => {
  it('incident= round-trips through the console header and is refused when unsafe', () => {
    const v = formatConsoleTag({ action: 'emergency-reset', req: 'vc-1', incident: 'INC-2041' });
    expect(v).toBe('action=emergency-reset;req=vc-1;incident=INC-2041');
    expect(parseConsoleTag([v])).toEqual({ action: 'emergency-reset', req: 'vc-1', incident: 'INC-2041' });
    expect(() => formatConsoleTag({ action: 'rotate', incident: 'INC 1;action=delete' })).toThrow();
    expect(parseConsoleTag('action=rotate;incident=INC 1')).toEqual({ action: 'rotate' });
  });

  it("a Vault entry gives the entity id and the accessor as logged; the header's incident is an annotation that decides nothing", () => {
    const req = { id: 'r-1', operation: 'read', path: 'tenants/data/t-000001/ssh/admin', mount_point: 'tenants/', mount_type: 'kv', remote_address: '10.0.0.7', headers: { 'x-vault-console-action': ['action=emergency-reset;req=vc-9;incident=SIRT-2026-004'] } };
    const auth = { display_name: 'userpass-mallory', metadata: { username: 'mallory' }, entity_id: 'e-123', accessor: 'hmac-sha256:abc' };
    const text = [JSON.stringify({ time: '2026-06-01T00:00:00.123456Z', type: 'request', auth, request: req }), JSON.stringify({ time: '2026-06-01T00:00:00.223456Z', type: 'response', auth, request: req, response: { data: { x: 'hmac' } } })].join('\n');
    const [r] = parseVaultAuditText(text).records;
    // Vault's record decides: a read stays a read whatever the header says; the header (and its incident) is kept beside it.
    expect(r).toMatchObject({ user: 'mallory', entityId: 'e-123', accessor: 'hmac-sha256:abc', action: 'read', consoleHeader: 'action=emergency-reset;req=vc-9;incident=SIRT-2026-004' });
    expect(incidentOfHeader(r!.consoleHeader)).toBe('SIRT-2026-004');
  });
});

describe('migrations 18 and 19 on a fresh database', () => {
  it("18 adds the token accessor and the incident-response indexes (the entity is migration 13's column; no incident column)", () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.filter((m) => m.version <= 18) });
    expect(currentVersion(db)).toBe(18);
    const cols = (db.prepare('PRAGMA table_info(audit_events)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(expect.arrayContaining(['entity_id', 'accessor', 'console_header']));
    expect(cols).not.toContain('incident_id');
    expect(cols.filter((c) => c === 'entity_id')).toHaveLength(1);
    const idx = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events'").pluck().all();
    expect(idx).toEqual(expect.arrayContaining(['audit_events_user_access', 'audit_events_entity_access', 'audit_events_accessor_ts', 'audit_events_failed_login', 'audit_events_annotated', 'audit_events_user_action_ts']));
  });

  it('19 keeps every existing job and item, and allows incident jobs with their incident id', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.filter((m) => m.version <= 18) });
    const repo = new RotationRepo(db);
    repo.createJob({ id: 'job-old', kind: 'overdue', label: 'l', selection_json: '{}', mount: 'tenants', status: 'paused', actor: 'a', reason: 'r', concurrency: 2, fail_threshold: 0.2, created_at: '2026-01-01T00:00:00Z' }, [
      { tenantId: 't-000001', path: 't-000001/ssh/admin', baseVersion: 3 },
      { tenantId: 't-000002', path: 't-000002/ssh/admin', baseVersion: 4 },
    ]);
    repo.finishItem('job-old', 1, 'done', '2026-01-01T00:01:00Z', { newVersion: 4 });
    expect(() => repo.createJob({ id: 'x', kind: 'incident', label: 'l', selection_json: '{}', mount: 'm', status: 'running', actor: 'a', reason: 'r', concurrency: 1, fail_threshold: 0.2, created_at: 'now' }, [])).toThrow(/CHECK|incident_id/);
    // Migrate the same file forward.
    const before = db.prepare('SELECT * FROM rotation_job_items ORDER BY seq').all();
    for (const m of MIGRATIONS.filter((x) => x.version === 19)) db.transaction(() => m.up(db))();
    db.pragma('user_version = 19');
    expect(db.prepare('SELECT * FROM rotation_job_items ORDER BY seq').all()).toEqual(before);
    expect(repo.job('job-old')).toMatchObject({ status: 'paused', kind: 'overdue', incident_id: null });
    repo.createJob({ id: 'job-inc', kind: 'incident', label: 'Incident', selection_json: '{}', mount: 'tenants', status: 'running', actor: 'a', reason: 'r', concurrency: 1, fail_threshold: 0.2, created_at: 'now', incident_id: 'INC-7' }, [{ tenantId: 't-1', path: 't-000001/smtp/admin', baseVersion: 1 }]);
    expect(repo.job('job-inc')).toMatchObject({ kind: 'incident', incident_id: 'INC-7', total: 1 });
    expect(() => db.prepare("INSERT INTO rotation_job_items (job_id, seq, tenant_id, path, base_version, state) VALUES ('nope', 1, 't', 'p', 0, 'pending')").run()).toThrow(/FOREIGN KEY/);
    expect(db.prepare("SELECT count(*) FROM sqlite_temp_master WHERE name LIKE 'rotation_%'").pluck().get()).toBe(0);
  });
});
