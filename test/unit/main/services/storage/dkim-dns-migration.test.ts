// Migration 10 (profile DNS resolvers) on a fresh database, and on a database that has
// profiles already: the new column is added, existing profiles keep everything and have
// no list (the environment's or the system's resolvers), and saving a profile through
// the profiles code that does not know the column leaves the list alone.
import { describe, expect, it } from 'vitest';
import { ProfilesRepo } from '../../../../../src/main/services/storage/profiles-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';
import { DkimDnsRepo } from '../../../../../src/main/services/storage/dkim-dns-repo';
import { currentVersion, migrate, MIGRATIONS } from '../../../../../src/main/services/storage/migrations';

const V = MIGRATIONS.find((m) => m.name === 'profile DNS resolvers (DKIM)')!.version;

describe('migration: profile DNS resolvers', () => {
  it('adds connection_profiles.dns_resolvers on a fresh database', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, V) });
    expect(currentVersion(db)).toBe(V);
    const cols = (db.prepare('PRAGMA table_info(connection_profiles)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols).toContain('dns_resolvers');
  });

  it('keeps existing profiles, which get no list; the profiles code leaves a stored list alone', () => {
    const db = openDatabase(':memory:', { migrations: MIGRATIONS.slice(0, V - 1) });
    const row = { id: 'p1', name: 'Prod', address: 'https://vault.example.com:8200', caCertPem: null, minTls: 'TLSv1.3' as const, namespace: null, kvMount: 'tenants', createdAt: 't', updatedAt: 't', environment: 'production' as const };
    // The row as an install before this migration wrote it; the later migrations run too, so the
    // profiles code of today sees the schema it expects.
    db.prepare("INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at) VALUES ('p1', 'Prod', ?, 'TLSv1.3', 'tenants', 't', 't')").run(row.address);
    migrate(db, MIGRATIONS);
    const profiles = new ProfilesRepo(db);
    const repo = new DkimDnsRepo(db);
    expect(profiles.get('p1')).toMatchObject({ name: 'Prod', address: row.address });
    expect(repo.resolvers('p1')).toBeNull();
    expect(repo.setResolvers('p1', ['127.0.0.1:5353', '::1'])).toBe(true);
    profiles.upsert({ ...row, name: 'Production', updatedAt: 't2' });
    expect(repo.resolvers('p1')).toEqual(['127.0.0.1:5353', '::1']);
    expect(repo.profileIdByAddress(row.address)).toBe('p1');
    expect(repo.setResolvers('nope', ['127.0.0.1'])).toBe(false);
    expect(repo.setResolvers('p1', [])).toBe(true);
    expect(repo.resolvers('p1')).toBeNull();
  });

  it('a hand-edited, malformed list reads as no list instead of failing', () => {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at, dns_resolvers) VALUES ('p', 'P', 'https://v', 'TLSv1.3', 'tenants', 't', 't', '{not json')").run();
    expect(new DkimDnsRepo(db).resolvers('p')).toBeNull();
  });
});
