import { validateExternalUrl } from '../../shared/external-url';
import type { Services } from '../services/container';
import type { Handlers } from './types';

export function appHandlers(services: Services): Pick<Handlers, 'app:info' | 'shell:open-external'> {
  const { deps } = services;
  return {
    'app:info': async () => ({
      name: 'Vault Console',
      version: deps.appVersion,
      platform: deps.platform,
      shell: deps.shell,
      vaultAddress: services.connection().address,
    }),
    'shell:open-external': async ({ url }) => {
      // Only a validated https URL ever reaches the OS opener.
      const safe = validateExternalUrl(url);
      await deps.openExternal(safe); // eng-disable OPEN_EXTERNAL_JS_CHECK -- safe passed validateExternalUrl on the line above
      return { opened: true };
    },
  };
}
