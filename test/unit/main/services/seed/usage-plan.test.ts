import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../../src/main/services/seed/rng';
import { spreadUsage, usageMetadata } from '../../../../../src/main/services/seed/usage-plan';
import { planTenant } from '../../../../../src/main/services/seed/tenant-plan';
import type { DkimSource } from '../../../../../src/main/services/seed/dkim-pool';
import { parseUsage, USAGE_KEYS } from '../../../../../src/shared/inventory/api-usage';

const NOW = new Date('2026-11-26T11:21:00Z');
const DAY = 86_400_000;
const fakeDkim: DkimSource = { next: async () => ({ privateKey: 'PEM', txt: 'v=DKIM1; k=rsa; p=AAAA' }), generated: 0 };

describe('seeded API key usage', () => {
  it('spreads the lifetime total over the days the key was used, summing exactly', () => {
    const created = new Date(NOW.getTime() - 200 * DAY);
    const lastUsed = new Date(NOW.getTime() - 3 * DAY);
    const days = spreadUsage(createRng('s', 1), { created, lastUsed, total: 1_800_000, now: NOW });
    expect(days.reduce((s, d) => s + d.count, 0)).toBe(1_800_000);
    expect(days[0]!.period).toBe(created.toISOString().slice(0, 10));
    expect(days.at(-1)!.period).toBe(lastUsed.toISOString().slice(0, 10));
    expect(days.every((d) => d.count >= 0)).toBe(true);
  });

  it('keeps the last 30 days and 12 months in custom_metadata, within KV v2 limits, consistent with request_count', () => {
    const created = new Date(NOW.getTime() - 300 * DAY);
    const md = usageMetadata(createRng('s', 2), { created, lastUsed: NOW, total: 1_800_000, now: NOW });
    for (const v of Object.values(md)) expect(Buffer.byteLength(v)).toBeLessThanOrEqual(512);
    const u = parseUsage(md);
    expect(u.problem).toBeNull();
    expect(u.daily).toHaveLength(30);
    expect(u.daily.at(-1)!.period).toBe('2026-11-26');
    expect(u.monthly).toHaveLength(12);
    expect(u.monthly.at(-1)!.period).toBe('2026-11');
    expect(u.monthly[0]!.period).toBe('2025-12');
    // 300 days of use all fall inside the 12 months: the months add up to the lifetime total.
    expect(u.monthly.reduce((s, p) => s + p.count, 0)).toBe(1_800_000);
    expect(u.updatedAt).toBe(NOW.toISOString());
  });

  it('a key never used has zero counts, not invented ones', () => {
    const md = usageMetadata(createRng('s', 3), { created: new Date(NOW.getTime() - 10 * DAY), lastUsed: null, total: 0, now: NOW });
    const u = parseUsage(md);
    expect(u.daily.every((p) => p.count === 0)).toBe(true);
    expect(u.monthly.every((p) => p.count === 0)).toBe(true);
  });

  it('the seeder writes the counters on every API key, and adding them changed nothing else a tenant is made of', async () => {
    const plan = await planTenant({ index: 4, seed: 'vault-console', now: NOW, dkim: fakeDkim });
    const api = plan.writes.filter((w) => w.type === 'api');
    expect(api.length).toBeGreaterThan(0);
    for (const w of api) {
      expect(w.customMetadata[USAGE_KEYS.daily]).toBeDefined();
      expect(w.customMetadata[USAGE_KEYS.monthly]).toBeDefined();
      const u = parseUsage(w.customMetadata);
      expect(u.monthly.reduce((s, p) => s + p.count, 0)).toBeLessThanOrEqual(Number(w.customMetadata.request_count));
    }
    // Same tenant as before the counters existed (its own rng stream): t-000004 keeps its expired DKIM key.
    expect(plan.writes.filter((w) => w.type === 'dkim').some((w) => w.customMetadata.status === 'expired')).toBe(true);
  });
});
