// The console's one way to write a point in time: UTC, to the minute,
// "2026-11-26 11:21 UTC", so two admins in different zones read the same thing and
// audit times compare at a glance. The local time (and the exact UTC time, to the
// millisecond) is what a hover shows (renderer: <Time>). Pure; used by every view.

export type TimeInput = string | number | Date | null | undefined;

export const NO_TIME = '—';

/** Milliseconds since the epoch, or null for nothing / an unparsable value. */
export function toMs(value: TimeInput): number | null {
  if (value === null || value === undefined || value === '') return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** "2026-11-26 11:21 UTC"; `fallback` (—) for nothing or an unparsable value. */
export function formatUtc(value: TimeInput, fallback = NO_TIME): string {
  const ms = toMs(value);
  if (ms === null) return fallback;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The exact instant in UTC: "2026-11-26 11:21:33.123 UTC" (hover text, exports). */
export function formatUtcExact(value: TimeInput, fallback = NO_TIME): string {
  const ms = toMs(value);
  if (ms === null) return fallback;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

/** "11:21 UTC": a time of day for chart axes, where the date is on the axis already. */
export function formatUtcClock(value: TimeInput, fallback = NO_TIME): string {
  const ms = toMs(value);
  if (ms === null) return fallback;
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

// One formatter per (locale, zone): a long table renders hundreds of hover texts.
const formatters = new Map<string, Intl.DateTimeFormat>();

function localFormatter(locale: string, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
    formatters.set(key, f);
  }
  return f;
}

/** The hover text: local time in the viewer's zone, then the exact UTC instant. */
export function formatLocalHover(value: TimeInput, opts: { timeZone?: string; locale?: string } = {}): string {
  const ms = toMs(value);
  if (ms === null) return '';
  const zone = opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `Local time: ${localFormatter(opts.locale ?? 'en-GB', zone).format(new Date(ms))} (${zone}) · ${formatUtcExact(ms)}`;
}
