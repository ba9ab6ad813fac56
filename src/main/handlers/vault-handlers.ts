import type { Services } from '../services/container';
import { readVaultStatus } from '../services/vault/vault-status';
import type { Handlers } from './types';

export function vaultHandlers(services: Services): Pick<Handlers, 'vault:status'> {
  return {
    'vault:status': async () => readVaultStatus(services.vault),
  };
}
