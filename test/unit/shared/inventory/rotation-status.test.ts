import { describe, expect, it } from 'vitest';
import { classify, columnHealth, maskEmail, statusColour } from '../../../../src/shared/inventory/rotation-status';

const NOW = new Date('2026-06-01T00:00:00Z');
const at = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();

describe('rotation status', () => {
  it('classifies by status, then by days to next rotation', () => {
    expect(classify({ status: 'revoked', next_rotation: at(100) }, NOW)).toBe('revoked');
    expect(classify({ status: 'expired', next_rotation: at(100) }, NOW)).toBe('expired');
    expect(classify({ status: 'active', next_rotation: at(-1) }, NOW)).toBe('overdue');
    expect(classify({ status: 'active', next_rotation: at(7) }, NOW)).toBe('due7');
    expect(classify({ status: 'active', next_rotation: at(30) }, NOW)).toBe('due30');
    expect(classify({ status: 'active', next_rotation: at(31) }, NOW)).toBe('healthy');
  });

  it('colours per the spec: red expired/overdue, yellow within 7 days, green otherwise', () => {
    expect(statusColour('expired')).toBe('red');
    expect(statusColour('overdue')).toBe('red');
    expect(statusColour('due7')).toBe('yellow');
    expect(statusColour('due30')).toBe('green');
    expect(statusColour('healthy')).toBe('green');
    expect(statusColour('unknown')).toBe('grey');
  });

  it('column health puts overdue before unknown and treats no secrets as none', () => {
    const now = NOW.getTime();
    expect(columnHealth('unknown', now - 1, now)).toBe('overdue');
    expect(columnHealth('unknown', null, now)).toBe('unknown');
    expect(columnHealth('none', null, now)).toBe('none');
    expect(columnHealth('revoked', null, now)).toBe('revoked');
  });

  it('masks an SMTP username like admin@*****.com', () => {
    expect(maskEmail('admin@acme-1.example.com')).toBe('admin@*****.com');
    expect(maskEmail('nobody')).toBe('*****');
  });
});
