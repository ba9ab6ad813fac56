// Every time shown in the console goes through here: UTC to the minute on screen,
// the local time and the exact instant on hover (and for screen readers in the
// element's machine-readable dateTime).
import { formatLocalHover, formatUtc, toMs, type TimeInput } from '../../../shared/time-format';

export function Time({ value, fallback, testId, className }: { value: TimeInput; fallback?: string; testId?: string; className?: string }) {
  const ms = toMs(value);
  if (ms === null) {
    return (
      <span className={className} data-testid={testId}>
        {fallback ?? '—'}
      </span>
    );
  }
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatLocalHover(ms)} className={className} data-testid={testId}>
      {formatUtc(ms)}
    </time>
  );
}
