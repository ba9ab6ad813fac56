import type Database from 'better-sqlite3';

/**
 * Migration 10: the DNS resolvers a connection profile's DKIM checks ask (a JSON array of
 * "ip" / "ip:port" strings; NULL = the environment's or the system's). A column of its own,
 * next to the profile, so the profiles code that does not know it leaves it untouched.
 */
export function createDkimDnsSchema(db: Database.Database): void {
  db.exec('ALTER TABLE connection_profiles ADD COLUMN dns_resolvers TEXT');
}
