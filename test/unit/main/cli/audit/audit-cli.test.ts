// `vault-console audit import|query|alerts|export` on the captured OpenBao log, offline.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../../../src/main/cli';

const FIXTURE = join(__dirname, '../../../../fixtures/audit/openbao-2.4-audit.jsonl');

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} });
  return { code, out, err };
}

describe('vault-console audit', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'vc-audit-cli-')), 'a.db');

  it('imports, reports per file, and a second import adds nothing', async () => {
    const a = await run(['audit', 'import', FIXTURE, `-db=${db}`, '-format=json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out).reports[0]).toMatchObject({ outcome: 'imported', inserted: 47 });
    const b = await run(['audit', 'import', FIXTURE, `-db=${db}`]);
    expect(b.out).toMatch(/0 new, 47 already stored/);
  });

  it('exits 1 and says why when a file cannot be imported', async () => {
    const r = await run(['audit', 'import', join(tmpdir(), 'does-not-exist.log.gz'), `-db=${db}`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED/);
  });

  it('queries with filters as json and csv', async () => {
    const j = await run(['audit', 'query', `-db=${db}`, '-tenant=t-000001', '-action=read', '-format=json']);
    const events = JSON.parse(j.out).events as { tenant: string; action: string }[];
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.tenant === 't-000001' && e.action === 'read')).toBe(true);
    const c = await run(['audit', 'query', `-db=${db}`, '-action=failed-login', '-format=csv']);
    expect(c.out.split('\r\n')[0]).toMatch(/^event_key,timestamp,action,/);
    expect(c.out.split('\r\n').filter(Boolean)).toHaveLength(9);
  });

  it('lists alerts and exits 2 when one is red', async () => {
    const r = await run(['audit', 'alerts', `-db=${db}`, '-format=json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).alerts.map((a: { kind: string }) => a.kind)).toEqual(expect.arrayContaining(['failed-auth-user', 'failed-auth-ip', 'delete-without-approval']));
  });

  it('exports with the SHA-256 printed and written beside the file', async () => {
    const out = join(tmpdir(), `vc-audit-cli-${process.pid}.json`);
    const r = await run(['audit', 'export', `-db=${db}`, '--format', 'json', '--out', out]);
    expect(r.code).toBe(0);
    const sha = r.out.split(' ')[0]!;
    expect(readFileSync(`${out}.sha256`, 'utf8')).toContain(sha);
  });

  it('refuses an unknown subcommand and a bad date with a clear error', async () => {
    expect((await run(['audit', 'frobnicate', `-db=${db}`])).err).toMatch(/expected one of import, query, alerts, export/);
    const r = await run(['audit', 'query', `-db=${db}`, '-from=not-a-date']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a valid date/);
  });
});
