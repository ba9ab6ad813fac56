// Security: an evidence pack taken off the workstation cannot be changed without the
// verifier naming where. Each attack on events.ndjson (a flipped byte anywhere in a line,
// a deleted line, a swapped pair, a cut-off end, an appended line, a record changed and
// re-hashed) and on the manifest (edited, or the whole pack rebuilt and re-signed with
// another key) is made on a real pack written by the console's writer.
import { generateKeyPairSync, sign } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NO_VAULT_DETAIL, type AuditRecord } from '../../../../../src/main/services/audit/audit-record';
import { EVENTS_FILE, fingerprintOf, manifestBytes, MANIFEST_FILE, publicKeyPem, SIGNATURE_FILE, sha256Hex, type Manifest } from '../../../../../src/main/services/evidence/evidence-format';
import { writePack } from '../../../../../src/main/services/evidence/pack-writer';
import { verifyPack } from '../../../../../src/main/services/evidence/pack-verifier';
import { EvidenceSigningKey, type SigningKey } from '../../../../../src/main/services/evidence/signing-key';
import { MemorySecretStore } from '../../../../../src/main/services/keychain/memory-secret-store';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';

const N = 40;
let base: string;
let pack: string;
let key: SigningKey;
let pem: string;

const rec = (i: number): AuditRecord => ({
  key: `v:req-${i}`,
  ts: Date.UTC(2026, 2, 1) + i * 1000,
  action: i % 5 === 0 ? 'reveal' : 'read',
  tenant: `t-00000${i % 4}`,
  user: i % 3 ? 'mallory' : 'alice',
  secretType: 'smtp',
  ip: '10.1.2.3',
  status: 'ok',
  path: `tenants/data/t-00000${i % 4}/smtp/admin`,
  source: 'vault',
  requestId: `req-${i}`,
  approvalId: null,
  error: null,
  ...NO_VAULT_DETAIL,
});

/** A fresh copy of the intact pack to attack. */
function copy(name: string): string {
  const dir = join(base, name);
  cpSync(pack, dir, { recursive: true });
  return dir;
}

function lines(dir: string): string[] {
  return readFileSync(join(dir, EVENTS_FILE), 'utf8').split('\n').slice(0, -1);
}

function writeLines(dir: string, ls: string[], trailingNewline = true): void {
  writeFileSync(join(dir, EVENTS_FILE), ls.join('\n') + (trailingNewline ? '\n' : ''));
}

function flipByte(dir: string, lineNo: number, offsetInLine: number): void {
  const buf = readFileSync(join(dir, EVENTS_FILE));
  let pos = 0;
  for (let l = 1; l < lineNo; l++) pos = buf.indexOf(10, pos) + 1;
  buf[pos + offsetInLine] = buf[pos + offsetInLine]! ^ 0x01;
  writeFileSync(join(dir, EVENTS_FILE), buf);
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'vc-evidence-'));
  const repo = new AuditRepo(openDatabase(':memory:'));
  repo.insertMany(Array.from({ length: N }, (_, i) => rec(i + 1)));
  key = await new EvidenceSigningKey(new MemorySecretStore()).key();
  pem = key.publicKeyPem;
  pack = join(base, 'intact.evidence');
  await writePack({ dir: pack, kind: 'audit-query', createdAt: '2026-03-02T00:00:00.000Z', query: { user: 'mallory' }, range: { from: null, to: null }, events: repo.chunks({}, 7), sources: [], files: [{ name: 'report.html', bytes: Buffer.from('<p>report</p>') }], key });
});

describe('an intact pack', () => {
  it('verifies with the signer key, and its records chain from the genesis to the signed head', async () => {
    const r = await verifyPack(pack, pem);
    expect(r.problem).toBeNull();
    expect(r).toMatchObject({ ok: true, signerChecked: true, records: N, fingerprint: key.fingerprint });
    const ls = lines(pack);
    expect(ls).toHaveLength(N);
    expect(JSON.parse(ls[0]!)).toMatchObject({ seq: 1, prev: '0'.repeat(64), event: { event_key: 'v:req-1', action: 'read' } });
    expect(JSON.parse(ls[1]!).prev).toBe(JSON.parse(ls[0]!).hash);
  });

  it('without a public key it verifies the integrity only, and says the signer was not checked', async () => {
    expect(await verifyPack(pack)).toMatchObject({ ok: true, signerChecked: false, fingerprint: key.fingerprint });
  });
});

describe('the verifier names the first broken record', () => {
  it('a flipped byte inside an event', async () => {
    const dir = copy('flip-event');
    flipByte(dir, 17, 120);
    const r = await verifyPack(dir, pem);
    expect(r.ok).toBe(false);
    expect(r.problem).toMatchObject({ kind: 'changed', record: 17, line: 17 });
    expect(r.problem!.message).toMatch(/Record 17 .*changed/);
  });

  it('a flipped byte in the stated hash, in prev, in seq, or in the fixed syntax', async () => {
    const ls = lines(pack);
    const at = (needle: string, line: number) => ls[line - 1]!.indexOf(needle);
    const cases: Array<[string, number, number, string]> = [
      ['hash', 9, at(',"hash":"', 9) + 20, 'changed'],
      ['prev', 23, at('"prev":"', 23) + 12, 'changed'],
      ['seq', 31, 7, 'changed'],
      ['syntax', 5, 2, 'malformed'],
    ];
    for (const [name, line, offset, kind] of cases) {
      const dir = copy(`flip-${name}`);
      flipByte(dir, line, offset);
      const r = await verifyPack(dir, pem);
      expect(r.problem, name).toMatchObject({ kind, record: line });
    }
  });

  it('a flipped newline (two records run together)', async () => {
    const dir = copy('flip-newline');
    const ls = lines(pack);
    flipByte(dir, 12, Buffer.byteLength(ls[11]!));
    expect((await verifyPack(dir, pem)).problem).toMatchObject({ record: 12 });
  });

  it('a deleted line', async () => {
    const dir = copy('deleted');
    const ls = lines(pack);
    ls.splice(20, 1); // record 21
    writeLines(dir, ls);
    const r = await verifyPack(dir, pem);
    expect(r.problem).toMatchObject({ kind: 'missing', record: 21, line: 21 });
    expect(r.problem!.message).toMatch(/Record 21 is missing/);
  });

  it('a reordered pair', async () => {
    const dir = copy('reordered');
    const ls = lines(pack);
    [ls[8], ls[9]] = [ls[9]!, ls[8]!]; // records 9 and 10
    writeLines(dir, ls);
    const r = await verifyPack(dir, pem);
    expect(r.problem).toMatchObject({ kind: 'out-of-order', record: 9, line: 9 });
    expect(r.problem!.message).toMatch(/Record 9 is out of order.*line 10/);
  });

  it('a truncation at a line end, and one inside a line', async () => {
    const a = copy('truncated-lines');
    writeLines(a, lines(pack).slice(0, 33));
    expect((await verifyPack(a, pem)).problem).toMatchObject({ kind: 'truncated', record: 34 });
    const b = copy('truncated-mid');
    const raw = readFileSync(join(pack, EVENTS_FILE));
    writeFileSync(join(b, EVENTS_FILE), raw.subarray(0, raw.length - 100));
    expect((await verifyPack(b, pem)).problem).toMatchObject({ kind: 'truncated', record: N });
  });

  it('an appended line, even one that chains on correctly', async () => {
    const dir = copy('appended');
    const ls = lines(pack);
    const last = JSON.parse(ls.at(-1)!) as { hash: string };
    const body = `{"seq":${N + 1},"prev":"${last.hash}","event":{"event_key":"forged"}`;
    ls.push(`${body},"hash":"${sha256Hex(body)}"}`);
    writeLines(dir, ls);
    expect((await verifyPack(dir, pem)).problem).toMatchObject({ kind: 'extra', record: N + 1 });
  });

  it('a record changed and re-hashed breaks the link to the next record', async () => {
    const dir = copy('rehashed');
    const ls = lines(pack);
    const r14 = JSON.parse(ls[13]!) as { seq: number; prev: string; event: Record<string, unknown> };
    const body = `{"seq":14,"prev":"${r14.prev}","event":${JSON.stringify({ ...r14.event, user: 'someone-else' })}`;
    ls[13] = `${body},"hash":"${sha256Hex(body)}"}`;
    writeLines(dir, ls);
    const r = await verifyPack(dir, pem);
    expect(r.problem).toMatchObject({ kind: 'chain', record: 15 });
    expect(r.problem!.message).toMatch(/record 14 was changed and re-hashed/);
  });

  it('the last record replaced and re-hashed no longer ends in the signed chain head', async () => {
    const dir = copy('last-replaced');
    const ls = lines(pack);
    const last = JSON.parse(ls.at(-1)!) as { prev: string; event: Record<string, unknown> };
    const body = `{"seq":${N},"prev":"${last.prev}","event":${JSON.stringify({ ...last.event, path: 'elsewhere' })}`;
    ls[N - 1] = `${body},"hash":"${sha256Hex(body)}"}`;
    writeLines(dir, ls);
    expect((await verifyPack(dir, pem)).problem).toMatchObject({ kind: 'head', record: N });
  });
});

describe('the manifest and the other files', () => {
  it('an edited manifest fails its signature', async () => {
    const dir = copy('manifest-edited');
    const text = readFileSync(join(dir, MANIFEST_FILE), 'utf8').replace('"mallory"', '"alice"');
    writeFileSync(join(dir, MANIFEST_FILE), text);
    expect((await verifyPack(dir, pem)).problem).toMatchObject({ kind: 'signature' });
    expect((await verifyPack(dir)).problem).toMatchObject({ kind: 'signature' });
  });

  it('a pack rebuilt and re-signed with another key is named as signed by that key, not the console', async () => {
    const dir = copy('resigned');
    // The attacker drops record 5, rebuilds the chain and the manifest, and signs with their own key.
    const ls = lines(pack).map((l) => JSON.parse(l) as { event: unknown });
    ls.splice(4, 1);
    let prev = '0'.repeat(64);
    const out = ls.map((r, i) => {
      const body = `{"seq":${i + 1},"prev":"${prev}","event":${JSON.stringify(r.event)}`;
      prev = sha256Hex(body);
      return `${body},"hash":"${prev}"}`;
    });
    writeLines(dir, out);
    const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
    const attacker = generateKeyPairSync('ed25519');
    m.events = { ...m.events, records: out.length, chain_head: prev, bytes: readFileSync(join(dir, EVENTS_FILE)).length };
    m.signer = { algorithm: 'Ed25519', public_key: attacker.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), fingerprint: fingerprintOf(attacker.publicKey) };
    const mb = manifestBytes(m);
    writeFileSync(join(dir, MANIFEST_FILE), mb);
    writeFileSync(join(dir, SIGNATURE_FILE), `${sign(null, mb, attacker.privateKey).toString('base64')}\n`);
    const r = await verifyPack(dir, pem);
    expect(r.ok).toBe(false);
    expect(r.problem).toMatchObject({ kind: 'other-signer' });
    expect(r.problem!.message).toContain(fingerprintOf(attacker.publicKey));
    expect(r.problem!.message).toContain(key.fingerprint);
    // Without the trusted key only integrity can be shown: the verifier says whose key signed.
    expect(await verifyPack(dir)).toMatchObject({ ok: true, signerChecked: false, fingerprint: fingerprintOf(attacker.publicKey) });
    expect(publicKeyPem(attacker.publicKey)).not.toBe(pem);
  });

  it('a changed or missing report file is named', async () => {
    const a = copy('file-changed');
    writeFileSync(join(a, 'report.html'), '<p>report!</p>');
    expect((await verifyPack(a, pem)).problems).toEqual([expect.objectContaining({ kind: 'file', message: expect.stringMatching(/report\.html was changed/) })]);
  });

  it('a hostile manifest cannot make the verifier read outside the pack (and its signature fails anyway)', async () => {
    const dir = copy('hostile');
    const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
    m.files = [{ name: '../../../../etc/passwd', sha256: '0'.repeat(64), bytes: 1 }];
    writeFileSync(join(dir, MANIFEST_FILE), manifestBytes(m));
    const r = await verifyPack(dir, pem);
    expect(r.problems.map((p) => p.kind)).toEqual(['signature', 'manifest']);
    expect(r.problems[1]!.message).toMatch(/cannot be part of a pack/);
  });

  it('a folder that is not a pack, and a key file that is not a key, get clear answers', async () => {
    expect((await verifyPack(join(base, 'nowhere'))).problem).toMatchObject({ kind: 'unreadable' });
    expect((await verifyPack(pack, 'not a key')).problem).toMatchObject({ kind: 'signature', message: expect.stringMatching(/not an Ed25519 public key/) });
  });
});
