// The one wire format of an audit event outside SQLite: the fields of an AuditRecord
// (Vault's entry mapped once, by audit-mapping.ts, through the same parser the local
// store uses) as one flat JSON object per line, the way VictoriaLogs ingests them. The
// forwarder writes it; the VictoriaLogs source reads it back. Derived fields (search
// text, identity key, UTC hour) are computed here, from the record, so every source
// counts an identity and matches free text the same way.
import { createHash } from 'node:crypto';
import { AUDIT_ACTIONS, AUDIT_SECRET_TYPES, AUDIT_SOURCES, AUDIT_STATUSES, normalizeUser } from '../../../shared/contracts/audit';
import type { ApprovalWrite, AuditRecord } from '../audit/audit-record';
import { isHousekeeping } from '../audit/housekeeping';
import { identityKey } from '../audit/identity';
import type { StoredEvent } from '../storage/audit-repo';

/** Separates the values in the search text; free text containing it is matched field by field. */
export const SEARCH_SEPARATOR = '\n';

/** The fields of one event line (VictoriaLogs drops empty ones: absent means ""/null). */
export interface EventDoc {
  _time: string;
  /** The search text: path, IP, error, user and tenant, lower-cased, one per line. */
  _msg: string;
  key: string;
  /** A stable 52-bit number for the key (VictoriaLogs has no row id; views and alerts name events by id). */
  id: number;
  ts: number;
  action: string;
  tenant?: string;
  user?: string;
  secret_type: string;
  ip?: string;
  status: string;
  path?: string;
  source: string;
  request_id?: string;
  approval_id?: string;
  error?: string;
  operation?: string;
  mount?: string;
  entity_id?: string;
  /** The token accessor as logged (plain or Vault's HMAC of it): what an incident listing by accessor matches. */
  accessor?: string;
  console_header?: string;
  header_conflict?: '1';
  approval_write?: string;
  /** identityKey() of the event: what the bulk and wide read rules count per. */
  ident?: string;
  /** UTC hour 0-23 (the off-hours rule's prefilter). */
  hour: number;
  /**
   * "1" when the event is the console's housekeeping (audit/housekeeping.ts: the local
   * store's generated column, decided from Vault's record), else "0"; always present, so
   * "Hide console housekeeping" filters on it. Lines without it (forwarded before it
   * existed) are never hidden.
   */
  housekeeping: '0' | '1';
  [stream: string]: string | number | undefined;
}

/** The id an event has on a source without row ids: the first 52 bits of SHA-256(key). */
export function eventIdOf(key: string): number {
  return parseInt(createHash('sha256').update(key).digest('hex').slice(0, 13), 16);
}

/** How free text is matched everywhere: case-insensitive substring of one of these values. */
export function searchText(r: Pick<AuditRecord, 'path' | 'ip' | 'error' | 'user' | 'tenant'>): string {
  return [r.path, r.ip, r.error ?? '', normalizeUser(r.user), r.tenant ?? ''].map((v) => v.toLowerCase()).join(SEARCH_SEPARATOR);
}

/** One record as its event line. `stream` adds the fields that name this cluster's stream. */
export function toEventDoc(r: AuditRecord, stream: Readonly<Record<string, string>> = {}): EventDoc {
  const user = normalizeUser(r.user);
  const doc: EventDoc = {
    ...stream,
    _time: new Date(r.ts).toISOString(),
    _msg: searchText(r),
    key: r.key,
    id: eventIdOf(r.key),
    ts: r.ts,
    action: r.action,
    secret_type: r.secretType,
    status: r.status,
    source: r.source,
    hour: new Date(r.ts).getUTCHours(),
    housekeeping: isHousekeeping(r) ? '1' : '0',
  };
  const put = (k: string, v: string | null | undefined) => {
    if (v !== null && v !== undefined && v !== '') doc[k] = v;
  };
  put('tenant', r.tenant);
  put('user', user);
  put('ip', r.ip);
  put('path', r.path);
  put('request_id', r.requestId);
  put('approval_id', r.approvalId);
  put('error', r.error);
  put('operation', r.operation);
  put('mount', r.mount);
  put('entity_id', r.entityId);
  put('accessor', r.accessor);
  put('console_header', r.consoleHeader);
  if (r.headerConflict) doc.header_conflict = '1';
  // Only a final answer is evidence of an approval write (as in the local store).
  if (r.approvalWrite && r.status !== 'pending') doc.approval_write = JSON.stringify(r.approvalWrite);
  put('ident', identityKey({ user, entityId: r.entityId }));
  return doc;
}

function oneOf<T extends string>(list: readonly T[], v: unknown, fallback: T): T {
  return typeof v === 'string' && (list as readonly string[]).includes(v) ? (v as T) : fallback;
}

/**
 * A line's approval write, only in the shape audit-mapping.ts gives one: the audit service
 * reads `<mount>data/requests/<id>?version=<version>` back from Vault for it, so a posted
 * line must not name another mount (a tenant secret read under the reviewer's token) or
 * put anything but a number in the query string. Never "read from Vault": only the audit
 * service says that, in memory, for what it read back itself.
 */
function parseApprovalWrite(v: unknown): ApprovalWrite | null {
  if (typeof v !== 'string' || v === '') return null;
  let w: Partial<Record<keyof ApprovalWrite, unknown>>;
  try {
    w = JSON.parse(v) as typeof w;
  } catch {
    return null;
  }
  if (!w || typeof w !== 'object') return null;
  const str = (x: unknown) => (typeof x === 'string' ? x : null);
  const { approvalId, mount, policies, version } = w;
  if (typeof approvalId !== 'string' || approvalId === '' || typeof mount !== 'string' || !/^([A-Za-z0-9_.-]+\/)*[A-Za-z0-9_.-]+-approvals\/$/.test(mount) || mount.split('/').some((seg) => seg === '.' || seg === '..')) return null;
  if (!Array.isArray(policies) || !policies.every((p) => typeof p === 'string')) return null;
  if (version !== null && !(Number.isSafeInteger(version) && (version as number) >= 1)) return null;
  return { approvalId, mount, policies: policies as string[], version: version as number | null, recordStatus: str(w.recordStatus), recordPath: str(w.recordPath) };
}

/**
 * An event line as the source returned it, back to the stored event. A line that is
 * not one of ours (no key, an unknown action) is null: never guessed into an event.
 * So is a line whose fields disagree as toEventDoc never writes them: its ts not its
 * _time to the millisecond, its id not its key's. Anyone who can post to /insert can
 * write such a line; the source sorts and windows by _time and pages by (ts, id), so one
 * that disagrees would end paging early or take a real event's id.
 */
export function fromEventDoc(d: Record<string, unknown>): StoredEvent | null {
  const s = (k: string): string => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const n = (k: string): string | null => (s(k) === '' ? null : s(k));
  const key = s('key');
  const ts = Number(s('ts') || d.ts);
  if (!key || !Number.isSafeInteger(ts)) return null;
  if (!(AUDIT_ACTIONS as readonly string[]).includes(s('action'))) return null;
  const time = s('_time');
  if (Date.parse(time) !== ts || /\.\d{4,}/.test(time)) return null;
  const id = Number(s('id') || d.id);
  if (id !== eventIdOf(key)) return null;
  return {
    id,
    key,
    ts,
    action: s('action') as StoredEvent['action'],
    tenant: n('tenant'),
    user: s('user'),
    secretType: oneOf(AUDIT_SECRET_TYPES, d.secret_type, 'none'),
    ip: s('ip'),
    status: oneOf(AUDIT_STATUSES, d.status, 'error'),
    path: s('path'),
    source: oneOf(AUDIT_SOURCES, d.source, 'vault'),
    requestId: s('request_id'),
    approvalId: n('approval_id'),
    error: n('error'),
    operation: n('operation'),
    mount: n('mount'),
    entityId: n('entity_id'),
    consoleHeader: n('console_header'),
    headerConflict: s('header_conflict') === '1',
    approvalWrite: parseApprovalWrite(d.approval_write),
  };
}
