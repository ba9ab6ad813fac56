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
const TENANT_RE = /^t-\d{6,}$/;
const TYPES: Record<string, AuditSecretType> = { ssh: 'ssh', smtp: 'smtp', api: 'api', dkim: 'dkim', profile: 'profile' };

/**
 * The same answer as placeOfLoggedPath, faster for the data paths of one mount (the bulk of
 * a blast radius: tens of thousands of paths): a prefix check and two indexOf, no regex on
 * the whole path.
 */
export function placeParser(mount: string): (path: string) => LoggedPlace | null {
  const prefix = `${mount}/data/`;
  return (path) => {
    if (!path.startsWith(prefix)) return placeOfLoggedPath(path);
    const rel = path.slice(prefix.length);
    const a = rel.indexOf('/');
    const tenantId = a < 0 ? rel : rel.slice(0, a);
    if (!TENANT_RE.test(tenantId)) return null;
    const b = a < 0 ? -1 : rel.indexOf('/', a + 1);
    const seg = a < 0 ? '' : b < 0 ? rel.slice(a + 1) : rel.slice(a + 1, b);
    return { rel, mount, tenantId, type: TYPES[seg] ?? 'none', console: false, endpoint: 'data' };
  };
}

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
