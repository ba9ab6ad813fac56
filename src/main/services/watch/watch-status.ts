// The desktop app's view of the ops-host watchers: their heartbeats in Vault, read
// with the signed-in session, for the Health view's watcher card.
import type { WatchStatus } from '../../../shared/contracts/watch';
import type { Session } from '../session/session-types';
import type { Clock } from '../time/clock';
import type { VaultClient } from '../vault/vault-client';
import { readWatchStatus } from './heartbeat';

export interface WatchStatusDeps {
  session: Session;
  clock: Clock;
  /** The active profile's KV mount; heartbeats live in <mount>-watch. */
  kvMount: () => string;
}

export function watchMountFor(kvMount: string): string {
  return `${kvMount}-watch`;
}

export class WatchStatusService {
  constructor(private readonly deps: WatchStatusDeps) {}

  async status(): Promise<WatchStatus> {
    let client: VaultClient | null = null;
    try {
      client = this.deps.session.requireClient();
    } catch {
      client = null;
    }
    return readWatchStatus(client, watchMountFor(this.deps.kvMount()), this.deps.clock.now());
  }
}
