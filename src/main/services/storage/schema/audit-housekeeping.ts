// Migration "audit housekeeping and chart": what counts as the console's own
// housekeeping (hidden by default in the viewer), and per-minute / per-hour counts by
// action that the chart above the table reads instead of millions of rows.
//
// Housekeeping is decided from Vault's record alone (path, action from path and
// operation, status), never from anything a client sends: a request counts when it
// succeeded, came from Vault's log (live or imported), and is one of
//   - a LIST or a metadata read (no secret value leaves Vault): inventory syncs and
//     their detailed-metadata scans, rotation history, approvals lists;
//   - one of the console's status probes: sys/health, seal status, leader, HA status,
//     raft autopilot state, metrics, the audit device list, capabilities-self, the mount
//     check of sys/internal/ui/mounts, token self-lookup and renewal, the health canary
//     in the token's own cubbyhole;
//   - a read of the shared rotation schedules (not a secret; "not found" until saved);
//   - a write of a tenant's change stamp (<mount>-stamps: timestamps only).
// Any secret read, any write or delete of a secret, every sign-in (failed or not), any
// denied or failed request and every action the console records itself stay visible.
// A virtual generated column: computed from the row, so it can never disagree with it,
// costs no storage, and the pending → completed upsert re-decides it.
// A NUL character in any field the rule reads makes an event never housekeeping: GLOB
// reads text only up to a NUL, so `<mount>/data/_rotation-schedules\u0000/x` or
// `.../detailed-metadata\u0000...` would otherwise match a pattern its full text does not.
// Vault never logs such a path for the console's own requests; anyone who does is shown.
// (instr() compares whole values, NULs included; length() would stop at the NUL too.
// Checked after the rule, so only rows it would hide pay for it.)
export const HOUSEKEEPING_SQL = `CASE WHEN (
  source <> 'console' AND (
      -- the shared schedules: absent until someone saves them, so "not found" is routine too
      (action = 'read' AND path GLOB '*/data/_rotation-schedules' AND status IN ('ok', 'not-found'))
    ) OR source <> 'console' AND status = 'ok' AND (
      action IN ('list', 'read-metadata')
      -- OpenBao's detailed-metadata scan (metadata of a whole folder; no secret value)
      OR path GLOB '*/detailed-metadata/*' OR path GLOB '*/detailed-metadata'
      OR path IN ('sys/health', 'sys/seal-status', 'sys/leader', 'sys/ha-status', 'sys/metrics', 'sys/audit', 'sys/capabilities-self',
                  'sys/storage/raft/autopilot/state', 'auth/token/lookup-self', 'auth/token/renew-self',
                  'cubbyhole/vault-console/health-canary')
      OR (action = 'other' AND path GLOB 'sys/internal/ui/mounts/*')
      OR (action = 'write-metadata' AND path GLOB '*-stamps/metadata/*')
    )
  ) AND instr(path, char(0)) = 0 AND instr(source, char(0)) = 0 AND instr(action, char(0)) = 0 AND instr(status, char(0)) = 0
  THEN 1 ELSE 0 END`;

// Migration 15's column, frozen (a shipped migration is never edited). It read a path
// with a NUL character as if it ended there (GLOB stops at a NUL), so a read of
// `tenants/data/_rotation-schedules\u0000/anything` was hidden: migration 20 replaces it.
const HOUSEKEEPING_SQL_V15 = `CASE WHEN source <> 'console' AND (
    -- the shared schedules: absent until someone saves them, so "not found" is routine too
    (action = 'read' AND path GLOB '*/data/_rotation-schedules' AND status IN ('ok', 'not-found'))
  ) OR source <> 'console' AND status = 'ok' AND (
    action IN ('list', 'read-metadata')
    -- OpenBao's detailed-metadata scan (metadata of a whole folder; no secret value)
    OR path GLOB '*/detailed-metadata/*' OR path GLOB '*/detailed-metadata'
    OR path IN ('sys/health', 'sys/seal-status', 'sys/leader', 'sys/ha-status', 'sys/metrics', 'sys/audit', 'sys/capabilities-self',
                'sys/storage/raft/autopilot/state', 'auth/token/lookup-self', 'auth/token/renew-self',
                'cubbyhole/vault-console/health-canary')
    OR (action = 'other' AND path GLOB 'sys/internal/ui/mounts/*')
    OR (action = 'write-metadata' AND path GLOB '*-stamps/metadata/*')
  ) THEN 1 ELSE 0 END`;

// The rollups: per (minute or hour, action, housekeeping) the number of events. No
// triggers: a trigger on audit_events made every insert of the upsert 80 % dearer. AuditRepo
// keeps them exact with set-based statements in the same transaction as each write: a
// batch's new rows are added at its end (~1 µs a row), a pending row completed later moves
// from its old count to its new one, and the two deletes (archiving, retention) subtract
// what they remove before removing it. Rows whose count drops to 0 stay (the chart sums).
function rollup(table: string, unitMs: number): string {
  return `
  CREATE TABLE ${table} (
    slot         INTEGER NOT NULL,
    action       TEXT NOT NULL,
    housekeeping INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (slot, action, housekeeping)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO ${table} (slot, action, housekeeping, n)
    SELECT ts / ${unitMs}, action, housekeeping, count(*) FROM audit_events GROUP BY 1, 2, 3;`;
}

export const ROLLUPS: ReadonlyArray<{ table: string; unitMs: number }> = [
  { table: 'audit_rollup_minute', unitMs: 60_000 },
  { table: 'audit_rollup_hour', unitMs: 3_600_000 },
];

/** Adds (sign 1) or subtracts (sign -1) the events matching `where` to/from one rollup. */
export function rollupApplySql(table: string, unitMs: number, where: string, sign: 1 | -1): string {
  return `INSERT INTO ${table} (slot, action, housekeeping, n)
    SELECT ts / ${unitMs}, action, housekeeping, ${sign === 1 ? '' : '-'}count(*) FROM audit_events WHERE ${where} GROUP BY 1, 2, 3
    ON CONFLICT (slot, action, housekeeping) DO UPDATE SET n = n + excluded.n`;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export const AUDIT_HOUSEKEEPING_SCHEMA = `
  ALTER TABLE audit_events ADD COLUMN housekeeping INTEGER GENERATED ALWAYS AS (${HOUSEKEEPING_SQL_V15}) VIRTUAL;
  -- "Newest first, housekeeping hidden" (the viewer's default) walks only what it shows.
  CREATE INDEX audit_events_visible_ts ON audit_events (ts) WHERE housekeeping = 0;
  ${rollup('audit_rollup_minute', MINUTE_MS)}
  ${rollup('audit_rollup_hour', HOUR_MS)}
`;

export function createAuditHousekeepingSchema(db: { exec(sql: string): unknown }): void {
  db.exec(AUDIT_HOUSEKEEPING_SCHEMA);
}

/** An event with a NUL character in any field the housekeeping rule reads. */
const HAS_NUL = `(instr(source, char(0)) > 0 OR instr(action, char(0)) > 0 OR instr(path, char(0)) > 0 OR instr(status, char(0)) > 0)`;

// Migration 20: the column again, with the NUL rule. SQLite cannot alter a generated
// column, so it is dropped and added back; the partial index on it is the only object
// that uses it (the rollups store their own copy), so it is dropped first and built
// again. Dropping and adding a VIRTUAL column rewrites no row; adding one to a STRICT
// table reads every row once to check it, and the index is built with one more scan.
// Only rows with a NUL can change class; they are moved in the rollups (taken out with
// the old answer, put back with the new one), so no full rebuild of the counts.
export function redefineHousekeepingColumn(db: { exec(sql: string): unknown }): void {
  db.exec(`
    CREATE TEMP TABLE housekeeping_nul_rows (id INTEGER PRIMARY KEY);
    INSERT INTO temp.housekeeping_nul_rows (id) SELECT id FROM audit_events WHERE ${HAS_NUL};
    ${ROLLUPS.map((r) => rollupApplySql(r.table, r.unitMs, 'id IN temp.housekeeping_nul_rows', -1)).join(';\n')};
    DROP INDEX audit_events_visible_ts;
    ALTER TABLE audit_events DROP COLUMN housekeeping;
    ALTER TABLE audit_events ADD COLUMN housekeeping INTEGER GENERATED ALWAYS AS (${HOUSEKEEPING_SQL}) VIRTUAL;
    CREATE INDEX audit_events_visible_ts ON audit_events (ts) WHERE housekeeping = 0;
    ${ROLLUPS.map((r) => rollupApplySql(r.table, r.unitMs, 'id IN temp.housekeeping_nul_rows', 1)).join(';\n')};
    DROP TABLE temp.housekeeping_nul_rows;
  `);
}
