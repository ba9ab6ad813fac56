// Everything the demo runs, as one function the demo script and its end-to-end test
// share: a local OpenBao seeded with demo tenants (progress with rate and ETA), a local
// S3-protocol server with a versioned bucket, and the console (browser harness)
// configured to back up into it, so every view works, Force Backup Now included.
// All data persists under `dir`, so a second run is quick.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { connectionFromEnv } from '../src/main/services/config/app-config';
import { createProgressReporter } from '../src/main/services/seed/seed-progress';
import { seedTenants } from '../src/main/services/seed/seeder';
import { createVaultClient } from '../src/main/services/vault/vault-client';
import { startHarness, type Harness } from '../test/harness/harness';
import { startOpenBao, type OpenBaoInstance } from '../test/services/openbao/openbao';
import { freeLoopbackPort } from '../test/services/openbao/process';
import { startS3, type S3Instance } from '../test/services/s3/s3-server';

export const DEMO_BUCKET = 'vault-console-demo';

export interface DemoStackOptions {
  tenants: number;
  /** Where OpenBao, S3 and the console keep their data. */
  dir: string;
  /** Progress and status lines (stderr in the demo). */
  log: (line: string) => void;
  /** false: start no console (the caller runs Electron); its S3 settings are returned to print. */
  harness?: boolean;
  /** Passed to the harness: tests reuse the renderer the suite built. */
  harnessBuild?: 'if-stale' | 'always' | 'never';
  keychainService?: string;
  progressEveryMs?: number;
  /** The console re-checks DKIM DNS on its timer (the demo, with its local DNS server). */
  dkimDnsRecheck?: boolean;
  /**
   * Runs after seeding, before the console starts: more local services for the demo (a DNS
   * server, ...). Its env reaches the console; its stop runs with the stack's.
   */
  beforeConsole?: (bao: OpenBaoInstance) => Promise<{ env?: Record<string, string>; stop?: () => Promise<void> }>;
}

export interface DemoStack {
  bao: OpenBaoInstance;
  s3: S3Instance;
  harness: Harness | null;
  /** What beforeConsole returned as the console's environment (Electron needs it too). */
  env: Record<string, string>;
  backup: { bucket: string; endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The demo bucket's keys, made once and kept (0600) so the bucket stays readable across runs. */
async function demoS3Credentials(dir: string): Promise<S3Credentials> {
  const file = join(dir, 'credentials.json');
  if (existsSync(file)) {
    const c = JSON.parse(await readFile(file, 'utf8')) as Partial<S3Credentials>;
    if (c.accessKeyId && c.secretAccessKey) return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
  }
  const c = { accessKeyId: `vcdemo${randomBytes(6).toString('hex')}`, secretAccessKey: randomBytes(24).toString('base64url') };
  await writeFile(file, JSON.stringify(c), { mode: 0o600 });
  await chmod(file, 0o600);
  return c;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * The same OpenBao port on every run: the console keeps the address of its first run in its
 * connection profile, so a new port would leave a second demo pointing at nothing.
 */
async function demoOpenBaoPort(dir: string): Promise<number> {
  const file = join(dir, 'openbao.port');
  if (existsSync(file)) {
    const port = Number((await readFile(file, 'utf8')).trim());
    if (Number.isInteger(port) && port > 0 && port < 65536) {
      // A server of the last run may still be shutting down: wait for it rather than move.
      for (let i = 0; i < 60; i++) {
        if (await portIsFree(port)) return port;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      throw new Error(`port ${port} of the demo's OpenBao is in use (another demo still running?); stop it, or delete ${file} and ${join(dir, 'app')} to start afresh`);
    }
  }
  const port = await freeLoopbackPort();
  await writeFile(file, `${port}\n`, { mode: 0o600 });
  return port;
}

async function ensureVersionedBucket(s3: S3Instance, bucket: string): Promise<void> {
  const c = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  try {
    const exists = await c.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      () => false,
    );
    if (!exists) await c.send(new CreateBucketCommand({ Bucket: bucket }));
    // The spec's backups live in a versioned bucket; the Backups view shows it.
    await c.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  } finally {
    c.destroy();
  }
}

export async function startDemoStack(opts: DemoStackOptions): Promise<DemoStack> {
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const s3Dir = join(opts.dir, 's3');
  await mkdir(s3Dir, { recursive: true, mode: 0o700 });
  opts.log('[demo] starting OpenBao and the S3 server…');
  const credentials = await demoS3Credentials(s3Dir);
  const port = await demoOpenBaoPort(opts.dir);
  const started = await Promise.allSettled([startOpenBao({ dataDir: join(opts.dir, 'openbao'), port }), startS3({ dataDir: s3Dir, credentials })]);
  if (started[0].status === 'rejected' || started[1].status === 'rejected') {
    // Never leave the one that started running.
    await Promise.allSettled(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw started[0].status === 'rejected' ? started[0].reason : (started[1] as PromiseRejectedResult).reason;
  }
  const bao = started[0].value;
  const s3 = started[1].value;
  let harness: Harness | null = null;
  let extra: { env?: Record<string, string>; stop?: () => Promise<void> } = {};
  const stop = async () => {
    await harness?.close().catch(() => undefined);
    await extra.stop?.().catch(() => undefined);
    await Promise.allSettled([bao.stop(), s3.stop()]);
  };
  try {
    await ensureVersionedBucket(s3, DEMO_BUCKET);
    const client = createVaultClient(connectionFromEnv({ VAULT_ADDR: bao.addr }), bao.rootToken);
    try {
      opts.log(`[demo] seeding ${opts.tenants.toLocaleString('en-US')} demo tenants (existing ones are kept)…`);
      const r = await seedTenants({
        client,
        mount: bao.kvMount,
        count: opts.tenants,
        concurrency: 16,
        onProgress: createProgressReporter({ total: opts.tenants, write: opts.log, label: '[demo]', everyMs: opts.progressEveryMs ?? 2_000 }),
        logger: { info: () => undefined, debug: () => undefined, warn: (m) => opts.log(`[demo] ${m}`), error: (m) => opts.log(`[demo] ${m}`) },
      });
      opts.log(`[demo] tenants: ${r.written.toLocaleString('en-US')} written, ${r.skipped.toLocaleString('en-US')} already there`);
    } finally {
      client.close();
    }
    if (opts.beforeConsole) extra = await opts.beforeConsole(bao);
    const backup = { bucket: DEMO_BUCKET, endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
    if (opts.harness !== false) {
      harness = await startHarness({
        env: { ...(extra.env ?? {}), VAULT_ADDR: bao.addr },
        dataDir: join(opts.dir, 'app'),
        autoSync: true,
        ...(opts.dkimDnsRecheck !== undefined ? { dkimDnsRecheck: opts.dkimDnsRecheck } : {}),
        ...(opts.harnessBuild ? { build: opts.harnessBuild } : {}),
        ...(opts.keychainService ? { keychainService: opts.keychainService } : {}),
      });
      // Backups go to the local S3 server; the key pair goes to the (throwaway) keychain, as in the app.
      await harness.services.backupSettings.save({ bucket: backup.bucket, endpoint: backup.endpoint, region: backup.region, forcePathStyle: true, accessKeyId: backup.accessKeyId, secretAccessKey: backup.secretAccessKey });
    }
    return { bao, s3, harness, env: { ...(extra.env ?? {}), VAULT_ADDR: bao.addr }, backup, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
