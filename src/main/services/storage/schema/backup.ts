// The backup catalog (a local cache of the manifests kept next to the backups in S3;
// see docs/backups.md). Sizes, checksums, object keys and who ran it: no secret here.
export const BACKUP_CATALOG_SQL = `
  CREATE TABLE backups (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('raft', 'logical')),
    status       TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'deleted')),
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    duration_ms  INTEGER,
    size_bytes   INTEGER,
    sha256       TEXT,
    bucket       TEXT NOT NULL,
    object_key   TEXT NOT NULL,
    version_id   TEXT,
    actor        TEXT NOT NULL,
    mount        TEXT,
    item_count   INTEGER,
    error        TEXT,
    verified_at  TEXT,
    deleted_at   TEXT
  ) STRICT;
  CREATE INDEX backups_started ON backups (started_at DESC);
`;

export function createBackupSchema(db: { exec(sql: string): unknown }): void {
  db.exec(BACKUP_CATALOG_SQL);
}
