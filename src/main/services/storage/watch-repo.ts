// SQL for the ops-host watcher: open conditions and the PagerDuty outbox (one
// transaction opens a condition and queues its trigger, so a restart never pages
// twice), plus the few reads the watcher makes over the audit store and the
// inventory index it shares the database with. Never a routing key, never a token.
import type { PageSeverity, WatchCondition } from '../../../shared/contracts/watch';
import type { SqlDatabase } from './database';

export interface OpenConditionRow {
  condition: WatchCondition;
  dedupKey: string;
  severity: PageSeverity;
  silent: boolean;
  summary: string;
  openedAt: number;
}

export type OutboxAction = 'trigger' | 'resolve';
export type OutboxState = 'pending' | 'delivered' | 'dropped';

export interface OutboxRow {
  id: number;
  condition: string;
  dedupKey: string;
  action: OutboxAction;
  /** The Events API v2 body without routing_key (added when it is sent). */
  eventJson: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  doneAt: number | null;
}

export interface NewOutboxEvent {
  condition: string;
  dedupKey: string;
  action: OutboxAction;
  eventJson: string;
}

/** One audit event as the watcher counts it (no user, tenant or IP: metrics never carry them). */
export interface CountedEvent {
  id: number;
  ts: number;
  action: string;
  secretType: string;
  status: string;
  path: string;
  /** The console's action header as Vault logged it (an annotation, never the action). */
  consoleHeader: string | null;
  /** The header names an action Vault's operation contradicts. */
  headerConflict: boolean;
}

export interface DueCounts {
  type: string;
  overdue: number;
  due7: number;
}

interface OutboxSqlRow {
  id: number;
  condition: string;
  dedup_key: string;
  event_action: OutboxAction;
  event_json: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  done_at: number | null;
}

function outboxRow(r: OutboxSqlRow): OutboxRow {
  return {
    id: r.id,
    condition: r.condition,
    dedupKey: r.dedup_key,
    action: r.event_action,
    eventJson: r.event_json,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    doneAt: r.done_at,
  };
}

export class WatchRepo {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Holds SQLite's write lock for as long as this connection lives, so a second
   * watcher on the same data dir cannot send the same outbox. The OS drops the lock
   * when the process dies, SIGKILL included. Throws when another process holds it.
   */
  claimExclusive(): void {
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('busy_timeout = 200');
    // The first write takes the lock; in exclusive mode it is never released.
    this.db.exec('BEGIN IMMEDIATE; COMMIT;');
  }

  // ---- conditions ----

  openConditions(): OpenConditionRow[] {
    const rows = this.db.prepare('SELECT condition, dedup_key, severity, silent, summary, opened_at FROM watch_conditions ORDER BY opened_at, condition').all() as {
      condition: WatchCondition;
      dedup_key: string;
      severity: PageSeverity;
      silent: number;
      summary: string;
      opened_at: number;
    }[];
    return rows.map((r) => ({ condition: r.condition, dedupKey: r.dedup_key, severity: r.severity, silent: r.silent === 1, summary: r.summary, openedAt: r.opened_at }));
  }

  /** Opens a condition and queues its trigger (unless silent) in one transaction; false when it was already open. */
  open(c: OpenConditionRow, trigger: NewOutboxEvent | null, now: number): boolean {
    return this.db.transaction(() => {
      const n = this.db
        .prepare('INSERT INTO watch_conditions (condition, dedup_key, severity, silent, summary, opened_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(condition) DO NOTHING')
        .run(c.condition, c.dedupKey, c.severity, c.silent ? 1 : 0, c.summary.slice(0, 1024), c.openedAt).changes;
      if (n === 0) return false;
      if (trigger) this.insertOutbox(trigger, now);
      return true;
    })();
  }

  /** Closes a condition and queues its resolve (when it was paged) in one transaction; false when it was not open. */
  resolve(condition: WatchCondition, resolveEvent: (row: OpenConditionRow) => NewOutboxEvent | null, now: number): boolean {
    return this.db.transaction(() => {
      const row = this.openConditions().find((r) => r.condition === condition);
      if (!row) return false;
      this.db.prepare('DELETE FROM watch_conditions WHERE condition = ?').run(condition);
      const ev = row.silent ? null : resolveEvent(row);
      if (ev) this.insertOutbox(ev, now);
      return true;
    })();
  }

  // ---- outbox ----

  private insertOutbox(e: NewOutboxEvent, now: number): void {
    this.db
      .prepare("INSERT INTO watch_outbox (condition, dedup_key, event_action, event_json, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)")
      .run(e.condition, e.dedupKey, e.action, e.eventJson, now, now);
  }

  /** The oldest undelivered event: events leave in the order they were queued (a resolve never overtakes its trigger). */
  head(): OutboxRow | null {
    const r = this.db.prepare("SELECT * FROM watch_outbox WHERE state = 'pending' ORDER BY id LIMIT 1").get() as OutboxSqlRow | undefined;
    return r ? outboxRow(r) : null;
  }

  pendingCount(): number {
    return this.db.prepare("SELECT count(*) FROM watch_outbox WHERE state = 'pending'").pluck().get() as number;
  }

  markDelivered(id: number, at: number): void {
    this.db.prepare("UPDATE watch_outbox SET state = 'delivered', attempts = attempts + 1, done_at = ?, last_error = NULL WHERE id = ? AND state = 'pending'").run(at, id);
  }

  markRetry(id: number, nextAt: number, error: string): void {
    this.db.prepare("UPDATE watch_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'").run(nextAt, error.slice(0, 300), id);
  }

  markDropped(id: number, at: number, error: string): void {
    this.db.prepare("UPDATE watch_outbox SET state = 'dropped', attempts = attempts + 1, done_at = ?, last_error = ? WHERE id = ? AND state = 'pending'").run(at, error.slice(0, 300), id);
  }

  outbox(limit = 100): OutboxRow[] {
    return (this.db.prepare('SELECT * FROM watch_outbox ORDER BY id DESC LIMIT ?').all(limit) as OutboxSqlRow[]).map(outboxRow);
  }

  /** Forgets delivered and dropped events older than `before` (pending ones always stay). */
  pruneOutbox(before: number): number {
    return this.db.prepare("DELETE FROM watch_outbox WHERE state <> 'pending' AND done_at < ?").run(before).changes;
  }

  // ---- audit store reads ----

  /** Audit events stored after `afterId`, oldest first, for the counters. */
  eventsAfter(afterId: number, limit: number): CountedEvent[] {
    const rows = this.db
      .prepare("SELECT id, ts, action, secret_type, status, path, console_header, header_conflict FROM audit_events WHERE id > ? AND status <> 'pending' ORDER BY id LIMIT ?")
      .all(afterId, limit) as { id: number; ts: number; action: string; secret_type: string; status: string; path: string; console_header: string | null; header_conflict: number | null }[];
    return rows.map((r) => ({ id: r.id, ts: r.ts, action: r.action, secretType: r.secret_type, status: r.status, path: r.path, consoleHeader: r.console_header, headerConflict: r.header_conflict === 1 }));
  }

  maxAuditId(): number {
    return (this.db.prepare('SELECT max(id) FROM audit_events').pluck().get() as number | null) ?? 0;
  }

  /** Successful writes in [from, to] whose path starts with `prefix` (Vault's record of a break-glass seal intent). */
  writesUnder(prefix: string, from: number, to: number): { ts: number; user: string; path: string }[] {
    const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.db
      .prepare("SELECT ts, user, path FROM audit_events WHERE action = 'write' AND status = 'ok' AND ts >= ? AND ts <= ? AND path LIKE ? ESCAPE '\\' ORDER BY ts DESC LIMIT 20")
      .all(from, to, like) as { ts: number; user: string; path: string }[];
  }

  // ---- inventory index reads ----

  /**
   * Per secret type: secrets overdue (expired, or active past next_rotation) and active
   * ones due within `soonMs`. Revoked and unknown secrets count in neither.
   */
  dueCounts(nowMs: number, soonMs: number): DueCounts[] {
    return this.db
      .prepare(
        `SELECT type,
                sum(CASE WHEN status = 'expired' OR (status = 'active' AND next_rotation IS NOT NULL AND next_rotation < ?) THEN 1 ELSE 0 END) AS overdue,
                sum(CASE WHEN status = 'active' AND next_rotation IS NOT NULL AND next_rotation >= ? AND next_rotation <= ? THEN 1 ELSE 0 END) AS due7
         FROM inventory_secrets GROUP BY type`,
      )
      .all(nowMs, nowMs, nowMs + soonMs) as DueCounts[];
  }
}
