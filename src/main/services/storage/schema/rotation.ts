// Bulk rotation jobs and their items, so a job survives a quit or a crash and resumes
// without rotating a secret twice or skipping one. Paths, versions, states and error
// codes only: never a secret value.
export const ROTATION_JOBS_SQL = `
  CREATE TABLE rotation_jobs (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('all', 'overdue', 'reschedule')),
    label            TEXT NOT NULL,
    selection_json   TEXT NOT NULL,
    mount            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('running', 'paused', 'interrupted', 'cancelled', 'completed')),
    pause_reason     TEXT,
    actor            TEXT NOT NULL,
    reason           TEXT NOT NULL,
    concurrency      INTEGER NOT NULL,
    fail_threshold   REAL NOT NULL,
    total            INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    finished_at      TEXT
  ) STRICT;
  CREATE INDEX rotation_jobs_created ON rotation_jobs (created_at DESC);

  CREATE TABLE rotation_job_items (
    job_id        TEXT NOT NULL REFERENCES rotation_jobs(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    tenant_id     TEXT NOT NULL,
    path          TEXT NOT NULL,
    base_version  INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    new_version   INTEGER,
    error_code    TEXT,
    error         TEXT,
    finished_at   TEXT,
    PRIMARY KEY (job_id, seq),
    UNIQUE (job_id, path)
  ) STRICT;
  CREATE INDEX rotation_job_items_state ON rotation_job_items (job_id, state, seq);
`;

export function createRotationSchema(db: { exec(sql: string): unknown }): void {
  db.exec(ROTATION_JOBS_SQL);
}

// Migration 19: incident response jobs (issue 15). A job may be kind 'incident' and carries
// the incident id it was started under (written into each rotated secret's custom_metadata
// and the audit header). SQLite cannot widen a CHECK in place, and dropping the jobs table
// with foreign keys on would cascade into the items: both tables are copied aside, dropped
// child first, created anew and filled back, in the migration's transaction.
export const ROTATION_INCIDENT_SQL = `
  CREATE TEMP TABLE rotation_jobs_m11 AS SELECT * FROM rotation_jobs;
  CREATE TEMP TABLE rotation_job_items_m11 AS SELECT * FROM rotation_job_items;
  DROP TABLE rotation_job_items;
  DROP TABLE rotation_jobs;

  CREATE TABLE rotation_jobs (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('all', 'overdue', 'reschedule', 'incident')),
    label            TEXT NOT NULL,
    selection_json   TEXT NOT NULL,
    mount            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('running', 'paused', 'interrupted', 'cancelled', 'completed')),
    pause_reason     TEXT,
    actor            TEXT NOT NULL,
    reason           TEXT NOT NULL,
    concurrency      INTEGER NOT NULL,
    fail_threshold   REAL NOT NULL,
    total            INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    finished_at      TEXT,
    incident_id      TEXT
  ) STRICT;
  CREATE INDEX rotation_jobs_created ON rotation_jobs (created_at DESC);

  CREATE TABLE rotation_job_items (
    job_id        TEXT NOT NULL REFERENCES rotation_jobs(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    tenant_id     TEXT NOT NULL,
    path          TEXT NOT NULL,
    base_version  INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    new_version   INTEGER,
    error_code    TEXT,
    error         TEXT,
    finished_at   TEXT,
    PRIMARY KEY (job_id, seq),
    UNIQUE (job_id, path)
  ) STRICT;
  CREATE INDEX rotation_job_items_state ON rotation_job_items (job_id, state, seq);

  INSERT INTO rotation_jobs (id, kind, label, selection_json, mount, status, pause_reason, actor, reason, concurrency, fail_threshold, total, created_at, finished_at)
    SELECT id, kind, label, selection_json, mount, status, pause_reason, actor, reason, concurrency, fail_threshold, total, created_at, finished_at FROM rotation_jobs_m11;
  INSERT INTO rotation_job_items (job_id, seq, tenant_id, path, base_version, state, attempts, new_version, error_code, error, finished_at)
    SELECT job_id, seq, tenant_id, path, base_version, state, attempts, new_version, error_code, error, finished_at FROM rotation_job_items_m11;
  DROP TABLE temp.rotation_jobs_m11;
  DROP TABLE temp.rotation_job_items_m11;
`;

export function createRotationIncidentSchema(db: { exec(sql: string): unknown }): void {
  db.exec(ROTATION_INCIDENT_SQL);
}
