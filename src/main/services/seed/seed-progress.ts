// Progress lines for a long seeding run (the demo, `vault-console seed`): how many,
// how fast, and when it will be done. Rate and ETA come from the recent window, so a
// run that speeds up (skipped tenants) or slows down (a busy server) says so.
import type { SeedProgress } from './seeder';

export interface ProgressReporterOptions {
  total: number;
  write: (line: string) => void;
  /** ms clock; default performance.now. */
  now?: () => number;
  /** At most one line per this many ms (the last one always comes). Default 1,000. */
  everyMs?: number;
  /** Prefix, e.g. "[demo]". */
  label?: string;
}

const WINDOW_MS = 10_000;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

const n = (v: number) => v.toLocaleString('en-US');

/** One line: "[demo] seeding 1,234 of 10,000 tenants (12 %) · 58.2 tenants/s · ETA 2 min 31 s · 1,200 written, 34 already there". */
export function progressLine(label: string, p: Pick<SeedProgress, 'done' | 'total' | 'written' | 'skipped'>, rate: number | null, elapsedS: number): string {
  const pct = p.total > 0 ? Math.floor((p.done * 100) / p.total) : 100;
  const left = p.total - p.done;
  const eta = left === 0 ? `done in ${formatDuration(elapsedS)}` : rate && rate > 0 ? `ETA ${formatDuration(left / rate)}` : 'ETA ?';
  const speed = rate === null ? '– tenants/s' : `${rate.toFixed(1)} tenants/s`;
  return `${label}seeding ${n(p.done)} of ${n(p.total)} tenants (${pct} %) · ${speed} · ${eta} · ${n(p.written)} written, ${n(p.skipped)} already there`;
}

/** A SeedProgress callback that writes a line at most every `everyMs`, and always the last one. */
export function createProgressReporter(opts: ProgressReporterOptions): (p: SeedProgress) => void {
  const now = opts.now ?? (() => performance.now());
  const every = opts.everyMs ?? 1_000;
  const label = opts.label ? `${opts.label} ` : '';
  const started = now();
  let lastLine = started;
  // Recent (time, done) samples for the rate. They start at the first tenant: the warm-up
  // before it (a DKIM key pool) says nothing about the pace.
  const samples: Array<[number, number]> = [];
  return (p) => {
    const t = now();
    samples.push([t, p.done]);
    while (samples.length > 2 && samples[0]![0] < t - WINDOW_MS) samples.shift();
    const last = p.done >= opts.total;
    if (!last && t - lastLine < every) return;
    const [t0, d0] = samples[0]!;
    // The last line of a short run has no window to speak of: its rate is the whole run's.
    const rate = t - t0 >= 500 ? ((p.done - d0) * 1000) / (t - t0) : last && t > started ? (p.done * 1000) / (t - started) : null;
    // No line until the pace is known, except the last one.
    if (rate === null && !last) return;
    lastLine = t;
    opts.write(progressLine(label, { ...p, total: opts.total }, rate, (t - started) / 1000));
  };
}
