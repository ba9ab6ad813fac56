// Item outcomes of a running bulk job, written to SQLite in batches: one transaction
// every `everyMs` instead of two synchronous statements per item, which at hundreds of
// rotations a second costs the event loop (and Vault, on the same cores) real time.
// Losing the last batch in a crash is safe: every rotation carries
// rotation_id = "<job>:<item>" in Vault, so a resumed job finds the items it already
// rotated, records them as done and rotates nothing twice (RotationService.processItem).
import type { ItemUpdate, RotationRepo } from '../storage/rotation-repo';
import type { Clock, TimerHandle } from '../time/clock';

export class JobJournal {
  private buffer: ItemUpdate[] = [];
  private timer: TimerHandle | undefined;

  constructor(
    private readonly repo: RotationRepo,
    private readonly jobId: string,
    private readonly clock: Clock,
    private readonly everyMs: number,
    /** A batch could not be written (disk full, database locked too long): the job stops. */
    private readonly onError: (err: unknown) => void,
  ) {}

  record(update: ItemUpdate): void {
    this.buffer.push(update);
    if (this.everyMs <= 0) {
      this.flushOrReport();
      return;
    }
    this.timer ??= this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flushOrReport();
    }, this.everyMs);
  }

  /** Writes what is buffered now (before counts are read, at the end of a run). Throws on a database error. */
  flush(): void {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      this.repo.applyItemUpdates(this.jobId, batch);
    } catch (err) {
      // Kept for the next attempt; nothing recorded is dropped.
      this.buffer = batch.concat(this.buffer);
      throw err;
    }
  }

  close(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private flushOrReport(): void {
    try {
      this.flush();
    } catch (err) {
      this.onError(err);
    }
  }
}
