// Read side of the audit store for incident response and compliance reports (issue 15):
// what one identity accessed since a time (blast radius), per-identity access totals and
// the detail of reveals / downloads, emergency resets, deletions, failed sign-ins, and the
// chunked walk an evidence pack is written from. Which actions and statuses count as an
// access is the caller's (shared/audit/secret-access.ts); this file only answers.
//
// Each query stays on an index at 10,000,000 events: identity + action + time walk
// migration 10's covering indexes (user / entity, action, ts, path_id, status) without
// reading a row; an address walks (ip_id, ts); an accessor (accessor, ts). Paths come back
// as term ids and are resolved in one query.
import type { AuditAction, AuditStatus } from '../../../shared/contracts/audit';
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
  action: string;
  count: number;
  /** Epoch ms of the first and last access in the range. */
  first: number;
  last: number;
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
  incidentId: string | null;
  ip: string;
}

export interface CountRow {
  value: string;
  count: number;
}

const SET = 'SELECT value FROM json_each(?)';

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
   * Every (path, action) an identity accessed in the range, with counts and first/last
   * times: the blast radius. Never reads a row for a user or an entity (covering index).
   */
  accessesBy(identity: IdentityRef, range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]): AccessGroup[] {
    const values = [...new Set(identity.values.filter((v) => v !== ''))];
    if (values.length === 0 || actions.length === 0 || statuses.length === 0) return [];
    const acts = JSON.stringify(actions);
    const sts = JSON.stringify(statuses);
    let rows: { path_id: number | null; action: string; n: number; first: number; last: number }[];
    const groupSql = (from: string, where: string) =>
      `SELECT path_id, action, count(*) AS n, min(ts) AS first, max(ts) AS last FROM audit_events ${from}
       WHERE ${where} AND action IN (${SET}) AND ts >= ? AND ts <= ? AND status IN (${SET}) GROUP BY path_id, action`;
    switch (identity.kind) {
      case 'user':
        rows = this.db.prepare(groupSql('INDEXED BY audit_events_user_access', `user IN (${SET})`)).all(JSON.stringify(values), acts, range.from, range.to, sts) as typeof rows;
        break;
      case 'entity':
        rows = this.db
          .prepare(groupSql('INDEXED BY audit_events_entity_access', `entity_id IS NOT NULL AND entity_id IN (${SET})`))
          .all(JSON.stringify(values), acts, range.from, range.to, sts) as typeof rows;
        break;
      case 'accessor':
        rows = this.db
          .prepare(groupSql('INDEXED BY audit_events_accessor_ts', `accessor IS NOT NULL AND accessor IN (${SET})`))
          .all(JSON.stringify(values), acts, range.from, range.to, sts) as typeof rows;
        break;
      case 'address': {
        const ipIds = this.db.prepare(`SELECT id FROM audit_terms WHERE kind = ? AND value IN (${SET})`).pluck().all(TERM_KIND.ip, JSON.stringify(values)) as number[];
        if (ipIds.length === 0) return [];
        rows = this.db.prepare(groupSql('INDEXED BY audit_events_ip_ts', `ip_id IN (${SET})`)).all(JSON.stringify(ipIds), acts, range.from, range.to, sts) as typeof rows;
        break;
      }
    }
    const paths = this.paths(rows.map((r) => r.path_id).filter((x): x is number => x !== null));
    return rows
      .filter((r) => r.path_id !== null && paths.has(r.path_id))
      .map((r) => ({ path: paths.get(r.path_id!)!, action: r.action, count: r.n, first: r.first, last: r.last }));
  }

  /** Users with at least one event (from the term dictionary: no scan), sorted. */
  users(): string[] {
    return this.db.prepare('SELECT value FROM audit_terms WHERE kind = ? ORDER BY value').pluck().all(TERM_KIND.user) as string[];
  }

  /**
   * Access totals of one user in the range, per (path, action), from the covering index
   * alone (compliance reports ask this for every user).
   */
  accessTotalsOfUser(user: string, range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]): Array<{ pathId: number; action: string; count: number }> {
    const rows = this.db
      .prepare(
        `SELECT path_id, action, count(*) AS n FROM audit_events INDEXED BY audit_events_user_access
         WHERE user = ? AND action IN (${SET}) AND ts >= ? AND ts <= ? AND status IN (${SET}) AND path_id IS NOT NULL GROUP BY path_id, action`,
      )
      .all(user, JSON.stringify(actions), range.from, range.to, JSON.stringify(statuses)) as { path_id: number; action: string; n: number }[];
    return rows.map((r) => ({ pathId: r.path_id, action: r.action, count: r.n }));
  }

  /**
   * Accesses of the given actions grouped by (user, path, action, incident), with counts and
   * first/last times (the report's "who revealed or downloaded which secret, under which incident").
   */
  accessDetail(range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]): Array<{ user: string; path: string; action: string; incidentId: string | null; count: number; first: number; last: number }> {
    if (actions.length === 0) return [];
    return (
      this.db
        .prepare(
          `SELECT user, path, action, incident_id, count(*) AS n, min(ts) AS first, max(ts) AS last FROM audit_events INDEXED BY audit_events_action_ts
           WHERE action IN (${SET}) AND ts >= ? AND ts <= ? AND status IN (${SET})
           GROUP BY user, path, action, incident_id ORDER BY user, path, action, incident_id`,
        )
        .all(JSON.stringify(actions), range.from, range.to, JSON.stringify(statuses)) as { user: string; path: string; action: string; incident_id: string | null; n: number; first: number; last: number }[]
    ).map((r) => ({ user: r.user, path: r.path, action: r.action, incidentId: r.incident_id, count: r.n, first: r.first, last: r.last }));
  }

  /** Events of some actions in the range, oldest first, at most `limit` (+ whether more were left out). */
  eventsOf(actions: readonly AuditAction[], range: TimeRange, limit: number): { events: ActionEventRow[]; total: number } {
    const total = this.db
      .prepare(`SELECT count(*) FROM audit_events INDEXED BY audit_events_action_ts WHERE action IN (${SET}) AND ts >= ? AND ts <= ?`)
      .pluck()
      .get(JSON.stringify(actions), range.from, range.to) as number;
    const rows = this.db
      .prepare(
        `SELECT id, ts, action, user, tenant, path, status, source, approval_id, incident_id, ip FROM audit_events INDEXED BY audit_events_action_ts
         WHERE action IN (${SET}) AND ts >= ? AND ts <= ? ORDER BY ts ASC, id ASC LIMIT ?`,
      )
      .all(JSON.stringify(actions), range.from, range.to, limit) as Array<Omit<ActionEventRow, 'approvalId' | 'incidentId'> & { approval_id: string | null; incident_id: string | null }>;
    return { events: rows.map(({ approval_id, incident_id, ...r }) => ({ ...r, approvalId: approval_id, incidentId: incident_id })), total };
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
    const byUser = this.db
      .prepare(`SELECT user AS value, count(*) AS count FROM audit_events INDEXED BY audit_events_action_ts WHERE action = 'failed-login' AND ts >= ? AND ts <= ? GROUP BY user`)
      .all(range.from, range.to) as CountRow[];
    const byIp = this.db
      .prepare(`SELECT ip AS value, count(*) AS count FROM audit_events INDEXED BY audit_events_action_ts WHERE action = 'failed-login' AND ts >= ? AND ts <= ? GROUP BY ip`)
      .all(range.from, range.to) as CountRow[];
    const order = (a: CountRow, b: CountRow) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
    return {
      total: byUser.reduce((s, r) => s + r.count, 0),
      users: byUser.length,
      addresses: byIp.length,
      topUsers: byUser.sort(order).slice(0, top),
      topAddresses: byIp.sort(order).slice(0, top),
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
