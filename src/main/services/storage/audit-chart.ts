// Events over time by action, for the chart above the audit table, counted in SQLite
// (an aggregate, never rows sent to JavaScript). Without a tenant, type, user or text
// filter the counts come from per-minute / per-hour rollups kept by triggers
// (schema/audit-housekeeping.ts), so the chart costs the same at 10,000,000 events as
// at 1,000. With such a filter it counts the newest CHART_ROW_CAP matching events
// through the viewer's own plan (the same indexes as the table) and says from when
// it is complete.
import type { AuditFilter } from '../../../shared/contracts/audit';
import { parseFilterTime, type AuditQueries } from './audit-query';
import type { SqlDatabase } from './database';
import { HOUR_MS, MINUTE_MS } from './schema/audit-housekeeping';

const DAY_MS = 86_400_000;
/** Bucket widths the chart may use, smallest first; a range gets the smallest that fits MAX_BUCKETS. */
const STEPS = [1, 2, 5, 10, 15, 30].map((m) => m * MINUTE_MS).concat([1, 2, 3, 6, 12].map((h) => h * HOUR_MS), [1, 2, 7, 14, 30, 91, 182, 365].map((d) => d * DAY_MS));
export const MAX_BUCKETS = 72;
/** Filtered charts count at most this many of the newest matching events. */
export const CHART_ROW_CAP = 20_000;
/** Without dates: the last 30 days of data. */
export const DEFAULT_CHART_DAYS = 30;
const MIN_DEFAULT_SPAN_MS = HOUR_MS;

export interface ChartBucket {
  /** Start of the bucket, ms since the epoch (UTC). */
  t: number;
  counts: Record<string, number>;
}

export interface AuditChartData {
  from: number;
  to: number;
  bucketMs: number;
  /** rollup: exact counts from the per-minute/hour tables; events: counted over the matching events. */
  source: 'rollup' | 'events';
  /** Set when a filtered count stopped at CHART_ROW_CAP: buckets before this time are not counted. */
  partialSince: number | null;
  /** Actions present, most events first. */
  actions: string[];
  buckets: ChartBucket[];
  total: number;
}

export function bucketWidth(spanMs: number): number {
  for (const w of STEPS) if (Math.floor(spanMs / w) + 1 <= MAX_BUCKETS) return w;
  return STEPS.at(-1)!;
}

export class AuditChartQueries {
  constructor(
    private readonly db: SqlDatabase,
    private readonly queries: AuditQueries,
  ) {}

  histogram(filter: AuditFilter): AuditChartData {
    const fromIn = parseFilterTime(filter.from, 'from');
    const toIn = parseFilterTime(filter.to, 'to');
    let to = toIn;
    let from = fromIn;
    if (to === undefined || from === undefined) {
      // Two statements: SQLite answers min() or max() alone from the ts index, both at once by a full scan.
      const b = {
        min: this.db.prepare('SELECT min(ts) FROM audit_events').pluck().get() as number | null,
        max: this.db.prepare('SELECT max(ts) FROM audit_events').pluck().get() as number | null,
      };
      if (b.max === null || b.min === null) return { from: from ?? 0, to: to ?? 0, bucketMs: MINUTE_MS, source: 'rollup', partialSince: null, actions: [], buckets: [], total: 0 };
      to ??= b.max;
      from ??= Math.max(b.min, to - DEFAULT_CHART_DAYS * DAY_MS);
    }
    if (from > to) return { from, to, bucketMs: MINUTE_MS, source: 'rollup', partialSince: null, actions: [], buckets: [], total: 0 };
    // Without dates, at least the last hour: a few minutes of data would make one wide bar.
    if (fromIn === undefined) from = Math.min(from, to - MIN_DEFAULT_SPAN_MS);
    const width = bucketWidth(to - from);
    const start = Math.floor(from / width) * width;
    const n = Math.floor((to - start) / width) + 1;
    const end = start + n * width - 1;

    const rollup = !filter.tenant && !filter.secretType && !filter.user && !filter.text;
    let rows: Array<{ b: number; action: string; n: number; first?: number }>;
    let partialSince: number | null = null;
    if (rollup) {
      const hourly = width % HOUR_MS === 0;
      const unit = hourly ? HOUR_MS : MINUTE_MS;
      const conds = ['slot >= ?', 'slot <= ?'];
      const params: unknown[] = [start, width, Math.floor(start / unit), Math.floor(end / unit)];
      if (filter.hideHousekeeping) conds.push('housekeeping = 0');
      if (filter.action) {
        conds.push('action = ?');
        params.push(filter.action);
      }
      // Bound numbers may arrive as REAL: the bucket is cast to an integer (ts ≥ start, so it floors).
      rows = this.db
        .prepare(`SELECT CAST((slot * ${unit} - ?) / ? AS INTEGER) AS b, action, sum(n) AS n FROM ${hourly ? 'audit_rollup_hour' : 'audit_rollup_minute'} WHERE ${conds.join(' AND ')} GROUP BY b, action HAVING sum(n) > 0`)
        .all(...params) as typeof rows;
    } else {
      const sel = this.queries.selection({ ...filter, from: new Date(start).toISOString(), to: new Date(end).toISOString() });
      if (sel.empty) rows = [];
      else {
        rows = this.db
          .prepare(
            `SELECT CAST((ts - ?) / ? AS INTEGER) AS b, action, count(*) AS n, min(ts) AS first FROM (
               SELECT ts, action FROM audit_events${sel.hint} WHERE ${sel.where.sql} ORDER BY ts DESC, id DESC LIMIT ?)
             GROUP BY b, action`,
          )
          .all(start, width, ...sel.where.params, CHART_ROW_CAP) as typeof rows;
        const counted = rows.reduce((s, r) => s + r.n, 0);
        if (counted >= CHART_ROW_CAP) partialSince = Math.min(...rows.map((r) => r.first!));
      }
    }

    const buckets: ChartBucket[] = Array.from({ length: n }, (_, i) => ({ t: start + i * width, counts: {} }));
    const totals = new Map<string, number>();
    let total = 0;
    for (const r of rows) {
      const bucket = buckets[r.b];
      if (!bucket || r.n <= 0) continue;
      bucket.counts[r.action] = (bucket.counts[r.action] ?? 0) + r.n;
      totals.set(r.action, (totals.get(r.action) ?? 0) + r.n);
      total += r.n;
    }
    const actions = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([a]) => a);
    return { from: start, to: end, bucketMs: width, source: rollup ? 'rollup' : 'events', partialSince, actions, buckets, total };
  }
}
