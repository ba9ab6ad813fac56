// Builds the Electron-free services. The Electron composition root (index.ts),
// the CLI and the browser harness all call this with their own adapters.
import { join } from 'node:path';
import type { VaultConnection } from './config/app-config';
import type { SecretStore } from './keychain/secret-store';
import { SessionService } from './session/session-service';
import { openDatabase, type SqlDatabase } from './storage/database';
import { SettingsRepo } from './storage/settings-repo';
import { systemClock, type Clock } from './time/clock';
import { createVaultClient, type VaultClient } from './vault/vault-client';
import type { EventSink } from '../handlers/types';

/** Opens a URL that a handler already validated (https only) in the user's browser. */
export type ExternalOpener = (url: string) => Promise<void>;

export interface ServiceDeps {
  connection: VaultConnection;
  shell: 'electron' | 'harness';
  appVersion: string;
  platform: string;
  /** Where the SQLite database and other local state live (userData in the app). */
  dataDir: string;
  /** The OS keychain (keytar) in the app; tests may hand in another SecretStore. */
  secretStore: SecretStore;
  openExternal: ExternalOpener;
  events: EventSink;
  clock?: Clock;
}

export interface Services {
  deps: ServiceDeps;
  clock: Clock;
  db: SqlDatabase;
  settings: SettingsRepo;
  /** Unauthenticated client for sys/health, seal status and unseal (break-glass works signed out). */
  vault: VaultClient;
  session: SessionService;
  dispose(): Promise<void>;
}

export const DATABASE_FILE = 'vault-console.db';

export function createServices(deps: ServiceDeps): Services {
  const clock = deps.clock ?? systemClock;
  const db = openDatabase(join(deps.dataDir, DATABASE_FILE));
  const settings = new SettingsRepo(db, () => new Date(clock.now()));
  const vault = createVaultClient(deps.connection);
  const session = new SessionService({ store: deps.secretStore, clock }, deps.connection, 'default');
  session.onChange((info) => deps.events.emit('session:changed', info));
  return {
    deps,
    clock,
    db,
    settings,
    vault,
    session,
    async dispose() {
      session.dispose();
      vault.close();
      db.close();
    },
  };
}
