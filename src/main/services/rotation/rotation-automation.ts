// What rotation does on its own while someone is signed in (the app; the CLI does not use
// it): at each sign-in, jobs that stopped without anyone deciding so (the console quit or
// crashed, Vault was sealed, the session ended) resume, and the grace sweep runs; then the
// sweep repeats on a timer (often when the local index gives the candidates, rarely when
// Vault has to be listed). At sign-out, running jobs pause at the next item boundary and
// resume at the next sign-in.
import type { SessionInfo } from '../session/session-types';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../time/clock';
import type { SweepResult } from './grace-sweep';

export interface AutomatedRotation {
  /** Resumes what stopped by itself; returns the ids of the jobs launched. */
  resumeInterrupted(): string[];
  /** The session ended: running jobs pause, to resume at the next sign-in. */
  pauseForSignOut(): void;
  sweepGrace(): Promise<SweepResult>;
}

export interface RotationAutomationDeps {
  session: { info(): SessionInfo; onChange(listener: (info: SessionInfo) => void): () => void };
  clock: Clock;
  log: Logger;
  /** Sweep period when the local index gives the candidates (default 5 minutes). */
  indexEveryMs?: number;
  /** Sweep period when Vault has to be listed (default 1 hour). */
  vaultEveryMs?: number;
}

export class RotationAutomation {
  private key: string | null = null;
  private timer: TimerHandle | undefined;
  private sweeping: Promise<SweepResult | null> | null = null;
  private lastSource: SweepResult['source'] = 'index';
  /** A sweep came due while one was running: run one more when it ends (nothing is skipped). */
  private again = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly target: AutomatedRotation,
    private readonly deps: RotationAutomationDeps,
  ) {
    this.unsubscribe = deps.session.onChange((info) => this.onSession(info));
    this.onSession(deps.session.info());
  }

  /** The sweep now (single flight: joins one already running). Null when it failed as a whole. */
  sweepNow(): Promise<SweepResult | null> {
    this.sweeping ??= this.target
      .sweepGrace()
      .then((r) => {
        this.lastSource = r.source;
        if (r.retired.length > 0 || r.failed.length > 0) {
          this.deps.log.info(`grace sweep (${r.source}): ${r.candidates} due, ${r.retired.length} retired, ${r.unchanged} changed meanwhile, ${r.failed.length} failed`);
        }
        return r;
      })
      .catch((err: unknown) => {
        this.deps.log.warn(`grace sweep failed (${err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : 'error'}); the next one tries again`);
        return null;
      })
      .finally(() => {
        this.sweeping = null;
        if (this.again && this.key !== null) {
          this.again = false;
          void this.sweepNow();
        }
      });
    return this.sweeping;
  }

  /** Resolves when no sweep is running (tests). */
  async idle(): Promise<void> {
    while (this.sweeping) await this.sweeping;
  }

  dispose(): void {
    this.unsubscribe();
    this.stopTimer();
  }

  private onSession(info: SessionInfo): void {
    const key = info.signedIn ? `${info.profileId}|${info.address}|${info.displayName}` : null;
    if (key === this.key) return;
    const was = this.key;
    this.key = key;
    if (was !== null) {
      this.stopTimer();
      this.target.pauseForSignOut();
    }
    if (key === null) return;
    const resumed = this.target.resumeInterrupted();
    if (resumed.length > 0) this.deps.log.info(`resumed ${resumed.length} interrupted job(s) at sign-in: ${resumed.join(', ')}`);
    void this.sweepNow();
    this.arm();
  }

  private arm(): void {
    const every = this.lastSource === 'vault' ? (this.deps.vaultEveryMs ?? 60 * 60_000) : (this.deps.indexEveryMs ?? 5 * 60_000);
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.key === null) return;
      this.arm();
      if (this.sweeping) this.again = true;
      else void this.sweepNow();
    }, every);
  }

  private stopTimer(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
