// Each connection profile's audit source settings (migration 14). Never a secret: the
// token or password lives in the keychain.
import type { SqlDatabase } from './database';

export interface AuditSourceRow {
  profileId: string;
  kind: 'local' | 'victorialogs';
  url: string | null;
  caPem: string | null;
  streamFilter: string;
  authKind: 'none' | 'bearer' | 'basic' | 'header';
  authUser: string | null;
  authHeader: string | null;
  timeoutMs: number;
  updatedAt: string;
}

interface DbRow {
  profile_id: string;
  kind: AuditSourceRow['kind'];
  url: string | null;
  ca_pem: string | null;
  stream_filter: string;
  auth_kind: AuditSourceRow['authKind'];
  auth_user: string | null;
  auth_header: string | null;
  timeout_ms: number;
  updated_at: string;
}

export class AuditSourceRepo {
  constructor(private readonly db: SqlDatabase) {}

  get(profileId: string): AuditSourceRow | null {
    const r = this.db.prepare('SELECT * FROM audit_sources WHERE profile_id = ?').get(profileId) as DbRow | undefined;
    return r
      ? { profileId: r.profile_id, kind: r.kind, url: r.url, caPem: r.ca_pem, streamFilter: r.stream_filter, authKind: r.auth_kind, authUser: r.auth_user, authHeader: r.auth_header, timeoutMs: r.timeout_ms, updatedAt: r.updated_at }
      : null;
  }

  put(row: AuditSourceRow): void {
    this.db
      .prepare(
        `INSERT INTO audit_sources (profile_id, kind, url, ca_pem, stream_filter, auth_kind, auth_user, auth_header, timeout_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(profile_id) DO UPDATE SET kind = excluded.kind, url = excluded.url, ca_pem = excluded.ca_pem, stream_filter = excluded.stream_filter, auth_kind = excluded.auth_kind,
           auth_user = excluded.auth_user, auth_header = excluded.auth_header, timeout_ms = excluded.timeout_ms, updated_at = excluded.updated_at`,
      )
      .run(row.profileId, row.kind, row.url, row.caPem, row.streamFilter, row.authKind, row.authUser, row.authHeader, row.timeoutMs, row.updatedAt);
  }
}
