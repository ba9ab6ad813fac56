// Every contract channel's handler, built from the services. No electron here.
import { validateExternalUrl } from '../../shared/external-url';
import type { Services } from '../services/container';
import { readVaultStatus } from '../services/vault/vault-status';
import type { Handlers } from './types';

export function createHandlers(services: Services): Handlers {
  const { deps } = services;
  return {
    'app:info': async () => ({
      name: 'Vault Console',
      version: deps.appVersion,
      platform: deps.platform,
      shell: deps.shell,
      vaultAddress: deps.connection.address,
    }),
    'vault:status': async () => readVaultStatus(services.vault),
    'shell:open-external': async ({ url }) => {
      const safe = validateExternalUrl(url);
      await deps.openExternal(safe);
      return { opened: true };
    },
  };
}
