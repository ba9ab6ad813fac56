// Audit at fleet scale (issue 18): a real VictoriaLogs on loopback, events generated from
// captured OpenBao output and mapped by the console's own parser. Measures:
//  - ingest rate through the forwarder (file → mapping → batched /insert/jsonline);
//  - the six standard filters and free text, p50/p95, at as many events as were loaded
//    (page of 200 newest + counts/breakdown, as the view asks);
//  - the console's RSS while paging through 1,000,000 matching events.
// BENCH_AUDIT_VLOGS=1 npm run bench runs it; sizes: BENCH_VLOGS_FORWARD_EVENTS
// (default 200,000), BENCH_VLOGS_EVENTS (total loaded, default 3,000,000), BENCH_VLOGS_BASE
// (events generated and parsed, then repeated; default 500,000), BENCH_VLOGS_DAYS (the period,
// default 365), BENCH_VLOGS_DATA_DIR (keep the data and query it again next run).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditFilter } from '../src/shared/contracts/audit';
import { SECRET_ACCESS_ACTIONS, SECRET_ACCESS_STATUSES } from '../src/shared/audit/secret-access';
import { DEFAULT_ALERT_SETTINGS, detectAlerts } from '../src/main/services/audit/alert-detector';
import { parseVaultAuditText } from '../src/main/services/audit/audit-parser';
import { eventIdOf, toEventDoc, type EventDoc } from '../src/main/services/audit-source/event-fields';
import { AuditForwarder, victoriaLogsSink } from '../src/main/services/audit-source/forwarder';
import { LogsqlClient } from '../src/main/services/audit-source/logsql-client';
import { VictoriaLogsAuditSource } from '../src/main/services/audit-source/victorialogs-source';
import { createLogger, setLogSink } from '../src/main/services/log/logger';
import { startVictoriaLogs } from '../test/services/victorialogs/victorialogs';
import { generate, writeLog } from './audit-log-generator';
import { writeResult } from './lib/results';
import { percentile } from './lib/stats';
import type { Cell } from './lib/table';

const STREAM = { vault_cluster: 'bench' };

const log = (s: string) => process.stderr.write(`[bench vlogs] ${s}\n`);

/**
 * Posts `events` event lines: `base` events generated from captured OpenBao output and mapped
 * by the console's parser, repeated. Copy k of the base lies in its own slice of the period
 * (times stretched to fill it), with its own key, id and request id.
 */
async function loadReplicated(client: LogsqlClient, o: { events: number; base: number; start: number; days: number }): Promise<number> {
  const base: EventDoc[] = [];
  let text = '';
  let n = 0;
  for (const [req, res] of generate({ events: o.base, start: o.start, seed: 8 })) {
    text += `${req}\n${res}\n`;
    if (++n % 20_000 === 0 || n === o.base) {
      for (const r of parseVaultAuditText(text).records) base.push(toEventDoc(r, STREAM));
      text = '';
    }
  }
  base.sort((a, b) => a.ts - b.ts);
  const copies = Math.ceil(o.events / base.length);
  const slice = Math.floor((o.days * 86_400_000) / copies);
  const t0 = base[0]!.ts;
  const stretch = slice / Math.max(1, base.at(-1)!.ts - t0 + 1);
  log(`base of ${base.length} mapped events, ${copies} copies of ${(slice / 3_600_000).toFixed(1)} h each`);
  const inflight = new Set<Promise<void>>();
  const post = async (body: string) => {
    const ingest = () => client.ingest(body, { _time_field: '_time', _msg_field: '_msg', _stream_fields: 'vault_cluster' });
    // A keep-alive socket the server closed: once more on a fresh one (the bench loads, it does not dedupe).
    const p = ingest().catch(ingest);
    inflight.add(p);
    await p.finally(() => inflight.delete(p));
  };
  const started = performance.now();
  let loaded = 0;
  let lines: string[] = [];
  for (let k = 0; k < copies && loaded < o.events; k++) {
    for (const b of base) {
      if (loaded >= o.events) break;
      const ts = o.start + k * slice + Math.floor((b.ts - t0) * stretch);
      const key = `${b.key}#${k}`;
      const d: EventDoc = { ...b, _time: new Date(ts).toISOString(), ts, hour: new Date(ts).getUTCHours(), key, id: eventIdOf(key) };
      if (b.request_id) d.request_id = `${b.request_id}-${k}`;
      lines.push(JSON.stringify(d));
      loaded++;
      if (lines.length === 20_000) {
        const body = `${lines.join('\n')}\n`;
        lines = [];
        if (inflight.size >= 2) await Promise.race(inflight);
        void post(body);
        if (loaded % 1_000_000 === 0) log(`  loaded ${loaded} (${((loaded * 1000) / (performance.now() - started)).toFixed(0)}/s)`);
      }
    }
  }
  if (lines.length) void post(`${lines.join('\n')}\n`);
  await Promise.all(inflight);
  return loaded;
}

export interface VlogsBenchOptions {
  forwardEvents: number;
  events: number;
  /** Events generated and mapped by the parser, then repeated up to `events`. */
  base: number;
  /** The period the events are spread over. */
  days: number;
  /** Keep VictoriaLogs' data here and query it again on the next run (no load when it holds a finished load). */
  dataDir?: string;
}

export async function benchAuditVictoriaLogs(opts: VlogsBenchOptions): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  // Each row is also logged as it is measured: a run stopped half way still reports.
  const push = (r: Cell[]) => {
    rows.push(r);
    log(r.map((c) => (typeof c === 'number' ? (Number.isNaN(c) ? '-' : c.toFixed(1)) : c)).join(' | '));
  };
  const reuse = opts.dataDir !== undefined;
  const dir = mkdtempSync(join(tmpdir(), 'vc-bench-vlogs-'));
  const dataDir = opts.dataDir ?? join(dir, 'vl');
  const vl = await startVictoriaLogs({ dataDir });
  const restoreLog = setLogSink(() => undefined);
  const client = new LogsqlClient({ url: vl.url, authHeader: async () => ({}), timeoutMs: 120_000 });
  let forwarderRate = Number.NaN;
  const fill = async (): Promise<number> => {
    // 1. Through the forwarder: a generated Vault audit log file.
    const file = join(dir, 'audit.log');
    // The period ends a day before now: VictoriaLogs drops lines more than 2 days in the future.
    const start = (Math.floor(Date.now() / 86_400_000) - opts.days - 1) * 86_400_000;
    await writeLog(file, { events: opts.forwardEvents, start, seed: 7 });
    log(`forwarding ${opts.forwardEvents} events (${(statSync(file).size / 1e6).toFixed(0)} MB log)`);
    let t = performance.now();
    const fwd = new AuditForwarder({ file, cursorPath: join(dir, 'cursor'), sink: victoriaLogsSink(client, STREAM), stream: STREAM, log: createLogger('forward'), batchEvents: 10_000 });
    const fr = await fwd.runOnce();
    await fwd.stop();
    const fwdS = (performance.now() - t) / 1000;
    forwarderRate = fr.sent / fwdS;
    push(['vlogs ingest via forwarder', fr.sent, Number.NaN, Number.NaN, Number.NaN, fr.sent / fwdS, `${fr.batches} batches, ${(statSync(file).size / 1e6 / fwdS).toFixed(0)} MB/s of log`]);
    rmSync(file);

    // 2. Load the rest. The generator and parser run at ~3,400 events/s here (50,000,000 would
    // take four hours), so a base of events generated and mapped by the console's own parser
    // is repeated: each copy spread over its own slice of the period, with fresh keys and ids.
    const rest = opts.events - fr.sent;
    t = performance.now();
    const loaded = rest > 0 ? await loadReplicated(client, { events: rest, base: Math.min(opts.base, rest), start: start + opts.forwardEvents * 11, days: opts.days }) : 0;
    await vl.flush();
    const total = loaded + fr.sent;
    push(['vlogs bulk load (base mapped, repeated)', loaded, Number.NaN, Number.NaN, Number.NaN, (loaded * 1000) / (performance.now() - t), `total ${total} events over ${opts.days} days`]);
    writeFileSync(join(dataDir, 'loaded.json'), JSON.stringify({ total }));
    return total;
  };
  try {
    const total = existsSync(join(dataDir, 'loaded.json')) ? (JSON.parse(readFileSync(join(dataDir, 'loaded.json'), 'utf8')) as { total: number }).total : await fill();
    if (reuse) log(`querying ${total} events already in ${dataDir}`);

    // 3. The six standard filters and free text.
    const source = new VictoriaLogsAuditSource({ client, stream: STREAM });
    const bounds = (await source.timeBounds())!;
    const day = (d: number) => new Date(bounds.min + d * 86_400_000).toISOString();
    const filters: { name: string; filter: AuditFilter }[] = [
      { name: 'tenant', filter: { tenant: 't-004242' } },
      { name: 'tenant+action', filter: { tenant: 't-004242', action: 'read' } },
      { name: 'user+date', filter: { user: 'admin07', from: day(0.5), to: day(1) } },
      { name: 'failed logins', filter: { action: 'failed-login' } },
      { name: 'type+date', filter: { secretType: 'dkim', from: day(1), to: day(1.2) } },
      { name: 'text', filter: { text: 't-00424' } },
      { name: 'text (broad)', filter: { text: 'smtp/admin' } },
    ];
    const perFilter: Record<string, unknown> = {};
    const all: number[] = [];
    for (const f of filters) {
      const samples: number[] = [];
      let matches = 0;
      for (let k = 0; k < 12; k++) {
        const s = performance.now();
        const [page, counts] = await Promise.all([source.page(f.filter, null, 200), source.counts(f.filter)]);
        samples.push(performance.now() - s);
        matches = counts.total;
        void page;
      }
      samples.sort((a, b) => a - b);
      all.push(...samples);
      perFilter[f.name] = { p50Ms: percentile(samples, 50), p95Ms: percentile(samples, 95), matches };
      push([`vlogs query ${f.name}`, total, percentile(samples, 50), percentile(samples, 95), percentile(samples, 99), Number.NaN, `${matches} matches (page 200 + exact counts)`]);
    }
    all.sort((a, b) => a - b);

    // 4. RSS while paging 1,000,000 matching events (newest first, pages of 2,000).
    const target = Math.min(1_000_000, total);
    // Run with --expose-gc (npm run bench does): RSS from a collected heap.
    if (global.gc) global.gc();
    const rss0 = process.memoryUsage().rss;
    let rssMax = rss0;
    let seen = 0;
    let cursor = null;
    const t = performance.now();
    while (seen < target) {
      const p = await source.page({}, cursor, 2000);
      seen += p.events.length;
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    const pageS = (performance.now() - t) / 1000;
    push(['vlogs paging 1M events (RSS)', seen, Number.NaN, Number.NaN, Number.NaN, seen / pageS, `RSS ${(rss0 / 1e6).toFixed(0)} → max ${(rssMax / 1e6).toFixed(0)} MB`]);
    // 3b. The rest of one view refresh on the default view (housekeeping hidden): the chart,
    // the facets and the alerts (last 30 days of data plus the rules' look-back, computed
    // afresh; the app reuses a computation while events stream in).
    const timed = async (name: string, n: number, work: () => Promise<string>) => {
      const samples: number[] = [];
      let note = '';
      for (let k = 0; k < n; k++) {
        const s0 = performance.now();
        note = await work();
        samples.push(performance.now() - s0);
      }
      samples.sort((a, b) => a - b);
      perFilter[name] = { p50Ms: percentile(samples, 50), p95Ms: percentile(samples, 95) };
      push([`vlogs ${name}`, total, percentile(samples, 50), percentile(samples, 95), percentile(samples, 99), Number.NaN, note]);
    };
    const view: AuditFilter = { hideHousekeeping: true };
    await timed('view page+counts', 12, async () => {
      const [, c] = await Promise.all([source.page(view, null, 500), source.counts(view)]);
      return `${c.total}${c.capped ? '+' : ''} counted`;
    });
    await timed('view chart', 6, async () => `${(await source.histogram(view)).buckets.length} buckets`);
    // A fresh source each time: the app keeps the lists 5 minutes and asks again in the background.
    await timed('view facets (uncached)', 3, async () => {
      const f = await new VictoriaLogsAuditSource({ client, stream: STREAM }).facets();
      return `${f.tenants.length} tenants, ${f.users.length} users`;
    });
    // The Incident view's blast radius: every path one identity accessed in 30 days, one stats query.
    await timed('blast radius (user, 30 days)', 6, async () => {
      const b = (await source.timeBounds())!;
      const t = await source.accessTable({ kind: 'user', values: ['admin07'] }, { from: b.max - 30 * 86_400_000, to: b.max }, SECRET_ACCESS_ACTIONS, SECRET_ACCESS_STATUSES);
      let n = 0;
      for (const c of t.counts) n += c;
      return `${t.paths.length} paths, ${n} accesses`;
    });
    await timed('alerts (30 days, fresh)', 3, async () => {
      const b = (await source.timeBounds())!;
      const input = await source.detectorInput(b.max - 31 * 86_400_000, b.max, DEFAULT_ALERT_SETTINGS);
      return `${detectAlerts(input, DEFAULT_ALERT_SETTINGS).length} alerts${input.partialSince ? `, complete since ${input.partialSince}` : ''}`;
    });

    await writeResult({
      name: `audit-victorialogs-${total}`,
      description: 'Audit view over VictoriaLogs: forwarder ingest, standard filters p50/p95, RSS while paging 1M events',
      startedAt: new Date().toISOString(),
      durationMs: 0,
      environment: { node: process.version },
      metrics: { events: total, forwarderEventsPerSecond: forwarderRate, p50Ms: percentile(all, 50), p95Ms: percentile(all, 95), perFilter, paged: seen, rssStartMb: rss0 / 1e6, rssMaxMb: rssMax / 1e6, vlDataBytes: 0 },
    });
    source.close();
  } finally {
    restoreLog();
    client.close();
    await vl.stop({ removeData: !reuse });
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** BENCH_VLOGS_FORWARD_EVENTS, BENCH_VLOGS_EVENTS, BENCH_VLOGS_BASE, BENCH_VLOGS_DAYS, BENCH_VLOGS_DATA_DIR. */
export function vlogsOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): VlogsBenchOptions {
  const n = (k: string, d: number) => Number(env[k] ?? d);
  return {
    forwardEvents: n('BENCH_VLOGS_FORWARD_EVENTS', 200_000),
    events: n('BENCH_VLOGS_EVENTS', 3_000_000),
    base: n('BENCH_VLOGS_BASE', 500_000),
    days: n('BENCH_VLOGS_DAYS', 365),
    ...(env.BENCH_VLOGS_DATA_DIR ? { dataDir: env.BENCH_VLOGS_DATA_DIR } : {}),
  };
}

if (require.main === module) {
  void import('./lib/table').then(({ renderTable }) =>
    benchAuditVictoriaLogs(vlogsOptionsFromEnv()).then(
      (rows) => process.stdout.write(renderTable(['benchmark', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'note'], rows)),
      (err: unknown) => {
        process.stderr.write(`vlogs bench failed: ${(err as Error).message}\n`);
        process.exitCode = 1;
      },
    ),
  );
}
