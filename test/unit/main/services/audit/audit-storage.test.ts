// Migration 4 (audit events) on a fresh database, filters and keyset paging, month
// archives with a checksum manifest, and the live tail across rotation and truncation.
import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditArchiver } from '../../../../../src/main/services/audit/audit-archiver';
import { importAuditFile } from '../../../../../src/main/services/audit/audit-importer';
import { AuditTailer } from '../../../../../src/main/services/audit/audit-tailer';
import { NO_VAULT_DETAIL, type AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { createLogger } from '../../../../../src/main/services/log/logger';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';
import { ManualClock } from '../../../../../src/main/services/time/clock';

const FIXTURE = readFileSync(join(__dirname, '../../../../fixtures/audit/openbao-2.4-audit.jsonl'), 'utf8');
const rec = (i: number, ts: number, over: Partial<AuditRecord> = {}): AuditRecord => ({
  key: `t:${i}`, ts, action: 'read', tenant: `t-00000${i % 3}`, user: i % 2 ? 'admin' : 'alice', secretType: 'ssh', ip: '10.0.0.1', status: 'ok', path: `tenants/data/t-00000${i % 3}/ssh/admin`, source: 'vault', requestId: `r${i}`, approvalId: null, error: null, ...NO_VAULT_DETAIL, ...over,
});

describe('audit storage', () => {
  it('migration 4 creates the audit tables and indexes on a fresh database', () => {
    const v = MIGRATIONS.find((m) => m.name === 'audit events')!.version;
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.filter((m) => m.version <= v) });
    expect(currentVersion(db)).toBe(v);
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'audit_%'").pluck().all() as string[]).sort();
    expect(names).toEqual(expect.arrayContaining(['audit_events', 'audit_events_key', 'audit_events_tenant_ts', 'audit_events_user_ts', 'audit_events_action_ts', 'audit_months', 'audit_imports', 'audit_tail_state']));
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT * FROM audit_events WHERE tenant = 't-1' ORDER BY ts DESC LIMIT 10").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/audit_events_tenant_ts/);
  });

  it('filters by every field, pages by keyset without gaps, and refuses a reversed date range', () => {
    const repo = new AuditRepo(openDatabase(':memory:'));
    repo.insertMany(Array.from({ length: 250 }, (_, i) => rec(i, Date.UTC(2026, 0, 1) + i * 1000)));
    const seen: number[] = [];
    let cursor = null;
    do {
      const p = repo.page({ user: 'admin' }, cursor, 40);
      seen.push(...p.events.map((e) => e.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(125);
    expect(new Set(seen).size).toBe(125);
    expect(repo.counts({ tenant: 't-000001', user: 'admin' }, 1000).total).toBe(repo.page({ tenant: 't-000001', user: 'admin' }, null, 1000).events.length);
    expect(repo.counts({ text: '000002/ssh' }, 1000).total).toBe(83);
    expect(repo.counts({ from: '2026-01-01T00:01:00Z', to: '2026-01-01T00:01:09Z' }, 1000).total).toBe(10);
    expect(repo.counts({}, 100)).toMatchObject({ total: 100, capped: true });
    expect(() => repo.page({ from: '2026-02-01', to: '2026-01-01' }, null, 10)).toThrow(/ends before it starts/);
    expect(() => repo.page({ from: 'yesterday-ish' }, null, 10)).toThrow(/not a valid date/);
  });

  it('archives old months to gzip with a checksum manifest, drops months past retention, and reopens on demand', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vc-audit-arch-'));
    const repo = new AuditRepo(openDatabase(join(dir, 'db.sqlite')));
    repo.insertMany([rec(1, Date.UTC(2017, 5, 1)), rec(2, Date.UTC(2024, 2, 3)), rec(3, Date.UTC(2024, 2, 9)), rec(4, Date.UTC(2026, 0, 5))]);
    const arch = new AuditArchiver(repo, join(dir, 'archive'));
    const r = await arch.apply(new Date('2026-02-01T00:00:00Z'));
    expect(r).toEqual({ archived: [202403], dropped: [201706] });
    expect(repo.counts({}, 100).total).toBe(1);
    const m = await arch.manifest();
    expect(m.months['2024-03']).toMatchObject({ events: 2, file: 'audit-2024-03.ndjson.gz' });
    const back = await arch.reopen(202403);
    expect(back).toMatchObject({ outcome: 'imported', inserted: 2 });
    expect(repo.counts({}, 100).total).toBe(3);
    writeFileSync(join(dir, 'archive', 'audit-2024-03.ndjson.gz'), 'tampered');
    await expect(arch.reopen(202403)).rejects.toThrow(/does not match its checksum/);
  });

  it('a big import tunes the shared connection only while it runs (cache, checkpoints), then puts it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vc-audit-bulk-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    const repo = new AuditRepo(db);
    const before = { cache: db.pragma('cache_size', { simple: true }), checkpoint: db.pragma('wal_autocheckpoint', { simple: true }) };
    // Over 8 MB of real entries, each pair with its own request id.
    const lines = FIXTURE.trim().split('\n');
    let out = '';
    for (let i = 0; out.length < 9 * 1024 * 1024; i++) {
      out += `${lines.map((l) => l.replace(/"id":"([0-9a-f-]{36})"/, (_, id: string) => `"id":"${id.slice(0, 28)}${String(i).padStart(8, '0')}"`)).join('\n')}\n`;
    }
    const file = join(dir, 'big.log');
    writeFileSync(file, out);
    let during: unknown;
    const r = await importAuditFile(repo, file, { onProgress: () => (during ??= db.pragma('wal_autocheckpoint', { simple: true })) });
    expect(r.outcome).toBe('imported');
    expect(during).toBe(16384);
    expect({ cache: db.pragma('cache_size', { simple: true }), checkpoint: db.pragma('wal_autocheckpoint', { simple: true }) }).toEqual(before);
  });

  it('tails a growing log, survives rotation and truncation, and never stores an event twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vc-audit-tail-'));
    const repo = new AuditRepo(openDatabase(join(dir, 'db.sqlite')));
    const path = join(dir, 'audit.log');
    const lines = FIXTURE.trim().split('\n');
    const half = Math.floor(lines.length / 2);
    // The first half, the last line cut in the middle (a write in progress).
    const cut = lines[half]!;
    writeFileSync(path, `${lines.slice(0, half).join('\n')}\n${cut.slice(0, 50)}`);
    const tailer = new AuditTailer(path, { repo, clock: new ManualClock(), log: createLogger('test') });
    const a = await tailer.poll();
    appendFileSync(path, `${cut.slice(50)}\n${lines.slice(half + 1).join('\n')}\n`);
    const b = await tailer.poll();
    // Every answered request of the captured log, joined across polls; the audit
    // device's own enable request never got a response and is held, not stored.
    expect(a + b).toBe(46);
    expect(tailer.stats.skipped).toBe(0);
    // Rotation: the file is renamed away and a new one appears.
    renameSync(path, `${path}.1`);
    writeFileSync(path, `${lines.slice(0, 4).join('\n')}\n`);
    await tailer.poll();
    expect(tailer.stats.rotations).toBe(1);
    // Truncation in place.
    writeFileSync(path, '');
    await tailer.poll();
    appendFileSync(path, `${lines.slice(0, 6).join('\n')}\n`);
    await tailer.poll();
    expect(tailer.stats.truncations).toBe(1);
    expect(repo.counts({}, 1000).total).toBe(46);
    await tailer.stop();
  });
});
