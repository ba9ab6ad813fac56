// The backup catalog migration on a fresh database, and the repository's rules.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../../src/main/services/storage/migrations';
import { BackupRepo, type BackupRecord } from '../../../../../../src/main/services/storage/backup-repo';

const upTo = MIGRATIONS.findIndex((m) => m.name === 'backup catalog') + 1;

const rec = (id: string, startedAt: string, status: BackupRecord['status']): BackupRecord => ({
  id,
  kind: 'raft',
  status,
  startedAt,
  finishedAt: startedAt,
  durationMs: 10,
  sizeBytes: 100,
  sha256: 'a'.repeat(64),
  bucket: 'b',
  objectKey: `p/backups/${id}.raft.vcb`,
  versionId: null,
  actor: 'admin',
  mount: null,
  itemCount: null,
  error: status === 'failed' ? 'S3 is unreachable' : null,
  verifiedAt: null,
  deletedAt: null,
});

describe('backup catalog migration', () => {
  it('creates the backups table on a fresh database', () => {
    expect(upTo).toBeGreaterThan(0);
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, upTo) });
    expect(currentVersion(db)).toBe(MIGRATIONS[upTo - 1]!.version);
    const repo = new BackupRepo(db);
    repo.upsert(rec('20260101T000000Z-000001', '2026-01-01T00:00:00.000Z', 'completed'));
    repo.upsert(rec('20260102T000000Z-000002', '2026-01-02T00:00:00.000Z', 'failed'));
    expect(repo.recent().map((r) => r.id)).toEqual(['20260102T000000Z-000002', '20260101T000000Z-000001']);
    expect(repo.lastAttempt()!.status).toBe('failed');
    expect(repo.lastSuccess()!.id).toBe('20260101T000000Z-000001');
    expect(() => db.prepare("INSERT INTO backups (id, kind, status, started_at, bucket, object_key, actor) VALUES ('x', 'tape', 'completed', 't', 'b', 'k', 'a')").run()).toThrow(/CHECK/);
  });

  it('keeps "last verified restorable" when a manifest without it is read back', () => {
    const repo = new BackupRepo(openDatabase(':memory:'));
    const r = rec('20260101T000000Z-000001', '2026-01-01T00:00:00.000Z', 'completed');
    repo.upsert(r);
    repo.markVerified(r.id, '2026-01-01T01:00:00.000Z');
    repo.upsert(r);
    expect(repo.get(r.id)!.verifiedAt).toBe('2026-01-01T01:00:00.000Z');
    expect(repo.lastVerified()!.id).toBe(r.id);
  });

  it('lists deleted backups no more and offers only older ones to retention', () => {
    const repo = new BackupRepo(openDatabase(':memory:'));
    repo.upsert(rec('20260101T000000Z-000001', '2026-01-01T00:00:00.000Z', 'completed'));
    repo.upsert(rec('20260201T000000Z-000002', '2026-02-01T00:00:00.000Z', 'completed'));
    expect(repo.olderThan('2026-01-15T00:00:00.000Z').map((r) => r.id)).toEqual(['20260101T000000Z-000001']);
    repo.markDeleted('20260101T000000Z-000001', '2026-02-01T00:00:00.000Z');
    expect(repo.recent().map((r) => r.id)).toEqual(['20260201T000000Z-000002']);
    expect(repo.olderThan('2026-01-15T00:00:00.000Z')).toEqual([]);
  });
});

describe('backup catalog after a restart', () => {
  it('marks a backup a restart cut short as failed instead of leaving it running forever', () => {
    const repo = new BackupRepo(openDatabase(':memory:'));
    repo.upsert(rec('20260101T000000Z-000001', '2026-01-01T00:00:00.000Z', 'running'));
    expect(repo.markInterrupted('2026-01-01T01:00:00.000Z')).toBe(1);
    expect(repo.get('20260101T000000Z-000001')).toMatchObject({ status: 'failed', error: expect.stringMatching(/Interrupted/) });
    expect(repo.lastAttempt()!.status).toBe('failed');
  });
});
