// VictoriaLogs as an audit source: every viewer question is one or a few LogsQL
// queries (filters, time range, free text pushed down; `stats` for counts, breakdowns
// and the alert windows), paged by a (time, id) keyset; the console never pulls a whole
// time range to count it. Events are the forwarder's lines (event-fields.ts), so they
// mean what they mean in the local store. Read-only: the one thing the console adds, an
// approval record read back from Vault, is kept beside it in memory.
import type { AlertSettings, AuditAction, AuditCursor, AuditFilter, AuditStatus } from '../../../shared/contracts/audit';
import { candidateUtcHours, type DetectorInput } from '../audit/alert-detector';
import type { ApprovalWrite } from '../audit/audit-record';
import { assembleChart, chartPlan, type AuditChartData } from '../storage/audit-chart';
import type { AccessTable, IdentityRef, TimeRange } from '../storage/audit-access-queries';
import { parseFilterTime, type StoredEvent } from '../storage/audit-repo';
import { accessStatsQuery, accessTableOf } from './access-stats';
import { detectorOrder, type AuditEventSource, type SourceCounts, type SourceHealth } from './audit-source';
import { candidateRanges, type StatsBucket } from './alert-prefilter';
import { fromEventDoc } from './event-fields';
import { ALERT_SCAN_LIMIT } from './local-source';
import { eq, eventSelector, filterQuery, isoMs, quote, streamSelector, timeRange } from './logsql';
import { SourceError, type LogsqlClient } from './logsql-client';

const FACET_LIMIT = 20_000;
/** The tenant and user lists are asked again after this long (a new tenant shows up within it). */
const FACETS_TTL_MS = 5 * 60_000;
/** Time bounds are asked at most this often (a whole-store stats query). */
const BOUNDS_TTL_MS = 10_000;
/** Cached answers over events are reused for this long (events keep arriving). */
const VERSION_MS = 10_000;
/** Pages walk time windows: the first an hour, each next one up to 8 times wider (as wide as the rate found so far says). */
const PAGE_STEP = { first: 3_600_000, widen: 8 };
/** Counts take bigger steps (a day, then 8 times wider): each window is one `stats` query. */
const COUNT_STEP = { first: 86_400_000, widen: 8 };
/** A window this wide (about 30 years) is the last: it has no far bound. */
const MAX_WINDOW_MS = 1_000 * 86_400_000;
/** A page and its counts asked together share one `stats` by day: kept this long after it answered. */
const DAY_STATS_TTL_MS = 250;
/** Counts stop here and say "at least" (the local store's cap, COUNT_CAP). */
const COUNT_CAP = 100_000;
/** ... or after this long: the rest of a count through years of free text is not worth seconds. */
const COUNT_BUDGET_MS = 500;

type Capped = StoredEvent[] & { capped?: boolean };

interface Windows {
  dir: 'desc' | 'asc';
  /** Where the walk starts (inclusive). */
  edge: number;
  /** The first window reaches step.first beyond this (the newest or oldest event there is). */
  anchor: number;
  /** The oldest (desc) or newest (asc) time there can be events; undefined: unknown. */
  far: number | undefined;
  /** The first window's reach past the anchor, and how much wider each next one is. */
  step?: { first: number; widen: number };
}

/**
 * A tenant and no free text: one of thousands, so few events, found by VictoriaLogs'
 * per-block bloom filters (a user is not: a few admins make most events, and the newest
 * window soon holds a page of theirs).
 */
function selective(f: AuditFilter): boolean {
  return !f.text && !!f.tenant;
}

/**
 * LogsQL time ranges that tile [far, edge] (desc) or [edge, far] (asc) without overlap:
 * the first reaches step.first past the anchor, each next one as wide as the rate found so
 * far says (2 to step.widen times wider); the last has no far bound, so an event that
 * arrived since the bounds were read is still found.
 */
export function* windows(w: Windows): Generator<string, void, { found: number; needed: number } | undefined> {
  const desc = w.dir === 'desc';
  let at = w.edge;
  let first = true;
  const step = w.step ?? PAGE_STEP;
  let found = 0;
  for (let width = step.first; ; ) {
    const next = desc ? Math.min(at, w.anchor) - width : Math.max(at, w.anchor) + width;
    const last = w.far === undefined || (desc ? next <= w.far : next >= w.far) || width >= MAX_WINDOW_MS;
    // Newest first, a window's far side (`>=`) takes its boundary, so the next one stops short
    // of it (`<`); oldest first, a window's far side is `<`, so the next one starts at it (`>=`).
    const near = desc ? `_time:<${first ? '=' : ''}${isoMs(at)}` : `_time:>=${isoMs(at)}`;
    const said = yield last ? near : `${near} ${desc ? `_time:>=${isoMs(next)}` : `_time:<${isoMs(next)}`}`;
    if (last) return;
    // Told how many the windows so far held and how many are still needed: the next window is
    // as wide as that rate says (a quarter more), between twice and `widen` times this one.
    const covered = Math.abs(next - (desc ? Math.min(w.edge, w.anchor) : Math.max(w.edge, w.anchor)));
    found += said?.found ?? 0;
    const byRate = said && found > 0 ? (said.needed * covered * 1.25) / found : Number.POSITIVE_INFINITY;
    width = Math.max(width * 2, Math.min(width * step.widen, byRate));
    at = next;
    first = false;
  }
}

/**
 * The first `limit` events, and any right after them with the last one's (ts, id): the
 * keyset resumes after that (ts, id), so a page must not end between two lines that share
 * it (a key forwarded twice with something else in it): the second would never be listed.
 */
function firstOf(sorted: StoredEvent[], limit: number): StoredEvent[] {
  let n = Math.min(limit, sorted.length);
  while (n > 0 && n < sorted.length && sorted[n]!.ts === sorted[n - 1]!.ts && sorted[n]!.id === sorted[n - 1]!.id) n++;
  return sorted.slice(0, n);
}

/** A write read back from Vault applies to a line only when it is that very write. */
function sameWrite(w: ApprovalWrite, line: ApprovalWrite): boolean {
  return w.approvalId === line.approvalId && w.mount === line.mount && w.version === line.version && JSON.stringify(w.policies) === JSON.stringify(line.policies);
}

export interface VictoriaLogsSourceOptions {
  client: LogsqlClient;
  /** The stream fields that select this cluster's events ({cluster="prod-eu"}). */
  stream: Readonly<Record<string, string>>;
}

export class VictoriaLogsAuditSource implements AuditEventSource {
  readonly kind = 'victorialogs' as const;
  readonly label: string;
  private last: SourceHealth;
  private bounds: { at: number; value: { min: number; max: number } | null } | null = null;
  /** Approval records read back from Vault, by event key (the source is never written). */
  private readonly readBack = new Map<string, ApprovalWrite>();
  private bump = 0;
  private dayCache: { q: string; answeredAt: number | null; value: Promise<Map<number, Record<string, number>>> } | null = null;
  private facetCache: { at: number; value: { tenants: string[]; users: string[] } } | null = null;
  private facetAsk: Promise<{ tenants: string[]; users: string[] }> | null = null;

  constructor(private readonly opts: VictoriaLogsSourceOptions) {
    const sel = streamSelector(opts.stream);
    this.label = `VictoriaLogs at ${opts.client.host}${sel ? ` ${sel}` : ''}`;
    this.last = { kind: 'victorialogs', label: this.label, state: 'ok', message: null, checkedAt: null };
  }

  private get base(): string {
    return eventSelector(this.opts.stream);
  }

  /** Every request goes through here: its outcome is the source's state. */
  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      const v = await work();
      this.last = { ...this.last, state: 'ok', message: null, checkedAt: new Date().toISOString() };
      return v;
    } catch (err) {
      if (err instanceof SourceError) this.last = { ...this.last, state: err.state, message: err.message, checkedAt: new Date().toISOString() };
      else if (err instanceof SyntaxError) {
        this.last = { ...this.last, state: 'partial', message: 'VictoriaLogs sent an answer that is not JSON lines.', checkedAt: new Date().toISOString() };
        throw new SourceError('partial', this.last.message!);
      }
      throw err;
    }
  }

  /**
   * The events among one answer's lines. The same event twice (forwarded again after a
   * lost cursor, or by an agent as well) is one event, as in the local store (one row per
   * key); a line with the same key that says something else is kept beside it, never
   * collapsed into it. Twice-forwarded lines share (ts, id), so the keyset never lists
   * the second copy on a later page either.
   */
  private events(rows: Record<string, unknown>[]): StoredEvent[] {
    const out: StoredEvent[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const e = fromEventDoc(r);
      if (!e) continue;
      const same = JSON.stringify(e);
      if (seen.has(same)) continue;
      seen.add(same);
      const w = e.approvalWrite && this.readBack.get(e.key);
      if (w && sameWrite(w, e.approvalWrite!)) e.approvalWrite = w;
      out.push(e);
    }
    return out;
  }

  /**
   * What a line's approval write may say about the record (its status and secret path):
   * only what was read back from Vault for that very write (its KV version), never what
   * the line says. Anyone who can post to /insert can write a line with any content;
   * Vault's KV version cannot be posted there. Until read back, the content is unknown
   * (the ledger then approves nothing with it, and the audit service reads it back while
   * signed in). The view and exports still show the line as it is.
   */
  private forLedger(list: Capped): Capped {
    for (const e of list) if (e.approvalWrite && !e.approvalWrite.readFromVault) e.approvalWrite = { ...e.approvalWrite, recordStatus: null, recordPath: null };
    return list;
  }

  private query(q: string): Promise<Record<string, unknown>[]> {
    return this.run(() => this.opts.client.query(q));
  }

  /**
   * Matching events per UTC day and action, one `stats` query over the filter's range; a
   * page and its counts asked together (the same question while it is on its way, or within
   * DAY_STATS_TTL_MS of its answer) ask it once.
   */
  private dayStats(q: string): Promise<Map<number, Record<string, number>>> {
    const c = this.dayCache;
    if (c && c.q === q && (c.answeredAt === null || Date.now() - c.answeredAt < DAY_STATS_TTL_MS)) return c.value;
    const value = this.query(`${q} | stats by (_time:1d, action) count() as n`).then((rows) => {
      const out = new Map<number, Record<string, number>>();
      for (const r of rows) {
        const day = Date.parse(String(r._time));
        const n = Number(r.n);
        if (typeof r.action !== 'string' || !Number.isSafeInteger(n) || !Number.isFinite(day)) throw new SourceError('partial', 'VictoriaLogs sent counts the console cannot read.');
        if (r.action === '') continue;
        const d = out.get(day) ?? {};
        d[r.action] = (d[r.action] ?? 0) + n;
        out.set(day, d);
      }
      return out;
    });
    const entry: { q: string; answeredAt: number | null; value: typeof value } = { q, answeredAt: null, value };
    this.dayCache = entry;
    value.then(
      () => {
        entry.answeredAt = Date.now();
      },
      () => {
        if (this.dayCache === entry) this.dayCache = null;
      },
    );
    return value;
  }

  /**
   * How far back from `edge` a newest-first page of `limit` reaches: to the start of the
   * newest day before edge's own day where the days since hold `limit` events (edge's own
   * day is not counted: some of its events may be newer than edge). Null when the days
   * before edge hold fewer: the walk goes on to the oldest.
   */
  private async pageReach(q: string, edge: number, limit: number): Promise<number | null> {
    const days = [...(await this.dayStats(q)).entries()].sort((a, b) => b[0] - a[0]);
    const edgeDay = Math.floor(edge / 86_400_000) * 86_400_000;
    let acc = 0;
    for (const [day, byAction] of days) {
      if (day >= edgeDay) continue;
      for (const n of Object.values(byAction)) acc += n;
      if (acc >= limit) return Math.max(1, edge - day);
    }
    return null;
  }

  /**
   * The first `limit` events of a filter in one time direction, in time windows (windows(), PAGE_STEP).
   * VictoriaLogs sorts whatever a query matches, so one query over the whole range would
   * sort every match (millions at fleet scale) to return a page; a window holds few, and
   * the walk stops as soon as the page is full. Within a millisecond the order is not yet
   * by id: callers fetch their page's edge millisecond whole and sort. Lines count
   * toward the limit whether or not they are events (fromEventDoc): `full` says the
   * limit was reached, so more may follow even when lines that disagree were left out.
   */
  private async walk(q: string, w: Windows, limit: number): Promise<{ events: StoredEvent[]; full: boolean }> {
    const out: StoredEvent[] = [];
    let lines = 0;
    const it = windows(w);
    for (let r = it.next(); !r.done; ) {
      const rows = await this.query(`${q} ${r.value} | sort by (_time${w.dir === 'desc' ? ' desc' : ''}) limit ${limit - lines}`);
      lines += rows.length;
      out.push(...this.events(rows));
      if (lines >= limit) return { events: out, full: true };
      r = it.next({ found: rows.length, needed: limit - lines });
    }
    return { events: out, full: false };
  }

  /**
   * The events of a page's edge millisecond in (ts, id) order, from at most `limit` lines.
   * When the limit cut the lines off, the events with the last line's id are left for the
   * next page: more lines with that id (a key forwarded twice, one saying something else)
   * may follow, and the keyset resumes after it.
   */
  private async edgeMillisecond(q: string, dir: 'asc' | 'desc', limit: number): Promise<StoredEvent[]> {
    const d = dir === 'desc' ? ' desc' : '';
    // Room for every event twice; four times more lines while none is whole.
    for (let n = 2 * limit + 1; ; n *= 4) {
      const rows = await this.query(`${q} | sort by (_time${d}, id${d}) limit ${n}`);
      const events = this.events(rows);
      if (rows.length < n) return events;
      const lastId = Number(rows.at(-1)!.id);
      const whole = events.filter((e) => e.id !== lastId);
      if (whole.length > 0 && Number.isSafeInteger(lastId)) return whole;
      if (n > 100_000) this.noEvents(n);
    }
  }

  /** A whole page of lines, none of them an event: the keyset cannot move past them. */
  private noEvents(limit: number): never {
    throw new SourceError('partial', `VictoriaLogs holds ${limit} lines in a row that claim to be audit events but whose fields disagree (someone other than the forwarder wrote them to /insert); nothing more is shown rather than a part.`);
  }

  async page(filter: AuditFilter, cursor: AuditCursor | null | undefined, limit: number) {
    const extra: string[] = [];
    if (cursor) extra.push(`(ts:<${cursor.ts} or (ts:=${quote(String(cursor.ts))} id:<${cursor.id}))`);
    const f = filterQuery(filter, this.opts.stream, extra);
    // Newest first from the filter's end, the cursor's time, or now.
    const w = await this.newestFirst(f, cursor ? cursor.ts : undefined);
    if (!w) return { events: [], nextCursor: null };
    // Sorting by time alone is several times cheaper than by (time, id); the events of the
    // page's oldest millisecond are then fetched whole, so the (ts, id) keyset stays exact.
    // A tenant (selective()): one `stats` by day (shared with counts) says how far back the
    // page reaches, so one window holds it instead of a walk of several.
    // Days before edge's holding fewer than a page: one window to the oldest.
    const reach = selective(filter) ? ((await this.pageReach(filterQuery(filter, this.opts.stream).q, w.edge, limit)) ?? (w.far === undefined ? null : w.edge - w.far + 1)) : null;
    const walked = await this.walk(f.q, reach === null ? w : { ...w, anchor: w.edge, step: { first: reach, widen: PAGE_STEP.widen } }, limit);
    let events = walked.events;
    events.sort((x, y) => y.ts - x.ts || y.id - x.id);
    if (walked.full) {
      if (events.length === 0) this.noEvents(limit);
      const edgeTs = events.at(-1)!.ts;
      const ties = await this.edgeMillisecond(filterQuery(filter, this.opts.stream, [...extra, `_time:=${isoMs(edgeTs)}`, `ts:=${quote(String(edgeTs))}`]).q, 'desc', limit);
      events = firstOf([...events.filter((e) => e.ts !== edgeTs), ...ties].sort((a, b) => b.ts - a.ts || b.id - a.id), limit);
      if (events.length === 0) this.noEvents(limit);
    }
    const last = events.at(-1);
    return { events, nextCursor: walked.full && last ? { ts: last.ts, id: last.id } : null };
  }

  /**
   * Counts pushed down as `stats`, newest window first, until COUNT_CAP events were counted
   * (then `capped`: "at least", as the local store says it) or COUNT_BUDGET_MS has gone by
   * (capped too: counting every match of a free-text search through years of events would
   * take seconds). The breakdown covers every event counted.
   */
  async counts(filter: AuditFilter, cap: number = COUNT_CAP): Promise<SourceCounts> {
    const f = filterQuery(filter, this.opts.stream);
    const byAction: Record<string, number> = {};
    let total = 0;
    let capped = false;
    if (selective(filter)) {
      // One `stats` over the whole range (a tenant's events are few): exact.
      for (const d of (await this.dayStats(f.q)).values()) {
        for (const [action, n] of Object.entries(d)) byAction[action] = (byAction[action] ?? 0) + n;
      }
      for (const n of Object.values(byAction)) total += n;
      return { total, capped: false, byAction, byActionOf: total };
    }
    const w = await this.newestFirst(f, undefined);
    const started = performance.now();
    for (const range of w ? windows({ ...w, step: COUNT_STEP }) : []) {
      if (total >= cap || performance.now() - started > COUNT_BUDGET_MS) {
        capped = true;
        break;
      }
      const rows = await this.query(`${f.q} ${range} | stats by (action) count() as n`);
      for (const r of rows) {
        const n = Number(r.n);
        if (typeof r.action !== 'string' || !Number.isSafeInteger(n)) throw new SourceError('partial', 'VictoriaLogs sent counts the console cannot read.');
        if (r.action !== '') byAction[r.action] = (byAction[r.action] ?? 0) + n;
        total += n;
      }
    }
    return { total, capped, byAction, byActionOf: total };
  }

  /**
   * The chart: the local chart's buckets (chartPlan), counted exactly by VictoriaLogs
   * (`stats by (_time:<bucket>, action)`; its buckets are whole multiples of the width
   * since the epoch, as chartPlan's are), never by pulling the events.
   */
  async histogram(filter: AuditFilter): Promise<AuditChartData> {
    const fromIn = parseFilterTime(filter.from, 'from');
    const toIn = parseFilterTime(filter.to, 'to');
    const plan = chartPlan(fromIn, toIn, fromIn === undefined || toIn === undefined ? await this.timeBounds() : null);
    if ('empty' in plan) return { ...plan.empty, source: 'stats' };
    const f = filterQuery({ ...filter, from: isoMs(plan.start), to: isoMs(plan.end) }, this.opts.stream);
    const rows = await this.query(`${f.q} | stats by (_time:${plan.bucketMs / 1000}s, action) count() as n`);
    const counts = rows.map((r) => {
      const t = Date.parse(String(r._time));
      const n = Number(r.n);
      const b = (t - plan.start) / plan.bucketMs;
      if (typeof r.action !== 'string' || !Number.isSafeInteger(n) || !Number.isInteger(b) || b < 0 || b >= plan.n) throw new SourceError('partial', 'VictoriaLogs sent chart counts the console cannot read.');
      return { b, action: r.action, n };
    });
    // A line without an action is not one of ours (fromEventDoc never guesses it into an event).
    return assembleChart(plan, counts.filter((c) => c.action !== ''), 'stats', null);
  }

  /**
   * Every tenant and user there is (the filter lists). Asking reads those fields of every
   * event (seconds at fleet scale), so an answer is kept FACETS_TTL_MS; an older one is
   * returned at once while a fresh one is asked in the background. The first waits.
   */
  async facets() {
    const now = Date.now();
    const c = this.facetCache;
    if (c && now - c.at < FACETS_TTL_MS) return c.value;
    const ask = (this.facetAsk ??= this.run(() => Promise.all([this.opts.client.fieldValues(this.base, 'tenant', FACET_LIMIT), this.opts.client.fieldValues(this.base, 'user', FACET_LIMIT)]))
      .then(([tenants, users]) => {
        const value = { tenants: tenants.sort(), users: users.sort() };
        this.facetCache = { at: Date.now(), value };
        return value;
      })
      .finally(() => {
        this.facetAsk = null;
      }));
    if (c) {
      // A failed background ask keeps the older lists; the next call asks again.
      ask.catch(() => undefined);
      return c.value;
    }
    return ask;
  }

  async byIds(ids: readonly number[]) {
    const clean = [...new Set(ids.filter((i) => Number.isSafeInteger(i) && i >= 0))];
    if (clean.length === 0) return [];
    const rows = await this.query(`${this.base} id:in(${clean.map((i) => quote(String(i))).join(',')}) | sort by (_time, id)`);
    return this.events(rows);
  }

  async *chunks(filter: AuditFilter, chunkSize = 5000): AsyncGenerator<StoredEvent[]> {
    let after: { ts: number; id: number } | null = null;
    // A snapshot of what matched when the walk started: events that arrive later with
    // older timestamps are not half-included.
    const started = Date.now();
    const whole = filterQuery(filter, this.opts.stream);
    const bounds = await this.timeBounds();
    if (!bounds) return;
    const end = Math.min(whole.to ?? started, started);
    for (;;) {
      const extra = [`_time:<=${isoMs(started)}`];
      if (after) extra.push(`(ts:>${after.ts} or (ts:=${quote(String(after.ts))} id:>${after.id}))`);
      const f = filterQuery(filter, this.opts.stream, extra);
      const edge = after ? after.ts : Math.max(whole.from ?? bounds.min, bounds.min);
      if (edge > end) return;
      // Oldest first in widening windows; then the chunk's newest millisecond whole, so the (ts, id) keyset stays exact.
      const walked = await this.walk(f.q, { dir: 'asc', edge, anchor: edge, far: end }, chunkSize);
      let events = walked.events;
      if (walked.full) {
        if (events.length === 0) this.noEvents(chunkSize);
        events.sort((a, b) => a.ts - b.ts || a.id - b.id);
        const edgeTs = events.at(-1)!.ts;
        const ties = await this.edgeMillisecond(filterQuery(filter, this.opts.stream, [...extra, `_time:=${isoMs(edgeTs)}`, `ts:=${quote(String(edgeTs))}`]).q, 'asc', chunkSize);
        events = firstOf([...events.filter((e) => e.ts !== edgeTs), ...ties].sort((a, b) => a.ts - b.ts || a.id - b.id), chunkSize);
        if (events.length === 0) this.noEvents(chunkSize);
      } else {
        events.sort((a, b) => a.ts - b.ts || a.id - b.id);
      }
      if (events.length === 0) return;
      yield events;
      const last = events.at(-1)!;
      after = { ts: last.ts, id: last.id };
      if (!walked.full) return;
    }
  }

  /**
   * Windows newest first: from the filter's end (or `before`, or now plus the 2 days
   * VictoriaLogs accepts ahead), the first one reaching an hour below the newest event
   * there is, back to the filter's start or the oldest event. Null: nothing can match.
   */
  private async newestFirst(f: { from: number | undefined; to: number | undefined }, before: number | undefined): Promise<Windows | null> {
    const bounds = await this.timeBounds();
    const edge = Math.min(f.to ?? Number.POSITIVE_INFINITY, before ?? Number.POSITIVE_INFINITY, Date.now() + 2 * 86_400_000);
    const far = f.from ?? bounds?.min;
    if (far !== undefined && edge < far) return null;
    // Bounds are cached for seconds: an event newer than the cached newest is still inside the first window.
    return { dir: 'desc', edge, anchor: Math.min(edge, bounds?.max ?? edge), far };
  }

  async timeBounds() {
    const now = Date.now();
    if (this.bounds && now - this.bounds.at < BOUNDS_TTL_MS) return this.bounds.value;
    // By _time (VictoriaLogs keeps it within its retention), never by a line's ts: one posted
    // line saying ts 1 would stretch the chart and the export walk back to 1970.
    const rows = await this.query(`${this.base} | stats min(_time) as lo, max(_time) as hi, count() as n`);
    const r = rows[0];
    const lo = Date.parse(String(r?.lo));
    const hi = Date.parse(String(r?.hi));
    const value = r && Number(r.n) > 0 && Number.isSafeInteger(lo) && Number.isSafeInteger(hi) ? { min: lo, max: hi } : null;
    this.bounds = { at: now, value };
    return value;
  }

  /** The blast radius as one `stats by (path, action)` query (access-stats.ts): one row per path and action, never the events. */
  async accessTable(identity: IdentityRef, range: TimeRange, actions: readonly AuditAction[], statuses: readonly AuditStatus[]): Promise<AccessTable> {
    const q = accessStatsQuery(this.opts.stream, identity, range, actions, statuses);
    if (q === null) return accessTableOf([], actions);
    return accessTableOf(await this.query(q), actions);
  }

  version(): number {
    return Math.floor(Date.now() / VERSION_MS) * 1000 + this.bump;
  }

  /** The newest `limit` events the filter selects, oldest first; capped when older ones were left out. */
  private async newest(q: string, limit = ALERT_SCAN_LIMIT): Promise<Capped> {
    const rows = await this.query(`${q} | sort by (_time desc, id desc) limit ${limit + 1}`);
    // Capped by lines (a line that is not an event still took a place in the limit).
    const capped = rows.length > limit;
    const events = this.events(capped ? rows.slice(0, limit) : rows);
    const out: Capped = detectorOrder(events);
    out.capped = capped;
    return out;
  }

  private vault(from: number, to: number, ...parts: string[]): string {
    return [this.base, timeRange(from, to), eq('source', 'vault'), ...parts].filter(Boolean).join(' ');
  }

  /**
   * Tenant secret reads, for the bulk and wide read rules, without pulling every read:
   * `stats` counts reads per identity in aligned buckets of the rule's window (distinct
   * paths for the wide rule); only identities and times where a bucket holds half the
   * threshold or more can hold a burst (a window spans at most two buckets), and only
   * their reads around those buckets are fetched. The detectors then run on exactly the
   * reads a full scan would have grouped (alert-prefilter.ts says why).
   */
  private async readCandidates(from: number, to: number, s: AlertSettings): Promise<Capped> {
    const base = this.vault(from, to, eq('action', 'read'), 'tenant:*', 'ident:*');
    const bulkW = s.bulkReadWindowSeconds * 1000;
    const wideW = 86_400_000;
    const [bulk, wide] = await Promise.all([
      this.query(`${base} | stats by (ident, _time:${s.bulkReadWindowSeconds}s) count() as n | filter n:>=${Math.ceil((s.bulkReadThreshold + 1) / 2)}`),
      this.query(`${base} status:in("ok","pending") | stats by (ident, _time:1d) count_uniq(path) as n | filter n:>=${Math.ceil((s.wideReadThreshold + 1) / 2)}`),
    ]);
    const buckets: StatsBucket[] = [];
    const take = (rows: Record<string, unknown>[], windowMs: number) => {
      for (const r of rows) {
        const start = Date.parse(String(r._time));
        if (typeof r.ident !== 'string' || !Number.isFinite(start)) throw new SourceError('partial', 'VictoriaLogs sent window counts the console cannot read.');
        buckets.push({ key: r.ident, start, windowMs });
      }
    };
    take(bulk, bulkW);
    take(wide, wideW);
    const ranges = candidateRanges(buckets, from, to);
    if (ranges.length === 0) return Object.assign([] as StoredEvent[], { capped: false });
    // One query: each identity with its time ranges (an OR of exact-identity filters).
    const clauses = ranges.map((r) => `(${eq('ident', r.key)} (${r.ranges.map(([a, b]) => timeRange(a, b)).join(' or ')}))`);
    const out: StoredEvent[] = [];
    let capped = false;
    // Bounded query size: 200 identities per query.
    for (let i = 0; i < clauses.length; i += 200) {
      const part = await this.newest(`${base} (${clauses.slice(i, i + 200).join(' or ')})`);
      capped ||= !!part.capped;
      out.push(...part);
    }
    const all: Capped = detectorOrder(out);
    all.capped = capped;
    return all;
  }

  async detectorInput(from: number, to: number, settings: AlertSettings): Promise<DetectorInput & { partialSince: string | null }> {
    const hours = candidateUtcHours(settings);
    const [failed, reads, deletes, writes, offHours, conflicts, critical, decrypts, approvalWrites, unclassified] = await Promise.all([
      this.newest(this.vault(from, to, eq('action', 'failed-login'))),
      this.readCandidates(from, to, settings),
      this.newest(this.vault(from, to, eq('action', 'delete'), 'tenant:*')),
      // Data writes to tenant secrets: ten to one secret flush its KV history (a delete without one).
      this.newest(this.vault(from, to, eq('action', 'write'), 'tenant:*')),
      hours.length ? this.newest(this.vault(from, to, 'tenant:*', `-${eq('status', 'pending')}`, `hour:in(${hours.map((h) => quote(String(h))).join(',')})`)) : Promise.resolve(Object.assign([] as StoredEvent[], { capped: false })),
      this.newest([this.base, timeRange(from, to), eq('header_conflict', '1')].join(' ')),
      this.newest(this.vault(from, to, eq('action', 'sys-critical'))),
      this.newest(this.vault(from, to, eq('action', 'decrypt'))),
      // Approvals may be older than the range: everything up to its end.
      this.newest([this.base, timeRange(undefined, to), 'approval_write:*'].join(' ')).then((l) => this.forLedger(l)),
      // Only what fromEventDoc takes for an event (a posted line whose ts, _time, key and id disagree is not one).
      this.query(`${[this.base, timeRange(from, to), eq('action', 'unclassified')].join(' ')} | sort by (_time desc, id desc) limit ${ALERT_SCAN_LIMIT} | fields id, ts, _time, key, action`).then((rows) =>
        rows.map(fromEventDoc).filter((e): e is StoredEvent => e !== null),
      ),
    ]);
    const entities = new Set<string>();
    for (const list of [reads, writes, offHours, conflicts, critical, decrypts]) for (const e of list) if (e.entityId) entities.add(e.entityId);
    const entityNames = await this.entityNames([...entities]);
    const cut = [failed, reads, deletes, writes, offHours, conflicts, critical, decrypts].filter((l) => l.capped && l.length > 0).map((l) => l[0]!.ts);
    const uTs = unclassified.map((e) => e.ts);
    return {
      failed,
      reads,
      deletes,
      writes,
      offHours,
      conflicts,
      critical,
      decrypts,
      approvalWrites,
      unclassified: { count: unclassified.length, ids: unclassified.map((e) => e.id), first: uTs.length ? Math.min(...uTs) : null, last: uTs.length ? Math.max(...uTs) : null },
      entityNames,
      partialSince: cut.length ? new Date(Math.max(...cut)).toISOString() : null,
    };
  }

  /** The name each entity last signed in with (Vault's record of successful logins). */
  private async entityNames(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const list = ids.slice(0, 10_000);
    for (let i = 0; i < list.length; i += 500) {
      const part = list.slice(i, i + 500);
      const rows = await this.query(`${this.base} ${eq('action', 'login')} entity_id:in(${part.map(quote).join(',')}) | stats by (entity_id) row_max(ts, user) as r`);
      for (const row of rows) {
        try {
          const r = JSON.parse(String(row.r)) as { user?: unknown };
          if (typeof row.entity_id === 'string' && typeof r.user === 'string' && r.user) out.set(row.entity_id, r.user);
        } catch {
          throw new SourceError('partial', 'VictoriaLogs sent login names the console cannot read.');
        }
      }
    }
    return out;
  }

  async approvalWrites(to: number, limit: number) {
    return this.forLedger(await this.newest([this.base, timeRange(undefined, to), 'approval_write:*'].join(' '), limit));
  }

  setApprovalWrite(e: StoredEvent, w: ApprovalWrite): void {
    if (this.readBack.size > 100_000) this.readBack.clear();
    this.readBack.set(e.key, w);
    this.bump++;
  }

  async check(): Promise<SourceHealth> {
    await this.run(() => this.opts.client.ping()).catch(() => undefined);
    return this.health();
  }

  health(): SourceHealth {
    return { ...this.last };
  }

  close(): void {
    this.opts.client.close();
  }
}
