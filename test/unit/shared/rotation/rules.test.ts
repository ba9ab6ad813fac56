import { describe, expect, it } from 'vitest';
import {
  filterDependsOnMetadata,
  matchesFilter,
  rotatableInBulk,
  checkIncidentId,
  checkReason,
  checkSchedules,
  DEFAULT_SCHEDULES,
  isOverdue,
  nextDkimSelector,
  parseTarget,
  previousState,
  targetOfPath,
} from '../../../../src/shared/rotation/rules';

describe('targets', () => {
  it('maps every CLI target to its layout path and back', () => {
    expect(parseTarget('t-000042', 'ssh-admin').path).toBe('t-000042/ssh/admin');
    expect(parseTarget('t-000042', 'ssh-tenant').path).toBe('t-000042/ssh/tenant');
    expect(parseTarget('t-000042', 'smtp').path).toBe('t-000042/smtp/admin');
    expect(parseTarget('t-000042', 'dkim:Mail.Example.COM').path).toBe('t-000042/dkim/mail.example.com');
    expect(parseTarget('t-000042', 'api:ak_0123456789abcdef').path).toBe('t-000042/api/ak_0123456789abcdef');
    expect(targetOfPath('t-000042/dkim/mail.example.com')).toMatchObject({ kind: 'dkim', name: 'mail.example.com' });
    expect(targetOfPath('t-000042/profile')).toBeNull();
  });

  it.each(['ssh', 'dkim:', 'dkim:../x', 'dkim:a', 'api:AK_1', 'api:ak_1', 'smtp/admin', ''])('refuses the malformed target %j', (t) => {
    expect(() => parseTarget('t-000042', t)).toThrow();
  });

  it('refuses a tenant id that could leave the tenant folder', () => {
    expect(() => parseTarget('../t', 'smtp')).toThrow(/Not a tenant id/);
    expect(() => parseTarget('t/1', 'smtp')).toThrow(/Not a tenant id/);
  });
});

describe('reason and incident ID', () => {
  it('an empty or blank reason is refused', () => {
    expect(() => checkReason('')).toThrow('A reason is required.');
    expect(() => checkReason(' \n\t ')).toThrow('A reason is required.');
    expect(checkReason('  key   left in\na ticket ')).toBe('key left in a ticket');
  });

  it('a reason longer than a metadata value allows is refused', () => {
    expect(() => checkReason('é'.repeat(201))).toThrow(/longer than 400 bytes/);
  });

  it.each(['INC-2041', 'SEC-1', 'SIRT-2026-004', 'P1-77'])('accepts the incident ID %j', (id) => expect(checkIncidentId(id)).toBe(id));
  it.each(['', 'inc-2041', 'INC2041', 'INC-', 'INC-12a', 'I-1', 'INC-1;rm', 'VERYLONGPREFIX-1'])('refuses the malformed incident ID %j', (id) => {
    expect(() => checkIncidentId(id)).toThrow();
  });
});

describe('schedules', () => {
  it('accepts the spec defaults and custom SSH periods from 30 to 365 days', () => {
    expect(checkSchedules(DEFAULT_SCHEDULES)).toEqual(DEFAULT_SCHEDULES);
    expect(checkSchedules({ ...DEFAULT_SCHEDULES, days: { ...DEFAULT_SCHEDULES.days, ssh: 30 } }).days.ssh).toBe(30);
    expect(checkSchedules({ ...DEFAULT_SCHEDULES, days: { ...DEFAULT_SCHEDULES.days, ssh: 365 } }).days.ssh).toBe(365);
  });
  it.each([29, 366, 90.5, Number.NaN])('refuses an SSH period of %s days', (ssh) => {
    expect(() => checkSchedules({ ...DEFAULT_SCHEDULES, days: { ...DEFAULT_SCHEDULES.days, ssh } })).toThrow(/SSH rotation period/);
  });
  it('refuses a grace period of zero hours', () => {
    expect(() => checkSchedules({ ...DEFAULT_SCHEDULES, graceHours: { ssh: 0, dkim: 48 } })).toThrow(/SSH grace period/);
  });
});

describe('DKIM selectors and grace', () => {
  const march = Date.UTC(2026, 2, 15);
  it('uses pm<YYYYMM> and a new one for every rotation in the same month', () => {
    expect(nextDkimSelector(march, ['pm202512'])).toBe('pm202603');
    expect(nextDkimSelector(march, ['pm202603'])).toBe('pm202603b');
    expect(nextDkimSelector(march, ['pm202603b', 'pm202603'])).toBe('pm202603c');
  });
  it('the previous credential is valid only before grace_until', () => {
    const md = { grace_until: new Date(march).toISOString(), previous_fingerprint: 'SHA256:x' };
    expect(previousState(md, march - 1)).toBe('grace');
    expect(previousState(md, march)).toBe('retired');
    expect(previousState({}, march)).toBe('none');
  });
  it('overdue means expired, or active and past next_rotation; revoked never', () => {
    expect(isOverdue({ status: 'expired' }, march)).toBe(true);
    expect(isOverdue({ status: 'active', next_rotation: new Date(march - 1).toISOString() }, march)).toBe(true);
    expect(isOverdue({ status: 'active', next_rotation: new Date(march + 1).toISOString() }, march)).toBe(false);
    expect(isOverdue({ status: 'revoked', next_rotation: new Date(0).toISOString() }, march)).toBe(false);
  });
});

describe('bulk selections', () => {
  const now = Date.UTC(2026, 2, 15);
  const at = (days: number) => new Date(now + days * 86_400_000).toISOString();
  it('never rotates API keys in bulk (their new key must be handed over)', () => {
    expect(rotatableInBulk('api')).toBe(false);
    for (const t of ['ssh', 'smtp', 'dkim'] as const) expect(rotatableInBulk(t)).toBe(true);
  });
  it('a secret matches the tenant filter by its type, status and due window as the list computes them', () => {
    const overdue = { status: 'active', next_rotation: at(-1) };
    const soon = { status: 'active', next_rotation: at(5) };
    const later = { status: 'active', next_rotation: at(20) };
    const expired = { status: 'expired', next_rotation: at(40) };
    const revoked = { status: 'revoked', next_rotation: at(-10) };
    expect(matchesFilter({ type: 'ssh', due: 'overdue' }, 'ssh', overdue, now)).toBe(true);
    expect(matchesFilter({ type: 'ssh', due: 'overdue' }, 'smtp', overdue, now)).toBe(false);
    expect(matchesFilter({ type: 'all', due: 'overdue' }, 'dkim', expired, now)).toBe(true);
    expect(matchesFilter({ type: 'all', due: 'overdue' }, 'dkim', soon, now)).toBe(false);
    expect(matchesFilter({ type: 'all', due: '7d' }, 'smtp', soon, now)).toBe(true);
    expect(matchesFilter({ type: 'all', due: '7d' }, 'smtp', later, now)).toBe(false);
    expect(matchesFilter({ type: 'all', due: '30d' }, 'smtp', later, now)).toBe(true);
    expect(matchesFilter({ type: 'all', due: '7d' }, 'smtp', overdue, now)).toBe(false);
    expect(matchesFilter({ type: 'all', status: 'expired' }, 'ssh', expired, now)).toBe(true);
    expect(matchesFilter({ type: 'all', status: 'expired' }, 'ssh', overdue, now)).toBe(false);
    expect(matchesFilter({ type: 'all' }, 'ssh', later, now)).toBe(true);
    // Revoked never rotates, whatever the filter says.
    expect(matchesFilter({ type: 'all' }, 'api', revoked, now)).toBe(false);
    expect(matchesFilter({ type: 'all', status: 'revoked' }, 'api', revoked, now)).toBe(false);
  });
  it('a filter on status or due dates depends on metadata that changes without a new version', () => {
    expect(filterDependsOnMetadata({ type: 'ssh' })).toBe(false);
    expect(filterDependsOnMetadata({ type: 'ssh', due: 'overdue' })).toBe(true);
    expect(filterDependsOnMetadata({ type: 'all', status: 'expired' })).toBe(true);
  });
});
