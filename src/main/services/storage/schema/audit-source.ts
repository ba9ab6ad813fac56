// Migration 16: each connection profile's audit source (the local store, or a
// VictoriaLogs endpoint). Non-secret settings only; the auth token or password is in
// the OS keychain (account audit-source:<profile id>).
import type Database from 'better-sqlite3';

export function createAuditSourceSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE audit_sources (
      profile_id TEXT PRIMARY KEY REFERENCES connection_profiles(id) ON DELETE CASCADE,
      kind TEXT NOT NULL CHECK (kind IN ('local', 'victorialogs')),
      url TEXT,
      ca_pem TEXT,
      stream_filter TEXT NOT NULL DEFAULT '',
      auth_kind TEXT NOT NULL DEFAULT 'none' CHECK (auth_kind IN ('none', 'bearer', 'basic', 'header')),
      auth_user TEXT,
      auth_header TEXT,
      timeout_ms INTEGER NOT NULL DEFAULT 8000,
      updated_at TEXT NOT NULL
    );
  `);
}
