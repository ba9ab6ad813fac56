// Issue 13.1, against the real OpenBao: while "rotate all SMTP" runs, an admin sets one
// tenant's password by hand. The job must never rotate on top of a change it did not
// preview: the hand edit survives, the job reports the secret as changed since the preview
// (the CLI lists it and exits 1), and "rotate these now" makes a new, previewed job.
// Hand edits here come in every shape: a full write (kv put) and a merge (kv patch, which
// keeps the last rotation's fields) after the preview, one during the job, and one landing
// exactly between the job's read and its check-and-set write (held by a proxy).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { DATABASE_FILE } from '../../../src/main/services/container';
import { openDatabase } from '../../../src/main/services/storage/database';
import type { JobSummary } from '../../../src/shared/contracts/rotation';
import { isOverdue } from '../../../src/shared/rotation/rules';
import { createKvStore, type KvStore } from '../../../src/main/services/vault/kv';
import { createVaultClient, type VaultClient } from '../../../src/main/services/vault/vault-client';
import { startHoldingProxy } from '../helpers/holding-proxy';
import { loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, newService, rootClient, seed, tempDir } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;
const REPO = join(__dirname, '..', '..', '..');

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
});
afterAll(() => root?.close());

const smtp = (i: number) => `t-${String(i).padStart(6, '0')}/smtp/admin`;

/** `vault kv put`: a whole new version, by hand. */
async function handPut(kv: KvStore, path: string, password: string): Promise<number> {
  const cur = (await kv.read(path))!;
  return (await kv.write(path, { username: cur.data.username, webmail_url: cur.data.webmail_url, password })).version;
}

/** `vault kv patch`: a merge that changes the password and keeps every other field (the last rotation's too). */
async function handPatch(mount: string, path: string, password: string): Promise<number> {
  const r = await root.request<{ data: { version: number } }>('PATCH', `${mount}/data/${path}`, { data: { password } });
  return r.data.version;
}

describe('a bulk job and a hand edit', () => {
  it('never rotates a secret changed after the preview: the hand edits survive, each is reported, and "rotate these now" makes a new previewed job', async () => {
    const N = 12;
    const mount = await freshMount(root, 'rot-hand');
    const kv = createKvStore(root, mount);
    await seed(root, mount, N, 'rot-hand');
    const before = new Map<string, number>();
    for (let i = 1; i <= N; i++) before.set(smtp(i), (await kv.readMetadata(smtp(i)))!.currentVersion);

    let jobId = '';
    let duringJob: Promise<number> | null = null;
    const { service } = newService(root, mount, {
      progressEveryMs: 0,
      events: {
        emit: (_e, p) => {
          const j = p as JobSummary;
          // During the job, before it reaches t-000012 (one at a time, in path order).
          if (j.id === jobId && j.done >= 2 && !duringJob) duringJob = handPut(kv, smtp(12), 'hand-set-during-the-job-0123456789');
        },
      },
    });
    const preview = await service.preview({ mode: 'all', type: 'smtp' });
    expect(preview.total).toBe(N);
    // After the preview, before the start: a full write and a merge, both by hand.
    const v2 = await handPut(kv, smtp(2), 'hand-set-after-the-preview-0123456789');
    const v3 = await handPatch(mount, smtp(3), 'hand-patched-after-the-preview-012345');

    const job = await service.start(preview.previewId, preview.confirmPhrase, 'quarterly', 1);
    jobId = job.id;
    const end = await service.wait(job.id);
    const v12 = await duringJob!;
    expect(end).toMatchObject({ status: 'completed', total: N, done: N - 3, failed: 0, skipped: 0, changed: 3, remaining: 0 });

    // Each hand edit is what Vault holds: nothing was written on top of it.
    for (const [path, version, password] of [
      [smtp(2), v2, 'hand-set-after-the-preview-0123456789'],
      [smtp(3), v3, 'hand-patched-after-the-preview-012345'],
      [smtp(12), v12, 'hand-set-during-the-job-0123456789'],
    ] as const) {
      const now = (await kv.read(path))!;
      expect(now.version, path).toBe(version);
      expect(now.data.password, path).toBe(password);
      expect(now.data.rotation_job, path).toBeUndefined();
    }
    // Everything else: exactly one rotation by this job.
    for (let i = 1; i <= N; i++) {
      if ([2, 3, 12].includes(i)) continue;
      const now = (await kv.read(smtp(i)))!;
      expect(now.version, smtp(i)).toBe(before.get(smtp(i))! + 1);
      expect(now.data.rotation_job).toBe(job.id);
    }
    const report = service.report(job.id);
    expect(report.changedItems.map((c) => c.path)).toEqual([smtp(2), smtp(3), smtp(12)]);
    expect(report.changedItems[0]!.reason).toMatch(/^Changed since the preview: version 1 was previewed, version 2 is current \(written at .* outside a console rotation \(by hand or a script\)\)\. Not rotated; nothing was overwritten\.$/);
    // kv patch kept the seed's fields; the time Vault wrote the version still tells it was not a rotation.
    expect(report.changedItems[1]!.reason).toMatch(/outside a console rotation/);
    expect(report.skippedItems).toEqual([]);

    // "Rotate these now": a new job, previewed from Vault as they are now.
    const again = await service.preview({ mode: 'changed', jobId: job.id });
    expect(again).toMatchObject({ total: 3, source: 'vault', label: `Rotate what changed since the preview of ${job.id}` });
    expect(again.sample).toEqual([smtp(2), smtp(3), smtp(12)]);
    const second = await service.start(again.previewId, again.confirmPhrase, 'rotate the hand-set ones too', 2);
    expect(await service.wait(second.id)).toMatchObject({ status: 'completed', done: 3, changed: 0, failed: 0 });
    for (const [path, version] of [[smtp(2), v2], [smtp(3), v3], [smtp(12), v12]] as const) {
      const now = (await kv.read(path))!;
      expect(now.version, path).toBe(version + 1);
      expect(now.data.rotation_job).toBe(second.id);
    }
  }, 120_000);

  it('a hand edit landing between the job’s read and its write is reported, not overwritten (overdue job, read-first path)', async () => {
    const mount = await freshMount(root, 'rot-hand-race');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 10, 'rot-hand-race');
    // Every SSH key is overdue (they are read first: the grace list needs the old public key).
    const ssh: string[] = [];
    for (let i = 1; i <= 10; i++) {
      for (const leaf of ['admin', 'tenant']) {
        const path = `t-${String(i).padStart(6, '0')}/ssh/${leaf}`;
        await kv.writeMetadata(path, { customMetadata: { ...(await kv.readMetadata(path))!.customMetadata, status: 'active', next_rotation: '2020-01-01T00:00:00.000Z' } });
        ssh.push(path);
      }
    }
    const proxy = await startHoldingProxy(s.openbao.addr);
    const viaProxy = createVaultClient(connectionFromEnv({ VAULT_ADDR: proxy.addr }), s.openbao.rootToken);
    try {
      const { service } = newService(viaProxy, mount);
      const p = await service.preview({ mode: 'overdue', types: ['ssh'] });
      expect(p).toMatchObject({ total: 20, byType: { ssh: 20, smtp: 0, dkim: 0, api: 0 } });
      const victim = 't-000004/ssh/admin';
      const held = proxy.holdNext((m, path) => m === 'POST' && path === `${mount}/data/${victim}`);
      const job = await service.start(p.previewId, p.confirmPhrase, 'quarterly SSH', 4);
      // The job has read the key and is writing its new version: another admin writes first.
      const write = await held;
      const cur = (await kv.read(victim))!;
      const handVersion = (await kv.write(victim, { ...cur.data, comment: 'replaced by hand during the job' })).version;
      write.release();
      const end = await service.wait(job.id);
      expect(end).toMatchObject({ status: 'completed', done: 19, changed: 1, failed: 0 });
      expect(service.report(job.id).changedItems).toEqual([
        { tenantId: 't-000004', path: victim, reason: expect.stringMatching(/^Changed while the job was rotating it .*nothing was overwritten\.$/) },
      ]);
      const after = (await kv.read(victim))!;
      expect(after.version).toBe(handVersion);
      expect(after.data.comment).toBe('replaced by hand during the job');
      expect(after.data.private_key).toBe(cur.data.private_key);
      // The others were rotated (and are no longer overdue).
      for (const path of ssh.filter((x) => x !== victim)) expect(isOverdue((await kv.readMetadata(path))!.customMetadata, Date.now()), path).toBe(false);
    } finally {
      viaProxy.close();
      await proxy.close();
    }
  }, 120_000);

  it('CLI: a hand edit during "rotate -all=smtp" is listed as CHANGED with exit 1, survives, and "rotate -changed=<job>" rotates it after a new preview', async () => {
    const N = 40;
    const mount = await freshMount(root, 'rot-hand-cli');
    const kv = createKvStore(root, mount);
    await seed(root, mount, N, 'rot-hand-cli');
    const dataDir = tempDir('rot-hand-cli-');
    const cli = (args: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'main', 'cli.ts'), ...args, `-mount=${mount}`, `-data-dir=${dataDir}`], {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    };
    const run = cli(['rotate', '-all=smtp', '-yes', '-concurrency=1', '-reason=quarterly']);
    // Once the job is under way (its own SQLite says so), the last tenant's password is set by hand.
    const last = smtp(N);
    let hand = -1;
    for (let i = 0; i < 3000 && hand < 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        const db = openDatabase(join(dataDir, DATABASE_FILE), { readonly: true });
        const n = (db.prepare("SELECT count(*) AS n FROM rotation_job_items WHERE state = 'done'").get() as { n: number }).n;
        db.close();
        if (n >= 1) hand = await handPut(kv, last, 'set-by-hand-while-the-cli-ran-012345');
      } catch {
        // Not created yet.
      }
    }
    const r = await run;
    expect(hand).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`done=${N - 1} failed=0 skipped=0 changed=1 remaining=0`));
    expect(r.stdout).toMatch(/Changed since preview\s+1/);
    expect(r.stdout).toMatch(new RegExp(`CHANGED ${last}  Changed since the preview: version 1 was previewed, version 2 is current`));
    const jobId = /rotate -changed=(job-\d{8}-[0-9a-f]{8}) -yes/.exec(r.stdout)?.[1];
    expect(jobId).toBeDefined();
    expect((await kv.read(last))!).toMatchObject({ version: hand, data: { password: 'set-by-hand-while-the-cli-ran-012345' } });

    const again = await cli(['rotate', `-changed=${jobId}`, '-yes']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`[rotate] Rotate what changed since the preview of ${jobId}: 1 secret(s) in 1 tenant(s)`);
    expect((await kv.read(last))!.version).toBe(hand + 1);
  }, 180_000);
});
