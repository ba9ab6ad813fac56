// Evidence packs through the CLI as an auditor uses it (child processes, the real OS
// keychain, Vault's real audit log imported offline): the signing key is created once and
// kept in the keychain; "evidence verify PACK -pubkey KEY" exits 0 on an intact pack and 2,
// naming the first broken record, on a flipped byte, a deleted line, a swapped pair, a
// truncation, or a pack rebuilt and re-signed with another key.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, manifestBytes, sha256Hex, type Manifest } from '../../../src/main/services/evidence/evidence-format';
import { loadTestServices, type ServicesState } from '../helpers/services';

const ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'src', 'main', 'cli.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'vc-evidence-cli-'));
let s: ServicesState;
let pack: string;
let key: string;
let records: number;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<RunResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [TSX, CLI, ...args],
      {
        // The keychain (gnome-keyring under with-keyring.sh) and nothing else from the developer's environment.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? '', VAULT_CONSOLE_DATA_DIR: join(dir, 'data') },
        timeout: 120_000,
      },
      (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function attacked(name: string, fn: (events: string[]) => string[]): string {
  const d = join(dir, name);
  cpSync(pack, d, { recursive: true });
  const lines = readFileSync(join(d, 'events.ndjson'), 'utf8').split('\n').slice(0, -1);
  writeFileSync(join(d, 'events.ndjson'), `${fn(lines).join('\n')}\n`);
  return d;
}

beforeAll(async () => {
  s = await loadTestServices();
  // Some traffic of its own in Vault's log, then an offline import into a fresh local store.
  for (let i = 0; i < 5; i++) await fetch(`${s.openbao.addr}/v1/${s.openbao.kvMount}/data/t-00077${i}/smtp/admin`, { headers: { 'X-Vault-Token': s.openbao.rootToken } });
  await new Promise((r) => setTimeout(r, 300));
  const imp = await cli(['audit', 'import', s.openbao.auditLogPath]);
  expect(imp.code, imp.stderr).toBe(0);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vault-console evidence', () => {
  it('creates the signing key once, in the OS keychain, and exports its public key and fingerprint', async () => {
    key = join(dir, 'console-key.pem');
    const a = await cli(['evidence', 'pubkey', `-out=${key}`]);
    expect(a.code, a.stderr).toBe(0);
    const fp = /Fingerprint: (SHA256:[A-Za-z0-9+/]{43})/.exec(a.stdout)?.[1];
    expect(fp).toBeTruthy();
    expect(readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const b = await cli(['evidence', 'pubkey']);
    expect(b.stdout).toContain(`Fingerprint: ${fp}`);
  });

  it('exports an audit query as a pack that verifies intact with the public key (exit 0)', async () => {
    pack = join(dir, 'reads.evidence');
    const e = await cli(['evidence', 'export', `-out=${pack}`, '-action=read']);
    expect(e.code, e.stderr).toBe(0);
    records = Number(/\[evidence\] (\d+) events/.exec(e.stderr)?.[1]);
    expect(records).toBeGreaterThanOrEqual(5);
    const v = await cli(['evidence', 'verify', pack, '-pubkey', key]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`^INTACT  ${records} record\\(s\\), audit-query, .*\\(the key given\\)`));
    const j = await cli(['evidence', 'verify', pack, '-pubkey', key, '-format=json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, signerChecked: true, records });
    // Without the key: integrity only, and it says so.
    const n = await cli(['evidence', 'verify', pack]);
    expect(n.code).toBe(0);
    expect(n.stdout).toMatch(/NOT checked against a trusted key/);
  });

  it('names the first broken record and exits 2 for each kind of tampering', async () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        'flipped',
        attacked('flipped', (l) => {
          // One bit of one byte inside the third event's path.
          const at = l[2]!.indexOf('"path":"') + 10;
          l[2] = l[2]!.slice(0, at) + String.fromCharCode(l[2]!.charCodeAt(at) ^ 1) + l[2]!.slice(at + 1);
          return l;
        }),
        /^BROKEN {2}Record 3 \(line 3\) was changed/,
      ],
      ['deleted', attacked('deleted', (l) => [...l.slice(0, 1), ...l.slice(2)]), /^BROKEN {2}Record 2 is missing/],
      ['swapped', attacked('swapped', (l) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)]), /^BROKEN {2}Record 2 is out of order/],
      ['truncated', attacked('truncated', (l) => l.slice(0, records - 2)), new RegExp(`^BROKEN  Record ${records - 1} is missing: the file ends after record ${records - 2}`)],
    ];
    for (const [name, d, want] of cases) {
      const r = await cli(['evidence', 'verify', d, '-pubkey', key]);
      expect(r.code, `${name}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stdout, name).toMatch(want);
    }
  });

  it('names a pack rebuilt and re-signed with another key (exit 2)', async () => {
    const d = attacked('resigned', (l) => {
      let prev = '0'.repeat(64);
      return l.slice(1).map((line, i) => {
        const body = `{"seq":${i + 1},"prev":"${prev}","event":${JSON.stringify((JSON.parse(line) as { event: unknown }).event)}`;
        prev = sha256Hex(body);
        return `${body},"hash":"${prev}"}`;
      });
    });
    const lines = readFileSync(join(d, 'events.ndjson'), 'utf8').trim().split('\n');
    const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')) as Manifest;
    const attacker = generateKeyPairSync('ed25519');
    m.events = { ...m.events, records: lines.length, chain_head: (JSON.parse(lines.at(-1)!) as { hash: string }).hash };
    m.signer = { algorithm: 'Ed25519', public_key: attacker.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), fingerprint: fingerprintOf(attacker.publicKey) };
    const mb = manifestBytes(m);
    writeFileSync(join(d, 'manifest.json'), mb);
    writeFileSync(join(d, 'manifest.sig'), `${sign(null, mb, attacker.privateKey).toString('base64')}\n`);
    const r = await cli(['evidence', 'verify', d, '-pubkey', key]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`^BROKEN  The manifest was signed by another key \\(${fingerprintOf(attacker.publicKey).replace(/[+/]/g, '\\$&')}\\)`));
  });

  it('refuses what is not a pack with one error line (exit 1)', async () => {
    const r = await cli(['evidence', 'verify', dir, '-pubkey', key]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Error: evidence verify: Not an evidence pack.*\[BAD_INPUT\]$/)]);
  });
});

describe('vault-console incident list (offline)', () => {
  it('lists what the root token read since a time from the local store', async () => {
    const r = await cli(['incident', 'list', '-user=root', '-since=2000-01-01', '-format=json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { secrets: Array<{ path: string; reads: number }>; vaultChecked: boolean };
    expect(j.vaultChecked).toBe(false);
    expect(j.secrets.length).toBeGreaterThanOrEqual(0);
    const bad = await cli(['incident', 'list', '-user=root']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/-since=TIME is required/);
  });
});
