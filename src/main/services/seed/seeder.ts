// Fills a KV v2 mount with realistic tenants for development, demos, tests and
// benchmarks. Safe to re-run: a tenant whose profile exists is skipped; a tenant
// left half-written by an interrupted run is completed without overwriting any
// secret it already has (writes are create-only, cas=0).
import { AppError } from '../../../shared/errors';
import { createLogger, type Logger } from '../log/logger';
import { createKvStore, type KvStore } from '../vault/kv';
import type { VaultClient } from '../vault/vault-client';
import { createDkimPool } from './dkim-pool';
import { DEFAULT_KV_MOUNT, MD, paths, tenantId } from './layout';
import { runPool } from './promise-pool';
import type { RotationBucket } from './rotation-plan';
import { planTenant, type PlannedWrite } from './tenant-plan';
import { TenantStampWriter } from '../vault/tenant-stamps';

export interface SeedProgress {
  done: number;
  total: number;
  written: number;
  skipped: number;
  tenantId: string;
}

export interface SeedOptions {
  client: VaultClient;
  mount?: string;
  count: number;
  concurrency?: number;
  /** First tenant number; tenants are t-<startIndex> … t-<startIndex+count-1>. */
  startIndex?: number;
  /** Seed for names, IPs, counts and dates (not for key material). */
  seed?: string | number;
  now?: Date;
  /** DKIM keys generated once and shared round-robin; 0 = a fresh key per domain. */
  dkimPoolSize?: number;
  onProgress?: (p: SeedProgress) => void;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface SeedResult {
  mount: string;
  requested: number;
  written: number;
  skipped: number;
  secretsWritten: number;
  secretsKept: number;
  dkimKeysGenerated: number;
  buckets: Record<RotationBucket, number>;
  durationMs: number;
  tenantsPerSecond: number;
}

export const DEFAULT_SEED = 'vault-console';
export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_DKIM_POOL = 32;
// Retry only what a busy server or a dropped keep-alive socket causes.
const RETRYABLE = new Set(['VAULT_UNREACHABLE', 'VAULT_ERROR']);
const MAX_ATTEMPTS = 3;

export async function seedTenants(opts: SeedOptions): Promise<SeedResult> {
  const mount = opts.mount ?? DEFAULT_KV_MOUNT;
  const count = opts.count;
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const startIndex = opts.startIndex ?? 1;
  const seed = opts.seed ?? DEFAULT_SEED;
  const now = opts.now ?? new Date();
  const log = opts.logger ?? createLogger('seed');
  if (!Number.isInteger(count) || count < 0) throw new AppError('BAD_INPUT', 'tenant count must be a non-negative integer');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new AppError('BAD_INPUT', 'concurrency must be an integer from 1 to 256');
  if (!Number.isInteger(startIndex) || startIndex < 0) throw new AppError('BAD_INPUT', 'start index must be a non-negative integer');

  const started = performance.now();
  const kv = createKvStore(opts.client, mount);
  // One LIST up front tells which tenants exist at all, so a fresh run needs no per-tenant read.
  const existing = new Set((await kv.list('')).map((k) => k.replace(/\/$/, '')));
  const dkimPoolSize = Math.max(0, Math.min(opts.dkimPoolSize ?? DEFAULT_DKIM_POOL, count * 3));
  const dkim = createDkimPool(dkimPoolSize);
  // The tenant's change stamp (docs/vault-layout.md), written after the profile so an
  // inventory sync learns about new tenants from one paged LIST. No stamps mount: skipped.
  const stamps = new TenantStampWriter(opts.client, mount, { profileFallback: false });

  const result: SeedResult = {
    mount,
    requested: count,
    written: 0,
    skipped: 0,
    secretsWritten: 0,
    secretsKept: 0,
    dkimKeysGenerated: 0,
    buckets: { healthy: 0, due30: 0, due7: 0, overdue: 0, expired: 0, revoked: 0 },
    durationMs: 0,
    tenantsPerSecond: 0,
  };
  let done = 0;

  const seedOne = async (index: number) => {
    const id = tenantId(index);
    let partial = existing.has(id);
    if (partial) {
      const profile = await kv.readMetadata(paths.profile(id));
      if (profile && profile.currentVersion > 0) {
        result.skipped++;
        log.debug(`tenant ${id} exists, skipped`);
        return 'skipped';
      }
    }
    const plan = await planTenant({ index, seed, now, dkim });
    for (let attempt = 1; ; attempt++) {
      try {
        for (const w of plan.writes) await writeOne(kv, w, partial, result);
        break;
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !(err instanceof AppError) || !RETRYABLE.has(err.code)) throw err;
        log.warn(`tenant ${id} attempt ${attempt} failed (${err.code}), retrying`);
        partial = true; // some writes may have landed; never overwrite them
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    const st = await stamps.bump([id], now.toISOString());
    if (st.failed.length > 0) log.warn(`tenant ${id}: change stamp not written; an inventory sync reads its profile instead`);
    result.written++;
    log.debug(`tenant ${id} written`);
    return 'written';
  };

  const indices = function* () {
    for (let i = 0; i < count; i++) yield startIndex + i;
  };
  await runPool(
    indices(),
    concurrency,
    async (index) => {
      await seedOne(index);
      done++;
      opts.onProgress?.({ done, total: count, written: result.written, skipped: result.skipped, tenantId: tenantId(index) });
    },
    opts.signal,
  );

  result.dkimKeysGenerated = dkim.generated;
  result.durationMs = performance.now() - started;
  result.tenantsPerSecond = result.durationMs > 0 ? (result.written + result.skipped) / (result.durationMs / 1000) : 0;
  log.info(`seeded mount ${mount}: ${result.written} written, ${result.skipped} skipped, ${result.secretsWritten} secrets`);
  return result;
}

/**
 * Metadata first, then the data with cas=0. So data never exists without its
 * rotation metadata, and an existing secret is never replaced. On the partial
 * path (a previous run was interrupted) a secret that already has data is left
 * as it is, metadata included, so its fingerprint keeps matching.
 */
async function writeOne(kv: KvStore, w: PlannedWrite, partial: boolean, result: SeedResult): Promise<void> {
  if (partial) {
    const meta = await kv.readMetadata(w.path);
    if (meta && meta.currentVersion > 0 && meta.customMetadata[MD.type]) {
      result.secretsKept++;
      return;
    }
  }
  await kv.writeMetadata(w.path, { customMetadata: w.customMetadata });
  try {
    await kv.write(w.path, w.data, { cas: 0 });
  } catch (err) {
    if (err instanceof AppError && err.code === 'CONFLICT') {
      result.secretsKept++;
      return;
    }
    throw err;
  }
  result.secretsWritten++;
  if (w.bucket) result.buckets[w.bucket]++;
}
