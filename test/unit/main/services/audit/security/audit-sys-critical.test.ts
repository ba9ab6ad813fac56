// Attack: change what the audit trail sees, or read storage outside the KV API: sys/raw,
// tuning a mount so the log keeps values in clear (audit_non_hmac_*), removing the
// audited console header, disabling audit devices. Each is a red alert, denied or not.
// Vault's own test entry when it enables a device is not.
// Real OpenBao 2.4 log: fixtures/audit/openbao-2.4-adversary.jsonl, section I7.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditAlertView } from '../../../../../../src/shared/contracts/audit';
import { allEvents, loadAdversary, type Loaded } from './adversary';

let l: Loaded;
let alerts: AuditAlertView[];
beforeAll(async () => {
  l = await loadAdversary();
  alerts = (await l.audit.alerts({})).alerts.filter((a) => a.kind === 'sys-critical');
});

describe('system paths that blind the audit trail or bypass the KV API', () => {
  it('a sys/raw read (refused here: raw storage is off) is red', () => {
    expect(alerts.some((a) => a.severity === 'red' && a.title === 'read on sys/raw/logical by root')).toBe(true);
  });

  it('tuning the tenants mount to log responses unhashed is red', () => {
    expect(alerts.some((a) => a.title === 'update on sys/mounts/tenants/tune by root')).toBe(true);
  });

  it('removing the audited console header is red', () => {
    const e = allEvents(l.audit).find((x) => x.path === 'sys/config/auditing/request-headers/x-vault-console-action' && x.operation === 'delete')!;
    expect(e.action).toBe('sys-critical');
    expect(alerts.some((a) => a.eventIds.includes(e.id))).toBe(true);
  });

  it("Vault's own test entry for a new audit device is not an alert", () => {
    const test = allEvents(l.audit).find((x) => x.path === 'sys/audit/test')!;
    expect(test).toMatchObject({ action: 'other', status: 'pending' });
    expect(alerts.some((a) => a.eventIds.includes(test.id))).toBe(false);
  });

  it("the tenants mount's own retention (config max_versions) is red", () => {
    const e = allEvents(l.audit).filter((x) => x.path === 'tenants/config' && x.operation === 'update');
    expect(e).toHaveLength(2);
    expect(e.every((x) => x.action === 'sys-critical')).toBe(true);
    expect(alerts.some((a) => a.title === 'update on tenants/config by root')).toBe(true);
  });
});
