// Audit at fleet scale (issue 18): a real VictoriaLogs on loopback, events generated from
// captured OpenBao output and mapped by the console's own parser. Measures:
//  - ingest rate through the forwarder (file → mapping → batched /insert/jsonline);
//  - the six standard filters and free text, p50/p95, at as many events as were loaded
//    (page of 200 newest + counts/breakdown, as the view asks);
//  - the console's RSS while paging through 1,000,000 matching events.
// BENCH_AUDIT_VLOGS=1 npm run bench runs it; sizes: BENCH_VLOGS_FORWARD_EVENTS
// (default 200,000), BENCH_VLOGS_EVENTS (total loaded, default 3,000,000).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditFilter } from '../src/shared/contracts/audit';
import { parseVaultAuditText } from '../src/main/services/audit/audit-parser';
import { toEventDoc } from '../src/main/services/audit-source/event-fields';
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

export async function benchAuditVictoriaLogs(opts: { forwardEvents: number; events: number }): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  // Each row is also logged as it is measured: a run stopped half way still reports.
  const push = (r: Cell[]) => {
    rows.push(r);
    log(r.map((c) => (typeof c === 'number' ? (Number.isNaN(c) ? '-' : c.toFixed(1)) : c)).join(' | '));
  };
  const dir = mkdtempSync(join(tmpdir(), 'vc-bench-vlogs-'));
  const vl = await startVictoriaLogs({ dataDir: join(dir, 'vl') });
  const restoreLog = setLogSink(() => undefined);
  const client = new LogsqlClient({ url: vl.url, authHeader: async () => ({}), timeoutMs: 120_000 });
  try {
    // 1. Through the forwarder: a generated Vault audit log file.
    const file = join(dir, 'audit.log');
    const start = Date.UTC(2026, 0, 1);
    await writeLog(file, { events: opts.forwardEvents, start, seed: 7 });
    log(`forwarding ${opts.forwardEvents} events (${(statSync(file).size / 1e6).toFixed(0)} MB log)`);
    let t = performance.now();
    const fwd = new AuditForwarder({ file, cursorPath: join(dir, 'cursor'), sink: victoriaLogsSink(client, STREAM), stream: STREAM, log: createLogger('forward'), batchEvents: 10_000 });
    const fr = await fwd.runOnce();
    await fwd.stop();
    const fwdS = (performance.now() - t) / 1000;
    push(['vlogs ingest via forwarder', fr.sent, Number.NaN, Number.NaN, Number.NaN, fr.sent / fwdS, `${fr.batches} batches, ${(statSync(file).size / 1e6 / fwdS).toFixed(0)} MB/s of log`]);
    rmSync(file);

    // 2. Load the rest: the same generator and mapping, posted in parallel batches.
    const rest = opts.events - fr.sent;
    t = performance.now();
    let loaded = 0;
    const inflight = new Set<Promise<void>>();
    let lines: string[] = [];
    const post = async (body: string) => {
      const ingest = () => client.ingest(body, { _time_field: '_time', _msg_field: '_msg', _stream_fields: 'vault_cluster' });
      // A keep-alive socket the server closed: once more on a fresh one (the bench loads, it does not dedupe).
      const p = ingest().catch(ingest);
      inflight.add(p);
      await p.finally(() => inflight.delete(p));
    };
    let text = '';
    let n = 0;
    for (const [req, res] of generate({ events: rest, start: start + opts.forwardEvents * 11, seed: 8 })) {
      text += `${req}\n${res}\n`;
      if (++n % 20_000 === 0 || n === rest) {
        for (const r of parseVaultAuditText(text).records) lines.push(JSON.stringify(toEventDoc(r, STREAM)));
        text = '';
        const body = `${lines.join('\n')}\n`;
        loaded += lines.length;
        lines = [];
        if (inflight.size >= 2) await Promise.race(inflight);
        void post(body);
        if (n % 500_000 === 0) log(`  loaded ${loaded + fr.sent} (${((loaded * 1000) / (performance.now() - t)).toFixed(0)}/s)`);
      }
    }
    await Promise.all(inflight);
    await vl.flush();
    const total = loaded + fr.sent;
    push(['vlogs bulk load (mapping + post)', loaded, Number.NaN, Number.NaN, Number.NaN, (loaded * 1000) / (performance.now() - t), `total ${total} events`]);

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
    if (global.gc) global.gc();
    const rss0 = process.memoryUsage().rss;
    let rssMax = rss0;
    let seen = 0;
    let cursor = null;
    t = performance.now();
    while (seen < target) {
      const p = await source.page({}, cursor, 2000);
      seen += p.events.length;
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    const pageS = (performance.now() - t) / 1000;
    push(['vlogs paging 1M events (RSS)', seen, Number.NaN, Number.NaN, Number.NaN, seen / pageS, `RSS ${(rss0 / 1e6).toFixed(0)} → max ${(rssMax / 1e6).toFixed(0)} MB`]);
    await writeResult({
      name: `audit-victorialogs-${total}`,
      description: 'Audit view over VictoriaLogs: forwarder ingest, standard filters p50/p95, RSS while paging 1M events',
      startedAt: new Date().toISOString(),
      durationMs: 0,
      environment: { node: process.version },
      metrics: { events: total, forwarderEventsPerSecond: fr.sent / fwdS, p50Ms: percentile(all, 50), p95Ms: percentile(all, 95), perFilter, paged: seen, rssStartMb: rss0 / 1e6, rssMaxMb: rssMax / 1e6, vlDataBytes: 0 },
    });
    source.close();
  } finally {
    restoreLog();
    client.close();
    await vl.stop({ removeData: true });
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (require.main === module) {
  const n = (k: string, d: number) => Number(process.env[k] ?? d);
  void import('./lib/table').then(({ renderTable }) =>
    benchAuditVictoriaLogs({ forwardEvents: n('BENCH_VLOGS_FORWARD_EVENTS', 200_000), events: n('BENCH_VLOGS_EVENTS', 3_000_000) }).then(
      (rows) => process.stdout.write(renderTable(['benchmark', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'note'], rows)),
      (err: unknown) => {
        process.stderr.write(`vlogs bench failed: ${(err as Error).message}\n`);
        process.exitCode = 1;
      },
    ),
  );
}
