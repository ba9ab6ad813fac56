// The migration ("Vault's record decides the action"): on a fresh database it adds the
// columns (operation, mount, entity, console header, contradiction, approval writes)
// and their partial indexes; on a database written by schema 9 it keeps the console
// header of rows whose action a client's header had set, marks them unclassified,
// case-folds user names (events and the term dictionary), and a later import of the
// same raw Vault log classifies those rows again from Vault's record.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importAuditFile } from '../../../../../src/main/services/audit/audit-importer';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';

const FIXTURE = join(__dirname, '../../../../fixtures/audit/openbao-2.4-audit.jsonl');
const V10 = MIGRATIONS.find((m) => m.name.startsWith("audit: Vault's record"))!.version;

describe("migration: Vault's record decides the action", () => {
  it('adds the Vault-record columns and their partial indexes on a fresh database', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.filter((m) => m.version <= V10) });
    expect(currentVersion(db)).toBe(V10);
    const cols = (db.prepare('PRAGMA table_info(audit_events)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(expect.arrayContaining(['operation', 'mount', 'entity_id', 'console_header', 'header_conflict', 'approval_write']));
    const idx = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ('audit_events_conflict_ts', 'audit_events_approval_ts', 'audit_events_login_entity')").all() as { name: string; sql: string }[];
    expect(idx.map((i) => i.name).sort()).toEqual(['audit_events_approval_ts', 'audit_events_conflict_ts', 'audit_events_login_entity']);
    expect(idx.every((i) => / WHERE /.test(i.sql))).toBe(true);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT id FROM audit_events WHERE header_conflict = 1 AND ts >= 0 ORDER BY ts DESC').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/audit_events_conflict_ts/);
  });

  it('moves header-set actions of an existing database aside, folds user names, and a re-import classifies them from Vault', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vc-mig10-')), 'db.sqlite');
    const old = openDatabase(file, { migrations: MIGRATIONS.filter((m) => m.version < V10) });
    expect(currentVersion(old)).toBe(V10 - 1);
    // What schema 9 stored for the captured log's entries: the header's action, and user names as typed.
    const insert = old.prepare(
      `INSERT INTO audit_events (key, ts, month, action, tenant, user, secret_type, ip, status, path, source, request_id, approval_id, error)
       VALUES (?, ?, 202611, ?, ?, ?, ?, '127.0.0.1', 'ok', ?, ?, ?, ?, NULL)`,
    );
    const ts = Date.UTC(2026, 10, 28, 22, 29, 43);
    insert.run('v:bab90b78-808f-f3d7-052e-a116b7d61e5d', ts, 'rotate', 't-000001', 'admin', 'ssh', 'tenants/data/t-000001/ssh/admin', 'vault', 'bab90b78-808f-f3d7-052e-a116b7d61e5d', null);
    insert.run('v:c83b7fd4-8e6e-498b-b4c9-ad573ec869e2', ts, 'reveal', 't-000001', 'admin', 'smtp', 'tenants/data/t-000001/smtp/admin', 'vault', 'c83b7fd4-8e6e-498b-b4c9-ad573ec869e2', null);
    insert.run('v:legacy-delete', ts, 'delete', 't-000002', 'admin', 'api', 'tenants/metadata/t-000002/api/x', 'vault', 'legacy-delete', 'apr-0001');
    insert.run('v:legacy-user', ts, 'failed-login', null, 'Carol', 'none', 'auth/userpass/login/Carol', 'vault', 'legacy-user', null);
    insert.run('v:legacy-user2', ts, 'failed-login', null, 'carol', 'none', 'auth/userpass/login/carol', 'vault', 'legacy-user2', null);
    insert.run('c:vc-1:rotate', ts, 'rotate', 't-000001', 'Admin', 'ssh', 't-000001/ssh/admin', 'console', 'vc-1', null);
    old.prepare("INSERT INTO audit_terms (kind, value) VALUES (4, 'Carol'), (4, 'carol'), (4, 'Admin'), (4, 'admin')").run();
    old.prepare("INSERT INTO audit_terms_fts (audit_terms_fts) VALUES ('rebuild')").run();
    old.close();

    const db = openDatabase(file);
    expect(currentVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    const row = (key: string) => db.prepare('SELECT action, user, console_header, operation FROM audit_events WHERE key = ?').get(key) as Record<string, unknown>;
    expect(row('v:bab90b78-808f-f3d7-052e-a116b7d61e5d')).toEqual({ action: 'unclassified', user: 'admin', console_header: 'action=rotate', operation: null });
    expect(row('v:c83b7fd4-8e6e-498b-b4c9-ad573ec869e2')).toMatchObject({ action: 'unclassified', console_header: 'action=reveal' });
    // A delete stays a delete: it now needs Vault's record of its approval.
    expect(row('v:legacy-delete')).toMatchObject({ action: 'delete', console_header: null });
    expect(row('v:legacy-user')).toMatchObject({ user: 'carol' });
    // The console's own records keep their action (they are the console's statement, not Vault's).
    expect(row('c:vc-1:rotate')).toMatchObject({ action: 'rotate', user: 'admin' });
    const users = db.prepare('SELECT value FROM audit_terms WHERE kind = 4 ORDER BY value').pluck().all();
    expect(users).toEqual(['admin', 'carol']);
    const repo = new AuditRepo(db);
    expect(repo.page({ text: 'carol' }, null, 10).events).toHaveLength(2);
    expect(repo.facets().users).toEqual(['admin', 'carol']);

    // The unclassified rows are a yellow alert until the raw log is imported again...
    const u = repo.unclassified(0, Date.now(), 1000);
    expect(u.count).toBe(2);
    // ...which classifies them from Vault's record.
    const r = await importAuditFile(repo, FIXTURE);
    expect(r.outcome).toBe('imported');
    expect(row('v:bab90b78-808f-f3d7-052e-a116b7d61e5d')).toEqual({ action: 'write', user: 'admin', console_header: 'action=rotate;req=rot-1', operation: 'update' });
    expect(row('v:c83b7fd4-8e6e-498b-b4c9-ad573ec869e2')).toMatchObject({ action: 'read', operation: 'read', console_header: 'action=reveal;req=rv-1' });
    expect(repo.unclassified(0, Date.now(), 1000).count).toBe(0);
    // Rows Vault classified already are not rewritten by a second import.
    const again = await importAuditFile(repo, FIXTURE);
    expect(again.inserted).toBe(0);
  });
});
