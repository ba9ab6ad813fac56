// Realistic usage counters for a seeded API key, consistent with its request_count,
// created and last_used: the lifetime total is spread over the days the key was in use
// (weekday rhythm, growth, noise), then cut into what the platform's metering job keeps
// in custom_metadata: the last 30 days and the last 12 calendar months (UTC).
import { addUsageDays, daysBetween, formatUsage, type UsagePoint } from '../../../shared/inventory/api-usage';
import type { Rng } from './rng';

export const DAILY_WINDOW = 30;
export const MONTHLY_WINDOW = 12;

export interface UsageInput {
  created: Date;
  /** null: never used. */
  lastUsed: Date | null;
  /** request_count: the lifetime total. */
  total: number;
  now: Date;
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Per-day counts over [created, lastUsed] summing exactly to total. */
export function spreadUsage(rng: Rng, input: UsageInput): UsagePoint[] {
  if (!input.lastUsed || input.total <= 0) return [];
  const first = day(input.created);
  const last = day(new Date(Math.min(input.lastUsed.getTime(), input.now.getTime())));
  if (last < first) return [{ period: first, count: input.total }];
  const days = daysBetween(first, last);
  // Shape: growth from `start` to 1 over the key's life, quieter weekends, day-to-day noise,
  // and now and then a burst (a campaign) or a dip (an outage on the customer's side).
  const start = 0.3 + rng.next() * 0.6;
  const weights = days.map((d, i) => {
    const t = days.length > 1 ? i / (days.length - 1) : 1;
    const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
    const weekend = dow === 0 || dow === 6 ? 0.35 + rng.next() * 0.2 : 1;
    const noise = 0.75 + rng.next() * 0.5;
    const event = rng.chance(0.02) ? 2 + rng.next() * 3 : rng.chance(0.01) ? 0.1 : 1;
    return (start + (1 - start) * t) * weekend * noise * event;
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((input.total * w) / sum));
  // Rounding leftovers go to the busiest days so the series sums to request_count exactly.
  let rest = input.total - counts.reduce((a, b) => a + b, 0);
  const order = weights.map((w, i) => [w, i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; rest > 0; k = (k + 1) % order.length, rest--) counts[order[k]![1]]!++;
  return days.map((d, i) => ({ period: d, count: counts[i]! }));
}

/** custom_metadata entries: the last 30 days and the last 12 months ending at `now`, zero-filled. */
export function usageMetadata(rng: Rng, input: UsageInput): Record<string, string> {
  const perDay = new Map(spreadUsage(rng, input).map((p) => [p.period, p.count]));
  const today = day(input.now);
  const firstDay = addUsageDays(today, -(DAILY_WINDOW - 1));
  const daily = daysBetween(firstDay, today).map((d) => ({ period: d, count: perDay.get(d) ?? 0 }));
  const months: UsagePoint[] = [];
  const y = input.now.getUTCFullYear();
  const m = input.now.getUTCMonth();
  for (let k = MONTHLY_WINDOW - 1; k >= 0; k--) {
    const d = new Date(Date.UTC(y, m - k, 1));
    months.push({ period: d.toISOString().slice(0, 7), count: 0 });
  }
  const monthIndex = new Map(months.map((p, i) => [p.period, i]));
  for (const [d, n] of perDay) {
    const i = monthIndex.get(d.slice(0, 7));
    if (i !== undefined) months[i]!.count += n;
  }
  return formatUsage(daily, months, input.now.toISOString());
}
