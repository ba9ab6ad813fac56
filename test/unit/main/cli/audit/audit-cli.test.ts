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

// Issue 12, item 6: the off-hours time zone (and every threshold) could be set only in
// the app; the CLI, used for offline review on ops hosts, shows and sets them with the
// app's validation and messages.
describe('vault-console audit settings', () => {
  const db = join(mkdtempSync(join(tmpdir(), 'vc-audit-cli-settings-')), 'a.db');

  it('shows the settings (the spec defaults at first)', async () => {
    const r = await run(['audit', 'settings', `-db=${db}`, '-format=json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).settings).toEqual({
      failedAuthThreshold: 5,
      failedAuthWindowMinutes: 5,
      offHoursStart: 2,
      offHoursEnd: 6,
      timeZone: 'UTC',
      bulkReadThreshold: 100,
      bulkReadWindowSeconds: 60,
      wideReadThreshold: 300,
      approverPolicy: 'vault-console-admin',
      approvalValidHours: 24,
    });
    const t = await run(['audit', 'settings', `-db=${db}`]);
    expect(t.out).toMatch(/^time-zone\s+UTC$/m);
  });

  it('sets the time zone and thresholds, kept for the next command and used by alerts', async () => {
    const r = await run(['audit', 'settings', `-db=${db}`, '-time-zone=Europe/Berlin', '-off-hours-start=22', '-off-hours-end=5', '-failed-auth-threshold=10', '-approver-policy=deletion-approver']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/Saved/);
    const again = JSON.parse((await run(['audit', 'settings', `-db=${db}`, '-format=json'])).out).settings;
    expect(again).toMatchObject({ timeZone: 'Europe/Berlin', offHoursStart: 22, offHoursEnd: 5, failedAuthThreshold: 10, approverPolicy: 'deletion-approver' });
    // 6 failed sign-ins no longer reach a threshold of 10.
    await run(['audit', 'import', FIXTURE, `-db=${db}`]);
    const alerts = JSON.parse((await run(['audit', 'alerts', `-db=${db}`, '-format=json'])).out).alerts as { kind: string }[];
    expect(alerts.some((a) => a.kind === 'failed-auth-user')).toBe(false);
  });

  it.each([
    [['-time-zone=Mars/Olympus'], /"Mars\/Olympus" is not a time zone; use an IANA name/],
    [['-failed-auth-threshold=0'], /Failed sign-ins must be a whole number from 1 to 10,000\./],
    [['-off-hours-start=3', '-off-hours-end=3'], /Off-hours start and end must differ\./],
    [['-bulk-read-window=3601'], /The bulk read window \(seconds\) must be a whole number from 1 to 3,600\./],
    [['-approver-policy=root'], /not a policy name an approver can hold/],
  ])('refuses %j with the app’s message and changes nothing', async (flags, message) => {
    const before = (await run(['audit', 'settings', `-db=${db}`, '-format=json'])).out;
    const r = await run(['audit', 'settings', `-db=${db}`, ...flags]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect((await run(['audit', 'settings', `-db=${db}`, '-format=json'])).out).toBe(before);
  });

  it('settings flags belong to "audit settings" only', async () => {
    const r = await run(['audit', 'query', `-db=${db}`, '-time-zone=UTC']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the settings flags belong to "audit settings"/);
  });
});
