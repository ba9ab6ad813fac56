// Delivers queued PagerDuty events one at a time, oldest first, from SQLite. A
// failure keeps the event at the head with a backoff (Retry-After when the receiver
// gives one, else exponential with jitter), so a resolve never overtakes its trigger.
// An event leaves the queue only when PagerDuty accepted it (or rejected it as
// malformed), which survives restarts. The one window where an event can go twice is
// a crash between PagerDuty's 202 and the commit that records it (milliseconds);
// PagerDuty folds such a repeat into the same incident by its dedup_key.
import type { Logger } from '../log/logger';
import type { OutboxRow, WatchRepo } from '../storage/watch-repo';
import type { Clock, TimerHandle } from '../time/clock';
import { httpSender, withRoutingKey, type EventSender, type SendOutcome } from './pagerduty';

export interface OutboxDeps {
  repo: WatchRepo;
  clock: Clock;
  log: Logger;
  url: string;
  routingKey: () => string | null;
  retryBaseMs: number;
  retryMaxMs: number;
  send?: EventSender;
  random?: () => number;
  onResult?: (row: OutboxRow, outcome: SendOutcome) => void;
}

/** How long to wait for a routing key that is not there yet before looking again. */
const NO_KEY_RECHECK_MS = 5_000;

export interface OutboxStats {
  pending: number;
  delivered: number;
  retried: number;
  dropped: number;
  lastError: string | null;
  lastDeliveredAt: number | null;
}

export class PagerOutbox {
  readonly stats: OutboxStats = { pending: 0, delivered: 0, retried: 0, dropped: 0, lastError: null, lastDeliveredAt: null };
  private timer: TimerHandle | undefined;
  private running = false;
  private draining: Promise<void> | null = null;
  private again = false;

  constructor(private readonly deps: OutboxDeps) {
    this.stats.pending = deps.repo.pendingCount();
  }

  start(): void {
    this.running = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.deps.clock.clearTimeout(this.timer);
    await this.draining;
  }

  /** Something was queued (or a key arrived): deliver now. */
  kick(): void {
    if (!this.running) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when nothing is being sent right now (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = this.deps.clock.setTimeout(() => this.kick(), Math.max(0, ms));
  }

  private backoff(attempts: number): number {
    const exp = Math.min(this.deps.retryMaxMs, this.deps.retryBaseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
    const jitter = 0.8 + 0.4 * (this.deps.random ?? Math.random)();
    return Math.round(Math.min(this.deps.retryMaxMs, exp * jitter));
  }

  private redact(text: string, key: string): string {
    return key ? text.split(key).join('[redacted]') : text;
  }

  private async drain(): Promise<void> {
    const { repo, clock, log } = this.deps;
    const send = this.deps.send ?? httpSender;
    for (;;) {
      if (!this.running) return;
      const head = repo.head();
      this.stats.pending = repo.pendingCount();
      if (!head) return;
      const now = clock.now();
      if (head.nextAttemptAt > now) {
        this.schedule(head.nextAttemptAt - now);
        return;
      }
      const key = this.deps.routingKey();
      if (!key) {
        this.stats.lastError = 'no routing key yet';
        this.schedule(NO_KEY_RECHECK_MS);
        return;
      }
      let outcome: SendOutcome;
      try {
        outcome = await send(this.deps.url, withRoutingKey(head.eventJson, key));
      } catch {
        outcome = { kind: 'retry', status: null, afterMs: null, reason: 'send failed' };
      }
      const at = clock.now();
      const label = `${head.action} ${head.condition} (event ${head.id})`;
      if (outcome.kind === 'delivered') {
        repo.markDelivered(head.id, at);
        this.stats.delivered++;
        this.stats.lastDeliveredAt = at;
        this.stats.lastError = null;
        log.info(`delivered ${label} after ${head.attempts + 1} attempt(s)`);
      } else if (outcome.kind === 'drop') {
        const reason = this.redact(outcome.reason, key);
        repo.markDropped(head.id, at, reason);
        this.stats.dropped++;
        this.stats.lastError = reason;
        log.error(`PagerDuty refused ${label} as malformed; dropped: ${reason}`);
      } else {
        const reason = this.redact(outcome.reason, key);
        const wait = outcome.afterMs !== null ? Math.max(100, outcome.afterMs) : this.backoff(head.attempts + 1);
        repo.markRetry(head.id, at + wait, reason);
        this.stats.retried++;
        this.stats.lastError = reason;
        log.warn(`${label} not delivered (${reason}); retry in ${Math.round(wait / 100) / 10}s${outcome.afterMs !== null ? ' as the receiver asked' : ''}`);
      }
      this.stats.pending = repo.pendingCount();
      this.deps.onResult?.(head, outcome);
    }
  }
}
