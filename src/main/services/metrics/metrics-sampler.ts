// Samples Vault's request metrics every intervalMs into a ring buffer that holds
// the last windowMs (15 minutes), so the dashboard chart has history the moment it
// opens. Needs the session (sys/metrics wants a token); signed out, it records a
// gap and says why.
import type { MetricsSample, MetricsSeries } from '../../../shared/contracts/health';
import { AppError } from '../../../shared/errors';
import { createLogger } from '../log/logger';
import type { Session } from '../session/session-types';
import type { Clock, TimerHandle } from '../time/clock';
import { requestCounters, type RequestCounters } from './vault-metrics';

const log = createLogger('metrics');

export const METRICS_INTERVAL_MS = 10_000;
export const METRICS_WINDOW_MS = 15 * 60_000;

export interface MetricsSamplerDeps {
  session: Session;
  clock: Clock;
  intervalMs?: number;
  windowMs?: number;
}

export class MetricsSampler {
  private readonly intervalMs: number;
  private readonly windowMs: number;
  private readonly capacity: number;
  private ring: MetricsSample[] = [];
  private previous: { at: number; counters: RequestCounters } | null = null;
  private problem: string | null = 'Not sampled yet.';
  private timer: TimerHandle | undefined;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: MetricsSamplerDeps) {
    this.intervalMs = deps.intervalMs ?? METRICS_INTERVAL_MS;
    this.windowMs = deps.windowMs ?? METRICS_WINDOW_MS;
    this.capacity = Math.ceil(this.windowMs / this.intervalMs) + 1;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    let profileId = this.deps.session.info().profileId;
    this.unsubscribe = this.deps.session.onChange((info) => {
      // Another cluster: its counters are not comparable and its chart starts empty.
      if (info.profileId !== profileId) {
        profileId = info.profileId;
        this.ring = [];
        this.previous = null;
      }
      // A fresh sign-in gets a baseline at once instead of waiting for the next tick.
      if (info.signedIn && this.previous === null) void this.sample();
    });
    this.loop();
  }

  stop(): void {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  series(): MetricsSeries {
    const cutoff = this.deps.clock.now() - this.windowMs;
    return {
      samples: this.ring.filter((s) => Date.parse(s.at) >= cutoff),
      intervalMs: this.intervalMs,
      windowMs: this.windowMs,
      problem: this.problem,
    };
  }

  /** Take one sample now (the loop calls this; tests and the bench may too). */
  sample(): Promise<void> {
    this.inFlight ??= this.take().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private loop(): void {
    void this.sample().finally(() => {
      if (this.running) this.timer = this.deps.clock.setTimeout(() => this.loop(), this.intervalMs);
    });
  }

  private async take(): Promise<void> {
    const at = this.deps.clock.now();
    let text: string;
    try {
      const client = this.deps.session.requireClient();
      text = await client.request<string>('GET', 'sys/metrics?format=prometheus');
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('VAULT_ERROR', 'Metrics request failed.');
      this.problem =
        e.code === 'UNAUTHENTICATED'
          ? 'Sign in to see request metrics.'
          : e.code === 'PERMISSION_DENIED'
            ? 'Your policy does not allow reading sys/metrics.'
            : e.message;
      // A gap breaks the rate: the next sample starts a new baseline.
      this.previous = null;
      if (e.code !== 'UNAUTHENTICATED') log.debug(`sample failed (${e.code})`);
      return;
    }
    const counters = typeof text === 'string' ? requestCounters(text) : null;
    if (!counters) {
      this.problem = 'Vault did not export vault_core_handle_request (is telemetry with prometheus_retention_time configured?).';
      this.previous = null;
      return;
    }
    this.problem = null;
    const prev = this.previous;
    let requestRate: number | null = null;
    let latencyMeanMs: number | null = null;
    // A counter that went down means the server restarted: start a new baseline.
    if (prev && counters.count >= prev.counters.count && at > prev.at) {
      const dCount = counters.count - prev.counters.count;
      requestRate = round((dCount * 1000) / (at - prev.at));
      latencyMeanMs = dCount > 0 ? round((counters.sumMs - prev.counters.sumMs) / dCount) : null;
    }
    this.previous = { at, counters };
    this.push({
      at: new Date(at).toISOString(),
      requestRate,
      latencyMeanMs,
      latencyP50Ms: counters.p50Ms === null ? null : round(counters.p50Ms),
      latencyP99Ms: counters.p99Ms === null ? null : round(counters.p99Ms),
    });
  }

  private push(s: MetricsSample): void {
    this.ring.push(s);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
