// The normalised event every source (Vault's log, the console, imports) becomes
// before it is stored. Never holds a secret value: Vault HMACs values before they
// reach its log, and the console records paths and ids only.
import type { AuditAction, AuditSource, AuditStatus, AuditSecretType } from '../../../shared/contracts/audit';

export interface AuditRecord {
  /** Dedup key: importing or tailing the same entry twice stores it once. */
  key: string;
  /** Epoch milliseconds, UTC. */
  ts: number;
  /** For Vault's entries: what Vault did (mount, path, operation, status), never what a client claims. */
  action: AuditAction;
  tenant: string | null;
  /** The identity that made the request, normalised (normalizeUser). */
  user: string;
  secretType: AuditSecretType;
  ip: string;
  status: AuditStatus;
  path: string;
  source: AuditSource;
  requestId: string;
  /** The approval id named by the console header: an annotation, it approves nothing. */
  approvalId: string | null;
  error: string | null;
  /** Vault's operation; null for the console's own records (and events stored before migration 13). */
  operation: string | null;
  /** The mount Vault routed to, with its namespace ("tenants/", "ns1/tenants/"). */
  mount: string | null;
  /** The caller's identity entity, when its token has one. */
  entityId: string | null;
  /**
   * The token accessor as logged (migration 18): plain where the audit device has
   * hmac_accessor=false, else Vault's HMAC of it; for a successful login, the new token's.
   * Incident response names a token by it. Absent for the console's own records.
   */
  accessor?: string | null;
  /** The console header as logged (annotation). */
  consoleHeader: string | null;
  /** The header names an action Vault's operation contradicts. */
  headerConflict: boolean;
  /** A write to an approvals mount's request record: what Vault's log proves about it. */
  approvalWrite?: ApprovalWrite | null;
}

/**
 * Vault's record of one write to `<mount>-approvals/data/requests/<id>`: who wrote
 * (identity and policies as Vault logged them, never as the record claims), when,
 * which KV version it created, and, when the mount logs them unhashed
 * (audit_non_hmac_request_keys) or they were read back from Vault, the record's
 * status and secret path.
 */
export interface ApprovalWrite {
  approvalId: string;
  /** The approvals mount, with namespace ("tenants-approvals/"). */
  mount: string;
  /** Policies of the writer's token and identity, from Vault's log. */
  policies: string[];
  /** The KV version this write created (from the response), null when unknown. */
  version: number | null;
  /** Record content, null when the log holds it HMAC'd. */
  recordStatus: string | null;
  recordPath: string | null;
  /** The content was read back from Vault's KV version (the log held it HMAC'd). */
  readFromVault?: boolean;
}

/** Vault writes nanoseconds ("…41.852106786Z"); keep milliseconds. NaN when unparseable. */
export function parseVaultTime(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!m) return NaN;
  const frac = (m[2] ?? '').slice(0, 3).padEnd(3, '0');
  return Date.parse(`${m[1]}.${frac}${m[3]}`);
}

export function monthOf(ts: number): number {
  const d = new Date(ts);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

/** The Vault-detail fields of a record that has none (generated events, the console's own records). */
export const NO_VAULT_DETAIL = { operation: null, mount: null, entityId: null, consoleHeader: null, headerConflict: false } as const satisfies Partial<AuditRecord>;
