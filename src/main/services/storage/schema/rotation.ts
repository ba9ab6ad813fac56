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
