// Read side of the audit store: how each viewer filter is answered (plans that
// keep every filter on an index at millions of events), keyset pages, chunked
// walks for exports and archives, and capped counts. Writes are AuditRepo's.
import { AppError } from '../../../shared/errors';
import { normalizeUser, type AuditCursor, type AuditFilter } from '../../../shared/contracts/audit';
import type { ApprovalWrite, AuditRecord } from '../audit/audit-record';
import { termCount, type AuditTerms, type TermMatch } from './audit-terms';
import type { SqlDatabase } from './database';

export interface Row {
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
  operation: string | null;
  mount: string | null;
  entity_id: string | null;
  console_header: string | null;
  header_conflict: number | null;
  approval_write: string | null;
}

export interface StoredEvent extends AuditRecord {
  id: number;
}

/** A piece of SQL and its parameters, in order. */
export interface Where {
  sql: string;
  params: unknown[];
}

/** How one filter is answered (see plan()). */
interface Plan {
  /** The text matched no stored value: nothing can match. */
  empty: boolean;
  /** Index hint after the table name. */
  hint: string;
  where: Where[];
  /** A count can walk one index without touching rows (at most one equality filter, no text). */
  indexOnly: boolean;
  /** Free text that matches too many events to list them first, and no equality filter. */
  denseText: { match: TermMatch; range: Where[] } | null;
  /**
   * Free text with few matches and no equality filter: ids and times of the matches
   * come from the term indexes alone (deduplicated), rows are read for a page only.
   */
  matchIds: Where | null;
}

export function parseFilterTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  // A bare date means the whole day: from = 00:00 UTC, to = end of the day.
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const t = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(t)) throw new AppError('BAD_INPUT', `The ${field} date is not a valid date or ISO time.`);
  return dateOnly && field === 'to' ? t + 86_399_999 : t;
}

export const COLUMNS = 'id, key, ts, action, tenant, user, secret_type, ip, status, path, source, request_id, approval_id, error, operation, mount, entity_id, console_header, header_conflict, approval_write';

/** Counts that walk one index stop here; anything that must look at rows stops at COUNT_CAP_ROWS. */
export const COUNT_CAP_INDEXED = 100_000;
export const COUNT_CAP_ROWS = 10_000;
/** The per-action breakdown covers at most the newest this many matching events. */
export const BY_ACTION_CAP = 10_000;
/** How far each equality index is counted when choosing the narrowest one. */
const EQ_PROBE_CAP = 20_000;
/** A breakdown for broad free text looks at no more than the newest this many events. */
const DENSE_WALK_ROWS = 100_000;
/** Page size the text plan is tuned for (the viewer's). */
const PLAN_PAGE = 500;

const SET = 'SELECT value FROM json_each(?)';

/** "Matches one of the values" for each kind of term, against a row's columns (no index: `+col`). */
function membership(m: TermMatch, prefix = '+'): Where {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (col: string, values: readonly (number | string)[]) => {
    if (values.length === 0) return;
    parts.push(`${prefix}${col} IN (${SET})`);
    params.push(JSON.stringify(values));
  };
  add('path_id', m.path);
  add('ip_id', m.ip);
  add('error_id', m.error);
  add('user', m.user);
  add('tenant', m.tenant);
  return { sql: `(${parts.join(' OR ')})`, params };
}

/** One index-only SELECT of ids per kind of matching term (each through its (column, ts) index). */
function branches(m: TermMatch, range: readonly Where[], limitEach?: number, columns = 'id'): Where[] {
  const out: Where[] = [];
  const rangeSql = range.map((r) => ` AND ${r.sql}`).join('');
  const rangeParams = range.flatMap((r) => r.params);
  const add = (col: string, values: readonly (number | string)[]) => {
    if (values.length === 0) return;
    const inner = `SELECT ${columns} FROM audit_events WHERE ${col} IN (${SET})${rangeSql}`;
    const params = [JSON.stringify(values), ...rangeParams];
    if (limitEach === undefined) out.push({ sql: inner, params });
    else out.push({ sql: `SELECT ${columns} FROM (${inner} LIMIT ?)`, params: [...params, limitEach] });
  };
  add('path_id', m.path);
  add('ip_id', m.ip);
  add('error_id', m.error);
  add('user', m.user);
  add('tenant', m.tenant);
  return out;
}

function joinWhere(parts: readonly Where[]): Where {
  return parts.length === 0 ? { sql: '1', params: [] } : { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
}

export class AuditQueries {
  private readonly plans = new Map<string, { version: string; selective: boolean }>();
  private readonly indexPlans = new Map<string, { version: string; hint: string }>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly terms: AuditTerms,
    /** Changes whenever stored events change. */
    private readonly version: () => number,
  ) {}

  /**
   * How a filter is answered. Equality filters and dates use their (column, ts)
   * indexes. Free text first finds the matching values in the term dictionary,
   * then asks their indexes how many events they have, up to a threshold: few
   * (≤ threshold) → those events are fetched by id and sorted (cost ≤ threshold);
   * many → the newest-first walk of another index checks each row against the
   * matching values, and stops after a page (cost ≈ page / share of matches). The
   * threshold, √(page × events), is where the two costs meet.
   */
  private plan(raw: AuditFilter): Plan {
    // One meaning of the user filter everywhere (viewer, CLI, exports, alerts): the exact normalised name.
    const filter: AuditFilter = raw.user === undefined ? raw : { ...raw, user: normalizeUser(raw.user) };
    const where: Where[] = [];
    let eq = 0;
    const equal = (col: string, v: string | undefined) => {
      if (!v) return;
      where.push({ sql: `${col} = ?`, params: [v] });
      eq++;
    };
    equal('tenant', filter.tenant);
    equal('secret_type', filter.secretType);
    equal('action', filter.action);
    // One meaning of the user filter everywhere: the exact normalised name.
    equal('user', filter.user);
    const from = parseFilterTime(filter.from, 'from');
    const to = parseFilterTime(filter.to, 'to');
    if (from !== undefined && to !== undefined && from > to) throw new AppError('BAD_INPUT', 'The date range ends before it starts.');
    const range: Where[] = [];
    if (from !== undefined) range.push({ sql: 'ts >= ?', params: [from] });
    if (to !== undefined) range.push({ sql: 'ts <= ?', params: [to] });
    where.push(...range);
    // Housekeeping hidden: a row test, except with no equality filter, where the partial
    // index of visible events is walked instead of the time index.
    const hide = filter.hideHousekeeping === true;
    if (hide) where.push({ sql: 'housekeeping = 0', params: [] });
    if (!filter.text) {
      const hint = eq >= 2 ? this.narrowestIndex(filter, range, from, to) : eq === 0 && hide ? ' INDEXED BY audit_events_visible_ts' : '';
      return { empty: false, hint, where, indexOnly: hide ? eq === 0 : eq <= 1, denseText: null, matchIds: null };
    }

    const match = this.terms.match(filter.text);
    if (termCount(match) === 0) return { empty: true, hint: '', where, indexOnly: true, denseText: null, matchIds: null };
    if (this.textIsSelective(filter.text, match, range, from, to)) {
      const union = branches(match, range);
      where.unshift({ sql: `id IN (${union.map((b) => b.sql).join(' UNION ALL ')})`, params: union.flatMap((b) => b.params) });
      let matchIds: Where | null = null;
      // The id fast path reads no rows, so it cannot tell housekeeping apart: not with hide.
      if (eq === 0 && !hide) {
        const withTs = branches(match, range, undefined, 'id, ts');
        matchIds = { sql: withTs.map((b) => b.sql).join(' UNION '), params: withTs.flatMap((b) => b.params) };
      }
      return { empty: false, hint: ' NOT INDEXED', where, indexOnly: false, denseText: null, matchIds };
    }
    where.push(membership(match));
    // No equality filter to walk: walk time, newest first (the visible events only, with hide).
    if (eq === 0 && hide) return { empty: false, hint: ' INDEXED BY audit_events_visible_ts', where, indexOnly: false, denseText: null, matchIds: null };
    return eq === 0
      ? { empty: false, hint: ' INDEXED BY audit_events_ts', where, indexOnly: false, denseText: { match, range }, matchIds: null }
      : { empty: false, hint: '', where, indexOnly: false, denseText: null, matchIds: null };
  }

  /** Rows for ids chosen from the (id, ts) pairs of matchIds, ordered and limited there. */
  private byMatchIds(matchIds: Where, cursor: Where | null, order: 'ASC' | 'DESC', limit: number): Row[] {
    const params = [...matchIds.params, ...(cursor?.params ?? []), limit];
    return this.db
      .prepare(
        `SELECT ${COLUMNS} FROM audit_events WHERE id IN (
           SELECT id FROM (${matchIds.sql}) ${cursor ? `WHERE ${cursor.sql}` : ''} ORDER BY ts ${order}, id ${order} LIMIT ?)
         ORDER BY ts ${order}, id ${order}`,
      )
      .all(...params) as Row[];
  }

  /**
   * Two or more equality filters: SQLite's statistics are averages per column, so it
   * cannot tell that `action = delete` is rare while `user = admin07` is common, and may
   * walk the wrong index through 100,000+ rows. Ask each (column, ts) index how many
   * events it has for its value, up to a cap, and walk the one with the fewest.
   */
  private narrowestIndex(filter: AuditFilter, range: Where[], from?: number, to?: number): string {
    const candidates: Array<[string, string | undefined]> = [
      ['audit_events_tenant_ts', filter.tenant ? 'tenant = ?' : undefined],
      ['audit_events_type_ts', filter.secretType ? 'secret_type = ?' : undefined],
      // With both user and action, their composite index counts no more than either part: skip the parts.
      ['audit_events_action_ts', filter.action && !filter.user ? 'action = ?' : undefined],
      ['audit_events_user_ts', filter.user && !filter.action ? 'user = ?' : undefined],
      ['audit_events_user_action_ts', filter.user && filter.action ? 'user = ? AND action = ?' : undefined],
    ];
    const values: unknown[][] = [[filter.tenant], [filter.secretType], [filter.action], [filter.user], [filter.user, filter.action]];
    const active = candidates.filter(([, sql]) => sql);
    // One candidate (user + action alone): nothing to compare.
    if (active.length === 1) return ` INDEXED BY ${active[0]![0]}`;
    const key = JSON.stringify(['eq', values, from, to]);
    const version = `${this.version()}`;
    const cached = this.indexPlans.get(key);
    if (cached && cached.version === version) return cached.hint;
    let best: { hint: string; n: number } | null = null;
    candidates.forEach(([index, sql], i) => {
      if (!sql) return;
      const w = joinWhere([{ sql, params: values[i]! }, ...range]);
      const n = this.db.prepare(`SELECT count(*) FROM (SELECT 1 FROM audit_events INDEXED BY ${index} WHERE ${w.sql} LIMIT ?)`).pluck().get(...w.params, EQ_PROBE_CAP) as number;
      if (!best || n <= best.n) best = { hint: ` INDEXED BY ${index}`, n };
    });
    const hint = (best as { hint: string } | null)?.hint ?? '';
    if (this.indexPlans.size > 64) this.indexPlans.clear();
    this.indexPlans.set(key, { version, hint });
    return hint;
  }

  private textIsSelective(text: string, match: TermMatch, range: Where[], from?: number, to?: number): boolean {
    const key = JSON.stringify([text, from, to]);
    const version = `${this.version()}`;
    const cached = this.plans.get(key);
    if (cached && cached.version === version) return cached.selective;
    const events = (this.db.prepare('SELECT max(id) FROM audit_events').pluck().get() as number | null) ?? 0;
    const threshold = Math.max(1_000, Math.min(50_000, Math.round(Math.sqrt(PLAN_PAGE * events))));
    const union = branches(match, range);
    const probe = this.db
      .prepare(`SELECT count(*) FROM (${union.map((b) => b.sql).join(' UNION ALL ')} LIMIT ?)`)
      .pluck()
      .get(...union.flatMap((b) => b.params), threshold + 1) as number;
    const selective = probe <= threshold;
    if (this.plans.size > 32) this.plans.clear();
    this.plans.set(key, { version, selective });
    return selective;
  }

  /** The index walked for two or more equality filters (narrowestIndex); '' otherwise. For tests and the bench. */
  equalityIndex(filter: AuditFilter): string {
    return this.plan(filter).hint.replace(/^ INDEXED BY /, '');
  }

  /** How a text filter is answered: by-id (few matches), walk (many), none (no value matches). For tests and the bench. */
  textPlan(filter: AuditFilter): 'none' | 'by-id' | 'walk' | 'no-text' {
    if (!filter.text) return 'no-text';
    const p = this.plan(filter);
    return p.empty ? 'none' : p.hint === ' NOT INDEXED' ? 'by-id' : 'walk';
  }

  /** The rows a filter selects, as SQL (index hint and WHERE), for aggregates over them (the chart). */
  selection(filter: AuditFilter): { empty: boolean; hint: string; where: Where } {
    const p = this.plan(filter);
    return { empty: p.empty, hint: p.hint, where: joinWhere(p.where) };
  }

  /** Newest first, keyset-paged: page N costs the same as page 1 on millions of rows. */
  page(filter: AuditFilter, cursor: AuditCursor | null | undefined, limit: number): { events: StoredEvent[]; nextCursor: AuditCursor | null } {
    const p = this.plan(filter);
    if (p.empty) return { events: [], nextCursor: null };
    // ts <= ? bounds the index walk; the OR alone could not be used as a range.
    const after: Where | null = cursor ? { sql: 'ts <= ? AND (ts < ? OR id < ?)', params: [cursor.ts, cursor.ts, cursor.id] } : null;
    let rows: Row[];
    if (p.matchIds) rows = this.byMatchIds(p.matchIds, after, 'DESC', limit);
    else {
      const w = joinWhere(after ? [...p.where, after] : p.where);
      rows = this.db.prepare(`SELECT ${COLUMNS} FROM audit_events${p.hint} WHERE ${w.sql} ORDER BY ts DESC, id DESC LIMIT ?`).all(...w.params, limit) as Row[];
    }
    const last = rows.at(-1);
    return { events: rows.map(fromRow), nextCursor: rows.length === limit && last ? { ts: last.ts, id: last.id } : null };
  }

  /** Oldest first, in chunks, for exports and archives (no statement stays open across awaits). */
  *chunks(filter: AuditFilter, chunkSize = 5000, extra?: Where): Generator<StoredEvent[]> {
    let after: { ts: number; id: number } | null = null;
    // Planned once: the walk is a snapshot of what matched when it started.
    const p = this.plan(filter);
    if (p.empty) return;
    for (;;) {
      const cursor: Where | null = after ? { sql: 'ts >= ? AND (ts > ? OR id > ?)', params: [after.ts, after.ts, after.id] } : null;
      let rows: Row[];
      if (p.matchIds && !extra) rows = this.byMatchIds(p.matchIds, cursor, 'ASC', chunkSize);
      else {
        const parts = [...p.where];
        if (extra) parts.push(extra);
        if (cursor) parts.push(cursor);
        const w = joinWhere(parts);
        rows = this.db.prepare(`SELECT ${COLUMNS} FROM audit_events${p.hint} WHERE ${w.sql} ORDER BY ts ASC, id ASC LIMIT ?`).all(...w.params, chunkSize) as Row[];
      }
      if (rows.length === 0) return;
      yield rows.map(fromRow);
      const last = rows.at(-1)!;
      after = { ts: last.ts, id: last.id };
      if (rows.length < chunkSize) return;
    }
  }

  /**
   * How many events match, up to a cap (capped: "more than total"): cap as asked
   * when one index answers without reading rows, at most COUNT_CAP_ROWS otherwise.
   * byAction: per-action counts of the newest byActionOf matching events (all of
   * them when there are at most BY_ACTION_CAP).
   */
  counts(filter: AuditFilter, cap: number = COUNT_CAP_INDEXED): { total: number; capped: boolean; byAction: Record<string, number>; byActionOf: number } {
    const p = this.plan(filter);
    if (p.empty) return { total: 0, capped: false, byAction: {}, byActionOf: 0 };
    const limit = p.indexOnly ? cap : Math.min(cap, COUNT_CAP_ROWS);
    const w = joinWhere(p.where);
    let total: number;
    if (p.matchIds) {
      total = this.db.prepare(`SELECT count(*) FROM (SELECT id FROM (${p.matchIds.sql}) LIMIT ?)`).pluck().get(...p.matchIds.params, limit + 1) as number;
    } else if (p.denseText) {
      // Exact up to the cap: each kind's ids stop at cap + 1, and their union is
      // deduplicated (one event can match by path and by user).
      const b = branches(p.denseText.match, p.denseText.range, limit + 1);
      total = this.db.prepare(`SELECT count(*) FROM (${b.map((x) => x.sql).join(' UNION ')})`).pluck().get(...b.flatMap((x) => x.params)) as number;
    } else {
      total = this.db.prepare(`SELECT count(*) FROM (SELECT 1 FROM audit_events${p.hint} WHERE ${w.sql} LIMIT ?)`).pluck().get(...w.params, limit + 1) as number;
    }
    let rows: { action: string; n: number }[];
    if (p.matchIds) {
      rows = this.db
        .prepare(`SELECT action, count(*) AS n FROM audit_events WHERE id IN (SELECT id FROM (${p.matchIds.sql}) ORDER BY ts DESC, id DESC LIMIT ?) GROUP BY action`)
        .all(...p.matchIds.params, BY_ACTION_CAP) as { action: string; n: number }[];
    } else if (p.denseText) {
      const range = joinWhere(p.denseText.range);
      const m = membership(p.denseText.match, '');
      rows = this.db
        .prepare(
          `SELECT action, count(*) AS n FROM (
             SELECT action FROM (SELECT action, path_id, ip_id, error_id, user, tenant FROM audit_events INDEXED BY audit_events_ts
                                 WHERE ${range.sql} ORDER BY ts DESC, id DESC LIMIT ?)
             WHERE ${m.sql} LIMIT ?)
           GROUP BY action`,
        )
        .all(...range.params, DENSE_WALK_ROWS, ...m.params, BY_ACTION_CAP) as { action: string; n: number }[];
    } else {
      rows = this.db
        .prepare(`SELECT action, count(*) AS n FROM (SELECT action FROM audit_events${p.hint} WHERE ${w.sql} ORDER BY ts DESC, id DESC LIMIT ?) GROUP BY action`)
        .all(...w.params, BY_ACTION_CAP) as { action: string; n: number }[];
    }
    return {
      total: Math.min(total, limit),
      capped: total > limit,
      byAction: Object.fromEntries(rows.map((r) => [r.action, r.n])),
      byActionOf: rows.reduce((s, r) => s + r.n, 0),
    };
  }
}

export function fromRow(r: Row): StoredEvent {
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
    operation: r.operation,
    mount: r.mount,
    entityId: r.entity_id,
    consoleHeader: r.console_header,
    headerConflict: r.header_conflict === 1,
    approvalWrite: parseApprovalWrite(r.approval_write),
  };
}

function parseApprovalWrite(json: string | null): ApprovalWrite | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as ApprovalWrite;
  } catch {
    return null;
  }
}
