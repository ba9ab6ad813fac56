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

// Migration 8: free-text search without scanning events. Every distinct searched value
// (path, IP, error, user, tenant) is one row of audit_terms, indexed by an FTS5 trigram
// index (external content: the values are stored once). A search finds the matching
// values there (ms, even over 100k+ paths), then the events through an index on the
// value: path, IP and error by id (small integer indexes), user and tenant by their
// existing (column, ts) indexes. Existing rows are backfilled.
export const TERM_KIND = { path: 1, ip: 2, error: 3, user: 4, tenant: 5 } as const;

export const AUDIT_SEARCH_SCHEMA = `
  ALTER TABLE audit_events ADD COLUMN path_id INTEGER;
  ALTER TABLE audit_events ADD COLUMN ip_id INTEGER;
  ALTER TABLE audit_events ADD COLUMN error_id INTEGER;

  CREATE TABLE audit_terms (
    id    INTEGER PRIMARY KEY,
    kind  INTEGER NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (kind, value)
  ) STRICT;
  CREATE VIRTUAL TABLE audit_terms_fts USING fts5(value, content = 'audit_terms', content_rowid = 'id', tokenize = 'trigram');

  INSERT INTO audit_terms (kind, value) SELECT ${TERM_KIND.path}, path FROM audit_events WHERE path <> '' GROUP BY path;
  INSERT INTO audit_terms (kind, value) SELECT ${TERM_KIND.ip}, ip FROM audit_events WHERE ip <> '' GROUP BY ip;
  INSERT INTO audit_terms (kind, value) SELECT ${TERM_KIND.error}, error FROM audit_events WHERE error IS NOT NULL AND error <> '' GROUP BY error;
  INSERT INTO audit_terms (kind, value) SELECT DISTINCT ${TERM_KIND.user}, user FROM audit_events WHERE user <> '';
  INSERT INTO audit_terms (kind, value) SELECT DISTINCT ${TERM_KIND.tenant}, tenant FROM audit_events WHERE tenant IS NOT NULL AND tenant <> '';
  UPDATE audit_events SET
    path_id  = (SELECT id FROM audit_terms WHERE kind = ${TERM_KIND.path} AND value = audit_events.path),
    ip_id    = (SELECT id FROM audit_terms WHERE kind = ${TERM_KIND.ip} AND value = audit_events.ip),
    error_id = (SELECT id FROM audit_terms WHERE kind = ${TERM_KIND.error} AND value = audit_events.error);
  INSERT INTO audit_terms_fts (audit_terms_fts) VALUES ('rebuild');

  CREATE INDEX audit_events_path_ts ON audit_events (path_id, ts);
  CREATE INDEX audit_events_ip_ts ON audit_events (ip_id, ts);
  CREATE INDEX audit_events_error_ts ON audit_events (error_id, ts) WHERE error_id IS NOT NULL;
`;

export function createAuditSearchSchema(db: { exec(sql: string): unknown }): void {
  db.exec(AUDIT_SEARCH_SCHEMA);
}

// "What did this admin do of this kind" (user + action, optionally a date range) is the
// usual audit question; with separate (user, ts) and (action, ts) indexes a rare
// combination of two common values reads every row of one of them (~270 ms at 10M
// events). One composite index answers it from the index alone.
export const AUDIT_USER_ACTION_SCHEMA = `
  CREATE INDEX audit_events_user_action_ts ON audit_events (user, action, ts);
`;

export function createAuditUserActionIndex(db: { exec(sql: string): unknown }): void {
  db.exec(AUDIT_USER_ACTION_SCHEMA);
}

// Migration 10: incident response and compliance reports. Who made a request beyond the
// user name (Vault's identity entity, the token accessor as logged) and the incident a
// console action was made under. "What did this identity read since T" must answer from
// an index alone at 10M events (blast-radius p95 ≤ 500 ms): the (identity, action, ts)
// prefix bounds the walk, and path_id + status in the index mean no row is read. The
// user index is the (user, action, ts) index of migration 9 widened; both stay, because
// AuditQueries names migration 9's index in its plans. Failed sign-ins (a report's summary)
// get a small partial index of their own. Older rows keep NULL here.
export const AUDIT_IDENTITY_SCHEMA = `
  ALTER TABLE audit_events ADD COLUMN entity_id TEXT;
  ALTER TABLE audit_events ADD COLUMN accessor TEXT;
  ALTER TABLE audit_events ADD COLUMN incident_id TEXT;
  CREATE INDEX audit_events_user_access ON audit_events (user, action, ts, path_id, status);
  CREATE INDEX audit_events_entity_access ON audit_events (entity_id, action, ts, path_id, status) WHERE entity_id IS NOT NULL;
  CREATE INDEX audit_events_accessor_ts ON audit_events (accessor, ts) WHERE accessor IS NOT NULL;
  CREATE INDEX audit_events_incident_ts ON audit_events (incident_id, ts) WHERE incident_id IS NOT NULL;
  CREATE INDEX audit_events_failed_login ON audit_events (ts, user, ip_id) WHERE action = 'failed-login';
`;

export function createAuditIdentitySchema(db: { exec(sql: string): unknown }): void {
  db.exec(AUDIT_IDENTITY_SCHEMA);
}
