// The audit lists the renderer filters on (the contract's own, zod-free) and the
// alert threshold form's validation: every bad value gets its own message before
// anything is sent.
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, AUDIT_SECRET_TYPES, toAlertForm, validateAlertForm } from '../../../../src/shared/audit/audit-rules';
import { AuditEventSchema } from '../../../../src/shared/contracts/audit';

const DEFAULTS = {
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
};

describe('audit viewer lists', () => {
  it('are the lists the contract validates with (the console-only copy, close and lockout included)', () => {
    expect(AuditEventSchema.shape.action.options).toEqual([...AUDIT_ACTIONS]);
    expect(AuditEventSchema.shape.secretType.options).toEqual([...AUDIT_SECRET_TYPES]);
    expect(AUDIT_ACTIONS).toEqual(expect.arrayContaining(['copy', 'close', 'lockout']));
  });
});

describe('alert threshold form', () => {
  it('accepts the defaults and a wrapping off-hours window in another zone', () => {
    expect(validateAlertForm(toAlertForm(DEFAULTS))).toEqual({ settings: DEFAULTS });
    const night = { ...toAlertForm(DEFAULTS), offHoursStart: '22', offHoursEnd: '5', timeZone: ' Europe/Berlin ' };
    expect(validateAlertForm(night)).toEqual({ settings: { ...DEFAULTS, offHoursStart: 22, offHoursEnd: 5, timeZone: 'Europe/Berlin' } });
  });

  it.each([
    ['failedAuthThreshold', '0', /Failed sign-ins must be a whole number from 1 to 10,000/],
    ['failedAuthThreshold', '2.5', /Failed sign-ins must be a whole number/],
    ['failedAuthWindowMinutes', '', /failed sign-in window \(minutes\) must be a whole number from 1 to 1,440/],
    ['bulkReadThreshold', 'many', /Bulk reads must be a whole number/],
    ['bulkReadWindowSeconds', '3601', /bulk read window \(seconds\) must be a whole number from 1 to 3,600/],
    ['offHoursStart', '24', /Off-hours start \(hour\) must be a whole number from 0 to 23/],
    ['offHoursEnd', '-1', /Off-hours end \(hour\) must be a whole number from 0 to 24/],
    ['timeZone', 'Mars/Olympus', /"Mars\/Olympus" is not a time zone/],
    ['timeZone', '  ', /is not a time zone/],
    ['wideReadThreshold', '0', /Distinct secrets read in a day must be a whole number from 1 to 1,000,000/],
    ['approvalValidHours', '721', /An approval is valid for \(hours\) must be a whole number from 1 to 720/],
    ['approverPolicy', 'root', /not a policy name an approver can hold/],
    ['approverPolicy', 'a b', /not a policy name an approver can hold/],
  ] as const)('refuses %s = %j with a clear message', (key, value, message) => {
    const r = validateAlertForm({ ...toAlertForm(DEFAULTS), [key]: value });
    expect('error' in r && r.error).toMatch(message);
  });

  it('refuses an off-hours window that starts where it ends; 0 to 24 is the whole day', () => {
    expect(validateAlertForm({ ...toAlertForm(DEFAULTS), offHoursStart: '3', offHoursEnd: '3' })).toEqual({ error: 'Off-hours start and end must differ.' });
    expect(validateAlertForm({ ...toAlertForm(DEFAULTS), offHoursStart: '0', offHoursEnd: '24' })).toMatchObject({ settings: { offHoursStart: 0, offHoursEnd: 24 } });
  });
});
