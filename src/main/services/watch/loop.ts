// A periodic task that never overlaps itself: the next run is scheduled when the
// previous one has finished, so a slow Vault never piles up requests.
import type { Clock, TimerHandle } from '../time/clock';

export class Loop {
  private timer: TimerHandle | undefined;
  private running = false;
  private current: Promise<void> | null = null;

  private lastError: string | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: () => number,
    private readonly task: () => Promise<void>,
    /** Told about a task that threw (once per distinct message, so a stuck failure is not a log flood). */
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  start(delayMs = 0): void {
    if (this.running) return;
    this.running = true;
    this.schedule(delayMs);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => void this.runNow(), ms);
  }

  /** Runs the task now (or joins the run in progress), then keeps the period from here. */
  runNow(): Promise<void> {
    if (this.current) return this.current;
    this.clock.clearTimeout(this.timer);
    this.current = this.task()
      .then(
        () => {
          this.lastError = null;
        },
        (err: unknown) => {
          const message = err instanceof Error ? `${err.name}: ${err.message}` : 'error';
          if (message !== this.lastError) this.onError(message);
          this.lastError = message;
        },
      )
      .finally(() => {
        this.current = null;
        this.schedule(this.intervalMs());
      });
    return this.current;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    await this.current;
  }
}
