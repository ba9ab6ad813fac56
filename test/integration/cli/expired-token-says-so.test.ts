// Issue 13, item 15: an expired or revoked token said "Permission denied (GET
// auth/token/lookup-self)" or similar, differently in each command. Every command now says
// what it is and what to do, in one line, whether the token came from VAULT_TOKEN or from a
// `vault-console login` kept in the keychain; a valid token that merely lacks a permission
// still says "Permission denied".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';
import { oneErrorLine, runCli } from './run-cli';

const REJECTED = 'Error: the token is invalid, expired or revoked; run vault-console login [UNAUTHENTICATED]';
let s: ServicesState;
let dir: string;

async function childToken(policies: string[], ttl = '1h'): Promise<string> {
  const r = await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', { body: { policies, ttl, no_default_policy: false } });
  expect(r.status).toBe(200);
  return r.body.auth.client_token;
}

beforeAll(async () => {
  s = await loadTestServices();
  dir = mkdtempSync(join(tmpdir(), 'cli-token-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a token Vault no longer accepts', () => {
  it('VAULT_TOKEN revoked: every command that needs a token says so in the same line', async () => {
    const token = await childToken(['vault-console-admin']);
    expect((await baoFetch(s, 'POST', 'auth/token/revoke', { body: { token } })).status).toBe(204);
    const env = {
      VAULT_ADDR: s.openbao.addr,
      VAULT_TOKEN: token,
      VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount,
      VAULT_CONSOLE_DATA_DIR: dir,
      VAULT_CONSOLE_BACKUP_BUCKET: 'cli-token-test',
      VAULT_CONSOLE_S3_ENDPOINT: s.s3!.endpoint,
      AWS_REGION: s.s3!.region,
      AWS_ACCESS_KEY_ID: s.s3!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.s3!.secretAccessKey,
    };
    const commands = [
      ['tenants', 'sync'],
      ['seed', '-tenants=1', '-mount=cli-token-never-written'],
      ['backup', 'list'],
      ['backup', 'run'],
      ['rotate', 't-000001', 'smtp', '-reason=token test'],
      ['emergency-reset', 't-000001', 'smtp', '-incident=INC-2026-0001'],
    ];
    for (const args of commands) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(oneErrorLine(r), args.join(' ')).toBe(REJECTED);
    }
    // status still answers what needs no token, and says why it is not signed in.
    const st = await runCli(['status', '-format=json'], env);
    expect(JSON.parse(st.stdout)).toMatchObject({ sealed: false, signed_in: false });
    const table = await runCli(['status'], env);
    expect(table.stderr).toContain('the token is invalid, expired or revoked');
  }, 180_000);

  it('a keychain login that expired: the same line, and status says so', async () => {
    const username = `cli-expiry-${randomBytes(3).toString('hex')}`;
    const password = randomBytes(18).toString('base64url');
    const u = await baoFetch(s, 'POST', `auth/userpass/users/${username}`, { body: { password, token_policies: 'vault-console-admin', token_ttl: '3s', token_max_ttl: '3s' } });
    expect(u.status).toBe(204);
    const env = { VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount, VAULT_CONSOLE_DATA_DIR: dir };
    const login = await runCli(['login', `-username=${username}`], env, `${password}\n`);
    expect(login.code, login.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 4_000));
    const r = await runCli(['rotate', 't-000001', 'smtp', '-reason=token test'], env);
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toBe(REJECTED);
    await runCli(['logout'], env);
  }, 120_000);

  it('a valid token without the permission still says "Permission denied"', async () => {
    const token = await childToken(['default']);
    const r = await runCli(['tenants', 'sync'], { VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: token, VAULT_CONSOLE_KV_MOUNT: s.openbao.kvMount, VAULT_CONSOLE_DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/^Error: Permission denied .*\[PERMISSION_DENIED\]$/);
  });
});
