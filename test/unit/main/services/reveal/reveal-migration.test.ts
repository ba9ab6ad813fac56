// Migration 6 (reveal lockouts) on a fresh database.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';
import { RevealRepo } from '../../../../../src/main/services/storage/reveal-repo';

describe('reveal migration', () => {
  it('migration 6 (reveal lockouts) creates the failure and lockout tables on a fresh database', () => {
    const upTo = MIGRATIONS.findIndex((m) => m.name === 'reveal lockouts') + 1;
    expect(upTo).toBeGreaterThan(0);
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, upTo) });
    expect(currentVersion(db)).toBe(MIGRATIONS[upTo - 1]!.version);
    const repo = new RevealRepo(db);
    const u = { profileId: 'p', username: 'admin' };
    repo.addFailure(u, 1000, 'code');
    repo.addFailure(u, 2000, 'password');
    expect(repo.countFailuresSince(u, 1500)).toBe(1);
    expect(() => db.prepare("INSERT INTO reveal_failures (profile_id, username, at, reason) VALUES ('p', 'a', 1, 'guess')").run()).toThrow(/CHECK/);
    repo.lock(u, 2000, 5000);
    repo.lock(u, 3000, 9000);
    expect(repo.lockedUntil(u)).toBe(9000);
    repo.unlock(u);
    expect(repo.lockedUntil(u)).toBeNull();
  });
});
