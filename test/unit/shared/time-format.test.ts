import { describe, expect, it } from 'vitest';
import { formatLocalHover, formatUtc, formatUtcClock, formatUtcExact } from '../../../src/shared/time-format';

describe('the one time format', () => {
  it('writes UTC to the minute, whatever the input form', () => {
    expect(formatUtc('2026-11-26T11:21:33.123Z')).toBe('2026-11-26 11:21 UTC');
    expect(formatUtc('2026-11-26T12:21:33+01:00')).toBe('2026-11-26 11:21 UTC');
    expect(formatUtc(Date.parse('2026-11-26T11:21:00Z'))).toBe('2026-11-26 11:21 UTC');
    expect(formatUtc(new Date('2026-11-26T11:21:00Z'))).toBe('2026-11-26 11:21 UTC');
  });

  it('shows a dash (or the given word) for nothing and for garbage, never "Invalid Date"', () => {
    expect(formatUtc(null)).toBe('—');
    expect(formatUtc('')).toBe('—');
    expect(formatUtc('soon-ish')).toBe('—');
    expect(formatUtc(undefined, 'Never')).toBe('Never');
  });

  it('hover text gives the local time in the viewer zone and the exact instant', () => {
    const t = '2026-11-26T11:21:33.123Z';
    expect(formatUtcExact(t)).toBe('2026-11-26 11:21:33.123 UTC');
    expect(formatUtcClock(t)).toBe('11:21 UTC');
    const hover = formatLocalHover(t, { timeZone: 'Europe/Berlin' });
    expect(hover).toContain('12:21:33');
    expect(hover).toContain('(Europe/Berlin)');
    expect(hover).toContain('2026-11-26 11:21:33.123 UTC');
  });
});
