// `vault-console backup` as the systemd timer runs it: a child process with only
// environment configuration, the catalog read back from S3 manifests.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../services/openbao/process';
import { loadTestServices, userpassLogin, type ServicesState } from '../helpers/services';
import { newBucket } from './backup-helpers';

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'src', 'main', 'cli.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let s: ServicesState;
let env: Record<string, string>;

function cli(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [TSX, CLI, 'backup', ...args], { env: { ...env, ...extra }, timeout: 120_000 }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  s = await loadTestServices();
  const bucket = await newBucket(s);
  const token = await userpassLogin(s, s.openbao.users.admin.username, s.openbao.users.admin.password);
  env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    VAULT_ADDR: s.openbao.addr,
    VAULT_TOKEN: token,
    VAULT_CONSOLE_BACKUP_BUCKET: bucket,
    VAULT_CONSOLE_S3_ENDPOINT: s.s3!.endpoint,
    AWS_REGION: s.s3!.region,
    AWS_ACCESS_KEY_ID: s.s3!.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s.s3!.secretAccessKey,
  };
}, 30_000);

describe('vault-console backup', () => {
  it('runs a backup, and a second process lists it from the manifests in S3', async () => {
    const run = await cli(['run', '-format=json']);
    expect(run.code, run.stderr).toBe(0);
    const rec = JSON.parse(run.stdout) as { id: string; status: string; kind: string; sha256: string };
    expect(rec).toMatchObject({ status: 'completed', kind: 'raft' });
    const list = await cli(['list', '-format=json']);
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: string; sha256: string; actor: string }[];
    expect(rows.find((r) => r.id === rec.id)).toMatchObject({ sha256: rec.sha256, actor: expect.stringMatching(/^cli:/) });
    const table = await cli(['list']);
    expect(table.stdout).toContain(rec.id);
  }, 120_000);

  it('exits non-zero with the reason on one line when S3 is unreachable', async () => {
    const port = await freeLoopbackPort();
    const r = await cli(['run'], { VAULT_CONSOLE_S3_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Status\s+failed/);
    expect(r.stdout).toMatch(/S3 is unreachable/);
  }, 60_000);

  it('refuses a restore whose confirmation does not repeat the id', async () => {
    const r = await cli(['restore', '-id=20260101T000000Z-abcdef', '-confirm=yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/-confirm=20260101T000000Z-abcdef/);
  }, 60_000);

  it('refuses to start without a bucket', async () => {
    const r = await cli(['list'], { VAULT_CONSOLE_BACKUP_BUCKET: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/VAULT_CONSOLE_BACKUP_BUCKET is not set \[BAD_INPUT\]/);
  });
});
