import type { Services } from '../services/container';
import type { Handlers } from './types';

type AuditSourceChannels = 'audit:source-get' | 'audit:source-set' | 'audit:source-test' | 'audit:source-status';

export function auditSourceHandlers({ auditSources }: Services): Pick<Handlers, AuditSourceChannels> {
  return {
    'audit:source-get': async () => auditSources.view(),
    // The credential goes to the keychain; the answer says only that one is there.
    'audit:source-set': async (input) => auditSources.set(input),
    'audit:source-test': async () => auditSources.source().check(),
    'audit:source-status': async () => auditSources.source().health(),
  };
}
