// Axis labels people can read: counts with thousands separators (1,800,000), time ticks
// in UTC like every other time in the console, and a Y axis wide enough for its
// longest label (recharts clips a label that does not fit: "800000" for 1,800,000).
import { formatUtc } from '../../../shared/time-format';

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Pixels for a Y axis whose largest tick is `max` (0.8rem tabular digits ≈ 7.5 px each). */
export function countAxisWidth(max: number): number {
  return Math.max(36, Math.ceil(formatCount(max).length * 7.5) + 14);
}

/** Tick text for a bucket start: the day for day-wide buckets, else the UTC time (with the day when the range spans days). */
export function timeTick(ms: number, bucketMs: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  if (bucketMs >= 86_400_000) return iso.slice(0, 10);
  if (spanMs > 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(11, 16);
}

/** "2026-11-26 11:00 UTC – 11:15 UTC" for a bucket. */
export function bucketLabel(ms: number, bucketMs: number): string {
  const end = formatUtc(ms + bucketMs);
  const start = formatUtc(ms);
  return start.slice(0, 10) === end.slice(0, 10) ? `${start} – ${end.slice(11)}` : `${start} – ${end}`;
}

/** "15 minutes", "1 hour", "7 days". */
export function widthWords(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [u, w] of units) if (ms % u === 0) return ms / u === 1 ? `1 ${w}` : `${ms / u} ${w}s`;
  return `${Math.round(ms / 1000)} seconds`;
}
