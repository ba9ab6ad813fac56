// The scheduled DNS re-check: in the app while someone is signed in (this scheduler), and
// in `vault-console watch` on an ops host (it calls recheckDkimDns from its own loop).
// Every DKIM key in grace or waiting for DNS is checked, so "first seen" starts without
// anyone clicking and the grace sweep finds the state fresh.
import { AppError } from '../../../shared/errors';
import { createLogger, type Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { DkimDnsService, type DkimDnsDeps, type RecheckSummary } from './dkim-dns-service';
import { effectiveResolvers } from './resolvers';

export const RECHECK_EVERY_MS = 15 * 60_000;
export const RECHECK_FIRST_DELAY_MS = 30_000;

/**
 * One re-check with the given services (for `vault-console watch` and other headless
 * loops): the same client, mount, actor, clock and resolvers the app would use.
 */
export function recheckDkimDns(deps: DkimDnsDeps): Promise<RecheckSummary> {
  return new DkimDnsService(deps).recheck();
}

/**
 * The same for an ops host without profiles (`vault-console watch`): resolvers from
 * VAULT_CONSOLE_DNS_RESOLVERS, else the system's; candidates from a Vault listing.
 *   const summary = await recheckDkimDnsHeadless({ client, mount, actor: 'watch', env: process.env, clock });
 */
export function recheckDkimDnsHeadless(o: { client: VaultClient; mount: string; actor: string; env: NodeJS.ProcessEnv; clock: Clock; logger?: Logger }): Promise<RecheckSummary> {
  return recheckDkimDns({
    client: () => o.client,
    mount: () => o.mount,
    actor: () => o.actor,
    clock: o.clock,
    resolvers: () => effectiveResolvers(null, o.env.VAULT_CONSOLE_DNS_RESOLVERS),
    ...(o.logger ? { logger: o.logger } : {}),
  });
}

export interface RecheckSession {
  info(): { signedIn: boolean };
  onChange(listener: (info: { signedIn: boolean }) => void): () => void;
}

export class DkimDnsRecheckScheduler {
  private timer: TimerHandle | undefined;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<RecheckSummary | null> | null = null;
  private readonly log: Logger;

  constructor(
    private readonly deps: {
      service: Pick<DkimDnsService, 'recheck'>;
      session: RecheckSession;
      clock: Clock;
      everyMs?: number;
      firstDelayMs?: number;
      /** After a re-check that checked keys: the views showing these tenants reload. */
      onRechecked?: (summary: RecheckSummary) => void;
      logger?: Logger;
    },
  ) {
    this.log = deps.logger ?? createLogger('dkim-dns');
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.deps.session.onChange((info) => (info.signedIn ? this.schedule(this.deps.firstDelayMs ?? RECHECK_FIRST_DELAY_MS) : this.clear()));
    if (this.deps.session.info().signedIn) this.schedule(this.deps.firstDelayMs ?? RECHECK_FIRST_DELAY_MS);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.clear();
  }

  /** One re-check now (single flight); null when it failed as a whole. */
  runNow(): Promise<RecheckSummary | null> {
    this.running ??= this.deps.service
      .recheck()
      .then((r) => {
        if (r.checked > 0) this.deps.onRechecked?.(r);
        return r;
      })
      .catch((err: unknown) => {
        this.log.warn(`DNS re-check failed (${err instanceof AppError ? err.code : 'error'}); the next one tries again`);
        return null;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private clear(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.clear();
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.deps.session.info().signedIn) return;
      this.schedule(this.deps.everyMs ?? RECHECK_EVERY_MS);
      void this.runNow();
    }, ms);
  }
}
