// Every contract channel's handler, built from the services. No electron here.
// Each feature contributes its handlers from <feature>-handlers.ts; the type
// below makes a channel without a handler a compile error.
import type { Services } from '../services/container';
import { appHandlers } from './app-handlers';
import { profilesHandlers } from './profiles-handlers';
import { sessionHandlers } from './session-handlers';
import type { Handlers } from './types';
import { vaultHandlers } from './vault-handlers';

export function createHandlers(services: Services): Handlers {
  return {
    ...appHandlers(services),
    ...profilesHandlers(services),
    ...sessionHandlers(services),
    ...vaultHandlers(services),
  };
}
