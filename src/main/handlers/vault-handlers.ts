import type { Services } from '../services/container';
import { readVaultStatus } from '../services/vault/vault-status';
import type { Handlers } from './types';

type VaultChannels = 'vault:status' | 'vault:unseal' | 'vault:unseal-reset' | 'vault:seal';

export function vaultHandlers(services: Services): Pick<Handlers, VaultChannels> {
  return {
    'vault:status': async () => readVaultStatus(services.vault),
    // The key share is handed to Vault and dropped; it is never echoed back.
    'vault:unseal': async ({ key }) => services.breakGlass.unseal(key),
    'vault:unseal-reset': async () => services.breakGlass.resetUnseal(),
    'vault:seal': async ({ confirm, incidentId }) => services.breakGlass.seal(confirm, incidentId),
  };
}
