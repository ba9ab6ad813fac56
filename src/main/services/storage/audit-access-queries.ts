// Read side of the audit store for incident response and compliance reports (issue 15):
// what one identity accessed since a time (blast radius), per-identity access totals and
// the detail of reveals / downloads, emergency resets, deletions, failed sign-ins, and the
// chunked walk an evidence pack is written from. Which actions and statuses count as an
// access is the caller's (shared/audit/secret-access.ts); this file only answers.
//
// Each query stays on an index at 10,000,000 events: identity + action + time walk
// migration 18's covering indexes (user / entity, action, ts, path_id, status) without
// reading a row; an address walks (ip_id, ts); an accessor (accessor, ts). Paths come back
// as term ids and are resolved in one query.
import type { AuditAction, AuditStatus } from '../../../shared/contracts/audit';
import { parseConsoleTag } from '../audit/console-header';
import { COLUMNS, fromRow, type Row, type StoredEvent } from './audit-query';
import type { SqlDatabase } from './database';
import { TERM_KIND } from './schema/audit';

export type IdentityKind = 'user' | 'entity' | 'accessor' | 'address';

/** One identity; several values when one identity is logged under several (an accessor and its HMACs). */
export interface IdentityRef {
  kind: IdentityKind;
  values: readonly string[];
}

export interface AccessGroup {
  /** The path as logged (Vault's, mount included; the console's own records: relative to the mount). */
  path: string;
  /** Events per action, in the order of the actions asked for. */
  counts: number[];
  /** Epoch ms of the first and last access in the range. */
  first: number;
  last: number;
}

/** AccessGroups as columns, sorted by path: row k is paths[k], first[k], last[k], counts[k × actions + i]. */
export interface AccessTable {
  paths: string[];
  first: Float64Array;
  last: Float64Array;
  counts: Float64Array;
  /** How many actions were asked for (counts per row). */
  actions: number;
}

/** The blast radius walks its range in windows of this span (memory: one window's events at a time). */
const WINDOW_MS = 31 * 86_400_000;

function grown<T extends Int32Array | Float64Array>(a: T, need: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function tableOf(groups: readonly AccessGroup[], na: number): AccessTable {
  const t: AccessTable = { paths: groups.map((g) => g.path), first: new Float64Array(groups.length), last: new Float64Array(groups.length), counts: new Float64Array(groups.length * na), actions: na };
  groups.forEach((g, k) => {
    t.first[k] = g.first;
    t.last[k] = g.last;
    for (let a = 0; a < na; a++) t.counts[k * na + a] = g.counts[a] ?? 0;
  });
  return t;
}

export interface TimeRange {
  from: number;
  to: number;
}

export interface ActionEventRow {
  id: number;
  ts: number;
  action: string;
  user: string;
  tenant: string | null;
  path: string;
  status: string;
  source: string;
  approvalId: string | null;
  /** The console header's annotations (null without a header). */
  incidentId: string | null;
  consoleAction?: string | null;
  ip: string;
}

/** Annotated rows of one (source, user, path, Vault's action, console action, incident). */
export interface AnnotatedGroup {
  source: string;
  user: string;
  path: string;
  /** Vault's record (source vault) or the console's own action (source console). */
  action: string;
  /** What the console header says the console did (annotation). */
  consoleAction: string | null;
  incidentId: string | null;
  count: number;
  first: number;
  last: number;
}

export interface CountRow {
  value: string;
  count: number;
}

const SET = 'SELECT value FROM json_each(?)';

/**
 * The incident a console header names (incident=…), as logged: an annotation a report
 * lists beside Vault's record, never something that decides what an event is.
 */
export function incidentOfHeader(header: string | null): string | null {
  if (!header) return null;
  return parseConsoleTag(header.split(' | '))?.incident ?? null;
}

export class AuditAccessQueries {
  constructor(private readonly db: SqlDatabase) {}

  /** Paths of term ids, in one query. */
  paths(ids: readonly number[]): Map<number, string> {
    const out = new Map<number, string>();
    if (ids.length === 0) return out;
    const rows = this.db.prepare(`SELECT id, value FROM audit_terms WHERE id IN (${SET})`).all(JSON.stringify(ids)) as { id: number; value: string }[];
    for (const r of rows) out.set(r.id, r.value);
    return out;
  }

  /**
   * Every path an identity accessed in the range with counts per action and first/last
   * times (the blast radius) as a table sorted by path. For a user or an entity the events
   * come from the covering index alone. The same answer as accessesBy (tested on a
   * generated store), built for the worst case: at 10,000,000 events the busiest admin has
   * ~240,000 accesses of ~50,000 paths in a year. SQLite's GROUP BY spent most of its time
   * in its sorter and six aggregate calls per row, and handing rows to JavaScript one value
   * at a time costs more than walking the index. Here each row of the walk becomes the pair
   * "path id × 8 + the action's position, time" in one text per window of WINDOW_MS
   * (group_concat; JSON.parse reads it into one array of plain numbers), aggregated in
   * typed arrays; the paths' text comes back sorted the same way, as two JSON lists.
   * Memory is bounded by the events of one window, not of the whole range.
   */
  accessTable(identity: IdentityRef, range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]): AccessTable {
    const na = actions.length;
    const empty: AccessTable = { paths: [], first: new Float64Array(0), last: new Float64Array(0), counts: new Float64Array(0), actions: na };
    const q = this.identityWhere(identity);
    if (!q || na === 0 || statuses.length === 0 || range.from > range.to) return empty;
    if (na > 8 || new Set(actions).size !== na) return tableOf(this.accessesBy(identity, range, actions, statuses).sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)), na);
    const cases = actions.map((_, i) => `WHEN ? THEN ${i}`).join(' ');
    // A row whose pair were NULL would drop out whole (group_concat skips NULL): pairs never split.
    const walk = this.db
      .prepare(
        `SELECT '[' || group_concat((path_id * 8 + (CASE action ${cases} END)) || ',' || ts) || ']' FROM audit_events ${q.from}
         WHERE ${q.who} AND action IN (${SET}) AND ts >= ? AND ts <= ? AND status IN (${SET}) AND path_id IS NOT NULL`,
      )
      .pluck();
    const acts = JSON.stringify(actions);
    const sts = JSON.stringify(statuses);
    // Slot of each path id (+1; 0: not seen) and per slot: first, last, counts per action (grown as needed).
    let slotOf = new Int32Array(1024);
    let first = new Float64Array(1024);
    let last = new Float64Array(1024);
    let counts = new Float64Array(1024 * na);
    const ids: number[] = [];
    const read = this.db.transaction(() => {
      // Windows only where the store has events (a range "since 1970" is not 600 empty windows).
      const [oldest, newest] = this.db.prepare('SELECT (SELECT min(ts) FROM audit_events), (SELECT max(ts) FROM audit_events)').raw().get() as [number | null, number | null];
      if (oldest === null || newest === null) return;
      const end = Math.min(range.to, newest);
      for (let from = Math.max(range.from, oldest); from <= end; from += WINDOW_MS) {
        const to = Math.min(end, from + WINDOW_MS - 1);
        const text = walk.get(...actions, ...q.params, acts, from, to, sts) as string | null;
        if (text === null) continue;
        const pairs = JSON.parse(text) as number[];
        for (let i = 0; i < pairs.length; i += 2) {
          const code = pairs[i]!;
          const ts = pairs[i + 1]!;
          const id = Math.floor(code / 8);
          if (id >= slotOf.length) slotOf = grown(slotOf, id + 1);
          let slot = slotOf[id]! - 1;
          if (slot < 0) {
            slot = ids.length;
            ids.push(id);
            slotOf[id] = slot + 1;
            if (slot >= first.length) {
              first = grown(first, slot + 1);
              last = grown(last, slot + 1);
              counts = grown(counts, (slot + 1) * na);
            }
            first[slot] = ts;
            last[slot] = ts;
          } else {
            if (ts < first[slot]!) first[slot] = ts;
            if (ts > last[slot]!) last[slot] = ts;
          }
          counts[slot * na + (code - id * 8)]!++;
        }
      }
    });
    read();
    if (ids.length === 0) return empty;
    // The paths' text sorted, with the slot of each (json_each's key: the position in ids).
    const names = this.db
      .prepare(`SELECT json_group_array(k), json_group_array(v) FROM (SELECT j.key AS k, t.value AS v FROM json_each(?) j JOIN audit_terms t ON t.id = j.value ORDER BY t.value)`)
      .raw()
      .get(JSON.stringify(ids)) as [string, string];
    const slots = JSON.parse(names[0]) as number[];
    const paths = JSON.parse(names[1]) as string[];
    const n = paths.length;
    const out: AccessTable = { paths, first: new Float64Array(n), last: new Float64Array(n), counts: new Float64Array(n * na), actions: na };
    for (let k = 0; k < n; k++) {
      const slot = slots[k]!;
      out.first[k] = first[slot]!;
      out.last[k] = last[slot]!;
      for (let a = 0; a < na; a++) out.counts[k * na + a] = counts[slot * na + a]!;
    }
    return out;
  }

  /**
   * The blast radius as one SQL GROUP BY, in no particular order: the reference accessTable
   * answers like (and its way for more than 8 actions).
   */
  accessesBy(identity: IdentityRef, range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]): AccessGroup[] {
    const q = this.identityWhere(identity);
    if (!q || actions.length === 0 || statuses.length === 0) return [];
    const sums = actions.map(() => 'sum(action = ?)').join(', ');
    const rows = this.db
      .prepare(
        `SELECT t.value, g.* FROM (
           SELECT path_id, min(ts), max(ts), ${sums} FROM audit_events ${q.from}
           WHERE ${q.who} AND action IN (${SET}) AND ts >= ? AND ts <= ? AND status IN (${SET}) AND path_id IS NOT NULL GROUP BY path_id
         ) g JOIN audit_terms t ON t.id = g.path_id`,
      )
      .raw()
      .all(...actions, ...q.params, JSON.stringify(actions), range.from, range.to, JSON.stringify(statuses)) as Array<[string, number, number, number, ...number[]]>;
    return rows.map((r) => ({ path: r[0], first: r[2], last: r[3], counts: r.slice(4) as number[] }));
  }

  /** The index and the condition that select an identity's events; null when it matches nothing. */
  private identityWhere(identity: IdentityRef): { from: string; who: string; params: unknown[] } | null {
    const values = [...new Set(identity.values.filter((v) => v !== ''))];
    if (values.length === 0) return null;
    const params = [JSON.stringify(values)];
    switch (identity.kind) {
      case 'user':
        return { from: 'INDEXED BY audit_events_user_access', who: `user IN (${SET})`, params };
      case 'entity':
        return { from: 'INDEXED BY audit_events_entity_access', who: `entity_id IS NOT NULL AND entity_id IN (${SET})`, params };
      case 'accessor':
        return { from: 'INDEXED BY audit_events_accessor_ts', who: `accessor IS NOT NULL AND accessor IN (${SET})`, params };
      case 'address': {
        const ipIds = this.db.prepare(`SELECT id FROM audit_terms WHERE kind = ? AND value IN (${SET})`).pluck().all(TERM_KIND.ip, JSON.stringify(values)) as number[];
        if (ipIds.length === 0) return null;
        return { from: 'INDEXED BY audit_events_ip_ts', who: `ip_id IN (${SET})`, params: [JSON.stringify(ipIds)] };
      }
    }
  }

  /** Users with at least one event (from the term dictionary: no scan), sorted. */
  users(): string[] {
    return this.db.prepare('SELECT value FROM audit_terms WHERE kind = ? ORDER BY value').pluck().all(TERM_KIND.user) as string[];
  }

  /**
   * Every access of one user in the range, straight from the covering index (no row is
   * read, no sort), each as one number: path id × 8 + the action's position in `actions`
   * (at most 8). Compliance reports aggregate them in typed arrays: at 250,000 events per
   * user that is about twice as fast as SQLite's GROUP BY sorter, and one number per event
   * (not an array) keeps the garbage collector out of it.
   */
  accessCodesOfUser(user: string, range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]): number[] {
    if (actions.length === 0 || actions.length > 8) return [];
    const cases = actions.map((_, i) => `WHEN ? THEN ${i}`).join(' ');
    return this.db
      .prepare(
        `SELECT path_id * 8 + (CASE action ${cases} END) FROM audit_events INDEXED BY audit_events_user_access
         WHERE user = ? AND action IN (${SET}) AND ts >= ? AND ts <= ? AND status IN (${SET}) AND path_id IS NOT NULL`,
      )
      .pluck()
      .all(...actions, user, JSON.stringify(actions), range.from, range.to, JSON.stringify(statuses)) as number[];
  }

  /**
   * Rows carrying a console header, grouped by (source, user, path, Vault's action, header):
   * what reports label by the header's annotation (a Vault read the console made as a
   * reveal; a Vault write made as an emergency reset; the incident). From a partial index
   * of annotated rows (migration 18). actions: Vault's record (or the console's own action
   * for its own records); the annotation never changes which rows these are.
   */
  annotated(range: TimeRange, actions: readonly string[], statuses: readonly AuditStatus[]): AnnotatedGroup[] {
    if (actions.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT source, user, path, action, console_header, count(*) AS n, min(ts) AS first, max(ts) AS last FROM audit_events INDEXED BY audit_events_annotated
         WHERE console_header IS NOT NULL AND action IN (${SET}) AND ts >= ? AND ts <= ? AND status IN (${SET})
         GROUP BY source, user, path, action, console_header`,
      )
      .all(JSON.stringify(actions), range.from, range.to, JSON.stringify(statuses)) as { source: string; user: string; path: string; action: string; console_header: string; n: number; first: number; last: number }[];
    // Headers differ per request (req=…): merged per (console action, incident) here.
    const out = new Map<string, AnnotatedGroup>();
    for (const r of rows) {
      const tag = parseConsoleTag(r.console_header.split(' | '));
      const consoleAction = tag?.action ?? null;
      const incidentId = tag?.incident ?? null;
      const key = `${r.source}\u0000${r.user}\u0000${r.path}\u0000${r.action}\u0000${consoleAction ?? ''}\u0000${incidentId ?? ''}`;
      const e = out.get(key);
      if (!e) out.set(key, { source: r.source, user: r.user, path: r.path, action: r.action, consoleAction, incidentId, count: r.n, first: r.first, last: r.last });
      else {
        e.count += r.n;
        e.first = Math.min(e.first, r.first);
        e.last = Math.max(e.last, r.last);
      }
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...out.values()].sort((a, b) => cmp(a.user, b.user) || cmp(a.path, b.path) || cmp(a.action, b.action) || cmp(a.consoleAction ?? '', b.consoleAction ?? '') || cmp(a.incidentId ?? '', b.incidentId ?? '') || cmp(a.source, b.source));
  }

  /** The console's own records of some actions, grouped like annotated() (console header: its incident, when it had one). */
  ownRecords(range: TimeRange, actions: readonly string[], statuses: readonly AuditStatus[]): AnnotatedGroup[] {
    if (actions.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT user, path, action, console_header, count(*) AS n, min(ts) AS first, max(ts) AS last FROM audit_events INDEXED BY audit_events_action_ts
         WHERE action IN (${SET}) AND ts >= ? AND ts <= ? AND status IN (${SET}) AND source = 'console'
         GROUP BY user, path, action, console_header`,
      )
      .all(JSON.stringify(actions), range.from, range.to, JSON.stringify(statuses)) as { user: string; path: string; action: string; console_header: string | null; n: number; first: number; last: number }[];
    const out = new Map<string, AnnotatedGroup>();
    for (const r of rows) {
      const incidentId = incidentOfHeader(r.console_header);
      const key = `${r.user}\u0000${r.path}\u0000${r.action}\u0000${incidentId ?? ''}`;
      const e = out.get(key);
      if (!e) out.set(key, { source: 'console', user: r.user, path: r.path, action: r.action, consoleAction: r.action, incidentId, count: r.n, first: r.first, last: r.last });
      else {
        e.count += r.n;
        e.first = Math.min(e.first, r.first);
        e.last = Math.max(e.last, r.last);
      }
    }
    return [...out.values()];
  }

  /** Annotated rows one at a time (oldest first, at most `limit`): the report's lists of emergency resets. */
  annotatedEvents(range: TimeRange, actions: readonly string[], limit: number): ActionEventRow[] {
    const rows = this.db
      .prepare(
        `SELECT id, ts, action, user, tenant, path, status, source, approval_id, console_header, ip FROM audit_events INDEXED BY audit_events_annotated
         WHERE console_header IS NOT NULL AND action IN (${SET}) AND ts >= ? AND ts <= ? ORDER BY ts ASC, id ASC LIMIT ?`,
      )
      .all(JSON.stringify(actions), range.from, range.to, limit) as Array<Omit<ActionEventRow, 'approvalId' | 'incidentId' | 'consoleAction'> & { approval_id: string | null; console_header: string }>;
    return rows.map(({ approval_id, console_header, ...r }) => {
      const tag = parseConsoleTag(console_header.split(' | '));
      return { ...r, approvalId: approval_id, incidentId: tag?.incident ?? null, consoleAction: tag?.action ?? null };
    });
  }

  /** Events of some actions in the range, oldest first, at most `limit` (+ whether more were left out). */
  eventsOf(actions: readonly AuditAction[], range: TimeRange, limit: number): { events: ActionEventRow[]; total: number } {
    const total = this.db
      .prepare(`SELECT count(*) FROM audit_events INDEXED BY audit_events_action_ts WHERE action IN (${SET}) AND ts >= ? AND ts <= ?`)
      .pluck()
      .get(JSON.stringify(actions), range.from, range.to) as number;
    const rows = this.db
      .prepare(
        `SELECT id, ts, action, user, tenant, path, status, source, approval_id, console_header, ip FROM audit_events INDEXED BY audit_events_action_ts
         WHERE action IN (${SET}) AND ts >= ? AND ts <= ? ORDER BY ts ASC, id ASC LIMIT ?`,
      )
      .all(JSON.stringify(actions), range.from, range.to, limit) as Array<Omit<ActionEventRow, 'approvalId' | 'incidentId'> & { approval_id: string | null; console_header: string | null }>;
    return { events: rows.map(({ approval_id, console_header, ...r }) => ({ ...r, approvalId: approval_id, incidentId: incidentOfHeader(console_header) })), total };
  }

  /**
   * The next `limit` events of some actions in the range after (range.from, afterId), oldest
   * first: the keyset walk an evidence pack of a report is written from.
   */
  packEvents(actions: readonly string[], range: TimeRange, afterId: number, limit: number): StoredEvent[] {
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM audit_events INDEXED BY audit_events_action_ts
         WHERE action IN (${SET}) AND ts >= ? AND ts <= ? AND (ts > ? OR id > ?) ORDER BY ts ASC, id ASC LIMIT ?`,
      )
      .all(JSON.stringify(actions), range.from, range.to, range.from, afterId, limit) as Row[];
    return rows.map(fromRow);
  }

  /** Failed sign-ins in the range: the total, and counts per typed user name and per address (largest first, ties by value). */
  failedLogins(range: TimeRange, top: number): { total: number; users: number; addresses: number; topUsers: CountRow[]; topAddresses: CountRow[] } {
    // One pass over migration 10's partial index of failed sign-ins (no row is read); addresses
    // by id, their text looked up only for the few that can make the top list.
    const rows = this.db
      .prepare(`SELECT user, ip_id FROM audit_events INDEXED BY audit_events_failed_login WHERE action = 'failed-login' AND ts >= ? AND ts <= ?`)
      .raw()
      .all(range.from, range.to) as Array<[string, number | null]>;
    const byUser = new Map<string, number>();
    const byIp = new Map<number, number>();
    for (const [u, ip] of rows) {
      byUser.set(u, (byUser.get(u) ?? 0) + 1);
      byIp.set(ip ?? 0, (byIp.get(ip ?? 0) ?? 0) + 1);
    }
    const order = (a: CountRow, b: CountRow) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
    const users = [...byUser.entries()].map(([value, count]) => ({ value, count }));
    // Ties are ordered by the address text: every address with the top-th count or more is named.
    const ipCounts = [...byIp.entries()].sort((a, b) => b[1] - a[1]);
    const bar = ipCounts[Math.min(top, ipCounts.length) - 1]?.[1] ?? 0;
    const named = ipCounts.filter(([, n]) => n >= bar);
    const names = new Map<number, string>();
    for (const [id, value] of this.db.prepare(`SELECT id, value FROM audit_terms WHERE id IN (${SET})`).raw().all(JSON.stringify(named.map(([id]) => id))) as Array<[number, string]>) names.set(id, value);
    return {
      total: rows.length,
      users: users.length,
      addresses: byIp.size,
      topUsers: users.sort(order).slice(0, top),
      topAddresses: named.map(([id, count]) => ({ value: names.get(id) ?? '', count })).sort(order).slice(0, top),
    };
  }

  /** The audit log files imported into this store, with their SHA-256 (an evidence pack's sources). */
  imports(): Array<{ file: string; sha256: string | null; format: string; outcome: string; events: number; inserted: number; importedAt: string }> {
    return (
      this.db.prepare('SELECT file, sha256, format, outcome, events, inserted, imported_at FROM audit_imports ORDER BY id').all() as Array<{
        file: string;
        sha256: string | null;
        format: string;
        outcome: string;
        events: number;
        inserted: number;
        imported_at: string;
      }>
    ).map(({ imported_at, ...r }) => ({ ...r, importedAt: imported_at }));
  }
}
