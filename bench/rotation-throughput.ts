// Rotation against the real OpenBao, three ways in the same run on the same 1,000 seeded
// tenants: (1) the raw KV v2 write throughput the server sustains here (concurrent
// writes, no reads: the ceiling), (2) a plain sequential node-vault script doing what a
// rotation does (read, CAS write, metadata write), (3) the console's bulk job
// (RotationService: SQLite bookkeeping, CAS, metadata PATCH, change stamp, bounded
// concurrency). Then a full rotation of one tenant (every secret, DKIM RSA-2048
// included) for p95, and the event-loop delay (perf_hooks) during the job and the DKIM work.
// Standalone: `npx tsx bench/rotation-throughput.ts` (starts its own OpenBao).
import { createKvV2Mount } from '../src/main/services/vault/kv';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import nodeVault from 'node-vault';
import { connectionFromEnv } from '../src/main/services/config/app-config';
import { DATABASE_FILE } from '../src/main/services/container';
import { generateSmtpPassword } from '../src/main/services/keys';
import { RotationService } from '../src/main/services/rotation/rotation-service';
import { seedTenants } from '../src/main/services/seed/seeder';
import { openDatabase } from '../src/main/services/storage/database';
import { RotationRepo } from '../src/main/services/storage/rotation-repo';
import { systemClock } from '../src/main/services/time/clock';
import { createVaultClient } from '../src/main/services/vault/vault-client';
import { startOpenBao } from '../test/services/openbao/openbao';
import { environment, writeResult } from './lib/results';
import { summarize } from './lib/stats';
import { renderTable, type Cell } from './lib/table';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);


function lagMonitor() {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return () => {
    h.disable();
    return { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
  };
}

async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
}

export async function benchRotation(opts: { addr: string; token: string; tenants: number; env: Record<string, string | number> }): Promise<Cell[][]> {
  const client = createVaultClient(connectionFromEnv({ VAULT_ADDR: opts.addr }), opts.token);
  const rows: Cell[][] = [];
  const n = opts.tenants;
  const mount = `bench-rot-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-rot-'));
  try {
    await createKvV2Mount(client, mount);
    log(`rotation: seeding ${n} tenants into ${mount}`);
    await seedTenants({ client, mount, count: n, concurrency: 16, seed: 'bench-rot', dkimPoolSize: 8, logger: quiet });
    const ids = Array.from({ length: n }, (_, i) => `t-${String(i + 1).padStart(6, '0')}`);

    // (1) Ceiling: raw concurrent KV v2 writes of an SMTP-sized record, no read, no CAS.
    const payload = { username: 'admin@bench.example.com', password: 'x'.repeat(32), webmail_url: 'https://mail.bench.example.com' };
    let t = performance.now();
    await pool(n, 32, async (i) => {
      await client.request('POST', `${mount}/data/ceiling/${ids[i]}`, { data: payload });
    });
    const ceilingMs = performance.now() - t;
    const ceiling = (n * 1000) / ceilingMs;
    log(`  raw write ceiling: ${ceiling.toFixed(0)} writes/s`);

    // (2) A plain sequential node-vault script: read, CAS write, metadata write per tenant.
    const vault = nodeVault({ apiVersion: 'v1', endpoint: opts.addr, token: opts.token });
    t = performance.now();
    for (const id of ids) {
      const cur = (await vault.read(`${mount}/data/${id}/smtp/admin`)) as { data: { data: Record<string, unknown>; metadata: { version: number; custom_metadata: Record<string, string> | null } } };
      const now = new Date().toISOString();
      await vault.write(`${mount}/data/${id}/smtp/admin`, { options: { cas: cur.data.metadata.version }, data: { ...cur.data.data, password: generateSmtpPassword(), rotated_at: now } });
      await vault.write(`${mount}/metadata/${id}/smtp/admin`, { custom_metadata: { ...(cur.data.metadata.custom_metadata ?? {}), last_rotated: now } });
    }
    const scriptMs = performance.now() - t;
    const script = (n * 1000) / scriptMs;
    log(`  plain sequential script: ${script.toFixed(0)} rotations/s`);

    // (3) The console's bulk job.
    const db = openDatabase(join(dir, DATABASE_FILE));
    const service = new RotationService({ repo: new RotationRepo(db), clock: systemClock, client: () => client, mount: () => mount, actor: () => 'bench', logger: quiet, progressEveryMs: 250 });
    const concurrency = Number(process.env.BENCH_ROTATION_CONCURRENCY ?? 16);
    t = performance.now();
    const p = await service.preview({ mode: 'all', type: 'smtp' });
    const previewMs = performance.now() - t;
    const stopLag = lagMonitor();
    t = performance.now();
    const job = service.start(p.previewId, p.confirmPhrase, 'bench', concurrency);
    const end = await service.wait(job.id);
    const jobMs = performance.now() - t;
    const jobLag = stopLag();
    if (end.done !== n) throw new Error(`bench job ended ${end.status} with ${end.done}/${n} done`);
    const consoleRate = (n * 1000) / jobMs;
    log(`  console job: ${consoleRate.toFixed(0)} rotations/s (concurrency ${concurrency}), event-loop p99 ${jobLag.p99Ms.toFixed(1)} ms`);

    // Full rotation of one tenant: every secret (2 SSH, SMTP, API keys, DKIM with RSA-2048), concurrently.
    const sample = Number(process.env.BENCH_ROTATION_FULL_TENANTS ?? 20);
    const perTenant: number[] = [];
    const stopLag2 = lagMonitor();
    for (const id of ids.slice(0, sample)) {
      const targets = ['ssh-admin', 'ssh-tenant', 'smtp'];
      for (const k of (await client.request<{ data?: { keys?: string[] } }>('LIST', `${mount}/metadata/${id}/api`)).data?.keys ?? []) targets.push(`api:${k}`);
      for (const k of (await client.request<{ data?: { keys?: string[] } }>('LIST', `${mount}/metadata/${id}/dkim`)).data?.keys ?? []) targets.push(`dkim:${k}`);
      const t0 = performance.now();
      await Promise.all(targets.map((x) => service.rotateOne(id, x, 'bench full rotation').catch((err: { code?: string }) => {
        if (err.code !== 'CONFLICT') throw err; // revoked API keys are refused by design
      })));
      perTenant.push(performance.now() - t0);
    }
    const fullLag = stopLag2();
    const full = summarize(perTenant);
    db.close();

    const metrics = {
      tenants: n,
      rawWriteCeilingPerSecond: ceiling,
      plainScriptRotationsPerSecond: script,
      plainScriptMs: scriptMs,
      consoleRotationsPerSecond: consoleRate,
      consoleJobMs: jobMs,
      consolePreviewMs: previewMs,
      consoleConcurrency: concurrency,
      requestsPerConsoleRotation: '1 read + 1 CAS write + 2 metadata PATCH (secret, tenant change stamp) + 2 SQLite updates',
      speedupVsScript: consoleRate / script,
      fractionOfCeiling: consoleRate / ceiling,
      eventLoopDuringJob: jobLag,
      fullTenantRotation: full,
      eventLoopDuringFullRotations: fullLag,
    };
    await writeResult({ name: 'rotation-throughput', description: `Rotate ${n} tenants' SMTP credentials (console job vs plain sequential node-vault script vs raw write ceiling), full-tenant rotation p95, event-loop lag`, startedAt: new Date().toISOString(), durationMs: scriptMs + jobMs + ceilingMs, environment: opts.env, metrics });
    rows.push([`raw KV write ceiling (c=32)`, n, Number.NaN, Number.NaN, Number.NaN, ceiling, `${(ceilingMs / 1000).toFixed(2)} s`]);
    rows.push([`rotate ${n} SMTP: plain script`, n, Number.NaN, Number.NaN, Number.NaN, script, `${(scriptMs / 1000).toFixed(2)} s sequential node-vault`]);
    rows.push([`rotate ${n} SMTP: console job`, n, Number.NaN, Number.NaN, Number.NaN, consoleRate, `${(jobMs / 1000).toFixed(2)} s, c=${concurrency}, ${(consoleRate / script).toFixed(1)}x script, ${((consoleRate / ceiling) * 100).toFixed(0)}% of raw ceiling; loop lag p99 ${jobLag.p99Ms.toFixed(1)} ms`]);
    rows.push([`full rotation of one tenant`, full.count, full.p50Ms, full.p95Ms, full.p99Ms, Number.NaN, `all secrets incl. DKIM RSA-2048; loop lag p99 ${fullLag.p99Ms.toFixed(1)} ms, max ${fullLag.maxMs.toFixed(0)} ms`]);
    return rows;
  } finally {
    await client.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('rotation-throughput.ts')) {
  void (async () => {
    const bao = await startOpenBao();
    try {
      const env = environment({ version: bao.version, storage: 'raft (single node, file audit device)' });
      const rows = await benchRotation({ addr: bao.addr, token: bao.rootToken, tenants: Number(process.env.BENCH_ROTATION_TENANTS ?? 1000), env });
      process.stdout.write(`\n${renderTable(['benchmark', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'notes'], rows)}\n`);
    } finally {
      await bao.stop({ removeData: true });
    }
  })().catch((err: unknown) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
