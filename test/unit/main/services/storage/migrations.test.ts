// One test per migration, each on a fresh database, plus the runner's own rules.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { currentVersion, migrate, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';
import { SettingsRepo } from '../../../../../src/main/services/storage/settings-repo';

const tables = (db: ReturnType<typeof openDatabase>) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('migrations', () => {
  it('migration 1 (settings) creates the settings table on a fresh database', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, 1) });
    expect(currentVersion(db)).toBe(1);
    expect(tables(db)).toContain('settings');
    const repo = new SettingsRepo(db, () => new Date('2026-01-01T00:00:00Z'));
    repo.set('health.refreshSeconds', '10');
    repo.set('health.refreshSeconds', '15');
    expect(repo.get('health.refreshSeconds')).toBe('15');
  });

  it('migration 2 (connection profiles) creates the profiles table with its constraints', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, 2) });
    expect(currentVersion(db)).toBe(2);
    const insert = db.prepare(
      "INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at) VALUES (?, ?, 'https://v', ?, 'tenants', 't', 't')",
    );
    insert.run('a', 'Prod', 'TLSv1.3');
    expect(() => insert.run('b', 'prod', 'TLSv1.3')).toThrow(/UNIQUE/);
    expect(() => insert.run('c', 'Other', 'SSLv3')).toThrow(/CHECK/);
  });

  it('brings a fresh database to the newest version and is idempotent', () => {
    const db = openDatabase(':memory:');
    const newest = MIGRATIONS.at(-1)!.version;
    expect(currentVersion(db)).toBe(newest);
    expect(migrate(db)).toBe(newest);
  });

  it('refuses a database from a newer build instead of touching it', () => {
    const db = openDatabase(':memory:');
    db.pragma('user_version = 999');
    expect(() => migrate(db)).toThrow(/newer Vault Console/);
  });

  it('rolls back a failing migration entirely', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, 1) });
    const broken = [...MIGRATIONS.slice(0, 1), { version: 2, name: 'broken', up: (d: typeof db) => { d.exec('CREATE TABLE half (x)'); d.exec('NOT SQL'); } }];
    expect(() => migrate(db, broken)).toThrow();
    expect(currentVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('half');
  });

  it('creates the database file readable by its owner only', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vc-db-')), 'nested', 'console.db');
    openDatabase(path).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
