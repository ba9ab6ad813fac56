// Maps one Vault audit entry (the request entry, the response entry, or both
// joined by request id) to an AuditRecord. The rules are documented in
// docs/audit-mapping.md; change both together.
import type { AuditAction, AuditStatus, AuditSecretType } from '../../../shared/contracts/audit';
import { parseVaultTime, type AuditRecord } from './audit-record';
import { CONSOLE_ACTION_HEADER_KEY, parseConsoleTag } from './console-header';

/** The parts of Vault's audit entry we read (everything else is ignored). */
export interface VaultAuditEntry {
  time?: unknown;
  type?: unknown;
  error?: unknown;
  auth?: {
    display_name?: unknown;
    metadata?: Record<string, unknown> | null;
    entity_id?: unknown;
    accessor?: unknown;
    client_token?: unknown;
  } | null;
  request?: {
    id?: unknown;
    operation?: unknown;
    path?: unknown;
    mount_point?: unknown;
    mount_type?: unknown;
    remote_address?: unknown;
    headers?: Record<string, unknown> | null;
  } | null;
  response?: {
    auth?: { display_name?: unknown; metadata?: Record<string, unknown> | null; client_token?: unknown; entity_id?: unknown; accessor?: unknown } | null;
    data?: Record<string, unknown> | null;
  } | null;
}

export interface MappingOptions {
  /** Tenant folders look like this (the seeder's t-000042). */
  tenantPattern?: RegExp;
}

const TENANT_RE = /^t-\d{6,}$/;
const KV_V2_PREFIXES = new Set(['data', 'metadata', 'delete', 'undelete', 'destroy', 'subkeys']);
const SECRET_TYPE_BY_SEGMENT: Record<string, AuditSecretType> = { ssh: 'ssh', smtp: 'smtp', api: 'api', dkim: 'dkim', profile: 'profile' };
const LOGIN_RE = /^auth\/(.+?)\/login(?:\/([^/]+))?$/;

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** True when the entry looks like a Vault audit entry at all. */
export function isVaultAuditEntry(v: unknown): v is VaultAuditEntry {
  if (!v || typeof v !== 'object') return false;
  const e = v as VaultAuditEntry;
  return (e.type === 'request' || e.type === 'response') && typeof e.time === 'string' && !!e.request && typeof e.request === 'object';
}

/**
 * request: the request entry (may be absent: only a response was logged or seen);
 * response: the response entry (absent: the request is still pending).
 */
export function mapVaultEntry(request: VaultAuditEntry | undefined, response: VaultAuditEntry | undefined, opts: MappingOptions = {}): AuditRecord | null {
  const main = response ?? request;
  if (!main?.request) return null;
  const req = main.request;
  const ts = parseVaultTime((request ?? response)!.time);
  if (!Number.isFinite(ts)) return null;
  const path = str(req.path);
  const operation = str(req.operation);
  const error = str(response?.error) || str(request?.error) || null;
  const tag = parseConsoleTag(req.headers?.[CONSOLE_ACTION_HEADER_KEY]);

  const login = LOGIN_RE.exec(path);
  const rel = relativeKvPath(path, str(req.mount_point), str(req.mount_type));
  const tenantRe = opts.tenantPattern ?? TENANT_RE;
  const segs = rel?.path.split('/').filter(Boolean) ?? [];
  const tenant = segs[0] && tenantRe.test(segs[0]) ? segs[0] : null;
  const secretType: AuditSecretType = tenant ? (SECRET_TYPE_BY_SEGMENT[segs[1] ?? ''] ?? 'none') : 'none';

  let action: AuditAction;
  let loginFailed = false;
  if (login) {
    const respAuth = response?.response?.auth;
    // A login succeeded when the response carries a token; a failure has an error
    // or an (HMAC'd) error in the response data, or no response auth at all.
    loginFailed = response !== undefined && (!!error || !!response.response?.data?.error || !respAuth?.client_token);
    action = loginFailed ? 'failed-login' : 'login';
  } else if (tag) {
    action = tag.action;
  } else if (rel) {
    action = kvAction(rel.kind, operation);
  } else {
    action = 'other';
  }

  let status: AuditStatus;
  if (!response) status = 'pending';
  else if (error && /permission denied/i.test(error)) status = 'denied';
  else if (loginFailed) status = 'denied';
  else if (error) status = 'error';
  else if (rel && rel.kind === 'data' && operation === 'read' && !response.response?.data) status = 'not-found';
  else status = 'ok';

  return {
    key: `v:${str(req.id)}`,
    ts,
    action,
    tenant,
    user: userOf(main, response, login),
    secretType,
    ip: str(req.remote_address),
    status,
    path,
    source: 'vault',
    requestId: str(req.id),
    approvalId: tag?.approval ?? null,
    error: error ? error.replace(/\s+/g, ' ').replace(/^1 error occurred: \* /, '').trim().slice(0, 500) : null,
    ...identityOf(main, response, login !== null),
    incidentId: tag?.incident ?? null,
  };
}

/**
 * The entity id and token accessor of the request (a login: of the token it issued).
 * The accessor is kept as logged: plain where the audit device has hmac_accessor=false,
 * Vault's HMAC of it otherwise (incident/accessor-hash.ts asks Vault for that HMAC).
 */
function identityOf(main: VaultAuditEntry, response: VaultAuditEntry | undefined, login: boolean): { entityId: string | null; accessor: string | null } {
  const auth = main.auth;
  const respAuth = login ? response?.response?.auth : undefined;
  const bounded = (v: unknown) => {
    const s = str(v);
    return s !== '' && s.length <= 200 ? s : null;
  };
  return {
    entityId: bounded(auth?.entity_id) ?? bounded(respAuth?.entity_id),
    accessor: bounded(auth?.accessor) ?? bounded(respAuth?.accessor),
  };
}

function userOf(main: VaultAuditEntry, response: VaultAuditEntry | undefined, login: RegExpExecArray | null): string {
  const auth = main.auth;
  const fromMeta = auth?.metadata && typeof auth.metadata.username === 'string' ? auth.metadata.username : '';
  if (fromMeta) return fromMeta;
  const respAuth = response?.response?.auth;
  const respMeta = respAuth?.metadata && typeof respAuth.metadata.username === 'string' ? respAuth.metadata.username : '';
  if (respMeta) return respMeta;
  const dn = str(auth?.display_name);
  if (dn) return dn;
  // A failed login has no auth block: the username is the last path segment
  // (userpass, ldap); it is what the person typed, shown as such.
  if (login?.[2]) return login[2];
  return '';
}

interface KvRel {
  kind: string;
  path: string;
}

/** For a KV v2 mount: which endpoint (data, metadata, ...) and the path inside the mount. */
function relativeKvPath(path: string, mountPoint: string, mountType: string): KvRel | null {
  if (mountType !== 'kv' || !mountPoint || !path.startsWith(mountPoint)) return null;
  const rest = path.slice(mountPoint.length);
  const slash = rest.indexOf('/');
  const kind = slash < 0 ? rest : rest.slice(0, slash);
  if (!KV_V2_PREFIXES.has(kind)) return { kind: 'kv1', path: rest };
  return { kind, path: slash < 0 ? '' : rest.slice(slash + 1) };
}

function kvAction(kind: string, operation: string): AuditAction {
  if (operation === 'list') return 'list';
  switch (kind) {
    case 'data':
    case 'kv1':
      if (operation === 'read') return 'read';
      if (operation === 'delete') return 'delete';
      if (operation === 'create' || operation === 'update' || operation === 'patch') return 'write';
      return 'other';
    case 'metadata':
      if (operation === 'read') return 'read-metadata';
      if (operation === 'delete') return 'delete';
      return 'write-metadata';
    case 'subkeys':
      return 'read-metadata';
    case 'delete':
    case 'destroy':
      return 'delete';
    case 'undelete':
      return 'write';
    default:
      return 'other';
  }
}
