import type { Services } from '../services/container';
import type { Handlers } from './types';

export function healthHandlers(services: Services): Pick<Handlers, 'health:snapshot' | 'health:metrics'> {
  return {
    'health:snapshot': async () => services.health.snapshot(),
    'health:metrics': async () => services.metrics.series(),
  };
}
