// Migration 7 (rotation jobs) on a fresh database, and the repo's crash bookkeeping.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';
import { CHANGED_SINCE_PREVIEW, RotationRepo } from '../../../../../src/main/services/storage/rotation-repo';

const upTo = (v: number) => MIGRATIONS.filter((m) => m.version <= v);

describe('migration 7 (rotation jobs)', () => {
  it('creates the job and item tables with their constraints on a fresh database', () => {
    const db = openDatabase(':memory:', { migrations: upTo(7) });
    expect(currentVersion(db)).toBe(7);
    const repo = new RotationRepo(db);
    const job = { id: 'job-1', kind: 'all' as const, label: 'Rotate all SMTP credentials', selection_json: '{}', mount: 'tenants', status: 'running' as const, actor: 'admin', reason: 'r', concurrency: 4, fail_threshold: 0.2, created_at: '2026-01-01T00:00:00.000Z' };
    repo.createJob(job, [
      { tenantId: 't-000001', path: 't-000001/smtp/admin', baseVersion: 1 },
      { tenantId: 't-000002', path: 't-000002/smtp/admin', baseVersion: 3 },
    ]);
    expect(repo.job('job-1')).toMatchObject({ total: 2, status: 'running' });
    expect(() => db.prepare("INSERT INTO rotation_job_items (job_id, seq, tenant_id, path, base_version, state) VALUES ('job-1', 3, 't', 't-000001/smtp/admin', 0, 'pending')").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE rotation_jobs SET status = 'exploded'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO rotation_job_items (job_id, seq, tenant_id, path, base_version, state) VALUES ('nope', 1, 't', 'p', 0, 'pending')").run()).toThrow(/FOREIGN KEY/);
  });

  it('a job left running by a dead process is marked interrupted, and its in-flight item comes back first', () => {
    const db = openDatabase(':memory:', { migrations: upTo(7) });
    const repo = new RotationRepo(db);
    repo.createJob({ id: 'j', kind: 'overdue', label: 'l', selection_json: '{}', mount: 'm', status: 'running', actor: 'a', reason: 'r', concurrency: 1, fail_threshold: 0.2, created_at: 'now' }, [
      { tenantId: 'a', path: 'a/smtp/admin', baseVersion: 1 },
      { tenantId: 'b', path: 'b/smtp/admin', baseVersion: 1 },
      { tenantId: 'c', path: 'c/smtp/admin', baseVersion: 1 },
    ]);
    repo.markRunning('j', 1);
    repo.finishItem('j', 1, 'done', 'now', { newVersion: 2 });
    repo.markRunning('j', 3);
    expect(repo.markInterrupted()).toEqual(['j']);
    expect(repo.job('j')!.status).toBe('interrupted');
    expect(repo.openItems('j').map((i) => [i.seq, i.state])).toEqual([
      [3, 'running'],
      [2, 'pending'],
    ]);
    expect(repo.counts('j')).toEqual({ pending: 1, running: 1, done: 1, failed: 0, skipped: 0, changed: 0 });
  });

  it('counts and lists the items changed since the preview apart from the other skipped ones', () => {
    const db = openDatabase(':memory:', { migrations: upTo(7) });
    const repo = new RotationRepo(db);
    repo.createJob({ id: 'j', kind: 'all', label: 'l', selection_json: '{}', mount: 'm', status: 'running', actor: 'a', reason: 'r', concurrency: 1, fail_threshold: 0.2, created_at: 'now' }, [
      { tenantId: 'a', path: 'a/smtp/admin', baseVersion: 1 },
      { tenantId: 'b', path: 'b/smtp/admin', baseVersion: 1 },
      { tenantId: 'c', path: 'c/smtp/admin', baseVersion: 1 },
      { tenantId: 'd', path: 'd/smtp/admin', baseVersion: 1 },
    ]);
    repo.applyItemUpdates('j', [
      { seq: 1, state: 'done', at: 'now', newVersion: 2 },
      { seq: 2, state: 'skipped', at: 'now', code: CHANGED_SINCE_PREVIEW, error: 'changed' },
      { seq: 3, state: 'skipped', at: 'now', error: 'gone' },
    ]);
    expect(repo.counts('j')).toEqual({ pending: 1, running: 0, done: 1, failed: 0, skipped: 2, changed: 1 });
    expect(repo.skippedItems('j', true).map((i) => i.path)).toEqual(['b/smtp/admin']);
    expect(repo.skippedItems('j', false).map((i) => i.path)).toEqual(['c/smtp/admin']);
  });
});
