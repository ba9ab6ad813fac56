// A running job's item outcomes go to SQLite in batches (one transaction per interval):
// on a real in-memory database, with a manual clock.
import { describe, expect, it } from 'vitest';
import { JobJournal } from '../../../../../src/main/services/rotation/job-journal';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { RotationRepo } from '../../../../../src/main/services/storage/rotation-repo';
import { ManualClock } from '../../../../../src/main/services/time/clock';

function setup() {
  const db = openDatabase(':memory:');
  const repo = new RotationRepo(db);
  repo.createJob(
    { id: 'j', kind: 'all', label: 'l', selection_json: '{}', mount: 'm', status: 'running', actor: 'a', reason: 'r', concurrency: 4, fail_threshold: 0.2, created_at: '2026-01-01T00:00:00.000Z' },
    Array.from({ length: 5 }, (_, i) => ({ tenantId: `t-${i}`, path: `t-${i}/smtp/admin`, baseVersion: 1 })),
  );
  return { db, repo, clock: new ManualClock() };
}

describe('job journal', () => {
  it('writes outcomes in one batch per interval, and everything left on close', () => {
    const { repo, clock } = setup();
    const errors: unknown[] = [];
    const j = new JobJournal(repo, 'j', clock, 100, (e) => errors.push(e));
    j.record({ seq: 1, state: 'done', at: 'x', newVersion: 2 });
    j.record({ seq: 2, state: 'failed', at: 'x', code: 'PERMISSION_DENIED', error: 'Permission denied (PATCH m/data/t-1/smtp/admin).' });
    expect(repo.counts('j')).toMatchObject({ pending: 5, done: 0 });
    clock.advance(100);
    expect(repo.counts('j')).toMatchObject({ pending: 3, done: 1, failed: 1 });
    expect(repo.items('j', 'failed')[0]).toMatchObject({ seq: 2, error_code: 'PERMISSION_DENIED', attempts: 1 });
    j.record({ seq: 3, state: 'skipped', at: 'x', error: 'gone' });
    j.close();
    expect(repo.counts('j')).toMatchObject({ pending: 2, done: 1, failed: 1, skipped: 1 });
    expect(errors).toEqual([]);
  });

  it('keeps a batch the database refused and writes it with the next one', () => {
    const { db, repo, clock } = setup();
    const errors: unknown[] = [];
    const j = new JobJournal(repo, 'j', clock, 100, (e) => errors.push(e));
    j.record({ seq: 1, state: 'done', at: 'x', newVersion: 2 });
    // The database refuses writes for a moment (as a full disk would).
    db.exec("CREATE TRIGGER refuse BEFORE UPDATE ON rotation_job_items BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    clock.advance(100);
    expect(errors.length).toBe(1);
    expect(repo.counts('j').done).toBe(0);
    db.exec('DROP TRIGGER refuse');
    j.record({ seq: 2, state: 'done', at: 'x', newVersion: 2 });
    j.close();
    expect(repo.counts('j')).toMatchObject({ done: 2, pending: 3 });
  });
});
