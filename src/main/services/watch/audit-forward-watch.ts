// `vault-console watch -forward-victorialogs`: what the watcher tails (Vault's file audit
// log) also goes to the VictoriaLogs of the console's active profile, through the same
// AuditForwarder as `audit forward` (batched, retried, never twice: its cursor file in the
// watcher's data dir). The forwarder keeps its own cursor, apart from the watcher's tail:
// on its first run it ships the file from the start (nothing lost), later runs resume.
// When it gives up (VictoriaLogs down past its retries, refused credentials) it is
// started again after a pause from its cursor, so a long-lived watcher keeps forwarding.
import type { ForwarderSetup } from '../audit-source/forward-setup';
import type { Logger } from '../log/logger';

const RETRY_MS = 30_000;

export class AuditForwardWatch {
  private running: Promise<void> | null = null;
  private current: ForwarderSetup | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  /** Why forwarding last stopped (safe to log: no credential is ever in it); null while it runs. */
  lastProblem: string | null = null;

  constructor(
    private readonly o: {
      /** Builds the forwarder for a file (a new one per start: its state lives in the cursor file). */
      make: (file: string) => ForwarderSetup;
      pollMs: number;
      retryMs?: number;
      log: Logger;
    },
  ) {}

  /** Starts forwarding the file the watcher tails (once; a later call is ignored). */
  start(file: string): void {
    if (this.running || this.stopped) return;
    this.running = this.loop(file);
  }

  private async loop(file: string): Promise<void> {
    while (!this.stopped) {
      let setup: ForwarderSetup | null = null;
      try {
        setup = this.o.make(file);
        this.current = setup;
        this.o.log.info(`forwarding ${file} to VictoriaLogs (cursor ${setup.cursorPath})`);
        this.lastProblem = null;
        const r = await setup.forwarder.follow(this.o.pollMs);
        if (!this.stopped) this.o.log.warn(`forwarding to VictoriaLogs ended (${r.sent} events sent); starting again`);
      } catch (err) {
        this.lastProblem = err instanceof Error ? err.message : 'error';
        this.o.log.warn(`forwarding to VictoriaLogs stopped: ${this.lastProblem}; again in ${Math.round((this.o.retryMs ?? RETRY_MS) / 1000)}s from its cursor`);
      } finally {
        await setup?.forwarder.stop().catch(() => undefined);
        setup?.client.close();
        this.current = null;
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.retryMs ?? RETRY_MS);
        t.unref?.();
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.current?.forwarder.stop().catch(() => undefined);
    await this.running;
  }
}
