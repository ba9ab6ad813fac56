// SQL for audit events: batched idempotent inserts (with their search terms),
// facets, alert candidates, month partitions, statistics; the filtered reads are
// AuditQueries (audit-query.ts). Never stores a secret value: records hold paths,
// users, ids and Vault's (HMAC'd) error text only.
import { normalizeUser, type AuditCursor, type AuditEventView, type AuditFilter } from '../../../shared/contracts/audit';
import { monthOf, type ApprovalWrite, type AuditRecord } from '../audit/audit-record';
import { AuditQueries, COLUMNS, COUNT_CAP_INDEXED, fromRow, type Row, type StoredEvent, type Where } from './audit-query';
import { AuditAccessQueries } from './audit-access-queries';
import { AuditChartQueries, type AuditChartData } from './audit-chart';
import { AuditTerms, type TermKind } from './audit-terms';
import { parseConsoleTag } from '../audit/console-header';
import type { SqlDatabase } from './database';
import { TERM_KIND } from './schema/audit';
import { ROLLUPS, rollupApplySql } from './schema/audit-housekeeping';

export { BY_ACTION_CAP, COUNT_CAP_INDEXED, COUNT_CAP_ROWS, parseFilterTime, type StoredEvent } from './audit-query';

export interface InsertResult {
  inserted: number;
  duplicates: number;
}

export interface MonthRow {
  month: number;
  state: 'hot' | 'archived' | 'reopened';
  events: number;
  archiveFile: string | null;
  sha256: string | null;
}

export class AuditRepo {
  private readonly insertStmt;
  private readonly monthStmt;
  private readonly reopenStmt;
  private readonly maxIdStmt;
  private readonly existingStmt;
  private readonly replaceStmt;
  private readonly rollupNewStmts;
  private readonly rollupOneStmts;
  readonly terms: AuditTerms;
  private readonly queries: AuditQueries;
  private readonly chart: AuditChartQueries;
  /** Incident response and compliance reports: blast radius, access totals, report sections (audit-access-queries.ts). */
  readonly access: AuditAccessQueries;
  /** Months whose events live in an archive (an insert into one marks it reopened). */
  private archived: Set<number> | null = null;
  /** Bumped by every write that changes events: cached text plans are stale. */
  private dataVersion = 0;

  constructor(private readonly db: SqlDatabase, private readonly now: () => Date = () => new Date()) {
    this.terms = new AuditTerms(db);
    this.queries = new AuditQueries(db, this.terms, () => this.dataVersion);
    this.chart = new AuditChartQueries(db, this.queries);
    this.access = new AuditAccessQueries(db);
    // A repeat of a key changes nothing (DO NOTHING), except two cases decided in
    // insertMany from the stored row (the chart's counts must move with it): a pending
    // request (no response seen yet) is completed when its response arrives, and a Vault
    // row stored before migration 13 (no operation) is classified again from Vault's
    // record when its entry is imported again.
    this.insertStmt = db.prepare(`
      INSERT INTO audit_events (key, ts, month, action, tenant, user, secret_type, ip, status, path, source, request_id, approval_id, error, path_id, ip_id, error_id,
                                operation, mount, entity_id, console_header, header_conflict, approval_write, accessor)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(key) DO NOTHING`);
    this.existingStmt = db.prepare('SELECT id, ts, action, housekeeping, status, operation, source FROM audit_events WHERE key = ?');
    this.replaceStmt = db.prepare(`
      UPDATE audit_events SET action = ?, tenant = ?, user = ?, secret_type = ?, ip = ?, ip_id = ?, status = ?, path = ?, path_id = ?,
        error = ?, error_id = ?, approval_id = ?, operation = ?, mount = ?, entity_id = ?, console_header = ?, header_conflict = ?, approval_write = ?,
        accessor = coalesce(?, accessor)
      WHERE id = ? RETURNING ts, action, housekeeping`);
    this.maxIdStmt = db.prepare('SELECT coalesce(max(id), 0) FROM audit_events').pluck();
    // The chart's per-minute/hour counts (schema/audit-housekeeping.ts): a batch's new rows at its end, one row's move at a time.
    this.rollupNewStmts = ROLLUPS.map((r) => db.prepare(rollupApplySql(r.table, r.unitMs, 'id > ?', 1)));
    this.rollupOneStmts = ROLLUPS.map((r) => ({
      unitMs: r.unitMs,
      stmt: db.prepare(`INSERT INTO ${r.table} (slot, action, housekeeping, n) VALUES (?, ?, ?, ?) ON CONFLICT (slot, action, housekeeping) DO UPDATE SET n = n + excluded.n`),
    }));
    this.monthStmt = db.prepare(`INSERT INTO audit_months (month, state, changed_at) VALUES (?, 'hot', ?) ON CONFLICT(month) DO NOTHING`);
    this.reopenStmt = db.prepare(`UPDATE audit_months SET state = 'reopened', changed_at = ? WHERE month = ? AND state = 'archived'`);
  }

  private archivedMonths(): Set<number> {
    this.archived ??= new Set(this.db.prepare("SELECT month FROM audit_months WHERE state = 'archived'").pluck().all() as number[]);
    return this.archived;
  }

  /** One transaction per batch; returns how many rows were new (or completed a pending one). */
  insertMany(records: readonly AuditRecord[]): InsertResult {
    if (records.length === 0) return { inserted: 0, duplicates: 0 };
    let inserted = 0;
    const months = new Map<number, number>();
    const t = this.terms;
    const stmt = this.insertStmt;
    // One spelling of a user everywhere, whatever the source (Vault, the console, an imported export).
    const users = records.map((r) => normalizeUser(r.user));
    try {
      this.db.transaction(() => {
        // Rows inserted by this batch get ids above it (the rollups count them at the end).
        const before = this.maxIdStmt.get() as number;
        const bump = (row: { ts: number; action: string; housekeeping: number }, by: number) => {
          for (const r of this.rollupOneStmts) r.stmt.run(Math.floor(row.ts / r.unitMs), row.action, row.housekeeping, by);
        };
        t.prepare(
          new Map<TermKind, (string | null)[]>([
            [TERM_KIND.path, records.map((r) => r.path)],
            [TERM_KIND.ip, records.map((r) => r.ip)],
            [TERM_KIND.error, records.map((r) => r.error)],
            [TERM_KIND.user, users],
            [TERM_KIND.tenant, records.map((r) => r.tenant)],
          ]),
        );
        let lastMonthStart = 0;
        let lastMonthEnd = -1;
        let month = 0;
        for (let i = 0; i < records.length; i++) {
          const r = records[i]!;
          if (r.ts < lastMonthStart || r.ts > lastMonthEnd) {
            month = monthOf(r.ts);
            const range = this.monthRange(month);
            lastMonthStart = range.from;
            lastMonthEnd = range.to;
          }
          const approvalWrite = r.approvalWrite && r.status !== 'pending' ? JSON.stringify(r.approvalWrite) : null;
          let n = stmt.run(
            r.key, r.ts, month, r.action, r.tenant, users[i], r.secretType, r.ip, r.status, r.path, r.source, r.requestId, r.approvalId, r.error,
            t.id(TERM_KIND.path, r.path), t.id(TERM_KIND.ip, r.ip), t.id(TERM_KIND.error, r.error),
            r.operation, r.mount, r.entityId, r.consoleHeader, r.headerConflict ? 1 : null,
            // Only a final answer is evidence of an approval write.
            approvalWrite,
            r.accessor ?? null,
          ).changes;
          if (n === 0) {
            const old = this.existingStmt.get(r.key) as { id: number; ts: number; action: string; housekeeping: number; status: string; operation: string | null; source: string } | undefined;
            const completes = old !== undefined && old.status === 'pending' && r.status !== 'pending';
            const classifies = old !== undefined && old.operation === null && r.operation !== null && old.source === 'vault' && r.source === 'vault';
            if (old && (completes || classifies)) {
              const now = this.replaceStmt.get(
                r.action, r.tenant, users[i], r.secretType, r.ip, t.id(TERM_KIND.ip, r.ip), r.status, r.path, t.id(TERM_KIND.path, r.path),
                r.error, t.id(TERM_KIND.error, r.error), r.approvalId, r.operation, r.mount, r.entityId, r.consoleHeader, r.headerConflict ? 1 : null, approvalWrite,
                r.accessor ?? null,
                old.id,
              ) as { ts: number; action: string; housekeeping: number };
              // Counted already (an earlier batch): move it. Inserted by this batch: counted at its end.
              if (old.id <= before) {
                bump(old, -1);
                bump(now, 1);
              }
              n = 1;
            }
          }
          if (n > 0) {
            inserted += n;
            months.set(month, (months.get(month) ?? 0) + n);
          }
        }
        t.flush();
        for (const st of this.rollupNewStmts) st.run(before);
        const at = this.now().toISOString();
        const archived = this.archivedMonths();
        for (const m of months.keys()) {
          this.monthStmt.run(m, at);
          // New events for an archived month: it now lives partly in SQLite (see AuditArchiver).
          if (archived.has(m)) {
            this.reopenStmt.run(at, m);
            archived.delete(m);
          }
        }
      })();
      t.committed();
    } catch (err) {
      t.rolledBack();
      this.archived = null;
      throw err;
    }
    if (inserted > 0) this.dataVersion++;
    return { inserted, duplicates: records.length - inserted };
  }

  /** Newest first, keyset-paged: page N costs the same as page 1 on millions of rows. */
  page(filter: AuditFilter, cursor: AuditCursor | null | undefined, limit: number): { events: StoredEvent[]; nextCursor: AuditCursor | null } {
    return this.queries.page(filter, cursor, limit);
  }

  /** Oldest first, in chunks, for exports and archives. */
  chunks(filter: AuditFilter, chunkSize = 5000, extra?: Where): Generator<StoredEvent[]> {
    return this.queries.chunks(filter, chunkSize, extra);
  }

  /** Capped counts and the per-action breakdown (see AuditQueries.counts). */
  counts(filter: AuditFilter, cap: number = COUNT_CAP_INDEXED): ReturnType<AuditQueries['counts']> {
    return this.queries.counts(filter, cap);
  }

  /** Events over time by action for the chart above the table (an aggregate in SQLite). */
  histogram(filter: AuditFilter): AuditChartData {
    return this.chart.histogram(filter);
  }

  /** How a text filter is answered (tests, bench). */
  equalityIndex(filter: AuditFilter): string {
    return this.queries.equalityIndex(filter);
  }

  textPlan(filter: AuditFilter): ReturnType<AuditQueries['textPlan']> {
    return this.queries.textPlan(filter);
  }

  private bulkDepth = 0;
  private bulkRestore: { cache: number; checkpoint: number } | null = null;

  /**
   * For a big import: a larger page cache and fewer WAL checkpoints (each one
   * copies pages into the database and syncs it), restored, with one checkpoint,
   * when the last import ends. Returns the function that ends it.
   */
  beginBulk(): () => void {
    if (this.bulkDepth++ === 0) {
      this.bulkRestore = { cache: this.db.pragma('cache_size', { simple: true }) as number, checkpoint: this.db.pragma('wal_autocheckpoint', { simple: true }) as number };
      this.db.pragma('cache_size = -65536');
      this.db.pragma('wal_autocheckpoint = 16384');
    }
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.bulkDepth > 0 || !this.bulkRestore) return;
      this.db.pragma(`cache_size = ${this.bulkRestore.cache}`);
      this.db.pragma(`wal_autocheckpoint = ${this.bulkRestore.checkpoint}`);
      this.bulkRestore = null;
      try {
        this.db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // A busy reader only delays it to the next automatic checkpoint.
      }
    };
  }

  /** Fresh planner statistics (sampled, fast): run after big imports and daily. */
  maintain(): void {
    this.db.pragma('analysis_limit = 1000');
    try {
      this.db.exec('ANALYZE audit_events; ANALYZE audit_terms;');
    } finally {
      this.db.pragma('analysis_limit = 0');
    }
  }

  /** Forgets users and tenants no stored event has any more (after archiving or retention): the filter lists offer only what is there. */
  pruneTerms(): number {
    const n = this.db.transaction(() => {
      // One query per kind, each answered by that column's index.
      const unused = (kind: number, match: string) =>
        this.db.prepare(`SELECT id, value FROM audit_terms t WHERE t.kind = ? AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE ${match})`).all(kind) as { id: number; value: string }[];
      // Users and tenants only: they fill the filter lists. A stale path or IP costs
      // nothing (a search finds no event for it), and checking 100k+ of them would
      // hold the main process for seconds at 10M events.
      const stale = [...unused(TERM_KIND.user, 'e.user = t.value'), ...unused(TERM_KIND.tenant, 'e.tenant = t.value')];
      const ftsDelete = this.db.prepare("INSERT INTO audit_terms_fts (audit_terms_fts, rowid, value) VALUES ('delete', ?, ?)");
      const del = this.db.prepare('DELETE FROM audit_terms WHERE id = ?');
      for (const t of stale) {
        ftsDelete.run(t.id, t.value);
        del.run(t.id);
      }
      return stale.length;
    })();
    if (n > 0) this.terms.forget();
    return n;
  }

  /** Whether the planner has statistics for the events table yet. */
  analyzed(): boolean {
    try {
      return this.db.prepare("SELECT 1 FROM sqlite_stat1 WHERE tbl = 'audit_events' LIMIT 1").get() !== undefined;
    } catch {
      return false;
    }
  }

  /** Tenants and users for the filter lists, from the term dictionary (no event scan). */
  facets(limit = 20_000): { tenants: string[]; users: string[] } {
    const list = (kind: number) => this.db.prepare('SELECT value FROM audit_terms WHERE kind = ? ORDER BY value LIMIT ?').pluck().all(kind, limit) as string[];
    return { tenants: list(TERM_KIND.tenant), users: list(TERM_KIND.user) };
  }

  byIds(ids: readonly number[]): StoredEvent[] {
    if (ids.length === 0) return [];
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM audit_events WHERE id IN (${ids.map(() => '?').join(',')}) ORDER BY ts ASC, id ASC`).all(...ids) as Row[];
    return rows.map(fromRow);
  }

  /**
   * The newest `limit` events of Vault's record (source vault) of one action in
   * [from, to], returned oldest first (alert detectors); capped: true when older ones
   * in the range were left out. tenantOnly: tenant secrets only.
   */
  byAction(action: string, from: number, to: number, limit: number, opts: { tenantOnly?: boolean } = {}): StoredEvent[] & { capped?: boolean } {
    return this.newest(
      `SELECT ${COLUMNS} FROM audit_events INDEXED BY audit_events_action_ts WHERE action = ? AND ts >= ? AND ts <= ? AND source = 'vault'${opts.tenantOnly ? ' AND tenant IS NOT NULL' : ''}
       ORDER BY ts DESC, id DESC LIMIT ?`,
      [action, from, to],
      limit,
    );
  }

  /** Vault entries whose console header contradicts Vault's operation (partial index), oldest first. */
  headerConflicts(from: number, to: number, limit: number): StoredEvent[] & { capped?: boolean } {
    return this.newest(`SELECT ${COLUMNS} FROM audit_events WHERE header_conflict = 1 AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?`, [from, to], limit);
  }

  /** Vault's records of writes to approval requests up to `to` (partial index), oldest first. */
  approvalWrites(to: number, limit: number): StoredEvent[] & { capped?: boolean } {
    return this.newest(`SELECT ${COLUMNS} FROM audit_events WHERE approval_write IS NOT NULL AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?`, [to], limit);
  }

  /** Fills in an approval write's record content read back from Vault. */
  setApprovalWrite(id: number, w: ApprovalWrite): void {
    this.db.prepare('UPDATE audit_events SET approval_write = ? WHERE id = ? AND approval_write IS NOT NULL').run(JSON.stringify(w), id);
    this.dataVersion++;
  }

  /** The name each entity last signed in with (Vault's record of successful logins; partial index). */
  entityNames(entityIds: readonly string[]): Map<string, string> {
    const out = new Map<string, string>();
    const stmt = this.db.prepare("SELECT user FROM audit_events INDEXED BY audit_events_login_entity WHERE action = 'login' AND entity_id = ? ORDER BY ts DESC LIMIT 1").pluck();
    for (const id of entityIds.slice(0, 10_000)) {
      const u = stmt.get(id) as string | undefined;
      if (u) out.set(id, u);
    }
    return out;
  }

  /** How many of Vault's rows were stored before migration 13 with a client's word as their action (capped). */
  unclassified(from: number, to: number, cap: number): { count: number; ids: number[]; first: number | null; last: number | null } {
    const rows = this.db
      .prepare("SELECT id, ts FROM audit_events INDEXED BY audit_events_action_ts WHERE action = 'unclassified' AND ts >= ? AND ts <= ? ORDER BY ts DESC, id DESC LIMIT ?")
      .all(from, to, cap) as { id: number; ts: number }[];
    return { count: rows.length, ids: rows.map((r) => r.id), first: rows.at(-1)?.ts ?? null, last: rows[0]?.ts ?? null };
  }

  private newest(sql: string, params: unknown[], limit: number): StoredEvent[] & { capped?: boolean } {
    const rows = this.db.prepare(sql).all(...params, limit + 1) as Row[];
    const capped = rows.length > limit;
    if (capped) rows.pop();
    const out: StoredEvent[] & { capped?: boolean } = rows.reverse().map(fromRow);
    out.capped = capped;
    return out;
  }

  /** The newest `limit` tenant secret accesses (Vault's record) whose UTC hour is one of hours (off-hours candidates), oldest first. */
  tenantAccessInHours(hours: readonly number[], from: number, to: number, limit: number): StoredEvent[] & { capped?: boolean } {
    if (hours.length === 0) return [];
    return this.newest(
      `SELECT ${COLUMNS} FROM audit_events WHERE ts >= ? AND ts <= ? AND tenant IS NOT NULL AND status <> 'pending' AND source = 'vault'
       AND ((ts / 3600000) % 24) IN (${hours.map(() => '?').join(',')}) ORDER BY ts DESC, id DESC LIMIT ?`,
      [from, to, ...hours],
      limit,
    );
  }

  /** Changes whenever stored events change (cached answers over events are stale). */
  get version(): number {
    return this.dataVersion;
  }

  timeBounds(): { min: number; max: number } | null {
    // Two statements: each is one step down the ts index; min and max together would scan it.
    const min = this.db.prepare('SELECT min(ts) FROM audit_events').pluck().get() as number | null;
    const max = this.db.prepare('SELECT max(ts) FROM audit_events').pluck().get() as number | null;
    return min === null || max === null ? null : { min, max };
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

  /** The highest event id so far: rows added later have higher ids. */
  maxId(): number {
    return (this.db.prepare('SELECT max(id) FROM audit_events').pluck().get() as number | null) ?? 0;
  }

  /** A month's events with ids up to upToId, oldest first (an archive's snapshot). */
  *monthChunks(month: number, upToId: number, chunkSize = 5000): Generator<StoredEvent[]> {
    const r = this.monthRange(month);
    yield* this.chunks({}, chunkSize, { sql: 'ts >= ? AND ts <= ? AND id <= ?', params: [r.from, r.to, upToId] });
  }

  /**
   * The archive is on disk: drop the rows it holds (ids up to upToId) and record
   * where it is; one transaction. Rows that arrived while it was written stay, and
   * the month is then "reopened" (partly in SQLite) rather than "archived".
   */
  markArchived(month: number, archiveFile: string, sha256: string, events: number, upToId: number): MonthRow['state'] {
    const r = this.monthRange(month);
    const state = this.db.transaction(() => {
      this.forgetInRollups('ts >= ? AND ts <= ? AND id <= ?', [r.from, r.to, upToId]);
      this.db.prepare('DELETE FROM audit_events WHERE ts >= ? AND ts <= ? AND id <= ?').run(r.from, r.to, upToId);
      const left = this.db.prepare('SELECT 1 FROM audit_events WHERE ts >= ? AND ts <= ? LIMIT 1').get(r.from, r.to) !== undefined;
      const next: MonthRow['state'] = left ? 'reopened' : 'archived';
      this.db
        .prepare(
          `INSERT INTO audit_months (month, state, events, archive_file, sha256, changed_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(month) DO UPDATE SET state = excluded.state, events = excluded.events, archive_file = excluded.archive_file, sha256 = excluded.sha256, changed_at = excluded.changed_at`,
        )
        .run(month, next, events, archiveFile, sha256, this.now().toISOString());
      return next;
    })();
    this.archived = null;
    this.dataVersion++;
    return state;
  }

  markMonth(month: number, state: MonthRow['state']): void {
    this.db.prepare('UPDATE audit_months SET state = ?, changed_at = ? WHERE month = ?').run(state, this.now().toISOString(), month);
    this.archived = null;
  }

  /** Retention: forget a month entirely (rows and partition entry). */
  /** Before a delete, in its transaction: the chart's counts lose what it removes. */
  private forgetInRollups(where: string, params: unknown[]): void {
    for (const r of ROLLUPS) this.db.prepare(rollupApplySql(r.table, r.unitMs, where, -1)).run(...params);
  }

  dropMonth(month: number): number {
    const r = this.monthRange(month);
    const n = this.db.transaction(() => {
      this.forgetInRollups('ts >= ? AND ts <= ?', [r.from, r.to]);
      const n = this.db.prepare('DELETE FROM audit_events WHERE ts >= ? AND ts <= ?').run(r.from, r.to).changes;
      this.db.prepare('DELETE FROM audit_months WHERE month = ?').run(month);
      return n;
    })();
    this.archived = null;
    this.dataVersion++;
    return n;
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
    operation: e.operation,
    mount: e.mount,
    entityId: e.entityId,
    consoleHeader: e.consoleHeader,
    consoleAction: parseConsoleTag(e.consoleHeader?.split(' | ')) ?.action ?? null,
    headerConflict: e.headerConflict,
  };
}
