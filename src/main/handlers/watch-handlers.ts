import type { Services } from '../services/container';
import type { Handlers } from './types';

export function watchHandlers(services: Services): Pick<Handlers, 'watch:status'> {
  return {
    'watch:status': async () => services.watch.status(),
  };
}
