// Rotation against the real OpenBao, in the same run on the same seeded tenants:
//  (1) ceilings, with the same lean HTTP path the console uses and no console logic: raw
//      concurrent KV v2 data writes (one write per op); raw concurrent PAIRS of the writes a
//      rotation needs (data write + custom_metadata PATCH of the same secret); and TRIPLES
//      (the pair + the tenant's change stamp, which the console also writes once per tenant);
//  (2) a plain sequential node-vault script doing what a rotation does (read, CAS write,
//      metadata write);
//  (3) the console's bulk job (RotationService: preview, SQLite journal, check-and-set,
//      metadata PATCH, one change stamp per tenant, bounded concurrency).
// For each: wall-clock rate, and CPU per operation of this process and (standalone) of the
// OpenBao process, which does not depend on what else the machine is running.
// Then a full rotation of one tenant (every secret, DKIM RSA-2048 included) for p95, and the
// event-loop delay (perf_hooks) during the job and the DKIM work.
// Standalone: `npx tsx bench/rotation-throughput.ts` (starts its own OpenBao).
import { createKvV2Mount } from '../src/main/services/vault/kv';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import nodeVault from 'node-vault';
import { connectionFromEnv } from '../src/main/services/config/app-config';
import { DATABASE_FILE } from '../src/main/services/container';
import { generateSmtpPassword } from '../src/main/services/keys';
import type { JobSummary } from '../src/shared/contracts/rotation';
import { kvRequest } from '../src/main/services/rotation/kv-http';
import { DEFAULT_CONCURRENCY, RotationService } from '../src/main/services/rotation/rotation-service';
import { seedTenants } from '../src/main/services/seed/seeder';
import { openDatabase } from '../src/main/services/storage/database';
import { RotationRepo } from '../src/main/services/storage/rotation-repo';
import { systemClock } from '../src/main/services/time/clock';
import { stampsMountOf } from '../src/main/services/vault/tenant-stamps';
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

/** CPU milliseconds used so far by a process (Linux /proc; 0 elsewhere or without a pid). */
function processCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 10 ms ticks
  } catch {
    return 0;
  }
}

interface Measured {
  ms: number;
  perSecond: number;
  /** CPU per op of this process (client) and of OpenBao (NaN when its pid is unknown). */
  clientCpuMsPerOp: number;
  vaultCpuMsPerOp: number;
}

async function measure(ops: number, baoPid: number | undefined, fn: () => Promise<void>): Promise<Measured> {
  const c0 = process.cpuUsage();
  const b0 = processCpuMs(baoPid);
  const t = performance.now();
  await fn();
  const ms = performance.now() - t;
  const c = process.cpuUsage(c0);
  return {
    ms,
    perSecond: (ops * 1000) / ms,
    clientCpuMsPerOp: (c.user + c.system) / 1000 / ops,
    vaultCpuMsPerOp: baoPid ? (processCpuMs(baoPid) - b0) / ops : Number.NaN,
  };
}

function cpuNote(m: Measured): string {
  return `cpu/op: client ${m.clientCpuMsPerOp.toFixed(2)} ms${Number.isNaN(m.vaultCpuMsPerOp) ? '' : `, OpenBao ${m.vaultCpuMsPerOp.toFixed(2)} ms`}`;
}

async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
}

export async function benchRotation(opts: { addr: string; token: string; tenants: number; env: Record<string, string | number>; baoPid?: number }): Promise<Cell[][]> {
  const client = createVaultClient(connectionFromEnv({ VAULT_ADDR: opts.addr }), opts.token);
  const rows: Cell[][] = [];
  const n = opts.tenants;
  const mount = `bench-rot-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-rot-'));
  try {
    await createKvV2Mount(client, mount);
    // As in production (README): the companion mount of tenant change stamps.
    await createKvV2Mount(client, stampsMountOf(mount));
    log(`rotation: seeding ${n} tenants into ${mount}`);
    await seedTenants({ client, mount, count: n, concurrency: 16, seed: 'bench-rot', dkimPoolSize: 8, logger: quiet });
    const ids = Array.from({ length: n }, (_, i) => `t-${String(i + 1).padStart(6, '0')}`);

    // (1) Ceilings, same HTTP path as the console, no console logic, 32 in flight.
    const payload = { username: 'admin@bench.example.com', password: 'x'.repeat(32), webmail_url: 'https://mail.bench.example.com' };
    const single = await measure(n, opts.baoPid, () =>
      pool(n, 32, async (i) => {
        await kvRequest(client, 'POST', `${mount}/data/ceiling/${ids[i]}`, { data: payload });
      }),
    );
    log(`  raw single-write ceiling: ${single.perSecond.toFixed(0)} writes/s (${cpuNote(single)})`);
    // The writes a rotation needs, on the very secrets the rotations below write, with the
    // same fields: the new version (data: the secret plus who/when/why) and the rotation
    // state (the custom_metadata PATCH a console rotation sends), one after the other.
    const pairs = await measure(n, opts.baoPid, () =>
      pool(n, 32, async (i) => {
        const rel = `${ids[i]}/smtp/admin`;
        const now = new Date().toISOString();
        const why = { rotated_at: now, rotated_by: 'bench', rotation_reason: 'ceiling', rotation_id: `ceiling:${i}`, rotation_job: 'ceiling' };
        await kvRequest(client, 'POST', `${mount}/data/${rel}`, { data: { ...payload, ...why } });
        await kvRequest(client, 'PATCH', `${mount}/metadata/${rel}`, {
          custom_metadata: { type: 'smtp', source: 'console', status: 'active', last_rotated: now, next_rotation: now, rotation_days: '180', rotated_by: 'bench', rotation_reason: 'ceiling', rotation_id: `ceiling:${i}`, rotation_incident: null, rotation_job: 'ceiling', emergency_reset_at: null, grace_until: null, previous_status: null },
        });
      }),
    );
    log(`  raw write-pair ceiling: ${pairs.perSecond.toFixed(0)} pairs/s (${cpuNote(pairs)})`);
    // The console also writes each tenant's change stamp once per job (docs/vault-layout.md),
    // a third write per SMTP rotation: the same pairs plus that stamp, for an exact comparison.
    const triples = await measure(n, opts.baoPid, () =>
      pool(n, 32, async (i) => {
        const rel = `${ids[i]}/smtp/admin`;
        const now = new Date().toISOString();
        await kvRequest(client, 'POST', `${mount}/data/${rel}`, { data: { ...payload, rotated_at: now, rotated_by: 'bench', rotation_reason: 'ceiling', rotation_id: `ceiling3:${i}`, rotation_job: 'ceiling' } });
        await kvRequest(client, 'PATCH', `${mount}/metadata/${rel}`, {
          custom_metadata: { type: 'smtp', source: 'console', status: 'active', last_rotated: now, next_rotation: now, rotation_days: '180', rotated_by: 'bench', rotation_reason: 'ceiling', rotation_id: `ceiling3:${i}`, rotation_incident: null, rotation_job: 'ceiling', emergency_reset_at: null, grace_until: null, previous_status: null },
        });
        await kvRequest(client, 'POST', `${stampsMountOf(mount)}/metadata/${ids[i]}`, { custom_metadata: { changed_at: now } });
      }),
    );
    log(`  raw write-triple ceiling: ${triples.perSecond.toFixed(0)} triples/s (${cpuNote(triples)})`);

    // (2) A plain sequential node-vault script: read, CAS write, metadata write per tenant.
    const vault = nodeVault({ apiVersion: 'v1', endpoint: opts.addr, token: opts.token });
    const scriptM = await measure(n, opts.baoPid, async () => {
      for (const id of ids) {
        const cur = (await vault.read(`${mount}/data/${id}/smtp/admin`)) as { data: { data: Record<string, unknown>; metadata: { version: number; custom_metadata: Record<string, string> | null } } };
        const now = new Date().toISOString();
        await vault.write(`${mount}/data/${id}/smtp/admin`, { options: { cas: cur.data.metadata.version }, data: { ...cur.data.data, password: generateSmtpPassword(), rotated_at: now } });
        await vault.write(`${mount}/metadata/${id}/smtp/admin`, { custom_metadata: { ...(cur.data.metadata.custom_metadata ?? {}), last_rotated: now } });
      }
    });
    const script = scriptM.perSecond;
    log(`  plain sequential script: ${script.toFixed(0)} rotations/s (${cpuNote(scriptM)})`);

    // (3) The console's bulk job.
    const db = openDatabase(join(dir, DATABASE_FILE));
    const service = new RotationService({ repo: new RotationRepo(db), clock: systemClock, client: () => client, mount: () => mount, actor: () => 'bench', logger: quiet, progressEveryMs: 250 });
    const concurrency = Number(process.env.BENCH_ROTATION_CONCURRENCY ?? DEFAULT_CONCURRENCY);
    const t0 = performance.now();
    const p = await service.preview({ mode: 'all', type: 'smtp' });
    const previewMs = performance.now() - t0;
    const stopLag = lagMonitor();
    const job = { end: null as JobSummary | null };
    const jobM = await measure(n, opts.baoPid, async () => {
      const started = await service.start(p.previewId, p.confirmPhrase, 'bench', concurrency);
      job.end = await service.wait(started.id);
    });
    const jobMs = jobM.ms;
    const jobLag = stopLag();
    if (!job.end || job.end.done !== n) throw new Error(`bench job ended ${job.end?.status ?? '?'} with ${job.end?.done ?? 0}/${n} done`);
    const consoleRate = jobM.perSecond;
    const ceiling = single.perSecond;
    log(`  console job: ${consoleRate.toFixed(0)} rotations/s (concurrency ${concurrency}, ${cpuNote(jobM)}), event-loop p99 ${jobLag.p99Ms.toFixed(1)} ms`);

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
      loadAverage1m: loadavg()[0],
      rawWriteCeilingPerSecond: ceiling,
      rawWriteCeiling: single,
      rawWritePairCeilingPerSecond: pairs.perSecond,
      rawWritePairCeiling: pairs,
      rawWriteTripleCeilingPerSecond: triples.perSecond,
      rawWriteTripleCeiling: triples,
      plainScriptRotationsPerSecond: script,
      plainScriptMs: scriptM.ms,
      plainScript: scriptM,
      consoleRotationsPerSecond: consoleRate,
      consoleJobMs: jobMs,
      consoleJob: jobM,
      consolePreviewMs: previewMs,
      consoleConcurrency: concurrency,
      requestsPerConsoleRotation: '1 data PATCH with check-and-set on the version the preview listed (no read) + 1 metadata PATCH + 1 change stamp per tenant at the end of the job; SQLite outcomes in one transaction per 100 ms',
      speedupVsScript: consoleRate / script,
      fractionOfCeiling: consoleRate / ceiling,
      fractionOfPairCeiling: consoleRate / pairs.perSecond,
      fractionOfTripleCeiling: consoleRate / triples.perSecond,
      eventLoopDuringJob: jobLag,
      fullTenantRotation: full,
      eventLoopDuringFullRotations: fullLag,
    };
    await writeResult({ name: 'rotation-throughput', description: `Rotate ${n} tenants' SMTP credentials (console job vs plain sequential node-vault script vs raw single-write and write-pair ceilings), full-tenant rotation p95, event-loop lag`, startedAt: new Date().toISOString(), durationMs: scriptM.ms + jobMs + single.ms + pairs.ms + triples.ms, environment: opts.env, metrics });
    rows.push([`raw KV write ceiling (c=32)`, n, Number.NaN, Number.NaN, Number.NaN, ceiling, `${(single.ms / 1000).toFixed(2)} s, 1 data write per op; ${cpuNote(single)}`]);
    rows.push([`raw write-pair ceiling (c=32)`, n, Number.NaN, Number.NaN, Number.NaN, pairs.perSecond, `${(pairs.ms / 1000).toFixed(2)} s, data write + metadata PATCH per op; ${cpuNote(pairs)}`]);
    rows.push([`raw write-triple ceiling (c=32)`, n, Number.NaN, Number.NaN, Number.NaN, triples.perSecond, `${(triples.ms / 1000).toFixed(2)} s, pair + tenant change stamp per op; ${cpuNote(triples)}`]);
    rows.push([`rotate ${n} SMTP: plain script`, n, Number.NaN, Number.NaN, Number.NaN, script, `${(scriptM.ms / 1000).toFixed(2)} s sequential node-vault; ${cpuNote(scriptM)}`]);
    rows.push([`rotate ${n} SMTP: console job`, n, Number.NaN, Number.NaN, Number.NaN, consoleRate, `${(jobMs / 1000).toFixed(2)} s, c=${concurrency}, ${(consoleRate / script).toFixed(1)}x script, ${((consoleRate / pairs.perSecond) * 100).toFixed(0)}% of pair ceiling, ${((consoleRate / triples.perSecond) * 100).toFixed(0)}% of triple ceiling, ${((consoleRate / ceiling) * 100).toFixed(0)}% of single-write ceiling; ${cpuNote(jobM)}; loop lag p99 ${jobLag.p99Ms.toFixed(1)} ms`]);
    rows.push([`full rotation of one tenant`, full.count, full.p50Ms, full.p95Ms, full.p99Ms, Number.NaN, `all secrets incl. DKIM RSA-2048; loop lag p99 ${fullLag.p99Ms.toFixed(1)} ms, max ${fullLag.maxMs.toFixed(0)} ms`]);
    return rows;
  } finally {
    await client.request('DELETE', `sys/mounts/${mount}`).catch(() => undefined);
    await client.request('DELETE', `sys/mounts/${stampsMountOf(mount)}`).catch(() => undefined);
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('rotation-throughput.ts')) {
  void (async () => {
    const bao = await startOpenBao();
    try {
      const env = environment({ version: bao.version, storage: 'raft (single node, file audit device)' });
      const rows = await benchRotation({ addr: bao.addr, token: bao.rootToken, tenants: Number(process.env.BENCH_ROTATION_TENANTS ?? 1000), env, baoPid: bao.pid });
      process.stdout.write(`\n${renderTable(['benchmark', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'notes'], rows)}\n`);
    } finally {
      await bao.stop({ removeData: true });
    }
  })().catch((err: unknown) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
