// The inventory benchmarks on one seeded server (seeding 10,000 tenants takes minutes,
// so every case reuses it). From bench/run.ts after its seed step, or on its own:
//   BENCH_VAULT_ADDR=… BENCH_VAULT_TOKEN=… BENCH_INVENTORY_MOUNT=tenants npx tsx bench/inventory-run.ts
// or with no BENCH_VAULT_ADDR: a fresh OpenBao seeded with BENCH_INVENTORY_TENANTS (10,000).
import { loadavg } from 'node:os';
import { connectionFromEnv } from '../src/main/services/config/app-config';
import { seedTenants } from '../src/main/services/seed/seeder';
import { createVaultClient, type VaultClient } from '../src/main/services/vault/vault-client';
import { startOpenBao } from '../test/services/openbao/openbao';
import { benchKeystrokes, benchServiceSearch } from './inventory-search';
import { changeOnePercent, consoleSync, openIndex, plainScript, removeIndex, type SyncRun } from './inventory-sync';
import { environment, writeResult } from './lib/results';
import { summarize } from './lib/stats';
import { renderTable, type Cell } from './lib/table';

const log = (m: string) => process.stderr.write(`[bench:inventory] ${m}\n`);

export async function benchInventory(client: VaultClient, mount: string, opts: { vaultAddr: string; token: string; env: Record<string, string | number> }): Promise<Cell[][]> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  // The machine is shared: the load says how much of the 2 cores this run really had.
  const loadAtStart = loadavg();
  const runs: SyncRun[] = [];
  log(`plain script over ${mount} (sequential; takes a few minutes)`);
  const plain = await plainScript(client, mount);
  runs.push(plain);
  log(`plain script: ${(plain.durationMs / 1000).toFixed(1)} s`);

  const plainIdx = openIndex(client, mount, 'plain', 16);
  const fullPlain = await consoleSync(plainIdx, 'full', 'console full sync, c=16');
  runs.push(fullPlain);
  removeIndex(plainIdx);
  log(`console full (plain strategy): ${(fullPlain.durationMs / 1000).toFixed(1)} s`);

  const idx = openIndex(client, mount, 'auto', 16);
  const full = await consoleSync(idx, 'full', 'console full sync, c=16');
  runs.push(full);
  log(`console full (auto strategy): ${(full.durationMs / 1000).toFixed(1)} s`);
  const noChange = await consoleSync(idx, 'incremental', 'incremental, nothing changed');
  runs.push(noChange);
  const ids = idx.service.search({ query: '', type: 'all', sort: 'tenantId', dir: 'asc', offset: 0, limit: 1000 }).rows.map((r) => r.tenantId);
  const all: string[] = [];
  for (let off = 0; off < idx.service.state().tenants; off += 1000) {
    all.push(...idx.service.search({ query: '', type: 'all', sort: 'tenantId', dir: 'asc', offset: off, limit: 1000 }).rows.map((r) => r.tenantId));
  }
  const changed = await changeOnePercent(client, mount, all.length ? all : ids);
  const inc = await consoleSync(idx, 'incremental', `incremental after ${changed.length} tenants (1 %) changed`);
  runs.push(inc);
  log(`incremental after 1 %: ${(inc.durationMs / 1000).toFixed(1)} s, ${inc.scanned} rescanned`);

  log('service search latency');
  const search = benchServiceSearch(idx.service);
  log('keystroke → rendered rows in the harness (Chromium)');
  const words = ['gmbh', 'müller', 'sakura', 'mail', 't-0042', '203.0.113.', '10.1', 'bau', 'tech', 'nord', 'example', '198.51.100.', 'süd', 'logistik'];
  // Signing in through the page needs the OS keychain: run under test/services/keyring/with-keyring.sh.
  const keys = process.env.DBUS_SESSION_BUS_ADDRESS
    ? await benchKeystrokes({ vaultAddr: opts.vaultAddr, token: opts.token, mount, dataDir: idx.dir, words })
    : { stats: summarize([]), keystrokes: 0, skipped: 'no D-Bus session (keychain); run under with-keyring.sh' };
  removeIndex(idx);

  const ratioFull = plain.durationMs / full.durationMs;
  const ratioInc = inc.durationMs / full.durationMs;
  const ratioIncPlain = inc.durationMs / fullPlain.durationMs;
  await writeResult({
    name: 'inventory-sync',
    description: `inventory sync of ${full.tenants} tenants: plain sequential script vs console full sync vs incremental after 1 % changed`,
    startedAt,
    durationMs: performance.now() - started,
    environment: opts.env,
    metrics: { loadAverage: { start: loadAtStart, end: loadavg() }, runs, speedupFullVsPlainScript: ratioFull, incrementalOverFull: ratioInc, incrementalOverFullPlainStrategy: ratioIncPlain, changedTenants: changed.length },
  });
  await writeResult({
    name: 'inventory-search',
    description: `inventory search/filter/sort latency over ${full.tenants} tenants: service (SQLite) and keystroke → rendered rows (harness, Chromium)`,
    startedAt,
    durationMs: performance.now() - started,
    environment: opts.env,
    metrics: { loadAverage: { start: loadAtStart, end: loadavg() }, service: search, keystrokeToRendered: keys },
  });
  const rows: Cell[][] = runs.map((r) => [r.label, r.tenants, Number.NaN, Number.NaN, Number.NaN, r.requestsPerSecond, `${(r.durationMs / 1000).toFixed(1)} s, ${r.requests} requests${r.scanned !== undefined ? `, ${r.scanned} rescanned` : ''}`]);
  rows.push(['inventory: ratios', full.tenants, Number.NaN, Number.NaN, Number.NaN, Number.NaN, `full sync ${ratioFull.toFixed(1)}× faster than the script; incremental(1 %) = ${(ratioInc * 100).toFixed(1)} % of full (${(ratioIncPlain * 100).toFixed(1)} % of full/plain)`]);
  rows.push(['inventory: service search', search.stats.count, search.stats.p50Ms, search.stats.p95Ms, search.stats.p99Ms, search.stats.opsPerSecond, `${search.queries} distinct queries`]);
  rows.push(['inventory: keystroke→rows', keys.stats.count, keys.stats.p50Ms, keys.stats.p95Ms, keys.stats.p99Ms, Number.NaN, 'skipped' in keys ? keys.skipped : 'harness, Chromium, rAF after render']);
  rows.push(['inventory: load average', Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, `start ${loadAtStart.map((l) => l.toFixed(1)).join('/')}, end ${loadavg().map((l) => l.toFixed(1)).join('/')} (2 cores, shared)`]);
  return rows;
}

/**
 * Against BENCH_VAULT_ADDR/BENCH_VAULT_TOKEN (a server already seeded), or, without them,
 * a fresh OpenBao seeded here with BENCH_INVENTORY_TENANTS tenants (default 10,000; ~3 min).
 */
async function main(): Promise<void> {
  let addr = process.env.BENCH_VAULT_ADDR;
  let token = process.env.BENCH_VAULT_TOKEN;
  let mount = process.env.BENCH_INVENTORY_MOUNT ?? 'tenants';
  let bao: Awaited<ReturnType<typeof startOpenBao>> | null = null;
  if (!addr || !token) {
    bao = await startOpenBao();
    addr = bao.addr;
    token = bao.rootToken;
    mount = bao.kvMount;
  }
  const client = createVaultClient(connectionFromEnv({ VAULT_ADDR: addr }), token);
  try {
    if (bao) {
      const n = Number(process.env.BENCH_INVENTORY_TENANTS ?? 10_000);
      log(`seeding ${n} tenants into ${mount} (with change stamps in ${mount}-stamps)`);
      const r = await seedTenants({ client, mount, count: n, concurrency: 16, seed: 'bench-inventory', logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } });
      log(`seeded in ${(r.durationMs / 1000).toFixed(0)} s`);
    }
    const health = await client.request<{ version?: string }>('GET', 'sys/health');
    const env = environment({ version: health.version ?? 'unknown', storage: 'raft (single node, file audit device)' });
    const rows = await benchInventory(client, mount, { vaultAddr: addr, token, env });
    process.stdout.write(`\n${renderTable(['benchmark', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'notes'], rows)}\n\n`);
  } finally {
    client.close();
    await bao?.stop({ removeData: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`[bench:inventory] failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
