// Exports (CSV injection, RFC 4180, SHA-256 beside the file, re-import) and the
// suspicious-activity detectors, on events from the captured OpenBao log.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS, detectBulkReads, detectFailedAuth, detectOffHours, localHour, type DetectorEvent } from '../../../../../src/main/services/audit/alert-detector';
import { NO_VAULT_DETAIL } from '../../../../../src/main/services/audit/audit-record';
import { exportAudit } from '../../../../../src/main/services/audit/audit-exporter';
import { importAuditFile } from '../../../../../src/main/services/audit/audit-importer';
import { csvCell, CsvParser } from '../../../../../src/main/services/audit/export-format';
import { AuditRepo } from '../../../../../src/main/services/storage/audit-repo';
import { openDatabase } from '../../../../../src/main/services/storage/database';

const FIXTURE = join(__dirname, '../../../../fixtures/audit/openbao-2.4-audit.jsonl');
let dir: string;
let repo: AuditRepo;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vc-audit-export-'));
  repo = new AuditRepo(openDatabase(join(dir, 'db.sqlite')));
  await importAuditFile(repo, FIXTURE);
});

describe('audit export', () => {
  it('neutralises cells that start with = + - @ against formula injection and quotes per RFC 4180', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    const rows: string[][] = [];
    const p = new CsvParser();
    p.push('a,"b,""c""",d\r\n"multi\nline",x,\r\n', (r) => rows.push(r));
    p.end((r) => rows.push(r));
    expect(rows).toEqual([['a', 'b,"c"', 'd'], ['multi\nline', 'x', '']]);
  });

  it.each(['csv', 'json', 'ndjson'] as const)('writes %s with its SHA-256 beside it, and the export imports back adding nothing', async (format) => {
    const out = join(dir, `export.${format}`);
    const r = await exportAudit(repo, { tenant: 't-000001' }, format, out, new Date('2026-01-01T00:00:00Z'));
    const bytes = readFileSync(out);
    expect(r.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(readFileSync(`${out}.sha256`, 'utf8')).toBe(`${r.sha256}  export.${format}\n`);
    expect(r.count).toBe(repo.counts({ tenant: 't-000001' }, 1000).total);
    if (format === 'json') expect(JSON.parse(bytes.toString('utf8')).events).toHaveLength(r.count);
    const back = await importAuditFile(repo, out);
    expect(back).toMatchObject({ outcome: 'imported', events: r.count, inserted: 0, duplicates: r.count });
  });

  it('a malicious user name comes out neutralised in CSV and intact after re-import', async () => {
    repo.insertMany([{ key: 'x:1', ts: Date.UTC(2026, 0, 1), action: 'failed-login', tenant: null, user: '=cmd|" /C calc"!A0', secretType: 'none', ip: '10.0.0.1', status: 'denied', path: 'auth/userpass/login/x', source: 'vault', requestId: 'r1', approvalId: null, error: null, ...NO_VAULT_DETAIL }]);
    const out = join(dir, 'evil.csv');
    await exportAudit(repo, { user: '=cmd|" /C calc"!A0' }, 'csv', out, new Date());
    expect(readFileSync(out, 'utf8')).toContain(`"'=cmd|"" /c calc""!a0"`);
    const db2 = new AuditRepo(openDatabase(join(dir, 'db2.sqlite')));
    await importAuditFile(db2, out);
    // Names are stored case-folded (one spelling everywhere, as Vault compares them).
    expect(db2.page({}, null, 10).events[0]!.user).toBe('=cmd|" /c calc"!a0');
  });
});

describe('suspicious activity detectors', () => {
  const ev = (id: number, ts: number, over: Partial<DetectorEvent>): DetectorEvent => ({
    id,
    ts,
    action: 'read',
    user: 'admin',
    ip: '10.0.0.1',
    tenant: 't-000001',
    status: 'ok',
    approvalId: null,
    path: 'tenants/data/t-000001/ssh/admin',
    ...NO_VAULT_DETAIL,
    approvalWrite: null,
    ...over,
  });

  it('raises red alerts for 5+ failed logins in 5 minutes per user and per IP, linking the events (captured log)', () => {
    const failed = repo.byAction('failed-login', 0, Date.now() + 1e12, 1000);
    const alerts = detectFailedAuth(failed, DEFAULT_ALERT_SETTINGS);
    const user = alerts.find((a) => a.kind === 'failed-auth-user')!;
    expect(user).toMatchObject({ severity: 'red', subject: 'mallory', eventCount: 6 });
    expect(user.eventIds).toEqual(failed.filter((e) => e.user === 'mallory').map((e) => e.id));
    expect(alerts.find((a) => a.kind === 'failed-auth-ip')!.subject).toBe('127.0.0.1');
  });

  it('does not alert on 5 failures spread over more than 5 minutes', () => {
    const evs = [0, 2, 4, 6, 8].map((m, i) => ev(i, m * 60_000, { action: 'failed-login' }));
    expect(detectFailedAuth(evs, DEFAULT_ALERT_SETTINGS)).toHaveLength(0);
  });

  it('raises a yellow alert for more than 100 reads in a minute by one user, not for exactly 100', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => ev(i, i * 500, {}));
    expect(detectBulkReads(hundred, DEFAULT_ALERT_SETTINGS)).toHaveLength(0);
    const more = Array.from({ length: 101 }, (_, i) => ev(i, i * 500, {}));
    expect(detectBulkReads(more, DEFAULT_ALERT_SETTINGS)[0]).toMatchObject({ severity: 'yellow', eventCount: 101 });
  });

  it('raises off-hours alerts 2am-6am in the configured time zone (DST-aware)', () => {
    // 01:30 UTC on 1 July is 03:30 in Berlin (summer time) but 01:30 in UTC.
    const t = Date.UTC(2026, 6, 1, 1, 30);
    expect(localHour(t, 'Europe/Berlin').hour).toBe(3);
    expect(detectOffHours([ev(1, t, {})], { ...DEFAULT_ALERT_SETTINGS, timeZone: 'UTC' })).toHaveLength(0);
    expect(detectOffHours([ev(1, t, {})], { ...DEFAULT_ALERT_SETTINGS, timeZone: 'Europe/Berlin' })[0]).toMatchObject({ severity: 'yellow', kind: 'off-hours' });
  });
});
