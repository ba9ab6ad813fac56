// The normalised event every source (Vault's log, the console, imports) becomes
// before it is stored. Never holds a secret value: Vault HMACs values before they
// reach its log, and the console records paths and ids only.
import type { AuditAction, AuditSource, AuditStatus, AuditSecretType } from '../../../shared/contracts/audit';

export interface AuditRecord {
  /** Dedup key: importing or tailing the same entry twice stores it once. */
  key: string;
  /** Epoch milliseconds, UTC. */
  ts: number;
  action: AuditAction;
  tenant: string | null;
  user: string;
  secretType: AuditSecretType;
  ip: string;
  status: AuditStatus;
  path: string;
  source: AuditSource;
  requestId: string;
  approvalId: string | null;
  error: string | null;
  /**
   * Who made the request beyond the user name (migration 10): Vault's identity entity id,
   * and the token accessor as logged (plain where the audit device has hmac_accessor=false,
   * else Vault's HMAC of it). Absent for console records and older imports.
   */
  entityId?: string | null;
  accessor?: string | null;
  /** The incident id the console action was made under (console header `incident=`). */
  incidentId?: string | null;
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
