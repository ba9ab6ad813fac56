// Shared set-up for the backup integration tests: a fresh bucket with versioning,
// a BackupService on an in-memory catalog, and clients for the test OpenBao.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { BackupService, type BackupProgress } from '../../../src/main/services/backup/backup-service';
import type { BackupConfig } from '../../../src/main/services/backup/backup-config';
import { openDatabase } from '../../../src/main/services/storage/database';
import { BackupRepo } from '../../../src/main/services/storage/backup-repo';
import { systemClock, type Clock } from '../../../src/main/services/time/clock';
import { createKvStore } from '../../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { s3Client, userpassLogin, type ServicesState } from '../helpers/services';
import { ensureOpenBaoBinary, unsealOpenBao, type OpenBaoInstance } from '../../services/openbao/openbao';
import { spawnLogged, stopProcess, waitFor } from '../../services/openbao/process';

export function clientFor(addr: string, token: string): VaultClient {
  const c = createVaultClient({ address: addr, minTlsVersion: 'TLSv1.3', kvMount: 'tenants', timeoutMs: 30_000 }, token);
  c.setToken(token);
  return c;
}

export async function newBucket(s: ServicesState, versioning = true): Promise<string> {
  const bucket = `vc-backup-${randomBytes(4).toString('hex')}`;
  const s3 = s3Client(s);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (versioning) await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  s3.destroy();
  return bucket;
}

export function configFor(s: ServicesState, bucket: string, over: Partial<BackupConfig> = {}): BackupConfig {
  return {
    bucket,
    prefix: 'vault-console/',
    region: s.s3!.region,
    endpoint: s.s3!.endpoint,
    forcePathStyle: true,
    sse: 'AES256',
    transitMount: 'transit',
    transitKey: 'vault-console-backup',
    retentionDays: 30,
    kvMount: s.openbao.kvMount,
    credentials: { accessKeyId: s.s3!.accessKeyId, secretAccessKey: s.s3!.secretAccessKey },
    ...over,
  };
}

export interface Rig {
  service: BackupService;
  repo: BackupRepo;
  client: VaultClient;
  progress: BackupProgress[];
  config: BackupConfig;
}

/** A service signed in as the console's admin user (its policy is what production uses). */
export async function rig(s: ServicesState, config: BackupConfig, clock: Clock = systemClock): Promise<Rig> {
  const token = await userpassLogin(s, s.openbao.users.admin.username, s.openbao.users.admin.password);
  const client = clientFor(s.openbao.addr, token);
  const repo = new BackupRepo(openDatabase(':memory:'));
  const progress: BackupProgress[] = [];
  const holder = { config };
  const service = new BackupService({
    repo,
    clock,
    config: async () => holder.config,
    client: () => client,
    actor: () => 'admin',
    onProgress: (p) => progress.push(p),
  });
  return { service, repo, client, progress, config };
}

/** Writes a small tenant with a few secrets; returns its paths. */
export async function writeTenant(client: VaultClient, mount: string, tenantId: string, salt: string): Promise<string[]> {
  const kv = createKvStore(client, mount);
  const paths = [`${tenantId}/profile`, `${tenantId}/smtp/admin`, `${tenantId}/api/k1`];
  for (const p of paths) {
    await kv.write(p, { value: `${p}:${salt}`, n: 1 });
    await kv.writeMetadata(p, { customMetadata: { rotated_at: '2026-01-01T00:00:00Z', salt } });
  }
  return paths;
}

/**
 * A restore target: OpenBao refuses to finish unsealing when a restored audit table
 * names a file device its config declares with another path, so the target runs
 * with no declared audit device (see docs/backups.md). Restarts `inst` that way
 * and unseals it with its own keys; returns the stop function for the new process.
 */
export async function asRestoreTarget(inst: OpenBaoInstance): Promise<() => Promise<void>> {
  await inst.stop();
  const cfg = readFileSync(inst.configPath, 'utf8');
  writeFileSync(inst.configPath, `${cfg.replace(/\n# OpenBao refuses to enable audit devices[\s\S]*$/, '').trimEnd()}\n`);
  const child = spawnLogged(await ensureOpenBaoBinary(), ['server', `-config=${inst.configPath}`], inst.logPath, { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() });
  await waitFor('restore target listening', async () => (await fetch(`${inst.addr}/v1/sys/health`)).status > 0, { child, logPath: inst.logPath, timeoutMs: 30_000 });
  await unsealOpenBao(inst);
  return async () => {
    await stopProcess(child, 15_000);
    await rm(inst.dataDir, { recursive: true, force: true });
  };
}

/** After a snapshot from another cluster, the target seals itself: unseal with the source's keys. */
export async function unsealWithSourceKeys(addr: string, s: ServicesState): Promise<void> {
  await waitFor('restore target sealed after the snapshot', async () => ((await (await fetch(`${addr}/v1/sys/seal-status`)).json()) as { sealed: boolean }).sealed, { timeoutMs: 30_000 });
  await unsealOpenBao({ addr, unsealKeys: s.openbao.unsealKeys, threshold: s.openbao.threshold });
}
