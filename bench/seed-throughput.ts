// Seeding throughput: tenants per second written by seedTenants into a fresh
// mount, with the default concurrency and DKIM pool.
import { seedTenants, type SeedResult } from '../src/main/services/seed/seeder';
import type { VaultClient } from '../src/main/services/vault/vault-client';

export interface SeedBenchResult {
  tenants: number;
  concurrency: number;
  dkimPoolSize: number;
  durationMs: number;
  tenantsPerSecond: number;
  secretsPerSecond: number;
  secretsWritten: number;
  rerunMs: number;
  seed: Omit<SeedResult, 'durationMs' | 'tenantsPerSecond'>;
}

export async function benchSeed(
  client: VaultClient,
  mount: string,
  opts: { tenants: number; concurrency: number; dkimPoolSize: number; onProgress?: (done: number, total: number) => void },
): Promise<SeedBenchResult> {
  const r = await seedTenants({
    client,
    mount,
    count: opts.tenants,
    concurrency: opts.concurrency,
    dkimPoolSize: opts.dkimPoolSize,
    seed: 'bench',
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
    onProgress: (p) => opts.onProgress?.(p.done, p.total),
  });
  // A re-run over the same range only checks and skips: the idempotence cost.
  const again = await seedTenants({
    client,
    mount,
    count: opts.tenants,
    concurrency: opts.concurrency,
    seed: 'bench',
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
  });
  const { durationMs, tenantsPerSecond, ...rest } = r;
  return {
    tenants: opts.tenants,
    concurrency: opts.concurrency,
    dkimPoolSize: opts.dkimPoolSize,
    durationMs,
    tenantsPerSecond,
    secretsPerSecond: r.secretsWritten / (durationMs / 1000),
    secretsWritten: r.secretsWritten,
    rerunMs: again.durationMs,
    seed: rest,
  };
}
