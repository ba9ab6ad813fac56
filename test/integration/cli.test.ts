// The CLI as a user runs it: a child process (tsx), real OpenBao, exit codes and
// exactly one stderr line for every failure we promise to explain.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealOpenBao, unsealOpenBao } from '../services/openbao/openbao';
import { baoFetch, loadTestServices, type ServicesState } from './helpers/services';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'src', 'main', 'cli.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
let s: ServicesState;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [TSX, CLI, ...args],
      // A clean environment: no developer VAULT_TOKEN leaks into a test.
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function oneErrorLine(r: RunResult): string {
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+/); // no stack frames
  return lines[0]!;
}

/** A loopback port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

beforeAll(async () => {
  s = await loadTestServices();
});

describe('vault-console status', () => {
  it('prints JSON and exits 0 on an unsealed server (-format=json)', async () => {
    const r = await cli(['status', '-format=json'], { VAULT_ADDR: s.openbao.addr });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ sealed: false, initialized: true, standby: false, t: s.openbao.threshold });
    expect(j.version).toBe(s.openbao.version);
    expect(typeof j.cluster_name).toBe('string');
  });

  it('accepts the GNU flag form (--format json) and prints a table by default', async () => {
    const j = await cli(['status', '--format', 'json'], { VAULT_ADDR: s.openbao.addr });
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toHaveProperty('sealed', false);
    const t = await cli(['status'], { VAULT_ADDR: s.openbao.addr });
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^Sealed\s+false$/m);
    expect(t.stdout).toMatch(/^HA Mode\s+active$/m);
  });

  it('exits 1 with one line naming the reason when VAULT_ADDR is unreachable', async () => {
    const r = await cli(['status'], { VAULT_ADDR: `http://127.0.0.1:${await deadPort()}` });
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/^Error: Vault is unreachable .*ECONNREFUSED.*\[VAULT_UNREACHABLE\]$/);
    expect(r.stdout).toBe('');
  });

  it('exits 1 with one line for a malformed VAULT_ADDR', async () => {
    const r = await cli(['status'], { VAULT_ADDR: 'not a url' });
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/not a URL.*\[BAD_INPUT\]/);
  });

  describe('on a sealed server', () => {
    // Sealing the shared server is safe: integration files run one at a time.
    beforeAll(async () => {
      await sealOpenBao({ addr: s.openbao.addr, rootToken: s.openbao.rootToken });
    });
    afterAll(async () => {
      await unsealOpenBao({ addr: s.openbao.addr, unsealKeys: s.openbao.unsealKeys, threshold: s.openbao.threshold });
    });

    it('status exits 2 and reports sealed in JSON', async () => {
      const r = await cli(['status', '-format=json'], { VAULT_ADDR: s.openbao.addr });
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ sealed: true, progress: 0, t: s.openbao.threshold });
    });

    it('seed exits 1 with one line saying Vault is sealed', async () => {
      const r = await cli(['seed', '--tenants', '1'], { VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken });
      expect(r.code).toBe(1);
      expect(oneErrorLine(r)).toMatch(/sealed.*\[VAULT_SEALED\]/);
    });
  });
});

describe('vault-console seed', () => {
  const mount = `cli-it-${Date.now().toString(36)}`;
  afterAll(async () => {
    await baoFetch(s, 'DELETE', `sys/mounts/${mount}`);
  });

  it('seeds tenants, progress on stderr, JSON summary on stdout', async () => {
    const r = await cli(['seed', '--tenants', '4', '--concurrency', '2', '--mount', mount, '-create-mount', '-dkim-pool=2', '-format=json'], {
      VAULT_ADDR: s.openbao.addr,
      VAULT_TOKEN: s.openbao.rootToken,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ mount, requested: 4, written: 4, skipped: 0 });
    expect(r.stderr).toMatch(/\[seed\] seeding 4 of 4 tenants \(100 %\) · [\d.–]+ tenants\/s · done in \d+ s/);
    // Progress names tenants, never a value.
    expect(r.stderr).not.toMatch(/PRIVATE KEY|password|pm_live_/i);
    const again = await cli(['seed', '--tenants', '4', '--mount', mount, '-format=json'], { VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken });
    expect(JSON.parse(again.stdout)).toMatchObject({ written: 0, skipped: 4 });
  });

  it('refuses a bad token in one line', async () => {
    const r = await cli(['seed', '--tenants', '1'], { VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: 's.notARealToken000000000000' });
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toBe('Error: the token is invalid, expired or revoked; run vault-console login [UNAUTHENTICATED]');
  });

  it('refuses a missing token in one line', async () => {
    const r = await cli(['seed', '--tenants', '1'], { VAULT_ADDR: s.openbao.addr });
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toBe('Error: VAULT_TOKEN is not set [UNAUTHENTICATED]');
  });

  it('refuses a mount that is not KV v2 in one line', async () => {
    const r = await cli(['seed', '--tenants', '1', '--mount', 'no-such-mount'], { VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken });
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(/no KV v2 mount at no-such-mount\//);
  });

  it.each([
    [['seed', '--tenants', 'lots'], /-tenants expects an integer, got "lots"/],
    [['seed', '--tenants'], /-tenants needs a value/],
    [['seed', '--tenants=0'], /at least 1/],
    [['seed', '--tenants=3', '--concurrency=-1'], /-concurrency must be at least 1/],
    [['seed', '--frobnicate'], /unknown flag -frobnicate/],
    [['status', '-format=yaml'], /one of table, json/],
    [['status', 'extra'], /unexpected argument "extra"/],
    [['launch-missiles'], /unknown command "launch-missiles"/],
  ])('malformed input %j exits 1 with one line', async (args, msg) => {
    const r = await cli(args, { VAULT_ADDR: s.openbao.addr, VAULT_TOKEN: s.openbao.rootToken });
    expect(r.code).toBe(1);
    expect(oneErrorLine(r)).toMatch(msg);
  });
});
