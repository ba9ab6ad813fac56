// `vault-console enrolment` as an operator runs it: a child process, real OpenBao, a
// userpass token in VAULT_TOKEN (a grant needs the granting admin's Vault identity).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseValidity } from '../../../src/main/cli/enrolment';
import { createRevealUser, rootCaller } from '../reveal/reveal-fixtures';
import { loadTestServices, userpassLogin, type ServicesState } from '../helpers/services';
import { signedIn, type Account } from './enrolment-fixtures';

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'src', 'main', 'cli.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
let s: ServicesState;
let granter: Account;
let grantee: Account;
let dataDir: string;

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [TSX, CLI, ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', VAULT_ADDR: s.openbao.addr, VAULT_CONSOLE_DATA_DIR: dataDir, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  s = await loadTestServices();
  const call = rootCaller(s.openbao.addr, s.openbao.rootToken);
  [granter, grantee] = await Promise.all([createRevealUser(call, 'cli-granter'), createRevealUser(call, 'cli-grantee')]);
  // The grantee's identity exists from their first sign-in.
  const g = await signedIn(s.openbao.addr, s.openbao.kvMount, grantee);
  await g.session.logout();
  dataDir = mkdtempSync(join(tmpdir(), 'vc-enrol-cli-'));
}, 60_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('vault-console enrolment', () => {
  it('grants another admin an enrolment they see as ready, from the granting admin named by Vault', async () => {
    const token = await userpassLogin(s, granter.username, granter.password);
    const r = await cli(['enrolment', 'grant', grantee.username, '-valid=2h', '-format=json'], { VAULT_TOKEN: token });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { grant_id: string; username: string; expires_at: string };
    expect(out.username).toBe(grantee.username);
    const a = await signedIn(s.openbao.addr, s.openbao.kvMount, grantee);
    try {
      expect((await a.enrolment.status()).grants).toEqual([expect.objectContaining({ grantId: out.grant_id, grantedBy: granter.username, state: 'ready' })]);
    } finally {
      await a.session.logout();
    }
  });

  it('refuses a grant to yourself with one line and exit 1', async () => {
    const token = await userpassLogin(s, granter.username, granter.password);
    const r = await cli(['enrolment', 'grant', granter.username], { VAULT_TOKEN: token });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/granted by another admin/);
  });

  it('a token without a Vault identity cannot grant (root has none)', async () => {
    const r = await cli(['enrolment', 'grant', grantee.username], { VAULT_TOKEN: s.openbao.rootToken });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/belongs to a Vault identity/);
  });

  it('status shows your own factor', async () => {
    const token = await userpassLogin(s, grantee.username, grantee.password);
    const r = await cli(['enrolment', 'status'], { VAULT_TOKEN: token });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/second factor\s+not set up/);
    expect(r.stdout).toMatch(new RegExp(`from ${granter.username}, ready`));
  });

  it('validity: 15 minutes to 72 hours', () => {
    expect(parseValidity('90m')).toBe(90);
    expect(parseValidity('24h')).toBe(1440);
    expect(parseValidity('3d')).toBe(4320);
    expect(() => parseValidity('10m')).toThrow(/15m to 72h/);
    expect(() => parseValidity('4d')).toThrow(/15m to 72h/);
    expect(() => parseValidity('soon')).toThrow(/must look like/);
  });
});
