import { describe, expect, it } from 'vitest';
import { createProgressReporter, formatDuration } from '../../../../../src/main/services/seed/seed-progress';

describe('seeding progress lines', () => {
  it('say count, rate and ETA, at most once per interval, and always the last one', () => {
    let t = 0;
    const lines: string[] = [];
    const report = createProgressReporter({ total: 1000, write: (l) => lines.push(l), now: () => t, everyMs: 1000, label: '[demo]' });
    // A slow warm-up (DKIM pool) before the first tenant does not count against the rate.
    t = 10_000;
    report({ done: 1, total: 1000, written: 1, skipped: 0, tenantId: 't-000001' });
    expect(lines).toHaveLength(0);
    for (let i = 2; i <= 500; i++) {
      t += 20; // 50 tenants/s
      report({ done: i, total: 1000, written: i, skipped: 0, tenantId: 't' });
    }
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines.at(-1)).toMatch(/^\[demo\] seeding \d{3} of 1,000 tenants \(\d+ %\) · 50\.0 tenants\/s · ETA (9|10) s · \d+ written, 0 already there$/);
    for (let i = 501; i <= 1000; i++) {
      t += 20;
      report({ done: i, total: 1000, written: i, skipped: 0, tenantId: 't' });
    }
    expect(lines.at(-1)).toMatch(/seeding 1,000 of 1,000 tenants \(100 %\) · 50\.0 tenants\/s · done in 30 s/);
  });

  it('formats durations for people', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(151)).toBe('2 min 31 s');
    expect(formatDuration(7300)).toBe('2 h 01 min');
  });
});
