// Keeps the tenant index fresh without anyone pressing Sync: while a session is signed
// in, an incremental sync soon after sign-in and then every `everyMs` (cheap with the
// change stamps: ~N/1000 + changed-tenants requests), and a full sync when the last full
// one is older than `fullEveryMs` (it catches edits made in Vault by hand, which carry no
// stamp; docs/vault-layout.md). A sync already running (the user's) is left alone.
import { AppError } from '../../../shared/errors';
import type { IndexState, SyncResult } from '../../../shared/contracts/inventory';
import { createLogger, type Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../time/clock';

export const AUTO_SYNC_EVERY_MS = 15 * 60_000;
export const AUTO_FULL_SYNC_EVERY_MS = 24 * 60 * 60_000;
/** After sign-in, let the views load first. */
export const AUTO_SYNC_FIRST_DELAY_MS = 5_000;

export interface AutoSyncTarget {
  state(): IndexState;
  sync(opts: { mode: 'incremental' | 'full' }): Promise<SyncResult>;
}

export interface AutoSyncSession {
  info(): { signedIn: boolean };
  onChange(listener: (info: { signedIn: boolean }) => void): () => void;
}

export class InventoryAutoSync {
  private timer: TimerHandle | undefined;
  private unsubscribe: (() => void) | null = null;
  private readonly log: Logger;
  /** Runs started by this scheduler (for the tests and the log). */
  readonly runs: Array<{ mode: 'incremental' | 'full'; outcome: string }> = [];

  constructor(
    private readonly deps: {
      inventory: AutoSyncTarget;
      session: AutoSyncSession;
      clock: Clock;
      everyMs?: number;
      fullEveryMs?: number;
      firstDelayMs?: number;
      logger?: Logger;
    },
  ) {
    this.log = deps.logger ?? createLogger('inventory');
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.deps.session.onChange((info) => (info.signedIn ? this.schedule(this.deps.firstDelayMs ?? AUTO_SYNC_FIRST_DELAY_MS) : this.clear()));
    if (this.deps.session.info().signedIn) this.schedule(this.deps.firstDelayMs ?? AUTO_SYNC_FIRST_DELAY_MS);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.clear();
  }

  private clear(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.clear();
    this.timer = this.deps.clock.setTimeout(() => void this.tick(), ms);
  }

  /** Full when the last full sync is missing or too old, else incremental. */
  modeNow(): 'incremental' | 'full' {
    const last = this.deps.inventory.state().lastFullSyncAt;
    const age = last ? this.deps.clock.now() - Date.parse(last) : Number.POSITIVE_INFINITY;
    return age >= (this.deps.fullEveryMs ?? AUTO_FULL_SYNC_EVERY_MS) ? 'full' : 'incremental';
  }

  async tick(): Promise<void> {
    this.timer = undefined;
    if (!this.deps.session.info().signedIn) return;
    const mode = this.modeNow();
    try {
      const r = await this.deps.inventory.sync({ mode });
      this.runs.push({ mode, outcome: r.outcome });
    } catch (err) {
      // The user's own sync is running, or Vault is down / sealed / the token expired:
      // try again at the next interval.
      const code = err instanceof AppError ? err.code : 'INTERNAL';
      this.runs.push({ mode, outcome: `failed:${code}` });
      if (code !== 'CONFLICT') this.log.warn(`automatic ${mode} sync failed (${code}); next try in ${Math.round((this.deps.everyMs ?? AUTO_SYNC_EVERY_MS) / 60_000)} min`);
    }
    if (this.deps.session.info().signedIn && this.unsubscribe) this.schedule(this.deps.everyMs ?? AUTO_SYNC_EVERY_MS);
  }
}
