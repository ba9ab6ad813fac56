// Every contract channel's handler, built from the services. No electron here.
// Each feature contributes its handlers from <feature>-handlers.ts; the type
// below makes a channel without a handler a compile error.
import type { Services } from '../services/container';
import { appHandlers } from './app-handlers';
import { auditHandlers } from './audit-handlers';
import { auditSourceHandlers } from './audit-source-handlers';
import { withGuards } from './guards';
import { backupHandlers } from './backup-handlers';
import { complianceHandlers } from './compliance-handlers';
import { evidenceHandlers } from './evidence-handlers';
import { dkimDnsHandlers } from './dkim-dns-handlers';
import { enrolmentHandlers } from './enrolment-handlers';
import { healthHandlers } from './health-handlers';
import { incidentHandlers } from './incident-handlers';
import { inventoryHandlers } from './inventory-handlers';
import { profilesHandlers } from './profiles-handlers';
import { revealHandlers } from './reveal-handlers';
import { rotationHandlers } from './rotation-handlers';
import { sessionHandlers } from './session-handlers';
import type { Handlers } from './types';
import { vaultHandlers } from './vault-handlers';
import { watchHandlers } from './watch-handlers';

export function createHandlers(services: Services): Handlers {
  // Gated actions check the signed-in identity's capabilities in Vault first (guards.ts).
  return withGuards(createUnguardedHandlers(services), services);
}

function createUnguardedHandlers(services: Services): Handlers {
  return {
    ...appHandlers(services),
    ...auditHandlers(services),
    ...auditSourceHandlers(services),
    ...backupHandlers(services),
    ...complianceHandlers(services),
    ...evidenceHandlers(services),
    ...dkimDnsHandlers(services),
    ...enrolmentHandlers(services),
    ...healthHandlers(services),
    ...incidentHandlers(services),
    ...inventoryHandlers(services),
    ...profilesHandlers(services),
    ...revealHandlers(services),
    ...rotationHandlers(services),
    ...sessionHandlers(services),
    ...vaultHandlers(services),
    ...watchHandlers(services),
  };
}
