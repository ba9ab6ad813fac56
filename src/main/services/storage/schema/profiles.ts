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
