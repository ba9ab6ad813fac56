// Which audit events mean "this identity saw a secret value": the ONE place that decides,
// for blast-radius listings (incident response) and the SOC 2 secret-access report.
// Change it here and both follow (docs/incident-response.md).
//
// An event's action is Vault's record of what it did (docs/audit-mapping.md): a value is
// seen by a KV data read, whatever the console header says about it. The console's own
// records say "reveal" or "download" for the reads it made (its statement, kept beside
// Vault's entry). A row stored before migration 13 whose action came from a header is
// "unclassified" (what Vault did is unknown until the raw log is imported again): it
// counts as a read, so an incident rotates more, never less. Metadata reads, lists and
// writes show no value. Only an answered request counts ("ok"), and one still waiting
// for its answer ("pending": it may have been answered after the log was read); a
// denied, failed or empty read showed nothing.
import { AUDIT_ACTIONS, type AuditAction, type AuditSecretType, type AuditStatus } from './audit-rules';

export type SecretAccessClass = 'read' | 'reveal' | 'download';

/** The class of access an event is, or null when it shows no secret value. */
export function secretAccessClass(action: AuditAction | string): SecretAccessClass | null {
  switch (action) {
    case 'read':
    case 'unclassified':
      return 'read';
    case 'reveal':
      return 'reveal';
    case 'download':
      return 'download';
    default:
      return null;
  }
}

/** Statuses under which an access event counts (see above). */
export const SECRET_ACCESS_STATUSES: readonly AuditStatus[] = ['ok', 'pending'];

/** Secret types whose paths hold a secret value (a tenant profile holds a name and an address). */
export const SECRET_VALUE_TYPES: readonly AuditSecretType[] = ['ssh', 'smtp', 'api', 'dkim'];

/** Every action that is some class of access, for the store's `action IN (...)` queries. */
export const SECRET_ACCESS_ACTIONS: readonly AuditAction[] = AUDIT_ACTIONS.filter((a) => secretAccessClass(a) !== null);
