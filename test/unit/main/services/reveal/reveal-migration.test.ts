// Migrations 6 (reveal lockouts per profile) and 10 (attempts per Vault address and user).
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, migrate, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';
import { RevealRepo } from '../../../../../src/main/services/storage/reveal-repo';

const upTo = (name: string) => {
  const n = MIGRATIONS.findIndex((m) => m.name === name) + 1;
  expect(n).toBeGreaterThan(0);
  return n;
};

describe('reveal migrations', () => {
  it('migration 6 (reveal lockouts) creates the failure and lockout tables on a fresh database', () => {
    const n = upTo('reveal lockouts');
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, n) });
    expect(currentVersion(db)).toBe(MIGRATIONS[n - 1]!.version);
    db.prepare("INSERT INTO reveal_failures (profile_id, username, at, reason) VALUES ('p', 'admin', 1000, 'code')").run();
    expect(() => db.prepare("INSERT INTO reveal_failures (profile_id, username, at, reason) VALUES ('p', 'a', 1, 'guess')").run()).toThrow(/CHECK/);
    db.prepare("INSERT INTO reveal_lockouts (profile_id, username, until, locked_at) VALUES ('p', 'admin', 5000, 2000)").run();
    expect(() => db.prepare("INSERT INTO reveal_lockouts (profile_id, username, until, locked_at) VALUES ('p', 'admin', 9000, 3000)").run()).toThrow(/UNIQUE/);
  });

  it('migration 11 (attempts by Vault address and user) on a fresh database: reserve, fail, lock', () => {
    const n = upTo('reveal attempts by Vault address and user');
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, n) });
    const repo = new RevealRepo(db);
    const policy = { maxFailures: 2, windowMs: 1000, lockMs: 5000 };
    const a = repo.reserve('http://127.0.0.1:8200|admin', 100, policy);
    const b = repo.reserve('http://127.0.0.1:8200|admin', 100, policy);
    // Two attempts in flight fill the window: a third is refused before any Vault call.
    expect(repo.reserve('http://127.0.0.1:8200|admin', 100, policy)).toEqual({ ok: false, lockedUntil: null, attempts: 2 });
    if (!a.ok || !b.ok) throw new Error('reservations refused');
    expect(repo.fail(a.id, 'http://127.0.0.1:8200|admin', 'password', 200, policy)).toEqual({ failures: 1, lockedUntil: null });
    expect(repo.fail(b.id, 'http://127.0.0.1:8200|admin', 'code', 300, policy)).toEqual({ failures: 2, lockedUntil: 5300 });
    expect(repo.reserve('http://127.0.0.1:8200|admin', 5299, policy)).toMatchObject({ ok: false, lockedUntil: 5300 });
    // Lifted when the lock ends, with the attempts it counted.
    expect(repo.reserve('http://127.0.0.1:8200|admin', 5300, policy)).toMatchObject({ ok: true });
    expect(() => db.prepare("INSERT INTO reveal_attempts (subject, at, state) VALUES ('s', 1, 'guess')").run()).toThrow(/CHECK/);
  });

  it('migration 11 carries failures and locks of version 9 over to the Vault address of their profile', () => {
    const n = upTo('reveal attempts by Vault address and user');
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, n - 1) });
    const t = '2026-01-01T00:00:00.000Z';
    for (const [id, name] of [['default', 'Default'], ['p-2', 'Same Vault']]) {
      db.prepare("INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at) VALUES (?, ?, 'https://vault.example.com:8200', 'TLSv1.3', 'tenants', ?, ?)").run(id, name, t, t);
    }
    db.prepare("INSERT INTO reveal_failures (profile_id, username, at, reason) VALUES ('default', 'Admin', 1000, 'code'), ('p-2', 'admin', 1100, 'password')").run();
    db.prepare("INSERT INTO reveal_lockouts (profile_id, username, until, locked_at) VALUES ('default', 'admin', 9000, 1000), ('p-2', 'ADMIN', 9500, 1100)").run();
    migrate(db, MIGRATIONS.slice(0, n));
    const repo = new RevealRepo(db);
    const subject = 'https://vault.example.com:8200|admin';
    expect(repo.attempts(subject)).toEqual([
      { at: 1000, state: 'code' },
      { at: 1100, state: 'password' },
    ]);
    // Both profiles' locks became one lock for the one Vault user, the later end winning.
    expect(repo.lockedUntil(subject)).toBe(9500);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('reveal_failures', 'reveal_lockouts')").all()).toEqual([]);
  });
});
