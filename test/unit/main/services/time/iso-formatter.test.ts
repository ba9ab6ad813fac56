// The cached ISO formatter writes exactly what Date.prototype.toISOString writes.
import { describe, expect, it } from 'vitest';
import { isoFormatter } from '../../../../../src/main/services/time/iso-formatter';

describe('isoFormatter', () => {
  it('matches toISOString on edges of days, years, leap days and the ends of its range', () => {
    const iso = isoFormatter();
    const edges = [
      0, -1, 1, 999, 1000, 59_999, 60_000, 3_599_999, 86_399_999, 86_400_000, -86_400_000, -86_400_001,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1), Date.UTC(2025, 11, 31, 23, 59, 59, 999), Date.UTC(2026, 0, 1),
      Date.parse('0000-01-01T00:00:00.000Z'), Date.parse('0000-01-01T00:00:00.000Z') - 1, Date.parse('9999-12-31T23:59:59.999Z'), Date.parse('9999-12-31T23:59:59.999Z') + 1,
      1.5, -0.5, 8.64e15, -8.64e15,
    ];
    for (const ms of edges) expect(iso(ms)).toBe(new Date(ms).toISOString());
  });

  it('matches toISOString on random times, with the day cache warm', () => {
    const iso = isoFormatter();
    let x = 7;
    const rnd = () => (x = (x * 1103515245 + 12345) >>> 0) / 4294967296;
    for (let i = 0; i < 50_000; i++) {
      // Mostly within a few years (the cache hits), some anywhere in years 0000-9999.
      const ms = i % 10 === 0 ? Math.floor((rnd() - 0.2) * 2.6e14) : Date.UTC(2024, 0, 1) + Math.floor(rnd() * 3 * 365 * 86_400_000);
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('throws like toISOString for a time that is no date', () => {
    expect(() => isoFormatter()(Number.NaN)).toThrow(RangeError);
    expect(() => isoFormatter()(8.64e15 + 1)).toThrow(RangeError);
  });
});
