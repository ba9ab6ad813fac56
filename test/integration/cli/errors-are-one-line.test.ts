// Issue 13, item 14: the README promises one-line errors, but `tenants sync` on a sealed
// or unreachable Vault printed a progress line and a log line before `Error:`, and a
// failed `backup restore` printed 4-5 lines. Progress and log lines now reach stderr
// only when the command succeeds, or as they happen behind -verbose.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../services/openbao/process';
import { sealOpenBao, unsealOpenBao } from '../../services/openbao/openbao';
import { newBucket } from '../backup/backup-helpers';
import { baoFetch, loadTestServices, userpassLogin, type ServicesState } from '../helpers/services';
import { oneErrorLine, runCli } from './run-cli';

let s: ServicesState;
let dir: string;

beforeAll(async () => {
  s = await loadTestServices();
  dir = mkdtempSync(join(tmpdir(), 'cli-one-line-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('tenants sync', () => {
  it('on an unreachable Vault: one line', async () => {
    const env = { VAULT_ADDR: `http://127.0.0.1:${await freeLoopbackPort()}`, VAULT_TOKEN: 's.whatever000000000000000' };
    const r = await runCli(['tenants', 'sync', `-data-dir=${dir}`], env);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/^Error: Vault is unreachable .*\[VAULT_UNREACHABLE\]$/);
  });

  it('a sync that fails after it started: one line; with -verbose its progress and log lines come first', async () => {
    // A token that may look itself up but not list the tenants: the sync starts, then fails.
    const token = (await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', { body: { policies: ['default'], ttl: '10m' } })).body.auth.client_token;
    const env = { VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: token, VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount };
    const r = await runCli(['tenants', 'sync', `-data-dir=${dir}`], env);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/^Error: Permission denied .*\[PERMISSION_DENIED\]$/);
    const v = await runCli(['tenants', 'sync', `-data-dir=${dir}`, '-verbose'], env);
    expect(v.code).toBe(1);
    const lines = v.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.at(-1)).toMatch(/^Error: Permission denied/);
    expect(v.stderr).toMatch(/\[tenants\] listing/);
  });

  describe('on a sealed Vault', () => {
    // Sealing the shared server is safe: integration files run one at a time.
    beforeAll(async () => {
      await sealOpenBao({ addr: s.openbao.addr, rootToken: s.openbao.rootToken });
    });
    afterAll(async () => {
      await unsealOpenBao({ addr: s.openbao.addr, unsealKeys: s.openbao.unsealKeys, threshold: s.openbao.threshold });
    });

    it('one line saying Vault is sealed', async () => {
      const r = await runCli(['tenants', 'sync', `-data-dir=${dir}`], { VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken });
      expect(r.code).toBe(1);
      expect(oneErrorLine(r)).toMatch(/sealed.*\[VAULT_SEALED\]$/);
    });
  });

  it('a successful sync still shows its progress on stderr and the summary on stdout', async () => {
    const r = await runCli(['tenants', 'sync', `-data-dir=${dir}`, '-format=json'], { VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken, VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'done' });
    expect(r.stderr).toMatch(/^\[tenants\] /m);
  });
});

describe('backup restore', () => {
  it('a restore that fails after it started prints one line', async () => {
    const bucket = await newBucket(s);
    const token = await userpassLogin(s, s.openbao.users.admin.username, s.openbao.users.admin.password);
    const env = {
      VAULT_ADDR: s.openbao.addr,
      VAULT_TOKEN: token,
      VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount,
      VAULT_CONSOLE_BACKUP_BUCKET: bucket,
      VAULT_CONSOLE_S3_ENDPOINT: s.s3!.endpoint,
      AWS_REGION: s.s3!.region,
      AWS_ACCESS_KEY_ID: s.s3!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.s3!.secretAccessKey,
    };
    const run = await runCli(['backup', 'run', '-kind=logical', '-format=json'], env);
    expect(run.code, run.stderr).toBe(0);
    const { id } = JSON.parse(run.stdout) as { id: string };
    // The backup is fine; the tenant is not in it: the restore streams, then fails.
    const r = await runCli(['backup', 'restore', `-id=${id}`, `-confirm=${id}`, '-scope=tenant', '-tenant=t-999999999'], env);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/^Error: .*\[[A-Z_]+\]$/);
    const v = await runCli(['backup', 'restore', `-id=${id}`, `-confirm=${id}`, '-scope=tenant', '-tenant=t-999999999', '-verbose'], env);
    expect(v.code).toBe(1);
    expect(v.stderr.split('\n').filter(Boolean).length).toBeGreaterThan(1);
    expect(v.stderr).toMatch(/\[backup\] restore/);
  }, 120_000);
});
