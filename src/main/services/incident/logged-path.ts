// Where a path as the audit store holds it points in the KV layout. Vault logs the API
// path ("tenants/data/t-000042/ssh/admin"); the console's own records hold the path
// relative to the mount ("t-000042/ssh/admin"). Pure.
import type { AuditSecretType } from '../../../shared/contracts/audit';
import { secretTypeOf, tenantOf } from '../audit/path-info';

export interface LoggedPlace {
  /** Relative to its mount, e.g. "t-000042/ssh/admin". */
  rel: string;
  /** The mount as logged; null for the console's own (mount-relative) records. */
  mount: string | null;
  tenantId: string;
  type: AuditSecretType;
  /** From the console's own record rather than Vault's log. */
  console: boolean;
  /** The KV v2 endpoint Vault logged (data, metadata, delete, ...); null for the console's records. */
  endpoint: string | null;
}

const KV_ENDPOINT = /^(.+?)\/(data|metadata|delete|undelete|destroy|subkeys)\/(.+)$/;

/** null: not a tenant path (sys/…, auth/…, a metadata endpoint, …). */
export function placeOfLoggedPath(path: string): LoggedPlace | null {
  const p = path.replace(/^\/+/, '');
  if (tenantOf(p)) return { rel: p, mount: null, tenantId: tenantOf(p)!, type: secretTypeOf(p), console: true, endpoint: null };
  const m = KV_ENDPOINT.exec(p);
  if (!m) return null;
  const rel = m[3]!;
  const tenantId = tenantOf(rel);
  if (!tenantId) return null;
  return { rel, mount: m[1]!, tenantId, type: secretTypeOf(rel), console: false, endpoint: m[2]! };
}
