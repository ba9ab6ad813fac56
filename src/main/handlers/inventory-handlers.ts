import type { Services } from '../services/container';
import type { Handlers } from './types';

type InventoryChannels =
  | 'tenants:search'
  | 'tenants:index-state'
  | 'tenants:sync'
  | 'tenants:sync-cancel'
  | 'tenants:show'
  | 'tenants:history'
  | 'tenants:dkim-dns'
  | 'tenants:api-usage'
  | 'tenants:download-ssh-key'
  | 'tenants:revoke-api-key';

export function inventoryHandlers({ inventory, session }: Services): Pick<Handlers, InventoryChannels> {
  // The index is read locally, but only a signed-in user sees it in the app.
  const signedIn = () => void session.requireClient();
  return {
    'tenants:search': async (q) => {
      signedIn();
      return inventory.search(q);
    },
    'tenants:index-state': async () => {
      signedIn();
      return inventory.state();
    },
    'tenants:sync': async ({ mode }) => inventory.sync({ mode }),
    'tenants:sync-cancel': async () => ({ cancelled: inventory.cancel() }),
    'tenants:show': async ({ tenantId }) => {
      signedIn();
      return inventory.show(tenantId);
    },
    'tenants:history': async ({ tenantId, path }) => inventory.history(tenantId, path),
    'tenants:dkim-dns': async ({ tenantId, domain }) => inventory.dkimDns(tenantId, domain),
    'tenants:api-usage': async ({ tenantId }) => inventory.apiUsage(tenantId),
    // The key goes from Vault to the file in main; only the path comes back.
    'tenants:download-ssh-key': async ({ tenantId }) => inventory.downloadSshKey(tenantId),
    'tenants:revoke-api-key': async ({ tenantId, keyId, confirm }) => inventory.revokeApiKey(tenantId, keyId, confirm),
  };
}
