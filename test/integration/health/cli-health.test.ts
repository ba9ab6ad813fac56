// `vault-console login / logout / status / unseal` as a user runs them: a child
// process, the real OpenBao, the real keychain (with-keyring.sh), secrets on stdin.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sealOpenBao, unsealOpenBao } from '../../services/openbao/openbao';
import { health } from '../../services/openbao/openbao-api';
import { waitFor } from '../../services/openbao/process';
import { baoFetch, loadTestServices, type ServicesState } from '../helpers/services';

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'src', 'main', 'cli.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
let s: ServicesState;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [TSX, CLI, ...args],
      {
        // The keychain's D-Bus session, nothing else from ours (no developer VAULT_TOKEN).
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? '',
          VAULT_ADDR: s.openbao.addr,
          ...opts.env,
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(opts.stdin ?? '');
  });
}

beforeAll(async () => {
  s = await loadTestServices();
});

afterEach(async () => {
  await cli(['logout']);
  await baoFetch(s, 'PUT', 'sys/unseal', { token: null, body: { reset: true } });
  if ((await health(s.openbao.addr)).sealed) await unsealOpenBao(s.openbao);
  await waitFor('OpenBao active', async () => (await health(s.openbao.addr)).status === 200, { timeoutMs: 30_000 });
});

describe('vault-console login / status / logout', () => {
  it('logs in with a password from stdin, status then checks every card from the keychain session, logout ends it', async () => {
    const login = await cli(['login', '-username=admin', '-format=json'], { stdin: `${s.openbao.users.admin.password}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ signed_in: true, display_name: expect.stringContaining('admin') });
    // The password never comes back out.
    expect(login.stdout + login.stderr).not.toContain(s.openbao.users.admin.password);

    const st = await cli(['status', '-format=json']);
    const j = JSON.parse(st.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ sealed: false, signed_in: true, token_source: 'keychain', leader_address: s.openbao.addr, storage_type: 'raft' });
    expect(j.storage).toMatchObject({ tone: 'green', method: 'autopilot' });
    expect(j.last_backup).toMatchObject({ tone: 'red', at: null });
    // No backup recorded yet, so not everything is green: exit 2.
    expect(j.overall).toBe('red');
    expect(st.code).toBe(2);

    const table = await cli(['status']);
    expect(table.stdout).toMatch(/^Last Backup\s+No backup recorded \[red\]$/m);
    expect(table.stdout).toMatch(/^Storage\s+Raft \(integrated storage\): healthy \[green\]$/m);

    const out = await cli(['logout']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Signed out');
    const after = await cli(['status', '-format=json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ signed_in: false, overall: 'green' });
    expect(after.code).toBe(0);
  });

  it('a wrong password gives one clear line and stores nothing', async () => {
    const r = await cli(['login', '-username=admin'], { stdin: 'wrong-password\n' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error: Wrong username or password. [UNAUTHENTICATED]');
    const st = await cli(['status', '-format=json']);
    expect(JSON.parse(st.stdout)).toMatchObject({ signed_in: false });
  });

  it('without a keychain, login is refused before asking for the password', async () => {
    const r = await cli(['login', '-username=admin'], { stdin: `${s.openbao.users.admin.password}\n`, env: { DBUS_SESSION_BUS_ADDRESS: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/OS keychain unavailable.*\[KEYCHAIN_UNAVAILABLE\]/);
    expect(r.stderr).not.toContain('Password');
  });

  it('logs in with a token from stdin', async () => {
    // A child token: logout revokes it, and the shared root token must survive.
    const created = await baoFetch<{ auth: { client_token: string } }>(s, 'POST', 'auth/token/create', { body: { policies: ['vault-console-auditor'], ttl: '10m' } });
    const token = created.body.auth.client_token;
    const r = await cli(['login', '-method=token', '-format=json'], { stdin: `${token}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(token);
    expect(JSON.parse(r.stdout)).toMatchObject({ signed_in: true, method: 'token' });
  });
});

describe('vault-console unseal', () => {
  it('reads one share per run from stdin and reports progress; exits 0 once unsealed', async () => {
    await sealOpenBao(s.openbao);
    const keys = s.openbao.unsealKeys;
    const r1 = await cli(['unseal', '-format=json'], { stdin: `${keys[0]}\n` });
    expect(r1.code).toBe(2);
    expect(JSON.parse(r1.stdout)).toMatchObject({ sealed: true, progress: 1, t: 3, n: 5 });
    expect(r1.stdout + r1.stderr).not.toContain(keys[0]!);

    const bad = await cli(['unseal'], { stdin: 'not a share\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not an unseal key share.*\[BAD_INPUT\]/);
    expect((await baoFetch<{ progress: number }>(s, 'GET', 'sys/seal-status', { token: null })).body.progress).toBe(1);

    await cli(['unseal'], { stdin: `${keys[1]}\n` });
    const r3 = await cli(['unseal'], { stdin: `${keys[2]}\n` });
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stdout).toMatch(/^Sealed\s+false$/m);
  });

  it('refuses a share given as an argument (it would stay in the shell history)', async () => {
    const r = await cli(['unseal', s.openbao.unsealKeys[0]!]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not taken as an argument/);
    expect(r.stderr).not.toContain(s.openbao.unsealKeys[0]!);
  });
});
