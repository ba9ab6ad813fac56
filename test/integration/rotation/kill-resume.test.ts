// The crash test: a bulk job runs in a real child process (the CLI under tsx) against
// the real OpenBao, is killed with SIGKILL in the middle, and `rotate -resume` in a new
// process finishes it. KV version numbers prove that no secret was rotated twice and
// none was skipped. Also the CLI's exit codes and bad input.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../src/main/services/container';
import { openDatabase } from '../../../src/main/services/storage/database';
import { createKvStore } from '../../../src/main/services/vault/kv';
import type { VaultClient } from '../../../src/main/services/vault/vault-client';
import { loadTestServices, type ServicesState } from '../helpers/services';
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

describe('a bulk job killed mid-job resumes in a new process', () => {
  it('rotates every SMTP credential exactly once across a SIGKILL', async () => {
    const N = 300;
    const mount = await freshMount(root, 'rot-kill');
    const kv = createKvStore(root, mount);
    await seed(root, mount, N, 'rot-kill');
    const dataDir = tempDir('rot-kill-');
    const dbPath = join(dataDir, DATABASE_FILE);

    const first = cli(['rotate', '-all=smtp', '-yes', '-concurrency=1', `-mount=${mount}`, `-data-dir=${dataDir}`, '-reason=crash test']);
    // Watch the job's own SQLite file and kill the process once a third of the items are done.
    let killedAt = -1;
    let watch: ReturnType<typeof openDatabase> | null = null;
    for (let i = 0; i < 3000 && killedAt < 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        watch ??= openDatabase(dbPath, { readonly: true });
        const row = watch.prepare("SELECT count(*) AS n FROM rotation_job_items WHERE state = 'done'").get() as { n: number };
        if (row.n >= N / 4) {
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

    const second = await cli(['rotate', '-resume', `-mount=${mount}`, `-data-dir=${dataDir}`, '-format=json']).done;
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`job ${job.id} resumed`);
    const report = JSON.parse(second.stdout) as { status: string; done: number; failed: number; skipped: number; total: number };
    expect(report).toMatchObject({ status: 'completed', total: N, done: N, failed: 0, skipped: 0 });

    // Vault's own version numbers: every secret went from v1 to v2, by this job, once.
    const ids = (await kv.list('')).filter((k) => k.endsWith('/')).map((k) => k.slice(0, -1));
    expect(ids.length).toBe(N);
    for (const t of ids) {
      const m = (await kv.readMetadata(`${t}/smtp/admin`))!;
      expect(m.currentVersion, t).toBe(2);
      const d = (await kv.read(`${t}/smtp/admin`))!;
      expect(d.data.rotation_job).toBe(job.id);
      expect(m.customMetadata.rotation_id).toBe(d.data.rotation_id);
    }
  }, 180_000);
});

describe('CLI', () => {
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
