import type Database from 'better-sqlite3';

/** Connection profiles: where each Vault cluster is and how to talk to it. No secrets. */
export function createProfilesSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE connection_profiles (
      id           TEXT PRIMARY KEY,
      name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
      address      TEXT NOT NULL,
      -- PEM of the CA that signs the server certificate: public, not secret.
      ca_cert_pem  TEXT,
      min_tls      TEXT NOT NULL DEFAULT 'TLSv1.3' CHECK (min_tls IN ('TLSv1.2', 'TLSv1.3')),
      namespace    TEXT,
      kv_mount     TEXT NOT NULL DEFAULT 'tenants',
      created_at   TEXT NOT NULL,
      updated_at   TEXT NOT NULL
    ) STRICT;
  `);
}

/**
 * Migration 11: each profile names its environment (the header's colour: red for
 * production), and the active cluster becomes an explicit stored choice. An install that
 * never chose one showed the first profile by name; that is what it keeps showing, now
 * stored, so the upgrade itself switches nothing. Existing profiles count as production
 * until someone says otherwise: the cautious colour.
 */
export function addProfileEnvironmentAndActiveChoice(db: Database.Database): void {
  db.exec(`
    ALTER TABLE connection_profiles ADD COLUMN environment TEXT NOT NULL DEFAULT 'production'
      CHECK (environment IN ('production', 'staging', 'test', 'development'));
    INSERT INTO settings (key, value, updated_at)
      SELECT 'profiles.active', id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
      FROM connection_profiles
      WHERE NOT EXISTS (SELECT 1 FROM settings s JOIN connection_profiles p ON p.id = s.value WHERE s.key = 'profiles.active')
      ORDER BY name COLLATE NOCASE
      LIMIT 1
    ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at;
  `);
}
