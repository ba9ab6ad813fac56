import type { Services } from '../services/container';
import type { Handlers } from './types';

type RevealChannels = 'reveal:status' | 'reveal:verify' | 'reveal:copy' | 'reveal:close';

export function revealHandlers({ reveal }: Services): Pick<Handlers, RevealChannels> {
  return {
    'reveal:status': async () => reveal.status(),
    // The password and code are checked by Vault in main and never echoed back or logged.
    'reveal:verify': async (input) => reveal.verify(input),
    'reveal:copy': async ({ revealId, field }) => reveal.copy(revealId, field),
    'reveal:close': async ({ revealId }) => reveal.close(revealId, 'user'),
  };
}
