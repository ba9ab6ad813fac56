// `vault-console audit source set|show|test`, `audit forward` and `audit query` with a
// VictoriaLogs source, as a user runs them (child process, real keychain, real
// VictoriaLogs with basic auth). The password comes from an owner-only file, goes to the
// keychain, and never shows in any output.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/services/storage/database';
import { startVictoriaLogs, type VictoriaLogsInstance } from '../../services/victorialogs/victorialogs';
import { runCli } from '../cli/run-cli';
import { FIXTURES } from './both-sources';

const PASSWORD = `vl-pass-${Date.now().toString(36)}-secret`;
let vl: VictoriaLogsInstance;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  vl = await startVictoriaLogs({ basicAuth: { username: 'auditor', password: PASSWORD } });
  dir = mkdtempSync(join(tmpdir(), 'vc-source-cli-'));
  const db = openDatabase(join(dir, 'vault-console.db'));
  db.prepare(`INSERT INTO connection_profiles (id, name, address, min_tls, kv_mount, created_at, updated_at) VALUES ('p-cli-${Date.now()}', 'Prod', 'https://vault.example', 'TLSv1.3', 'tenants', 't', 't')`).run();
  db.close();
  env = { VAULT_CONSOLE_DATA_DIR: dir };
}, 60_000);

afterAll(async () => {
  await vl?.stop();
});

describe('audit source and forward on the command line (real VictoriaLogs, real keychain)', () => {
  it('refuses a credential file others can read, and a password on the command line is not a flag', async () => {
    const open = join(dir, 'open.txt');
    writeFileSync(open, PASSWORD, { mode: 0o644 });
    chmodSync(open, 0o644);
    const r = await runCli(['audit', 'source', 'set', '-kind=victorialogs', `-url=${vl.url}`, '-auth=basic', '-auth-user=auditor', `-credential-file=${open}`], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/read by others/);
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
  });

  it('set, show, test, forward, then query and alerts read VictoriaLogs; the password never shows', async () => {
    const cred = join(dir, 'cred.txt');
    writeFileSync(cred, `${PASSWORD}\n`, { mode: 0o600 });
    const all: string[] = [];
    const run = async (args: string[]) => {
      const r = await runCli(args, env);
      all.push(r.stdout, r.stderr);
      return r;
    };
    const set = await run(['audit', 'source', 'set', '-kind=victorialogs', `-url=${vl.url}`, '-stream={vault_cluster="cli-test"}', '-auth=basic', '-auth-user=auditor', `-credential-file=${cred}`]);
    expect(set.code, set.stderr).toBe(0);
    const show = await run(['audit', 'source', 'show']);
    expect(show.stdout).toContain(`VictoriaLogs at 127.0.0.1:${vl.port} {vault_cluster="cli-test"}`);
    expect(show.stdout).toContain('credential in the keychain');
    const test = await run(['audit', 'source', 'test']);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^OK /);
    const fwd = await run(['audit', 'forward', `-file=${join(FIXTURES, 'openbao-2.4-audit.jsonl')}`, '-format=json']);
    expect(fwd.code, fwd.stderr).toBe(0);
    const sent = (JSON.parse(fwd.stdout) as { report: { sent: number } }).report.sent;
    expect(sent).toBeGreaterThan(20);
    const again = await run(['audit', 'forward', `-file=${join(FIXTURES, 'openbao-2.4-audit.jsonl')}`, '-format=json']);
    expect((JSON.parse(again.stdout) as { report: { sent: number } }).report.sent).toBe(0);
    await vl.flush();
    // The local store is empty: these answers come from VictoriaLogs.
    const q = await run(['audit', 'query', '-format=json', '-limit=1000']);
    expect(q.code, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { events: unknown[] }).events).toHaveLength(sent);
    const alerts = await run(['audit', 'alerts', '-format=json']);
    expect([0, 2]).toContain(alerts.code);
    expect(all.join('\n')).not.toContain(PASSWORD);
    expect(all.join('\n')).not.toContain(Buffer.from(`auditor:${PASSWORD}`).toString('base64'));
  });

  it('wrong credentials: "audit source test" says UNAUTHORIZED and exits 1; query fails with one clear line', async () => {
    const cred = join(dir, 'wrong.txt');
    writeFileSync(cred, 'not-the-password', { mode: 0o600 });
    expect((await runCli(['audit', 'source', 'set', '-kind=victorialogs', '-auth=basic', '-auth-user=auditor', `-credential-file=${cred}`], env)).code).toBe(0);
    const t = await runCli(['audit', 'source', 'test'], env);
    expect(t.code).toBe(1);
    expect(t.stdout).toMatch(/^UNAUTHORIZED .*refused the credentials \(HTTP 401\)/);
    const q = await runCli(['audit', 'query'], env);
    expect(q.code).not.toBe(0);
    expect(q.stderr).toMatch(/refused the credentials/);
  });
});
