import type { Services } from '../services/container';
import type { Handlers } from './types';

export function complianceHandlers({ compliance }: Services): Pick<Handlers, 'compliance:secret-access-report'> {
  return {
    'compliance:secret-access-report': async ({ from, to, name }) => compliance.soc2(from, to, name ? { name } : {}),
  };
}
