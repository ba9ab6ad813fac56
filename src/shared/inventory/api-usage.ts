// API key usage counters as the platform keeps them in the key's KV v2 custom_metadata
// (docs/vault-layout.md, "API key usage"): compact, string-only values that fit KV v2's
// 512-byte limit. Pure: the seeder writes with formatUsage, main reads with parseUsage.

export const USAGE_KEYS = {
  /** Requests per UTC day, oldest first, comma-separated decimal counts (at most 31). */
  daily: 'usage_daily',
  /** The UTC day (YYYY-MM-DD) of the first usage_daily count. */
  dailyStart: 'usage_daily_start',
  /** Requests per UTC calendar month, oldest first (at most 12). */
  monthly: 'usage_monthly',
  /** The month (YYYY-MM) of the first usage_monthly count. */
  monthlyStart: 'usage_monthly_start',
  /** When the platform's metering job last wrote the counters (ISO 8601 UTC). */
  updated: 'usage_updated',
} as const;

export const MAX_DAILY = 31;
export const MAX_MONTHLY = 12;

export interface UsagePoint {
  /** YYYY-MM-DD (daily) or YYYY-MM (monthly). */
  period: string;
  count: number;
}

export interface ApiKeyUsage {
  daily: UsagePoint[];
  monthly: UsagePoint[];
  updatedAt: string | null;
  /** Why the counters could not be read (malformed metadata); null when fine or absent. */
  problem: string | null;
}

const DAY_MS = 86_400_000;
const COUNT_RE = /^\d{1,12}$/;

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
}

function parseSeries(raw: string | undefined, start: string | undefined, kind: 'daily' | 'monthly'): UsagePoint[] | string {
  if (raw === undefined && start === undefined) return [];
  if (raw === undefined || start === undefined) return `${kind} usage needs both ${kind === 'daily' ? USAGE_KEYS.daily : USAGE_KEYS.monthly} and its start`;
  const startOk = kind === 'daily' ? /^\d{4}-\d{2}-\d{2}$/.test(start) && !Number.isNaN(Date.parse(`${start}T00:00:00Z`)) : /^\d{4}-(0[1-9]|1[0-2])$/.test(start);
  if (!startOk) return `${kind} usage start "${start.slice(0, 20)}" is not a ${kind === 'daily' ? 'YYYY-MM-DD day' : 'YYYY-MM month'}`;
  const parts = raw === '' ? [] : raw.split(',');
  const max = kind === 'daily' ? MAX_DAILY : MAX_MONTHLY;
  if (parts.length > max) return `${kind} usage has ${parts.length} counts (at most ${max})`;
  const out: UsagePoint[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!.trim();
    if (!COUNT_RE.test(p)) return `${kind} usage count ${i + 1} is not a whole number`;
    out.push({ period: kind === 'daily' ? addDays(start, i) : addMonths(start, i), count: Number(p) });
  }
  return out;
}

/** Reads the counters from custom_metadata; a malformed value gives a problem, never a guess. */
export function parseUsage(md: Record<string, string | undefined>): ApiKeyUsage {
  const daily = parseSeries(md[USAGE_KEYS.daily], md[USAGE_KEYS.dailyStart], 'daily');
  const monthly = parseSeries(md[USAGE_KEYS.monthly], md[USAGE_KEYS.monthlyStart], 'monthly');
  const updatedRaw = md[USAGE_KEYS.updated];
  const updatedAt = updatedRaw && !Number.isNaN(Date.parse(updatedRaw)) ? new Date(Date.parse(updatedRaw)).toISOString() : null;
  const problems = [daily, monthly].filter((s): s is string => typeof s === 'string');
  return {
    daily: typeof daily === 'string' ? [] : daily,
    monthly: typeof monthly === 'string' ? [] : monthly,
    updatedAt,
    problem: problems.length > 0 ? problems.join('; ') : null,
  };
}

/** The custom_metadata entries for a daily and a monthly series (the metering job's write). */
export function formatUsage(daily: UsagePoint[], monthly: UsagePoint[], updatedAt: string): Record<string, string> {
  if (daily.length > MAX_DAILY || monthly.length > MAX_MONTHLY) throw new Error('usage series too long for custom_metadata');
  const out: Record<string, string> = { [USAGE_KEYS.updated]: updatedAt };
  if (daily.length > 0) {
    out[USAGE_KEYS.dailyStart] = daily[0]!.period;
    out[USAGE_KEYS.daily] = daily.map((p) => String(Math.max(0, Math.round(p.count)))).join(',');
  }
  if (monthly.length > 0) {
    out[USAGE_KEYS.monthlyStart] = monthly[0]!.period;
    out[USAGE_KEYS.monthly] = monthly.map((p) => String(Math.max(0, Math.round(p.count)))).join(',');
  }
  return out;
}

/** Every day from the first to the last, inclusive (YYYY-MM-DD, UTC). */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = first; d <= last && out.length < 5000; d = addDays(d, 1)) out.push(d);
  return out;
}

export { addDays as addUsageDays, addMonths as addUsageMonths };
