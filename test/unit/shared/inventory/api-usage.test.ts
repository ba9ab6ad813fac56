import { describe, expect, it } from 'vitest';
import { formatUsage, parseUsage, USAGE_KEYS } from '../../../../src/shared/inventory/api-usage';

describe('API key usage counters in custom_metadata', () => {
  it('round-trips a daily and a monthly series', () => {
    const md = formatUsage(
      [
        { period: '2026-02-27', count: 1 },
        { period: '2026-02-28', count: 2 },
        { period: '2026-03-01', count: 1_800_000 },
      ],
      [
        { period: '2025-12', count: 5 },
        { period: '2026-01', count: 6 },
      ],
      '2026-03-01T23:00:00.000Z',
    );
    const u = parseUsage(md);
    expect(u.daily.map((p) => p.period)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(u.daily[2]!.count).toBe(1_800_000);
    expect(u.monthly).toEqual([
      { period: '2025-12', count: 5 },
      { period: '2026-01', count: 6 },
    ]);
  });

  it('a key without counters has empty series and no problem', () => {
    expect(parseUsage({})).toEqual({ daily: [], monthly: [], updatedAt: null, problem: null });
  });

  it.each([
    [{ [USAGE_KEYS.daily]: '1,2', [USAGE_KEYS.dailyStart]: 'yesterday' }, /daily usage start/],
    [{ [USAGE_KEYS.daily]: '1,-2', [USAGE_KEYS.dailyStart]: '2026-01-01' }, /count 2 is not a whole number/],
    [{ [USAGE_KEYS.daily]: '1,2' }, /needs both/],
    [{ [USAGE_KEYS.monthly]: Array(13).fill('1').join(','), [USAGE_KEYS.monthlyStart]: '2026-01' }, /at most 12/],
    [{ [USAGE_KEYS.monthly]: '1', [USAGE_KEYS.monthlyStart]: '2026-13' }, /YYYY-MM month/],
  ])('malformed counters give a problem, never a guessed series (%j)', (md, problem) => {
    const u = parseUsage(md);
    expect(u.problem).toMatch(problem);
  });
});
