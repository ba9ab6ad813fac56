// The DKIM DNS re-check on the ops host (issue 16): every DKIM key in a rotation grace
// period is checked against DNS and its state recorded in Vault (shared with every
// console), so "first seen" starts and the grace sweep finds fresh states while no app
// is open. The DKIM feature's own re-check, with the resolvers an ops host has
// (VAULT_CONSOLE_DNS_RESOLVERS, else the system's, as recheckDkimDnsHeadless) and the
// candidates from the watcher's index when it covers the mount (else a Vault listing).
// Reading a DKIM key's public halves needs read on its data: an optional policy
// (vault-console-watch-dkim); without it the re-check says so once and changes nothing.
import { recheckDkimDns } from '../dkim-dns/dkim-dns-recheck';
import { effectiveResolvers } from '../dkim-dns/resolvers';
import type { Logger } from '../log/logger';
import type { DkimDnsRepo } from '../storage/dkim-dns-repo';
import type { InventoryRepo } from '../storage/inventory-repo';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import type { WatchMetrics } from './watch-metrics';

export interface DkimDnsWatchDeps {
  client: () => VaultClient;
  kvMount: string;
  actor: string;
  clock: Clock;
  /** VAULT_CONSOLE_DNS_RESOLVERS; undefined: the system's resolvers. */
  resolvers: string | undefined;
  index: InventoryRepo;
  dkim: DkimDnsRepo;
  metrics: WatchMetrics;
  log: Logger;
}

export class DkimDnsWatch {
  private lastProblem: string | null = null;

  constructor(private readonly deps: DkimDnsWatchDeps) {}

  async recheck(): Promise<void> {
    const { index, dkim, kvMount, metrics, log, clock } = this.deps;
    const indexed = index.indexedMount() === kvMount && index.lastDone(kvMount) !== undefined;
    let problem: string | null = null;
    try {
      const r = await recheckDkimDns({
        client: this.deps.client,
        mount: () => kvMount,
        actor: () => this.deps.actor,
        clock,
        resolvers: () => effectiveResolvers(null, this.deps.resolvers),
        candidates: async () => (indexed ? dkim.dkimInGrace() : null),
        logger: log,
      });
      metrics.dkimRecheck(r.waiting, clock.now());
      if (r.failed.length > 0) {
        metrics.error('dkim-dns');
        const denied = r.failed.filter((f) => f.code === 'PERMISSION_DENIED').length;
        problem =
          denied > 0
            ? `DKIM DNS re-check: the watcher's policy may not read ${denied} DKIM key(s) in grace (read on ${kvMount}/data/+/dkim/* and patch on ${kvMount}/metadata/*: the vault-console-watch-dkim policy); their DNS state is not updated`
            : `DKIM DNS re-check: ${r.failed.length} of ${r.candidates} key(s) failed (${[...new Set(r.failed.map((f) => f.code))].join(', ')})`;
      }
    } catch (err) {
      metrics.error('dkim-dns');
      problem = `DKIM DNS re-check failed: ${err instanceof Error ? err.message : 'error'}`;
    }
    // Said once per distinct problem, and once when it clears: a 15-minute loop is no log flood.
    if (problem !== this.lastProblem) {
      if (problem) log.warn(problem);
      else if (this.lastProblem) log.info('DKIM DNS re-check works again');
    }
    this.lastProblem = problem;
  }
}
