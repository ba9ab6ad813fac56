// The parser and mapping on real OpenBao 2.4 output (test/fixtures/audit, captured
// by capture-openbao.ts): logins that fail, reads, writes, deletes, console actions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVaultAuditText } from '../../../../../src/main/services/audit/audit-parser';
import { formatConsoleTag, parseConsoleTag } from '../../../../../src/main/services/audit/console-header';

const FIXTURE = join(__dirname, '../../../../fixtures/audit/openbao-2.4-audit.jsonl');
const text = readFileSync(FIXTURE, 'utf8');
const { records, stats } = parseVaultAuditText(text);
const byPath = (p: string) => records.filter((r) => r.path === p);

describe('Vault audit parser on captured OpenBao output', () => {
  it('joins request and response entries by request id into one event each', () => {
    const lines = text.trim().split('\n').length;
    expect(stats.lines).toBe(lines);
    expect(stats.notJson + stats.truncated + stats.badEncoding + stats.notAudit).toBe(0);
    const ids = records.map((r) => r.requestId);
    expect(new Set(ids).size).toBe(ids.length);
    // Every request but the audit device's own enable entry got its response.
    expect(records.filter((r) => r.status === 'pending').length).toBeLessThanOrEqual(1);
  });

  it('maps failed userpass logins to failed-login with the typed username and the source IP', () => {
    const fails = records.filter((r) => r.action === 'failed-login');
    expect(fails.filter((r) => r.user === 'mallory')).toHaveLength(6);
    expect(fails.some((r) => r.user === 'admin')).toBe(true);
    // A user that does not exist has no error field, only an HMAC'd error in the data.
    expect(fails.some((r) => r.user === 'nobody')).toBe(true);
    expect(fails.every((r) => r.ip === '127.0.0.1' && r.status === 'denied')).toBe(true);
  });

  it('maps a successful login to login with the user from auth metadata and its entity', () => {
    const ok = records.filter((r) => r.action === 'login');
    expect(ok.map((r) => r.user).sort()).toEqual(['admin', 'auditor']);
    expect(ok.every((r) => /^[0-9a-f-]{36}$/.test(r.entityId ?? ''))).toBe(true);
  });

  it('maps KV v2 operations to read, write, list, delete with tenant and secret type', () => {
    const w = byPath('tenants/data/t-000001/smtp/admin').find((r) => r.action === 'write')!;
    expect(w).toMatchObject({ tenant: 't-000001', secretType: 'smtp', user: 'admin', status: 'ok' });
    expect(byPath('tenants/data/t-000009/ssh/admin')[0]).toMatchObject({ action: 'read', status: 'not-found' });
    expect(byPath('tenants/metadata/t-000001/')[0]!.action).toBe('list');
    expect(byPath('tenants/data/t-000002/dkim/mail.example.org').map((r) => r.action)).toContain('delete');
    expect(records.find((r) => r.path === 'tenants/data/t-000002/api/ak_0123456789abcdef')!.secretType).toBe('api');
  });

  it("keeps the audited X-Vault-Console-Action header beside Vault's own action, never instead of it", () => {
    const reveal = byPath('tenants/data/t-000001/smtp/admin').find((r) => r.consoleHeader?.includes('reveal'))!;
    expect(reveal).toMatchObject({ action: 'read', operation: 'read', consoleHeader: 'action=reveal;req=rv-1', headerConflict: false });
    const ssh = byPath('tenants/data/t-000001/ssh/admin');
    expect(ssh.find((r) => r.consoleHeader?.includes('rotate'))).toMatchObject({ action: 'write', operation: 'update', headerConflict: false });
    expect(ssh.find((r) => r.consoleHeader?.includes('download'))).toMatchObject({ action: 'read', headerConflict: false });
    const del = byPath('tenants/metadata/t-000002/api/ak_0123456789abcdef').find((r) => r.action === 'delete')!;
    expect(del).toMatchObject({ approvalId: 'apr-0001', consoleHeader: 'action=delete;approval=apr-0001;req=del-1', mount: 'tenants/', operation: 'delete' });
    expect(records.some((r) => (['rotate', 'reveal', 'download'] as string[]).includes(r.action))).toBe(false);
  });

  it('marks a permission-denied read as denied with the error text', () => {
    const denied = records.find((r) => r.user === 'auditor' && r.path === 'tenants/data/t-000001/ssh/admin')!;
    expect(denied.status).toBe('denied');
    expect(denied.error).toMatch(/permission denied/);
  });

  it('keeps HMAC-ed strings HMAC-ed and never carries a secret value', () => {
    const all = JSON.stringify(records);
    expect(all).not.toMatch(/not-a-real-(key|password)|rotated"|wrong-\d/);
    expect(text).toMatch(/hmac-sha256:/);
  });

  it('uses the request time for the event and milliseconds precision', () => {
    const r = records.find((x) => x.consoleHeader?.includes('reveal'))!;
    expect(Number.isInteger(r.ts)).toBe(true);
    expect(new Date(r.ts).toISOString()).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

describe('console action header', () => {
  it('round-trips and refuses unsafe values', () => {
    const v = formatConsoleTag({ action: 'delete', approval: 'apr-0123456789abcdef', req: 'vc-1' });
    expect(parseConsoleTag([v])).toEqual({ action: 'delete', approval: 'apr-0123456789abcdef', req: 'vc-1' });
    expect(() => formatConsoleTag({ action: 'rotate', req: 'a;b=c' })).toThrow();
    expect(parseConsoleTag('action=format-disk')).toBeNull();
  });
});
