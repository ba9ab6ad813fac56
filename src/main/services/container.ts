// Builds the Electron-free services. The Electron composition root (index.ts),
// the CLI and the browser harness all call this with their own adapters.
import { join } from 'node:path';
import type { VaultConnection } from './config/app-config';
import type { SecretStore } from './keychain/secret-store';
import { ProfilesService, toConnection } from './profiles/profiles-service';
import type { ProfileRow } from './storage/profiles-repo';
import { CapabilitiesService } from './session/capabilities';
import { SessionService } from './session/session-service';
import type { SessionInfo } from './session/session-types';
import { openDatabase, type SqlDatabase } from './storage/database';
import { ProfilesRepo } from './storage/profiles-repo';
import { SettingsRepo } from './storage/settings-repo';
import { systemClock, type Clock } from './time/clock';
import { createVaultClient, type VaultClient } from './vault/vault-client';
import type { EventSink } from '../handlers/types';

/** Opens a URL that a handler already validated (https only) in the user's browser. */
export type ExternalOpener = (url: string) => Promise<void>;

export interface ServiceDeps {
  /** The connection from the environment (VAULT_ADDR, ...): the first profile on a fresh install. */
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
  profiles: ProfilesService;
  /** The active profile's connection. */
  connection(): VaultConnection;
  /**
   * Unauthenticated client for the active profile: sys/health, seal status, unseal
   * (break-glass works signed out). Re-read it per use: a profile switch replaces it.
   */
  readonly vault: VaultClient;
  session: SessionService;
  /** What the signed-in identity may do (disables UI actions with a reason). */
  capabilities: CapabilitiesService;
  /** Make another profile active: new client, that profile's session, every view told. */
  switchProfile(id: string): Promise<SessionInfo>;
  dispose(): Promise<void>;
}

export const DATABASE_FILE = 'vault-console.db';

export function createServices(deps: ServiceDeps): Services {
  const clock = deps.clock ?? systemClock;
  const db = openDatabase(join(deps.dataDir, DATABASE_FILE));
  const now = () => new Date(clock.now());
  const settings = new SettingsRepo(db, now);
  const profiles = new ProfilesService(new ProfilesRepo(db), settings, now);

  let active: ProfileRow = profiles.ensureDefault(deps.connection);
  let connection = toConnection(active, deps.connection.timeoutMs);
  let vault = createVaultClient(connection);
  const session = new SessionService({ store: deps.secretStore, clock }, connection, active.id);
  session.onChange((info) => deps.events.emit('session:changed', info));
  const capabilities = new CapabilitiesService(session, () => connection.kvMount);

  return {
    deps,
    clock,
    db,
    settings,
    profiles,
    connection: () => connection,
    get vault() {
      return vault;
    },
    session,
    capabilities,
    async switchProfile(id) {
      const row = profiles.setActive(id);
      active = row;
      connection = toConnection(row, deps.connection.timeoutMs);
      const old = vault;
      vault = createVaultClient(connection);
      old.close();
      const info = await session.switchTo(connection, row.id);
      deps.events.emit('profiles:changed', { activeId: row.id });
      return info;
    },
    async dispose() {
      session.dispose();
      vault.close();
      db.close();
    },
  };
}
