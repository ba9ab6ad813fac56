// Backups as the daily timer leaves them in S3 (manifests), read by the watcher with the
// backup feature's own catalog sync: a catalog whose last success is 25 h old pages
// "backup-stale" once (and resolves when a fresh backup lands); an S3 that is down makes
// the backup fail and pages "backup-failed" once. Own OpenBao and S3: this file stops S3.
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupConfig } from '../../../src/main/services/backup/backup-config';
import { BackupService } from '../../../src/main/services/backup/backup-service';
import { openDatabase } from '../../../src/main/services/storage/database';
import { BackupRepo } from '../../../src/main/services/storage/backup-repo';
import { ManualClock, systemClock, type Clock } from '../../../src/main/services/time/clock';
import { baoRequest } from '../../services/openbao/openbao-api';
import { startOpenBao, type OpenBaoInstance } from '../../services/openbao/openbao';
import { startS3, type S3Instance } from '../../services/s3/s3-server';
import { clientFor } from '../backup/backup-helpers';
import { PagerDutyReceiver } from './support/pagerduty-receiver';
import { CLI, ROOT, startWatcher, TSX_LOADER, watcherReady, watchFiles, type WatcherProcess, type WatchFiles } from './support/watch-fixtures';

let bao: OpenBaoInstance;
let s3: S3Instance;
let files: WatchFiles;
let bucket: string;
let rx: PagerDutyReceiver;
let watcher: WatcherProcess | null = null;

function config(): BackupConfig {
  return {
    bucket,
    prefix: 'vault-console/',
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    sse: 'AES256',
    transitMount: 'transit',
    transitKey: 'vault-console-backup',
    retentionDays: 30,
    kvMount: bao.kvMount,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
}

/** A real backup into the bucket, timed by `clock` (a clock 25 h back leaves a 25 h old success). */
async function backupAt(clock: Clock): Promise<string> {
  const client = clientFor(bao.addr, bao.rootToken);
  const service = new BackupService({ repo: new BackupRepo(openDatabase(':memory:')), clock, config: async () => config(), client: () => client, actor: () => 'test' });
  try {
    const rec = await service.run();
    if (rec.status !== 'completed') throw new Error(`backup failed: ${rec.error}`);
    return rec.finishedAt!;
  } finally {
    client.close();
  }
}

function backupEnv(): Record<string, string> {
  return {
    VAULT_CONSOLE_BACKUP_BUCKET: bucket,
    VAULT_CONSOLE_S3_ENDPOINT: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    VAULT_CONSOLE_WATCH_BACKUP_CHECK_INTERVAL: '500ms',
    VAULT_CONSOLE_WATCH_BACKUP_GRACE: '2s',
  };
}

beforeAll(async () => {
  [bao, s3] = await Promise.all([startOpenBao(), startS3()]);
  files = await watchFiles(bao);
  bucket = `vc-watch-${randomBytes(4).toString('hex')}`;
  const c = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await c.send(new CreateBucketCommand({ Bucket: bucket }));
  await c.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  c.destroy();
  rx = new PagerDutyReceiver(files.routingKey);
  await rx.start();
}, 180_000);

afterAll(async () => {
  await watcher?.stop();
  await rx?.stop();
  await s3?.stop({ removeData: true });
  await bao?.stop({ removeData: true });
});

describe('watch: backup pages', () => {
  it('a catalog whose last success is 25 h old pages backup-stale once, and a fresh backup resolves it', async () => {
    const finished = await backupAt(new ManualClock(Date.now() - 25 * 3_600_000));
    expect(Date.now() - Date.parse(finished)).toBeGreaterThan(24 * 3_600_000);
    watcher = await startWatcher({ bao, files, eventsUrl: rx.url, env: backupEnv() });
    await watcherReady(watcher);
    const ev = await rx.waitFor((e) => e.action === 'trigger' && !!e.dedupKey?.endsWith('/backup-stale'), 30_000, 'backup-stale trigger');
    expect(ev.valid, ev.problems.join('; ')).toBe(true);
    expect(ev.severity).toBe('error');
    expect(ev.summary).toMatch(/25(\.\d)? h old/);
    expect((ev.body!.payload as { custom_details: Record<string, unknown> }).custom_details).toMatchObject({ bucket, catalog_readable: true });
    // Many checks later (every 500 ms): one page, and nothing claims a failure.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(rx.events.filter((e) => e.action === 'trigger')).toHaveLength(1);
    const last = await watcher.sample('vault_console_backup_last_success_timestamp_seconds');
    expect(Math.abs(last! * 1000 - Date.parse(finished))).toBeLessThan(1000);

    await backupAt(systemClock);
    const res = await rx.waitFor((e) => e.action === 'resolve', 30_000, 'backup-stale resolve');
    expect(res.dedupKey).toBe(ev.dedupKey);
  }, 180_000);

  it('a failed run recorded in the catalog pages backup-failed with its id and reason; the next success resolves it', async () => {
    if (!watcher?.alive) {
      watcher = await startWatcher({ bao, files, eventsUrl: rx.url, env: backupEnv() });
      await watcherReady(watcher);
    }
    const before = rx.events.length;
    // A token that may not use the backup's transit key: the run fails, S3 records it.
    const weak = await baoRequest<{ auth: { client_token: string } }>(bao.addr, 'POST', 'auth/token/create-orphan', { token: bao.rootToken, body: { policies: ['vault-console-auditor'], ttl: '10m' } });
    const client = clientFor(bao.addr, weak.auth.client_token);
    const service = new BackupService({ repo: new BackupRepo(openDatabase(':memory:')), clock: systemClock, config: async () => config(), client: () => client, actor: () => 'test' });
    const rec = await service.run({ kind: 'raft' }).finally(() => client.close());
    expect(rec.status).toBe('failed');
    const ev = await rx.waitFor((e, i = rx.events.indexOf(e)) => i >= before && e.action === 'trigger', 30_000, 'backup-failed trigger');
    expect(ev.valid, ev.problems.join('; ')).toBe(true);
    expect(ev.dedupKey).toMatch(/\/backup-failed$/);
    expect(ev.summary).toContain(`Backup ${rec.id} failed`);
    expect((ev.body!.payload as { custom_details: Record<string, unknown> }).custom_details).toMatchObject({ backup_id: rec.id, catalog_readable: true });
    expect(await watcher.sample('vault_console_backup_last_attempt_failed')).toBe(1);

    await backupAt(systemClock);
    const res = await rx.waitFor((e, i = rx.events.indexOf(e)) => i > before && e.action === 'resolve', 30_000, 'backup-failed resolve');
    expect(res.dedupKey).toBe(ev.dedupKey);
    expect(rx.events.slice(before).filter((e) => e.action === 'trigger')).toHaveLength(1);
  }, 120_000);

  it('S3 down: the daily run fails, and the watcher pages backup-failed once', async () => {
    if (!watcher?.alive) {
      watcher = await startWatcher({ bao, files, eventsUrl: rx.url, env: backupEnv() });
      await watcherReady(watcher);
    }
    const before = rx.events.length;
    await s3.stop();
    // What the timer runs, against the same (now dead) S3: exit 1, nothing reaches S3.
    const run = await new Promise<{ code: number; stdout: string }>((done) =>
      execFile(process.execPath, [...TSX_LOADER, CLI, 'backup', 'run'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: files.dir, VAULT_ADDR: bao.addr, VAULT_TOKEN: bao.rootToken, ...backupEnv() }, timeout: 120_000 }, (err, stdout) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
      ),
    );
    expect(run.code).toBe(1);
    const ev = await rx.waitFor((e, i = rx.events.indexOf(e)) => i >= before && e.action === 'trigger', 30_000, 'backup-failed trigger');
    expect(ev.valid, ev.problems.join('; ')).toBe(true);
    expect(ev.dedupKey).toMatch(/\/backup-failed$/);
    expect(ev.severity).toBe('error');
    expect(ev.summary).toMatch(/backup store cannot be read/);
    await new Promise((r) => setTimeout(r, 4_000));
    expect(rx.events.slice(before).filter((e) => e.action === 'trigger')).toHaveLength(1);
    expect(await watcher!.sample('vault_console_backup_catalog_up')).toBe(0);
    expect(watcher!.alive).toBe(true);
  }, 180_000);
});
