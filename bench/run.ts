// `npm run bench`: starts a real OpenBao (raft storage, audit device on, as in the
// integration tests), runs every benchmark, prints a table and writes
// bench/results/<name>.json. Sizes can be lowered for a quick run:
//   BENCH_SEED_SIZES=1000 BENCH_KV_OPS=500 npm run bench
// BENCH_VAULT_ADDR + BENCH_VAULT_TOKEN point it at an already running server instead.
import { createKvV2Mount } from '../src/main/services/vault/kv';
import { stampsMountOf } from '../src/main/services/vault/tenant-stamps';
import { startOpenBao, type OpenBaoInstance } from '../test/services/openbao/openbao';
import { connectionFromEnv } from '../src/main/services/config/app-config';
import { createVaultClient } from '../src/main/services/vault/vault-client';
import { benchAudit } from './audit-ingest';
import { benchAuditVictoriaLogs, vlogsOptionsFromEnv } from './audit-victorialogs';
import { benchBackup } from './backup-throughput';
import { benchDkimKeygen } from './dkim-keygen';
import { benchHealthRefresh } from './health-refresh';
import { benchIncidentCompliance } from './incident-compliance';
import { benchInventory } from './inventory-run';
import { benchKvLatency } from './kv-latency';
import { benchRotation } from './rotation-throughput';
import { benchSeed } from './seed-throughput';
import { benchWatch } from './watch';
import { environment, writeResult } from './lib/results';
import { renderTable, type Cell } from './lib/table';

function sizes(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
}

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);


async function main(): Promise<void> {
  const seedSizes = sizes('BENCH_SEED_SIZES', [1000, 10000]);
  const kvOps = sizes('BENCH_KV_OPS', [2000])[0]!;
  const concurrency = sizes('BENCH_SEED_CONCURRENCY', [16])[0]!;
  const dkimPool = Number(process.env.BENCH_DKIM_POOL ?? 32);

  let bao: OpenBaoInstance | undefined;
  let addr = process.env.BENCH_VAULT_ADDR;
  let token = process.env.BENCH_VAULT_TOKEN;
  let storage = 'external';
  if (!addr || !token) {
    log('starting OpenBao…');
    bao = await startOpenBao();
    addr = bao.addr;
    token = bao.rootToken;
    storage = 'raft (single node, file audit device)';
    log(`OpenBao ${bao.version} at ${addr}`);
  }
  const client = createVaultClient(connectionFromEnv({ VAULT_ADDR: addr }), token);
  const health = await client.request<{ version?: string }>('GET', 'sys/health');
  const env = environment({ version: health.version ?? 'unknown', storage });
  const rows: Cell[][] = [];
  try {
    const dkimN = sizes('BENCH_DKIM_KEYS', [40])[0]!;
    log(`DKIM RSA-2048 generation: ${dkimN} keys sequential, ${dkimN} on the thread pool`);
    let t = performance.now();
    const dk = await benchDkimKeygen(dkimN);
    await writeResult({ name: 'dkim-keygen', description: 'RSA-2048 DKIM key generation, sync vs libuv thread pool', startedAt: new Date().toISOString(), durationMs: performance.now() - t, environment: env, metrics: { ...dk } });
    rows.push(['dkim keygen (sync)', dk.sync.count, dk.sync.p50Ms, dk.sync.p95Ms, dk.sync.p99Ms, dk.sync.opsPerSecond, '']);
    rows.push(['dkim keygen (pool x4)', dk.parallel.keys, Number.NaN, Number.NaN, Number.NaN, dk.parallel.keysPerSecond, `unique keys for 10k tenants ≈ ${dk.uniqueKeysFor10kTenantsSeconds.toFixed(0)} s`]);

    const healthN = sizes('BENCH_HEALTH_REFRESHES', [300])[0]!;
    log(`health dashboard: ${healthN} full refreshes signed in, ${healthN} signed out`);
    t = performance.now();
    const anonClient = createVaultClient(connectionFromEnv({ VAULT_ADDR: addr }));
    anonClient.setToken(undefined);
    const hr = await benchHealthRefresh(anonClient, client, healthN).finally(() => anonClient.close());
    await writeResult({ name: 'health-refresh', description: 'Full health dashboard refresh (every card) via HealthService.snapshot, loopback', startedAt: new Date().toISOString(), durationMs: performance.now() - t, environment: env, metrics: { ...hr } });
    rows.push(['health refresh (signed in)', hr.signedIn.count, hr.signedIn.p50Ms, hr.signedIn.p95Ms, hr.signedIn.p99Ms, hr.signedIn.opsPerSecond, `every card; storage via ${hr.storageMethod}; target p95 <= ${hr.targetP95Ms} ms`]);
    rows.push(['health refresh (signed out)', hr.signedOut.count, hr.signedOut.p50Ms, hr.signedOut.p95Ms, hr.signedOut.p99Ms, hr.signedOut.opsPerSecond, 'unauthenticated cards only']);

    const kvMount = `bench-kv-${Date.now()}`;
    await createKvV2Mount(client, kvMount);
    log(`KV latency: ${kvOps} sequential writes, reads, metadata reads`);
    t = performance.now();
    const kv = await benchKvLatency(client, kvMount, kvOps);
    await writeResult({ name: 'kv-latency', description: 'KV v2 sequential op latency via the console client', startedAt: new Date().toISOString(), durationMs: performance.now() - t, environment: env, metrics: { ...kv } });
    for (const [op, s] of [['kv write', kv.write], ['kv read', kv.read], ['kv metadata read', kv.metadataRead]] as const) {
      rows.push([op, s.count, s.p50Ms, s.p95Ms, s.p99Ms, s.opsPerSecond, '']);
    }

    let inventoryMount = '';
    for (const n of seedSizes) {
      const mount = `bench-seed-${n}-${Date.now()}`;
      if (n === Math.max(...seedSizes)) inventoryMount = mount;
      await createKvV2Mount(client, mount);
      // Its change-stamp mount (docs/vault-layout.md): the seeder stamps every tenant.
      await createKvV2Mount(client, stampsMountOf(mount));
      log(`seeding ${n} tenants into ${mount} (concurrency ${concurrency}, DKIM pool ${dkimPool})`);
      t = performance.now();
      const step = Math.max(1, Math.floor(n / 10));
      const r = await benchSeed(client, mount, {
        tenants: n,
        concurrency,
        dkimPoolSize: dkimPool,
        onProgress: (done, total) => {
          if (done % step === 0) log(`  ${done}/${total} (${((done * 1000) / (performance.now() - t)).toFixed(1)}/s)`);
        },
      });
      await writeResult({ name: `seed-${n}`, description: `seedTenants throughput, ${n} tenants, fresh mount`, startedAt: new Date().toISOString(), durationMs: performance.now() - t, environment: env, metrics: { ...r } });
      rows.push([`seed ${n} tenants`, n, Number.NaN, Number.NaN, Number.NaN, r.tenantsPerSecond, `${(r.durationMs / 1000).toFixed(1)} s, ${r.secretsPerSecond.toFixed(0)} secrets/s, re-run (all skipped) ${(r.rerunMs / 1000).toFixed(2)} s`]);
    }

    // Inventory: reuses the largest seeded mount (10,000 tenants by default).
    if (inventoryMount) rows.push(...(await benchInventory(client, inventoryMount, { vaultAddr: addr, token, env })));

    // The ops-host watcher: seal to page (own OpenBao), /metrics with the largest mount indexed, idle cost.
    if (inventoryMount && process.env.BENCH_WATCH !== '0') {
      log('watch: seal to page, /metrics scrape, idle CPU and RSS');
      rows.push(...(await benchWatch({ addr, token, kvMount: inventoryMount, tenants: Math.max(...seedSizes), env })));
    }

    log('rotation throughput (console job vs plain script vs raw ceiling), full-tenant rotation, event-loop lag');
    rows.push(...(await benchRotation({ addr, token, tenants: sizes('BENCH_ROTATION_TENANTS', [1000])[0]!, env })));

    log('backup and restore throughput (raft snapshot and logical)');
    rows.push(...(await benchBackup({ addr, token, tenants: sizes('BENCH_BACKUP_TENANTS', [10_000])[0]!, env })));

    // Audit ingest + filtered queries (generated from captured OpenBao output; no Vault calls).
    log('audit ingest and query');
    rows.push(...(await benchAudit({ ingestEvents: sizes('BENCH_AUDIT_INGEST_EVENTS', [300_000])[0]!, queryEvents: sizes('BENCH_AUDIT_QUERY_EVENTS', [10_000_000])[0]! })));

    // Incident response, evidence packs, SOC 2 report (issue 15): generated events, no Vault calls.
    log('incident blast radius, evidence packs, SOC 2 report');
    rows.push(
      ...(await benchIncidentCompliance({
        events: sizes('BENCH_INCIDENT_EVENTS', [10_000_000])[0]!,
        tenants: sizes('BENCH_SOC2_TENANTS', [10_000])[0]!,
        evidenceEvents: sizes('BENCH_EVIDENCE_EVENTS', [1_000_000])[0]!,
      })),
    );
    // The same audit view over VictoriaLogs (issue 18); opt-in: it loads millions of events.
    if (process.env.BENCH_AUDIT_VLOGS === '1') {
      log('audit over VictoriaLogs: forwarder ingest, standard filters, RSS while paging 1M events');
      rows.push(...(await benchAuditVictoriaLogs(vlogsOptionsFromEnv())));
    }
  } finally {
    client.close();
    await bao?.stop({ removeData: true });
  }
  process.stdout.write(`\n${renderTable(['benchmark', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'notes'], rows)}\n\n`);
  process.stdout.write(`environment: ${JSON.stringify(env)}\nresults: bench/results/*.json\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
