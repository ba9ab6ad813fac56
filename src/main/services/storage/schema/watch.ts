// SQL of the ops-host watcher's migration (referenced from migrations.ts).
//
// watch_conditions: the conditions that are paging now (one row per open condition;
// resolving deletes it), so a restart never triggers a condition twice.
// watch_outbox: PagerDuty events waiting for delivery or delivered, in the order they
// must reach PagerDuty. The routing key is never stored: it is added at send time.
export const WATCH_SCHEMA_V1 = `
  CREATE TABLE watch_conditions (
    condition  TEXT PRIMARY KEY,
    dedup_key  TEXT NOT NULL,
    severity   TEXT NOT NULL CHECK (severity IN ('critical', 'error', 'warning', 'info')),
    -- 1: open but not paged (a break-glass seal with sealed-by-console = none)
    silent     INTEGER NOT NULL CHECK (silent IN (0, 1)),
    summary    TEXT NOT NULL,
    opened_at  INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE watch_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    condition       TEXT NOT NULL,
    dedup_key       TEXT NOT NULL,
    event_action    TEXT NOT NULL CHECK (event_action IN ('trigger', 'resolve')),
    event_json      TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dropped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    done_at         INTEGER
  ) STRICT;
  CREATE INDEX watch_outbox_pending ON watch_outbox (id) WHERE state = 'pending';
  CREATE INDEX watch_outbox_done ON watch_outbox (done_at) WHERE state <> 'pending';
`;

export function createWatchSchema(db: { exec(sql: string): unknown }): void {
  db.exec(WATCH_SCHEMA_V1);
}
