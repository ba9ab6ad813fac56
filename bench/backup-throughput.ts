// Backup and restore throughput (MB/s) for a Vault seeded with 10,000 tenants, and
// the process's peak memory while streaming: raft snapshot and logical backups go
// through the real encrypt → multipart-upload path to a real S3 server, restores
// through verify-then-apply. Memory is sampled every 20 ms; "flat" means the peak
// growth stays far below the size of the data streamed.
// Standalone: `npx tsx bench/backup-throughput.ts` (BENCH_BACKUP_TENANTS=N to resize).
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { BackupService } from '../src/main/services/backup/backup-service';
import type { BackupConfig } from '../src/main/services/backup/backup-config';
import { connectionFromEnv } from '../src/main/services/config/app-config';
import { setLogSink } from '../src/main/services/log/logger';
import { seedTenants } from '../src/main/services/seed/seeder';
import { BackupRepo } from '../src/main/services/storage/backup-repo';
import { openDatabase } from '../src/main/services/storage/database';
import { systemClock } from '../src/main/services/time/clock';
import { createVaultClient, type VaultClient } from '../src/main/services/vault/vault-client';
import { startOpenBao, type OpenBaoInstance } from '../test/services/openbao/openbao';
import { startS3, type S3Instance } from '../test/services/s3/s3-server';
import { environment, writeResult } from './lib/results';
import { renderTable, type Cell } from './lib/table';

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const MB = 1024 * 1024;

interface MemWatch {
  stop(): { peakRssMB: number; peakHeapMB: number; peakExternalMB: number };
}

function watchMemory(): MemWatch {
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  let ext = base.external + base.arrayBuffers;
  const t = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
    ext = Math.max(ext, m.external + m.arrayBuffers);
  }, 20);
  return {
    stop() {
      clearInterval(t);
      return { peakRssMB: (rss - base.rss) / MB, peakHeapMB: (heap - base.heapUsed) / MB, peakExternalMB: (ext - base.external - base.arrayBuffers) / MB };
    },
  };
}

interface Phase {
  name: string;
  bytes: number;
  items: number;
  seconds: number;
  mbPerSecond: number;
  peakRssGrowthMB: number;
  peakHeapGrowthMB: number;
  peakExternalGrowthMB: number;
}

async function measure(name: string, fn: () => Promise<{ bytes: number; items?: number }>): Promise<Phase> {
  (globalThis as { gc?: () => void }).gc?.();
  const w = watchMemory();
  const t = performance.now();
  const r = await fn();
  const seconds = (performance.now() - t) / 1000;
  const m = w.stop();
  const p = {
    name,
    bytes: r.bytes,
    items: r.items ?? 0,
    seconds,
    mbPerSecond: r.bytes / MB / seconds,
    peakRssGrowthMB: m.peakRssMB,
    peakHeapGrowthMB: m.peakHeapMB,
    peakExternalGrowthMB: m.peakExternalMB,
  };
  log(`${name}: ${(r.bytes / MB).toFixed(1)} MB in ${seconds.toFixed(1)} s = ${p.mbPerSecond.toFixed(1)} MB/s, peak RSS +${m.peakRssMB.toFixed(1)} MB, heap +${m.peakHeapMB.toFixed(1)} MB`);
  return p;
}

async function waitActive(client: VaultClient): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const h = await client.request<{ sealed?: boolean; standby?: boolean }>('GET', 'sys/health').catch(() => null);
    if (h && !h.sealed && !h.standby) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('Vault did not come back after the restore');
}

export async function benchBackup(opts: { addr: string; token: string; tenants: number; env: Record<string, string | number> }): Promise<Cell[][]> {
  let s3: S3Instance | undefined;
  const client = createVaultClient(connectionFromEnv({ VAULT_ADDR: opts.addr }), opts.token);
  client.setToken(opts.token);
  try {
    s3 = await startS3();
    const bucket = `bench-backup-${Date.now()}`;
    const c = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await c.send(new CreateBucketCommand({ Bucket: bucket }));
    await c.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    c.destroy();

    const mount = `bench-backup-${Date.now()}`;
    await client.request('POST', `sys/mounts/${mount}`, { type: 'kv', options: { version: '2' } });
    await new Promise((r) => setTimeout(r, 1000));
    log(`seeding ${opts.tenants} tenants into ${mount}…`);
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
    const seeded = await seedTenants({ client, mount, count: opts.tenants, concurrency: 16, dkimPoolSize: 32, seed: 'bench-backup', logger: quiet });
    log(`seeded ${seeded.secretsWritten} secrets in ${(seeded.durationMs / 1000).toFixed(1)} s`);

    const config: BackupConfig = {
      bucket,
      prefix: 'bench/',
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      sse: 'AES256',
      transitMount: 'transit',
      transitKey: 'vault-console-backup',
      retentionDays: 30,
      kvMount: mount,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    };
    const service = new BackupService({ repo: new BackupRepo(openDatabase(':memory:')), clock: systemClock, config: async () => config, client: () => client, actor: () => 'bench' });
    // Backup logs one line per run; keep the bench output to its table.
    setLogSink(() => undefined);

    const phases: Phase[] = [];
    let raftId = '';
    let logicalId = '';
    phases.push(
      await measure('raft backup', async () => {
        const r = await service.run({ kind: 'raft' });
        if (r.status !== 'completed') throw new Error(`raft backup failed: ${r.error}`);
        raftId = r.id;
        return { bytes: r.sizeBytes ?? 0 };
      }),
    );
    phases.push(
      await measure('raft restore (verify + apply)', async () => {
        const r = await service.restore(raftId, { scope: 'raft' });
        return { bytes: r.bytes };
      }),
    );
    await waitActive(client);
    phases.push(
      await measure('logical backup', async () => {
        const r = await service.run({ kind: 'logical' });
        if (r.status !== 'completed') throw new Error(`logical backup failed: ${r.error}`);
        logicalId = r.id;
        return { bytes: r.sizeBytes ?? 0, items: r.itemCount ?? 0 };
      }),
    );
    phases.push(
      await measure('logical restore (whole mount)', async () => {
        const rec = service.get(logicalId);
        const r = await service.restore(logicalId, { scope: 'mount' });
        return { bytes: rec.sizeBytes ?? 0, items: r.written ?? 0 };
      }),
    );
    await writeResult({
      name: 'backup-throughput',
      description: `backup/restore throughput and peak memory, ${opts.tenants} seeded tenants, versitygw S3 on loopback`,
      startedAt: new Date().toISOString(),
      durationMs: phases.reduce((a, p) => a + p.seconds * 1000, 0),
      environment: opts.env,
      metrics: { tenants: opts.tenants, secrets: seeded.secretsWritten, phases },
    });
    return phases.map((p) => [
      `${p.name} (${opts.tenants} tenants)`,
      p.items || 1,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      p.items ? p.items / p.seconds : Number.NaN,
      `${(p.bytes / MB).toFixed(1)} MB in ${p.seconds.toFixed(1)} s = ${p.mbPerSecond.toFixed(1)} MB/s; peak RSS +${p.peakRssGrowthMB.toFixed(1)} MB, heap +${p.peakHeapGrowthMB.toFixed(1)} MB`,
    ]);
  } finally {
    client.close();
    await s3?.stop({ removeData: true });
  }
}

async function standalone(): Promise<void> {
  const tenants = Number(process.env.BENCH_BACKUP_TENANTS ?? 10_000);
  let bao: OpenBaoInstance | undefined;
  try {
    bao = await startOpenBao();
    const env = environment({ version: bao.version, storage: 'raft (single node, file audit device)' });
    const rows = await benchBackup({ addr: bao.addr, token: bao.rootToken, tenants, env });
    process.stdout.write(`\n${renderTable(['benchmark', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/s', 'notes'], rows)}\n\nresults: bench/results/backup-throughput.json\n`);
  } finally {
    await bao?.stop({ removeData: true });
  }
}

if (process.argv[1]?.endsWith('backup-throughput.ts')) {
  standalone().catch((err: unknown) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
