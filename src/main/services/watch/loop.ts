// A periodic task that never overlaps itself: the next run is scheduled when the
// previous one has finished, so a slow Vault never piles up requests.
import type { Clock, TimerHandle } from '../time/clock';

export class Loop {
  private timer: TimerHandle | undefined;
  private running = false;
  private current: Promise<void> | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: () => number,
    private readonly task: () => Promise<void>,
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
      .catch(() => undefined)
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
