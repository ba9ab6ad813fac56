// Migration 12 (profile environment, explicit active profile) on a fresh database and on
// a version-11 database that never stored a choice.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { migrate, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';

const n = MIGRATIONS.findIndex((m) => m.name === 'profile environment and explicit active profile') + 1;
const insert = "INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at) VALUES (?, ?, 'https://v.example:8200', 'TLSv1.3', 'tenants', '2026-01-01', '2026-01-01')";

describe('profiles migration 12 (environment, explicit active profile)', () => {
  it('adds an environment (production by default, only the four kinds) on a fresh database', () => {
    expect(n).toBeGreaterThan(0);
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, n) });
    db.prepare(insert).run('p1', 'One');
    expect(db.prepare('SELECT environment FROM connection_profiles').get()).toEqual({ environment: 'production' });
    expect(() => db.prepare("UPDATE connection_profiles SET environment = 'prod'").run()).toThrow(/CHECK/);
  });

  it('stores, as the explicit choice, the profile an install without one was showing (the first by name)', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, n - 1) });
    db.prepare(insert).run('default', 'Default');
    db.prepare(insert).run('p-bad', 'bad-host');
    migrate(db, MIGRATIONS.slice(0, n));
    expect(db.prepare("SELECT value FROM settings WHERE key = 'profiles.active'").get()).toEqual({ value: 'p-bad' });
  });

  it('keeps a stored choice as it is', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, n - 1) });
    db.prepare(insert).run('default', 'Default');
    db.prepare(insert).run('p-bad', 'bad-host');
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('profiles.active', 'default', 'x')").run();
    migrate(db, MIGRATIONS.slice(0, n));
    expect(db.prepare("SELECT value FROM settings WHERE key = 'profiles.active'").get()).toEqual({ value: 'default' });
  });
});
