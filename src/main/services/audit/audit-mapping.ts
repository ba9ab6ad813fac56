// Maps one Vault audit entry (the request entry, the response entry, or both
// joined by request id) to an AuditRecord. The rules are documented in
// docs/audit-mapping.md; change both together.
//
// Vault's record decides: the action comes from the mount Vault routed to, its
// type, the path, the operation and the outcome; the user is the identity whose
// token made the request. Anything a client adds (the console header) is kept as
// an annotation beside it.
import { normalizeUser, type AuditAction, type AuditStatus, type AuditSecretType } from '../../../shared/contracts/audit';
import { parseVaultTime, type ApprovalWrite, type AuditRecord } from './audit-record';
import { CONSOLE_ACTION_HEADER_KEY, consoleHeaderText, headerContradicts, parseConsoleTags } from './console-header';

interface VaultAuth {
  display_name?: unknown;
  metadata?: Record<string, unknown> | null;
  entity_id?: unknown;
  /** The token's accessor: plain where the device has hmac_accessor=false, else Vault's HMAC of it. */
  accessor?: unknown;
  client_token?: unknown;
  policies?: unknown;
  token_policies?: unknown;
  identity_policies?: unknown;
}

/** The parts of Vault's audit entry we read (everything else is ignored). */
export interface VaultAuditEntry {
  time?: unknown;
  type?: unknown;
  error?: unknown;
  auth?: VaultAuth | null;
  request?: {
    id?: unknown;
    operation?: unknown;
    path?: unknown;
    mount_point?: unknown;
    mount_type?: unknown;
    mount_class?: unknown;
    namespace?: { path?: unknown } | null;
    remote_address?: unknown;
    headers?: Record<string, unknown> | null;
    data?: Record<string, unknown> | null;
  } | null;
  response?: {
    auth?: VaultAuth | null;
    data?: Record<string, unknown> | null;
    wrap_info?: Record<string, unknown> | null;
  } | null;
}

export interface MappingOptions {
  /** Tenant folders look like this (the seeder's t-000042). */
  tenantPattern?: RegExp;
}

const TENANT_RE = /^t-\d{6,}$/;
const KV_V2_PREFIXES = new Set(['data', 'metadata', 'delete', 'undelete', 'destroy', 'subkeys', 'detailed-metadata', 'config']);
const SECRET_TYPE_BY_SEGMENT: Record<string, AuditSecretType> = { ssh: 'ssh', smtp: 'smtp', api: 'api', dkim: 'dkim', profile: 'profile' };
/** Used only when Vault logged no mount (a path no mount answers). */
const LOGIN_RE = /^auth\/(.+?)\/login(?:\/(.+))?$/;
const APPROVAL_ID_RE = /^apr-[0-9a-f]{16}$/;
const HMAC_PREFIX = 'hmac-sha256:';

const MAX_PATH = 2048;

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function capped(v: string, max: number): string {
  return v.length > max ? `${v.slice(0, max - 1)}…` : v;
}

/** True when the entry looks like a Vault audit entry at all. */
export function isVaultAuditEntry(v: unknown): v is VaultAuditEntry {
  if (!v || typeof v !== 'object') return false;
  const e = v as VaultAuditEntry;
  return (e.type === 'request' || e.type === 'response') && typeof e.time === 'string' && !!e.request && typeof e.request === 'object';
}

/** A path's segments with empty and "." segments dropped and ".." applied (Vault's router cleans paths the same way). */
export function cleanSegments(path: string): string[] {
  const out: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

interface Route {
  /** Namespace path ("" at the root, "ns1/"). */
  ns: string;
  /** Path as Vault logged it, relative to the namespace. */
  path: string;
  /** Mount point relative to the namespace ("tenants/", "auth/userpass/"), "" when none. */
  mount: string;
  mountType: string;
  mountClass: string;
  /** Segments of the path inside the mount (cleaned); null when the path is not inside the mount. */
  rel: string[] | null;
}

function routeOf(req: NonNullable<VaultAuditEntry['request']>): Route {
  const ns = str(req.namespace?.path);
  const path = str(req.path);
  let mount = str(req.mount_point);
  // Vault logs the mount with its namespace and the path without it.
  if (ns && mount.startsWith(ns)) mount = mount.slice(ns.length);
  const rel = mount && path.startsWith(mount) ? cleanSegments(path.slice(mount.length)) : null;
  return { ns, path, mount, mountType: str(req.mount_type), mountClass: str(req.mount_class), rel };
}

function isKv(mountType: string): boolean {
  return mountType === 'kv' || mountType === 'generic';
}

/** The secret's path inside a KV mount (endpoint prefix removed), or null. */
function kvSecret(r: Route): { kind: string; segs: string[] } | null {
  if (!isKv(r.mountType) || !r.rel) return null;
  const [first, ...rest] = r.rel;
  if (first !== undefined && KV_V2_PREFIXES.has(first)) return { kind: first, segs: rest };
  return { kind: 'kv1', segs: r.rel };
}

/** A login endpoint of an auth method (never the token store, which issues tokens to a caller that already has one). */
function loginOf(r: Route): { name: string } | null {
  if (r.mount) {
    if (r.mountType === 'token' || !r.mount.startsWith('auth/') || !r.rel || r.rel[0] !== 'login') return null;
    const raw = r.path.slice(r.mount.length).replace(/^\/*login\/?/, '');
    return { name: raw };
  }
  const m = LOGIN_RE.exec(r.path);
  return m && !m[1]!.startsWith('token') ? { name: m[2] ?? '' } : null;
}

/**
 * The classes Vault's own request falls in. Every detector, filter and export
 * uses this; a client header never changes it.
 */
function kvAction(kind: string, operation: string, data: Record<string, unknown> | null | undefined): AuditAction {
  if (operation === 'list' || operation === 'scan') return 'list';
  const writes = operation === 'create' || operation === 'update' || operation === 'patch';
  switch (kind) {
    case 'data':
    case 'kv1':
      if (operation === 'read') return 'read';
      if (operation === 'delete') return 'delete';
      if (writes) return 'write';
      return 'other';
    case 'metadata':
      if (operation === 'read') return 'read-metadata';
      if (operation === 'delete') return 'delete';
      // Setting a secret's version retention (max_versions, delete_version_after) deletes
      // versions later without a delete request: it is a delete. Key names are never HMAC'd.
      if (writes && data && ('delete_version_after' in data || 'max_versions' in data)) return 'delete';
      if (writes) return 'write-metadata';
      return 'other';
    case 'config':
      // The mount's retention for every secret (max_versions, delete_version_after, cas_required).
      return operation === 'read' || operation === 'help' ? 'other' : 'sys-critical';
    case 'subkeys':
    case 'detailed-metadata':
      return operation === 'read' ? 'read-metadata' : 'other';
    case 'delete':
    case 'destroy':
      // Soft-deleting or destroying versions: whatever verb reaches it, it is a delete.
      return operation === 'read' || operation === 'help' ? 'other' : 'delete';
    case 'undelete':
      return operation === 'create' || operation === 'update' ? 'write' : 'other';
    default:
      return 'other';
  }
}

/**
 * System paths that change what the audit trail can see or expose secrets
 * outside the KV API: raw storage, audit devices and audited headers, mount
 * tuning (audit_non_hmac_* can put values in clear in the log), disabling or
 * moving a mount, root token generation. Always a red alert.
 */
function sysCritical(path: string, operation: string, data: Record<string, unknown> | null | undefined): boolean {
  const write = operation !== 'read' && operation !== 'list' && operation !== 'help';
  if (/^sys\/raw(\/|$)/.test(path)) return true;
  if (!write) return false;
  // Key names are never HMAC'd: a tune that sets what the audit log hashes shows in them.
  const tunesAudit = !!data && Object.keys(data).some((k) => k.startsWith('audit_non_hmac') || k === 'passthrough_request_headers');
  return (
    /^sys\/audit\/.+/.test(path) ||
    /^sys\/config\/auditing\/request-headers\/.+/.test(path) ||
    (tunesAudit && /^sys\/(mounts|auth)\/.+\/tune$/.test(path)) ||
    (operation === 'delete' && /^sys\/(mounts|auth)\/.+/.test(path)) ||
    // Deleting a namespace drops every mount in it, a tenants KV mount and its secrets included.
    (operation === 'delete' && /^sys\/namespaces\/.+/.test(path)) ||
    // Restoring a raft snapshot rolls back every secret, policy, mount and audited header at once.
    /^sys\/storage\/raft\/snapshot(-force)?$/.test(path) ||
    /^sys\/remount(\/|$)/.test(path) ||
    /^sys\/generate-(root|recovery-token)(\/|$)/.test(path)
  );
}

function policiesOf(auth: VaultAuth | null | undefined): string[] {
  const out = new Set<string>();
  for (const list of [auth?.policies, auth?.token_policies, auth?.identity_policies]) {
    if (Array.isArray(list)) for (const p of list) if (typeof p === 'string') out.add(p);
  }
  return [...out].slice(0, 64);
}

function metaUsername(auth: VaultAuth | null | undefined): string {
  const u = auth?.metadata && typeof auth.metadata === 'object' ? auth.metadata.username : undefined;
  return typeof u === 'string' ? u : '';
}

/**
 * The identity that made the request. Token-store tokens ("token", "token-<name>")
 * carry whatever metadata their creator chose, so only their display name counts;
 * a login token's username metadata is set by its auth method.
 */
function callerName(auth: VaultAuth | null | undefined): string {
  const dn = str(auth?.display_name);
  if (dn === 'root' || dn.startsWith('token')) return dn;
  return metaUsername(auth) || dn;
}

/**
 * @param request the request entry (absent: only a response was logged or seen)
 * @param response the response entry (absent: the request is still pending)
 * @param requestTs the request's time when only that was kept of its entry
 */
export function mapVaultEntry(request: VaultAuditEntry | undefined, response: VaultAuditEntry | undefined, opts: MappingOptions = {}, requestTs?: number): AuditRecord | null {
  const main = response ?? request;
  if (!main?.request) return null;
  const req = main.request;
  const ts = requestTs ?? parseVaultTime((request ?? response)!.time);
  if (!Number.isFinite(ts)) return null;
  const route = routeOf(req);
  const operation = str(req.operation).slice(0, 32);
  const error = str(response?.error) || str(request?.error) || null;

  const login = loginOf(route);
  const secret = kvSecret(route);
  const tenantRe = opts.tenantPattern ?? TENANT_RE;
  const segs = secret?.segs ?? [];
  const tenant = segs[0] && tenantRe.test(segs[0]) ? segs[0] : null;
  const secretType: AuditSecretType = tenant ? (SECRET_TYPE_BY_SEGMENT[segs[1] ?? ''] ?? 'none') : 'none';

  let action: AuditAction;
  let loginFailed = false;
  let loginOk = false;
  if (login) {
    // A login succeeded when the response carries a token; a failure has an error,
    // an (HMAC'd) error in the response data, or no token at all.
    const respAuth = response?.response?.auth;
    loginFailed = response !== undefined && (!!error || !!response.response?.data?.error || !respAuth?.client_token);
    loginOk = response !== undefined && !loginFailed;
    action = loginFailed ? 'failed-login' : 'login';
  } else if (secret) {
    action = kvAction(secret.kind, operation, req.data);
  } else if (route.mountType === 'transit' && route.rel && (route.rel[0] === 'decrypt' || (route.rel[0] === 'datakey' && route.rel[1] === 'plaintext') || route.rel[0] === 'export' || (route.rel[0] === 'backup' && operation === 'read'))) {
    // Plaintext out of transit: with the backup key, whoever also holds a backup reads every secret in it.
    // A key's backup (allow_plaintext_backup) is the key material itself, like an export.
    action = 'decrypt';
  } else if (route.mountType === 'system') {
    // Vault's own test entry when a device is enabled ("sys/audit/test", no mount, no caller) is not a request.
    action = sysCritical(route.path, operation, req.data) ? 'sys-critical' : 'other';
  } else {
    action = 'other';
  }

  let status: AuditStatus;
  const wrapped = !!response?.response?.wrap_info;
  if (!response) status = 'pending';
  else if (error && /permission denied/i.test(error)) status = 'denied';
  else if (loginFailed) status = 'denied';
  else if (error) status = 'error';
  // A response-wrapped read carries the secret in a wrapping token, not in data: it was read.
  else if (secret && (secret.kind === 'data' || secret.kind === 'kv1') && operation === 'read' && !response.response?.data && !wrapped) status = 'not-found';
  else status = 'ok';

  // Who: the caller's token; for a successful login, the identity it signed in.
  let user: string;
  let entityId: string;
  // The token's accessor as logged (incident response names a token by it): the caller's,
  // for a successful login the new token's (the same rule as the user).
  let accessor: string;
  if (loginOk) {
    const a = response?.response?.auth ?? response?.auth;
    const prefix = `${route.mount.replace(/^auth\//, '').replace(/\//g, '-')}`;
    const dn = str(a?.display_name);
    user = metaUsername(a) || (prefix && dn.startsWith(prefix) ? dn.slice(prefix.length) : dn);
    entityId = str(a?.entity_id);
    accessor = str(a?.accessor);
  } else if (login) {
    // No token yet: the name typed (what Vault looks up, case-folded for userpass and LDAP).
    user = login.name;
    entityId = '';
    accessor = '';
  } else {
    user = callerName(main.auth);
    entityId = str(main.auth?.entity_id);
    accessor = str(main.auth?.accessor);
  }

  const rawHeader = req.headers?.[CONSOLE_ACTION_HEADER_KEY];
  const tags = parseConsoleTags(rawHeader);
  const approvalTag = tags.find((t) => t.approval);

  const fullPath = capped(route.ns + route.path, MAX_PATH);
  const record: AuditRecord = {
    key: `v:${str(req.id).slice(0, 128)}`,
    ts,
    action,
    tenant,
    user: normalizeUser(user),
    secretType,
    ip: str(req.remote_address).slice(0, 64),
    status,
    path: fullPath,
    source: 'vault',
    requestId: str(req.id).slice(0, 128),
    approvalId: approvalTag?.approval ?? null,
    error: error ? error.replace(/\s+/g, ' ').replace(/^1 error occurred: \* /, '').trim().slice(0, 500) : null,
    operation: operation || null,
    mount: route.mount ? capped(route.ns + route.mount, 512) : null,
    entityId: entityId ? entityId.slice(0, 64) : null,
    accessor: accessor && accessor.length <= 200 ? accessor : null,
    consoleHeader: consoleHeaderText(rawHeader),
    headerConflict: tags.some((t) => headerContradicts(t, action)),
    approvalWrite: approvalWriteOf(route, secret, operation, req.data, response, main.auth),
  };
  return record;
}

/** Vault's record of a write to an approval request (`<kv mount>-approvals/data/requests/apr-…`). */
function approvalWriteOf(
  route: Route,
  secret: { kind: string; segs: string[] } | null,
  operation: string,
  data: Record<string, unknown> | null | undefined,
  response: VaultAuditEntry | undefined,
  auth: VaultAuth | null | undefined,
): ApprovalWrite | null {
  if (!secret || secret.kind !== 'data' || !route.mount.endsWith('-approvals/')) return null;
  if (operation !== 'create' && operation !== 'update' && operation !== 'patch') return null;
  if (secret.segs.length !== 2 || secret.segs[0] !== 'requests' || !APPROVAL_ID_RE.test(secret.segs[1]!)) return null;
  const record = data && typeof data.data === 'object' && data.data !== null ? (data.data as Record<string, unknown>) : {};
  // Only what Vault logged in clear counts; an HMAC'd value is unknown here.
  const clear = (v: unknown) => (typeof v === 'string' && !v.startsWith(HMAC_PREFIX) ? v.slice(0, 1024) : null);
  const version = response?.response?.data?.version;
  return {
    approvalId: secret.segs[1]!,
    mount: route.ns + route.mount,
    policies: policiesOf(auth),
    version: typeof version === 'number' && Number.isSafeInteger(version) ? version : null,
    recordStatus: clear(record.status),
    recordPath: clear(record.path),
  };
}
