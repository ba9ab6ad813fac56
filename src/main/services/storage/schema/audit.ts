// SQL of the audit feature's migrations (referenced from migrations.ts).
//
// audit_events is partitioned by month logically: every row carries its UTC month
// (yyyymm), audit_months lists the partitions and their state (hot in SQLite, or
// archived to a compressed file with a checksum), and archiving or retention drops
// one month with an indexed range delete. Indexes follow the viewer's filters: each
// leads with the filter column and ends with ts, so "newest first, this tenant /
// user / action / type" is an index walk with no sort.
export const AUDIT_SCHEMA_V1 = `
  CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL,
    ts          INTEGER NOT NULL,
    month       INTEGER NOT NULL,
    action      TEXT NOT NULL,
    tenant      TEXT,
    user        TEXT NOT NULL,
    secret_type TEXT NOT NULL,
    ip          TEXT NOT NULL,
    status      TEXT NOT NULL,
    path        TEXT NOT NULL,
    source      TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    approval_id TEXT,
    error       TEXT
  ) STRICT;
  CREATE UNIQUE INDEX audit_events_key ON audit_events (key);
  CREATE INDEX audit_events_ts ON audit_events (ts);
  CREATE INDEX audit_events_tenant_ts ON audit_events (tenant, ts);
  CREATE INDEX audit_events_user_ts ON audit_events (user, ts);
  CREATE INDEX audit_events_action_ts ON audit_events (action, ts);
  CREATE INDEX audit_events_type_ts ON audit_events (secret_type, ts);

  CREATE TABLE audit_months (
    month        INTEGER PRIMARY KEY,
    state        TEXT NOT NULL CHECK (state IN ('hot', 'archived', 'reopened')),
    events       INTEGER NOT NULL DEFAULT 0,
    archive_file TEXT,
    sha256       TEXT,
    changed_at   TEXT NOT NULL
  ) STRICT;

  CREATE TABLE audit_imports (
    id          INTEGER PRIMARY KEY,
    file        TEXT NOT NULL,
    sha256      TEXT,
    format      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    events      INTEGER NOT NULL,
    inserted    INTEGER NOT NULL,
    imported_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_imports_sha ON audit_imports (sha256);

  CREATE TABLE audit_tail_state (
    path       TEXT PRIMARY KEY,
    inode      INTEGER NOT NULL,
    offset     INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
`;

export function createAuditSchema(db: { exec(sql: string): unknown }): void {
  db.exec(AUDIT_SCHEMA_V1);
}
