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

// Migration 13: Vault's record decides. The action of a Vault entry used to come from
// the console's X-Vault-Console-Action header when one was sent, which any client can
// send; from now on the action is what Vault did and the header is an annotation in its
// own column. New columns: Vault's operation, the mount (with namespace), the caller's
// entity, the header as logged, whether the header contradicts Vault's operation (a
// partial index finds those without touching other rows), and Vault's record of writes
// to approval requests (JSON; a partial index lists them); the name each entity signed in
// with is found through a partial index of logins. Existing rows:
//  - a Vault row whose action was taken from the header keeps the header in
//    console_header and becomes 'unclassified' (what Vault did is not stored: re-import
//    the raw log to classify it; until then it is a yellow alert). A 'delete' stays a
//    delete: it now needs Vault's record of its approval (fail closed, red until the
//    raw log with the approval's writes is imported again);
//  - user names are case-folded (normalizeUser), as Vault compares them;
//  - operation stays NULL: the next import of the same entry (same request id)
//    classifies the row again from Vault's record.
export const AUDIT_VAULT_RECORD_SCHEMA = `
  ALTER TABLE audit_events ADD COLUMN operation TEXT;
  ALTER TABLE audit_events ADD COLUMN mount TEXT;
  ALTER TABLE audit_events ADD COLUMN entity_id TEXT;
  ALTER TABLE audit_events ADD COLUMN console_header TEXT;
  ALTER TABLE audit_events ADD COLUMN header_conflict INTEGER;
  ALTER TABLE audit_events ADD COLUMN approval_write TEXT;

  UPDATE audit_events SET console_header = 'action=' || action || CASE WHEN approval_id IS NOT NULL THEN ';approval=' || approval_id ELSE '' END, action = 'unclassified'
    WHERE source = 'vault' AND action IN ('rotate', 'reveal', 'copy', 'close', 'lockout', 'download', 'revoke', 'emergency-reset', 'request-approval', 'approve');

  CREATE INDEX audit_events_conflict_ts ON audit_events (ts) WHERE header_conflict = 1;
  CREATE INDEX audit_events_approval_ts ON audit_events (ts) WHERE approval_write IS NOT NULL;
  CREATE INDEX audit_events_login_entity ON audit_events (entity_id, ts) WHERE action = 'login';
`;

export interface MigrationDb {
  exec(sql: string): unknown;
  function(name: string, fn: (v: unknown) => unknown): unknown;
  prepare(sql: string): { all(...p: unknown[]): unknown[]; run(...p: unknown[]): unknown };
}

export function createAuditVaultRecordSchema(db: MigrationDb, fold: (name: string) => string): void {
  db.exec(AUDIT_VAULT_RECORD_SCHEMA);
  // Case-fold stored user names the way the app does (SQLite's lower() folds ASCII only).
  db.function('vc_fold_user', (v) => (typeof v === 'string' ? fold(v) : v));
  db.exec('UPDATE audit_events SET user = vc_fold_user(user) WHERE user <> vc_fold_user(user)');
  // The same in the term dictionary behind the user filter list and free text.
  const users = db.prepare(`SELECT id, value FROM audit_terms WHERE kind = ${TERM_KIND.user}`).all() as { id: number; value: string }[];
  const have = new Set(users.map((u) => u.value));
  const ftsDelete = db.prepare("INSERT INTO audit_terms_fts (audit_terms_fts, rowid, value) VALUES ('delete', ?, ?)");
  const ftsInsert = db.prepare('INSERT INTO audit_terms_fts (rowid, value) VALUES (?, ?)');
  for (const u of users) {
    const folded = fold(u.value);
    if (folded === u.value) continue;
    ftsDelete.run(u.id, u.value);
    if (have.has(folded)) {
      db.prepare('DELETE FROM audit_terms WHERE id = ?').run(u.id);
    } else {
      db.prepare('UPDATE audit_terms SET value = ? WHERE id = ?').run(folded, u.id);
      ftsInsert.run(u.id, folded);
      have.add(folded);
    }
  }
}

// Migration 18: incident response and compliance reports (issue 15). The token accessor
// as logged (migration 13 keeps the caller's entity; nothing kept the token), and indexes
// so "what did this identity read since T" answers from an index alone at 10M events
// (blast-radius p95 ≤ 500 ms): the (identity, action, ts) prefix bounds the walk, and
// path_id + status in the index mean no row is read. The user index is migration 9's
// (user, action, ts) widened; both stay, because AuditQueries names migration 9's index
// in its plans. Failed sign-ins (a report's summary) get a small partial index, and so do
// the rows that carry a console header (a report labels Vault's reads and writes by that
// annotation: reveal, download, emergency reset, and the incident). The incident an
// action was made under is no column: it is the header's annotation (console_header,
// migration 13).
export const AUDIT_INCIDENT_SCHEMA = `
  ALTER TABLE audit_events ADD COLUMN accessor TEXT;
  CREATE INDEX audit_events_user_access ON audit_events (user, action, ts, path_id, status);
  CREATE INDEX audit_events_entity_access ON audit_events (entity_id, action, ts, path_id, status) WHERE entity_id IS NOT NULL;
  CREATE INDEX audit_events_accessor_ts ON audit_events (accessor, ts) WHERE accessor IS NOT NULL;
  CREATE INDEX audit_events_failed_login ON audit_events (ts, user, ip_id) WHERE action = 'failed-login';
  CREATE INDEX audit_events_annotated ON audit_events (action, ts) WHERE console_header IS NOT NULL;
`;

export function createAuditIncidentSchema(db: { exec(sql: string): unknown }): void {
  db.exec(AUDIT_INCIDENT_SCHEMA);
}
