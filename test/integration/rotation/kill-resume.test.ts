// The crash test: a bulk job runs in a real child process (the CLI under tsx) against
// the real OpenBao, is killed with SIGKILL in the middle, and then either `rotate -resume`
// in a new process finishes it, or the console (the app's services on the same data dir)
// finishes it by itself at sign-in. KV version numbers prove that no secret was rotated
// twice and none was skipped. Also the CLI's exit codes and bad input.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionFromEnv } from '../../../src/main/services/config/app-config';
import { createServices, DATABASE_FILE } from '../../../src/main/services/container';
import { MemorySecretStore } from '../../../src/main/services/keychain/memory-secret-store';
import type { JobSummary } from '../../../src/shared/contracts/rotation';
import { openDatabase } from '../../../src/main/services/storage/database';
import { createKvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { freshMount, rootClient, seed, tempDir } from './rotation-helpers';

let s: ServicesState;
let root: VaultClient;
const REPO = join(__dirname, '..', '..', '..');

beforeAll(async () => {
  s = await loadTestServices();
  root = rootClient(s);
});
afterAll(() => root?.close());

function cli(args: string[], env: Record<string, string> = {}) {
  // `node --import tsx`, not the tsx binary: that one runs the script in a grandchild, which SIGKILL would miss.
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'main', 'cli.ts'), ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Starts `rotate -all=smtp` in a child process and SIGKILLs it once a quarter of the items are done. */
async function startAndKill(mount: string, dataDir: string, n: number): Promise<{ jobId: string }> {
  const dbPath = join(dataDir, DATABASE_FILE);
  const first = cli(['rotate', '-all=smtp', '-yes', '-concurrency=1', `-mount=${mount}`, `-data-dir=${dataDir}`, '-reason=crash test']);
  // Watch the job's own SQLite file and kill the process once a quarter of the items are done.
  let killedAt = -1;
  let watch: ReturnType<typeof openDatabase> | null = null;
  for (let i = 0; i < 3000 && killedAt < 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    try {
      watch ??= openDatabase(dbPath, { readonly: true });
      const row = watch.prepare("SELECT count(*) AS n FROM rotation_job_items WHERE state = 'done'").get() as { n: number };
      if (row.n >= n / 4) {
        first.child.kill('SIGKILL');
        killedAt = row.n;
      }
    } catch {
      // The database or its tables do not exist yet.
    }
  }
  watch?.close();
  const r1 = await first.done;
  expect(r1.signal).toBe('SIGKILL');
  expect(killedAt).toBeGreaterThan(0);

  const db = openDatabase(dbPath, { readonly: true });
  const job = db.prepare('SELECT id, status FROM rotation_jobs').get() as { id: string; status: string };
  const states = db.prepare('SELECT state, count(*) AS n FROM rotation_job_items GROUP BY state').all() as { state: string; n: number }[];
  db.close();
  expect(job.status).toBe('running'); // the process died; nobody marked it
  const left = states.filter((x) => x.state !== 'done').reduce((a, x) => a + x.n, 0);
  expect(left).toBeGreaterThan(0);
  return { jobId: job.id };
}

/** Vault's own version numbers: every secret went from v1 to v2, by this job, once. */
async function expectEachRotatedOnce(mount: string, n: number, jobId: string): Promise<void> {
  const kv = createKvStore(root, mount);
  const ids = (await kv.list('')).filter((k) => k.endsWith('/')).map((k) => k.slice(0, -1));
  expect(ids.length).toBe(n);
  for (const t of ids) {
    const m = (await kv.readMetadata(`${t}/smtp/admin`))!;
    expect(m.currentVersion, t).toBe(2);
    const d = (await kv.read(`${t}/smtp/admin`))!;
    expect(d.data.rotation_job).toBe(jobId);
    expect(m.customMetadata.rotation_id).toBe(d.data.rotation_id);
  }
}

describe('a bulk job killed mid-job', () => {
  it('resumes in a new process with "rotate -resume": every SMTP credential rotated exactly once across a SIGKILL', async () => {
    const N = 300;
    const mount = await freshMount(root, 'rot-kill');
    await seed(root, mount, N, 'rot-kill');
    const dataDir = tempDir('rot-kill-');
    const { jobId } = await startAndKill(mount, dataDir, N);

    const second = await cli(['rotate', '-resume', `-mount=${mount}`, `-data-dir=${dataDir}`, '-format=json']).done;
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`job ${jobId} resumed`);
    const report = JSON.parse(second.stdout) as { status: string; done: number; failed: number; skipped: number; total: number };
    expect(report).toMatchObject({ status: 'completed', total: N, done: N, failed: 0, skipped: 0 });
    await expectEachRotatedOnce(mount, N, jobId);
  }, 180_000);

  it('resumes by itself when the console starts on the same data and the same person signs in', async () => {
    const N = 200;
    const mount = await freshMount(root, 'rot-auto');
    await seed(root, mount, N, 'rot-auto');
    const dataDir = tempDir('rot-auto-');
    const { jobId } = await startAndKill(mount, dataDir, N);

    // The console starts: what the app builds (createServices) on the data dir the job lives in.
    const events: JobSummary[] = [];
    const services = createServices({
      connection: connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount }),
      shell: 'harness',
      appVersion: 'test',
      platform: process.platform,
      dataDir,
      secretStore: new MemorySecretStore(),
      openExternal: async () => undefined,
      events: { emit: (e, p) => e === 'rotation:job-progress' && events.push(p as JobSummary) },
    });
    try {
      // Before anyone signs in the job waits, marked interrupted.
      expect(services.rotation.summary(jobId).status).toBe('interrupted');
      await new Promise((r) => setTimeout(r, 300));
      expect(services.rotation.summary(jobId).status).toBe('interrupted');
      // Signing in (the same identity as the CLI's token) resumes it, with no click.
      await services.session.loginToken(s.openbao.rootToken);
      expect(services.rotation.summary(jobId).status).toBe('running');
      const end = await services.rotation.wait(jobId);
      expect(end).toMatchObject({ status: 'completed', total: N, done: N, failed: 0, skipped: 0 });
      // The UI is told: the job's progress events, from running to completed.
      expect(events.filter((e) => e.id === jobId).map((e) => e.status)).toEqual(expect.arrayContaining(['running', 'completed']));
      await expectEachRotatedOnce(mount, N, jobId);
    } finally {
      await services.dispose();
    }
  }, 180_000);

  it('a job that another person started, or that the user paused, waits for an explicit resume', async () => {
    const N = 100;
    const mount = await freshMount(root, 'rot-noauto');
    await seed(root, mount, N, 'rot-noauto');
    const dataDir = tempDir('rot-noauto-');
    const { jobId } = await startAndKill(mount, dataDir, N);
    const setRow = (sql: string, ...params: unknown[]) => {
      const rw = openDatabase(join(dataDir, DATABASE_FILE));
      rw.prepare(sql).run(...params);
      rw.close();
    };
    const startConsole = () =>
      createServices({
        connection: connectionFromEnv({ VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: mount }),
        shell: 'harness',
        appVersion: 'test',
        platform: process.platform,
        dataDir,
        secretStore: new MemorySecretStore(),
        openExternal: async () => undefined,
        events: { emit: () => undefined },
      });
    // Started by someone else: not resumed at this person's sign-in.
    setRow('UPDATE rotation_jobs SET actor = ? WHERE id = ?', 'someone-else (cli)', jobId);
    let services = startConsole();
    try {
      await services.session.loginToken(s.openbao.rootToken);
      expect(services.rotation.summary(jobId).status).toBe('interrupted');
    } finally {
      await services.dispose();
    }
    // Paused by the user: not resumed either.
    setRow("UPDATE rotation_jobs SET actor = 'root (cli)', status = 'paused', pause_reason = 'Paused by the user.' WHERE id = ?", jobId);
    services = startConsole();
    try {
      await services.session.loginToken(s.openbao.rootToken);
      expect(services.rotation.summary(jobId)).toMatchObject({ status: 'paused', pauseReason: 'Paused by the user.' });
      // Resume by hand works, with the same guarantees.
      services.rotation.resume(jobId);
      const end = await services.rotation.wait(jobId);
      expect(end).toMatchObject({ status: 'completed', done: N, failed: 0, skipped: 0 });
      await expectEachRotatedOnce(mount, N, jobId);
    } finally {
      await services.dispose();
    }
  }, 120_000);
});

describe('CLI', () => {
  it('bulk with the GNU flag forms: progress on stderr, the summary on stdout, and exit 1 when a secret may not be rotated (listed with why, never attempted)', async () => {
    const mount = await freshMount(root, 'rot-cli-bulk');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 12, 'rot-cli-bulk');
    // A token that may rotate every tenant's SMTP credential but t-000005's.
    const policy = `path "${mount}/metadata" { capabilities = ["list"] }
path "${mount}/metadata/*" { capabilities = ["read", "list", "patch", "update", "create"] }
path "${mount}/detailed-metadata/*" { capabilities = ["list"] }
path "${mount}/data/*" { capabilities = ["read", "create", "update", "patch"] }
path "${mount}/data/t-000005/*" { capabilities = ["read"] }`;
    await root.request('PUT', `sys/policies/acl/${mount}-cli`, { policy });
    const tok = await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', { body: { policies: [`${mount}-cli`], ttl: '10m' } });
    const dataDir = tempDir('rot-cli-bulk-');
    const r = await cli(['rotate', '--all', 'smtp', '--yes', '--reason', 'quarterly', '--mount', mount, '--data-dir', dataDir], { VAULT_TOKEN: tok.body.auth.client_token }).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\[rotate\] Rotate all SMTP credentials: 11 secret\(s\) in 11 tenant\(s\)/);
    expect(r.stderr).toContain('[rotate] left out: 1 secret(s) your policies do not allow you to rotate');
    expect(r.stderr).toMatch(/\[rotate\] 11\/11 done=11 failed=0 skipped=0 changed=0 remaining=0 rate=[\d.]+\/s/);
    expect(r.stdout).toMatch(/Status\s+completed/);
    expect(r.stdout).toMatch(/Rotated\s+11/);
    expect(r.stdout).toContain(`NOT-ALLOWED t-000005/smtp/admin  Your policies do not grant update on ${mount}/data/t-000005/smtp/admin.`);
    expect((await kv.readMetadata('t-000005/smtp/admin'))!.currentVersion).toBe(1);
    expect((await kv.readMetadata('t-000006/smtp/admin'))!.currentVersion).toBe(2);
    // Nothing failed nor left out: exit 0.
    const ok = await cli(['rotate', '--overdue', '--type', 'smtp', '--yes', '--mount', mount, '--data-dir', dataDir]).done;
    expect(ok.code).toBe(0);
  }, 120_000);

  it('rotate one secret prints the summary on stdout; bad input exits 1 with one line on stderr', async () => {
    const mount = await freshMount(root, 'rot-cli');
    const kv = createKvStore(root, mount);
    await seed(root, mount, 1, 'rot-cli');
    const dataDir = tempDir('rot-cli-');
    const base = [`-mount=${mount}`, `-data-dir=${dataDir}`];
    const ok = await cli(['rotate', 't-000001', 'ssh-admin', '-reason=cli test', ...base, '-format=json']).done;
    expect(ok.code).toBe(0);
    const r = JSON.parse(ok.stdout) as { version: number; fingerprint: string };
    expect((await kv.read('t-000001/ssh/admin'))!.data.fingerprint).toBe(r.fingerprint);

    const noReason = await cli(['rotate', 't-000001', 'smtp', ...base]).done;
    expect(noReason.code).toBe(1);
    expect(noReason.stderr.trim()).toBe('Error: rotate: -reason is required [BAD_INPUT]');
    const empty = await cli(['rotate', 't-000001', 'smtp', '-reason=  ', ...base]).done;
    expect(empty.stderr.trim()).toBe('Error: A reason is required. [BAD_INPUT]');
    const badIncident = await cli(['emergency-reset', 't-000001', 'smtp', '-incident=oops', ...base]).done;
    expect(badIncident.code).toBe(1);
    expect(badIncident.stderr).toMatch(/Malformed incident ID "oops"/);
    const reset = await cli(['emergency-reset', 't-000001', 'ssh', '-incident=INC-77', ...base]).done;
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('none (emergency reset: the old credential is invalid now)');
    const noYes = await cli(['rotate', '-overdue', '-type=smtp,api', ...base]).done;
    expect(noYes.stdout).toMatch(/Preview only|Nothing to rotate/);
    expect(noYes.stderr).toMatch(/\[rotate\] Rotate overdue secrets \(smtp, api\)/);
    expect((await kv.readMetadata('t-000001/smtp/admin'))!.currentVersion).toBe(1);
  }, 120_000);
});
