// SQL for audit events: batched idempotent inserts, filtered keyset pages, capped
// counts, facets, alert candidates, month partitions. Never stores a secret value:
// records hold paths, users, ids and Vault's (HMAC'd) error text only.
import { AppError } from '../../../shared/errors';
import type { AuditCursor, AuditEventView, AuditFilter } from '../../../shared/contracts/audit';
import { monthOf, type AuditRecord } from '../audit/audit-record';
import type { SqlDatabase } from './database';

export interface InsertResult {
  inserted: number;
  duplicates: number;
}

interface Row {
  id: number;
  key: string;
  ts: number;
  action: string;
  tenant: string | null;
  user: string;
  secret_type: string;
  ip: string;
  status: string;
  path: string;
  source: string;
  request_id: string;
  approval_id: string | null;
  error: string | null;
}

export interface StoredEvent extends AuditRecord {
  id: number;
}

export interface MonthRow {
  month: number;
  state: 'hot' | 'archived' | 'reopened';
  events: number;
  archiveFile: string | null;
  sha256: string | null;
}

/** Bounds and parameters of a filter, resolved once (dates parsed, text escaped). */
interface Where {
  sql: string;
  params: unknown[];
}

export function parseFilterTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  // A bare date means the whole day: from = 00:00 UTC, to = end of the day.
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const t = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(t)) throw new AppError('BAD_INPUT', `The ${field} date is not a valid date or ISO time.`);
  return dateOnly && field === 'to' ? t + 86_399_999 : t;
}

export function buildWhere(filter: AuditFilter): Where {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.tenant) {
    parts.push('tenant = ?');
    params.push(filter.tenant);
  }
  if (filter.secretType) {
    parts.push('secret_type = ?');
    params.push(filter.secretType);
  }
  if (filter.action) {
    parts.push('action = ?');
    params.push(filter.action);
  }
  if (filter.user) {
    parts.push('user = ?');
    params.push(filter.user);
  }
  const from = parseFilterTime(filter.from, 'from');
  const to = parseFilterTime(filter.to, 'to');
  if (from !== undefined && to !== undefined && from > to) throw new AppError('BAD_INPUT', 'The date range ends before it starts.');
  if (from !== undefined) {
    parts.push('ts >= ?');
    params.push(from);
  }
  if (to !== undefined) {
    parts.push('ts <= ?');
    params.push(to);
  }
  if (filter.text) {
    const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push("(path LIKE ? ESCAPE '\\' OR user LIKE ? ESCAPE '\\' OR ip LIKE ? ESCAPE '\\' OR tenant LIKE ? ESCAPE '\\' OR error LIKE ? ESCAPE '\\')");
    params.push(like, like, like, like, like);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

const COLUMNS = 'id, key, ts, action, tenant, user, secret_type, ip, status, path, source, request_id, approval_id, error';

export class AuditRepo {
  private readonly insertStmt;
  private readonly monthStmt;

  constructor(private readonly db: SqlDatabase, private readonly now: () => Date = () => new Date()) {
    // A pending request (no response seen yet) is completed when its response
    // arrives; any other repeat of a key is a duplicate and changes nothing.
    this.insertStmt = db.prepare(`
      INSERT INTO audit_events (key, ts, month, action, tenant, user, secret_type, ip, status, path, source, request_id, approval_id, error)
      VALUES (@key, @ts, @month, @action, @tenant, @user, @secretType, @ip, @status, @path, @source, @requestId, @approvalId, @error)
      ON CONFLICT(key) DO UPDATE SET action = excluded.action, user = excluded.user, status = excluded.status, error = excluded.error,
        approval_id = excluded.approval_id
      WHERE audit_events.status = 'pending' AND excluded.status <> 'pending'`);
    this.monthStmt = db.prepare(`INSERT INTO audit_months (month, state, changed_at) VALUES (?, 'hot', ?) ON CONFLICT(month) DO NOTHING`);
  }

  /** One transaction per batch; returns how many rows were new (or completed a pending one). */
  insertMany(records: readonly AuditRecord[]): InsertResult {
    if (records.length === 0) return { inserted: 0, duplicates: 0 };
    let inserted = 0;
    const months = new Set<number>();
    this.db.transaction(() => {
      for (const r of records) {
        const month = monthOf(r.ts);
        months.add(month);
        inserted += this.insertStmt.run({ ...r, month }).changes;
      }
      const at = this.now().toISOString();
      for (const m of months) this.monthStmt.run(m, at);
    })();
    return { inserted, duplicates: records.length - inserted };
  }

  /** Newest first, keyset-paged: page N costs the same as page 1 on millions of rows. */
  page(filter: AuditFilter, cursor: AuditCursor | null | undefined, limit: number): { events: StoredEvent[]; nextCursor: AuditCursor | null } {
    const w = buildWhere(filter);
    let sql = `SELECT ${COLUMNS} FROM audit_events WHERE ${w.sql}`;
    const params = [...w.params];
    if (cursor) {
      sql += ' AND (ts < ? OR (ts = ? AND id < ?))';
      params.push(cursor.ts, cursor.ts, cursor.id);
    }
    sql += ' ORDER BY ts DESC, id DESC LIMIT ?';
    params.push(limit);
    const rows = this.db.prepare(sql).all(...params) as Row[];
    const last = rows.at(-1);
    return { events: rows.map(fromRow), nextCursor: rows.length === limit && last ? { ts: last.ts, id: last.id } : null };
  }

  /** Oldest first, in chunks, for exports and archives (no statement stays open across awaits). */
  *chunks(filter: AuditFilter, chunkSize = 5000, extra?: Where): Generator<StoredEvent[]> {
    const w = buildWhere(filter);
    let after: { ts: number; id: number } | null = null;
    for (;;) {
      let sql = `SELECT ${COLUMNS} FROM audit_events WHERE ${w.sql}${extra ? ` AND ${extra.sql}` : ''}`;
      const params = [...w.params, ...(extra?.params ?? [])];
      if (after) {
        sql += ' AND (ts > ? OR (ts = ? AND id > ?))';
        params.push(after.ts, after.ts, after.id);
      }
      sql += ' ORDER BY ts ASC, id ASC LIMIT ?';
      params.push(chunkSize);
      const rows = this.db.prepare(sql).all(...params) as Row[];
      if (rows.length === 0) return;
      yield rows.map(fromRow);
      const last = rows.at(-1)!;
      after = { ts: last.ts, id: last.id };
      if (rows.length < chunkSize) return;
    }
  }

  /** Count up to cap (+1 tells "more than cap"); byAction over the same capped, newest set. */
  counts(filter: AuditFilter, cap: number): { total: number; capped: boolean; byAction: Record<string, number> } {
    const w = buildWhere(filter);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM audit_events WHERE ${w.sql} LIMIT ?)`).get(...w.params, cap + 1) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT action, count(*) AS n FROM (SELECT action FROM audit_events WHERE ${w.sql} ORDER BY ts DESC LIMIT ?) GROUP BY action`)
      .all(...w.params, cap) as { action: string; n: number }[];
    return { total: Math.min(total, cap), capped: total > cap, byAction: Object.fromEntries(rows.map((r) => [r.action, r.n])) };
  }

  facets(limit = 5000): { tenants: string[]; users: string[] } {
    // DISTINCT over the leading column of an index is a skip-scan, not a table scan.
    const tenants = this.db.prepare('SELECT DISTINCT tenant FROM audit_events WHERE tenant IS NOT NULL ORDER BY tenant LIMIT ?').pluck().all(limit) as string[];
    const users = this.db.prepare("SELECT DISTINCT user FROM audit_events WHERE user <> '' ORDER BY user LIMIT ?").pluck().all(limit) as string[];
    return { tenants, users };
  }

  byIds(ids: readonly number[]): StoredEvent[] {
    if (ids.length === 0) return [];
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY ts ASC, id ASC`).all(...ids) as Row[];
    return rows.map(fromRow);
  }

  /** Events of one action in [from, to], oldest first (alert detectors). */
  byAction(action: string, from: number, to: number, limit: number): StoredEvent[] {
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM audit_events WHERE action = ? AND ts >= ? AND ts <= ? ORDER BY ts ASC, id ASC LIMIT ?`)
      .all(action, from, to, limit) as Row[];
    return rows.map(fromRow);
  }

  /** Tenant secret accesses whose UTC hour is one of hours (off-hours candidates). */
  tenantAccessInHours(hours: readonly number[], from: number, to: number, limit: number): StoredEvent[] {
    if (hours.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM audit_events WHERE ts >= ? AND ts <= ? AND tenant IS NOT NULL AND status <> 'pending'
         AND ((ts / 3600000) % 24) IN (${hours.map(() => '?').join(',')}) ORDER BY ts ASC, id ASC LIMIT ?`,
      )
      .all(from, to, ...hours, limit) as Row[];
    return rows.map(fromRow);
  }

  timeBounds(): { min: number; max: number } | null {
    const r = this.db.prepare('SELECT min(ts) AS min, max(ts) AS max FROM audit_events').get() as { min: number | null; max: number | null };
    return r.min === null || r.max === null ? null : { min: r.min, max: r.max };
  }

  months(): MonthRow[] {
    return (this.db.prepare('SELECT month, state, events, archive_file, sha256 FROM audit_months ORDER BY month').all() as {
      month: number;
      state: MonthRow['state'];
      events: number;
      archive_file: string | null;
      sha256: string | null;
    }[]).map((r) => ({ month: r.month, state: r.state, events: r.events, archiveFile: r.archive_file, sha256: r.sha256 }));
  }

  monthRange(month: number): { from: number; to: number } {
    const y = Math.floor(month / 100);
    const m = (month % 100) - 1;
    return { from: Date.UTC(y, m, 1), to: Date.UTC(y, m + 1, 1) - 1 };
  }

  countMonth(month: number): number {
    const r = this.monthRange(month);
    return (this.db.prepare('SELECT count(*) AS n FROM audit_events WHERE ts >= ? AND ts <= ?').get(r.from, r.to) as { n: number }).n;
  }

  *monthChunks(month: number, chunkSize = 5000): Generator<StoredEvent[]> {
    const r = this.monthRange(month);
    yield* this.chunks({}, chunkSize, { sql: 'ts >= ? AND ts <= ?', params: [r.from, r.to] });
  }

  /** Drops a month's rows and records where its archive is; one transaction. */
  markArchived(month: number, archiveFile: string, sha256: string, events: number): void {
    const r = this.monthRange(month);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM audit_events WHERE ts >= ? AND ts <= ?').run(r.from, r.to);
      this.db
        .prepare(
          `INSERT INTO audit_months (month, state, events, archive_file, sha256, changed_at) VALUES (?, 'archived', ?, ?, ?, ?)
           ON CONFLICT(month) DO UPDATE SET state = 'archived', events = excluded.events, archive_file = excluded.archive_file, sha256 = excluded.sha256, changed_at = excluded.changed_at`,
        )
        .run(month, events, archiveFile, sha256, this.now().toISOString());
    })();
  }

  markMonth(month: number, state: MonthRow['state']): void {
    this.db.prepare('UPDATE audit_months SET state = ?, changed_at = ? WHERE month = ?').run(state, this.now().toISOString(), month);
  }

  /** Retention: forget a month entirely (rows and partition entry). */
  dropMonth(month: number): number {
    const r = this.monthRange(month);
    return this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM audit_events WHERE ts >= ? AND ts <= ?').run(r.from, r.to).changes;
      this.db.prepare('DELETE FROM audit_months WHERE month = ?').run(month);
      return n;
    })();
  }

  recordImport(file: string, sha256: string | null, format: string, outcome: string, events: number, inserted: number): void {
    this.db
      .prepare('INSERT INTO audit_imports (file, sha256, format, outcome, events, inserted, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(file, sha256, format, outcome, events, inserted, this.now().toISOString());
  }

  wasImported(sha256: string): boolean {
    return this.db.prepare("SELECT 1 FROM audit_imports WHERE sha256 = ? AND outcome = 'imported' LIMIT 1").get(sha256) !== undefined;
  }

  getTailState(path: string): { inode: number; offset: number } | null {
    const r = this.db.prepare('SELECT inode, offset FROM audit_tail_state WHERE path = ?').get(path) as { inode: number; offset: number } | undefined;
    return r ?? null;
  }

  setTailState(path: string, inode: number, offset: number): void {
    this.db
      .prepare('INSERT INTO audit_tail_state (path, inode, offset, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET inode = excluded.inode, offset = excluded.offset, updated_at = excluded.updated_at')
      .run(path, inode, offset, this.now().toISOString());
  }
}

function fromRow(r: Row): StoredEvent {
  return {
    id: r.id,
    key: r.key,
    ts: r.ts,
    action: r.action as StoredEvent['action'],
    tenant: r.tenant,
    user: r.user,
    secretType: r.secret_type as StoredEvent['secretType'],
    ip: r.ip,
    status: r.status as StoredEvent['status'],
    path: r.path,
    source: r.source as StoredEvent['source'],
    requestId: r.request_id,
    approvalId: r.approval_id,
    error: r.error,
  };
}

export function toView(e: StoredEvent): AuditEventView {
  return {
    id: e.id,
    ts: new Date(e.ts).toISOString(),
    action: e.action,
    tenant: e.tenant,
    user: e.user,
    secretType: e.secretType,
    ip: e.ip,
    status: e.status,
    path: e.path,
    source: e.source,
    requestId: e.requestId,
    approvalId: e.approvalId,
    error: e.error,
  };
}
