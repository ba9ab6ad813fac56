import type { Services } from '../services/container';
import type { Handlers } from './types';

export function complianceHandlers({ compliance }: Services): Pick<Handlers, 'compliance:soc2'> {
  return {
    'compliance:soc2': async ({ from, to, name }) => compliance.soc2(from, to, name ? { name } : {}),
  };
}
