// The blast-radius table (storage/audit-access-queries.ts accessTable: every path one
// identity accessed in a range, counts per action, first and last time) as one LogsQL
// `stats` query: VictoriaLogs counts, the console receives one row per (path, action),
// never the events. Same meaning as the local store's: the identity's values exactly as
// the event lines hold them (user names case-folded by the caller, as the local store
// holds them), inclusive time bounds, the actions and statuses the caller asks for
// (shared/audit/secret-access.ts decides them), events without a path left out.
import type { AuditAction, AuditStatus } from '../../../shared/contracts/audit';
import type { AccessTable, IdentityKind, IdentityRef, TimeRange } from '../storage/audit-access-queries';
import { eventSelector, quote, timeRange } from './logsql';
import { SourceError } from './logsql-client';

/** The event line's field (event-fields.ts) each identity kind is matched on. */
const IDENTITY_FIELD: Record<IdentityKind, string> = { user: 'user', entity: 'entity_id', address: 'ip', accessor: 'accessor' };

function inList(field: string, values: readonly string[]): string {
  return `${field}:in(${values.map(quote).join(',')})`;
}

/** The stats query; null when nothing can match (no value, no action, no status, an empty range). */
export function accessStatsQuery(stream: Readonly<Record<string, string>>, identity: IdentityRef, range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]): string | null {
  const values = [...new Set(identity.values.filter((v) => v !== ''))];
  if (values.length === 0 || actions.length === 0 || statuses.length === 0 || range.from > range.to) return null;
  const parts = [
    eventSelector(stream),
    timeRange(range.from, range.to),
    inList(IDENTITY_FIELD[identity.kind], values),
    inList('action', [...new Set(actions)]),
    inList('status', [...new Set(statuses)]),
    // An empty field is absent on the line: "path:*" is "has a path" (the store's path_id IS NOT NULL).
    'path:*',
    // A line whose ts is outside the range is no event of it (the table refuses such lines).
    `ts:range[${range.from}, ${range.to}]`,
  ].filter(Boolean);
  // Events, not lines: a line forwarded or posted twice is one event (the store keeps one row per
  // key; count_uniq_hash keeps 8 bytes per key). First and last are the lines' _time, which the
  // range bounds and the event list orders by: a ts that disagrees with it cannot move them.
  return `${parts.join(' ')} | stats by (path, action) count_uniq_hash(key) as n, min(_time) as first, max(_time) as last`;
}

/** The stats rows as the local store's table: sorted by path, counts in the order of `actions`. */
export function accessTableOf(rows: readonly Record<string, unknown>[], actions: readonly AuditAction[]): AccessTable {
  const na = actions.length;
  const pos = new Map<string, number>(actions.map((a, i) => [a, i]));
  const byPath = new Map<string, { first: number; last: number; counts: number[] }>();
  for (const r of rows) {
    const n = Number(r.n);
    const first = typeof r.first === 'string' ? Date.parse(r.first) : Number.NaN;
    const last = typeof r.last === 'string' ? Date.parse(r.last) : Number.NaN;
    const i = typeof r.action === 'string' ? pos.get(r.action) : undefined;
    if (typeof r.path !== 'string' || r.path === '' || i === undefined || !Number.isSafeInteger(n) || n <= 0 || !Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first > last) {
      throw new SourceError('partial', 'VictoriaLogs sent access counts the console cannot read.');
    }
    let g = byPath.get(r.path);
    if (!g) byPath.set(r.path, (g = { first, last, counts: new Array<number>(na).fill(0) }));
    else {
      if (first < g.first) g.first = first;
      if (last > g.last) g.last = last;
    }
    g.counts[i]! += n;
  }
  const paths = [...byPath.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const t: AccessTable = { paths, first: new Float64Array(paths.length), last: new Float64Array(paths.length), counts: new Float64Array(paths.length * na), actions: na };
  paths.forEach((p, k) => {
    const g = byPath.get(p)!;
    t.first[k] = g.first;
    t.last[k] = g.last;
    for (let a = 0; a < na; a++) t.counts[k * na + a] = g.counts[a]!;
  });
  return t;
}
