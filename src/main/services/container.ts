// Builds the Electron-free services. The Electron composition root (index.ts),
// the CLI and the browser harness all call this with their own adapters.
import type { VaultConnection } from './config/app-config';
import { createVaultClient, type VaultClient } from './vault/vault-client';
import type { EventSink } from '../handlers/types';

/** Opens a URL that a handler already validated (https only) in the user's browser. */
export type ExternalOpener = (url: string) => Promise<void>;

export interface ServiceDeps {
  connection: VaultConnection;
  shell: 'electron' | 'harness';
  appVersion: string;
  platform: string;
  openExternal: ExternalOpener;
  events: EventSink;
}

export interface Services {
  deps: ServiceDeps;
  vault: VaultClient;
  dispose(): Promise<void>;
}

export function createServices(deps: ServiceDeps): Services {
  const vault = createVaultClient(deps.connection);
  return {
    deps,
    vault,
    async dispose() {
      vault.close();
    },
  };
}
