// Events over time by action, for the chart above the audit table, counted in SQLite
// (an aggregate, never rows sent to JavaScript). Without a tenant, type, user or text
// filter the counts come from per-minute / per-hour rollups kept by triggers
// (schema/audit-housekeeping.ts), so the chart costs the same at 10,000,000 events as
// at 1,000. With such a filter it counts the newest CHART_ROW_CAP matching events
// through the viewer's own plan (the same indexes as the table) and says from when
// it is complete. The bucket choice (chartPlan) and the assembly are shared with the
// VictoriaLogs source, which counts with `stats by (_time:<bucket>, action)`.
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
  /** rollup: exact counts from the per-minute/hour tables; events: counted over the matching events; stats: exact counts by the source (VictoriaLogs' stats). */
  source: 'rollup' | 'events' | 'stats';
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

/** The buckets a chart of [from, to] has: the same choice on every audit source. */
export interface ChartPlan {
  /** Start of the first bucket (a multiple of bucketMs since the epoch). */
  start: number;
  /** End of the last bucket (inclusive). */
  end: number;
  bucketMs: number;
  n: number;
}

/**
 * The chart's range and buckets for the filter's dates; without dates, the last
 * DEFAULT_CHART_DAYS of the data (`bounds`: the source's oldest and newest event), and at
 * least the last hour. An empty chart when there is nothing to count.
 */
export function chartPlan(fromIn: number | undefined, toIn: number | undefined, bounds: { min: number; max: number } | null): ChartPlan | { empty: AuditChartData } {
  let to = toIn;
  let from = fromIn;
  if (to === undefined || from === undefined) {
    if (!bounds) return { empty: { from: from ?? 0, to: to ?? 0, bucketMs: MINUTE_MS, source: 'rollup', partialSince: null, actions: [], buckets: [], total: 0 } };
    to ??= bounds.max;
    from ??= Math.max(bounds.min, to - DEFAULT_CHART_DAYS * DAY_MS);
  }
  if (from > to) return { empty: { from, to, bucketMs: MINUTE_MS, source: 'rollup', partialSince: null, actions: [], buckets: [], total: 0 } };
  // Without dates, at least the last hour: a few minutes of data would make one wide bar.
  if (fromIn === undefined) from = Math.min(from, to - MIN_DEFAULT_SPAN_MS);
  const width = bucketWidth(to - from);
  const start = Math.floor(from / width) * width;
  const n = Math.floor((to - start) / width) + 1;
  return { start, end: start + n * width - 1, bucketMs: width, n };
}

/** Counts per (bucket index, action) into the chart. */
export function assembleChart(plan: ChartPlan, rows: ReadonlyArray<{ b: number; action: string; n: number }>, source: AuditChartData['source'], partialSince: number | null): AuditChartData {
  const buckets: ChartBucket[] = Array.from({ length: plan.n }, (_, i) => ({ t: plan.start + i * plan.bucketMs, counts: {} }));
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
  return { from: plan.start, to: plan.end, bucketMs: plan.bucketMs, source, partialSince, actions, buckets, total };
}

export class AuditChartQueries {
  constructor(
    private readonly db: SqlDatabase,
    private readonly queries: AuditQueries,
  ) {}

  histogram(filter: AuditFilter): AuditChartData {
    const fromIn = parseFilterTime(filter.from, 'from');
    const toIn = parseFilterTime(filter.to, 'to');
    // Two statements: SQLite answers min() or max() alone from the ts index, both at once by a full scan.
    const bounds = () => {
      const min = this.db.prepare('SELECT min(ts) FROM audit_events').pluck().get() as number | null;
      const max = this.db.prepare('SELECT max(ts) FROM audit_events').pluck().get() as number | null;
      return min === null || max === null ? null : { min, max };
    };
    const plan = chartPlan(fromIn, toIn, toIn === undefined || fromIn === undefined ? bounds() : null);
    if ('empty' in plan) return plan.empty;
    const { start, end, bucketMs: width } = plan;

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
    return assembleChart(plan, rows, rollup ? 'rollup' : 'events', partialSince);
  }
}
