// `vault-console seed --tenants N`: fills a KV v2 mount with realistic test
// tenants. Progress goes to stderr, the summary to stdout (table or json).
import { AppError } from '../../shared/errors';
import { DEFAULT_CONCURRENCY, DEFAULT_DKIM_POOL, DEFAULT_SEED, seedTenants, type SeedProgress } from '../services/seed/seeder';
import { createProgressReporter } from '../services/seed/seed-progress';
import { createKvV2Mount, encodeMount } from '../services/vault/kv';
import { stampsMountOf } from '../services/vault/tenant-stamps';
import type { VaultClient } from '../services/vault/vault-client';
import { COMMON_FLAGS } from './args';
import type { Command } from './command';
import { clientFromEnv } from './connect';
import { EXIT, logLine, printJson, printKeyValue, progress as progressLine, type CliIo } from './io';

export const seedCommand: Command = {
  name: 'seed',
  summary: 'Fill a KV v2 mount with N realistic test tenants (needs VAULT_TOKEN).',
  usage: 'vault-console seed -tenants=N [-concurrency=C] [-mount=M] [-start=I] [-seed=S] [-dkim-pool=K] [-create-mount] [-format=table|json]',
  flags: {
    ...COMMON_FLAGS,
    tenants: { type: 'int', min: 1, max: 1_000_000, description: 'How many tenants to write (required).' },
    concurrency: { type: 'int', min: 1, max: 256, description: `Tenants written in parallel (default ${DEFAULT_CONCURRENCY}).` },
    mount: { type: 'string', description: 'KV v2 mount (default VAULT_CONSOLE_KV_MOUNT or "tenants").' },
    start: { type: 'int', min: 0, max: 99_999_999, description: 'First tenant number (default 1 → t-000001).' },
    seed: { type: 'string', description: `Seed for names, IPs and dates (default "${DEFAULT_SEED}").` },
    'dkim-pool': { type: 'int', min: 0, max: 100_000, description: `DKIM keys generated per run and shared; 0 = one per domain (default ${DEFAULT_DKIM_POOL}).` },
    'create-mount': { type: 'bool', description: 'Enable a KV v2 engine at the mount (and its <mount>-stamps change-stamp mount) if none exists.' },
  },
  async run({ flags, positionals }, io) {
    if (positionals.length > 0) throw new AppError('BAD_INPUT', `seed: unexpected argument ${JSON.stringify(positionals[0]!.slice(0, 40))}`);
    if (flags.tenants === undefined) throw new AppError('BAD_INPUT', 'seed: -tenants=N is required');
    const mount = (typeof flags.mount === 'string' ? flags.mount : io.env.VAULT_CONSOLE_KV_MOUNT || 'tenants').replace(/^\/+|\/+$/g, '');
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_./-]*$/.test(mount) || mount.includes('..')) throw new AppError('BAD_INPUT', 'seed: invalid mount name');
    const client = await clientFromEnv(io, flags, { needToken: true });
    try {
      await ensureKvV2(client, mount, flags['create-mount'] === true);
      // The companion stamps mount makes incremental inventory syncs cheap; optional.
      if (flags['create-mount'] === true) await ensureKvV2(client, stampsMountOf(mount), true);
      const total = flags.tenants as number;
      const progress = progressPrinter(io, total);
      const result = await seedTenants({
        client,
        mount,
        count: total,
        concurrency: (flags.concurrency as number | undefined) ?? DEFAULT_CONCURRENCY,
        startIndex: (flags.start as number | undefined) ?? 1,
        seed: (flags.seed as string | undefined) ?? DEFAULT_SEED,
        dkimPoolSize: (flags['dkim-pool'] as number | undefined) ?? DEFAULT_DKIM_POOL,
        onProgress: progress,
        // The summary says it all; per-tenant lines are debug-level.
        logger: { info: () => undefined, warn: (m) => logLine(io, `[seed] ${m}`), error: (m) => logLine(io, `[seed] ${m}`), debug: () => undefined },
      });
      if (flags.format === 'json') {
        printJson(io, { ...result, durationMs: Math.round(result.durationMs), tenantsPerSecond: Number(result.tenantsPerSecond.toFixed(1)) });
      } else {
        printKeyValue(io, [
          ['Mount', `${result.mount}/`],
          ['Tenants requested', String(result.requested)],
          ['Tenants written', String(result.written)],
          ['Tenants skipped (existed)', String(result.skipped)],
          ['Secrets written', String(result.secretsWritten)],
          ['Secrets kept (existed)', String(result.secretsKept)],
          ['DKIM keys generated', String(result.dkimKeysGenerated)],
          ['Rotation states', Object.entries(result.buckets).map(([k, v]) => `${k}=${v}`).join(' ')],
          ['Duration', `${(result.durationMs / 1000).toFixed(1)}s`],
          ['Tenants/s', result.tenantsPerSecond.toFixed(1)],
        ]);
      }
      return EXIT.ok;
    } finally {
      client.close();
    }
  },
};

async function ensureKvV2(client: VaultClient, mount: string, create: boolean): Promise<void> {
  const info = await client
    .request<{ data?: { type?: string; options?: { version?: string } | null } }>('GET', `sys/internal/ui/mounts/${encodeMount(mount)}`)
    .catch((err: unknown) => {
      if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'PERMISSION_DENIED')) return undefined;
      throw err;
    });
  const type = info?.data?.type;
  if (type === 'kv' && info?.data?.options?.version === '2') return;
  if (type) throw new AppError('BAD_INPUT', `seed: mount ${mount}/ is a ${type} engine${type === 'kv' ? ' version 1' : ''}, not KV v2`);
  if (!create) throw new AppError('NOT_FOUND', `seed: no KV v2 mount at ${mount}/ (pass -create-mount to enable one)`);
  await createKvV2Mount(client, mount);
}

function progressPrinter(io: CliIo, total: number): (p: SeedProgress) => void {
  // Count, rate and ETA, at most every 2 s (the same lines as the demo's), through the
  // CLI's progress channel (held back unless -verbose or a terminal's status line).
  return createProgressReporter({ total, write: (line) => progressLine(io, line), label: '[seed]', everyMs: 2_000 });
}
